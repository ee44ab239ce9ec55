#!/usr/bin/env bash
# Installs the Debian packages the build, `make run` and `make test` need, when run as root and
# something is missing. Prints what to install otherwise.
set -euo pipefail
packages=(libfcgi-dev libfcgi-bin libsqlite3-dev sqlite3 libssl-dev libpq-dev zlib1g-dev pkg-config nginx-light spawn-fcgi python3 python3-venv make)
[ "${WITH_BENCH:-0}" = 1 ] && packages+=(wrk)
[ "${WITH_BROWSER:-0}" = 1 ] && packages+=(chromium chromium-driver poppler-utils)
[ "${WITH_APACHE:-0}" = 1 ] && packages+=(apache2 libapache2-mod-fcgid systemd curl)
[ "${WITH_POSTGRES:-0}" = 1 ] && packages+=(postgresql)
[ "${WITH_METRICS:-0}" = 1 ] && packages+=(prometheus)  # promtool checks /api/metrics; its server is never started
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
# The packages' own services (nginx, apache2) must not start on the system's ports: the project
# runs private instances. Debian's policy-rc.d hook refuses service starts while it exists.
guard=
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d && guard=1
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
[ -n "$guard" ] && rm -f /usr/sbin/policy-rc.d
exit 0
