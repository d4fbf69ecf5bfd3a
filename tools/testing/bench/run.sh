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
# A report starts with the machine's CPU, kernel and mitigation lines
# (the ratios against Linux depend on them); every row ends with the
# spread of the rounds its figure is the median of; "ns added" rows give
# the time per packet a cube adds over a bare XDP redirect (scenario
# cost splits it: Documentation/performance.md, "Per-packet cost").
# BENCH_PERF=DIR records perf on the DUT's CPU per measurement.
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
	   router_fib router6 firewall fw_rules micro hops control cubeadd save fw_import ddos lbdsr lbrp lb_micro
	   metrics probe probe_micro capture cni cost nat)

while [ $# -gt 0 ]; do
	case $1 in
	# quick: 5 rounds of 0.5 s (the default: 3 of 2 s). 3 rounds of
	# 0.4 s moved a bare redirect between 5.2 and 11.5 Mpps in one run;
	# with 5, the median of the rounds' ratios outvotes two bad rounds
	# (see Documentation/performance.md, "Spread")
	--quick) QUICK=1; SECS=0.5; QROUNDS=5; shift ;;
	--shared) SHARED=1; shift ;;
	--rounds) ROUNDS=$2; RSET=1; shift 2 ;;
	--seconds) SECS=$2; shift 2 ;;
	-*) echo "Usage: $0 [--quick] [--shared] [--rounds N] [--seconds S] [SCENARIO...]" >&2
	    exit 1 ;;
	*) break ;;
	esac
done
[ $# -gt 0 ] && SCENARIOS=("$@")
[ -n "${QROUNDS:-}" ] && [ -z "${RSET:-}" ] && ROUNDS=$QROUNDS

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
	for ns in "$NS_G" "$NS_D" "$NS_S" "$NS_D-c" "$NS_D-cn" "$NS_D-ca" \
		  "$NS_D-cb" $(ip netns list | grep -o "^$NS_D-ca-[0-9]*"); do
		ip netns del "$ns" 2>/dev/null
	done
	rm -rf "$BPFFS.ipam"
	umount "$BPFFS" 2>/dev/null
	rmdir "$BPFFS" 2>/dev/null
	# the scenarios' files beside it, when one failed half-way
	rm -f "$RESULTS" "$BPFFS.routes" "$BPFFS.rules" "$BPFFS.save" \
		"$BPFFS.nft" "$CPUNS"
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

# gen [EXTRA...]: one measurement, rx packets/s at the sink (or the DUT);
# with the DUT on a CPU of its own, the CPU time its threads took per
# packet (r1's NAPI thread and the CPU's ksoftirqd, where the sink's
# drop may go) as the last line of $CPUNS; with PROGSTATS set, after it
# the ns of a run of r1's XDP program (pcn-bench's progstats)
CPUNS=$BPFFS.cpuns
gen()
{
	local cpu=() pids=() ps=() out

	pin_dut
	if [ -z "$SHARED" ]; then
		cpu=(taskset -c "$GEN_CPU")
		pids=(cputime "$( (pgrep -x 'napi/r1-[0-9]+'
			pgrep -x "ksoftirqd/$DUT_CPU") | paste -sd,)")
	fi
	[ -n "${PROGSTATS:-}" ] && ps=(progstats "$NS_D" r1)
	perf_start
	out=$("${cpu[@]}" "$BENCH" run gen "$NS_G" g0 seconds "$SECS" \
		flows 16384 src 10.200.0.1/256 dport 1000/64 "${pids[@]}" \
		"${ps[@]}" "$@")
	perf_end
	jq -r '"\(.cpu_ns_per_packet // "") \(.prog_ns_per_run // "")"' \
		<<<"$out" >>"$CPUNS"
	jq '.rx_pps' <<<"$out"
}

