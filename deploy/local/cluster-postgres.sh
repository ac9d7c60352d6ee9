#!/usr/bin/env bash
# PostgreSQL with automatic failover for deploy/cluster.sh: Debian's pg_auto_failover (package
# postgresql-15-auto-failover, pg_autoctl): a monitor and two data nodes (primary + synchronous standby),
# each run by its own `pg_autoctl run` (which supervises its postgres), data under .data/cluster/pg/.
#   deploy/local/cluster-postgres.sh start|stop|status|kill NODE|primary
# Ports: PT_CLUSTER_PG_PORT (monitor, default 60000), then +1 and +2 for node1 and node2.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BASE="${PT_CLUSTER_PG_PORT:-60000}"
DIR="$ROOT/.data/cluster/pg"
HOST_NET="${PT_CLUSTER_NET:-10.231.0}"   # the API instance in a network namespace reaches us from $HOST_NET.2
MONITOR_URI="postgres://autoctl_node@127.0.0.1:$BASE/pg_auto_failover?sslmode=disable"
PGBIN=/usr/lib/postgresql/15/bin
source "$ROOT/deploy/local/cluster-lib.sh"

# pg_autoctl refuses root, like PostgreSQL: it runs as 'postgres', with its config, state and run files
# (XDG_*) under our data directory instead of that user's home.
PG_ENV=(env HOME="$DIR/home" XDG_CONFIG_HOME="$DIR/home/config" XDG_DATA_HOME="$DIR/home/data" XDG_RUNTIME_DIR="$DIR/home/run" PATH="$PGBIN:$PATH")
PG_USER=()
[ "$(id -u)" = 0 ] && PG_USER=(setpriv --reuid postgres --regid postgres --init-groups)
as_pg() { "${PG_USER[@]}" "${PG_ENV[@]}" "$@"; }

install() {
  if ! command -v pg_autoctl >/dev/null 2>&1 || [ ! -x "$PGBIN/postgres" ]; then
    echo "pg_auto_failover is not installed; installing Debian's postgresql-15-auto-failover..." >&2
    # policy-rc.d keeps the package from starting the system cluster (15/main on 5432) it may create.
    local policy=/usr/sbin/policy-rc.d added="" status=0
    if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && added=1; fi
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 postgresql-15-auto-failover pg-auto-failover-cli >/dev/null; } || status=$?
    [ -n "$added" ] && rm -f "$policy"
    [ "$status" = 0 ] || exit "$status"
  fi
}

port_of() { case "$1" in monitor) echo "$BASE" ;; node1) echo $((BASE + 1)) ;; node2) echo $((BASE + 2)) ;; esac; }
pidfile() { echo "$DIR/$1.pid"; }
running() { alive "$(pidfile "$1")"; }
ready() { "$PGBIN/pg_isready" -h 127.0.0.1 -p "$(port_of "$1")" -q; }

# `pg_autoctl run` in a session of its own (so a crash can take the whole node: keeper and postgres).
run_node() {
  local node="$1"
  running "$node" && return 0
  (cd "$DIR" && launch "$(pidfile "$node")" "$DIR/$node.log" "${PG_USER[@]}" "${PG_ENV[@]}" pg_autoctl run --pgdata "$DIR/$node")
}

wait_ready() {
  local node="$1"
  # 300 s: a node's first start runs initdb and (the monitor) installs its extensions; a clean-clone CI run took 61 s,
  # and one on a loaded machine (2026-11-29) 170 s: node2 stayed "catchingup", not accepting connections, for 166 s after
  # the monitor's first health check found it still starting and marked it unhealthy.
  local deadline=$((SECONDS + 300))
  while [ "$SECONDS" -lt "$deadline" ]; do ready "$node" && return 0; sleep 0.2; done
  echo "$node (port $(port_of "$node")) is not ready after 300 s; see $DIR/$node.log" >&2; tail -20 "$DIR/$node.log" >&2; exit 1
}

