#!/usr/bin/env bash
# The whole suite (the body of `make test`): lint, translations, tests on SQLite, on PostgreSQL
# (when reachable), and the browser tests (when Chromium is installed). Extra arguments go to
# every pytest run, e.g. `scripts/test.sh -x -k login`. The exit code is non-zero when any step
# failed; a step with nothing to run (pytest exit code 5) is not a failure.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
workers="${PYTEST_WORKERS:-2}"
postgres_url="${DATABASE_URL_POSTGRES:-postgres://postgres@127.0.0.1:5432/banyan_test}"
chromium="${CHROMIUM:-$(command -v chromium || echo /usr/bin/chromium)}"
failed=()
started=$SECONDS
# Python keeps compiled modules (and pytest its rewritten test modules) in __pycache__/: without
# them each pytest process spends 12 s of CPU instead of 5 compiling before its first test.
# Some environments turn the cache off; the suite turns it back on.
unset PYTHONDONTWRITEBYTECODE

step() { printf '\n== %s\n' "$*"; }
skip() { printf '   SKIPPED: %s\n' "$*"; }
run() {  # run NAME COMMAND...: records NAME as failed when COMMAND fails
  local name=$1 t0=$SECONDS code
  shift
  "$@"
  code=$?
  printf '   (%s: %ss)\n' "$name" $((SECONDS - t0))
  [ "$code" -eq 0 ] || failed+=("$name")
}
pytest_ok() {  # pytest, where "no tests collected" (5) counts as success
  "$BIN/pytest" "$@"
  local code=$?
  [ "$code" -eq 5 ] && { echo "   (no tests collected)"; return 0; }
  return "$code"
}

if [ ! -x "$BIN/pytest" ]; then
  echo "No test tools in $BIN: run 'make test' (it creates .venv and installs them)." >&2
  exit 2
fi

step "ruff: lint and format"
lint() { "$BIN/ruff" check . && "$BIN/ruff" format --check .; }
run ruff lint

step "translations compile"
if [ ! -f locale/zh_Hans/LC_MESSAGES/django.po ]; then
  skip "locale/zh_Hans/LC_MESSAGES/django.po does not exist yet"
elif ! command -v msgfmt >/dev/null; then
  skip "msgfmt is not installed (apt-get install gettext)"
else
  # The test settings: they need no SECRET_KEY (production settings refuse to start without).
  run translations env DJANGO_SETTINGS_MODULE=banyan.settings_test \
    "$BIN/python" manage.py compilemessages --locale zh_Hans --ignore ".venv/*"
fi

# SQLite explicitly (a DATABASE_URL in the environment or in .env must not redirect this run);
# the test database itself is in memory.
sqlite_url="sqlite:///$PWD/var/banyan-test.sqlite3"
# A module's tests run on one worker (--dist loadscope), so what a module builds once (the test
# companies, the demo company: see conftest.py) is built once, not once per worker.
sqlite_tests() { DATABASE_URL="$sqlite_url" pytest_ok -n "$workers" --dist loadscope -m "not e2e" "$@"; }
postgres_tests() { DATABASE_URL="$postgres_url" pytest_ok -n "$workers" --dist loadscope -m "not e2e" "$@"; }
browser_tests() { DATABASE_URL="$sqlite_url" CHROMIUM="$chromium" pytest_ok -m e2e -p no:xdist "$@"; }

step "tests on SQLite"
run sqlite sqlite_tests "$@"

step "tests on PostgreSQL ($postgres_url)"
if "$BIN/python" scripts/postgres_ready.py "$postgres_url"; then
  run postgresql postgres_tests "$@"
else
  skip "PostgreSQL is not reachable at $postgres_url (set DATABASE_URL_POSTGRES, or start it)"
fi

step "browser tests (Chromium)"
if [ -x "$chromium" ]; then
  run e2e browser_tests "$@"
else
  skip "Chromium is not installed at $chromium (apt-get install chromium)"
fi

elapsed=$((SECONDS - started))
if [ "${#failed[@]}" -eq 0 ]; then
  step "all green (${elapsed}s)"
  exit 0
fi
step "FAILED: ${failed[*]} (${elapsed}s)"
exit 1
