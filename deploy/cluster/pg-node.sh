#!/bin/sh
# Entry point of the compose cluster profile's PostgreSQL containers: create the node on first start (monitor,
# or a data node registered with the monitor), then run it under pg_autoctl. Role from PG_ROLE (monitor|postgres).
set -e
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  if [ "$PG_ROLE" = monitor ]; then
    pg_autoctl create monitor --pgdata "$PGDATA" --hostname "$(hostname)" --auth trust --ssl-self-signed
  else
    pg_autoctl create postgres --pgdata "$PGDATA" --hostname "$(hostname)" --name "$(hostname)" --auth trust --ssl-self-signed --pg-hba-lan \
      --dbname production_tests --monitor "postgres://autoctl_node@pg-monitor:5432/pg_auto_failover?sslmode=require"
    pg_autoctl config set --pgdata "$PGDATA" timeout.network_partition_timeout 3
  fi
fi
exec pg_autoctl run --pgdata "$PGDATA"
