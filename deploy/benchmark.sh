#!/usr/bin/env bash
# The benchmark (tools/benchmark, issue 8): a single-INSERT baseline on the same Kestrel, POST throughput at
# 32 connections, create-to-scheduled latency at 200 requests/s, the sustained full-pipeline rate, a timed
# view rebuild over a bulk-filled store, POST throughput on a grown store and each service's peak memory;
# one table with the targets, and the same as JSON in .data/benchmark/result.json. See README, "Performance".
#   deploy/benchmark.sh [--quick] [--skip-sustained] [--skip-rebuild] [--skip-growth] [--keep] ...  (--help lists them)
# deploy/local/tool.sh starts PostgreSQL and RabbitMQ, builds the services and the tool in Release and runs it.
# Its services listen on 5280 (API), 5290 (stub) and 5291 (scheduler), so it runs beside deploy/run.sh and
# the fault suite; it works in a database and a RabbitMQ vhost of its own, dropped afterwards.
# Exit code: 0 the benchmark ran (whether or not the targets were met), 2 it could not run.
exec "$(dirname "${BASH_SOURCE[0]}")/local/tool.sh" benchmark ProductionTests.Benchmark Benchmark "$@"
