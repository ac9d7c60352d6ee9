#!/usr/bin/env bash
# Validates deploy/docker-compose.yml without a Docker engine: with Debian's docker-compose (1.29,
# installed with apt-get when missing) and, when the CLI plugin is there, with `docker compose` v2 too.
#   deploy/local/validate-compose.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
FILE="$ROOT/deploy/docker-compose.yml"

if ! command -v docker-compose >/dev/null 2>&1; then
  echo "docker-compose is not installed; installing Debian's docker-compose package..." >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >/dev/null
fi

checked="docker-compose $(docker-compose version --short 2>/dev/null || echo 1)"
docker-compose -f "$FILE" config -q || { echo "deploy/docker-compose.yml is invalid (docker-compose)" >&2; exit 1; }
if docker compose version >/dev/null 2>&1; then
  docker compose -f "$FILE" config -q || { echo "deploy/docker-compose.yml is invalid (docker compose)" >&2; exit 1; }
  checked="$checked and docker compose $(docker compose version --short 2>/dev/null)"
fi
# The images build with the SDK global.json names.
sdk="$(sed -n 's/.*"version": *"\([^"]*\)".*/\1/p' "$ROOT/global.json" | head -1)"
for dockerfile in "$ROOT"/services/*/Dockerfile; do
  grep -q "^FROM mcr.microsoft.com/dotnet/sdk:$sdk " "$dockerfile" \
    || { echo "${dockerfile#$ROOT/}: its SDK image is not sdk:$sdk, the SDK global.json names" >&2; exit 1; }
  grep -q "^COPY services/Directory.Build.props services/" "$dockerfile" \
    || { echo "${dockerfile#$ROOT/}: does not copy services/Directory.Build.props (the runtime settings the figures depend on)" >&2; exit 1; }
done
# The dashboard image is the version run.sh restores from NuGet.
dashboard="$(grep -o 'Include="Aspire.Dashboard.Sdk.linux-x64" Version="[^"]*"' "$ROOT/Directory.Packages.props" | cut -d'"' -f4)"
grep -q "image: mcr.microsoft.com/dotnet/aspire-dashboard:$dashboard\$" "$FILE" \
  || { echo "deploy/docker-compose.yml: the dashboard image is not aspire-dashboard:$dashboard (Directory.Packages.props)" >&2; exit 1; }

echo "deploy/docker-compose.yml is valid ($checked; services: $(docker-compose -f "$FILE" config --services | tr '\n' ' ' | sed 's/ $//'))"
