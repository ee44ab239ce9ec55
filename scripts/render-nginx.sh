#!/usr/bin/env bash
# Renders nginx/nginx-dev.conf, nginx/credit.conf and nginx/credit-locations.conf into RUN_DIR
# with real paths. Usage: scripts/render-nginx.sh RUN_DIR LISTEN SOCKET
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
run=$(mkdir -p "$1" && cd "$1" && pwd)
listen=$2
socket=$3
mkdir -p "$run/nginx-tmp"
render() {
  sed -e "s|__SITE_ROOT__|$root/site|g" -e "s|__PROJECT_ROOT__|$root|g" -e "s|__ERRORS_ROOT__|$root/nginx|g" \
      -e "s|__SOCKET__|$socket|g" -e "s|__LISTEN__|$listen|g" -e "s|__RUN__|$run|g" \
      -e "s|__LOCATIONS__|$run/credit-locations.conf|g" "$1" > "$2"
}
render "$root/nginx/credit-locations.conf" "$run/credit-locations.conf"
render "$root/nginx/credit.conf" "$run/credit.conf"
render "$root/nginx/nginx-dev.conf" "$run/nginx.conf"
echo "$run/nginx.conf"
