#!/usr/bin/env bash
# `make run`: starts `plinth server` on embedded defaults and registers the example model
# (examples/login-risk) so a newcomer has something to look at. Ctrl-C stops the server.
set -euo pipefail
cd "$(dirname "$0")/.."

PLINTH="${PLINTH_BIN:-build/src/plinth/plinth}"
LISTEN="${PLINTH_LISTEN:-127.0.0.1:7070}"
DATA_DIR="${PLINTH_DATA_DIR:-./plinth-data}"
export PLINTH_SERVER="http://${LISTEN}"

"$PLINTH" server --data-dir "$DATA_DIR" --listen "$LISTEN" --access-log "$DATA_DIR/access.log" &
SERVER_PID=$!
trap 'kill -TERM $SERVER_PID 2>/dev/null; wait $SERVER_PID' INT TERM

for _ in $(seq 1 100); do
  if curl -fsS "http://${LISTEN}/healthz" >/dev/null 2>&1; then break; fi
  if ! kill -0 $SERVER_PID 2>/dev/null; then echo "server failed to start" >&2; exit 1; fi
  sleep 0.1
done

if ! "$PLINTH" models show login-risk >/dev/null 2>&1; then
  "$PLINTH" models create login-risk --description "Login fraud risk (example)" --tag team=risk
  "$PLINTH" models register login-risk examples/login-risk/model.json --format linear-json \
    --signature @examples/login-risk/signature.json --metric auc=0.91 --param l2=0.01 \
    --tag stage=example --git-commit "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  "$PLINTH" models alias set login-risk champion 1
fi
if ! "$PLINTH" deployments show login-risk >/dev/null 2>&1; then
  "$PLINTH" deploy login-risk --model login-risk@champion
fi

cat <<MSG

Plinth is running at http://${LISTEN}  (data in ${DATA_DIR}, Ctrl-C to stop)
Try, in another terminal:
  export PLINTH_SERVER=http://${LISTEN}
  $PLINTH models list
  $PLINTH models show login-risk@champion
  $PLINTH models versions search "name like 'login-%' and metrics.auc >= 0.9"
  $PLINTH predict login-risk --json '{"instances": [{"amount": 950, "failed_logins_24h": 3, "new_device": 1, "country_risk": 0.4}]}'
  curl -s http://${LISTEN}/metrics | head
MSG
wait $SERVER_PID
