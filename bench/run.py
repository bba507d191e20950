"""Banyan CRM benchmark: seed a company at scale on PostgreSQL, then time every list.

    make bench SCALE=0.1          # a tenth: 100,000 customers (under 10 minutes from empty)
    make bench SCALE=1            # 1,000,000 customers
    .venv/bin/python -m bench.run --scale 0.01 --only customer

The database is `banyan_bench_s<scale>` on BENCH_POSTGRES (default
postgres://postgres@127.0.0.1:5432); a finished seed leaves a marker there and the next run at
the same scale reuses it (`--reseed` starts again). Every scenario (`bench.scenarios`) is
requested in-process through Django's test client, then over HTTP against gunicorn with two
workers: warm-up requests first, then `--repeat` timed ones, giving median and 95th percentile
milliseconds, the SQL's own time (each query timed around the database call) and the query
count. Results go to bench/results/postgresql-<customers>.{json,md}, with EXPLAIN (ANALYZE,
BUFFERS) of the main query of the slowest pages in postgresql-<customers>-explain.md.
"""

import argparse
import datetime
import http.client
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
# A scenario stops early once it has MIN_REQUESTS timings and has spent this long on them:
# every page near its budget gets all its requests, a page ten times over it gets fewer.
IN_PROCESS_SECONDS = 1.0
HTTP_SECONDS = 0.5
MIN_REQUESTS = {"in-process": 5, "http": 3}


def log(message: str) -> None:
    print(f"[{datetime.datetime.now(datetime.UTC):%H:%M:%S}] {message}", flush=True)


def configure(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "banyan.settings")
    os.environ.setdefault("SECRET_KEY", "banyan-bench-key-not-secret")  # a private database
    os.environ.setdefault("DEBUG", "false")
    # The seed makes a thousand users; a fast hasher keeps that to seconds. Nothing timed
    # checks a password (the clients log in by session).
    os.environ.setdefault("PASSWORD_HASHERS", "django.contrib.auth.hashers.MD5PasswordHasher")
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
    sys.path.insert(0, str(ROOT))
    # WhiteNoise warns at every start when STATIC_ROOT is missing (as scripts/serve.sh).
    (ROOT / "var" / "static").mkdir(parents=True, exist_ok=True)


def finished_seed(name: str, scale: float) -> bool:
    """Whether database `name` holds a finished seed at `scale` (without Django)."""
    import psycopg

    from bench import db

    if not db.exists(name):
        return False
    with psycopg.connect(f"{db.SERVER}/{name}") as connection:
        if connection.execute("SELECT to_regclass('bench_seed')").fetchone()[0] is None:
            return False
        row = connection.execute("SELECT scale FROM bench_seed").fetchone()
        return row is not None and float(row[0]) == float(scale)


