#!/usr/bin/env bash
# npm run demo:cluster — the synthetic broadcast on an origin (port 3000) and an edge SFU (port 3001),
# sharing chat through a local Redis: open the watch link on either port, chat on both.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npm run build:client

REDIS_PORT="${DEMO_REDIS_PORT:-6390}"
export REDIS_URL="redis://127.0.0.1:$REDIS_PORT"
export CLUSTER_KEY="${CLUSTER_KEY:-$(head -c 32 /dev/urandom | base64 | tr -d '/+=')}"
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no >/dev/null &
pids+=($!)
PORT=3000 DATA_DIR=data/cluster-origin npx tsx server/demo.ts &
pids+=($!)
for _ in $(seq 1 100); do curl -fs http://127.0.0.1:3000/healthz >/dev/null && break; sleep 0.2; done
PORT=3001 DATA_DIR=data/cluster-edge EDGE_ORIGIN_URL=http://127.0.0.1:3000 npx tsx server/main.ts &
pids+=($!)
echo "Edge SFU: http://localhost:3001/e/<slug of the demo event above> (chat is shared through Redis)"
wait -n