# Settings of ours for a data node: reachable from the namespace, room for two API instances' pools.
tune_node() {
  local node="$1" data="$DIR/$1"
  grep -q "$HOST_NET.0/24" "$data/pg_hba.conf" || {
    echo "host all all $HOST_NET.0/24 trust" >>"$data/pg_hba.conf"
    echo "host replication all $HOST_NET.0/24 trust" >>"$data/pg_hba.conf"
  }
  grep -q '^# production-tests cluster' "$data/postgresql.conf" || cat >>"$data/postgresql.conf" <<CONF
# production-tests cluster
max_connections = 300
shared_buffers = 128MB
CONF
}

create_monitor() {
  [ -s "$DIR/monitor/PG_VERSION" ] && return 0
  as_pg pg_autoctl create monitor --pgdata "$DIR/monitor" --pgport "$BASE" --hostname 127.0.0.1 --auth trust --no-ssl >>"$DIR/monitor.log" 2>&1 \
    || { tail -20 "$DIR/monitor.log" >&2; exit 1; }
}

# Failure detection of the monitor: the defaults (a node is unhealthy after 20 s without news and failed
# health checks) would spend most of the 30 s a create may wait; see docs/cluster.md for what this costs.
tune_monitor() {
  "$PGBIN/psql" -h 127.0.0.1 -p "$BASE" -U postgres -d pg_auto_failover -qAt >/dev/null <<SQL
ALTER SYSTEM SET pgautofailover.health_check_period = 1000;
ALTER SYSTEM SET pgautofailover.health_check_timeout = 1000;
ALTER SYSTEM SET pgautofailover.health_check_max_retries = 1;
ALTER SYSTEM SET pgautofailover.health_check_retry_delay = 500;
ALTER SYSTEM SET pgautofailover.node_considered_unhealthy_timeout = 4000;
-- After promoting the standby the monitor waits this long for the old primary to have demoted itself (it does
-- so after its keeper's network_partition_timeout, see tune_keeper) before the new primary stops waiting for a
-- synchronous standby; the default 30 s made writes hang for 30 s after a primary's crash.
ALTER SYSTEM SET pgautofailover.primary_demote_timeout = 6000;
SELECT pg_reload_conf();
SQL
}

# The keeper's side of the demote timeout: a primary that can reach neither the monitor nor its standby for 3 s
# (default 20) demotes itself, so the monitor may promote after 6 s without two primaries; the cost is that a
# 3 s network hiccup on the primary's side costs a demotion (docs/cluster.md).
tune_keeper() {
  local node="$1"
  as_pg pg_autoctl config set --pgdata "$DIR/$node" timeout.network_partition_timeout 3 >/dev/null
  as_pg pg_autoctl config set --pgdata "$DIR/$node" timeout.prepare_promotion_walreceiver 2 >/dev/null
}

create_node() {
  local node="$1"
  [ -s "$DIR/$node/PG_VERSION" ] && return 0
  as_pg pg_autoctl create postgres --pgdata "$DIR/$node" --pgport "$(port_of "$node")" --hostname 127.0.0.1 --name "$node" \
    --auth trust --no-ssl --dbname production_tests --monitor "$MONITOR_URI" >>"$DIR/$node.log" 2>&1 \
    || { tail -20 "$DIR/$node.log" >&2; exit 1; }
  tune_node "$node"
}

# The node the monitor names primary (or wait_primary/single), e.g. "node1 60001".
primary() {
  "$PGBIN/psql" -h 127.0.0.1 -p "$BASE" -U postgres -d pg_auto_failover -qAt -F ' ' \
    -c "SELECT nodename, nodeport FROM pgautofailover.node WHERE reportedstate IN ('primary','wait_primary','single') AND goalstate IN ('primary','wait_primary','single') ORDER BY nodeid LIMIT 1" 2>/dev/null
}

# Waits until the monitor sees one primary and (when both nodes exist) a secondary.
wait_formation() {
  for _ in $(seq 1 600); do
    local states
    states="$("$PGBIN/psql" -h 127.0.0.1 -p "$BASE" -U postgres -d pg_auto_failover -qAt -c "SELECT string_agg(reportedstate || '/' || goalstate, ' ' ORDER BY nodeid) FROM pgautofailover.node" 2>/dev/null || true)"
    case " $states " in *" primary/primary "*) case "$states" in *" secondary/secondary"* | "secondary/secondary"*) return 0 ;; esac ;; esac
    sleep 0.2
  done
  echo "pg_auto_failover did not reach primary + secondary after 120 s (states: $states); see $DIR/*.log" >&2; exit 1
}

