#!/usr/bin/env bash
# Starts (or stops) a PostgreSQL for this checkout and writes its connection string to .data/env.
#   deploy/local/postgres.sh start|stop
# When ConnectionStrings__Postgres is already set, that server is used and nothing is started.
# With a Docker engine, PostgreSQL runs from deploy/docker-compose.yml; otherwise it is the
# distribution's PostgreSQL run as a local process, its data under .data/postgres (git-ignored).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PORT="${PT_POSTGRES_PORT:-55432}"
DATA="$ROOT/.data/postgres"
ENV_FILE="$ROOT/.data/env"
mkdir -p "$ROOT/.data"

write_env() {
  local cs="$1"
  # Keep whatever other entries (RabbitMQ...) the env file has.
  touch "$ENV_FILE"
  grep -v '^export ConnectionStrings__Postgres=' "$ENV_FILE" > "$ENV_FILE.tmp" || true
  echo "export ConnectionStrings__Postgres='$cs'" >> "$ENV_FILE.tmp"
  mv "$ENV_FILE.tmp" "$ENV_FILE"
}

docker_answers() { command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; }

find_bin() {
  local name="$1"
  if command -v "$name" >/dev/null 2>&1; then command -v "$name"; return; fi
  ls /usr/lib/postgresql/*/bin/"$name" 2>/dev/null | sort -V | tail -1
}

# PostgreSQL refuses to run as root: run its programs as the 'postgres' user then.
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

start_local() {
  local initdb pg_ctl
  initdb="$(find_bin initdb)"
  if [ -z "$initdb" ]; then
    echo "PostgreSQL is not installed; installing Debian's postgresql package..." >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    initdb="$(find_bin initdb)"
  fi
  pg_ctl="$(find_bin pg_ctl)"
  if [ "$(id -u)" = 0 ] && ! runuser -u postgres -- test -x "$ROOT/.data"; then
    # The checkout is not reachable by the postgres user (e.g. under /root): keep the data in /tmp.
    DATA="/tmp/production-tests-postgres-$(echo "$ROOT" | sha1sum | cut -c1-8)"
  fi
  if [ ! -s "$DATA/PG_VERSION" ]; then
    mkdir -p "$DATA"
    [ "$(id -u)" = 0 ] && chown postgres: "$DATA"
    as_pg "$initdb" -D "$DATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
    cat >> "$DATA/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$DATA'
shared_buffers = 256MB
CONF
  fi
  if ! as_pg "$pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
    # pg_stat_statements: which statements take the server's time (README, Performance). max_connections on the
    # command line, so it also reaches a data directory made before: the integration suite's parallel test classes
    # each run requests-api instances with three pools (store, writers, list) and passed 200 (53300 "too many clients").
    as_pg "$pg_ctl" -D "$DATA" -l "$DATA/server.log" -o "-c shared_preload_libraries=pg_stat_statements -c max_connections=500" -w -t 60 start >/dev/null
  fi
}

case "${1:-start}" in
  start)
    if [ -n "${ConnectionStrings__Postgres:-}" ]; then
      write_env "$ConnectionStrings__Postgres"
      exit 0
    fi
    if docker_answers; then
      docker compose -f "$ROOT/deploy/docker-compose.yml" up -d --wait postgres >/dev/null
    else
      start_local
    fi
    until pg_isready -h 127.0.0.1 -p "$PORT" -q; do sleep 0.2; done
    write_env "Host=127.0.0.1;Port=$PORT;Username=postgres;Password=postgres;Database=production_tests"
    psql -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'production_tests'" | grep -q 1 \
      || psql -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -qc "CREATE DATABASE production_tests" >/dev/null
    ;;
  stop)
    if docker_answers; then
      docker compose -f "$ROOT/deploy/docker-compose.yml" stop postgres >/dev/null
    elif [ -s "$DATA/PG_VERSION" ]; then
      # Nothing running is fine; a server that does not stop is a failure (the fault suite relies on it).
      if as_pg "$(find_bin pg_ctl)" -D "$DATA" status >/dev/null 2>&1; then
        as_pg "$(find_bin pg_ctl)" -D "$DATA" -m fast -w -t 60 stop >/dev/null
      fi
    fi
    ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
