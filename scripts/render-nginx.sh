#!/usr/bin/env bash
# Renders a private nginx configuration into RUN_DIR for `make run` and the integration tests:
# nginx/nginx-dev.conf (its own pid file, logs and temp folders) around the server block that
# `credit setup nginx --server` writes. Usage: scripts/render-nginx.sh RUN_DIR LISTEN SOCKET[,SOCKET...] [PREFIX]
# (several sockets: an upstream of responders)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
run=$(mkdir -p "$1" && cd "$1" && pwd)
listen=$2
sockets=()
IFS=, read -ra list <<<"$3"
for socket in "${list[@]}"; do sockets+=(--socket "$socket"); done
prefix=${4:-/}
mkdir -p "$run/nginx-tmp"
"$root/.build/release/credit" setup nginx --server --listen "$listen" --server-name localhost --prefix "$prefix" \
  "${sockets[@]}" --bundle "$root" --out "$run/nginx-server.conf"
user=""
[ "$(id -u)" = 0 ] && user="user www-data;"
sed -e "s|__RUN__|$run|g" -e "s|__USER__|$user|" "$root/nginx/nginx-dev.conf" > "$run/nginx.conf"
echo "$run/nginx.conf"
