#!/usr/bin/env bash
# Runs the whole system on this machine: PostgreSQL and RabbitMQ (started here unless
# ConnectionStrings__Postgres / ConnectionStrings__RabbitMq are set), the schema, the demo reference
# data, the trace dashboard, tpas-stub, the scheduler, requests-api and a webhook receiver (the demo app's
# webhooks go there). Ctrl-C stops the services and the dashboard.
#   deploy/run.sh [--no-dashboard]   --no-dashboard: no dashboard, and the services export no telemetry
set -euo pipefail
DASHBOARD=1
for arg in "$@"; do
  case "$arg" in
    --no-dashboard) DASHBOARD=0 ;;
    *) echo "usage: $0 [--no-dashboard]" >&2; exit 64 ;;
  esac
done
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
API_PORT="${PT_API_PORT:-5080}"
STUB_PORT="${PT_STUB_PORT:-5090}"
SCHEDULER_PORT="${PT_SCHEDULER_PORT:-5091}"
RECEIVER_PORT="${PT_RECEIVER_PORT:-5092}"
LOGS="${PT_LOGS:-$ROOT/.data/logs}"   # another directory for a second copy beside this one (deploy/contract-check.sh)
mkdir -p "$LOGS"

echo "==> PostgreSQL and RabbitMQ"
"$ROOT/deploy/local/postgres.sh" start
"$ROOT/deploy/local/rabbitmq.sh" start
source "$ROOT/.data/env"

echo "==> Building (Release)"
for project in requests-api scheduler tpas-stub webhook-receiver; do
  dotnet build "$ROOT/services/$project" -c Release -nologo -v q -clp:ErrorsOnly -p:WarningLevel=0 >"$LOGS/build-$project.log" 2>&1 \
    || { cat "$LOGS/build-$project.log"; exit 1; }
done
dll() { echo "$ROOT/services/$1/bin/Release/net10.0/$2.dll"; }
API_DLL="$(dll requests-api ProductionTests.RequestsApi)"

echo "==> Schema and demo reference data"
(cd "$ROOT/services/requests-api" && dotnet "$API_DLL" db-apply >"$LOGS/db-apply.log" 2>&1) \
  || { cat "$LOGS/db-apply.log"; exit 1; }
(cd "$ROOT/services/requests-api" && dotnet "$API_DLL" load-reference-data "$ROOT/deploy/demo-data.json" 2>&1 | tail -1)

PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true
  [ "$DASHBOARD_STARTED" = 0 ] || "$ROOT/deploy/local/dashboard.sh" stop
}
trap cleanup EXIT INT TERM

DASHBOARD_LINE="    Traces:     off (--no-dashboard)"
DASHBOARD_STARTED=0
if [ "$DASHBOARD" = 1 ]; then
  echo "==> Trace dashboard (Aspire Dashboard, unauthenticated, 127.0.0.1 only)"
  # One already running (another run.sh) is shared, and left running when this one stops.
  curl -fs -o /dev/null "http://127.0.0.1:${PT_DASHBOARD_PORT:-18888}/api/telemetry/resources" 2>/dev/null || DASHBOARD_STARTED=1
  "$ROOT/deploy/local/dashboard.sh" start
  eval "$("$ROOT/deploy/local/dashboard.sh" env)"   # OTEL_EXPORTER_OTLP_ENDPOINT: every service below exports to it
  DASHBOARD_LINE="    Traces:     $Dashboard__Url   (traces, metrics, logs of every service)"
fi

# start NAME DIR DLL PORT [ENV=VALUE...]: runs a service in the background, its output in $LOGS/NAME.log
start() {
  local name="$1" dir="$2" dll="$3" port="$4"; shift 4
  (cd "$ROOT/services/$dir" && exec env ASPNETCORE_URLS="http://127.0.0.1:$port" "$@" dotnet "$dll") >"$LOGS/$name.log" 2>&1 &
  PIDS+=($!)
  echo "==> $name on http://127.0.0.1:$port (log: ${LOGS#"$ROOT"/}/$name.log)"
}
wait_ready() {
  local name="$1" url="$2" pid="$3"
  for _ in $(seq 1 120); do
    curl -fs "$url" >/dev/null 2>&1 && return 0
    kill -0 "$pid" 2>/dev/null || { echo "$name exited:"; tail -30 "$LOGS/$name.log"; exit 1; }
    sleep 0.5
  done
  echo "$name is not ready after 60 s:"; tail -30 "$LOGS/$name.log"; exit 1
}

