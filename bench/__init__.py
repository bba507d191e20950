"""Banyan CRM's benchmark: a company at scale on PostgreSQL, and every list timed.

`make bench SCALE=0.1` (or `python -m bench.run --scale 0.1`): `bench.seed` builds the data
(once per scale, in its own database), `bench.scenarios` names the pages and API lists to
time, `bench.run` times them in-process and over HTTP and writes `bench/results/`.
"""
