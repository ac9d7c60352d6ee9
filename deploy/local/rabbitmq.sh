#!/usr/bin/env bash
# Starts (or stops) a RabbitMQ for this checkout and writes its connection settings to .data/env.
#   deploy/local/rabbitmq.sh start|stop
# When ConnectionStrings__RabbitMq is already set, that broker is used and nothing is started.
# With a Docker engine, RabbitMQ runs from deploy/docker-compose.yml; otherwise it is the
# distribution's RabbitMQ run as a local process (node pt@localhost, management plugin on),
# its data and logs under .data/rabbitmq (git-ignored), listening on 127.0.0.1 only.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PORT="${PT_RABBITMQ_PORT:-5672}"
MGMT_PORT="${PT_RABBITMQ_MGMT_PORT:-15672}"
NODE="pt@localhost"
[ "$PORT" = 5672 ] || NODE="pt-$PORT@localhost"   # so nodes on other ports (other checkouts) can coexist
DATA="$ROOT/.data/rabbitmq"
ENV_FILE="$ROOT/.data/env"
RMQ_BIN=/usr/lib/rabbitmq/bin   # the real scripts, not Debian's /usr/sbin wrappers (they force the system node's cookie)
mkdir -p "$ROOT/.data"

write_env() {
  local cs="$1" mgmt="$2"
  # Keep whatever other entries (PostgreSQL...) the env file has.
  touch "$ENV_FILE"
  grep -v -e '^export ConnectionStrings__RabbitMq=' -e '^export RabbitMq__ManagementUrl=' "$ENV_FILE" > "$ENV_FILE.tmp" || true
  echo "export ConnectionStrings__RabbitMq='$cs'" >> "$ENV_FILE.tmp"
  echo "export RabbitMq__ManagementUrl='$mgmt'" >> "$ENV_FILE.tmp"
  mv "$ENV_FILE.tmp" "$ENV_FILE"
}

docker_answers() { command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; }

amqp_open() { (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; }
mgmt_ready() { curl -fsu guest:guest -o /dev/null "http://127.0.0.1:$MGMT_PORT/api/overview" 2>/dev/null; }

# RabbitMQ would run as root, but like PostgreSQL it runs as its own user (the package's 'rabbitmq').
# HOME points into our data directory, so the Erlang cookie is ours, not the system node's.
RUN_AS=()
[ "$(id -u)" = 0 ] && RUN_AS=(runuser -u rabbitmq --)
as_rmq() { "${RUN_AS[@]}" env HOME="$DATA" "$@"; }

resolve_data() {
  if [ "$(id -u)" = 0 ] && id rabbitmq >/dev/null 2>&1 && ! runuser -u rabbitmq -- test -x "$ROOT/.data"; then
    # The checkout is not reachable by the rabbitmq user (e.g. under /root): keep the data in /tmp.
    DATA="/tmp/production-tests-rabbitmq-$(echo "$ROOT" | sha1sum | cut -c1-8)"
  fi
  export RABBITMQ_NODENAME="$NODE"
  export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT="$PORT"
  export RABBITMQ_DIST_PORT=$((PORT + 20000))   # Erlang distribution (rabbitmqctl), 25672 by default
  export RABBITMQ_CONF_ENV_FILE="$DATA/rabbitmq-env.conf"   # not /etc/rabbitmq/rabbitmq-env.conf
  export RABBITMQ_CONFIG_FILE="$DATA/rabbitmq.conf"
  export RABBITMQ_ADVANCED_CONFIG_FILE="$DATA/advanced.config"
  export RABBITMQ_ENABLED_PLUGINS_FILE="$DATA/enabled_plugins"
  export RABBITMQ_MNESIA_BASE="$DATA/mnesia"
  export RABBITMQ_LOG_BASE="$DATA/log"
  export RABBITMQ_PID_FILE="$DATA/$NODE.pid"
  export ERL_EPMD_ADDRESS=127.0.0.1   # only matters when our node is the one that starts epmd
  PID_FILE="$RABBITMQ_PID_FILE"
  SERVER_LOG="$DATA/log/$NODE.stdout.log"
}

node_running() { [ -s "$PID_FILE" ] && grep -qs beam "/proc/$(cat "$PID_FILE")/comm"; }

install_package() {
  echo "RabbitMQ is not installed; installing Debian's rabbitmq-server package..." >&2
  # The package starts its own system node (rabbit@host, port 5672) unless policy-rc.d forbids it.
  local policy=/usr/sbin/policy-rc.d added=""
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod +x "$policy" && added=1
  fi
  local status=0
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq rabbitmq-server >/dev/null; } || status=$?
  [ -n "$added" ] && rm -f "$policy"
  [ "$status" = 0 ] || return "$status"
  # Should the system node have started anyway (an existing policy-rc.d allowed it), stop it:
  # it would hold port 5672. (The wrapper in /usr/sbin talks to it with the system cookie.)
  if (exec 3<>/dev/tcp/127.0.0.1/5672) 2>/dev/null; then
    /usr/sbin/rabbitmqctl -q stop >/dev/null 2>&1 || true
  fi
}

