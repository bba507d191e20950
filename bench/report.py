"""Write the measured part of docs/performance.md from bench/results/*.json.

    .venv/bin/python -m bench.report

Everything between the markers BEGIN and END in docs/performance.md is replaced: the runs
(scale, machine, load, seed and run times), the pages over budget at the largest scale, and
that scale's whole in-process table. The text around the markers is written by hand.
"""

import json

from bench.run import RESULTS, ROOT

DOC = ROOT / "docs" / "performance.md"
BEGIN = "<!-- bench:begin (written by python -m bench.report) -->"
END = "<!-- bench:end -->"


def minutes(seconds: float) -> str:
    seconds = round(seconds)
    return f"{seconds // 60} min {seconds % 60:02d} s"


def fmt(value) -> str:
    return "" if value is None else f"{value:,.1f}"


def load_runs() -> list[dict]:
    runs = []
    for path in sorted(RESULTS.glob("postgresql-*.json")):
        data = json.loads(path.read_text())
        data["file"] = path.relative_to(ROOT).as_posix()
        runs.append(data)
    return sorted(runs, key=lambda d: d["customers"])


def section(runs: list[dict]) -> str:
    lines = [
        "### Runs",
        "",
        "| SCALE | customers (big company) | rows in all | seeding | timing | whole run | "
        "load at start → end | results |",
        "| ---: | ---: | ---: | --- | --- | --- | --- | --- |",
    ]
    for run in runs:
        rows = sum(v["all companies"] for v in run["counts"].values() if isinstance(v, dict))
        seeded = minutes(run["seed_seconds"])
        if run["reused_seed"]:
            seeded += " (an earlier run; reused)"
        lines.append(
            f"| {run['scale']:g} | {run['customers']:,} | {rows:,} | {seeded} "
            f"| {minutes(run['run_seconds'])} | {minutes(run['total_seconds'])} "
            f"| {run['machine']['load'][0]:.1f} → {run['machine_after']['load'][0]:.1f} "
            f"| `{run['file']}` |"
        )
    machine = runs[-1]["machine"]
    lines += [
        "",
        f"Machine: {machine['nproc']} cores (`nproc`), {machine['memory']} RAM, PostgreSQL "
        f"{machine['postgresql']}, Python {machine['python']}; the load averages above are "
        "`uptime`'s one-minute figure (the machine is shared, so timings are noisy).",
        "",
    ]
    largest = runs[-1]
    in_process = [r for r in largest["results"] if r["transport"] == "in-process"]
    over = sorted(
        (r for r in in_process if r["over_budget"]), key=lambda r: r["p95_ms"], reverse=True
    )
    lines += [
        f"### Over budget at {largest['customers']:,} customers "
        f"({len(over)} of {len(in_process)} in-process results)",
        "",
        "| scenario | role | p95 ms | budget ms | over by | SQL ms | page/SQL | queries | misses |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for row in over:
        by = row["p95_ms"] - row["budget_ms"]
        lines.append(
            f"| {row['scenario']} | {row['role']} | {fmt(row['p95_ms'])} | {row['budget_ms']} "
            f"| {fmt(by) if by > 0 else '—'} | {fmt(row['sql_ms'])} | {fmt(row['ratio'])} "
            f"| {row['queries']} | {', '.join(row['over_budget'])} |"
        )
    within = [r for r in in_process if not r["over_budget"]]
    lines += [
        "",
        f"Within budget ({len(within)}): "
        + (", ".join(f"{r['scenario']} ({r['role']})" for r in within) or "none")
        + ".",
        "",
        f"### Every result at {largest['customers']:,} customers",
        "",
        f"In-process and over HTTP: `{largest['file'].removesuffix('.json')}.md`; the plans "
        f"of the slowest pages: `{largest['file'].removesuffix('.json')}-explain.md`.",
    ]
    return "\n".join(lines)


def main() -> None:
    runs = load_runs()
    if not runs:
        raise SystemExit("No results in bench/results/: run make bench first.")
    text = DOC.read_text() if DOC.exists() else f"# Performance\n\n{BEGIN}\n{END}\n"
    head, rest = text.split(BEGIN, 1)
    _old, tail = rest.split(END, 1)
    DOC.write_text(f"{head}{BEGIN}\n{section(runs)}\n{END}{tail}")
    print(f"Wrote {DOC.relative_to(ROOT)} from {len(runs)} runs.")


if __name__ == "__main__":
    main()
