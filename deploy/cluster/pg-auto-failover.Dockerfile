# pg_auto_failover from Debian's packages, as deploy/cluster.sh runs it on a machine (docs/cluster.md):
# the same pg_autoctl 2.0 and PostgreSQL 15 for the monitor and both data nodes of the compose cluster profile.
FROM debian:12.8-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql-15 postgresql-15-auto-failover pg-auto-failover-cli \
 && rm -rf /var/lib/apt/lists/*
ENV PATH=/usr/lib/postgresql/15/bin:$PATH PGDATA=/var/lib/postgresql/data XDG_CONFIG_HOME=/var/lib/postgresql/data/.config XDG_DATA_HOME=/var/lib/postgresql/data/.local
COPY deploy/cluster/pg-node.sh /usr/local/bin/pg-node.sh
USER postgres
ENTRYPOINT ["/usr/local/bin/pg-node.sh"]
