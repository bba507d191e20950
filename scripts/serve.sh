#!/usr/bin/env bash
# Serve Banyan CRM on http://127.0.0.1:8000 with a task worker beside it; Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
HOST_PORT="${BANYAN_ADDR:-127.0.0.1:8000}"

pids=()
stop() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop INT TERM EXIT

"$BIN/python" manage.py db_worker --queue-name default &
pids+=($!)
"$BIN/python" manage.py runserver "$HOST_PORT" --noreload &
pids+=($!)

echo
echo "Banyan CRM: http://${HOST_PORT}/  (demo: press 'Try the demo' on the login page; Ctrl-C stops)"
# Stop everything as soon as either process ends.
wait -n "${pids[@]}"
