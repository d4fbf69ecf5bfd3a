#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# pcn benchmarks: every figure is a ratio against a baseline measured in
# the same run, A/B/A/B interleaved, median of the rounds' ratios.
#
#   run.sh [--quick] [--shared] [--rounds N] [--seconds S] [SCENARIO...]
#
# Throughput: a generator namespace sends 64-byte UDP frames (spread over
# 256 source addresses and 64 destination ports) into veth g0; its peer r1
# is the device under test's ingress in namespace DUT, r2 its egress, and
# the sink counts what arrives on s0 (see tools/pcn-bench.c). Without a
# NIC, a veth's receive work runs where its frames were sent: r1's NAPI
# is made threaded and its thread pinned to one CPU (the DUT's), the
# generator to another, so the DUT's CPU does what a NIC queue's would:
# receive, forward, transmit (and the sink's drop, on both sides of
# every comparison). --shared leaves all of it on the generator's CPU
# (the method before; every XDP figure is then capped by the
# generator's own cost). Only ratios carry over between runs.
#
# Adding a scenario: a function scen_NAME that calls "measure" for each
# variant (see the existing ones), and its name in SCENARIOS.

set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/../../.." && pwd)
PCN=${PCN:-$TOP/build/pcn}
BUILD=${PCN_BUILD:-$TOP/build}
BENCH=$BUILD/tools/pcn-bench
ROUNDS=3
SECS=2
QUICK=
SHARED=
GEN_CPU=0
DUT_CPU=1
SCENARIOS=(floor forwarder_xdp forwarder_tc chain bridge flood router
	   router_fib firewall fw_rules micro hops control cubeadd save fw_import ddos lbdsr metrics probe capture)

while [ $# -gt 0 ]; do
	case $1 in
	--quick) QUICK=1; SECS=0.4; shift ;;
	--shared) SHARED=1; shift ;;
	--rounds) ROUNDS=$2; shift 2 ;;
	--seconds) SECS=$2; shift 2 ;;
	-*) echo "Usage: $0 [--quick] [--shared] [--rounds N] [--seconds S] [SCENARIO...]" >&2
	    exit 1 ;;
	*) break ;;
	esac
