#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The router cube's own table with IPv6 and real traffic: hosts with
# IPv6 addresses and default routes via the router, no static
# neighbour on either side (neighbour discovery in the datapath, both
# ways) — ping6 and TCP across, the router answers echo requests for
# its addresses, ICMPv6 time exceeded (ping -t 1), no route and packet
# too big as real clients see them; the objects addr, route and neigh
# with IPv6, their errors and pcn save; XDP and TC.

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# H1 H2 (fd00:216:N::2/64, eth eN, default via fd00:216:N::1) on ports
# p1 p2 of router r0 in R
two_subnets6()
{
	local i ns

	setup_root
	add_ns R
	quiet_ns "$R"
	for i in 1 2; do
		add_ns "H$i"
		ns=H$i
		# no router solicitations to wait on, no temporary addresses
		ip netns exec "${!ns}" sysctl -qw net.ipv6.conf.default.accept_ra=0 \
			net.ipv6.conf.all.accept_ra=0
		add_veth "$R" "v$i" "${!ns}" "e$i"
		ip -n "${!ns}" addr add "fd00:216:$i::2/64" dev "e$i" nodad
		ip -n "${!ns}" -6 route add default via "fd00:216:$i::1"
		veth_xdp_ready "${!ns}" "e$i"
	done
	pcn -n "$R" cube add r0 type router mode "$1"
	for i in 1 2; do
		pcn -n "$R" link add "r0:p$i" dev "v$i"
		pcn -n "$R" addr add "fd00:216:$i::1/64" port "r0:p$i"
	done
}

rt_stat()
{
	pcn -n "$R" -j -s cube show r0 | jq ".[0].stats.router.$1"
}

# ping6_first NS ADDR: the first packet to a next hop the router has not
# resolved becomes its neighbour solicitation (as ARP for IPv4): then
# every packet gets through
ping6_first()
{
	ip netns exec "$1" ping -6 -c 1 -W 1 -q "$2" >/dev/null || true
	ping_ok "$1" "$2" 3
}

routed6()
{
	local out

	two_subnets6 "$1"
	# the router answers NS and echo requests for its addresses
	ping_ok "$H1" fd00:216:1::1 2
	# H2 has said nothing yet: the router solicits it
	ping6_first "$H1" fd00:216:2::2
	[ "$(rt_stat nd_solicited)" -ge 1 ]
	ping_ok "$H2" fd00:216:2::1 2
	ping6_first "$H2" fd00:216:1::2
	tcp_transfer "$H1" "$H2" fd00:216:2::2 500000
	tcp_transfer "$H2" "$H1" fd00:216:1::2 500000
	# both hosts learned, by neighbour discovery, on their ports
	pcn -n "$R" -j neigh show cube r0 |
		jq -e '[.[] | select(.addr | startswith("fd00:216:"))] |
			all(.static == false) and
			(map(.addr + " " + .port) | sort ==
			 ["fd00:216:1::2 p1", "fd00:216:2::2 p2"])'
	# and the hosts learned the router's MAC from its NA
	ip -n "$H1" -6 neigh show fd00:216:1::1 | grep -q 'lladdr.*router'
	# (H2 learned the router from its NS: it need not ask)
	[ "$(rt_stat nd_advertised)" -ge 1 ]
	[ "$(rt_stat echo_replied)" -ge 4 ]
	[ "$(rt_stat forwarded)" -gt 100 ]
	# hop limit 1: time exceeded, from the router's address
	out=$(ip netns exec "$H1" ping -6 -c 1 -W 1 -t 1 fd00:216:2::2 || true)
	echo "$out"
	grep -q 'From fd00:216:1::1 .*Time exceeded: Hop limit' <<<"$out"
	[ "$(rt_stat ttl_exceeded)" -eq 1 ]
	# no route: destination unreachable, no route
	out=$(ip netns exec "$H2" ping -6 -c 1 -W 1 fd00:99::1 || true)
	echo "$out"
	grep -q 'From fd00:216:2::1 .*Destination unreachable: No route' <<<"$out"
	[ "$(rt_stat no_route)" -eq 1 ]
	# over the MTU of the port out: packet too big, with the MTU
	pcn -n "$R" cube set r0 port p2 mtu 1280
	out=$(ip netns exec "$H1" ping -6 -M do -s 1300 -c 1 -W 1 fd00:216:2::2 || true)
	echo "$out"
	grep -q 'From fd00:216:1::1 .*Packet too big: mtu=1280' <<<"$out"
	[ "$(rt_stat frag_needed)" -ge 1 ]
	# TCP learns the path MTU from it and gets through
	tcp_transfer "$H1" "$H2" fd00:216:2::2 300000
	ip -n "$H1" -6 route get fd00:216:2::2 | grep -q 'mtu 1280'
}