start_local() {
  if [ ! -x "$RMQ_BIN/rabbitmq-server" ]; then install_package; fi
  resolve_data
  if node_running; then return; fi
  if amqp_open; then
    echo "Port $PORT is taken by another process (the system rabbitmq-server? stop it with 'rabbitmqctl stop'," >&2
    echo "or choose another port with PT_RABBITMQ_PORT)." >&2
    exit 1
  fi
  mkdir -p "$DATA/mnesia" "$DATA/log"
  echo '[rabbitmq_management].' > "$DATA/enabled_plugins"
  cat > "$DATA/rabbitmq.conf" <<CONF
listeners.tcp.default = 127.0.0.1:$PORT
management.tcp.ip = 127.0.0.1
management.tcp.port = $MGMT_PORT
distribution.listener.interface = 127.0.0.1
loopback_users.guest = true
log.console = false
CONF
  [ "$(id -u)" = 0 ] && chown -R rabbitmq: "$DATA"
  # In its own session, detached from this shell: it keeps running after the script exits.
  rm -f "$PID_FILE"
  local launcher waited=0
  launcher="$(cd "$DATA" && { setsid nohup "${RUN_AS[@]}" env HOME="$DATA" "$RMQ_BIN/rabbitmq-server" >"$SERVER_LOG" 2>&1 </dev/null & echo $!; })"
  until [ -s "$PID_FILE" ]; do
    if ! kill -0 "$launcher" 2>/dev/null || [ "$waited" -ge 300 ]; then
      echo "RabbitMQ did not start; see $SERVER_LOG and $DATA/log:" >&2; grep -m3 -i error "$SERVER_LOG" >&2 || tail -5 "$SERVER_LOG" >&2
      exit 1
    fi
    sleep 0.2; waited=$((waited + 1))
  done
}

case "${1:-start}" in
  start)
    if [ -n "${ConnectionStrings__RabbitMq:-}" ]; then
      write_env "$ConnectionStrings__RabbitMq" "${RabbitMq__ManagementUrl:-http://127.0.0.1:$MGMT_PORT/}"
      exit 0
    fi
    if docker_answers; then
      docker compose -f "$ROOT/deploy/docker-compose.yml" up -d --wait rabbitmq >/dev/null
      PID_FILE=""
    else
      start_local
    fi
    # Ready when both the AMQP listener and the management API answer (max ~60 s).
    for i in $(seq 1 300); do
      if amqp_open && mgmt_ready; then break; fi
      if [ -n "$PID_FILE" ] && ! node_running; then
        echo "RabbitMQ exited; see $SERVER_LOG and $DATA/log:" >&2; tail -30 "$SERVER_LOG" >&2; exit 1
      fi
      if [ "$i" = 300 ]; then echo "RabbitMQ is not ready after 60 s; see $DATA/log" >&2; exit 1; fi
      sleep 0.2
    done
    write_env "amqp://guest:guest@127.0.0.1:$PORT/" "http://127.0.0.1:$MGMT_PORT/"
    ;;
  stop)
    if docker_answers; then
      docker compose -f "$ROOT/deploy/docker-compose.yml" stop rabbitmq >/dev/null
    elif [ -x "$RMQ_BIN/rabbitmqctl" ]; then
      resolve_data
      if node_running; then
        # With the pid file, 'stop' returns once the Erlang VM has exited.
        (cd "$DATA" && as_rmq "$RMQ_BIN/rabbitmqctl" -q -n "$NODE" stop "$PID_FILE" >/dev/null 2>&1) \
          || kill -TERM "$(cat "$PID_FILE")" 2>/dev/null || true   # SIGTERM is a graceful shutdown too
        for _ in $(seq 1 150); do node_running || break; sleep 0.2; done
        if node_running; then echo "RabbitMQ (pid $(cat "$PID_FILE")) is still running after 30 s" >&2; exit 1; fi
      fi
    fi
    ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
