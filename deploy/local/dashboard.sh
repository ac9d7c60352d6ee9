#!/usr/bin/env bash
# The standalone Aspire Dashboard (traces, metrics and logs over OTLP) for local runs:
#   deploy/local/dashboard.sh restore   restore it from NuGet (tools/dashboard; version in Directory.Packages.props)
#   deploy/local/dashboard.sh path      print the path of its executable (restoring it first)
#   deploy/local/dashboard.sh start     start it in the background unless it already answers
#   deploy/local/dashboard.sh env       print OTEL_EXPORTER_OTLP_ENDPOINT and Dashboard__Url as exports (eval them)
#   deploy/local/dashboard.sh stop      stop the one this script started on these ports
# It is unauthenticated (frontend, OTLP and its telemetry API), so it listens on 127.0.0.1 only: local runs only.
# Ports: PT_DASHBOARD_PORT (UI and /api/telemetry, 18888), PT_DASHBOARD_OTLP_PORT (OTLP/gRPC, 18889),
# PT_DASHBOARD_OTLP_HTTP_PORT (OTLP/HTTP, 18890); PT_DASHBOARD_OTLP_HOST (127.0.0.1) is where OTLP listens
# (deploy/cluster.sh: its bridge address, for the API in the network namespace). Log: .data/logs/dashboard-<port>.log.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PORT="${PT_DASHBOARD_PORT:-18888}"
OTLP_PORT="${PT_DASHBOARD_OTLP_PORT:-18889}"
OTLP_HTTP_PORT="${PT_DASHBOARD_OTLP_HTTP_PORT:-18890}"
OTLP_HOST="${PT_DASHBOARD_OTLP_HOST:-127.0.0.1}"
DATA="$ROOT/.data/dashboard"
PACKAGES="$DATA/packages"
PID_FILE="$DATA/$PORT.pid"
LOG="$ROOT/.data/logs/dashboard-$PORT.log"
mkdir -p "$DATA" "$ROOT/.data/logs"

version() { grep -o 'Include="Aspire.Dashboard.Sdk.linux-x64" Version="[^"]*"' "$ROOT/Directory.Packages.props" | cut -d'"' -f4; }
binary() { echo "$PACKAGES/aspire.dashboard.sdk.linux-x64/$(version)/tools/Aspire.Dashboard"; }

restore() {
  if [ ! -f "$(binary)" ]; then
    dotnet restore "$ROOT/tools/dashboard" --packages "$PACKAGES" -nologo -v q >"$DATA/restore.log" 2>&1 \
      || { cat "$DATA/restore.log"; exit 1; }
  fi
  chmod +x "$(binary)"   # NuGet does not keep the executable bit
}

answers() { curl -fs -o /dev/null "http://127.0.0.1:$PORT/api/telemetry/resources" 2>/dev/null; }

print_env() {
  echo "export OTEL_EXPORTER_OTLP_ENDPOINT='http://$OTLP_HOST:$OTLP_PORT'"
  echo "export Dashboard__Url='http://127.0.0.1:$PORT'"
}

start() {
  restore
  if answers; then echo "dashboard already answers on http://127.0.0.1:$PORT"; return; fi
  local dir; dir="$(dirname "$(binary)")"
  (cd "$dir" && exec env ASPNETCORE_URLS="http://127.0.0.1:$PORT" \
      ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL="http://$OTLP_HOST:$OTLP_PORT" \
      ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL="http://$OTLP_HOST:$OTLP_HTTP_PORT" \
      DASHBOARD__FRONTEND__AUTHMODE=Unsecured DASHBOARD__OTLP__AUTHMODE=Unsecured DASHBOARD__API__AUTHMODE=Unsecured \
      DOTNET_gcServer=0 ./Aspire.Dashboard) >"$LOG" 2>&1 &
  echo $! > "$PID_FILE"
  for _ in $(seq 1 60); do
    answers && { echo "dashboard on http://127.0.0.1:$PORT (OTLP/gRPC $OTLP_HOST:$OTLP_PORT; log: ${LOG#"$ROOT"/})"; return; }
    kill -0 "$(cat "$PID_FILE")" 2>/dev/null || { echo "the dashboard exited:"; tail -20 "$LOG"; exit 1; }
    sleep 0.5
  done
  echo "the dashboard does not answer after 30 s:"; tail -20 "$LOG"; exit 1
}

stop() {
  [ -s "$PID_FILE" ] || return 0
  local pid; pid="$(cat "$PID_FILE")"
  if grep -qs Aspire "/proc/$pid/comm"; then kill "$pid" 2>/dev/null || true; fi
  rm -f "$PID_FILE"
}

case "${1:-}" in
  restore) restore ;;
  path) restore; binary ;;
  start) start ;;
  env) print_env ;;
  stop) stop ;;
  *) echo "usage: $0 restore|path|start|stop" >&2; exit 64 ;;
esac
