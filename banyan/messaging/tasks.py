"""Background tasks of the messaging app (django-tasks; the database queue in production).

`send_message` sends one outbox message. It is declared in `services`, which enqueues it when a
message is written and again to retry, so that the services never import this module and this
module never reaches back into them; it is named here too, where a worker or an older queued
row (task path `banyan.messaging.tasks.send_message`) looks for it.
"""

from banyan.messaging.services import send_message

__all__ = ["send_message"]