done
[ $# -gt 0 ] && SCENARIOS=("$@")

if [ "$(id -u)" != 0 ]; then
	echo "Error: benchmarks need root" >&2
	exit 1
fi
if [ -z "$SHARED" ] && [ "$(nproc)" -lt 2 ]; then
	echo "# one CPU: generator and DUT share it (--shared)" >&2
	SHARED=1
fi
for f in "$PCN" "$BENCH"; do
	[ -x "$f" ] || { echo "Error: $f is not built (make tests)" >&2; exit 1; }
done

ID=$(printf '%x' $$)
NS_G=pcnb-$ID-gen
NS_D=pcnb-$ID-dut
NS_S=pcnb-$ID-sink
BPFFS=$(mktemp -d /tmp/pcn-bench.XXXXXX)
export PCN_ROOT=$BPFFS/pcn
RESULTS=$(mktemp)

cleanup()
{
	set +e
	for ns in "$NS_G" "$NS_D" "$NS_S" "$NS_D-c"; do
		ip netns del "$ns" 2>/dev/null
	done
	umount "$BPFFS" 2>/dev/null
	rmdir "$BPFFS" 2>/dev/null
	# the scenarios' files beside it, when one failed half-way
	rm -f "$RESULTS" "$BPFFS.routes" "$BPFFS.rules" "$BPFFS.save" \
		"$BPFFS.nft"
}
trap cleanup EXIT
mount -t bpf bpf "$BPFFS"

# dut_link_add ARGS...: "pcn -n DUT link add ARGS". The veth warnings
# it gives are about the generator's and the sink's ends, which run XDP
# of their own once measuring starts: not news in a benchmark's output.
dut_link_add()
{
	"$PCN" -n "$NS_D" link add "$@" 2> >(grep -v '^Warning: .* is a veth' >&2)
}

topology()
{
	local ns

	for ns in "$NS_G" "$NS_D" "$NS_S"; do
		ip netns add "$ns"
		ip -n "$ns" link set lo up
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
	done
	ip -n "$NS_G" link add g0 type veth peer name r1 netns "$NS_D"
	ip -n "$NS_D" link add r2 type veth peer name s0 netns "$NS_S"
	ip -n "$NS_G" link set g0 up
	ip -n "$NS_D" link set r1 up
	ip -n "$NS_D" link set r2 up
	ip -n "$NS_S" link set s0 up
	# frames XDP_TX'd into r1 need NAPI there when r1 runs no XDP
	ip netns exec "$NS_D" ethtool -K r1 gro on >/dev/null
	[ -n "$SHARED" ] && return
	ip netns exec "$NS_D" sh -c 'echo 1 > /sys/class/net/r1/threaded'
}

# pin_dut: r1's NAPI thread to the DUT's CPU. The thread lives as long
# as r1's NAPI (GRO keeps it across XDP attach and detach); pinned
# before every measurement all the same.
pin_dut()
{
	local pid n=0

	[ -n "$SHARED" ] && return
	for pid in $(pgrep -x 'napi/r1-[0-9]+'); do
		taskset -pc "$DUT_CPU" "$pid" >/dev/null
		n=$((n + 1))
	done
	if [ "$n" = 0 ]; then
		echo "Error: r1 has no NAPI thread to pin" >&2
		return 1
	fi
}

median()
{
	sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2];
		else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# gen [EXTRA...]: one measurement, rx packets/s at the sink (or the DUT)
gen()
{
	local cpu=()

	pin_dut
	[ -z "$SHARED" ] && cpu=(taskset -c "$GEN_CPU")
	"${cpu[@]}" "$BENCH" run gen "$NS_G" g0 seconds "$SECS" flows 16384 \
		src 10.200.0.1/256 dport 1000/64 "$@" | jq '.rx_pps'
}

# Variants: setup_X / teardown_X and how to measure them.
setup_pcn_fwd()
{
	"$PCN" -n "$NS_D" cube add bfw type forwarder mode "$1"
	dut_link_add bfw:p1 dev r1
	dut_link_add bfw:p2 dev r2
	"$PCN" -n "$NS_D" cube set bfw port p1 action forward p2
}

teardown_pcn_fwd()
{
	"$PCN" -n "$NS_D" cube del bfw
}

# three forwarders in a row, linked cube to cube: r1 -> c1 -> c2 -> c3 -> r2
setup_pcn_chain3()
{
	local c

	for c in c1 c2 c3; do
		"$PCN" -n "$NS_D" cube add "$c" type forwarder mode "$1"
	done
	dut_link_add c1:p1 dev r1
	dut_link_add c1:x peer c2:y
	dut_link_add c2:z peer c3:w
	dut_link_add c3:p2 dev r2
	"$PCN" -n "$NS_D" cube set c1 port p1 action forward x
	"$PCN" -n "$NS_D" cube set c2 port y action forward z
	"$PCN" -n "$NS_D" cube set c3 port w action forward p2
}

teardown_pcn_chain3()
{
	"$PCN" -n "$NS_D" cube del c1
	"$PCN" -n "$NS_D" cube del c2
	"$PCN" -n "$NS_D" cube del c3
}

# the generator's destination MAC, known on the sink's side
DMAC=02:00:00:00:00:02

setup_bridge()
{
	ip -n "$NS_D" link add br0 type bridge
	ip -n "$NS_D" link set r1 master br0
	ip -n "$NS_D" link set r2 master br0
	ip -n "$NS_D" link set br0 up
	bridge -n "$NS_D" fdb add "$DMAC" dev r2 master static
}

setup_pcn_bridge()
{
	"$PCN" -n "$NS_D" cube add bbr type bridge mode "$1"
	dut_link_add bbr:p1 dev r1
	dut_link_add bbr:p2 dev r2
	"$PCN" -n "$NS_D" fdb add "$DMAC" port bbr:p2
}

teardown_pcn_bridge()
{
	"$PCN" -n "$NS_D" cube del bbr
}

# flooding bridges: the destination unknown, out of p2 to r2, or out of
# port x into forwarder bf, which sends it on to r2
setup_pcn_flood()
{
	"$PCN" -n "$NS_D" cube add bbr type bridge mode "$1"
	dut_link_add bbr:p1 dev r1
	if [ "$2" = cube ]; then
		"$PCN" -n "$NS_D" cube add bf type forwarder mode "$1"
		dut_link_add bbr:x peer bf:y
		dut_link_add bf:p2 dev r2
		"$PCN" -n "$NS_D" cube set bf port y action forward p2
	else
		dut_link_add bbr:p2 dev r2
	fi
}

teardown_pcn_flood()
{
	"$PCN" -n "$NS_D" cube del bbr
	"$PCN" -n "$NS_D" cube del bf 2>/dev/null || true
}

teardown_bridge()
{
	ip -n "$NS_D" link del br0
}

# Routing: the generator's frames go to r1's MAC, from 10.200.0.0/24 to
# 10.202.0.0/24, routed via 10.201.0.2 (the sink, a static neighbour)
# out of r2. $2: also that many other /24 routes (11.x.y.0, 12.x.y.0).
RT_EXTRA=100000

route_lines()
{
	local n=$1 i

	for ((i = 0; i < n; i++)); do
		printf '%s 1%d.%d.%d.0/24 via 10.201.0.2%s\n' "$2" \
			$((1 + i / 65536)) $((i / 256 % 256)) $((i % 256)) "${3:-}"
	done
}

setup_pcn_router()
{
	local smac

	smac=$(ip -n "$NS_S" -j link show dev s0 | jq -r '.[0].address')
	"$PCN" -n "$NS_D" cube add brt type router mode "$1"
	dut_link_add brt:p1 dev r1
	dut_link_add brt:p2 dev r2
	{
		echo "addr add 10.200.255.1/16 port brt:p1"
		echo "addr add 10.201.0.1/24 port brt:p2"
		echo "neigh add 10.201.0.2 lladdr $smac port brt:p2"
		echo "route add 10.202.0.0/16 via 10.201.0.2 cube brt"
		route_lines "${2:-0}" "route add" " cube brt"
	} | "$PCN" -n "$NS_D" -batch -
}

teardown_pcn_router()
{
	"$PCN" -n "$NS_D" cube del brt
}

setup_linux_router()
{
	local smac

	smac=$(ip -n "$NS_S" -j link show dev s0 | jq -r '.[0].address')
	ip netns exec "$NS_D" sysctl -qw net.ipv4.ip_forward=1 \
		net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.r1.rp_filter=0
	{
		echo "addr add 10.200.255.1/16 dev r1"
		echo "addr add 10.201.0.1/24 dev r2"
		echo "neigh add 10.201.0.2 lladdr $smac dev r2 nud permanent"
		echo "route add 10.202.0.0/16 via 10.201.0.2"
		route_lines "${1:-0}" "route add"
	} | ip -n "$NS_D" -batch -
}

teardown_linux_router()
{
	ip -n "$NS_D" route flush proto static
	ip -n "$NS_D" addr flush dev r1
	ip -n "$NS_D" addr flush dev r2
	ip -n "$NS_D" neigh flush dev r2 nud permanent
	ip netns exec "$NS_D" sysctl -qw net.ipv4.ip_forward=0
}

# pcn's router with "fib kernel" on the Linux router's configuration:
# the kernel's table and neighbour, pcn's datapath
setup_pcn_router_fib()
{
	setup_linux_router
	"$PCN" -n "$NS_D" cube add brt type router mode "$1" fib kernel
	dut_link_add brt:p1 dev r1
	dut_link_add brt:p2 dev r2
}

teardown_pcn_router_fib()
{
	teardown_pcn_router
	teardown_linux_router
}

# Firewalls: the router of above with the 959 rules of ClassBench's
# acl1 1k set (acl1_1k_seed1, in tools/testing/selftests/pcn) on its
# way in; the generator's packets match none of them, so each one is
# checked against all of them and accepted by the policy (nftables
# walks the list; pcn's search does not).
CB=${CB:-/work/shared/data/classbench}
CBPY=$TOP/tools/testing/selftests/pcn/classbench.py

# setup_pcn_fw MODE CONNTRACK
setup_pcn_fw()
{
	setup_pcn_router "$1"
	"$PCN" -n "$NS_D" cube add bfwl type firewall mode "$1" conntrack "$2"
	dut_link_add bfwl port brt:p1 ingress
	python3 "$CBPY" rules "$CB/acl1_1k_seed1.rules" bfwl ingress |
		"$PCN" -n "$NS_D" -batch -
}

teardown_pcn_fw()
{
	"$PCN" -n "$NS_D" cube del bfwl
	teardown_pcn_router
}

# setup_linux_fw {iptables|nft|nft-ct}: nft-ct has connection tracking
# on, by a first rule that drops invalid packets (none of the
# generator's is)
setup_linux_fw()
{
	setup_linux_router
	if [ "$1" = iptables ]; then
		python3 "$CBPY" iptables "$CB/acl1_1k_seed1.rules" |
			ip netns exec "$NS_D" iptables-restore
	else
		python3 "$CBPY" nft "$CB/acl1_1k_seed1.rules" |
			ip netns exec "$NS_D" nft -f -
	fi
	if [ "$1" = nft-ct ]; then
		ip netns exec "$NS_D" nft insert rule ip pcnbench filter \
			ct state invalid drop
	fi
}

teardown_linux_fw()
{
	ip netns exec "$NS_D" iptables -F FORWARD 2>/dev/null
	ip netns exec "$NS_D" nft flush ruleset
	teardown_linux_router
}

gen_routed()
{
	gen sink "$NS_S" s0 dst 10.202.0.1/256 \
		dmac "$(ip -n "$NS_D" -j link show dev r1 | jq -r '.[0].address')"
}

# measure_variant NAME: one measurement of a named variant
# An lbdsr between r1 (frontend) and r2 (backend): the generator's 64
# destination ports at 10.201.0.1 are 64 UDP services, each with one
# backend, the sink (s0's MAC); with "$2" more services elsewhere (the
# cost of a larger service table).
setup_pcn_lbdsr()
{
	local smac p

	smac=$(ip -n "$NS_S" -j link show dev s0 | jq -r '.[0].address')
	"$PCN" -n "$NS_D" cube add blb type lbdsr mode "$1"
	dut_link_add blb:fe dev r1
	dut_link_add blb:be dev r2
	"$PCN" -n "$NS_D" cube set blb frontend fe backend be
	for ((p = 1000; p < 1064; p++)); do
		echo "service add cube blb vip 10.201.0.1 port $p proto udp"
		echo "backend add cube blb vip 10.201.0.1 port $p proto udp addr 10.201.0.2 mac $smac"
	done >"$BPFFS.lb"
	for ((p = 0; p < ${2:-0}; p++)); do
		echo "service add cube blb vip 10.202.$((p / 250)).$((p % 250 + 1)) port 80 proto tcp"
	done >>"$BPFFS.lb"
	"$PCN" -n "$NS_D" -batch "$BPFFS.lb"
	rm -f "$BPFFS.lb"
}

teardown_pcn_lbdsr()
{
	"$PCN" -n "$NS_D" cube del blb
}

measure_variant()
{
	case $1 in
	"xdp drop") gen dut "$NS_D" r1 drop ;;
	"xdp redirect") gen sink "$NS_S" s0 dut "$NS_D" r1 redirect r2 ;;
	"xdp redirect, eth") gen sink "$NS_S" s0 dut "$NS_D" r1 redirect-eth r2 ;;
	"tc redirect") gen sink "$NS_S" s0 dut "$NS_D" r1 tcredirect r2 ;;
	"pcn forwarder xdp")
		setup_pcn_fwd xdp
		gen sink "$NS_S" s0
		teardown_pcn_fwd ;;
	"pcn forwarder tc")
		setup_pcn_fwd tc
		gen sink "$NS_S" s0
		teardown_pcn_fwd ;;
	"pcn fwd+dynmon xdp")
		setup_pcn_dynmon xdp ""
		gen sink "$NS_S" s0
		teardown_pcn_dynmon ;;
	"pcn fwd+dynmon+l4proto xdp")
		setup_pcn_dynmon xdp "$TOP/examples/probes/l4proto.c"
		gen sink "$NS_S" s0
		teardown_pcn_dynmon ;;
	"pcn 3 forwarders xdp")
		setup_pcn_chain3 xdp
		gen sink "$NS_S" s0
		teardown_pcn_chain3 ;;
	"pcn 3 forwarders tc")
		setup_pcn_chain3 tc
		gen sink "$NS_S" s0
		teardown_pcn_chain3 ;;
	"pcn bridge xdp")
		setup_pcn_bridge xdp
		gen sink "$NS_S" s0
		teardown_pcn_bridge ;;
	"pcn bridge tc")
		setup_pcn_bridge tc
		gen sink "$NS_S" s0
		teardown_pcn_bridge ;;
	"pcn flood xdp"|"pcn flood tc"|"pcn flood to cube xdp"|"pcn flood to cube tc")
		local m=${1##* } to=dev
		[[ $1 == *cube* ]] && to=cube
		setup_pcn_flood "$m" "$to"
		gen sink "$NS_S" s0 dmac 02:00:00:00:00:99
		teardown_pcn_flood ;;
	"linux bridge flood")
		setup_bridge
		gen sink "$NS_S" s0 dmac 02:00:00:00:00:99
		teardown_bridge ;;
	"pcn router xdp")
		setup_pcn_router xdp
		gen_routed
		teardown_pcn_router ;;
	"pcn router tc")
		setup_pcn_router tc
		gen_routed
		teardown_pcn_router ;;
	"pcn router fib xdp"|"pcn router fib tc")
		setup_pcn_router_fib "${1##* }"
		gen_routed
		teardown_pcn_router_fib ;;
	"pcn router xdp +100k")
		setup_pcn_router xdp "$RT_EXTRA"
		gen_routed
		teardown_pcn_router ;;
	"linux router")
		setup_linux_router
		gen_routed
		teardown_linux_router ;;
	"pcn router+firewall xdp")
		setup_pcn_fw xdp off
		gen_routed
		teardown_pcn_fw ;;
	"pcn router+firewall tc")
		setup_pcn_fw tc off
		gen_routed
		teardown_pcn_fw ;;
	"pcn router+firewall+ct xdp")
		setup_pcn_fw xdp on
		gen_routed
		teardown_pcn_fw ;;
	"linux router+nft+ct")
		setup_linux_fw nft-ct
		gen_routed
		teardown_linux_fw ;;
	"linux router+iptables")
		setup_linux_fw iptables
		gen_routed
		teardown_linux_fw ;;
	"linux router+nft")
		setup_linux_fw nft
		gen_routed
		teardown_linux_fw ;;
	"linux router +100k")
		setup_linux_router "$RT_EXTRA"
		gen_routed
		teardown_linux_router ;;
	"pcn lbdsr xdp"|"pcn lbdsr tc")
		setup_pcn_lbdsr "${1##* }"
		gen sink "$NS_S" s0
		teardown_pcn_lbdsr ;;
	"pcn lbdsr xdp +936 services")
		setup_pcn_lbdsr xdp 936
		gen sink "$NS_S" s0
		teardown_pcn_lbdsr ;;
	"linux bridge")
		setup_bridge
		gen sink "$NS_S" s0
		teardown_bridge ;;
	"pcn forwarder tc +capture")
		setup_pcn_fwd tc
		cap_start pcn
		gen sink "$NS_S" s0
		cap_end >/dev/null
		teardown_pcn_fwd ;;
	"pcn capture tc, captured")
		setup_pcn_fwd tc
		cap_start pcn
		gen sink "$NS_S" s0 >/dev/null
		cap_end
		teardown_pcn_fwd ;;
	"tcpdump -w, captured")
		setup_pcn_fwd tc
		cap_start tcpdump
		gen sink "$NS_S" s0 >/dev/null
		cap_end
		teardown_pcn_fwd ;;
	*) echo "unknown variant $1" >&2; return 1 ;;
	esac
}