# With BENCH_PERF=DIR (and the DUT on its own CPU), perf samples the
# DUT's CPU during every measurement: DIR/VARIANT.N.data, N counting
# from 1, VARIANT with its spaces as "_" (perf report -i FILE --comm
# napi/r1-... --sort sym: where the DUT's time goes).
PERF_PID=
perf_start()
{
	local f n=1

	[ -n "${BENCH_PERF:-}" ] && [ -z "$SHARED" ] || return 0
	if ! command -v perf >/dev/null; then
		echo "# BENCH_PERF: no perf (scripts/install-deps.sh bench)" >&2
		return 0
	fi
	f=$BENCH_PERF/${CUR_VARIANT// /_}
	while [ -e "$f.$n.data" ]; do
		n=$((n + 1))
	done
	perf record -q -g -C "$DUT_CPU" -o "$f.$n.data" 2>/dev/null &
	PERF_PID=$!
}

perf_end()
{
	[ -n "$PERF_PID" ] || return 0
	kill -INT "$PERF_PID" 2>/dev/null || true
	wait "$PERF_PID" || true
	PERF_PID=
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

# IPv6: the same path with the generator's "ipv6" frames, fd00::ac8:x
# (10.200.x) to fd00::aca:x (10.202.x) via the sink fd00::ac9:2, in
# /112s where IPv4 has /16s and /24s. The topology turns IPv6 off in
# every namespace; the DUT has it on for these.
v6_on()
{
	ip netns exec "$NS_D" sysctl -qw net.ipv6.conf.all.disable_ipv6=0 \
		net.ipv6.conf.r1.disable_ipv6=0 net.ipv6.conf.r2.disable_ipv6=0
}

v6_off()
{
	ip netns exec "$NS_D" sysctl -qw net.ipv6.conf.all.forwarding=0 \
		net.ipv6.conf.all.disable_ipv6=1
}

setup_pcn_router6()
{
	local smac

	smac=$(ip -n "$NS_S" -j link show dev s0 | jq -r '.[0].address')
	v6_on
	"$PCN" -n "$NS_D" cube add brt type router mode "$1"
	dut_link_add brt:p1 dev r1
	dut_link_add brt:p2 dev r2
	{
		echo "addr add fd00::ac8:ff01/112 port brt:p1"
		echo "addr add fd00::ac9:1/112 port brt:p2"
		echo "neigh add fd00::ac9:2 lladdr $smac port brt:p2"
		echo "route add fd00::aca:0/112 via fd00::ac9:2 cube brt"
	} | "$PCN" -n "$NS_D" -batch -
}

teardown_pcn_router6()
{
	teardown_pcn_router
	v6_off
}

setup_linux_router6()
{
	local smac

	smac=$(ip -n "$NS_S" -j link show dev s0 | jq -r '.[0].address')
	v6_on
	ip netns exec "$NS_D" sysctl -qw net.ipv6.conf.all.forwarding=1
	{
		echo "addr add fd00::ac8:ff01/112 dev r1 nodad"
		echo "addr add fd00::ac9:1/112 dev r2 nodad"
		echo "neigh add fd00::ac9:2 lladdr $smac dev r2 nud permanent"
		echo "route add fd00::aca:0/112 via fd00::ac9:2"
	} | ip -6 -n "$NS_D" -batch -
}

teardown_linux_router6()
{
	ip -6 -n "$NS_D" route flush proto static
	ip -6 -n "$NS_D" addr flush dev r1 scope global
	ip -6 -n "$NS_D" addr flush dev r2 scope global
	ip -6 -n "$NS_D" neigh flush dev r2 nud permanent
	v6_off
}

gen_routed6()
{
	gen sink "$NS_S" s0 dst 10.202.0.1/256 ipv6 \
		dmac "$(ip -n "$NS_D" -j link show dev r1 | jq -r '.[0].address')"
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
		dmac "$(ip -n "$NS_D" -j link show dev r1 | jq -r '.[0].address')" "$@"
}

# NAT: the routed path with the generator's sources (10.200.0.0/16)
# masqueraded behind the outside port's 10.201.0.1. pcn: nat bnat on
# the router's port p2 ($2: its "flows"); Linux: forwarding and an nft
# masquerade (conntrack on), its table emptied after each measurement.
setup_pcn_nat()
{
	setup_pcn_router "$1"
	"$PCN" -n "$NS_D" cube add bnat type nat mode "$1" ${2:+flows "$2"}
	dut_link_add bnat port brt:p2
	"$PCN" -n "$NS_D" nat add bnat masquerade src 10.200.0.0/16
}

teardown_pcn_nat()
{
	local full

	full=$("$PCN" -n "$NS_D" -j -s cube show bnat |
	       jq '.[0].stats.egress.table_full')
	[ "$full" = 0 ] || echo "# nat: $full new flows found the table full" >&2
	"$PCN" -n "$NS_D" cube del bnat
	teardown_pcn_router
}

setup_linux_masq()
{
	setup_linux_router
	ip netns exec "$NS_D" nft -f - <<-EOF
	table ip pcnbench_nat {
		chain post {
			type nat hook postrouting priority srcnat;
			oifname "r2" ip saddr 10.200.0.0/16 masquerade
		}
	}
	EOF
}

teardown_linux_masq()
{
	ip netns exec "$NS_D" nft delete table ip pcnbench_nat
	ip netns exec "$NS_D" conntrack -F 2>/dev/null
	teardown_linux_router
}

# Every packet a new 5-tuple: the generator's walk (a permutation of
# its flows) over 256 sources x 64511 source ports x 64 destination
# ports has 16,514,816 distinct ones, more than any measurement sends
# through; NAT_NEW_SECS long, and pcn's tables hold 1M flows, so that
# none fills up (teardown_pcn_nat says if one did).
NAT_NEW=(flows 16514816 sport 1024/64511)
NAT_NEW_SECS=0.5
NAT_NEW_TABLE=1048576

# measure_variant NAME: one measurement of a named variant
# An lbdsr between r1 (frontend) and r2 (backend): the generator's 64
# destination ports at 10.201.0.1 are 64 UDP services (or "$3"), each
# with one backend, the sink (s0's MAC); with "$2" more services
# elsewhere (the cost of a larger service table).
setup_pcn_lbdsr()
{
	local smac p

	smac=$(ip -n "$NS_S" -j link show dev s0 | jq -r '.[0].address')
	"$PCN" -n "$NS_D" cube add blb type lbdsr mode "$1"
	dut_link_add blb:fe dev r1
	dut_link_add blb:be dev r2
	"$PCN" -n "$NS_D" cube set blb frontend fe backend be
	for ((p = 1000; p < 1000 + ${3:-64}; p++)); do
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

# The reverse proxy: the generator's frames go to VIP 10.203.0.1, UDP
# ports 1000..1063 (a service each, one backend 10.202.0.1 on the same
# port); rewritten, the router sends them to the sink. pcn: router +
# lbrp on its port p1; Linux: forwarding + an nft dnat rule (this
# kernel has no ip_vs, so no IPVS NAT mode to compare with).
LBRP_VIP=10.203.0.1

setup_pcn_lbrp()
{
	local p

	setup_pcn_router "$1"
	"$PCN" -n "$NS_D" cube add blrp type lbrp mode "$1"
	dut_link_add blrp port brt:p1
	for ((p = 1000; p < 1064; p++)); do
		echo "service add cube blrp vip $LBRP_VIP port $p proto udp"
		echo "backend add cube blrp vip $LBRP_VIP port $p proto udp addr 10.202.0.1"
	done | "$PCN" -n "$NS_D" -batch -
}

teardown_pcn_lbrp()
{
	"$PCN" -n "$NS_D" cube del blrp
	teardown_pcn_router
}

setup_linux_dnat()
{
	setup_linux_router
	ip netns exec "$NS_D" nft -f - <<-EOF
	table ip pcnbench_lb {
		chain pre {
			type nat hook prerouting priority dstnat;
			ip daddr $LBRP_VIP udp dport 1000-1063 dnat to 10.202.0.1
		}
	}
	EOF
}

teardown_linux_dnat()
{
	ip netns exec "$NS_D" nft delete table ip pcnbench_lb
	teardown_linux_router
}

gen_vip()
{
	gen sink "$NS_S" s0 dst $LBRP_VIP \
		dmac "$(ip -n "$NS_D" -j link show dev r1 | jq -r '.[0].address')"
}

measure_variant()
{
	CUR_VARIANT=$1
	case $1 in
	"xdp drop") gen dut "$NS_D" r1 drop ;;
	"xdp redirect") gen sink "$NS_S" s0 dut "$NS_D" r1 redirect r2 ;;
	"xdp redirect, eth") gen sink "$NS_S" s0 dut "$NS_D" r1 redirect-eth r2 ;;
	"tc redirect") gen sink "$NS_S" s0 dut "$NS_D" r1 tcredirect r2 ;;
	"pcn-cni xdp pods") cni_gen pcn-cni xdp ;;
	"pcn-cni tc pods") cni_gen pcn-cni tc ;;
	"bridge plugin pods") cni_gen bridge "" ;;
	"pcn-cni router xdp pods") cni_gen pcn-cni-router xdp ;;
	"pcn-cni router tc pods") cni_gen pcn-cni-router tc ;;
	"pcn-cni router tc TCP") cni_tcp pcn-cni-router tc ;;
	"pcn-cni xdp TCP") cni_tcp pcn-cni xdp ;;
	"pcn-cni tc TCP") cni_tcp pcn-cni tc ;;
	"bridge plugin TCP") cni_tcp bridge "" ;;
	"xdp via "*) gen sink "$NS_S" s0 dut "$NS_D" r1 via "${1##* }" r2 ;;
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
	"pcn fwd+dynmon+min xdp"|"pcn fwd+dynmon+swap xdp")
		setup_pcn_dynmon xdp "$(probe_src "${1#pcn fwd+dynmon+}")"
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
	"pcn router6 xdp"|"pcn router6 tc")
		setup_pcn_router6 "${1##* }"
		gen_routed6
		teardown_pcn_router6 ;;
	"linux router6")
		setup_linux_router6
		gen_routed6
		teardown_linux_router6 ;;
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
	"pcn router+lbrp xdp"|"pcn router+lbrp tc")
		setup_pcn_lbrp "${1##* }"
		gen_vip
		teardown_pcn_lbrp ;;
	"pcn router+nat xdp"|"pcn router+nat tc")
		setup_pcn_nat "${1##* }"
		nat_warm 16384 >/dev/null
		gen_routed
		teardown_pcn_nat ;;
	"linux router+nft masq")
		setup_linux_masq
		masq_warm 16384
		gen_routed
		teardown_linux_masq ;;
	"pcn router+nat xdp, new flows"|"pcn router+nat tc, new flows")
		local m=${1%, new flows}
		setup_pcn_nat "${m##* }" "$NAT_NEW_TABLE"
		gen_routed "${NAT_NEW[@]}" seconds "$NAT_NEW_SECS"
		teardown_pcn_nat ;;
	"linux router+nft masq, new flows")
		setup_linux_masq
		gen_routed "${NAT_NEW[@]}" seconds "$NAT_NEW_SECS"
		teardown_linux_masq ;;
	"linux router+nft dnat")
		setup_linux_dnat
		gen_vip
		teardown_linux_dnat ;;
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
# measured within seconds of each other. The rounds' rates stay in
# M_VA and M_VB for measure_added, the DUT's CPU ns per packet (where
# gen measured it) in M_CA and M_CB, the ns of a run of r1's program
# (with PROGSTATS) in M_PA and M_PB.
measure()
{
	local scen=$1 unit=$2 a=$3 b=$4 i va=() vb=() vr=() ma mb

	local ca pa

	M_CA=()
	M_CB=()
	M_PA=()
	M_PB=()
	for ((i = 0; i < ROUNDS; i++)); do
		: >"$CPUNS"
		va+=("$(measure_variant "$a")")
		read -r ca pa <"$CPUNS" || true
		M_CA+=("${ca:-}")
		M_PA+=("${pa:-}")
		: >"$CPUNS"
		vb+=("$(measure_variant "$b")")
		read -r ca pa <"$CPUNS" || true
		M_CB+=("${ca:-}")
		M_PB+=("${pa:-}")
		vr+=("$(awk -v x="${va[i]}" -v y="${vb[i]}" 'BEGIN { print y ? x / y : 0 }')")
	done
	M_VA=("${va[@]}")
	M_VB=("${vb[@]}")
	ma=$(printf '%s\n' "${va[@]}" | median)
	mb=$(printf '%s\n' "${vb[@]}" | median)
	report "$scen" "$unit" "$a" "$ma" "$b" "$mb" \
		"$(printf '%s\n' "${vr[@]}" | median)" "$(spread "${vr[@]}")"
}