# the objects with IPv6: show, get, errors, save; a static neighbour
# and a route via a next hop carry traffic
objects6()
{
	local before save f

	two_subnets6 "$1"
	pcn -n "$R" -j addr show cube r0 |
		jq -e 'map(.addr + "/" + (.prefixlen | tostring) + " " + .port) ==
			["fd00:216:1::1/64 p1", "fd00:216:2::1/64 p2"]'
	pcn -n "$R" addr add fd00:216:1::9/64 port r0:p1 secondary
	pcn -n "$R" -j cube show r0 |
		jq -e '.[0].ports[0].addrs | map(.addr) == ["fd00:216:1::1", "fd00:216:1::9"]'
	ping_ok "$H1" fd00:216:1::9 2
	# a prefix behind H2, with H2's MAC by hand
	ip -n "$H2" addr add fd00:77::1/128 dev lo
	pcn -n "$R" route add fd00:77::/64 via fd00:216:2::2 cube r0 metric 5
	pcn -n "$R" neigh add fd00:216:2::2 lladdr \
		"$(ip -n "$H2" -j link show e2 | jq -r '.[0].address')" port r0:p2
	ping_ok "$H1" fd00:77::1 3
	pcn -n "$R" route get fd00:77::1 cube r0 |
		grep -qx 'fd00:77::1 via fd00:216:2::2 port r0:p2 proto static metric 5 prefix fd00:77::/64'
	pcn -n "$R" -j route show cube r0 |
		jq -e '[.[] | select(.dst == "fd00:77::/64")] | length == 1 and
			.[0].via == "fd00:216:2::2" and .[0].active'
	pcn -n "$R" -j neigh show cube r0 |
		jq -e '[.[] | select(.addr == "fd00:216:2::2")] | .[0].static'
	pcn -n "$R" route add ::/0 via fd00:216:2::2 cube r0
	pcn -n "$R" route get 2001:db8::1 cube r0 | grep -q 'prefix ::/0'
	save=$(pcn -n "$R" save)
	grep -qx 'addr add fd00:216:1::9/64 port r0:p1' <<<"$save"
	grep -qx 'route add fd00:77::/64 via fd00:216:2::2 port r0:p2 metric 5' <<<"$save"
	grep -qx 'route add ::/0 via fd00:216:2::2 port r0:p2 metric 0' <<<"$save"
	grep -qx 'neigh add fd00:216:2::2 lladdr .* port r0:p2' <<<"$save"
	# the round trip: everything gone, restored, the same save, traffic
	f=$(mktemp "${TMPDIR:-/tmp}/pcn-save.XXXXXX")
	defer "rm -f $f"
	printf '%s\n' "$save" >"$f"
	pcn -n "$R" cube flush
	pcn -n "$R" restore "$f" 2>/dev/null
	diff "$f" <(pcn -n "$R" save)
	ping_ok "$H1" fd00:77::1 3
	# bad input: one clear error, nothing changed
	before=$(tree_snapshot)
	expect_err 1 "$PCN" -n "$R" addr add fd00:216:1::5 port r0:p1
	expect_err 1 "$PCN" -n "$R" addr add ff02::1/64 port r0:p1
	expect_err 1 "$PCN" -n "$R" addr add fd00::1/129 port r0:p1
	expect_err 1 "$PCN" -n "$R" addr add fd00:::1/64 port r0:p1
	expect_err 2 "$PCN" -n "$R" addr add fd00:216:2::1/64 port r0:p1
	expect_err 2 "$PCN" -n "$R" addr del fd00:216:1::7/64 port r0:p1
	expect_err 1 "$PCN" -n "$R" route add fd00:88::1/64 via fd00:216:2::2 cube r0
	expect_err 1 "$PCN" -n "$R" route add fd00:88::/64 via 10.0.0.1 cube r0
	expect_err 1 "$PCN" -n "$R" route add fd00:88::/64 via ff02::2 cube r0
	expect_err 2 "$PCN" -n "$R" route add fd00:88::/64 via fd00:99::2 cube r0
	expect_err 2 "$PCN" -n "$R" route add fd00:77::/64 via fd00:216:1::2 cube r0 metric 5
	expect_err 2 "$PCN" -n "$R" route del fd00:66::/64 cube r0
	expect_err 2 "$PCN" -n "$R" route get fd00:216:1:: cube r9
	expect_err 1 "$PCN" -n "$R" neigh add ff02::1 lladdr 02:00:00:00:00:01 port r0:p1
	expect_err 1 "$PCN" -n "$R" neigh add fd00::1 lladdr 01:00:00:00:00:01 port r0:p1
	expect_err 2 "$PCN" -n "$R" neigh del fd00:216:1::77 port r0:p1
	[ "$before" = "$(tree_snapshot)" ]
	pcn -n "$R" route replace fd00:77::/64 via fd00:216:1::2 cube r0 metric 5
	pcn -n "$R" -j route show cube r0 |
		jq -e '[.[] | select(.dst == "fd00:77::/64")] | length == 1 and
			.[0].via == "fd00:216:1::2"'
	pcn -n "$R" route del fd00:77::/64 cube r0
	pcn -n "$R" neigh del fd00:216:2::2 port r0:p2
	pcn -n "$R" addr del fd00:216:1::9/64 port r0:p1
	pcn -n "$R" -j addr show cube r0 | jq -e 'length == 2'
	pcn -n "$R" route flush cube r0
	pcn -n "$R" -j route show cube r0 | jq -e 'all(.proto == "connected")'
	# a port that goes takes its IPv6 addresses and routes along
	pcn -n "$R" link del r0:p2
	pcn -n "$R" -j route show cube r0 | jq -e 'length == 1'
	pcn -n "$R" -j addr show cube r0 | jq -e 'length == 1'
}

for m in xdp tc; do
	run_test "router6_routed_$m" routed6 $m
done
run_test router6_objects objects6 xdp
tap_done