# measure SCENARIO UNIT A B: A/B/A/B... ROUNDS times; the medians of A
# and of B, and the median of the rounds' A/B ratios: the VM's speed
# drifts by up to 2x over tens of seconds, and each round's pair is
# measured within seconds of each other.
measure()
{
	local scen=$1 unit=$2 a=$3 b=$4 i va=() vb=() vr=() ma mb

	for ((i = 0; i < ROUNDS; i++)); do
		va+=("$(measure_variant "$a")")
		vb+=("$(measure_variant "$b")")
		vr+=("$(awk -v x="${va[i]}" -v y="${vb[i]}" 'BEGIN { print y ? x / y : 0 }')")
	done
	ma=$(printf '%s\n' "${va[@]}" | median)
	mb=$(printf '%s\n' "${vb[@]}" | median)
	report "$scen" "$unit" "$a" "$ma" "$b" "$mb" \
		"$(printf '%s\n' "${vr[@]}" | median)"
}

# report SCENARIO UNIT A VALUE_A B VALUE_B [RATIO]: one line of the
# table (RATIO: VALUE_A / VALUE_B unless given)
report()
{
	local scen=$1 unit=$2 a=$3 ma=$4 b=$5 mb=$6 scale=1 ratio

	[ "$unit" = Mpps ] && scale=1000000
	ratio=$(awk -v x="$ma" -v y="$mb" -v r="${7:-}" 'BEGIN {
		printf "%.2f", r != "" ? r : y ? x / y : 0 }')
	printf '%-22s %-20s %9.3f  %-22s %9.3f  %6s  %s\n' "$scen" "$a" \
		"$(awk -v v="$ma" -v s=$scale 'BEGIN { print v / s }')" "$b" \
		"$(awk -v v="$mb" -v s=$scale 'BEGIN { print v / s }')" "$ratio" "$unit"
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$scen" "$a" "$ma" "$b" "$mb" \
		"$ratio" "$unit" >>"$RESULTS"
}