def percentile(values: list[float], q: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


class QueryTimer:
    """Times every query of a request around the database call (an execute wrapper)."""

    def __init__(self):
        self.queries: list[tuple[float, str, object]] = []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.queries.append((time.perf_counter() - started, sql, params))


def summarise(scenario, transport, timings, sql_times, queries, cpu_times=()):
    row = {
        "scenario": scenario.name,
        "url": scenario.url,
        "role": scenario.role,
        "transport": transport,
        "median_ms": round(statistics.median(timings), 1),
        "p95_ms": round(percentile(timings, 95), 1),
        "queries": queries,
        "sql_ms": round(statistics.median(sql_times), 1) if sql_times else None,
        "requests": len(timings),
    }
    if cpu_times:
        row["cpu_ms"] = round(statistics.median(cpu_times), 1)
    return row


def time_in_process(scenarios, clients, repeat: int, warmup: int):
    from django.db import connection

    results, skipped, captured = [], [], {}
    for index, scenario in enumerate(scenarios, 1):
        client = clients[scenario.role]
        status = None
        for _ in range(warmup):
            status = client.get(scenario.url).status_code
        if status != 200:
            skipped.append({"scenario": scenario.name, "url": scenario.url,
                            "role": scenario.role, "status": status})  # fmt: skip
            log(f"  {scenario.name} ({scenario.role}): answered {status}, skipped")
            continue
        timings, sql_times, counts, cpu_times = [], [], [], []
        started = time.perf_counter()
        timer = None
        for _ in range(repeat):
            timer = QueryTimer()
            with connection.execute_wrapper(timer):
                begin, cpu = time.perf_counter(), time.process_time()
                response = client.get(scenario.url)
                timings.append((time.perf_counter() - begin) * 1000)
                cpu_times.append((time.process_time() - cpu) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{scenario.name}: {scenario.url} answered {response.status_code}")
            sql_times.append(sum(t for t, _sql, _params in timer.queries) * 1000)
            counts.append(len(timer.queries))
            if (
                len(timings) >= MIN_REQUESTS["in-process"]
                and time.perf_counter() - started > IN_PROCESS_SECONDS
            ):
                break
        row = summarise(scenario, "in-process", timings, sql_times, max(counts), cpu_times)
        if min(counts) != max(counts):
            row["queries_min"] = min(counts)
        results.append(row)
        captured[(scenario.name, scenario.role)] = timer.queries
        log(
            f"  [{index}/{len(scenarios)}] {scenario.name:<42} {scenario.role:<8} "
            f"median {row['median_ms']:>7.1f}  p95 {row['p95_ms']:>7.1f}  "
            f"sql {row['sql_ms']:>7.1f}  {row['queries']:>3} q"
        )
    return results, skipped, captured


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get_over_http(port: int, url: str, cookie: str) -> tuple[int, float]:
    begin = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        connection.request(
            "GET",
            url,
            headers={"Cookie": cookie, "Accept-Language": "zh-hans", "Host": "127.0.0.1"},
        )
        response = connection.getresponse()
        response.read()
        return response.status, (time.perf_counter() - begin) * 1000
    finally:
        connection.close()


def start_gunicorn(log_path: Path):
    port = free_port()
    log_file = log_path.open("w")
    process = subprocess.Popen(
        [
            sys.executable, "-m", "gunicorn", "banyan.wsgi:application",
            "--workers", "2", "--bind", f"127.0.0.1:{port}", "--timeout", "300",
            "--log-level", "warning",
        ],
        cwd=ROOT, env=os.environ.copy(), stdout=log_file, stderr=subprocess.STDOUT,
    )  # fmt: skip
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            status, _ms = get_over_http(port, "/healthz", "")
            if status == 200:
                return process, port
        except OSError:
            time.sleep(0.3)
        if process.poll() is not None:
            break
    process.terminate()
    raise SystemExit(f"gunicorn did not start: see {log_path}")


def time_over_http(scenarios, cookies, repeat: int, in_process: dict):
    from django.conf import settings

    log_path = ROOT / "var" / "bench-gunicorn.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    process, port = start_gunicorn(log_path)
    results, warmed = [], set()
    try:
        for index, scenario in enumerate(scenarios, 1):
            known = in_process.get((scenario.name, scenario.role))
            if known is None:
                continue  # refused in-process too
            cookie = f"{settings.SESSION_COOKIE_NAME}={cookies[scenario.role]}"
            # Two workers: the first time a page is asked for, warm both.
            for _ in range(1 if scenario.url in warmed else 2):
                status, _ms = get_over_http(port, scenario.url, cookie)
            warmed.add(scenario.url)
            if status != 200:
                raise SystemExit(f"{scenario.name}: {scenario.url} answered {status} over HTTP")
            timings, started = [], time.perf_counter()
            for _ in range(repeat):
                status, ms = get_over_http(port, scenario.url, cookie)
                if status != 200:
                    raise SystemExit(f"{scenario.name}: {scenario.url} answered {status}")
                timings.append(ms)
                if (
                    len(timings) >= MIN_REQUESTS["http"]
                    and time.perf_counter() - started > HTTP_SECONDS
                ):
                    break
            row = summarise(scenario, "http", timings, [], known["queries"])
            row["sql_ms"] = known["sql_ms"]  # the same queries, timed in-process
            results.append(row)
            log(
                f"  [{index}/{len(scenarios)}] {scenario.name:<42} {scenario.role:<8} "
                f"median {row['median_ms']:>7.1f}  p95 {row['p95_ms']:>7.1f}  (http)"
            )
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
    return results


def explain(captured: dict, rows: list[dict], limit: int) -> list[dict]:
    """EXPLAIN (ANALYZE, BUFFERS) of the longest query of the slowest pages."""
    from django.db import connection

    from bench.scenarios import RATIO_BUDGET

    slow, seen = [], set()
    for row in sorted(rows, key=lambda r: r["median_ms"], reverse=True):
        if row.get("over_budget") and row["scenario"] not in seen and len(slow) < limit:
            seen.add(row["scenario"])  # the slowest role of each scenario
            slow.append(row)
    plans = []
    for row in slow:
        queries = captured.get((row["scenario"], row["role"]))
        if not queries:
            continue
        seconds, sql, params = max(queries, key=lambda q: q[0])
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            plan = "\n".join(line for (line,) in cursor.fetchall())
            try:
                shown = cursor.cursor.mogrify(sql, params)
            except Exception:  # a cursor without mogrify: the SQL with its placeholders
                shown = f"{sql}\n-- parameters: {params!r}"
        plans.append(
            {
                "scenario": row["scenario"],
                "role": row["role"],
                "url": row["url"],
                "p95_ms": row["p95_ms"],
                "sql_ms": row["sql_ms"],
                "query_ms": round(seconds * 1000, 1),
                "queries": row["queries"],
                "ratio_budget": RATIO_BUDGET,
                "sql": shown,
                "plan": plan,
            }
        )
    return plans


def mark(rows: list[dict], scenarios_by_key: dict) -> None:
    from bench.scenarios import RATIO_BUDGET, budget_ms

    for row in rows:
        if row["transport"] != "in-process":
            continue
        scenario = scenarios_by_key[(row["scenario"], row["role"])]
        row["budget_ms"] = budget_ms(scenario)
        row["ratio"] = round(row["median_ms"] / row["sql_ms"], 1) if row["sql_ms"] else None
        misses = []
        if row["p95_ms"] > row["budget_ms"]:
            misses.append("p95")
        if row["ratio"] is not None and row["ratio"] > RATIO_BUDGET:
            misses.append("page/SQL")
        row["over_budget"] = misses


def machine() -> dict:
    from bench import db

    memory = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.0f} GiB"
    except OSError:
        pass
    load = os.getloadavg()
    return {
        "nproc": os.cpu_count(),
        "memory": memory,
        "postgresql": db.server_version(),
        "python": platform.python_version(),
        "load": [round(x, 2) for x in load],
    }


def markdown(data: dict) -> str:
    def fmt(value):
        return "" if value is None else f"{value:,.1f}"

    lines = [
        f"# Banyan CRM benchmark: {data['customers']:,} customers (SCALE={data['scale']:g})",
        "",
        f"PostgreSQL {data['machine']['postgresql']}, {data['machine']['nproc']} cores, "
        f"{data['machine']['memory']} RAM; load average {data['machine']['load']} at the start, "
        f"{data['machine_after']['load']} at the end. Seeded in {data['seed_seconds']:,.0f} s"
        f"{' (this run reused the seed)' if data['reused_seed'] else ''}; timed in "
        f"{data['run_seconds']:,.0f} s. Command: `{data['command']}`.",
        "",
        "In-process (Django test client): p95 against the budget of issue 11 (lists and the "
        "customer view 50 ms, searches 100 ms, workbench and API lists 80 ms, page/SQL 3). "
        "SQL = the page's queries alone (median of the per-request sums); page/SQL = median "
        "page / SQL; CPU = this Python process's own CPU time in the request (median), which "
        "the other work on a shared machine does not inflate as it does the wall-clock times.",
        "",
        "| scenario | role | median ms | p95 ms | SQL ms | page/SQL | CPU ms | queries "
        "| budget ms | within budget |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for row in data["results"]:
        if row["transport"] != "in-process":
            continue
        verdict = (
            "yes" if not row["over_budget"] else "**no** (" + ", ".join(row["over_budget"]) + ")"
        )
        lines.append(
            f"| {row['scenario']} | {row['role']} | {fmt(row['median_ms'])} | {fmt(row['p95_ms'])} "
            f"| {fmt(row['sql_ms'])} | {fmt(row['ratio'])} | {fmt(row.get('cpu_ms'))} "
            f"| {row['queries']} | {row['budget_ms']} | {verdict} |"
        )
    http_rows = [r for r in data["results"] if r["transport"] == "http"]
    if http_rows:
        lines += [
            "",
            "Over HTTP (gunicorn, 2 sync workers, one request at a time; SQL ms from the "
            "in-process run):",
            "",
            "| scenario | role | median ms | p95 ms | SQL ms | queries |",
            "| --- | --- | ---: | ---: | ---: | ---: |",
        ]
        for row in http_rows:
            lines.append(
                f"| {row['scenario']} | {row['role']} | {fmt(row['median_ms'])} "
                f"| {fmt(row['p95_ms'])} | {fmt(row['sql_ms'])} | {row['queries']} |"
            )
    if data["skipped"]:
        lines += ["", "Not timed (refused for the role):", ""]
        lines += [f"- {s['scenario']} ({s['role']}): {s['status']}" for s in data["skipped"]]
    return "\n".join(lines) + "\n"


def explain_markdown(data: dict, plans: list[dict]) -> str:
    lines = [
        f"# EXPLAIN (ANALYZE, BUFFERS) at {data['customers']:,} customers",
        "",
        "The longest query of each of the slowest scenarios over budget (by in-process "
        "median; the slowest role of each), run again on the same connection (JIT off, as "
        "the application's connections).",
    ]
    for plan in plans:
        lines += [
            "",
            f"## {plan['scenario']} ({plan['role']}): p95 {plan['p95_ms']:,.1f} ms, "
            f"SQL {plan['sql_ms']:,.1f} ms in {plan['queries']} queries, this query "
            f"{plan['query_ms']:,.1f} ms",
            "",
            f"`{plan['url']}`",
            "",
            "```sql",
            plan["sql"],
            "```",
            "",
            "```",
            plan["plan"],
            "```",
        ]
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.1)
    parser.add_argument("--repeat", type=int, default=15, help="timed requests in-process")
    parser.add_argument("--http-repeat", type=int, default=5, help="timed requests over HTTP")
    parser.add_argument("--warmup", type=int, default=1, help="untimed requests in-process")
    parser.add_argument("--reseed", action="store_true", help="seed again even if seeded")
    parser.add_argument("--no-http", action="store_true", help="in-process only")
    parser.add_argument("--only", default="", help="scenarios whose name contains this")
    parser.add_argument("--explain", type=int, default=15, help="plans of this many pages")
    parser.add_argument("--seed-only", action="store_true")
    args = parser.parse_args(argv)

    from bench import db

    name = db.database_name(args.scale)
    configure(db.database_url(args.scale))
    run_started = time.perf_counter()
    reuse = not args.reseed and finished_seed(name, args.scale)
    if not reuse:
        log(f"creating database {name}")
        db.create(name, drop_first=True)
    start_machine = machine()
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    from banyan.accounts.models import Company, User
    from bench import scenarios as found
    from bench import seed

    call_command("migrate", verbosity=0)
    marker = seed.seeded(args.scale) if reuse else seed.seed(args.scale)
    seed_seconds = float(marker["seconds"])
    if reuse:
        log(
            f"reusing {name}, seeded {marker['finished_at']:%Y-%m-%d %H:%M} in {seed_seconds:.0f} s"
        )
    if args.seed_only:
        return
    company = Company.objects.get(code="bench")
    timing_started = time.perf_counter()
    clients, cookies = {}, {}
    for role, username in found.USERNAMES.items():
        client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
        client.force_login(
            User.objects.get(company=company, username=username),
            backend="banyan.accounts.backends.CompanyUserBackend",
        )
        clients[role] = client
        cookies[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
    scenarios = [s for s in found.build(clients, company) if args.only in s.name]
    log(f"timing {len(scenarios)} scenarios in-process, {args.repeat} requests each")
    results, skipped, captured = time_in_process(scenarios, clients, args.repeat, args.warmup)
    by_key = {(s.name, s.role): s for s in scenarios}
    mark(results, by_key)
    http_results = []
    if not args.no_http:
        log(f"timing {len(results)} scenarios over HTTP (gunicorn, 2 workers)")
        known = {(r["scenario"], r["role"]): r for r in results}
        http_results = time_over_http(scenarios, cookies, args.http_repeat, known)
    plans = explain(captured, results, args.explain)
    customers = marker["counts"]["customers"]["big company"]
    data = {
        "database": "postgresql",
        "customers": customers,
        "scale": args.scale,
        "seed_seconds": seed_seconds,
        "reused_seed": reuse,
        "run_seconds": round(time.perf_counter() - timing_started, 1),
        "total_seconds": round(time.perf_counter() - run_started, 1),
        "command": f"make bench SCALE={args.scale:g}",
        "machine": start_machine,
        "machine_after": machine(),
        "counts": marker["counts"],
        "results": results + http_results,
        "skipped": skipped,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    stem = RESULTS / f"postgresql-{customers}"
    Path(f"{stem}.json").write_text(
        json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n"
    )
    Path(f"{stem}.md").write_text(markdown(data))
    Path(f"{stem}-explain.md").write_text(explain_markdown(data, plans))
    over = [r for r in results if r["over_budget"]]
    log(
        f"done: {len(results)} in-process and {len(http_results)} HTTP results, "
        f"{len(over)} over budget; {stem.relative_to(ROOT)}.{{json,md}}; "
        f"whole run {data['total_seconds']:.0f} s"
    )


if __name__ == "__main__":
    main()
