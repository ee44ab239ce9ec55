#!/usr/bin/env bash
# Installs the Debian packages the build, `make run` and `make test` need, when run as root and
# something is missing. Prints what to install otherwise.
set -euo pipefail
packages=(libfcgi-dev libfcgi-bin libsqlite3-dev sqlite3 libssl-dev pkg-config nginx-light spawn-fcgi python3 python3-venv make)
[ "${WITH_BENCH:-0}" = 1 ] && packages+=(wrk)
[ "${WITH_BROWSER:-0}" = 1 ] && packages+=(chromium chromium-driver)
missing=()
for package in "${packages[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "missing Debian packages: ${missing[*]}; install them (sudo apt-get install ${missing[*]})" >&2
  exit 1
fi
echo "installing ${missing[*]}" >&2
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
