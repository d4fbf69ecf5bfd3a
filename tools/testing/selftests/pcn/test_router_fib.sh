#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The router cube with "fib kernel", with real traffic: it forwards IPv4
# and IPv6 by the namespace's routing table and neighbour cache, which
# ip sets up (or BIRD, by OSPF); the first packet to a next hop not yet
# resolved is not lost; the kernel answers for TTL 1 and unreachable
# destinations; its own tables are refused; save and restore; XDP and TC.

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

rt_stat()
{
	pcn -n "$R" -j -s cube show r0 | jq ".[0].stats.router.$1"
}

# fib kernel: R forwards between H1 H2 H3 (10.215.N.2/24, fd00:215:N::2/64)
# by its own routing table and neighbour cache, which ip sets up; the
# router cube r0 holds no table. IPv6 stays on in every namespace.
kernel_subnets()
{
	local i ns

	setup_root
	add_ns R
	ip netns exec "$R" sysctl -qw net.ipv4.ip_forward=1 \
		net.ipv6.conf.all.forwarding=1
	for i in 1 2 3; do
		add_ns "H$i"
		ns=H$i
		add_veth "$R" "v$i" "${!ns}" "e$i"
		addr "$R" "v$i" "10.215.$i.1/24"
		ip -n "$R" addr add "fd00:215:$i::1/64" dev "v$i" nodad
		addr "${!ns}" "e$i" "10.215.$i.2/24"
		ip -n "${!ns}" addr add "fd00:215:$i::2/64" dev "e$i" nodad
		ip -n "${!ns}" route add default via "10.215.$i.1"
		ip -n "${!ns}" -6 route add default via "fd00:215:$i::1"
		veth_xdp_ready "${!ns}" "e$i"
	done
	pcn -n "$R" cube add r0 type router mode "$1" fib kernel
	for i in 1 2 3; do
		pcn -n "$R" link add "r0:p$i" dev "v$i"
	done
}

# the first packet to a next hop R has not resolved yet gets through:
# the kernel resolves it and forwards that packet itself
kernel_fib()
{
	local out f

	kernel_subnets "$1"
	pcn -n "$R" -j cube show r0 | jq -e '.[0].fib == "kernel"'
	ip netns exec "$H1" ping -c 1 -W 3 -q 10.215.3.2 >/dev/null
	ip netns exec "$H2" ping -6 -c 1 -W 3 -q fd00:215:3::2 >/dev/null
	[ "$(rt_stat no_neigh)" -ge 2 ]
	[ "$(rt_stat to_stack)" -ge 2 ]
	# then the datapath forwards, IPv4 and IPv6
	ping_ok "$H1" 10.215.2.2 3
	ping_ok "$H3" fd00:215:1::2 3
	tcp_transfer "$H1" "$H3" 10.215.3.2 500000
	tcp_transfer "$H3" "$H2" fd00:215:2::2 500000
	[ "$(rt_stat forwarded)" -gt 200 ]
	# a route added with ip route carries traffic, and goes with it
	ip -n "$H3" addr add 10.77.0.1/32 dev lo
	ip -n "$R" route add 10.77.0.0/16 via 10.215.3.2
	ping_ok "$H2" 10.77.0.1 3
	ip -n "$R" route del 10.77.0.0/16 via 10.215.3.2
	out=$(ip netns exec "$H2" ping -c 1 -W 1 10.77.0.1 || true)
	grep -q 'From 10.215.2.1 .*Unreachable' <<<"$out"
	[ "$(rt_stat local_passed)" -ge 1 ]
	# the hop: the kernel answers for TTL 1
	out=$(ip netns exec "$H1" traceroute -n -w 1 -q 1 -m 4 10.215.3.2)
	echo "$out"
	grep -qE '^ 1  10\.215\.1\.1 ' <<<"$out"
	grep -qE '^ 2  10\.215\.3\.2 ' <<<"$out"
	[ "$(rt_stat ttl_exceeded)" -ge 1 ]
	# the router's own tables are the kernel's
	expect_err 2 "$PCN" -n "$R" addr add 10.215.1.7/24 port r0:p1
	expect_err 2 "$PCN" -n "$R" route add 10.78.0.0/16 via 10.215.3.2 cube r0
	expect_err 2 "$PCN" -n "$R" route del 10.78.0.0/16 cube r0
	expect_err 2 "$PCN" -n "$R" addr del 10.215.1.1/24 port r0:p1
	expect_err 2 "$PCN" -n "$R" neigh add 10.215.1.9 lladdr 02:00:00:00:00:09 port r0:p1
	pcn -n "$R" cube add r1 type router mode "$1"
	expect_err 2 "$PCN" -n "$R" link add r0:x peer r1:y
	expect_err 1 "$PCN" -n "$R" cube add r2 type router fib shadow
	expect_err 1 "$PCN" -n "$R" cube add r2 type router fib kernel fib own
	pcn -n "$R" -s cube show r0
	# saved, flushed, restored: the same save, the router forwards again
	f=$(mktemp "${TMPDIR:-/tmp}/pcn-save.XXXXXX")
	defer "rm -f $f"
	pcn -n "$R" save >"$f"
	grep -qx "cube add r0 type router mode $1 neigh_timeout 300 fib kernel" "$f"
	grep -qx "cube add r1 type router mode $1 neigh_timeout 300 fib own" "$f"
	pcn -n "$R" cube flush
	pcn -n "$R" restore "$f" 2>/dev/null
	diff "$f" <(pcn -n "$R" save)
	ping_ok "$H1" 10.215.3.2 3
	ping_ok "$H1" fd00:215:3::2 3
	[ "$(rt_stat forwarded)" -ge 12 ]
}

