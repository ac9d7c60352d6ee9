#!/usr/bin/env bash
# The fault suite (tools/fault-suite): steady load on the whole system while RabbitMQ and PostgreSQL are
# stopped or SIGKILLed, the scheduler and requests-api are SIGKILLed and tpas-stub answers 5xx or loses
# its answers; then checks that no accepted request was lost or duplicated and that every fault was seen
# to happen. See README, "Fault suite", and docs/reliability.md.
#   deploy/fault-suite.sh [--short] [--rate N] [--duration S] [--faults LIST|all|none] [--keep] ...  (--help lists them)
# deploy/local/tool.sh starts PostgreSQL and RabbitMQ (PT_POSTGRES_PORT / PT_RABBITMQ_PORT /
# PT_RABBITMQ_MGMT_PORT choose their ports), builds the services and the suite in Release and runs it.
# Its services listen on 5180 (API), 5190 (stub) and 5191 (scheduler), so it runs beside deploy/run.sh;
# it works in a database and a RabbitMQ vhost of its own, dropped afterwards.
# Exit code: 0 every rule of the verdict held, 1 one broke, 2 the suite could not run.
exec "$(dirname "${BASH_SOURCE[0]}")/local/tool.sh" fault-suite ProductionTests.FaultSuite "Fault suite" "$@"