start tpas-stub tpas-stub "$(dll tpas-stub ProductionTests.TpasStub)" "$STUB_PORT"
wait_ready tpas-stub "http://127.0.0.1:$STUB_PORT/health/live" "${PIDS[-1]}"
start scheduler scheduler "$(dll scheduler ProductionTests.Scheduler)" "$SCHEDULER_PORT" Tpas__BaseUrl="http://127.0.0.1:$STUB_PORT/"
wait_ready scheduler "http://127.0.0.1:$SCHEDULER_PORT/health/ready" "${PIDS[-1]}"
start webhook-receiver webhook-receiver "$(dll webhook-receiver ProductionTests.WebhookReceiver)" "$RECEIVER_PORT"
wait_ready webhook-receiver "http://127.0.0.1:$RECEIVER_PORT/health/live" "${PIDS[-1]}"
# The key that seals webhook signing secrets at rest: from the environment, else one made for this checkout
# and kept in .data (a local run only; a deployment gives its own, docs/webhooks.md).
KEY_FILE="$ROOT/.data/webhook-sealing-key"
[ -s "$KEY_FILE" ] || (umask 077; head -c 32 /dev/urandom | base64 >"$KEY_FILE")
start requests-api requests-api "$API_DLL" "$API_PORT" Tpas__BaseUrl="http://127.0.0.1:$STUB_PORT/" \
  Webhooks__SecretKey="${Webhooks__SecretKey:-$(cat "$KEY_FILE")}" Webhooks__AllowInsecureLoopback=true   # http to the local receiver
wait_ready requests-api "http://127.0.0.1:$API_PORT/health/ready" "${PIDS[-1]}"

KEY=sk_workspace_test_acmeDemoKey0000000001
API="http://127.0.0.1:$API_PORT/connect/v1/apps/FK5b0KSM/production-tests"
APP_API="http://127.0.0.1:$API_PORT/connect/v1/apps/FK5b0KSM"
RECEIVER="http://127.0.0.1:$RECEIVER_PORT"

# The demo app's webhooks go to the local receiver; it is given the signing secret (shown only in this answer).
echo "==> Demo: app FK5b0KSM delivers its webhooks to $RECEIVER/hooks/demo"
SECRET=$(curl -fs -X PATCH "$APP_API/webhook-config" -H "Authorization: Bearer $KEY" -H "Content-Type: application/json" \
  -d "{\"url\":\"$RECEIVER/hooks/demo\",\"enabled\":true}" | grep -o '"signingSecret":"[^"]*"' | cut -d'"' -f4 || true)
if [ -z "$SECRET" ]; then   # configured by an earlier run: a new secret, the old one kept for its grace period
  SECRET=$(curl -fs -X POST "$APP_API/webhook-config/rotate-secret" -H "Authorization: Bearer $KEY" | grep -o '"signingSecret":"[^"]*"' | cut -d'"' -f4 || true)
fi
curl -fs -o /dev/null -X PUT "$RECEIVER/admin/receivers/demo" -H "Content-Type: application/json" -d "{\"secrets\":[\"$SECRET\"]}" \
  || echo "   (could not give the receiver the demo secret)"

# A demo challenge with a few participations, so the report has numbers in it.
echo "==> Demo: a production test with four participations"
demo=$(curl -fs -X POST "$API" -H "Authorization: Bearer $KEY" -H "Content-Type: application/json" \
  -d '{"title":"Demo: launch check","description":"Created by deploy/run.sh","maxStamps":3,"providerIds":["bankidse","smartid","mitid"]}')
