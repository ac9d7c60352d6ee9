#!/usr/bin/env bash
# Runs one of the tools that drive the whole system (deploy/fault-suite.sh, deploy/benchmark.sh):
#   deploy/local/tool.sh <tool directory under tools/> <assembly name> <title> [tool arguments...]
# Starts PostgreSQL and RabbitMQ (deploy/local/*.sh, so PT_POSTGRES_PORT / PT_RABBITMQ_PORT /
# PT_RABBITMQ_MGMT_PORT choose their ports), builds the services and the tool in Release (build logs in
# .data/<tool>/) and runs it from the checkout. --help only builds the tool and prints its usage.
# Exit code 2 when the servers or a build fail (the tools' own "could not run").
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TOOL_DIR="$1" ASSEMBLY="$2" TITLE="$3"; shift 3
OUT="$ROOT/.data/$TOOL_DIR"
TOOL="$ROOT/tools/$TOOL_DIR/bin/Release/net10.0/$ASSEMBLY.dll"
mkdir -p "$OUT"

build() {
  local project="$1" name
  name="$(basename "$project")"
  dotnet build "$ROOT/$project" -c Release -nologo -v q -clp:ErrorsOnly -p:WarningLevel=0 >"$OUT/build-$name.log" 2>&1 \
    || { cat "$OUT/build-$name.log"; exit 2; }
}

for arg in "$@"; do
  if [ "$arg" = "--help" ] || [ "$arg" = "-h" ]; then build "tools/$TOOL_DIR"; exec dotnet "$TOOL" --help; fi
done

echo "==> PostgreSQL and RabbitMQ"
"$ROOT/deploy/local/postgres.sh" start || exit 2
"$ROOT/deploy/local/rabbitmq.sh" start || exit 2
source "$ROOT/.data/env"

echo "==> Building (Release)"
for project in services/requests-api services/scheduler services/tpas-stub services/webhook-receiver "tools/$TOOL_DIR"; do build "$project"; done

echo "==> $TITLE"
cd "$ROOT"
exec dotnet "$TOOL" --root "$ROOT" "$@"
