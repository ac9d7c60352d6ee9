#!/usr/bin/env bash
# The fault suite (tools/fault-suite): steady load on the whole system while RabbitMQ is stopped, the
# scheduler and requests-api are SIGKILLed, PostgreSQL is restarted and tpas-stub answers 5xx; then
# checks that no accepted request was lost or duplicated. See README, "Fault suite".
#   deploy/fault-suite.sh [--short] [--rate N] [--duration S] [--faults LIST|all|none] [--keep] ...  (--help lists them)
# Starts PostgreSQL and RabbitMQ (deploy/local/*.sh, so PT_POSTGRES_PORT / PT_RABBITMQ_PORT /
# PT_RABBITMQ_MGMT_PORT choose their ports), builds the services and the suite in Release and runs it.
# Its services listen on 5180 (API), 5190 (stub) and 5191 (scheduler), so it runs beside deploy/run.sh;
# it works in a database and a RabbitMQ vhost of its own, dropped afterwards.
# Exit code: 0 nothing lost or duplicated, 1 something was, 2 the suite could not run.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$ROOT/.data/fault-suite"
TOOL="$ROOT/tools/fault-suite/bin/Release/net10.0/ProductionTests.FaultSuite.dll"
mkdir -p "$OUT"

build() {
  local project="$1" name
  name="$(basename "$project")"
  dotnet build "$ROOT/$project" -c Release -nologo -v q -clp:ErrorsOnly -p:WarningLevel=0 >"$OUT/build-$name.log" 2>&1 \
    || { cat "$OUT/build-$name.log"; exit 2; }
}

for arg in "$@"; do
  if [ "$arg" = "--help" ] || [ "$arg" = "-h" ]; then build tools/fault-suite; exec dotnet "$TOOL" --help; fi
done

echo "==> PostgreSQL and RabbitMQ"
"$ROOT/deploy/local/postgres.sh" start
"$ROOT/deploy/local/rabbitmq.sh" start
source "$ROOT/.data/env"

echo "==> Building (Release)"
for project in services/requests-api services/scheduler services/tpas-stub tools/fault-suite; do build "$project"; done

echo "==> Fault suite"
cd "$ROOT"
exec dotnet "$TOOL" --root "$ROOT" "$@"
