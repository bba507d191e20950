#!/usr/bin/env bash
# The whole suite: lint, SQLite, PostgreSQL (when reachable), browser tests (when Chromium is).
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
status=0
workers="${PYTEST_WORKERS:-2}"

step() { printf '\n== %s\n' "$*"; }

step "ruff: lint and format"
"$BIN/ruff" check . && "$BIN/ruff" format --check . || status=1

step "translations are complete"
"$BIN/python" manage.py compilemessages --locale zh_Hans --ignore ".venv/*" >/dev/null || status=1

step "tests on SQLite"
env -u DATABASE_URL "$BIN/pytest" -n "$workers" -m "not e2e" "$@" || status=1

postgres_url="${DATABASE_URL_POSTGRES:-postgres://postgres@127.0.0.1:5432/banyan_test}"
if "$BIN/python" scripts/postgres_ready.py "$postgres_url"; then
  step "tests on PostgreSQL ($postgres_url)"
  DATABASE_URL="$postgres_url" "$BIN/pytest" -n "$workers" -m "not e2e" "$@" || status=1
else
  step "PostgreSQL is not reachable at $postgres_url: the PostgreSQL run is SKIPPED"
fi

if [ -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
  step "browser tests (Chromium)"
  env -u DATABASE_URL "$BIN/pytest" -m e2e -p no:xdist "$@" || status=1
else
  step "Chromium is not installed at ${CHROMIUM:-/usr/bin/chromium}: browser tests are SKIPPED (apt-get install chromium)"
fi

if [ "$status" -eq 0 ]; then step "all green"; else step "FAILED"; fi
exit "$status"
