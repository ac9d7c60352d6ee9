#!/usr/bin/env bash
# The benchmark (tools/benchmark, issue 8): a single-INSERT baseline on the same Kestrel, POST throughput at
# 32 connections, create-to-scheduled latency at 200 requests/s, the sustained full-pipeline rate, a timed
# view rebuild over a bulk-filled store, POST throughput on a grown store and each service's peak memory;
# one table with the targets, and the same as JSON in .data/benchmark/result.json. See README, "Performance".
#   deploy/benchmark.sh [--quick] [--skip-sustained] [--skip-rebuild] [--skip-growth] [--keep] ...  (--help lists them)
# Starts PostgreSQL and RabbitMQ (deploy/local/*.sh), builds the services and the tool in Release and runs it.
# Its services listen on 5280 (API), 5290 (stub) and 5291 (scheduler), so it runs beside deploy/run.sh and
# the fault suite; it works in a database and a RabbitMQ vhost of its own, dropped afterwards.
# Exit code: 0 the benchmark ran (whether or not the targets were met), 2 it could not run.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$ROOT/.data/benchmark"
TOOL="$ROOT/tools/benchmark/bin/Release/net10.0/ProductionTests.Benchmark.dll"
mkdir -p "$OUT"

build() {
  local project="$1" name
  name="$(basename "$project")"
  dotnet build "$ROOT/$project" -c Release -nologo -v q -clp:ErrorsOnly -p:WarningLevel=0 >"$OUT/build-$name.log" 2>&1 \
    || { cat "$OUT/build-$name.log"; exit 2; }
}

for arg in "$@"; do
  if [ "$arg" = "--help" ] || [ "$arg" = "-h" ]; then build tools/benchmark; exec dotnet "$TOOL" --help; fi
done

echo "==> PostgreSQL and RabbitMQ"
"$ROOT/deploy/local/postgres.sh" start || exit 2
"$ROOT/deploy/local/rabbitmq.sh" start || exit 2
source "$ROOT/.data/env"

echo "==> Building (Release)"
for project in services/requests-api services/scheduler services/tpas-stub tools/benchmark; do build "$project"; done

echo "==> Benchmark"
cd "$ROOT"
exec dotnet "$TOOL" --root "$ROOT" "$@"
