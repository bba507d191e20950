"""Export speed on PostgreSQL: rows a second for each list, format and role.

    .venv/bin/python -m bench.exports --scale 0.05 --database banyan_exports

Seeds (once; a marker says so, as `bench.run`) the benchmark's company at `--scale` in the
database named (never a `banyan_bench_*` one unless asked), then produces each export the way
the worker does (`exports.services.export_run`: the list's own rows, the file written to
MEDIA_ROOT) and a page's CSV download as it streams (`export_stream`), timing each. Results go
to bench/results/exports-<customers>.md.
"""

import argparse
import datetime
import os
import tempfile
import time
from pathlib import Path

from bench.run import RESULTS, configure, finished_seed, log

KINDS = ("customers", "contacts", "activities", "opportunities", "orders", "payments", "products")
ROLES = {"boss": "boss", "manager": "d0m0", "rep": "d0m0s0"}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.05)
    parser.add_argument("--database", default="banyan_exports")
    parser.add_argument("--kinds", default=",".join(KINDS))
    parser.add_argument("--formats", default="csv,xlsx")
    args = parser.parse_args(argv)

    from bench import db

    name = args.database
    configure(f"{db.SERVER}/{name}")
    os.environ.setdefault("MEDIA_ROOT", tempfile.mkdtemp(prefix="banyan-export-bench-"))
    os.environ.setdefault("TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")
    reuse = db.exists(name) and finished_seed(name, args.scale)
    if not reuse:
        log(f"creating database {name}")
        db.create(name, drop_first=True)
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import translation

    from banyan.accounts import services as account_services
    from banyan.accounts.models import Company, User
    from banyan.exports import services
    from banyan.exports.models import ExportJob
    from bench import seed

    call_command("migrate", verbosity=0)
    if not reuse:
        seed.seed(args.scale)
    company = Company.objects.get(code="bench")
    boss = User.objects.get(company=company, username="boss")
    users = {}
    for role, username in ROLES.items():
        user = User.objects.get(company=company, username=username)
        had = set(user.user_permissions.values_list("codename", flat=True))
        account_services.user_update(
            actor=boss, user=user, permissions=sorted(had | {"export_data", "see_costs"})
        )
        users[role] = User.objects.get(pk=user.pk)

    translation.activate("zh-hans")
    results = []
    for kind in args.kinds.split(","):
        for role, user in users.items():
            for format in args.formats.split(","):
                job = ExportJob.objects.create(
                    company=company, user=user, kind=kind, format=format, filters={},
                    origin=ExportJob.Origin.PAGE, language="zh-hans",
                )  # fmt: skip
                started = time.perf_counter()
                services.export_run(job)
                seconds = time.perf_counter() - started
                job.refresh_from_db()
                results.append(_result(kind, role, format, "file (worker)", job, seconds))
                log(_line(results[-1]))
            if "csv" in args.formats:
                started = time.perf_counter()
                job, pieces = services.export_stream(user=user, kind=kind, filters={})
                size = sum(len(piece) for piece in pieces)
                seconds = time.perf_counter() - started
                job.refresh_from_db()
                results.append(_result(kind, role, "csv", "streamed", job, seconds, size))
                log(_line(results[-1]))
    write(results, company, args.scale)


def _result(kind, role, format, how, job, seconds, size=None) -> dict:
    return {
        "kind": kind,
        "role": role,
        "format": format,
        "how": how,
        "status": job.status,
        "rows": job.rows,
        "seconds": round(seconds, 3),
        "rows_per_second": round(job.rows / seconds) if seconds else None,
        "error": job.error,
    }


def _line(row: dict) -> str:
    return (
        f"{row['kind']:<14} {row['role']:<8} {row['format']:<5} {row['how']:<14} "
        f"{row['rows']:>9,} rows {row['seconds']:>8.2f} s {row['rows_per_second'] or 0:>9,}/s "
        f"{row['status']} {row['error'][:80]}"
    )


def write(results: list[dict], company, scale: float) -> None:
    from django.db import connection

    from banyan.customers.models import Customer

    customers = Customer.objects.filter(company=company).count()
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    lines = [
        f"# Export speed at {customers:,} customers (SCALE={scale:g})",
        "",
        f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC, PostgreSQL {version}, "
        f"{os.cpu_count()} cores shared with other work (load average at the end "
        f"{os.getloadavg()[0]:.1f}). `python -m bench.exports`. Rows/s of the small (rep) "
        "exports are mostly the fixed cost of starting one.",
        "",
        "| list | role | format | how | rows | seconds | rows/s |",
        "| --- | --- | --- | --- | ---: | ---: | ---: |",
    ]
    for row in results:
        lines.append(
            f"| {row['kind']} | {row['role']} | {row['format']} | {row['how']} | "
            f"{row['rows']:,} | {row['seconds']:.2f} | {row['rows_per_second'] or 0:,} |"
        )
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = Path(RESULTS) / f"exports-{customers}.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    log(f"wrote {path}")


if __name__ == "__main__":
    main()