# spread VALUE...: "MIN..MAX +-P%", P the farther of MIN and MAX from
# the values' median, in % of it; "-" for a single value
spread()
{
	printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
		if (NR < 2) { print "-"; exit }
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		d = m - v[1]; if (v[NR] - m > d) d = v[NR] - m
		if (m < 0) m = -m
		printf "%.3g..%.3g +-%.0f%%\n", v[1], v[NR], m ? 100 * d / m : 0 }'
}

# pair_spread A B: the spread of the ratios of arrays A and B (names),
# element by element: for rows whose two sides were measured in turns
pair_spread()
{
	local -n pa_=$1 pb_=$2
	local i r=()

	for ((i = 0; i < ${#pa_[@]} && i < ${#pb_[@]}; i++)); do
		r+=("$(awk -v x="${pa_[i]}" -v y="${pb_[i]}" \
			'BEGIN { print y ? x / y : 0 }')")
	done
	spread "${r[@]}"
}

# Per-packet cost a cube adds over a bare XDP redirect, in ns: live,
# 1/rate - 1/rate of the redirect in each round of a pair (rates from
# the same measure), and by BPF_PROG_TEST_RUN, the port's entry
# program against bench_redirect, paired ROUNDS times.
#
# micro_args VARIANT: the cube of the variant's ingress port p1 and
# what else pcn-bench prog needs; its setup before. Not for the router:
# a non-live BPF_PROG_TEST_RUN runs every repetition on the same frame,
# which the first one rewrote (MACs, TTL), so every other one is dropped.
micro_args()
{
	case $1 in
	"pcn forwarder xdp") echo "bfw" ;;
	"pcn bridge xdp") echo "bbr" ;;
	*) return 1 ;;
	esac
}

micro_setup()
{
	case $1 in
	"pcn forwarder xdp") setup_pcn_fwd xdp ;;
	"pcn bridge xdp") setup_pcn_bridge xdp ;;
	esac
}

