#!/usr/bin/env bash
# Three clustered RabbitMQ nodes for deploy/cluster.sh (Debian's rabbitmq-server, classic-config peer
# discovery), each with its own node name (rabbit-c1@localhost ...), ports and data dir under
# .data/cluster/rabbitmq/, one Erlang cookie of their own (HOME there), management plugin on.
#   deploy/local/cluster-rabbitmq.sh start|revive|stop|status|kill NODE|leader QUEUE
# Ports: PT_CLUSTER_RABBITMQ_PORT (default 5701) +0/+1/+2 for AMQP, +10000 management, +20000 distribution.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
source "$ROOT/deploy/local/cluster-lib.sh"
BASE="${PT_CLUSTER_RABBITMQ_PORT:-5701}"
HOST_NET="${PT_CLUSTER_NET:-10.231.0}"
DIR="$ROOT/.data/cluster/rabbitmq"
RMQ_BIN=/usr/lib/rabbitmq/bin   # the real scripts, not Debian's /usr/sbin wrappers (they force the system node's cookie)
NODES=(c1 c2 c3)

port_of() { echo $((BASE + ${1#c} - 1)); }
node_name() { echo "rabbit-$1@localhost"; }
pidfile() { echo "$DIR/$1.pid"; }
running() { alive "$(pidfile "$1")"; }
amqp_open() { (exec 3<>"/dev/tcp/127.0.0.1/$(port_of "$1")") 2>/dev/null; }
mgmt() { curl -fsu guest:guest "http://127.0.0.1:$(( $(port_of "$1") + 10000 ))/api/$2" 2>/dev/null; }

RMQ_USER=()
[ "$(id -u)" = 0 ] && RMQ_USER=(setpriv --reuid rabbitmq --regid rabbitmq --init-groups)

install() {
  [ -x "$RMQ_BIN/rabbitmq-server" ] && return 0
  echo "RabbitMQ is not installed; installing Debian's rabbitmq-server package..." >&2
  # The package would start its own system node on 5672 unless policy-rc.d forbids it.
  local policy=/usr/sbin/policy-rc.d added=""
  if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && added=1; fi
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq rabbitmq-server >/dev/null || { [ -n "$added" ] && rm -f "$policy"; exit 1; }
  [ -n "$added" ] && rm -f "$policy"
  return 0
}

# The node's environment: everything under its own directory, nothing from /etc/rabbitmq.
node_env() {
  local node="$1" port; port="$(port_of "$1")"
  local d="$DIR/$node"
  echo HOME="$DIR" RABBITMQ_NODENAME="$(node_name "$node")" RABBITMQ_NODE_PORT="$port" RABBITMQ_DIST_PORT=$((port + 20000)) \
    RABBITMQ_CONF_ENV_FILE="$d/rabbitmq-env.conf" RABBITMQ_CONFIG_FILE="$d/rabbitmq.conf" RABBITMQ_ADVANCED_CONFIG_FILE="$d/advanced.config" \
    RABBITMQ_ENABLED_PLUGINS_FILE="$d/enabled_plugins" RABBITMQ_MNESIA_BASE="$d/mnesia" RABBITMQ_LOG_BASE="$d/log" \
    RABBITMQ_PID_FILE="$d/beam.pid" ERL_EPMD_ADDRESS=127.0.0.1
}

configure() {
  local node="$1" port d; port="$(port_of "$1")"; d="$DIR/$node"
  mkdir -p "$d/mnesia" "$d/log"
  echo '[rabbitmq_management].' >"$d/enabled_plugins"
  # The API instance in the network namespace reaches the brokers at $HOST_NET.1, so guest may come from there.
  cat >"$d/rabbitmq.conf" <<CONF
listeners.tcp.1 = 127.0.0.1:$port
listeners.tcp.2 = $HOST_NET.1:$port
management.tcp.ip = 127.0.0.1
management.tcp.port = $((port + 10000))
distribution.listener.interface = 127.0.0.1
loopback_users = none
log.console = false
cluster_partition_handling = pause_minority
cluster_formation.peer_discovery_backend = classic_config
cluster_formation.classic_config.nodes.1 = $(node_name c1)
cluster_formation.classic_config.nodes.2 = $(node_name c2)
cluster_formation.classic_config.nodes.3 = $(node_name c3)
CONF
}

run_node() {
  local node="$1"
  running "$node" && return 0
  configure "$node"
  [ "$(id -u)" = 0 ] && chown -R rabbitmq: "$DIR"
  # shellcheck disable=SC2046
  (cd "$DIR" && launch "$(pidfile "$node")" "$DIR/$node/log/stdout.log" "${RMQ_USER[@]}" env $(node_env "$node") "$RMQ_BIN/rabbitmq-server")
}

wait_ready() {
  local node="$1"
  for _ in $(seq 1 600); do
    amqp_open "$node" && mgmt "$node" overview >/dev/null && return 0
    running "$node" || { echo "RabbitMQ $node exited; see $DIR/$node/log" >&2; tail -20 "$DIR/$node/log/stdout.log" >&2; exit 1; }
    sleep 0.2
  done
  echo "RabbitMQ $node is not ready after 120 s; see $DIR/$node/log" >&2; exit 1
}

start() {
  install
  mkdir -p "$DIR"
  [ -s "$DIR/.erlang.cookie" ] || { head -c 32 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 32 >"$DIR/.erlang.cookie"; chmod 400 "$DIR/.erlang.cookie"; }
  if [ -d "$DIR/c1/mnesia" ]; then
    # An existing cluster: every node waits at boot for the peers it last saw, so start them together.
    for node in "${NODES[@]}"; do run_node "$node"; done
    for node in "${NODES[@]}"; do wait_ready "$node"; done
  else
    # A new cluster: c1 forms it, then the others find it through classic config and join (together: c1 is up).
    run_node c1; wait_ready c1
    run_node c2; run_node c3; wait_ready c2; wait_ready c3
  fi
  local members
  members="$(mgmt c1 nodes | grep -o '"running":true' | wc -l)"
  [ "$members" = 3 ] || { echo "RabbitMQ: $members of 3 nodes running in the cluster; see $DIR/*/log" >&2; exit 1; }
}

revive() { for node in "${NODES[@]}"; do [ -d "$DIR/$node/mnesia" ] && run_node "$node"; done; return 0; }

stop() {
  for node in c3 c2 c1; do
    running "$node" || continue
    # shellcheck disable=SC2046
    (cd "$DIR" && "${RMQ_USER[@]}" env $(node_env "$node") "$RMQ_BIN/rabbitmqctl" -q -n "$(node_name "$node")" stop >/dev/null 2>&1) \
      || kill -TERM "$(cat "$(pidfile "$node")")" 2>/dev/null || true
    for _ in $(seq 1 150); do running "$node" || break; sleep 0.2; done
    running "$node" && kill_session "$(pidfile "$node")"
    rm -f "$(pidfile "$node")"
  done
}

# The node that leads a quorum queue (e.g. c2), from the management API of any running node.
leader() {
  local queue="$1" vhost="${2:-%2F}" node
  for node in "${NODES[@]}"; do
    running "$node" || continue
    mgmt "$node" "queues/$vhost/$queue" | grep -o '"leader":"rabbit-c[0-9]@' | sed 's/.*rabbit-\(c[0-9]\)@/\1/' && return 0
  done
  return 1
}

# SIGKILL of a node's Erlang VM (and its session: epmd is not in it; it belongs to whoever started it first).
kill_node() {
  local node="$1"
  running "$node" || { echo "RabbitMQ $node is not running" >&2; exit 1; }
  kill_session "$(pidfile "$node")"
  echo "$node"
}

status() {
  for node in "${NODES[@]}"; do
    printf '  %-11s amqp %s  mgmt %s  %s\n' "rabbit-$node" "$(port_of "$node")" $(( $(port_of "$node") + 10000 )) "$(running "$node" && echo "running (pid $(cat "$(pidfile "$node")"))" || echo stopped)"
  done
}

case "${1:-}" in
  start) start ;;
  revive) revive ;;
  stop) stop ;;
  status) status ;;
  leader) leader "${2:?queue name}" "${3:-%2F}" ;;
  kill) kill_node "${2:?c1, c2 or c3}" ;;
  *) echo "usage: $0 start|revive|stop|status|leader QUEUE [VHOST]|kill NODE" >&2; exit 2 ;;
esac