start() {
  install
  mkdir -p "$DIR/home/config" "$DIR/home/data" "$DIR/home/run"
  [ "$(id -u)" = 0 ] && chown -R postgres: "$DIR"
  create_monitor; run_node monitor; wait_ready monitor; tune_monitor
  for node in node1 node2; do
    if [ -s "$DIR/$node/PG_VERSION" ]; then tune_keeper "$node"; run_node "$node"; continue; fi
    # A new data node is created by `pg_autoctl create` and then run; node2 clones node1 (pg_basebackup).
    create_node "$node"; tune_keeper "$node"; run_node "$node"; wait_ready "$node"
  done
  wait_ready node1; wait_ready node2
  wait_formation
}

# Revive: run every node whose pg_autoctl is not running (after a crash), without waiting for the formation.
revive() { for node in monitor node1 node2; do [ -s "$DIR/$node/PG_VERSION" ] && run_node "$node"; done; return 0; }

stop() {
  for node in node2 node1 monitor; do
    running "$node" || continue
    as_pg pg_autoctl stop --pgdata "$DIR/$node" >/dev/null 2>&1 || kill -TERM "$(cat "$(pidfile "$node")")" 2>/dev/null || true
    for _ in $(seq 1 150); do running "$node" || break; sleep 0.2; done
    if running "$node"; then kill_session "$(pidfile "$node")"; fi
    # postgres itself may outlive its keeper for a moment
    [ -s "$DIR/$node/postmaster.pid" ] && as_pg "$PGBIN/pg_ctl" -D "$DIR/$node" status >/dev/null 2>&1 && as_pg "$PGBIN/pg_ctl" -D "$DIR/$node" -m fast -w stop >/dev/null 2>&1 || true
    rm -f "$(pidfile "$node")"
  done
}

# SIGKILL of a whole node: its pg_autoctl session (keeper and postgres), as if the machine died.
kill_node() {
  local node="$1"
  [ "$node" = primary ] && node="$(primary | cut -d' ' -f1)"
  [ -n "$node" ] && running "$node" || { echo "$1 is not running" >&2; exit 1; }
  kill_session "$(pidfile "$node")"
  echo "$node"
}

status() {
  for node in monitor node1 node2; do
    printf '  %-9s port %s  %s\n' "pg-$node" "$(port_of "$node")" "$(running "$node" && echo "running (pid $(cat "$(pidfile "$node")"))" || echo stopped)"
  done
  "$PGBIN/psql" -h 127.0.0.1 -p "$BASE" -U postgres -d pg_auto_failover -qAt -F ' ' \
    -c "SELECT '    ' || nodename || ' :' || nodeport || ' ' || reportedstate || ' -> ' || goalstate FROM pgautofailover.node ORDER BY nodeid" 2>/dev/null || true
}

case "${1:-}" in
  start) start ;;
  revive) revive ;;
  stop) stop ;;
  status) status ;;
  primary) primary ;;
  kill) kill_node "${2:?node1, node2, monitor or primary}" ;;
  *) echo "usage: $0 start|revive|stop|status|primary|kill NODE" >&2; exit 2 ;;
esac
