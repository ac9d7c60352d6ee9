#!/usr/bin/env bash
# Runs every test: unit tests, the stub's tests, and integration tests against a real PostgreSQL
# and RabbitMQ that this script starts (unless ConnectionStrings__Postgres / ConnectionStrings__RabbitMq
# are set), after checking deploy/docker-compose.yml. Ends with one summary line.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RESULTS="$ROOT/.data/test-results"

"$ROOT/deploy/local/postgres.sh" start
"$ROOT/deploy/local/rabbitmq.sh" start
source "$ROOT/.data/env"
"$ROOT/deploy/local/validate-compose.sh"
# tests/dashboard: the trace dashboard (restored from NuGet) and a real browser, Debian's chromium, which
# Playwright drives at /usr/bin/chromium; Playwright never downloads a browser of its own.
"$ROOT/deploy/local/dashboard.sh" restore
if [ ! -x /usr/bin/chromium ]; then
  echo "chromium is not installed; installing Debian's chromium..." >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

rm -rf "$RESULTS"
status=0
dotnet test "$ROOT/Platform.sln" -c Release -nologo --results-directory "$RESULTS" --logger "trx" "$@" | tee "$RESULTS.log" || status=$?

# One closing line for people and CI alike, summed over the test projects.
awk '/(Passed|Failed)! +- +Failed:/ {
       for (i = 1; i <= NF; i++) { gsub(",", "", $(i+1)); if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) }
       runs++ }
     END { if (runs == 0) { print "Summary: no test run completed"; exit 1 }
           printf "Summary: %d passed, %d failed, %d skipped\n", p, f, s }' "$RESULTS.log" || status=1
exit $status
