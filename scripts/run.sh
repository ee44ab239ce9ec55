#!/usr/bin/env bash
# `make run`: the whole system on 127.0.0.1 in the foreground — nginx (own prefix), the FastCGI
# responder and the scoring worker — with the default model and a `demo` account. Ctrl-C stops all.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
port=${PORT:-8080}
run=${RUN_DIR:-$root/run}
mkdir -p "$run"
chmod 755 "$run"

export CREDIT_DB=${CREDIT_DB:-$run/credit.sqlite}
export CREDIT_MODEL=${CREDIT_MODEL:-$root/models/default.json}
export CREDIT_SECRET_FILE=${CREDIT_SECRET_FILE:-$run/secret.key}
export CREDIT_TOKEN_TTL=${CREDIT_TOKEN_TTL:-3600}
bin=$root/.build/release
socket=$run/credit-fcgi.sock

# Databases made by earlier versions were readable by others; the service now refuses those.
for file in "$CREDIT_DB" "$CREDIT_DB-wal" "$CREDIT_DB-shm"; do [ -f "$file" ] && chmod 600 "$file"; done
"$bin/credit" init >/dev/null
if ! "$bin/credit" user list | grep -q '^demo'; then
  password=$(head -c 18 /dev/urandom | base64 | tr -d '/+=' | head -c 16)
  echo "$password" | "$bin/credit" user add demo --role admin --password-stdin >/dev/null
  echo "created user 'demo' with password: $password   (shown once; change it with: credit user passwd demo)"
fi
conf=$(scripts/render-nginx.sh "$run" "127.0.0.1:$port" "$socket")

pids=()
stop() {
  trap - INT TERM EXIT
  echo "stopping..."
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop INT TERM EXIT

# nginx's workers run as www-data when nginx starts as root: the socket is theirs to use (0660,
# group www-data) and nobody else's. Started as another user, nginx runs as that user.
group=()
[ "$(id -u)" = 0 ] && getent group www-data >/dev/null && group=(--socket-group www-data)
"$bin/credit-fcgi" --socket "$socket" --socket-mode 0660 "${group[@]}" & pids+=($!)
"$bin/credit-worker" & pids+=($!)
for _ in $(seq 50); do [ -S "$socket" ] && break; sleep 0.1; done
nginx -p "$run" -c "$conf" & pids+=($!)
sleep 0.5
echo "credit scoring on http://127.0.0.1:$port/  (API at /api/, Ctrl-C to stop)"
wait -n "${pids[@]}" || true