# what the generator and one veth hop deliver, and what reading the
# frame's first line costs the DUT (the frames come from another CPU)
scen_floor()
{
	measure floor Mpps "xdp redirect" "xdp drop"
	measure floor Mpps "xdp redirect, eth" "xdp redirect"
}

scen_forwarder_xdp()
{
	measure forwarder_xdp Mpps "pcn forwarder xdp" "xdp redirect"
	measure forwarder_xdp Mpps "pcn forwarder xdp" "linux bridge"
}

scen_forwarder_tc()
{
	measure forwarder_tc Mpps "pcn forwarder tc" "tc redirect"
	measure forwarder_tc Mpps "pcn forwarder tc" "linux bridge"
}

# Unknown unicast, flooded: out of an interface port, and out of a port
# linked to a cube (a copy through the netns copy device, then a
# forwarder): what a copy into the graph costs, against Linux's flood.
scen_flood()
{
	measure flood_xdp Mpps "pcn flood xdp" "linux bridge flood"
	measure flood_tc Mpps "pcn flood tc" "linux bridge flood"
	measure flood_cube_xdp Mpps "pcn flood to cube xdp" "pcn flood xdp"
	measure flood_cube_tc Mpps "pcn flood to cube tc" "pcn flood tc"
}

# Known unicast through a 2-port bridge: pcn's against Linux's, and the
# XDP one against a bare redirect.
scen_bridge()
{
	measure bridge_xdp Mpps "pcn bridge xdp" "linux bridge"
	measure bridge_tc Mpps "pcn bridge tc" "linux bridge"
	measure bridge_xdp Mpps "pcn bridge xdp" "xdp redirect"
}

# IPv4 forwarding, pcn's router against Linux's, without and with
# 100,000 other routes in both; and the time to load them in one batch.
scen_router()
{
	local t0 t1 a

	measure router_xdp Mpps "pcn router xdp" "linux router"
	measure router_xdp Mpps "pcn router xdp" "xdp redirect"
	measure router_tc Mpps "pcn router tc" "linux router"
	measure router_xdp_100k Mpps "pcn router xdp +100k" "linux router +100k"
	"$PCN" -n "$NS_D" cube add brt type router
	dut_link_add brt:p2 dev r2
	"$PCN" -n "$NS_D" addr add 10.201.0.1/24 port brt:p2
	route_lines "$RT_EXTRA" "route add" " cube brt" >"$BPFFS.routes"
	t0=${EPOCHREALTIME/./}
	"$PCN" -n "$NS_D" -batch "$BPFFS.routes"
	t1=${EPOCHREALTIME/./}
	teardown_pcn_router
	route_lines "$RT_EXTRA" "route add" >"$BPFFS.routes"
	ip -n "$NS_D" addr add 10.201.0.1/24 dev r2
	a=$(((t1 - t0) / 1000))
	t0=${EPOCHREALTIME/./}
	ip -n "$NS_D" -batch "$BPFFS.routes"
	t1=${EPOCHREALTIME/./}
	ip -n "$NS_D" route flush proto static
	ip -n "$NS_D" addr flush dev r2
	rm -f "$BPFFS.routes"
	report router_load ms "pcn -batch 100k routes" "$a" \
		"ip -batch 100k routes" "$(((t1 - t0) / 1000))"
}

# IPv4 forwarding by the kernel's FIB (bpf_fib_lookup) in pcn's router,
# against Linux forwarding with the same table, and against pcn's own
# table. (The kernel's xdp_fwd sample is not packaged in Debian: the
# XDP row of "fib kernel" is that approach inside a cube.)
scen_router_fib()
{
	measure router_fib_xdp Mpps "pcn router fib xdp" "linux router"
	measure router_fib_xdp Mpps "pcn router fib xdp" "pcn router xdp"
	measure router_fib_tc Mpps "pcn router fib tc" "linux router"
}

# The DSR load balancer (Maglev, flow table) against a bare XDP
# redirect and pcn's forwarder, and with 1,000 services against 64.
# IPVS in DR mode, the baseline the issue names, needs the ip_vs module,
# which the kernel here lacks: skipped, said so.
scen_lbdsr()
{
	measure lbdsr_xdp Mpps "pcn lbdsr xdp" "xdp redirect"
	measure lbdsr_xdp Mpps "pcn lbdsr xdp" "pcn forwarder xdp"
	measure lbdsr_tc Mpps "pcn lbdsr tc" "tc redirect"
	measure lbdsr_1000 Mpps "pcn lbdsr xdp +936 services" "pcn lbdsr xdp"
	if [ ! -e /proc/net/ip_vs ] || ! command -v ipvsadm >/dev/null; then
		echo "# lbdsr: no IPVS here (ip_vs module or ipvsadm missing): no DR-mode baseline" >&2
	fi
}

# 959 firewall rules on a router: pcn's XDP router and firewall against
# Linux forwarding with the same rules in iptables (nft backend) and in
# nftables, none tracking connections; both tracking them; and the cost
# of the rules to pcn.
scen_firewall()
{
	measure firewall_xdp Mpps "pcn router+firewall xdp" "linux router+iptables"
	measure firewall_xdp Mpps "pcn router+firewall xdp" "linux router+nft"
	measure firewall_tc Mpps "pcn router+firewall tc" "linux router+nft"
	measure firewall_ct_xdp Mpps "pcn router+firewall+ct xdp" "linux router+nft+ct"
	measure firewall_xdp Mpps "pcn router+firewall xdp" "pcn router xdp"
}

# 10,000 firewall rules (a random source /24, tcp, a random destination
# port; the same every run) loaded in one batch, then single changes in
# the middle of them: pcn against nftables with the same rules in one
# chain. The first pcn change after the load is reported apart: it
# shows whether the batch left the spare generation up to date.
FW_NRULES=10000

fw_rule_lines()
{
	awk -v n="$FW_NRULES" -v fmt="$1" 'BEGIN { srand(7); for (i = 0; i < n; i++)
		printf fmt "\n", int(1 + rand() * 223), int(rand() * 256),
			int(rand() * 256), int(1 + rand() * 65535) }'
}

