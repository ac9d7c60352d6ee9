#!/usr/bin/env bash
# The whole system as a cluster on this machine, on real HA engines (docs/cluster.md):
#   PostgreSQL with automatic failover (pg_auto_failover: monitor + primary + synchronous standby),
#   RabbitMQ x3 clustered (quorum queues), tpas-stub, scheduler x2, requests-api x2 (the second in a
#   network namespace of its own), HAProxy in front of the two APIs (round robin, checked on readiness).
#   deploy/cluster.sh [start] [--no-build] [--no-dashboard]
#                               build, start whatever is not running (and the trace dashboard on 127.0.0.1:18088,
#                               every service exporting to it), print the URLs and a curl
#   deploy/cluster.sh stop      stop everything it started (by pid files), remove the namespace
#   deploy/cluster.sh status    what runs, PostgreSQL's states, the relay leader, HAProxy's view
#   deploy/cluster.sh revive    start again whatever is not running (after a crash), without building
#   deploy/cluster.sh wait-healthy   wait until every part runs again (the cluster fault suite, between faults)
#   deploy/cluster.sh kill WHAT SIGKILL of one part: api-1|api-2|scheduler-1|scheduler-2|rabbit-c1..c3|pg-primary|pg-node1|pg-node2
# Needs root (the namespace; apt-get installs haproxy, rabbitmq-server and postgresql-15-auto-failover when missing).
# Ports: PostgreSQL 60000-60002, RabbitMQ 5701-5703 (management 15701-15703), HAProxy 18080 (stats 18079),
# requests-api 18081/18082, tpas-stub 18090, scheduler 18091/18092. Data and logs: .data/cluster/.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/deploy/local/cluster-lib.sh"
DIR="$ROOT/.data/cluster"
RUN="$DIR/run"
NET="${PT_CLUSTER_NET:-10.231.0}"
NS="${PT_CLUSTER_NETNS:-ptc-api2}"
PG="${PT_CLUSTER_PG_PORT:-60000}"
RMQ="${PT_CLUSTER_RABBITMQ_PORT:-5701}"
LB_PORT=18080 STATS_PORT=18079 API1_PORT=18081 API2_PORT=18082 STUB_PORT=18090 SCHED1_PORT=18091 SCHED2_PORT=18092
# The trace dashboard (deploy/local/dashboard.sh): UI on 127.0.0.1 only, OTLP on the bridge so api-2 reaches it too.
DASHBOARD_ENV=(PT_DASHBOARD_PORT=18088 PT_DASHBOARD_OTLP_PORT=18089 PT_DASHBOARD_OTLP_HTTP_PORT=18087 PT_DASHBOARD_OTLP_HOST="$NET.1")
dashboard() { env "${DASHBOARD_ENV[@]}" "$ROOT/deploy/local/dashboard.sh" "$@"; }
mkdir -p "$RUN"

dll() { echo "$ROOT/services/$1/bin/Release/net10.0/$2.dll"; }
API_DLL="$(dll requests-api ProductionTests.RequestsApi)"
SCHED_DLL="$(dll scheduler ProductionTests.Scheduler)"
STUB_DLL="$(dll tpas-stub ProductionTests.TpasStub)"

# Connection strings as seen from the host ($1 = 127.0.0.1) or from the namespace ($1 = $NET.1).
postgres_cs() { echo "Host=$1:$((PG + 1)),$1:$((PG + 2));Target Session Attributes=primary;Username=postgres;Password=postgres;Database=production_tests;Application Name=$2"; }
rabbit_cs() { echo "amqp://guest:guest@$1:$RMQ,$1:$((RMQ + 1)),$1:$((RMQ + 2))/"; }

need_root() { [ "$(id -u)" = 0 ] || { echo "deploy/cluster.sh needs root (network namespace, the servers' own users)" >&2; exit 1; }; }

install_haproxy() {
  command -v haproxy >/dev/null 2>&1 && return 0
  echo "HAProxy is not installed; installing Debian's haproxy..." >&2
  local policy=/usr/sbin/policy-rc.d added=""
  if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && added=1; fi
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy >/dev/null || { [ -n "$added" ] && rm -f "$policy"; exit 1; }
  [ -n "$added" ] && rm -f "$policy"
  return 0
}

build() {
  echo "==> Building (Release)"
  for project in requests-api scheduler tpas-stub; do
    dotnet build "$ROOT/services/$project" -c Release -nologo -v q -clp:ErrorsOnly -p:WarningLevel=0 >"$DIR/build-$project.log" 2>&1 \
      || { cat "$DIR/build-$project.log"; exit 1; }
  done
}

