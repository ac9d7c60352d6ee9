#!/usr/bin/env bash
# Runs the whole system on this machine: PostgreSQL (started here unless ConnectionStrings__Postgres
# is set), the schema, the demo reference data, and requests-api. Ctrl-C stops the services.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
API_PORT="${PT_API_PORT:-5080}"
LOGS="$ROOT/.data/logs"
mkdir -p "$LOGS"

echo "==> PostgreSQL"
"$ROOT/deploy/local/postgres.sh" start
source "$ROOT/.data/env"

echo "==> Building (Release)"
dotnet build "$ROOT/services/requests-api" -c Release -nologo -v q -clp:ErrorsOnly
API_DLL="$ROOT/services/requests-api/bin/Release/net10.0/ProductionTests.RequestsApi.dll"

echo "==> Schema and demo reference data"
(cd "$ROOT/services/requests-api" && dotnet "$API_DLL" db-apply >"$LOGS/db-apply.log" 2>&1) \
  || { cat "$LOGS/db-apply.log"; exit 1; }
(cd "$ROOT/services/requests-api" && dotnet "$API_DLL" load-reference-data "$ROOT/deploy/demo-data.json" 2>&1 | tail -1)

echo "==> requests-api on http://127.0.0.1:$API_PORT (log: .data/logs/requests-api.log)"
PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM
(cd "$ROOT/services/requests-api" && ASPNETCORE_URLS="http://127.0.0.1:$API_PORT" exec dotnet "$API_DLL") >"$LOGS/requests-api.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 120); do
  curl -fs "http://127.0.0.1:$API_PORT/health/ready" >/dev/null 2>&1 && break
  kill -0 "${PIDS[0]}" 2>/dev/null || { echo "requests-api exited:"; tail -30 "$LOGS/requests-api.log"; exit 1; }
  sleep 0.5
done

KEY=sk_workspace_test_acmeDemoKey0000000001
cat <<BANNER

  The production tests API is running.
    API:   http://127.0.0.1:$API_PORT/connect/v1
    Docs:  http://127.0.0.1:$API_PORT/docs   (OpenAPI: /openapi/v1.json)
    Demo key (workspace Acme, sandbox): $KEY

  Create a production test for app FK5b0KSM:

    curl -i -X POST http://127.0.0.1:$API_PORT/connect/v1/apps/FK5b0KSM/production-tests \\
      -H "Authorization: Bearer $KEY" -H "Content-Type: application/json" \\
      -d '{"title":"Launch check","maxStamps":5,"targetPlatform":"ios"}'

  List them:

    curl -s http://127.0.0.1:$API_PORT/connect/v1/apps/FK5b0KSM/production-tests -H "Authorization: Bearer $KEY"

  Ctrl-C stops the API (PostgreSQL keeps running: deploy/local/postgres.sh stop).
BANNER
wait "${PIDS[0]}"