scen_fw_rules()
{
	local n=10 i t0 t1 a b fa handles pa=() pd=() pr=() na=() nd=() nr=()
	local nft=(ip netns exec "$NS_D" nft)

	[ -n "$QUICK" ] && n=3
	# times of single commands: a loaded machine stretches both sides
	echo "# fw_rules: load average $(cut -d' ' -f1-3 /proc/loadavg)"
	"$PCN" -n "$NS_D" cube add bfr type firewall
	fw_rule_lines "rule append bfr ingress src %d.%d.%d.0/24 proto tcp dport %d action drop" \
		>"$BPFFS.rules"
	t0=${EPOCHREALTIME/./}
	"$PCN" -n "$NS_D" -batch "$BPFFS.rules"
	t1=${EPOCHREALTIME/./}
	a=$(((t1 - t0) / 1000))
	# each side's first change right after its own load, so that
	# neither comes after the other's (after nft -f, pcn's took
	# 134-168 ms instead of 53-56)
	fa=$(cmd_ms 1 "$PCN" -n "$NS_D" rule append bfr ingress src 9.9.9.0/24 \
		proto udp dport 53 action accept)
	{
		echo "table inet pcnb {"
		echo " chain fw {"
		echo "  type filter hook forward priority 0; policy accept;"
		fw_rule_lines "ip saddr %d.%d.%d.0/24 tcp dport %d drop"
		echo " }"
		echo "}"
	} >"$BPFFS.rules"
	t0=${EPOCHREALTIME/./}
	"${nft[@]}" -f "$BPFFS.rules"
	t1=${EPOCHREALTIME/./}
	report fw_rules ms "pcn -batch 10k rules" "$a" "nft -f 10k rules" \
		"$(((t1 - t0) / 1000))"
	b=$(cmd_ms 1 "${nft[@]}" add rule inet pcnb fw ip saddr 9.9.9.0/24 \
		udp dport 53 accept)
	report fw_rules ms "first change (10k)" "$fa" "nft add rule (10k)" "$b"
	handles=($("${nft[@]}" -a list chain inet pcnb fw |
		awk '/handle/ { print $NF }'))
	for ((i = 0; i < n; i++)); do
		pa+=("$(cmd_ms 1 "$PCN" -n "$NS_D" rule append bfr ingress \
			src 9.9.9.0/24 proto udp dport 53 action accept)")
		pd+=("$(cmd_ms 1 "$PCN" -n "$NS_D" rule delete bfr ingress 5000)")
		pr+=("$(cmd_ms 1 "$PCN" -n "$NS_D" rule replace bfr ingress 5000 \
			src 8.8.8.0/24 proto tcp dport 80 action drop)")
		na+=("$(cmd_ms 1 "${nft[@]}" add rule inet pcnb fw \
			ip saddr 9.9.9.0/24 udp dport 53 accept)")
		nd+=("$(cmd_ms 1 "${nft[@]}" delete rule inet pcnb fw \
			handle "${handles[$((5000 + 2 * i))]}")")
		nr+=("$(cmd_ms 1 "${nft[@]}" replace rule inet pcnb fw \
			handle "${handles[$((5001 + 2 * i))]}" \
			ip saddr 8.8.8.0/24 tcp dport 80 drop)")
	done
	report fw_rules ms "rule append (10k)" "$(printf '%s\n' "${pa[@]}" | median)" \
		"nft add rule (10k)" "$(printf '%s\n' "${na[@]}" | median)"
	report fw_rules ms "rule delete (10k)" "$(printf '%s\n' "${pd[@]}" | median)" \
		"nft delete rule (10k)" "$(printf '%s\n' "${nd[@]}" | median)"
	report fw_rules ms "rule replace (10k)" "$(printf '%s\n' "${pr[@]}" | median)" \
		"nft replace rule (10k)" "$(printf '%s\n' "${nr[@]}" | median)"
	"$PCN" -n "$NS_D" cube del bfr
	"${nft[@]}" flush ruleset
	rm -f "$BPFFS.rules"
}

# An iptables-save file brought over whole: ClassBench fw1 8k as
# classbench.py writes it for iptables (7,825 rules), imported into an
# empty firewall by pcn and restored into empty iptables, 3 times each
scen_fw_import()
{
	local n=3 i pi=() ir=() f=$BPFFS.ipt
	local ipt=(ip netns exec "$NS_D")

	[ -n "$QUICK" ] && n=1
	python3 "$CBPY" iptables "$CB/fw1_8k_seed1.rules" |
		sed 's/FORWARD/INPUT/' >"$f"
	"$PCN" -n "$NS_D" cube add bfi type firewall
	for ((i = 0; i < n; i++)); do
		"$PCN" -n "$NS_D" rule flush bfi
		pi+=("$(cmd_ms 1 "$PCN" -n "$NS_D" rule import bfi iptables "$f")")
		"${ipt[@]}" iptables -F
		ir+=("$(cmd_ms 1 "${ipt[@]}" iptables-restore "$f")")
	done
	report fw_import ms "rule import (7.8k)" "$(printf '%s\n' "${pi[@]}" | median)" \
		"iptables-restore (7.8k)" "$(printf '%s\n' "${ir[@]}" | median)"
	"$PCN" -n "$NS_D" cube del bfi
	"${ipt[@]}" iptables -F
	rm -f "$f"
}

scen_chain()
{
	measure chain_xdp Mpps "pcn 3 forwarders xdp" "pcn forwarder xdp"
	measure chain_tc Mpps "pcn 3 forwarders tc" "pcn forwarder tc"
}

# ns per packet through BPF_PROG_TEST_RUN: the port entry program of a
# forwarder port (entry + tail call + forwarder + redirect) against an
# empty program, the floor of the method.
prog_ns()
{
	"$BENCH" prog "$@" repeat 2000000 | jq '.ns_per_run'
}

scen_micro()
{
	local mode va vb i link a b

	for mode in xdp tc; do
		setup_pcn_fwd "$mode"
		link=$(echo "$PCN_ROOT"/ns-*/cubes/bfw/link_p1)
		va=()
		vb=()
		for ((i = 0; i < ROUNDS; i++)); do
			va+=("$(prog_ns link "$link")")
			vb+=("$(prog_ns empty)")
		done
		teardown_pcn_fwd
		a=$(printf '%s\n' "${va[@]}" | median)
		b=$(printf '%s\n' "${vb[@]}" | median)
		report "micro_$mode" ns "forwarder entry" "$a" "empty program" "$b"
		report "micro_$mode" ns "  net of the floor" "$((a - b))" \
			"empty program" "$b"
	done
}

# least-squares slope of "x y" lines on stdin (x from $1 to $2)
slope()
{
	awk -v lo="$1" -v hi="$2" '$1 >= lo && $1 <= hi { n++; sx += $1;
		sy += $2; sxx += $1 * $1; sxy += $1 * $2 } END {
		d = n * sxx - sx * sx
		printf "%.1f", d ? (n * sxy - sx * sy) / d : 0 }'
}

# hops_curve MODE: PTS gets "k ns" lines for k = 0..8 helloworld cubes
# at a forwarder port's ingress, ns per run of the port's entry program
# (the median of 3 runs of the same load: they hardly differ), the
# chain built and removed afresh. (Called as it is, not in $(...),
# where set -e would not stop it half-way.)
hops_curve()
{
	local mode=$1 k link

	PTS=""
	setup_pcn_fwd "$mode"
	link=$(echo "$PCN_ROOT"/ns-*/cubes/bfw/link_p1)
	for ((k = 0; k <= 8; k++)); do
		if [ "$k" -gt 0 ]; then
			"$PCN" -n "$NS_D" cube add "h$k" type helloworld \
				mode "$mode"
			dut_link_add "h$k" port bfw:p1 ingress
		fi
		PTS+="$k $(prog_ns link "$link" runs 3)"$'\n'
	done
	teardown_pcn_fwd
	for ((k = 1; k <= 8; k++)); do
		"$PCN" -n "$NS_D" cube del "h$k"
	done
}

# tails_curve [count]: PTS gets "k ns" lines for chains of k + 1 tail
# calls of the bench's hop programs, k = 0..8, each chain a fresh load
# (median of 3 runs)
tails_curve()
{
	local k

	PTS=""
	for ((k = 0; k <= 8; k++)); do
		PTS+="$k $(prog_ns tailcalls $((k + 1)) "$@" runs 3)"$'\n'
	done
}

# points "k ns" lines on stdin as "k:ns k:ns ..."
points()
{
	awk 'NF { printf "%s%d:%s", n++ ? " " : "", $1, $2 }'
}

