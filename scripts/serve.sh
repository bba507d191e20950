#!/usr/bin/env bash
# Serve Banyan CRM on http://127.0.0.1:8000 with a task worker beside it; Ctrl-C stops both.
# BANYAN_ADDR=0.0.0.0:8080 scripts/serve.sh serves elsewhere. Not for production: docs/deploy.md.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
HOST_PORT="${BANYAN_ADDR:-127.0.0.1:8000}"

# WhiteNoise warns at every start when STATIC_ROOT is missing (collectstatic is for production).
mkdir -p "${BANYAN_VAR_DIR:-var}/static"

pids=()
stop() {
  trap - INT TERM EXIT
  # SIGTERM: runserver exits; db_worker finishes the task in hand, then exits.
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop EXIT
trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM

# No autoreloaders: each is one process, so stopping it leaves nothing behind.
"$BIN/python" manage.py db_worker --queue-name default --no-reload &
pids+=($!)
"$BIN/python" manage.py runserver "$HOST_PORT" --noreload &
pids+=($!)

echo
echo "Banyan CRM: http://${HOST_PORT}/  (demo: press 'Try the demo' on the login page; Ctrl-C stops)"
# Stop everything as soon as either process ends.
wait -n "${pids[@]}"