demo_id=$(echo "$demo" | grep -o '"id":"req_[^"]*"' | head -1 | cut -d'"' -f4)
demo_state=$(curl -fs "$API/$demo_id" -H "Authorization: Bearer $KEY" -H "Prefer: wait=20")
# `|| true`: without a challenge id grep fails, and under `set -e` run.sh would stop here without a word.
CHALLENGE=$(echo "$demo_state" | grep -o '"challengeId":"[^"]*"' | cut -d'"' -f4 || true)
if [ -n "$CHALLENGE" ]; then
  participate() {
    curl -fs -o /dev/null -X POST "http://127.0.0.1:$STUB_PORT/v1/challenges/$CHALLENGE/participations" -H "Content-Type: application/json" \
      -d "{\"providerId\":\"$1\",\"userId\":\"$2\",\"platform\":\"$3\",\"completionSeconds\":$4}"
  }
  participate bankidse demo-user-1 ios 38.5
  participate smartid demo-user-2 android 52
  participate bankidse demo-user-3 android 41.5
  participate smartid demo-user-4 ios 47
else
  echo "   (the demo request is not scheduled yet: $demo_state)"
  CHALLENGE="<challenge id>"
  # Local RabbitMQ data from before quorum queues holds classic queues under the names the services now declare as
  # quorum queues; RabbitMQ refuses the declaration and nothing flows.
  stale=$(grep -ho "inequivalent arg 'x-queue-type' for queue '[^']*'" "$LOGS/requests-api.log" "$LOGS/scheduler.log" 2>/dev/null \
    | sed "s/.*for queue '//; s/'\$//" | sort -u || true)
  if [ -n "$stale" ]; then
    vhost=${ConnectionStrings__RabbitMq:-}; vhost=${vhost##*/}; vhost=${vhost:-%2F}
    echo "   RabbitMQ holds classic queues where the services declare quorum queues (data from before quorum queues):"
    for queue in $stale; do
      echo "     delete $queue (its messages go with it): curl -u guest:guest -X DELETE ${RabbitMq__ManagementUrl:-http://127.0.0.1:15672/}api/queues/$vhost/$queue"
    done
    echo "   then run this again; or keep them with RabbitMq__QuorumQueues=false (README, Configuration)."
  fi
fi

cat <<BANNER

  The production tests system is running.
    API:        http://127.0.0.1:$API_PORT/connect/v1
    Docs:       http://127.0.0.1:$API_PORT/docs   (OpenAPI: /openapi/v1.json)
$DASHBOARD_LINE
    tpas-stub:  http://127.0.0.1:$STUB_PORT/v1/challenges   (faults: /admin/faults)
    Webhooks:   app FK5b0KSM delivers to $RECEIVER/hooks/demo (docs/webhooks.md)
    RabbitMQ:   ${RabbitMq__ManagementUrl:-http://127.0.0.1:15672/} (guest/guest)
    Demo key (workspace Acme, sandbox): $KEY

  Create a production test for app FK5b0KSM:

    curl -i -X POST http://127.0.0.1:$API_PORT/connect/v1/apps/FK5b0KSM/production-tests \\
      -H "Authorization: Bearer $KEY" -H "Content-Type: application/json" \\
      -d '{"title":"Launch check","maxStamps":5,"targetPlatform":"ios"}'

  Read it back, waiting up to 10 s for the outcome instead of polling (Location from the answer above):

    curl -s http://127.0.0.1:$API_PORT/connect/v1/apps/FK5b0KSM/production-tests/<id> -H "Authorization: Bearer $KEY" -H "Prefer: wait=10"

  List them all (newest first; scheduled ones as type "challenge"):

    curl -s $API -H "Authorization: Bearer $KEY"

  The demo challenge's report (4 participations, 3 stamps):

    curl -s $API/$CHALLENGE/report -H "Authorization: Bearer $KEY"

  What the webhook receiver got (signature verified, one line per delivery), and a summary:

    curl -s $RECEIVER/admin/receivers/demo/deliveries
    curl -s $RECEIVER/admin/receivers/demo/summary

  The app's own view of its deliveries and their attempts:

    curl -s $APP_API/webhook-deliveries -H "Authorization: Bearer $KEY"

  Ctrl-C stops the services (the servers keep running: deploy/local/postgres.sh stop, deploy/local/rabbitmq.sh stop).
BANNER
wait "${PIDS[@]}"
