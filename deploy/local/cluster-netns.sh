#!/usr/bin/env bash
# The network namespace one requests-api instance of deploy/cluster.sh runs in, so a fault can really cut
# it off PostgreSQL (a DROP rule inside its namespace) while the others keep their network.
#   deploy/local/cluster-netns.sh up|down|cut SECONDS PORT...|status
# Host side $PT_CLUSTER_NET.1 (default 10.231.0.1), namespace side .2, namespace ptc-api2.
set -euo pipefail
NET="${PT_CLUSTER_NET:-10.231.0}"
NS="${PT_CLUSTER_NETNS:-ptc-api2}"
HOST_IF="${NS}-h"   # at most 15 characters
NS_IF="${NS}-n"

up() {
  if ! command -v iptables >/dev/null 2>&1; then
    echo "iptables is not installed (the cut's DROP rules need it); installing Debian's iptables..." >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq iptables >/dev/null
  fi
  ip netns list | grep -qw "$NS" || ip netns add "$NS"
  if ! ip link show "$HOST_IF" >/dev/null 2>&1; then
    ip link add "$HOST_IF" type veth peer name "$NS_IF"
    ip link set "$NS_IF" netns "$NS"
    ip addr add "$NET.1/24" dev "$HOST_IF"
    ip link set "$HOST_IF" up
    ip netns exec "$NS" ip addr add "$NET.2/24" dev "$NS_IF"
    ip netns exec "$NS" ip link set "$NS_IF" up
    ip netns exec "$NS" ip link set lo up
  fi
}

down() {
  ip link del "$HOST_IF" 2>/dev/null || true
  ip netns del "$NS" 2>/dev/null || true
}

# Packets from the namespace to these host ports are dropped (not refused: a silent partition) for SECONDS.
cut() {
  local seconds="$1"; shift
  local port
  for port in "$@"; do ip netns exec "$NS" iptables -I OUTPUT -p tcp -d "$NET.1" --dport "$port" -j DROP; done
  sleep "$seconds"
  for port in "$@"; do ip netns exec "$NS" iptables -D OUTPUT -p tcp -d "$NET.1" --dport "$port" -j DROP; done
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  cut) shift; cut "$@" ;;
  status) ip netns exec "$NS" iptables -S OUTPUT 2>/dev/null; ip -br addr show "$HOST_IF" 2>/dev/null || echo "no $HOST_IF" ;;
  *) echo "usage: $0 up|down|cut SECONDS PORT...|status" >&2; exit 2 ;;
esac