schema() {
  echo "==> Schema and demo reference data"
  local cs; cs="$(postgres_cs 127.0.0.1 requests-api-setup)"
  (cd "$ROOT/services/requests-api" && ConnectionStrings__Postgres="$cs" ConnectionStrings__RabbitMq="$(rabbit_cs 127.0.0.1)" dotnet "$API_DLL" db-apply >"$DIR/db-apply.log" 2>&1) \
    || { cat "$DIR/db-apply.log"; exit 1; }
  (cd "$ROOT/services/requests-api" && ConnectionStrings__Postgres="$cs" ConnectionStrings__RabbitMq="$(rabbit_cs 127.0.0.1)" dotnet "$API_DLL" load-reference-data "$ROOT/deploy/demo-data.json" 2>&1 | tail -1)
}

# service NAME DIR DLL URLS [ENV=VALUE...]: one service instance, launched unless running; $PREFIX runs it in the namespace.
service() {
  local name="$1" dir="$2" dll="$3" urls="$4"; shift 4
  alive "$RUN/$name.pid" && return 0
  (cd "$ROOT/services/$dir" && launch "$RUN/$name.pid" "$DIR/$name.log" ${PREFIX:-} env ASPNETCORE_URLS="$urls" \
     Logging__LogLevel__Default=Warning Logging__LogLevel__ProductionTests=Information "$@" dotnet "$dll")
}

services() {
  local stub="http://$NET.1:$STUB_PORT/"
  # Settings the cluster fault suite passes through (PT_CLUSTER_SERVICE_ENV="RateLimit__Enabled=false ...").
  local extra; read -r -a extra <<<"${PT_CLUSTER_SERVICE_ENV:-}"
  [ -s "$RUN/dashboard" ] && extra+=(OTEL_EXPORTER_OTLP_ENDPOINT="$(cat "$RUN/dashboard")")
  service tpas-stub tpas-stub "$STUB_DLL" "http://127.0.0.1:$STUB_PORT;http://$NET.1:$STUB_PORT" "${extra[@]}"
  for i in 1 2; do
    local port=$((SCHED1_PORT + i - 1))
    service "scheduler-$i" scheduler "$SCHED_DLL" "http://127.0.0.1:$port" ConnectionStrings__RabbitMq="$(rabbit_cs 127.0.0.1)" Tpas__BaseUrl="$stub" "${extra[@]}"
  done
  service api-1 requests-api "$API_DLL" "http://127.0.0.1:$API1_PORT" ConnectionStrings__Postgres="$(postgres_cs 127.0.0.1 requests-api-1)" \
    ConnectionStrings__RabbitMq="$(rabbit_cs 127.0.0.1)" Tpas__BaseUrl="$stub" EventStore__ApplySchemaOnStartup=false "${extra[@]}"
  PREFIX="ip netns exec $NS" service api-2 requests-api "$API_DLL" "http://$NET.2:$API2_PORT" ConnectionStrings__Postgres="$(postgres_cs "$NET.1" requests-api-2)" \
    ConnectionStrings__RabbitMq="$(rabbit_cs "$NET.1")" Tpas__BaseUrl="$stub" EventStore__ApplySchemaOnStartup=false "${extra[@]}"
}

haproxy_config() {
  cat >"$DIR/haproxy.cfg" <<CFG
global
  log stdout format raw local0 notice
  maxconn 4096
defaults
  mode http
  log global
  timeout connect 2s
  timeout client 60s
  timeout server 60s
  # A refused or failed connection goes to the other instance (nothing reached the API, so even a POST is safe to resend).
  retries 3
  option redispatch 1
frontend api
  bind 127.0.0.1:$LB_PORT
  default_backend requests_api
backend requests_api
  balance roundrobin
  option httpchk GET /health/ready
  http-check expect status 200
  default-server inter 1s fall 2 rise 2 on-marked-down shutdown-sessions
  server api-1 127.0.0.1:$API1_PORT check
  server api-2 $NET.2:$API2_PORT check
listen stats
  bind 127.0.0.1:$STATS_PORT
  stats enable
  stats uri /
  stats show-legends
CFG
}

start_haproxy() {
  alive "$RUN/haproxy.pid" && return 0
  haproxy_config
  haproxy -c -q -f "$DIR/haproxy.cfg"
  launch "$RUN/haproxy.pid" "$DIR/haproxy.log" haproxy -db -f "$DIR/haproxy.cfg"
}