micro_teardown()
{
	case $1 in
	"pcn forwarder xdp") teardown_pcn_fwd ;;
	"pcn bridge xdp") teardown_pcn_bridge ;;
	esac
}

# measure_added SCENARIO A: A against "xdp redirect" (measure), then a
# row of the ns A adds: live (median, spread of the rounds) beside the
# microbenchmark's (median of as many pairs; "-" for variants it cannot
# run, the bench's own via ones)
measure_added()
{
	local scen=$1 a=$2 i live=() micro=() cpu=() prog=() args cube link x y

	measure "$scen" Mpps "$a" "xdp redirect"
	for ((i = 0; i < ${#M_VA[@]}; i++)); do
		live+=("$(awk -v x="${M_VA[i]}" -v y="${M_VB[i]}" \
			'BEGIN { print x && y ? 1e9 / x - 1e9 / y : 0 }')")
		[ -n "${M_CA[i]}" ] && [ -n "${M_CB[i]}" ] &&
			cpu+=("$(awk -v x="${M_CA[i]}" -v y="${M_CB[i]}" \
				'BEGIN { print x - y }')")
		[ -n "${M_PA[i]}" ] && [ -n "${M_PB[i]}" ] &&
			prog+=("$(awk -v x="${M_PA[i]}" -v y="${M_PB[i]}" \
				'BEGIN { print x - y }')")
	done
	if args=$(micro_args "$a"); then
		micro_setup "$a"
		set -- $args
		cube=$1
		shift
		link=$(echo "$PCN_ROOT"/ns-*/cubes/"$cube"/link_p1)
		for ((i = 0; i < ROUNDS; i++)); do
			x=$(prog_ns link "$link" "$@")
			y=$(prog_ns redirect "$@")
			micro+=("$((x - y))")
		done
		micro_teardown "$a"
	fi
	report "$scen" ns "  ns added, 1/rate" \
		"$(printf '%s\n' "${live[@]}" | median)" "ns added, micro" \
		"$([ ${#micro[@]} -gt 0 ] && printf '%s\n' "${micro[@]}" | median || echo -)" \
		- "$(spread "${live[@]}") / $(spread "${micro[@]}")"
	if [ ${#cpu[@]} -gt 0 ]; then
		report "$scen" ns "  ns added, DUT cpu" \
			"$(printf '%s\n' "${cpu[@]}" | median)" \
			"DUT cpu ns, redirect" \
			"$(printf '%s\n' "${M_CB[@]}" | median)" - \
			"$(spread "${cpu[@]}")"
	fi
	if [ ${#prog[@]} -gt 0 ]; then
		report "$scen" ns "  ns added, in prog" \
			"$(printf '%s\n' "${prog[@]}" | median)" \
			"prog ns, redirect" \
			"$(printf '%s\n' "${M_PB[@]}" | median)" - \
			"$(spread "${prog[@]}")"
	fi
}

# report SCENARIO UNIT A VALUE_A B VALUE_B [RATIO [SPREAD]]: one line of
# the table (RATIO: VALUE_A / VALUE_B unless given, "-" for none; a
# value "-": none; SPREAD: of the samples the ratio is the median of,
# "-" when it is one sample)
report()
{
	local scen=$1 unit=$2 a=$3 ma=$4 b=$5 mb=$6 scale=1 ratio

	[ "$unit" = Mpps ] && scale=1000000
	ratio=$(awk -v x="$ma" -v y="$mb" -v r="${7:-}" 'BEGIN {
		if (r == "-") print "-"
		else printf "%.2f", r != "" ? r : y ? x / y : 0 }')
	printf '%-22s %-20s %9s  %-22s %9s  %6s  %-4s  %s\n' "$scen" "$a" \
		"$(awk -v v="$ma" -v s=$scale 'BEGIN { if (v == "-") print v;
			else printf "%.3f", v / s }')" "$b" \
		"$(awk -v v="$mb" -v s=$scale 'BEGIN { if (v == "-") print v;
			else printf "%.3f", v / s }')" "$ratio" "$unit" "${8:--}"
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$scen" "$a" "$ma" "$b" \
		"$mb" "$ratio" "$unit" "${8:--}" >>"$RESULTS"
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
	measure_added forwarder_xdp "pcn forwarder xdp"
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
	measure_added bridge_xdp "pcn bridge xdp"
}

# IPv4 forwarding, pcn's router against Linux's, without and with
# 100,000 other routes in both; and the time to load them in one batch.
scen_router()
{
	local t0 t1 a

	measure router_xdp Mpps "pcn router xdp" "linux router"
	measure_added router_xdp "pcn router xdp"
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

# IPv6 forwarding, pcn's own-table router against Linux's, and against
# its own IPv4 forwarding
scen_router6()
{
	measure router6_xdp Mpps "pcn router6 xdp" "linux router6"
	measure router6_tc Mpps "pcn router6 tc" "linux router6"
	measure router6_xdp_v4 Mpps "pcn router6 xdp" "pcn router xdp"
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

# The reverse proxy against Linux's DNAT (nft, with conntrack) on the
# same routed path, and what the cube costs the router it sits on.
scen_lbrp()
{
	measure lbrp_xdp Mpps "pcn router+lbrp xdp" "linux router+nft dnat"
	measure lbrp_tc Mpps "pcn router+lbrp tc" "linux router+nft dnat"
	measure lbrp_cost Mpps "pcn router+lbrp xdp" "pcn router xdp"
	if [ ! -e /proc/net/ip_vs ] || ! command -v ipvsadm >/dev/null; then
		echo "# lbrp: no IPVS here (ip_vs module or ipvsadm missing): no NAT-mode baseline" >&2
	fi
}

# The DSR load balancer's cost per packet by BPF_PROG_TEST_RUN (its
# frontend's entry program on one UDP frame to a service, repeated: the
# cube rewrites MACs alone, so every repetition is balanced the same
# way), with 1 service and with 1,000, against an empty program. The
# reverse proxy is not measured so: the first repetition rewrites the
# frame's destination to the backend, and the others would measure a
# packet that is not for a VIP.
scen_lb_micro()
{
	local n i link va vb a b one=

	for n in 1 1000; do
		setup_pcn_lbdsr xdp $((n - 1)) 1
		link=$(echo "$PCN_ROOT"/ns-*/cubes/blb/link_fe)
		va=()
		vb=()
		for ((i = 0; i < ROUNDS; i++)); do
			va+=("$(prog_ns link "$link" dst 10.201.0.1 dport 1000)")
			vb+=("$(prog_ns empty)")
		done
		# what was measured is the balanced path, or nothing is
		"$PCN" -n "$NS_D" -j -s cube show blb |
			jq -e '.[0].stats.lbdsr.balanced >= 2000000' >/dev/null || {
			echo "Error: lb_micro: the frames were not balanced" >&2
			teardown_pcn_lbdsr
			return 1
		}
		teardown_pcn_lbdsr
		a=$(printf '%s\n' "${va[@]}" | median)
		b=$(printf '%s\n' "${vb[@]}" | median)
		report lb_micro ns "lbdsr xdp, $n service(s)" "$a" \
			"empty program" "$b" "" "$(pair_spread va vb)"
		if [ -z "$one" ]; then
			one=$a
		else
			report lb_micro ns "  1,000 services" "$a" "1 service" \
				"$one"
		fi
	done
}

nat_opened()
{
	"$PCN" -n "$NS_D" -j -s cube show bnat | jq '.[0].stats.egress.new_flows'
}

# nat_warm N [ARGS...]: send N flows (gen_routed ARGS) through bnat
# until it has seen them all open (the generator is faster than the
# DUT, which drops some), at most 60 runs of 1 s: an established flow's
# figure must not pay for opening flows, which a slow DUT would do for
# a large share of its packets; the number of flows it opened
nat_warm()
{
	local n=$1 i o=0 secs=$SECS

	shift
	SECS=1
	for ((i = 0; i < 60; i++)); do
		gen_routed "$@" >/dev/null
		o=$(nat_opened)
		[ "$o" -ge "$n" ] && break
	done
	SECS=$secs
	echo "$o"
}

# masq_warm N: the same for Linux, its conntrack table holding N flows
masq_warm()
{
	local i secs=$SECS

	SECS=1
	for ((i = 0; i < 60; i++)); do
		gen_routed >/dev/null
		[ "$(ip netns exec "$NS_D" conntrack -C)" -ge "$1" ] && break
	done
	SECS=$secs
}

# The per-packet cost of established flows at 1M flows against 1k
# (each round one nat of 1M flows, first warmed and measured with 1k
# flows, then with 1M): ns per run of r1's XDP program (router + nat),
# kernel run-time statistics; and the memory of the 1M flows' tables
scen_nat_flows()
{
	local i a b n1 n2 n3 va=() vb=() vr=() mem

	for ((i = 0; i < ROUNDS; i++)); do
		setup_pcn_nat xdp 1000000
		n1=$(nat_warm 1000 flows 1000 sport 1024/64511)
		: >"$CPUNS"
		PROGSTATS=1 gen_routed flows 1000 sport 1024/64511 >/dev/null
		a=$(awk '{ print $NF }' "$CPUNS")
		n2=$(nat_warm 1000000 flows 1000000 sport 1024/64511)
		: >"$CPUNS"
		PROGSTATS=1 gen_routed flows 1000000 sport 1024/64511 >/dev/null
		b=$(awk '{ print $NF }' "$CPUNS")
		# flows the warming missed open during the measurement
		n3=$(nat_opened)
		if [ "$i" = 0 ]; then
			mem=$(for m in nat_flows nat_ct; do
				bpftool -j map show pinned \
					"$(echo "$PCN_ROOT"/ns-*/cubes/bnat/$m)"
			      done | jq -s 'map(.bytes_memlock) | add')
		fi
		echo "# nat_1m round $i: flows open $n1, then $n2;" \
			"$((n3 - n2)) opened while measuring 1M" >&2
		teardown_pcn_nat
		va+=("$b")
		vb+=("$a")
		vr+=("$(awk -v x="$b" -v y="$a" 'BEGIN { print y ? x / y : 0 }')")
	done
	report nat_1m_xdp ns "prog ns, 1M flows" \
		"$(printf '%s\n' "${va[@]}" | median)" "prog ns, 1k flows" \
		"$(printf '%s\n' "${vb[@]}" | median)" \
		"$(printf '%s\n' "${vr[@]}" | median)" "$(spread "${vr[@]}")"
	# MB of 1M flows: also the bytes a flow takes
	report nat_1m_mem MB "tables of 1M flows" \
		"$(awk -v m="$mem" 'BEGIN { print m / 1e6 }')" - - -
}

# NAT: pcn's router + nat masquerading established flows against Linux
# forwarding with nft masquerade (conntrack on); the rate of new flows
# (every packet a new 5-tuple) beside Linux's; what the nat costs the
# router; the cost of 1M flows against 1k (scen_nat_flows).
scen_nat()
{
	if ! command -v conntrack >/dev/null; then
		echo "# nat: no conntrack tool (scripts/install-deps.sh bench) to empty Linux's table between runs: skipped" >&2
		return 0
	fi
	measure nat_xdp Mpps "pcn router+nat xdp" "linux router+nft masq"
	measure nat_tc Mpps "pcn router+nat tc" "linux router+nft masq"
	measure nat_cost Mpps "pcn router+nat xdp" "pcn router xdp"
	measure nat_new_xdp Mpps "pcn router+nat xdp, new flows" \
		"linux router+nft masq, new flows"
	measure nat_new_tc Mpps "pcn router+nat tc, new flows" \
		"linux router+nft masq, new flows"
	scen_nat_flows
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
	measure_added firewall_xdp "pcn router+firewall xdp"
}

# Where a cube's ns over a bare redirect go, with the kernel's run-time
# statistics of the programs on (each run pays two clock reads more,
# both sides alike; the "in prog" rows): the redirect with the pieces of
# a forwarder's way added (bench.bpf.c, bench_via_entry; the bits: 1 an
# entry program and a tail call, 2 the metadata through a per-CPU map,
# 4 the per-port counters, 8 the action and port lookups), each against
# the bare redirect; then pcn's forwarding cubes.
scen_cost()
{
	local v

	for v in 1 3 4 8 15; do
		PROGSTATS=1 measure_added "cost_via_$v" "xdp via $v"
	done
	# reading the frame's first bytes, written on the generator's CPU
	PROGSTATS=1 measure_added cost "xdp redirect, eth"
	for v in "pcn forwarder xdp" "pcn bridge xdp" "pcn router xdp" \
		 "pcn router+firewall xdp"; do
		PROGSTATS=1 measure_added cost "$v"
	done
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
	local nft=(ip netns exec "$NS_D" nft) ca=() cd=() cr=() cna=() cnd=() cnr=()

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
		# the CPU time of each (user + system of the command): what
		# a loaded machine does not stretch
		ca+=("$(cpu_ms "$PCN" -n "$NS_D" rule append bfr ingress \
			src 9.9.9.0/24 proto udp dport 53 action accept)")
		cd+=("$(cpu_ms "$PCN" -n "$NS_D" rule delete bfr ingress 6000)")
		cr+=("$(cpu_ms "$PCN" -n "$NS_D" rule replace bfr ingress 6000 \
			src 8.8.8.0/24 proto tcp dport 80 action drop)")
		cna+=("$(cpu_ms "${nft[@]}" add rule inet pcnb fw \
			ip saddr 9.9.9.0/24 udp dport 53 accept)")
		cnd+=("$(cpu_ms "${nft[@]}" delete rule inet pcnb fw \
			handle "${handles[$((7000 + 2 * i))]}")")
		cnr+=("$(cpu_ms "${nft[@]}" replace rule inet pcnb fw \
			handle "${handles[$((7001 + 2 * i))]}" \
			ip saddr 8.8.8.0/24 tcp dport 80 drop)")
	done
	report fw_rules ms "rule append (10k)" "$(printf '%s\n' "${pa[@]}" | median)" \
		"nft add rule (10k)" "$(printf '%s\n' "${na[@]}" | median)" "" \
		"$(pair_spread pa na)"
	report fw_rules ms "rule delete (10k)" "$(printf '%s\n' "${pd[@]}" | median)" \
		"nft delete rule (10k)" "$(printf '%s\n' "${nd[@]}" | median)" "" \
		"$(pair_spread pd nd)"
	report fw_rules ms "rule replace (10k)" "$(printf '%s\n' "${pr[@]}" | median)" \
		"nft replace rule (10k)" "$(printf '%s\n' "${nr[@]}" | median)" "" \
		"$(pair_spread pr nr)"
	report fw_rules ms "  append cpu" "$(printf '%s\n' "${ca[@]}" | median)" \
		"  add cpu" "$(printf '%s\n' "${cna[@]}" | median)"
	report fw_rules ms "  delete cpu" "$(printf '%s\n' "${cd[@]}" | median)" \
		"  delete cpu" "$(printf '%s\n' "${cnd[@]}" | median)"
	report fw_rules ms "  replace cpu" "$(printf '%s\n' "${cr[@]}" | median)" \
		"  replace cpu" "$(printf '%s\n' "${cnr[@]}" | median)"
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
		"iptables-restore (7.8k)" "$(printf '%s\n' "${ir[@]}" | median)" "" \
		"$(pair_spread pi ir)"
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
		report "micro_$mode" ns "forwarder entry" "$a" "empty program" "$b" \
			"" "$(pair_spread va vb)"
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

# probe_src min|swap: a probe's C file (its path): "min" lets every
# packet go and counts nothing; "swap" counts as l4proto.c does, in a
# map read swap-on-read (PCN_SWAP_MAP: one more lookup per packet)
probe_src()
{
	local f=$BPFFS.probe_${1%% *}.c

	case $1 in
	min*)
		cat >"$f" <<'EOF'
#include <pcn/probe.h>
static __always_inline int pass(struct pcn_pkt *pkt) { return PCN_PROBE_PASS; }
PCN_PROBE(pass)
EOF
		;;
	swap*)
		cat >"$f" <<'EOF'
#include <pcn/probe.h>
struct l4_count { __u64 packets; __u64 bytes; };
struct l4_gen {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, struct l4_count);
};
PCN_SWAP_MAP(l4proto, struct l4_gen)
static __always_inline int count(struct pcn_pkt *pkt)
{
	struct pcn_l3 l3;
	struct l4_count *c;
	__u32 proto = 255;
	void *gen = pcn_swap_map(&l4proto);

	if (!pcn_parse_l3(pkt, &l3))
		proto = l3.proto;
	c = gen ? bpf_map_lookup_elem(gen, &proto) : 0;
	if (c) {
		c->packets++;
		c->bytes += pkt->len;
	}
	return PCN_PROBE_PASS;
}
PCN_PROBE(count)
PCN_METRIC_READ(probe_l4_packets, gauge, swap, l4proto, "packets", "proto", "packets per L4 protocol since the last read")
EOF
		;;
	esac
	echo "$f"
}

# probe_obj NAME C-FILE: C-FILE built as a user would, into $BPFFS.NAME.o
probe_obj()
{
	clang -target bpf -O2 -g -I"$TOP/include" \
		-I"/usr/include/$(gcc -print-multiarch)" -c "$2" -o "$BPFFS.$1.o"
}

# The same in the microbenchmark (BPF_PROG_TEST_RUN of the entry
# program of the forwarder's port, the dynmon stacked on it: the
# kernel times the runs, and leaves out the time the CPU was taken
# away, which a loaded machine's throughput figures cannot): ns per run
# with no dynmon (the empty chain), no probe, with the probe that does
# nothing, with l4proto.c and with its swap-on-read twin, in turn
# within each round. The first runs after a change are thrown away:
# the first measurement after a load was 10-15 ns slower than the
# same probe measured later (the new program's code and maps cold).
scen_probe_micro()
{
	local link i p v=() n=() names=(none min l4proto swap empty)

	command -v clang >/dev/null || { echo "# probe_micro: no clang, skipped" >&2; return 0; }
	probe_obj min "$(probe_src min)"
	probe_obj l4proto "$TOP/examples/probes/l4proto.c"
	probe_obj swap "$(probe_src swap)"
	setup_pcn_dynmon xdp ""
	link=$(echo "$PCN_ROOT"/ns-*/cubes/bfw/link_p1)
	for ((i = 0; i < ROUNDS; i++)); do
		for p in 4 0 1 2 3; do
			case $p in
			4) "$PCN" -n "$NS_D" link del bmon port bfw:p1 ingress ;;
			0) "$PCN" -n "$NS_D" link add bmon port bfw:p1 ingress
			   "$PCN" -n "$NS_D" probe unload bmon ingress 2>/dev/null || true ;;
			*) "$PCN" -n "$NS_D" probe load bmon ingress "$BPFFS.${names[p]}.o" ;;
			esac
			prog_ns link "$link" >/dev/null
			v[p]+="$(prog_ns link "$link") "
		done
	done
	teardown_pcn_dynmon
	for p in 0 1 2 3 4; do
		n[p]=$(printf '%s\n' ${v[p]} | median)
	done
	report micro_probe ns "dynmon, no probe" "${n[0]}" "no dynmon" "${n[4]}"
	report micro_probe ns "dynmon, min probe" "${n[1]}" "dynmon, no probe" "${n[0]}"
	report micro_probe ns "dynmon, l4proto" "${n[2]}" "dynmon, no probe" "${n[0]}"
	report micro_probe ns "dynmon, l4proto" "${n[2]}" "no dynmon" "${n[4]}"
	report micro_probe ns "dynmon, l4proto swap" "${n[3]}" "dynmon, l4proto" "${n[2]}"
	awk -v a="${n[0]}" -v b="${n[1]}" -v c="${n[2]}" -v d="${n[3]}" -v e="${n[4]}" 'BEGIN {
		printf "# probe (micro): dynmon %+.1f ns over the empty chain; min %+.1f ns, l4proto %+.1f ns over no probe (%+.1f over the empty chain); swap map %+.1f ns over l4proto\n",
			a - e, b - a, c - a, c - e, d - c }'
}

# what probes cost a packet (ns: 1000/Mpps of each, apart, from the
# median of the rounds' paired ratios): a probe that does nothing, over
# the same dynmon with none; the example that counts per L4 protocol
# (with its dynmon) over the forwarder alone, the empty chain; and the
# same counts in a swap-on-read map, over the plain one
scen_probe()
{
	command -v clang >/dev/null || { echo "# probe: no clang, skipped" >&2; return 0; }
	measure probe_xdp Mpps "pcn fwd+dynmon+min xdp" "pcn fwd+dynmon xdp"
	measure probe_xdp Mpps "pcn fwd+dynmon+l4proto xdp" "pcn forwarder xdp"
	measure probe_xdp Mpps "pcn fwd+dynmon+swap xdp" "pcn fwd+dynmon+l4proto xdp"
	awk -F'\t' '$1 == "probe_xdp" && $5 > 0 && $6 > 0 {
		ns = 1000 / ($5 / 1e6)
		printf "# probe: %s costs %.1f ns per packet over %s\n",
			$2, ns / $6 - ns, $4 }' "$RESULTS" | tail -3
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

# Pods through the CNI plugin against the reference bridge plugin
# (containernetworking-plugins) on the same node: pod A's pod0 sends the
# 64 B flow to pod B, which counts it; the node's end of pod A's veth
# does its receive work on the DUT's CPU, as r1 does above. And the
# median time of one ADD (a pod's veth, address and port), each plugin.
CNI_BIN=/usr/lib/cni
NS_CN=$NS_D-cn
NS_CA=$NS_D-ca
NS_CB=$NS_D-cb

# cni_conf PLUGIN MODE: the network's configuration (pcn-cni-router:
# pcn-cni with "cubeType": "router")
cni_conf()
{
	local extra='"cube":"cnib0","mode":"'$2'"' type=$1

	[ "$1" = bridge ] && extra='"bridge":"cnibr0"'
	[ "$1" = pcn-cni-router ] && type=pcn-cni &&
		extra+=',"cubeType":"router"'
	printf '{"cniVersion":"1.0.0","name":"bench","type":"%s","isGateway":true,%s,"ipam":{"type":"host-local","subnet":"10.210.0.0/16","dataDir":"%s.ipam"}}' \
		"$type" "$extra" "$BPFFS"
}

# cni_run PLUGIN MODE COMMAND CONTAINER POD_NS: one call, as a runtime
cni_run()
{
	local exe=$CNI_BIN/$1

	[ "${1%-router}" = pcn-cni ] && exe=$BUILD/pcn-cni
	cni_conf "$1" "$2" | CNI_COMMAND=$3 CNI_CONTAINERID=$4 \
		CNI_NETNS=/run/netns/$5 CNI_IFNAME=pod0 CNI_PATH=$CNI_BIN \
		nsenter --net="/run/netns/$NS_CN" "$exe"
}

cni_pods_up()
{
	local ns

	for ns in "$NS_CN" "$NS_CA" "$NS_CB"; do
		ip netns add "$ns"
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
	done
	cni_run "$1" "$2" ADD bench-a "$NS_CA" >/dev/null
	cni_run "$1" "$2" ADD bench-b "$NS_CB" >/dev/null
}

cni_pods_down()
{
	local ns

	cni_run "$1" "$2" DEL bench-a "$NS_CA" >/dev/null
	cni_run "$1" "$2" DEL bench-b "$NS_CB" >/dev/null
	for ns in "$NS_CA" "$NS_CB" "$NS_CN"; do
		ip netns del "$ns"
	done
	rm -rf "$BPFFS.ipam"
}

# cni_gen PLUGIN MODE: pod A to pod B, packets/s at pod B
cni_gen()
{
	local a b mac host pid cpu=()

	cni_pods_up "$1" "$2"
	a=$(ip -n "$NS_CA" -j addr show pod0 | jq -r '.[0].addr_info[] |
		select(.family == "inet") | .local')
	b=$(ip -n "$NS_CB" -j addr show pod0 | jq -r '.[0].addr_info[] |
		select(.family == "inet") | .local')
	mac=$(ip -n "$NS_CB" -j link show pod0 | jq -r '.[0].address')
	host=$(ip -n "$NS_CN" -j link show | jq -r --argjson i \
		"$(ip -n "$NS_CA" -j link show pod0 | jq '.[0].link_index')" \
		'.[] | select(.ifindex == $i) | .ifname')
	ip netns exec "$NS_CN" ethtool -K "$host" gro on >/dev/null
	if [ "$1" = pcn-cni-router ]; then
		# routed: to the gateway's MAC (pod A's host end), and the
		# node's neighbour entry for pod B made first
		mac=$(ip -n "$NS_CN" -j link show "$host" | jq -r '.[0].address')
		ip netns exec "$NS_CA" ping -c 1 -W 2 -q "$b" >/dev/null
	fi
	if [ -z "$SHARED" ]; then
		ip netns exec "$NS_CN" sh -c "echo 1 > /sys/class/net/$host/threaded"
		for pid in $(pgrep -x "napi/$host-[0-9]+"); do
			taskset -pc "$DUT_CPU" "$pid" >/dev/null
		done
		cpu=(taskset -c "$GEN_CPU")
	fi
	"${cpu[@]}" "$BENCH" run gen "$NS_CA" pod0 sink "$NS_CB" pod0 \
		seconds "$SECS" src "$a" dst "$b" dmac "$mac" dport 1000/64 |
		jq '.rx_pps'
	cni_pods_down "$1" "$2"
}

# cni_tcp PLUGIN MODE: pod A to pod B, one TCP stream (iperf3), Gbit/s
cni_tcp()
{
	local b

	cni_pods_up "$1" "$2"
	b=$(ip -n "$NS_CB" -j addr show pod0 | jq -r '.[0].addr_info[] |
		select(.family == "inet") | .local')
	ip netns exec "$NS_CB" iperf3 -s -1 -D -B "$b" >/dev/null
	wait_port "$NS_CB" 5201
	ip netns exec "$NS_CA" iperf3 -J -c "$b" -t "$SECS" |
		jq '.end.sum_received.bits_per_second / 1e9'
	cni_pods_down "$1" "$2"
}

# wait_port NETNS PORT: a TCP listener there, within 5 s
wait_port()
{
	local i

	for ((i = 0; i < 50; i++)); do
		ip netns exec "$1" ss -Hltn "sport = :$2" | grep -q . && return 0
		sleep 0.1
	done
	echo "Error: nothing listens on $2 in $1" >&2
	return 1
}

# cni_add_us PLUGIN MODE N: median microseconds of one ADD of N pods
# (each in its own netns, made beforehand), then all deleted
cni_add_us()
{
	local i t0 t1 v=()

	ip netns add "$NS_CN"
	for ((i = 0; i < $3; i++)); do
		ip netns add "$NS_CA-$i"
		t0=${EPOCHREALTIME/./}
		cni_run "$1" "$2" ADD "lat-$i" "$NS_CA-$i" >/dev/null
		t1=${EPOCHREALTIME/./}
		v+=("$((t1 - t0))")
	done
	for ((i = 0; i < $3; i++)); do
		cni_run "$1" "$2" DEL "lat-$i" "$NS_CA-$i" >/dev/null
		ip netns del "$NS_CA-$i"
	done
	ip netns del "$NS_CN"
	rm -rf "$BPFFS.ipam"
	printf '%s\n' "${v[@]}" | median
}

scen_cni()
{
	local n=60 br	# a bridge cube has at most 64 ports, the gateway's one

	[ -x "$CNI_BIN/bridge" ] && [ -x "$CNI_BIN/host-local" ] ||
		{ echo "# cni: no reference plugins in $CNI_BIN (containernetworking-plugins)" >&2; return 0; }
	[ -n "$QUICK" ] && n=20
	measure cni Mpps "pcn-cni xdp pods" "bridge plugin pods"
	measure cni Mpps "pcn-cni tc pods" "bridge plugin pods"
	measure cni Mpps "pcn-cni router xdp pods" "bridge plugin pods"
	measure cni Mpps "pcn-cni router tc pods" "bridge plugin pods"
	if command -v iperf3 >/dev/null; then
		measure cni Gbit/s "pcn-cni xdp TCP" "bridge plugin TCP"
		measure cni Gbit/s "pcn-cni tc TCP" "bridge plugin TCP"
		measure cni Gbit/s "pcn-cni router tc TCP" "bridge plugin TCP"
	else
		echo "# cni: no iperf3 (scripts/install-deps.sh bench)" >&2
	fi
	br=$(cni_add_us bridge "" "$n" | awk '{ print $1 / 1000 }')
	report cni ms "pcn-cni ADD (median)" \
		"$(cni_add_us pcn-cni xdp "$n" | awk '{ print $1 / 1000 }')" \
		"bridge plugin ADD" "$br"
	report cni ms "pcn-cni router ADD (median)" \
		"$(cni_add_us pcn-cni-router xdp "$n" | awk '{ print $1 / 1000 }')" \
		"bridge plugin ADD" "$br"
}

# machine_header: what the figures depend on besides pcn: the CPU, and
# the kernel's mitigations of speculative execution (where every return
# goes through a return thunk, Linux's call-heavy stack pays most of
# it, and pcn's ratios to Linux grow), one line each: spectre_v2,
# spec_rstack_overflow and retbleed always, the others where this CPU
# is affected
machine_header()
{
	local v=/sys/devices/system/cpu/vulnerabilities f n

	printf '# cpu: %s%s\n' \
		"$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)" \
		"$(grep -qw hypervisor /proc/cpuinfo && echo ', virtual machine')"
	printf '# kernel: %s\n' "$(uname -srv)"
	for n in spectre_v2 spec_rstack_overflow retbleed; do
		printf '# %s: %s\n' "$n" "$(cat "$v/$n" 2>/dev/null || echo unknown)"
	done
	for f in "$v"/*; do
		[ -r "$f" ] || continue
		n=${f##*/}
		case $n in spectre_v2|spec_rstack_overflow|retbleed) continue ;; esac
		grep -q '^Not affected' "$f" || printf '# %s: %s\n' "$n" "$(cat "$f")"
	done
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
machine_header
echo "# spread: MIN..MAX of the rounds' ratios, +- the farther of them from the"
echo "# median; ns rows: live / micro; '-': one sample, or medians of"
echo "# samples not taken in pairs"
printf '%-22s %-20s %9s  %-22s %9s  %6s  %-4s  %s\n' scenario pcn value baseline \
	value ratio unit spread
for s in "${SCENARIOS[@]}"; do
	"scen_$s"
done
if [ -n "${BENCH_RESULTS:-}" ]; then
	cp "$RESULTS" "$BENCH_RESULTS"
fi
