"""Background tasks of the exports app: `run_export` produces one export's file.

Declared in `services`, beside what enqueues it; named here, where a worker looks for it
(task path `banyan.exports.tasks.run_export`)."""

from banyan.exports.services import run_export

__all__ = ["run_export"]
