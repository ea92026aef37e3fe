#!/usr/bin/env bash
# What `make test` needs beyond the virtualenv and the tools `make tools` builds: checked at
# once, so a fresh machine learns everything it lacks in one message, not a failure 13 minutes
# in. Prints every missing prerequisite and the Debian command that installs them; exit 1.
set -u

missing=()
packages=()
need() {  # need NAME DEBIAN-PACKAGE TEST-COMMAND...
  local name=$1 package=$2
  shift 2
  if ! "$@" >/dev/null 2>&1; then
    missing+=("$name")
    [ -n "$package" ] && packages+=("$package")
  fi
}
has() { command -v "$1"; }
postgres_server() { has initdb || ls /usr/lib/postgresql/*/bin/initdb; }
nginx_binary() { has nginx || [ -x /usr/sbin/nginx ]; }

need git git has git
need make make has make
need "a C compiler (go test -race)" "gcc libc6-dev" has gcc
need "PostgreSQL server binaries" postgresql postgres_server
need shellcheck shellcheck has shellcheck
need nginx nginx nginx_binary
need chromium chromium has chromium
need "the NGINX Prometheus exporter" prometheus-nginx-exporter has prometheus-nginx-exporter
need "redis-server (services with cache: redis)" redis-server has redis-server
need "openssl (keys of the test Kubernetes API server)" openssl has openssl
need "Go (https://go.dev/dl/)" "" has go
need "Node.js with npm (https://nodejs.org/)" "" has npm

if [ ${#missing[@]} -gt 0 ]; then
  list=$(printf '%s, ' "${missing[@]}")
  echo "make test needs what this machine lacks: ${list%, }." >&2
  if [ ${#packages[@]} -gt 0 ]; then
    echo "On Debian or Ubuntu: sudo apt-get install ${packages[*]}" >&2
  fi
  exit 1
fi