# The cost of one more cube on a packet's way: the slope of the
# least-squares line through hops_curve's points, against the kernel's
# own: chains of as many tail calls (k cubes make k + 1: entry -> cubes
# -> forwarder) of empty programs, and of programs that only count, as
# every cube does (the XDP ones for both modes). Past about five hops a
# chain's cost depends on where the kernel put its programs, which
# changes with every load (see Documentation/performance.md, "The cost
# of a hop"): each round loads every chain afresh, the figures are the
# medians of the rounds' slopes, and each round's slopes are printed.
# Past about six tail calls a packet the kernel's calls themselves cost
# more each, hence also the slope over 0..4 cubes.
scen_hops()
{
	local mode i bare8=() bare4=() cnt8=() s8 s4 all

	for ((i = 0; i < ROUNDS; i++)); do
		tails_curve
		echo "# kernel tail calls, round $((i + 1)), ns by cubes'" \
			"worth (k + 1 calls): $(points <<<"$PTS")"
		bare8+=("$(slope 0 8 <<<"$PTS")")
		bare4+=("$(slope 0 4 <<<"$PTS")")
		tails_curve count
		echo "# the same, each hop counting: $(points <<<"$PTS")"
		cnt8+=("$(slope 0 8 <<<"$PTS")")
	done
	echo "# kernel tail calls, per hop over 0..8 by round: ${bare8[*]};" \
		"over 0..4: ${bare4[*]}; counting, over 0..8: ${cnt8[*]}"
	report hops ns "counting hop (fit)" \
		"$(printf '%s\n' "${cnt8[@]}" | median)" \
		"kernel tail call" "$(printf '%s\n' "${bare8[@]}" | median)"
	# the cubes' hops: helloworld's, the lightest transparent cube
	if ! "$PCN" cube help | grep -q 'TYPE := .*helloworld'; then
		echo "# hops_xdp, hops_tc: skipped, pcn is built without helloworld"
		return 0
	fi
	for mode in xdp tc; do
		s8=()
		s4=()
		all=""
		for ((i = 0; i < ROUNDS; i++)); do
			hops_curve "$mode"
			echo "# hops_$mode, load $((i + 1)), ns by cubes:" \
				"$(points <<<"$PTS")"
			s8+=("$(slope 0 8 <<<"$PTS")")
			s4+=("$(slope 0 4 <<<"$PTS")")
			all+="$PTS"
		done
		echo "# hops_$mode, per cube over 0..8 by load: ${s8[*]};" \
			"over 0..4: ${s4[*]}"
		report "hops_$mode" ns "0 cubes" \
			"$(awk '$1 == 0 { print $2 }' <<<"$all" | median)" \
			"8 cubes" "$(awk '$1 == 8 { print $2 }' <<<"$all" | median)"
		report "hops_$mode" ns "per cube, 0..8 (fit)" \
			"$(printf '%s\n' "${s8[@]}" | median)" \
			"kernel tail call" "$(printf '%s\n' "${bare8[@]}" | median)"
		report "hops_$mode" ns "per cube, 0..4 (fit)" \
			"$(printf '%s\n' "${s4[@]}" | median)" \
			"kernel tail call" "$(printf '%s\n' "${bare4[@]}" | median)"
	done
}

# ms per command, median of N runs
cmd_ms()
{
	local n=$1 t0 t1 i v=()

	shift
	for ((i = 0; i < n; i++)); do
		t0=${EPOCHREALTIME/./}
		"$@" >/dev/null
		t1=${EPOCHREALTIME/./}
		v+=("$(((t1 - t0)))")
	done
	printf '%s\n' "${v[@]}" | median | awk '{ print $1 / 1000 }'
}

scen_control()
{
	local n=20 obj=$BUILD/bpf/forwarder.xdp.o pin=$BPFFS/raw i a b

	[ -n "$QUICK" ] && n=5
	# adding a cube against loading and pinning the same object raw
	a=()
	b=()
	for ((i = 0; i < n; i++)); do
		a+=("$(cmd_ms 1 "$PCN" -n "$NS_D" cube add "c$i" type forwarder)")
		b+=("$(cmd_ms 1 bpftool prog loadall "$obj" "$pin$i")")
	done
	report control "ms" "pcn cube add" "$(printf '%s\n' "${a[@]}" | median)" \
		"bpftool prog loadall" "$(printf '%s\n' "${b[@]}" | median)"
	rm -rf "$pin"*
	# 100 cubes listed against 100 interfaces listed
	for ((i = n; i < 100; i++)); do
		"$PCN" -n "$NS_D" cube add "c$i" type forwarder
	done
	ip netns add "$NS_D-c"
	for ((i = 0; i < 50; i++)); do
		ip -n "$NS_D-c" link add "a$i" type veth peer name "b$i"
	done
	report control ms "pcn -j cube show (100)" \
		"$(cmd_ms 11 "$PCN" -n "$NS_D" -j cube show)" \
		"ip -j link show (100)" \
		"$(cmd_ms 11 ip -n "$NS_D-c" -j link show)"
	for ((i = 0; i < 100; i++)); do
		echo "cube del c$i"
	done | "$PCN" -n "$NS_D" -batch -
	ip netns del "$NS_D-c"
}

# cpu_ms CMD...: the CPU time (user + system, ms) CMD took; the
# verifier runs in the process's system calls, so this counts it whole
# where the wall clock also counts a loaded machine's other work
cpu_ms()
{
	local TIMEFORMAT='%U %S' t

	t=$({ time "$@" >/dev/null; } 2>&1 | tail -1)
	awk -v u="${t% *}" -v s="${t#* }" 'BEGIN { print (u + s) * 1000 }'
}

# What a cube add costs per type, against a forwarder's (the lightest:
# one small program): wall and CPU time (medians of N adds), and the
# instructions the verifier processed for the type's programs (the
# sum over them; each is printed), which is most of the CPU time of
# the types that parse packets (Documentation/performance.md, "Adding
# a cube").
scen_cubeadd()
{
	local n=5 t i w c wf cf pins ins insf

	[ -n "$QUICK" ] && n=3
	echo "# cubeadd: load average $(cut -d' ' -f1-3 /proc/loadavg)"
	for t in forwarder firewall lbdsr nat ddos router bridge; do
		if ! "$PCN" cube help | grep -q "TYPE := .*\b$t\b"; then
			echo "# cubeadd $t: skipped, pcn is built without it"
			continue
		fi
		w=()
		c=()
		for ((i = 0; i < n; i++)); do
			w+=("$(cmd_ms 1 "$PCN" -n "$NS_D" cube add "ca$t$i" type "$t")")
			"$PCN" -n "$NS_D" cube del "ca$t$i"
			c+=("$(cpu_ms "$PCN" -n "$NS_D" cube add "ca$t$i" type "$t")")
		done
		pins=("$PCN_ROOT"/ns-*/cubes/"ca${t}0"/prog_*)
		echo "# cubeadd $t, verified insns: $("$BENCH" insns "${pins[@]}" |
			jq -r 'map("\(.name) \(.verified_insns)") | join(", ")')"
		ins=$("$BENCH" insns "${pins[@]}" | jq '[.[].verified_insns] | add')
		for ((i = 0; i < n; i++)); do
			"$PCN" -n "$NS_D" cube del "ca$t$i"
		done
		w=$(printf '%s\n' "${w[@]}" | median)
		c=$(printf '%s\n' "${c[@]}" | median)
		if [ "$t" = forwarder ]; then
			wf=$w
			cf=$c
			insf=$ins
			continue
		fi
		report cubeadd ms "cube add $t" "$w" "cube add forwarder" "$wf"
		report cubeadd ms "  cpu time" "$c" "  cpu time" "$cf"
		report cubeadd insns "  verified insns" "$ins" "  verified insns" \
			"$insf"
	done
}