# bird NS CONF_TEXT: BIRD in the netns, in the foreground, for the test
bird_in()
{
	local dir

	dir=$(mktemp -d "${TMPDIR:-/tmp}/pcn-bird.XXXXXX")
	defer "rm -rf $dir"
	cat >"$dir/bird.conf" <<<"$2"
	ip netns exec "$1" bird -f -c "$dir/bird.conf" -s "$dir/ctl" \
		-P "$dir/pid" >"$dir/log" 2>&1 &
	defer "kill $! 2>/dev/null"
}

ospf_learned()
{
	ip -n "$R" route show 10.77.0.0/16 | grep -q 'via 10.215.3.2 dev v3 proto bird'
}

# a routing daemon drives the router: H3 announces 10.77.0.0/16 by OSPF
# through r0's port (multicast, to R's stack), R's BIRD writes it into
# the kernel's table, and r0 forwards by it
kernel_fib_ospf()
{
	local ospf='protocol ospf v2 {
	ipv4 { import all; export where source = RTS_STATIC; };
	area 0 { interface "IF" { type ptp; hello 1; dead 4; }; };
}'

	command -v bird >/dev/null || skip "no BIRD (bird2)"
	kernel_subnets "$1"
	ip -n "$H3" addr add 10.77.0.1/32 dev lo
	bird_in "$R" "router id 10.215.3.1;
protocol device { scan time 1; }
protocol kernel { ipv4 { export where net ~ [ 10.77.0.0/16+ ]; }; }
${ospf/IF/v3}"
	bird_in "$H3" "router id 10.215.3.2;
protocol device { scan time 1; }
protocol static { ipv4; route 10.77.0.0/16 blackhole; }
${ospf/IF/e3}"
	wait_for 40 ospf_learned
	ip -n "$R" route show 10.77.0.0/16
	ping_ok "$H1" 10.77.0.1 3
	tcp_transfer "$H1" "$H3" 10.77.0.1 200000
	[ "$(rt_stat forwarded)" -gt 100 ]
	# OSPF's hellos went up to the stack through r0
	[ "$(rt_stat to_stack)" -gt 2 ]
}

for m in xdp tc; do
	run_test "router_kernel_fib_$m" kernel_fib $m
	run_test "router_kernel_fib_ospf_$m" kernel_fib_ospf $m
done
tap_done
