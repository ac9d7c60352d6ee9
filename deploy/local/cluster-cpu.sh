#!/usr/bin/env bash
# CPU seconds (user + system) used so far by each part of deploy/cluster.sh's cluster: every live process of the
# part's session (its pid file), and for PostgreSQL also every live child of the postmaster (backends put
# themselves in sessions of their own); processes that have exited are not counted. Run it before
# and after a load and subtract (docs/cluster.md, capacity model).
#   deploy/local/cluster-cpu.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TICK="$(getconf CLK_TCK)"
session_cpu() {
  local sid="$1" parent="${2:-none}" total=0 stat
  for stat in /proc/[0-9]*/stat; do
    # after "comm) ": state ppid pgrp session ... utime (12th) stime (13th)
    { read -r line <"$stat"; } 2>/dev/null || continue
    local rest="${line##*) }"
    set -- $rest
    [ "${4:-}" = "$sid" ] || [ "${2:-}" = "$parent" ] || continue
    total=$((total + ${12} + ${13}))
  done
  echo "scale=2; $total / $TICK" | bc
}
for part in api-1 api-2 scheduler-1 scheduler-2 tpas-stub haproxy; do
  f="$ROOT/.data/cluster/run/$part.pid"; [ -s "$f" ] && echo "$part $(session_cpu "$(cat "$f")")"
done
for node in c1 c2 c3; do f="$ROOT/.data/cluster/rabbitmq/$node.pid"; [ -s "$f" ] && echo "rabbit-$node $(session_cpu "$(cat "$f")")"; done
for node in monitor node1 node2; do
  f="$ROOT/.data/cluster/pg/$node.pid"; [ -s "$f" ] || continue
  postmaster="$(head -1 "$ROOT/.data/cluster/pg/$node/postmaster.pid" 2>/dev/null || echo none)"
  echo "pg-$node $(session_cpu "$(cat "$f")" "$postmaster")"
done