# pcn save and restore of 100 cubes (a firewall with 10k rules, and 99
# forwarders, linked in pairs) beside nft list ruleset and nft -f of the
# same 10k rules; restore flushes what is there first, as nft -f of a
# file that begins with "flush ruleset" does
scen_save()
{
	local n=5 i s=() r=() ns=() nr=()
	local nft=(ip netns exec "$NS_D" nft)

	[ -n "$QUICK" ] && n=2
	{
		echo "cube add bsv type firewall"
		for ((i = 0; i < 99; i++)); do
			echo "cube add s$i type forwarder"
		done
		for ((i = 0; i + 1 < 99; i += 2)); do
			echo "link add s$i:a peer s$((i + 1)):b"
		done
		fw_rule_lines "rule append bsv ingress src %d.%d.%d.0/24 proto tcp dport %d action drop"
	} | "$PCN" -n "$NS_D" -batch -
	{
		echo "flush ruleset"
		echo "table inet pcnb {"
		echo " chain fw {"
		echo "  type filter hook forward priority 0; policy accept;"
		fw_rule_lines "ip saddr %d.%d.%d.0/24 tcp dport %d drop"
		echo " }"
		echo "}"
	} >"$BPFFS.rules"
	"${nft[@]}" -f "$BPFFS.rules"
	"$PCN" -n "$NS_D" save >"$BPFFS.save"
	"${nft[@]}" list ruleset >"$BPFFS.nft"
	sed -i '1i flush ruleset' "$BPFFS.nft"
	for ((i = 0; i < n; i++)); do
		s+=("$(cmd_ms 1 "$PCN" -n "$NS_D" save)")
		ns+=("$(cmd_ms 1 "${nft[@]}" list ruleset)")
	done
	for ((i = 0; i < 3; i++)); do
		r+=("$(cmd_ms 1 "$PCN" -n "$NS_D" restore "$BPFFS.save")")
		nr+=("$(cmd_ms 1 "${nft[@]}" -f "$BPFFS.nft")")
	done
	"$PCN" -n "$NS_D" save | cmp -s - "$BPFFS.save" ||
		echo "# save: the restored configuration saves differently" >&2
	report save ms "pcn save (100, 10k)" "$(printf '%s\n' "${s[@]}" | median)" \
		"nft list ruleset (10k)" "$(printf '%s\n' "${ns[@]}" | median)"
	report save ms "pcn restore (100, 10k)" "$(printf '%s\n' "${r[@]}" | median)" \
		"nft -f (10k)" "$(printf '%s\n' "${nr[@]}" | median)"
	"$PCN" -n "$NS_D" flush
	"${nft[@]}" flush ruleset
	rm -f "$BPFFS.rules" "$BPFFS.save" "$BPFFS.nft"
}

# DDoS mitigation: a block list of DDOS_N entries (prefixes of mixed
# lengths, a tenth IPv6; the same every run) that covers the generator's
# sources, on r1's way in. What each variant drops per second is read
# from its own counter while the generator runs (the same method for
# all; the reads themselves cost the DUT a little): pcn's ddos cube in
# XDP, against
# pcn's lightest drop (a helloworld cube that drops everything: entry,
# tail call, count, drop) and nftables' netdev ingress hook with a set
# of the same IPv4 entries (interval, auto-merge). The load times of
# both lists are reported too. xdp-filter (xdp-tools) is left out: it
# matches exact addresses only, one command per address.
DDOS_N=${DDOS_N:-1000000}

ddos_entries()
{
	awk -v n="$DDOS_N" 'function put(e) { if (!(e in seen)) { seen[e] = 1
			print e; k++ } }
	BEGIN { srand(11)
		put("10.200.0.0/23")
		while (k < n) {
			r = rand(); a = int(rand() * 4294967296)
			if (r < 0.1) {
				put(sprintf("2001:db8:%x:%x::/64", int(rand() * 65536),
					    int(rand() * 65536)))
				continue
			}
			l = r < 0.6 ? 32 : r < 0.8 ? 24 : 16 + int(rand() * 16)
			a = a - a % 2 ^ (32 - l)
			if (int(a / 16777216) == 10)
				continue
			put(sprintf("%d.%d.%d.%d/%d", int(a / 16777216),
				    int(a / 65536) % 256, int(a / 256) % 256,
				    a % 256, l))
		} }'
}

# drops_per_s CMD...: what counter CMD reads moved by per second while
# the generator runs steadily (read from 0.5 s into its run, for SECS)
drops_per_s()
{
	local c0 c1 t0 t1 cpu=()

	pin_dut
	[ -z "$SHARED" ] && cpu=(taskset -c "$GEN_CPU")
	"${cpu[@]}" "$BENCH" run gen "$NS_G" g0 flows 16384 src 10.200.0.1/256 \
		dport 1000/64 seconds "$(awk -v s="$SECS" 'BEGIN { print s + 1 }')" \
		>/dev/null &
	sleep 0.5
	c0=$("$@")
	t0=${EPOCHREALTIME/./}
	sleep "$SECS"
	c1=$("$@")
	t1=${EPOCHREALTIME/./}
	wait $!
	awk -v d=$((c1 - c0)) -v t=$((t1 - t0)) 'BEGIN { print d / t * 1000000 }'
}

ddos_count()
{
	"$PCN" -n "$NS_D" -j -s cube show "$1" | jq ".[0].stats.ingress.$2"
}

# what r1 took in: with no XDP there, each frame is one that the
# netdev ingress hook then drops (listing the rule's counter would have
# nft read the whole set, for seconds)
rx_count()
{
	ip -n "$NS_D" -j -s link show dev r1 | jq '.[0].stats64.rx.packets'
}

