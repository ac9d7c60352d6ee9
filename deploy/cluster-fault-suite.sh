#!/usr/bin/env bash
# The cluster fault suite (tools/fault-suite, mode `cluster`; docs/cluster.md): steady creates through HAProxy
# while, one after another, the API instance holding the relay leadership, the other one, a scheduler, the RabbitMQ
# node leading the quorum queue, another node and the PostgreSQL primary are SIGKILLed and one API instance is cut
# off PostgreSQL for 10 s; then checks that no accepted request was lost or duplicated, every one was scheduled,
# every queue is empty and every fault took effect.
#   deploy/cluster-fault-suite.sh [--short] [--rate N] [--slot S] [--faults LIST] [--keep]   (--help lists them)
# Uses the cluster of deploy/cluster.sh when it runs; otherwise starts it, and stops it afterwards unless --keep.
# Exit code: 0 every rule of the verdict held, 1 one broke, 2 the suite could not run.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$ROOT/.data/cluster-fault-suite"
TOOL="$ROOT/tools/fault-suite/bin/Release/net10.0/ProductionTests.FaultSuite.dll"
mkdir -p "$OUT"
keep="" args=()
for arg in "$@"; do if [ "$arg" = --keep ]; then keep=1; else args+=("$arg"); fi; done

dotnet build "$ROOT/tools/fault-suite" -c Release -nologo -v q -clp:ErrorsOnly -p:WarningLevel=0 >"$OUT/build.log" 2>&1 || { cat "$OUT/build.log"; exit 2; }
for arg in "${args[@]}"; do if [ "$arg" = --help ]; then exec dotnet "$TOOL" cluster --help; fi; done

started=""
if ! curl -fs -o /dev/null http://127.0.0.1:18080/health/ready 2>/dev/null; then
  echo "==> Starting the cluster (deploy/cluster.sh)"
  "$ROOT/deploy/cluster.sh" start >"$OUT/cluster-start.log" 2>&1 || { tail -30 "$OUT/cluster-start.log"; "$ROOT/deploy/cluster.sh" stop >/dev/null 2>&1 || true; exit 2; }
  started=1
fi
status=0
(cd "$ROOT" && dotnet "$TOOL" cluster --root "$ROOT" "${args[@]}") || status=$?
if [ -n "$started" ] && [ -z "$keep" ]; then "$ROOT/deploy/cluster.sh" stop >/dev/null; fi
exit "$status"
