#!/usr/bin/env bash
# Checks the running system against its published contracts with pinned third-party tools
# (tools/contract/package-lock.json, installed with npm ci):
#   1. docs/asyncapi.yaml parses with @asyncapi/parser, no error-level diagnostic (warnings printed);
#   2. requests-api's /openapi/v1.json passes Spectral (tools/contract/.spectral.yaml), not one warning;
#   3. a tour of every operation of that document through Prism proxies in front of the running system:
#      every request and response must match the document.
# It runs the system with deploy/run.sh in the background, in a database and a RabbitMQ vhost of its own
# (dropped afterwards), on ports 5380 (API), 5390 (stub), 5391 (scheduler), 5381-5382 (Prism), so it
# runs beside deploy/run.sh, the fault suite and the benchmark; PT_CONTRACT_API_PORT, _STUB_PORT,
# _SCHEDULER_PORT, _RECEIVER_PORT and _PRISM_PORT (and _PRISM_PORT + 1) move them. Servers as for run.sh: started here
# unless ConnectionStrings__Postgres / ConnectionStrings__RabbitMq (and RabbitMq__ManagementUrl) are set.
# Logs: .data/contract-check/. Exit code: 0 every check passed, 1 a check failed, 2 it could not run.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/tools/contract"
OUT="$ROOT/.data/contract-check"
API_PORT="${PT_CONTRACT_API_PORT:-5380}"
STUB_PORT="${PT_CONTRACT_STUB_PORT:-5390}"
SCHEDULER_PORT="${PT_CONTRACT_SCHEDULER_PORT:-5391}"
RECEIVER_PORT="${PT_CONTRACT_RECEIVER_PORT:-5392}"
PRISM_PORT="${PT_CONTRACT_PRISM_PORT:-5381}"
LENIENT_PORT=$((PRISM_PORT + 1))
STAMP="$(date -u +%Y%m%d_%H%M%S)_$$"
START=$SECONDS
# No MSBuild node, compiler or Razor server outlives run.sh's builds.
export MSBUILDDISABLENODEREUSE=1 DOTNET_CLI_USE_MSBUILD_SERVER=0 UseSharedCompilation=false UseRazorBuildServer=false
export SCARF_ANALYTICS=false DO_NOT_TRACK=1
rm -rf "$OUT" && mkdir -p "$OUT/logs"

passed=0 failed=0
pass() { passed=$((passed + 1)); echo "PASS  $*"; }
fail() { failed=$((failed + 1)); echo "FAIL  $*"; }
say() { echo "==> [$((SECONDS - START)) s] $*"; }
cannot() { echo "Contract check could not run: $*" >&2; exit 2; }