wait_http() {
  local name="$1" url="$2"
  for _ in $(seq 1 240); do
    curl -fs -o /dev/null "$url" 2>/dev/null && return 0
    alive "$RUN/$name.pid" || { echo "$name exited:"; tail -30 "$DIR/$name.log"; exit 1; }
    sleep 0.5
  done
  echo "$name is not ready after 120 s:"; tail -30 "$DIR/$name.log"; exit 1
}

wait_services() {
  wait_http tpas-stub "http://127.0.0.1:$STUB_PORT/health/live"
  wait_http scheduler-1 "http://127.0.0.1:$SCHED1_PORT/health/ready"
  wait_http scheduler-2 "http://127.0.0.1:$SCHED2_PORT/health/ready"
  wait_http api-1 "http://127.0.0.1:$API1_PORT/health/ready"
  wait_http api-2 "http://$NET.2:$API2_PORT/health/ready"
  wait_http haproxy "http://127.0.0.1:$LB_PORT/health/ready"
}

start() {
  need_root
  install_haproxy
  "$ROOT/deploy/local/cluster-netns.sh" up
  echo "==> PostgreSQL (pg_auto_failover: monitor :$PG, nodes :$((PG + 1)) :$((PG + 2)))"
  "$ROOT/deploy/local/cluster-postgres.sh" start
  echo "==> RabbitMQ x3 (:$RMQ :$((RMQ + 1)) :$((RMQ + 2)))"
  "$ROOT/deploy/local/cluster-rabbitmq.sh" start
  local arg no_build="" no_dashboard=""
  for arg in "$@"; do case "$arg" in --no-build) no_build=1 ;; --no-dashboard) no_dashboard=1 ;; esac; done
  [ -n "$no_build" ] || build
  rm -f "$RUN/dashboard"
  if [ -z "$no_dashboard" ]; then
    echo "==> Trace dashboard (unauthenticated: UI on 127.0.0.1 only)"
    dashboard start
    (eval "$(dashboard env)" && echo "$OTEL_EXPORTER_OTLP_ENDPOINT") >"$RUN/dashboard"
  fi
  schema
  echo "==> tpas-stub, scheduler x2, requests-api x2, HAProxy"
  services
  start_haproxy
  wait_services
  cat >"$DIR/env" <<ENV
export ConnectionStrings__Postgres='$(postgres_cs 127.0.0.1 cluster-tools)'
export ConnectionStrings__RabbitMq='$(rabbit_cs 127.0.0.1)'
export RabbitMq__ManagementUrl='http://127.0.0.1:$((RMQ + 10000))/'
export PT_CLUSTER_URL='http://127.0.0.1:$LB_PORT'
ENV
  local key=sk_workspace_test_acmeDemoKey0000000001
  cat <<BANNER

  The cluster is running (./deploy/cluster.sh status shows it; ./deploy/cluster.sh stop stops it).
    API through HAProxy:  http://127.0.0.1:$LB_PORT/connect/v1   (HAProxy stats: http://127.0.0.1:$STATS_PORT/)
    RabbitMQ management:  http://127.0.0.1:$((RMQ + 10000))/ (guest/guest)
    Traces and metrics:   $([ -s "$RUN/dashboard" ] && echo "http://127.0.0.1:18088/" || echo "off (--no-dashboard)")
    Connection strings:   source .data/cluster/env

    curl -i -X POST http://127.0.0.1:$LB_PORT/connect/v1/apps/FK5b0KSM/production-tests \\
      -H "Authorization: Bearer $key" -H "Content-Type: application/json" \\
      -H "Idempotency-Key: cluster-\$(date +%s)" -d '{"title":"Launch check","maxStamps":5}'
BANNER
}

revive() {
  need_root
  "$ROOT/deploy/local/cluster-netns.sh" up
  "$ROOT/deploy/local/cluster-postgres.sh" revive
  "$ROOT/deploy/local/cluster-rabbitmq.sh" revive
  services
  start_haproxy
}

stop() {
  for name in haproxy api-2 api-1 scheduler-2 scheduler-1 tpas-stub; do
    alive "$RUN/$name.pid" || continue
    kill -TERM "$(cat "$RUN/$name.pid")" 2>/dev/null || true
    for _ in $(seq 1 100); do alive "$RUN/$name.pid" || break; sleep 0.1; done
    alive "$RUN/$name.pid" && kill_session "$RUN/$name.pid"
    rm -f "$RUN/$name.pid"
  done
  dashboard stop; rm -f "$RUN/dashboard"
  "$ROOT/deploy/local/cluster-rabbitmq.sh" stop
  "$ROOT/deploy/local/cluster-postgres.sh" stop
  "$ROOT/deploy/local/cluster-netns.sh" down
  echo "cluster stopped"
}

