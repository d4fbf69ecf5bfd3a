#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A pcn demo with real traffic: two hosts in their own network namespaces
# joined by a forwarder cube in a third, in XDP mode. Ping and a TCP
# transfer cross it, "pcn -s cube show" shows the counters; then a router
# cube takes its place and routes between two subnets, answering ARP and
# ICMP itself. Everything is torn down at the end (also on failure or
# Ctrl-C).
#
#   sudo make demo          or          sudo PCN=build/pcn scripts/demo.sh

set -euo pipefail

PCN=${PCN:-$(dirname "$0")/../build/pcn}
MODE=${MODE:-xdp}
H1=pcn-demo-h1
H2=pcn-demo-h2
R=pcn-demo-r
TMP=

say() { printf '\n\033[1m# %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

cleanup()
{
	set +e
	"$PCN" -n "$R" cube del fw0 2>/dev/null
	"$PCN" -n "$R" cube del r0 2>/dev/null
	ip netns del "$H1" 2>/dev/null
	ip netns del "$H2" 2>/dev/null
	ip netns del "$R" 2>/dev/null
	[ -z "$TMP" ] || rm -rf "$TMP"
	# the root pcn made, if nothing else is in it
	rmdir "${PCN_ROOT:-/sys/fs/bpf/pcn}" 2>/dev/null
}
trap cleanup EXIT

if [ "$(id -u)" != 0 ]; then
	echo "Error: the demo needs root (it creates namespaces and loads eBPF)" >&2
	exit 1
fi
cleanup
TMP=$(mktemp -d)

say "Three namespaces: hosts $H1 (10.77.0.1) and $H2 (10.77.0.2), and $R between them"
for ns in "$H1" "$H2" "$R"; do
	ip netns add "$ns"
	ip -n "$ns" link set lo up
done
ip -n "$R" link add p1 type veth peer name veth0 netns "$H1"
ip -n "$R" link add p2 type veth peer name veth0 netns "$H2"
for ns in "$H1" "$H2"; do
	ip -n "$ns" link set veth0 up
	# XDP_REDIRECT into a veth needs GRO on its peer; TCP checksums must
	# be finished before XDP sees the frame (see pcn-link(8))
	ip netns exec "$ns" ethtool -K veth0 gro on tx off >/dev/null
done
ip -n "$H1" addr add 10.77.0.1/24 dev veth0
ip -n "$H2" addr add 10.77.0.2/24 dev veth0
ip -n "$R" link set p1 up
ip -n "$R" link set p2 up

say "A forwarder cube in $R, its ports on p1 and p2, forwarding both ways"
run "$PCN" -n "$R" cube add fw0 type forwarder mode "$MODE"
run "$PCN" -n "$R" link add fw0:p1 dev p1
run "$PCN" -n "$R" link add fw0:p2 dev p2
run "$PCN" -n "$R" cube set fw0 port p1 action forward p2 port p2 action forward p1
run "$PCN" -n "$R" link show

say "Traffic: ping, then 5 MB over TCP, from $H1 to $H2"
run ip netns exec "$H1" ping -c 4 -i 0.2 10.77.0.2
head -c 5000000 /dev/urandom >"$TMP/send"
ip netns exec "$H2" timeout 30 socat -u TCP-LISTEN:7777,reuseaddr \
	CREATE:"$TMP/recv" &
for _ in $(seq 50); do
	ip netns exec "$H2" ss -Htln 'sport = :7777' | grep -q . && break
	sleep 0.1
done
run ip netns exec "$H1" socat -u FILE:"$TMP/send" TCP:10.77.0.2:7777
wait
cmp "$TMP/send" "$TMP/recv" && echo "5000000 bytes arrived intact"

say "The counters, read back from the kernel"
run "$PCN" -n "$R" -s cube show
run "$PCN" -n "$R" -j -s cube show fw0

say "Dropping what enters p1: the ping fails, the drop counter grows"
run "$PCN" -n "$R" cube set fw0 port p1 action drop
ip netns exec "$H1" ping -c 2 -i 0.2 -W 1 10.77.0.2 || true
run "$PCN" -n "$R" -s cube show fw0

say "A router instead: $H1 on 10.77.1.0/24, $H2 on 10.77.2.0/24"
run "$PCN" -n "$R" cube del fw0
ip -n "$H1" addr flush dev veth0
ip -n "$H2" addr flush dev veth0
ip -n "$H1" addr add 10.77.1.2/24 dev veth0
ip -n "$H2" addr add 10.77.2.2/24 dev veth0
ip -n "$H1" route add default via 10.77.1.1
ip -n "$H2" route add default via 10.77.2.1
run "$PCN" -n "$R" cube add r0 type router mode "$MODE"
run "$PCN" -n "$R" link add r0:p1 dev p1
run "$PCN" -n "$R" link add r0:p2 dev p2
run "$PCN" -n "$R" addr add 10.77.1.1/24 port r0:p1
run "$PCN" -n "$R" addr add 10.77.2.1/24 port r0:p2
run "$PCN" -n "$R" route show

say "Traffic through the router: it answers ARP and resolves $H2 itself"
# the first packet to an unknown next hop becomes the router's ARP request
ip netns exec "$H1" ping -c 1 -W 1 10.77.2.2 >/dev/null || true
run ip netns exec "$H1" ping -c 3 -i 0.2 10.77.2.2
run ip netns exec "$H1" ping -c 1 -W 1 10.77.9.9 || true
run "$PCN" -n "$R" neigh show
run "$PCN" -n "$R" -s cube show r0

say "Tearing down"
run "$PCN" -n "$R" cube del r0
run "$PCN" -n "$R" cube show
echo "demo done"