scen_ddos()
{
	local i t0 t1 vd=() vh=() vn=() rh=() rn=() f=$BPFFS.ddos
	local nft=(ip netns exec "$NS_D" nft)

	ddos_entries >"$f"
	"$PCN" -n "$NS_D" cube add bdm type ddos
	"$PCN" -n "$NS_D" cube add bhw type helloworld ingress drop
	t0=${EPOCHREALTIME/./}
	sed 's/^/blocklist add bdm src /' "$f" | "$PCN" -n "$NS_D" -batch -
	t1=${EPOCHREALTIME/./}
	report ddos_load s "pcn -batch ($DDOS_N)" \
		"$(awk -v t=$((t1 - t0)) 'BEGIN { print t / 1000000 }')" "" 0 0
	{
		echo "add table netdev pcnbdm"
		echo "add chain netdev pcnbdm in { type filter hook ingress device r1 priority -500; }"
		echo "add set netdev pcnbdm bl { type ipv4_addr; flags interval; auto-merge; }"
		grep -v : "$f" | split -l 10000 --filter \
			'echo "add element netdev pcnbdm bl { $(paste -sd,) }"'
		echo "add rule netdev pcnbdm in ip saddr @bl counter drop"
	} >"$f.nft"
	t0=${EPOCHREALTIME/./}
	"${nft[@]}" -f "$f.nft"
	t1=${EPOCHREALTIME/./}
	report ddos_load s "nft -f ($(grep -vc : "$f") IPv4)" \
		"$(awk -v t=$((t1 - t0)) 'BEGIN { print t / 1000000 }')" "" 0 0
	for ((i = 0; i < ROUNDS; i++)); do
		dut_link_add bdm dev r1 ingress
		vd+=("$(drops_per_s ddos_count bdm list)")
		"$PCN" -n "$NS_D" link del bdm dev r1
		dut_link_add bhw dev r1 ingress
		vh+=("$(drops_per_s ddos_count bhw dropped)")
		"$PCN" -n "$NS_D" link del bhw dev r1
		vn+=("$(drops_per_s rx_count)")
		rh+=("$(awk -v x="${vd[i]}" -v y="${vh[i]}" 'BEGIN { print y ? x / y : 0 }')")
		rn+=("$(awk -v x="${vd[i]}" -v y="${vn[i]}" 'BEGIN { print y ? x / y : 0 }')")
	done
	report ddos_xdp Mpps "pcn ddos drop xdp" "$(printf '%s\n' "${vd[@]}" | median)" \
		"pcn drop-all xdp" "$(printf '%s\n' "${vh[@]}" | median)" \
		"$(printf '%s\n' "${rh[@]}" | median)"
	report ddos_xdp Mpps "pcn ddos drop xdp" "$(printf '%s\n' "${vd[@]}" | median)" \
		"nft netdev set" "$(printf '%s\n' "${vn[@]}" | median)" \
		"$(printf '%s\n' "${rn[@]}" | median)"
	"${nft[@]}" delete table netdev pcnbdm
	"$PCN" -n "$NS_D" cube del bdm
	"$PCN" -n "$NS_D" cube del bhw
	rm -f "$f" "$f.nft"
}

# the forwarder with a dynmon on its way in, with a probe ($2) or none
setup_pcn_dynmon()
{
	setup_pcn_fwd "$1"
	"$PCN" -n "$NS_D" cube add bmon type dynmon mode "$1"
	"$PCN" -n "$NS_D" link add bmon port bfw:p1 ingress
	if [ -n "$2" ]; then
		"$PCN" -n "$NS_D" probe load bmon ingress "$2"
	fi
}

teardown_pcn_dynmon()
{
	"$PCN" -n "$NS_D" cube del bmon
	teardown_pcn_fwd
}

# what the example probe that counts per L4 protocol costs a packet,
# over the same dynmon with no probe (ns: 1000/Mpps of each, apart)
scen_probe()
{
	command -v clang >/dev/null || { echo "# probe: no clang, skipped" >&2; return 0; }
	measure probe_xdp Mpps "pcn fwd+dynmon+l4proto xdp" "pcn fwd+dynmon xdp"
	awk -F'\t' '$1 == "probe_xdp" && $5 > 0 && $3 > 0 {
		printf "# probe: the l4proto probe costs %.1f ns per packet\n",
			1000 / ($3 / 1e6) - 1000 / ($5 / 1e6) }' "$RESULTS" | tail -1
}

# pcn metrics of 100 cubes (50 forwarders linked in pairs, with their
# ports, and 50 transparent cubes with counters) beside pcn -j -s cube
# show of the same cubes: the same numbers, read by the same code
scen_metrics()
{
	local n=11 i t=helloworld

	[ -n "$QUICK" ] && n=5
	"$PCN" cube help | grep -Eq "TYPE := \{.* $t( |$)" || t=forwarder
	{
		for ((i = 0; i < 50; i++)); do
			echo "cube add m$i type forwarder"
			echo "cube add t$i type $t"
		done
		for ((i = 0; i + 1 < 50; i += 2)); do
			echo "link add m$i:a peer m$((i + 1)):b"
		done
	} | "$PCN" -n "$NS_D" -batch -
	report metrics ms "pcn metrics (100)" \
		"$(cmd_ms "$n" "$PCN" -n "$NS_D" metrics)" \
		"pcn -j -s cube show (100)" \
		"$(cmd_ms "$n" "$PCN" -n "$NS_D" -j -s cube show)"
	"$PCN" -n "$NS_D" flush
}

# cap_start pcn|tcpdump: every frame arriving on r1 written to a file,
# by pcn capture at the forwarder's port on r1 (in its mode, tc: tcpdump
# sees what XDP redirects on neither veth), or by tcpdump -w on r1
cap_start()
{
	local ready

	CAP_TOOL=$1
	rm -f "$BPFFS.cap" "$BPFFS.caperr"
	if [ "$1" = pcn ]; then
		"$PCN" -n "$NS_D" capture port bfw:p1 ingress -w "$BPFFS.cap" \
			2>"$BPFFS.caperr" &
		ready='"$PCN" -n "$NS_D" cube show | grep -q "type capture"'
	else
		ip netns exec "$NS_D" tcpdump -i r1 -Q in -n -w "$BPFFS.cap" \
			2>"$BPFFS.caperr" &
		ready='grep -q "listening on" "$BPFFS.caperr"'
	fi
	CAP_PID=$!
	for _ in $(seq 100); do
		eval "$ready" && return 0
		sleep 0.1
	done
	echo "Error: $1 did not start capturing" >&2
	return 1
}

# cap_end: stop it; print the frames it wrote per second of generator
# traffic, and note what it lost
cap_end()
{
	local n lost

	kill -INT "$CAP_PID"
	wait "$CAP_PID" || true
	n=$(sed -n 's/^\([0-9]*\) packets\{0,1\} captured$/\1/p' "$BPFFS.caperr")
	lost=$(sed -n 's/^\([0-9]*\) packets\{0,1\} dropped by kernel$/\1/p' "$BPFFS.caperr")
	echo "# $CAP_TOOL: ${n:-?} written, ${lost:-?} dropped" >&2
	awk -v n="${n:-0}" -v s="$SECS" 'BEGIN { print n / s }'
	rm -f "$BPFFS.cap" "$BPFFS.caperr"
}

# Capturing every frame of the 64 B flow at a cube's port: the frames
# pcn capture writes per second against tcpdump -w on the same veth
# (which sees the interface only), and the forwarding rate with the
# capture against without it. Loss: on stderr.
scen_capture()
{
	command -v tcpdump >/dev/null ||
		{ echo "# capture: no tcpdump (scripts/install-deps.sh bench)" >&2; return 0; }
	measure capture Mpps "pcn capture tc, captured" "tcpdump -w, captured"
	measure capture Mpps "pcn forwarder tc +capture" "pcn forwarder tc"
}

topology
printf '# pcn benchmarks, %s, %s, %s cores, kernel %s; %s rounds of %s s\n' \
	"$(date -u +%Y-%m-%dT%H:%MZ)" "$(uname -n)" "$(nproc)" "$(uname -r)" \
	"$ROUNDS" "$SECS"
if [ -n "$SHARED" ]; then
	echo "# generator, DUT and sink share one CPU"
else
	echo "# generator on CPU $GEN_CPU; DUT (r1's NAPI thread) and sink on CPU $DUT_CPU"
fi
printf '%-22s %-20s %9s  %-22s %9s  %6s  %s\n' scenario pcn value baseline \
	value ratio unit
for s in "${SCENARIOS[@]}"; do
	"scen_$s"
done
if [ -n "${BENCH_RESULTS:-}" ]; then
	cp "$RESULTS" "$BENCH_RESULTS"
fi