# The API instance whose connection holds Marten's daemon leadership (an advisory lock), by Application Name.
relay_leader() {
  local primary; primary="$("$ROOT/deploy/local/cluster-postgres.sh" primary | cut -d' ' -f2)"
  [ -n "$primary" ] || return 1
  psql -h 127.0.0.1 -p "$primary" -U postgres -d production_tests -qAt -c \
    "SELECT DISTINCT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted AND a.application_name LIKE 'requests-api-%'" 2>/dev/null \
    | sed 's/^requests-/ /; s/^ //' | head -1
}

status() {
  for name in tpas-stub scheduler-1 scheduler-2 api-1 api-2 haproxy; do
    printf '  %-11s %s\n' "$name" "$(alive "$RUN/$name.pid" && echo "running (pid $(cat "$RUN/$name.pid"))" || echo stopped)"
  done
  "$ROOT/deploy/local/cluster-rabbitmq.sh" status
  "$ROOT/deploy/local/cluster-postgres.sh" status
  echo "  relay leader: $(relay_leader || echo unknown)"
  echo "  quorum queue leader (scheduler-challenge-requested): $("$ROOT/deploy/local/cluster-rabbitmq.sh" leader scheduler-challenge-requested || echo unknown)"
  curl -fs "http://127.0.0.1:$STATS_PORT/;csv" 2>/dev/null | awk -F, '$1=="requests_api" && $2 ~ /^api-/ {print "  haproxy " $2 ": " $18}' || true
}

# Waits (up to 120 s) until every part runs again: the services, both APIs UP in HAProxy, a PostgreSQL primary
# with its synchronous standby, three RabbitMQ nodes in the cluster.
wait_healthy() {
  local i state
  for i in $(seq 1 240); do
    state=""
    for name in tpas-stub scheduler-1 scheduler-2 api-1 api-2 haproxy; do alive "$RUN/$name.pid" || state="$state $name-down"; done
    [ "$(curl -fs "http://127.0.0.1:$STATS_PORT/;csv" 2>/dev/null | awk -F, '$1=="requests_api" && $2 ~ /^api-/ && $18=="UP"' | wc -l)" = 2 ] || state="$state haproxy-backends"
    psql -h 127.0.0.1 -p "$PG" -U postgres -d pg_auto_failover -qAt -c "SELECT string_agg(reportedstate || '/' || goalstate, ' ' ORDER BY reportedstate) FROM pgautofailover.node" 2>/dev/null \
      | grep -qx 'primary/primary secondary/secondary' || state="$state postgres-formation"
    [ "$(curl -fsu guest:guest "http://127.0.0.1:$((RMQ + 10000))/api/nodes" 2>/dev/null | grep -o '"running":true' | wc -l)" = 3 ] || state="$state rabbitmq-nodes"
    [ -z "$state" ] && return 0
    sleep 0.5
  done
  echo "the cluster is not whole after 120 s:$state" >&2; exit 1
}

kill_part() {
  local what="$1"
  case "$what" in
    api-1|api-2|scheduler-1|scheduler-2|tpas-stub|haproxy)
      alive "$RUN/$what.pid" || { echo "$what is not running" >&2; exit 1; }
      kill_session "$RUN/$what.pid"; echo "$what" ;;
    rabbit-c1|rabbit-c2|rabbit-c3) "$ROOT/deploy/local/cluster-rabbitmq.sh" kill "${what#rabbit-}" ;;
    pg-primary) "$ROOT/deploy/local/cluster-postgres.sh" kill primary ;;
    pg-node1|pg-node2) "$ROOT/deploy/local/cluster-postgres.sh" kill "${what#pg-}" ;;
    *) echo "kill what? api-1|api-2|scheduler-1|scheduler-2|rabbit-c1|rabbit-c2|rabbit-c3|pg-primary|pg-node1|pg-node2" >&2; exit 2 ;;
  esac
}

case "${1:-start}" in
  start) shift || true; start "$@" ;;
  stop) stop ;;
  status) status ;;
  revive) revive ;;
  relay-leader) relay_leader ;;
  wait-healthy) wait_healthy ;;
  kill) kill_part "${2:-}" ;;
  *) echo "usage: $0 start [--no-build]|stop|status|revive|wait-healthy|relay-leader|kill WHAT" >&2; exit 2 ;;
esac