# ---- tools ------------------------------------------------------------------------------------------
apt_install() {
  say "Installing Debian's $* (apt-get)"
  local sudo=(); [ "$(id -u)" = 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq && DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "$@" >/dev/null || cannot "apt-get install $* failed"
}
command -v node >/dev/null && command -v npm >/dev/null || apt_install nodejs npm
command -v jq >/dev/null || apt_install jq
command -v psql >/dev/null || apt_install postgresql-client
lock_sum="$(sha256sum "$TOOLS/package-lock.json" | cut -c1-64)"
if [ "$(cat "$TOOLS/node_modules/.installed-from" 2>/dev/null)" != "$lock_sum" ]; then
  say "Installing the pinned contract tools (npm ci in tools/contract)"
  (cd "$TOOLS" && npm ci --no-audit --no-fund --loglevel=error >"$OUT/npm-ci.log" 2>&1) || { cat "$OUT/npm-ci.log"; cannot "npm ci failed"; }
  echo "$lock_sum" >"$TOOLS/node_modules/.installed-from"
fi
BIN="$TOOLS/node_modules/.bin"
say "$(cd "$TOOLS" && node -p '["@stoplight/spectral-cli", "@stoplight/prism-cli", "@asyncapi/parser"].map(p => p + " " + require(p + "/package.json").version).join(", ") + "; node " + process.version')"

# ---- 1. AsyncAPI ------------------------------------------------------------------------------------
say "docs/asyncapi.yaml with @asyncapi/parser"
if (cd "$TOOLS" && node parse-asyncapi.mjs "$ROOT/docs/asyncapi.yaml"); then
  pass "AsyncAPI: docs/asyncapi.yaml parses without errors"
else
  fail "AsyncAPI: docs/asyncapi.yaml has errors (above)"
fi

# ---- the system -------------------------------------------------------------------------------------
say "PostgreSQL and RabbitMQ"
"$ROOT/deploy/local/postgres.sh" start || cannot "PostgreSQL did not start"
"$ROOT/deploy/local/rabbitmq.sh" start || cannot "RabbitMQ did not start"
source "$ROOT/.data/env"
cp "$ROOT/.data/env" "$OUT/env.saved"   # run.sh rewrites it with the sandbox's settings: put back afterwards

# A database and a vhost of our own, like the fault suite's sandbox.
pg_value() { tr ';' '\n' <<<"$ConnectionStrings__Postgres" | awk -F= -v k="$1" 'tolower($1) == tolower(k) { sub(/^[^=]*=/, ""); print; exit }'; }
PGHOST_="$(pg_value Host)" PGPORT_="$(pg_value Port)" PGUSER_="$(pg_value Username)"
[ -n "$PGUSER_" ] || PGUSER_="$(pg_value 'User ID')"
export PGPASSWORD="$(pg_value Password)"
psql_admin() { psql -h "${PGHOST_:-127.0.0.1}" -p "${PGPORT_:-5432}" -U "${PGUSER_:-postgres}" -d postgres -v ON_ERROR_STOP=1 -qtAc "$1"; }
DATABASE="contract_check_$STAMP"
VHOST="contract-check-${STAMP//_/-}"
amqp_userinfo="$(sed -E 's#^[a-z]+://(([^@/]*)@)?.*#\2#' <<<"$ConnectionStrings__RabbitMq")"
RMQ_AUTH="${amqp_userinfo:-guest:guest}"
MGMT="${RabbitMq__ManagementUrl:-http://127.0.0.1:15672/}"; MGMT="${MGMT%/}"

RUN_PID="" RUN_PGID="" PRISM_PIDS=() SANDBOX=""
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  for pid in "${PRISM_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  if [ -n "$RUN_PID" ]; then
    # run.sh stops its services on TERM; the whole group gets it, so a build in progress stops too.
    if [ -n "$RUN_PGID" ]; then kill -TERM -- "-$RUN_PGID" 2>/dev/null || true; else kill -TERM "$RUN_PID" 2>/dev/null || true; fi
    for _ in $(seq 1 40); do
      if [ -n "$RUN_PGID" ]; then pgrep -g "$RUN_PGID" >/dev/null || break; else kill -0 "$RUN_PID" 2>/dev/null || break; fi
      sleep 0.5
    done
    [ -n "$RUN_PGID" ] && pgrep -g "$RUN_PGID" >/dev/null && { say "Services still running after 20 s: killing them"; kill -KILL -- "-$RUN_PGID" 2>/dev/null || true; }
  fi
  wait 2>/dev/null || true
  if [ -n "$SANDBOX" ]; then
    psql_admin "DROP DATABASE IF EXISTS $DATABASE WITH (FORCE)" >/dev/null 2>&1 || echo "(could not drop database $DATABASE)"
    curl -fs -u "$RMQ_AUTH" -X DELETE "$MGMT/api/vhosts/$VHOST" >/dev/null 2>&1 || echo "(could not delete vhost $VHOST)"
  fi
  [ -f "$OUT/env.saved" ] && cp "$OUT/env.saved" "$ROOT/.data/env"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

say "Sandbox: database $DATABASE, vhost $VHOST"
SANDBOX=1
psql_admin "CREATE DATABASE $DATABASE" >/dev/null || cannot "could not create database $DATABASE"
curl -fs -u "$RMQ_AUTH" -X PUT "$MGMT/api/vhosts/$VHOST" >/dev/null || cannot "could not create vhost $VHOST through $MGMT"
curl -fs -u "$RMQ_AUTH" -X PUT -H 'Content-Type: application/json' -d '{"configure":".*","write":".*","read":".*"}' \
  "$MGMT/api/permissions/$VHOST/${RMQ_AUTH%%:*}" >/dev/null || cannot "could not grant ${RMQ_AUTH%%:*} the vhost $VHOST"
PG_SANDBOX="$(sed -E 's/(^|;)[Dd]atabase=[^;]*//' <<<"$ConnectionStrings__Postgres");Database=$DATABASE"
AMQP_SANDBOX="$(sed -E 's#^([a-z]+://[^/]*)(/.*)?$#\1#' <<<"$ConnectionStrings__RabbitMq")/$VHOST"

say "The system: deploy/run.sh in the background (output: .data/contract-check/run.log)"
ConnectionStrings__Postgres="$PG_SANDBOX" ConnectionStrings__RabbitMq="$AMQP_SANDBOX" RabbitMq__ManagementUrl="$MGMT/" \
  PT_API_PORT="$API_PORT" PT_STUB_PORT="$STUB_PORT" PT_SCHEDULER_PORT="$SCHEDULER_PORT" PT_RECEIVER_PORT="$RECEIVER_PORT" PT_LOGS="$OUT/logs" \
  setsid "$ROOT/deploy/run.sh" --no-dashboard </dev/null >"$OUT/run.log" 2>&1 &
RUN_PID=$!
RUN_PGID="$(ps -o pgid= -p "$RUN_PID" | tr -d ' ')"
[ "$RUN_PGID" = "$RUN_PID" ] || RUN_PGID=""   # setsid made it a group of its own; else stop run.sh alone
for _ in $(seq 1 600); do
  grep -q "The production tests system is running" "$OUT/run.log" && break
  kill -0 "$RUN_PID" 2>/dev/null || { tail -30 "$OUT/run.log"; cannot "deploy/run.sh stopped"; }
  sleep 1
done
grep -q "The production tests system is running" "$OUT/run.log" || { tail -30 "$OUT/run.log"; cannot "the system was not up after 10 minutes"; }
say "The system is up: API on $API_PORT, stub on $STUB_PORT, scheduler on $SCHEDULER_PORT"
API="http://127.0.0.1:$API_PORT"

# ---- 2. OpenAPI lint --------------------------------------------------------------------------------
say "/openapi/v1.json with Spectral (tools/contract/.spectral.yaml, every warning fails)"
curl -fsS "$API/openapi/v1.json" -o "$OUT/openapi.json" || cannot "no /openapi/v1.json at $API"
jq -e '.openapi and (.paths | length > 0)' "$OUT/openapi.json" >/dev/null || cannot "$API/openapi/v1.json is not an OpenAPI document with paths"
spectral_status=0
(cd "$TOOLS" && node "$BIN/spectral" lint --ruleset .spectral.yaml --fail-severity=warn --format=json --quiet "$OUT/openapi.json" \
  >"$OUT/spectral.json" 2>"$OUT/spectral.err") || spectral_status=$?
findings="$(jq -r '.[] | "      \(["error", "warning", "info", "hint"][.severity]) \(.code) at \(.path | map(tostring) | join(".")) (line \(.range.start.line + 1)): \(.message)"' \
  "$OUT/spectral.json" 2>/dev/null)" || { cat "$OUT/spectral.err"; cannot "Spectral did not run (exit code $spectral_status)"; }
if [ -n "$findings" ]; then
  fail "Spectral: /openapi/v1.json has $(grep -c . <<<"$findings") findings"
  echo "$findings"
elif [ "$spectral_status" != 0 ]; then
  sed 's/^/      /' "$OUT/spectral.err"
  fail "Spectral: exit code $spectral_status without findings (above)"
else
  pass "Spectral: /openapi/v1.json has no findings"
fi

# ---- 3. The tour through Prism ----------------------------------------------------------------------
# strict: --errors, requests and responses validated (a violation answers Prism's own error);
# lenient: no --errors, for requests that break the document on purpose (no key, bad body): they reach
# the API, and only the response's violations (sl-violations header) count.
start_prism() {
  local name="$1" port="$2"; shift 2
  (cd "$TOOLS" && exec node "$BIN/prism" proxy "$OUT/openapi.json" "$API" --host 127.0.0.1 --port "$port" "$@") >"$OUT/prism-$name.log" 2>&1 &
  PRISM_PIDS+=($!)
}
start_prism strict "$PRISM_PORT" --errors
start_prism lenient "$LENIENT_PORT"
PRISM_NAMES=(strict lenient)
for i in 0 1; do
  name="${PRISM_NAMES[$i]}"
  for _ in $(seq 1 120); do
    grep -q "Prism is listening" "$OUT/prism-$name.log" && break
    kill -0 "${PRISM_PIDS[$i]}" 2>/dev/null || break
    sleep 0.5
  done
  grep -q "Prism is listening" "$OUT/prism-$name.log" || { cat "$OUT/prism-$name.log"; cannot "Prism ($name) did not start"; }
done
say "The tour through Prism (logs: .data/contract-check/prism-*.log)"

KEY=sk_workspace_test_acmeDemoKey0000000001
APP=FK5b0KSM
OTHER_APP=GLx7Qp2M   # Globex's: the Acme key must get 404, as for an app that does not exist
BASE=/connect/v1/apps
COLLECTION="$BASE/{client_id}/production-tests"
OP_CREATE="POST $COLLECTION" OP_LIST="GET $COLLECTION" OP_GET="GET $COLLECTION/{id}"
OP_EVENTS="GET $COLLECTION/{id}/events" OP_REPORT="GET $COLLECTION/{challenge_id}/report"
OP_HOOK_GET="GET $BASE/{client_id}/webhook-config" OP_HOOK_PATCH="PATCH $BASE/{client_id}/webhook-config"
OP_HOOK_ROTATE="POST $BASE/{client_id}/webhook-config/rotate-secret" OP_DELIVERIES="GET $BASE/{client_id}/webhook-deliveries"
OP_REDELIVER="POST $BASE/{client_id}/webhook-deliveries/{delivery_id}/redeliver"
TOURED=()
R="$OUT/response"

# call VIA EXPECTED OPERATION LABEL METHOD PATH [curl arguments...]
#   VIA strict|lenient; EXPECTED the API's status. The response is left in $R.body / $R.headers, its
#   status in $STATUS. Passes when the status is the expected one and Prism found no violation (on the
#   lenient proxy: none in the response). Then `expect JQ-FILTER WHAT` checks the body further.
call() {
  local via="$1" expected="$2" op="$3" label="$4" method="$5" path="$6"; shift 6
  local port=$PRISM_PORT; [ "$via" = lenient ] && port=$LENIENT_PORT
  TOURED+=("$op")
  STEP="$label ($method ${path%%\?*} via $via Prism)"
  STATUS=$(curl -s -o "$R.body" -D "$R.headers" -w '%{http_code}' -X "$method" "http://127.0.0.1:$port$path" "$@") || STATUS="curl failed"
  # Violations: the body of Prism's own error answer (500 for violations with --errors, 422 for a
  # request, 401 for security, 500 when the API could not be reached); else its sl-violations header.
  jq -c 'select(type == "object" and ((.type // "") | startswith("https://stoplight.io/prism/errors#")))
      | if (.validation | length) > 0 then .validation[] | .location |= (if .[0] == "request" or .[0] == "response" then . else ["request"] + . end)
        else {location: ["prism"], code: .title, message: (.detail // "")} end' "$R.body" >"$R.violations" 2>/dev/null || true
  [ -s "$R.violations" ] || { header sl-violations | jq -c '.[]' >"$R.violations" 2>/dev/null || true; }
  if [ "$via" = lenient ]; then jq -c 'select(.location[0] != "request")' "$R.violations" >"$R.counted"; else cp "$R.violations" "$R.counted"; fi
  if [ -s "$R.counted" ] || [ "$STATUS" != "$expected" ]; then
    local why=""
    local who="the API"
    jq -e '(.type // "") | startswith("https://stoplight.io/prism/errors#")' "$R.body" >/dev/null 2>&1 && who="Prism"
    [ "$STATUS" != "$expected" ] && why="$who answered $STATUS, expected $expected"
    [ -s "$R.counted" ] && why="${why:+$why; }$(wc -l <"$R.counted") Prism violations"
    fail "$STEP: $why"
    jq -r '"      \(.location | map(tostring) | join(".")): \(.code) \(.message)"' "$R.counted" | sed 's/  *$//'
    [ -s "$R.counted" ] || echo "      body: $(head -c 400 "$R.body")"
    STEP_OK=""
    return 0
  fi
  STEP_OK=1
}
# expect JQ-FILTER WHAT: after a call that passed, the body must satisfy the filter (else the step fails).
expect() {
  [ -n "$STEP_OK" ] || return 0
  if jq -e "$1" "$R.body" >/dev/null 2>&1; then pass "$STEP: $2"; else fail "$STEP: expected $2, got: $(head -c 400 "$R.body")"; fi
}
header() { tr -d '\r' <"$R.headers" | sed -n "s/^$1: //Ip" | head -1; }
json() { jq -r "$1" "$R.body" 2>/dev/null || true; }

AUTH=(-H "Authorization: Bearer $KEY")
JSON=(-H "Content-Type: application/json")
IDEMPOTENCY_KEY="contract-check-$STAMP"
BODY='{"title":"Contract check","description":"deploy/contract-check.sh","providerIds":["bankidse","smartid"],"targetPlatform":"ios","maxStamps":2,"allowDuplicateParticipation":false}'

call strict 201 "$OP_CREATE" "create" POST "$BASE/$APP/production-tests" "${AUTH[@]}" "${JSON[@]}" -H "Idempotency-Key: $IDEMPOTENCY_KEY" -d "$BODY"
ID="$(json .id)"; LOCATION="$(header location)"
expect ".status == \"pending\" and (.id | startswith(\"req_\")) and \"$LOCATION\" == \"$BASE/$APP/production-tests/\" + .id" "a pending req_ id and its Location"
[ -n "$STEP_OK" ] || ID="req_00000000-0000-0000-0000-000000000000"

call strict 201 "$OP_CREATE" "create again with the same Idempotency-Key" POST "$BASE/$APP/production-tests" "${AUTH[@]}" "${JSON[@]}" -H "Idempotency-Key: $IDEMPOTENCY_KEY" -d "$BODY"
expect ".id == \"$ID\" and \"$(header idempotency-replayed)\" == \"true\"" "the same request, Idempotency-Replayed: true"

call strict 409 "$OP_CREATE" "same Idempotency-Key, another body" POST "$BASE/$APP/production-tests" "${AUTH[@]}" "${JSON[@]}" -H "Idempotency-Key: $IDEMPOTENCY_KEY" -d "${BODY/\"maxStamps\":2/\"maxStamps\":3}"
expect '.title == "IDEMPOTENCY_KEY_CONFLICT"' "IDEMPOTENCY_KEY_CONFLICT"

call strict 201 "$OP_CREATE" "create with the title alone (every other field is optional)" POST "$BASE/$APP/production-tests" "${AUTH[@]}" "${JSON[@]}" -d '{"title":"Contract check, title only"}'
expect '.status == "pending" and .payload.maxStampClaims == 3' "pending, maxStampClaims defaulted to 3"

call lenient 400 "$OP_CREATE" "create with a bad body" POST "$BASE/$APP/production-tests" "${AUTH[@]}" "${JSON[@]}" -d '{"title":"","maxStamps":0}'
expect '(.title | startswith("VALIDATION_")) and .status == 400' "a VALIDATION_ problem"

call lenient 401 "$OP_CREATE" "create without a key" POST "$BASE/$APP/production-tests" "${JSON[@]}" -d "$BODY"
expect '.title == "AUTH_INVALID_CREDENTIALS"' "AUTH_INVALID_CREDENTIALS"

call lenient 415 "$OP_CREATE" "create with a text/plain body" POST "$BASE/$APP/production-tests" "${AUTH[@]}" -H "Content-Type: text/plain" -d "title=Contract check"
expect '.status == 415' "a 415 problem"

call strict 404 "$OP_CREATE" "create for another workspace's app" POST "$BASE/$OTHER_APP/production-tests" "${AUTH[@]}" "${JSON[@]}" -d "$BODY"
expect '.title == "RESOURCE_NOT_FOUND"' "RESOURCE_NOT_FOUND"

call strict 200 "$OP_GET" "get one" GET "$BASE/$APP/production-tests/$ID" "${AUTH[@]}"
expect ".id == \"$ID\"" "the request"

# Prefer: wait=5 until the scheduler has booked it (a few rounds at most).
for _ in 1 2 3 4; do
  call strict 200 "$OP_GET" "get one with Prefer: wait=5" GET "$BASE/$APP/production-tests/$ID" "${AUTH[@]}" -H "Prefer: wait=5"
  [ -n "$STEP_OK" ] && [ "$(json .status)" = pending ] || break
done
expect '.status == "scheduled" and (.challengeId | type == "string")' "scheduled with a challengeId"
CHALLENGE="$(json '.challengeId // empty')"; CHALLENGE="${CHALLENGE:-chl_00000000000000000000000000000000}"

call strict 200 "$OP_LIST" "list" GET "$BASE/$APP/production-tests" "${AUTH[@]}"
expect "map(select(.request.id == \"$ID\" and .type == \"challenge\" and .challenge.id == \"$CHALLENGE\")) | length == 1" "the request as a challenge item"

call strict 404 "$OP_LIST" "list another workspace's app" GET "$BASE/$OTHER_APP/production-tests" "${AUTH[@]}"
expect '.title == "RESOURCE_NOT_FOUND"' "RESOURCE_NOT_FOUND"

# The list's extensions (docs/contract.md, the list at scale): a filtered page, a bad parameter, and a 304 of the
# request read above (scheduled, so its answer and ETag hold still; the list's may move with the other creates).
call strict 200 "$OP_LIST" "a filtered page of the list" GET "$BASE/$APP/production-tests?limit=1&status=scheduled&type=challenge,request" "${AUTH[@]}"
expect 'length == 1 and .[0].type == "challenge"' "one scheduled item"
call lenient 400 "$OP_LIST" "list with limit=0" GET "$BASE/$APP/production-tests?limit=0" "${AUTH[@]}"
expect '.title == "VALIDATION_INVALID_PARAMETER" and .context.field == "limit"' "VALIDATION_INVALID_PARAMETER naming limit"
call strict 200 "$OP_GET" "get one for its ETag" GET "$BASE/$APP/production-tests/$ID" "${AUTH[@]}"
ETAG="$(header ETag)"
: >"$R.body"   # curl writes no file for a bodiless answer: without this the 200's body would still be there
call strict 304 "$OP_GET" "get one with If-None-Match: its ETag" GET "$BASE/$APP/production-tests/$ID" "${AUTH[@]}" -H "If-None-Match: $ETAG"
if [ -n "$STEP_OK" ]; then if [ -s "$R.body" ]; then fail "$STEP: 304 with a body"; else pass "$STEP: 304 without a body"; fi; fi

call strict 200 "$OP_EVENTS" "events" GET "$BASE/$APP/production-tests/$ID/events" "${AUTH[@]}"
expect 'map(.type) | .[0] == "challenge_requested" and (.[1] | startswith("challenge_scheduled"))' "challenge_requested, then challenge_scheduled"

# Two participations, straight at the stub (tpas-backend is not part of this document), as run.sh's demo does.
for p in 'bankidse contract-user-1 38.5' 'smartid contract-user-2 52'; do
  set -- $p   # the challenge is for ios only (targetPlatform)
  answer="$(curl -s -w ' (%{http_code})' -X POST "http://127.0.0.1:$STUB_PORT/v1/challenges/$CHALLENGE/participations" "${JSON[@]}" \
    -d "{\"providerId\":\"$1\",\"userId\":\"$2\",\"platform\":\"ios\",\"completionSeconds\":$3}")" || true
  [[ "$answer" == *"(201)" ]] || echo "      the stub refused a participation in $CHALLENGE: ${answer:0:300}"
done
call strict 200 "$OP_REPORT" "report" GET "$BASE/$APP/production-tests/$CHALLENGE/report" "${AUTH[@]}"
expect ".challenge.id == \"$CHALLENGE\" and .stats.totalParticipations == 2 and .stats.totalClaims == 2" "two participations, two claims"

call strict 404 "$OP_GET" "get an unknown request" GET "$BASE/$APP/production-tests/req_00000000-0000-0000-0000-000000000000" "${AUTH[@]}"
expect '.title == "RESOURCE_NOT_FOUND"' "RESOURCE_NOT_FOUND"
call strict 404 "$OP_EVENTS" "events of an unknown request" GET "$BASE/$APP/production-tests/req_00000000-0000-0000-0000-000000000000/events" "${AUTH[@]}"
expect '.title == "RESOURCE_NOT_FOUND"' "RESOURCE_NOT_FOUND"
call strict 404 "$OP_REPORT" "report of an unknown challenge" GET "$BASE/$APP/production-tests/chl_00000000000000000000000000000000/report" "${AUTH[@]}"
expect '.title == "RESOURCE_NOT_FOUND"' "RESOURCE_NOT_FOUND"

# Webhooks: run.sh configured the demo app to deliver to its receiver; the demo request's deliveries are there.
call strict 200 "$OP_HOOK_GET" "webhook config" GET "$BASE/$APP/webhook-config" "${AUTH[@]}"
expect '.enabled == true and (.url | endswith("/hooks/demo")) and (has("signingSecret") | not)' "enabled, the receiver's URL, no secret shown"
call strict 200 "$OP_HOOK_PATCH" "change the webhook's event types" PATCH "$BASE/$APP/webhook-config" "${AUTH[@]}" "${JSON[@]}" \
  -d '{"eventTypes":["production_test.requested","production_test.scheduled","production_test.failed"]}'
expect '.eventTypes | length == 3' "three event types"
call lenient 400 "$OP_HOOK_PATCH" "a webhook URL on a private address" PATCH "$BASE/$APP/webhook-config" "${AUTH[@]}" "${JSON[@]}" -d '{"url":"https://169.254.169.254/latest/meta-data/"}'
expect '.title == "VALIDATION_INVALID_PARAMETER" and .context.field == "url"' "VALIDATION_INVALID_PARAMETER on url"
call strict 404 "$OP_HOOK_GET" "webhook config of another workspace's app" GET "$BASE/$OTHER_APP/webhook-config" "${AUTH[@]}"
expect '.title == "RESOURCE_NOT_FOUND"' "RESOURCE_NOT_FOUND"
call strict 200 "$OP_DELIVERIES" "webhook deliveries" GET "$BASE/$APP/webhook-deliveries?limit=20" "${AUTH[@]}"
expect 'map(select(.requestId == "'"$ID"'")) | length >= 1' "the contract check's request among them"
DELIVERY="$(json '.[0].id // empty')"; DELIVERY="${DELIVERY:-00000000-0000-0000-0000-000000000000}"
call strict 200 "$OP_DELIVERIES" "failed webhook deliveries" GET "$BASE/$APP/webhook-deliveries?status=failed" "${AUTH[@]}"
expect 'type == "array"' "a list"
call strict 202 "$OP_REDELIVER" "redeliver" POST "$BASE/$APP/webhook-deliveries/$DELIVERY/redeliver" "${AUTH[@]}"
expect '.status == "pending" and .id == "'"$DELIVERY"'"' "pending again"
call strict 404 "$OP_REDELIVER" "redeliver an unknown delivery" POST "$BASE/$APP/webhook-deliveries/00000000-0000-0000-0000-000000000000/redeliver" "${AUTH[@]}"
expect '.title == "RESOURCE_NOT_FOUND"' "RESOURCE_NOT_FOUND"
call strict 200 "$OP_HOOK_ROTATE" "rotate the signing secret" POST "$BASE/$APP/webhook-config/rotate-secret" "${AUTH[@]}"
expect '(.signingSecret | startswith("whsec_")) and (.secret.previousSecretValidUntil | type == "string")' "a new secret, shown once; the old one in its grace period"

# Every operation of the document toured, and the tour asks only for operations the document has.
documented="$(jq -r '.paths | to_entries[] | .key as $p | .value | keys[] | select(IN("get","put","post","delete","patch","head","options","trace")) | "\(ascii_upcase) \($p)"' "$OUT/openapi.json" | sort -u)"
toured="$(printf '%s\n' "${TOURED[@]}" | sort -u)"
untoured="$(comm -23 <(echo "$documented") <(echo "$toured"))"
undocumented="$(comm -13 <(echo "$documented") <(echo "$toured"))"
if [ -z "$untoured" ] && [ -z "$undocumented" ]; then
  pass "Tour: all $(echo "$documented" | wc -l) operations of the document visited"
else
  fail "Tour: the tour and the document disagree"
  [ -z "$untoured" ] || sed 's/^/      not toured: /' <<<"$untoured"
  [ -z "$undocumented" ] || sed 's/^/      not in the document: /' <<<"$undocumented"
fi

echo "Contract check: $passed checks passed, $failed failed ($((SECONDS - START)) s)"
[ "$failed" = 0 ]
