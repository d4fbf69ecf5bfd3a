#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The router cube with real traffic: three hosts on three subnets routed
# through one router with no static neighbour — ping and TCP across,
# traceroute sees the hop, unreachable for a missing route, a route
# replaced under traffic loses nothing, a backup route takes over, two
# routers in a row, a router port on a bridge, a transparent cube on a
# router port, neighbours and addresses by hand; XDP and TC.

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# H1 H2 H3 (10.210.N.2/24, eth eN, default via 10.210.N.1) on ports
# p1-p3 of router r0 in R; $2: extra arguments of "cube add"
three_subnets()
{
	local i ns

	setup_root
	add_ns R
	quiet_ns "$R"
	for i in 1 2 3; do
		add_ns "H$i"
		ns=H$i
		quiet_ns "${!ns}"
		add_veth "$R" "v$i" "${!ns}" "e$i"
		addr "${!ns}" "e$i" "10.210.$i.2/24"
		ip -n "${!ns}" route add default via "10.210.$i.1"
		veth_xdp_ready "${!ns}" "e$i"
	done
	pcn -n "$R" cube add r0 type router mode "$1" ${2:-}
	for i in 1 2 3; do
		pcn -n "$R" link add "r0:p$i" dev "v$i"
		pcn -n "$R" addr add "10.210.$i.1/24" port "r0:p$i"
	done
}

rt_stat()
{
	pcn -n "$R" -j -s cube show "${2:-r0}" | jq ".[0].stats.router.$1"
}

# rt_stat_is COUNTER N: for wait_for (which runs it each time)
rt_stat_is()
{
	[ "$(rt_stat "$1")" -eq "$2" ]
}

# ping_first NS ADDR: the first packet may resolve a next hop (it
# becomes the ARP request): then every packet gets through
ping_first()
{
	ip netns exec "$1" ping -c 1 -W 1 -q "$2" >/dev/null || true
	ping_ok "$1" "$2" 3
}

routed()
{
	local a b

	three_subnets "$1"
	# the router answers for its own addresses
	ping_ok "$H1" 10.210.1.1 2
	ping_ok "$H3" 10.210.3.1 2
	for a in 1 2 3; do
		for b in 1 2 3; do
			[ "$a" = "$b" ] && continue
			ping_first "$(eval echo \$H$a)" "10.210.$b.2"
		done
	done
	tcp_transfer "$H1" "$H3" 10.210.3.2 500000
	tcp_transfer "$H2" "$H1" 10.210.1.2 500000
	# every host was learned by ARP, on its port
	pcn -n "$R" -j neigh show cube r0 |
		jq -e 'length == 3 and all(.static == false) and
			(map(.addr + " " + .port) | sort ==
			 ["10.210.1.2 p1", "10.210.2.2 p2", "10.210.3.2 p3"])'
	[ "$(rt_stat forwarded)" -gt 100 ]
	[ "$(rt_stat echo_replied)" -ge 4 ]
	[ "$(rt_stat arp_requested)" -ge 1 ]
	[ "$(rt_stat neigh_learned)" -eq 3 ]
	# a UDP datagram for the router: dropped and counted
	ip netns exec "$H1" bash -c 'echo x > /dev/udp/10.210.1.1/9'
	wait_for 2 rt_stat_is local_dropped 1
}

traceroute_hop()
{
	local out

	three_subnets "$1"
	ping_first "$H1" 10.210.3.2
	out=$(ip netns exec "$H1" traceroute -n -w 1 -q 1 -m 4 10.210.3.2)
	echo "$out"
	grep -qE '^ 1  10\.210\.1\.1 ' <<<"$out"
	grep -qE '^ 2  10\.210\.3\.2 ' <<<"$out"
	out=$(ip netns exec "$H1" ping -c 1 -W 1 -t 1 10.210.3.2 || true)
	grep -q 'From 10.210.1.1 .*Time to live exceeded' <<<"$out"
	[ "$(rt_stat ttl_exceeded)" -ge 2 ]
}

unreachable()
{
	local out

	three_subnets "$1"
	out=$(ip netns exec "$H2" ping -c 1 -W 1 10.77.0.1 || true)
	grep -q 'From 10.210.2.1 .*Destination Net Unreachable' <<<"$out"
	[ "$(rt_stat no_route)" -eq 1 ]
	# with a route it goes (and H3, with 10.77.0.1 on lo, answers)
	ip -n "$H3" addr add 10.77.0.1/32 dev lo
	pcn -n "$R" route add 10.77.0.0/16 via 10.210.3.2 cube r0
	ping_first "$H2" 10.77.0.1
	pcn -n "$R" route get 10.77.0.1 cube r0 |
		grep -qx '10.77.0.1 via 10.210.3.2 port r0:p3 proto static metric 0 prefix 10.77.0.0/16'
	pcn -n "$R" route del 10.77.0.0/16 cube r0
	out=$(ip netns exec "$H2" ping -c 1 -W 1 10.77.0.1 || true)
	grep -q 'Destination Net Unreachable' <<<"$out"
}

# echo requests a netns took in: what the routes sent it, and not the
# ARP a host's own neighbour probing brings back at any moment
echos_in()
{
	ip netns exec "$1" awk '/^Icmp:/ {
		if (!c) { for (i = 1; i <= NF; i++) if ($i == "InEchos") c = i }
		else print $c }' /proc/net/snmp
}

# 10.99.0.1 lives on H2 and on H3: which one gets the packets is the
# route's choice
service_on_h2_h3()
{
	ip -n "$H2" addr add 10.99.0.1/32 dev lo
	ip -n "$H3" addr add 10.99.0.1/32 dev lo
	# both next hops resolved before the traffic starts
	ping_first "$H1" 10.210.2.2
	ping_first "$H1" 10.210.3.2
}

replace_under_traffic()
{
	local out h2 h3 pid

	three_subnets "$1"
	service_on_h2_h3
	pcn -n "$R" route add 10.99.0.0/24 via 10.210.2.2 cube r0
	ping_ok "$H1" 10.99.0.1 2
	h3=$(echos_in "$H3")
	out=$(mktemp "${TMPDIR:-/tmp}/pcn-ping.XXXXXX")
	defer "rm -f $out"
	ip netns exec "$H1" ping -c 300 -i 0.005 -W 1 -q 10.99.0.1 >"$out" &
	pid=$!
	sleep 0.5
	pcn -n "$R" route replace 10.99.0.0/24 via 10.210.3.2 cube r0
	wait "$pid"
	cat "$out"
	grep -q ' 300 received, 0% packet loss' "$out"
	# the traffic moved to H3, and one route is left
	[ "$(echos_in "$H3")" -gt $((h3 + 50)) ]
	pcn -n "$R" -j route show cube r0 |
		jq -e '[.[] | select(.dst == "10.99.0.0/24")] |
			length == 1 and .[0].via == "10.210.3.2"'
	h2=$(echos_in "$H2")
	ping_ok "$H1" 10.99.0.1 5
	[ "$(echos_in "$H2")" -eq "$h2" ]
}

backup_route()
{
	local h2 h3

	three_subnets "$1"
	service_on_h2_h3
	pcn -n "$R" route add 10.99.0.0/24 via 10.210.3.2 metric 20 cube r0
	pcn -n "$R" route add 10.99.0.0/24 via 10.210.2.2 metric 10 cube r0
	pcn -n "$R" -j route show cube r0 |
		jq -e '[.[] | select(.dst == "10.99.0.0/24")] |
			map([.via, .metric, .active]) ==
			[["10.210.2.2", 10, true], ["10.210.3.2", 20, false]]'
	pcn -n "$R" route show | grep -qx \
		'10.99.0.0/24 via 10.210.3.2 port r0:p3 proto static metric 20 inactive'
	h3=$(echos_in "$H3")
	ping_ok "$H1" 10.99.0.1 5
	[ "$(echos_in "$H3")" -eq "$h3" ]
	# the best goes: the next one is promoted
	pcn -n "$R" route del 10.99.0.0/24 cube r0 via 10.210.2.2
	h2=$(echos_in "$H2")
	ping_ok "$H1" 10.99.0.1 5
	[ "$(echos_in "$H2")" -eq "$h2" ]
	[ "$(echos_in "$H3")" -ge $((h3 + 5)) ]
	# deleting H3's address from r0:p3 takes the route through it away
	pcn -n "$R" addr del 10.210.3.1/24 port r0:p3
	pcn -n "$R" -j route show cube r0 |
		jq -e 'all(.dst != "10.99.0.0/24" and .dst != "10.210.3.0/24")'
	ping_fails "$H1" 10.99.0.1 1
}

# H1 - r0 ==(cube link 10.212.0.0/30)== r1 - H2
two_routers()
{
	local out

	setup_root
	add_ns R
	add_ns H1
	add_ns H2
	add_veth "$R" v1 "$H1" e1
	add_veth "$R" v2 "$H2" e2
	addr "$H1" e1 10.212.1.2/24
	addr "$H2" e2 10.212.2.2/24
	ip -n "$H1" route add default via 10.212.1.1
	ip -n "$H2" route add default via 10.212.2.1
	veth_xdp_ready "$H1" e1
	veth_xdp_ready "$H2" e2
	pcn -n "$R" cube add r0 type router mode "$1"
	pcn -n "$R" cube add r1 type router mode "$1"
	pcn -n "$R" link add r0:p1 dev v1
	pcn -n "$R" link add r1:p2 dev v2
	pcn -n "$R" link add r0:x peer r1:y
	pcn -n "$R" addr add 10.212.1.1/24 port r0:p1
	pcn -n "$R" addr add 10.212.2.1/24 port r1:p2
	pcn -n "$R" addr add 10.212.0.1/30 port r0:x
	pcn -n "$R" addr add 10.212.0.2/30 port r1:y
	pcn -n "$R" route add 10.212.2.0/24 via 10.212.0.2 cube r0
	pcn -n "$R" route add default via 10.212.0.1 cube r1
	ping_first "$H1" 10.212.2.2
	ping_first "$H2" 10.212.1.2
	tcp_transfer "$H1" "$H2" 10.212.2.2 300000
	out=$(ip netns exec "$H1" traceroute -n -w 1 -q 1 -m 4 10.212.2.2)
	echo "$out"
	grep -qE '^ 1  10\.212\.1\.1 ' <<<"$out"
	grep -qE '^ 2  10\.212\.0\.2 ' <<<"$out"
	grep -qE '^ 3  10\.212\.2\.2 ' <<<"$out"
	# they found each other by ARP across the cube link
	pcn -n "$R" -j neigh show port r0:x | jq -e '.[0].addr == "10.212.0.2"'
}

# a router port on a bridge port: two hosts on the bridge's segment
on_a_bridge()
{
	setup_root
	add_ns R
	quiet_ns "$R"
	add_ns H1
	add_ns B1
	add_ns B2
	add_veth "$R" v1 "$H1" e1
	add_veth "$R" w1 "$B1" f1
	add_veth "$R" w2 "$B2" f2
	addr "$H1" e1 10.213.1.2/24
	addr "$B1" f1 10.213.2.2/24
	addr "$B2" f2 10.213.2.3/24
	ip -n "$H1" route add default via 10.213.1.1
	ip -n "$B1" route add default via 10.213.2.1
	ip -n "$B2" route add default via 10.213.2.1
	veth_xdp_ready "$H1" e1
	veth_xdp_ready "$B1" f1
	veth_xdp_ready "$B2" f2
	pcn -n "$R" cube add r0 type router mode "$1"
	pcn -n "$R" cube add br type bridge mode "$1"
	pcn -n "$R" link add r0:p1 dev v1
	pcn -n "$R" link add br:b1 dev w1
	pcn -n "$R" link add br:b2 dev w2
	pcn -n "$R" link add r0:lan peer br:up
	pcn -n "$R" addr add 10.213.1.1/24 port r0:p1
	pcn -n "$R" addr add 10.213.2.1/24 port r0:lan
	ping_first "$H1" 10.213.2.2
	ping_first "$H1" 10.213.2.3
	tcp_transfer "$B2" "$H1" 10.213.1.2 300000
	# a transparent cube on the router port: it decides, then goes
	pcn -n "$R" cube add hw type firewall mode "$1" ingress drop
	pcn -n "$R" link add hw port r0:p1 ingress
	ping_fails "$H1" 10.213.2.2 1
	pcn -n "$R" link del hw port r0:p1
	ping_ok "$H1" 10.213.2.2 2
}

neighbours_by_hand()
{
	local mac

	three_subnets "$1" "neigh_timeout 2"
	mac=$(ip -n "$H2" -j link show dev e2 | jq -r '.[0].address')
	# a static entry: the router never asks
	pcn -n "$R" neigh add 10.210.2.2 lladdr "$mac" port r0:p2
	pcn -n "$R" neigh show | grep -qx \
		"10.210.2.2 port r0:p2 lladdr $mac static"
	ping_first "$H1" 10.210.2.2
	# learned entries age out; static ones stay
	sleep 3
	pcn -n "$R" -j neigh show | jq -e 'length == 1 and .[0].static'
	pcn -n "$R" neigh del 10.210.2.2 port r0:p2
	pcn -n "$R" -j neigh show | jq -e 'length == 0'
	# and are learned again (kept long enough now for a loaded
	# machine to look at them before they age)
	pcn -n "$R" cube set r0 neigh_timeout 300
	ping_first "$H1" 10.210.2.2
	pcn -n "$R" -j neigh show | jq -e 'length == 2'
	pcn -n "$R" neigh flush cube r0 port p1
	pcn -n "$R" -j neigh show | jq -e 'map(.port) == ["p2"]'
	# secondary addresses answer too; the primary is the first
	pcn -n "$R" addr add 10.210.1.5/24 port r0:p1
	ping_ok "$H1" 10.210.1.5 2
	pcn -n "$R" -j addr show port r0:p1 |
		jq -e 'map([.addr, .secondary]) ==
			[["10.210.1.1", false], ["10.210.1.5", true]]'
	pcn -n "$R" addr del 10.210.1.1/24 port r0:p1
	pcn -n "$R" -j addr show port r0:p1 |
		jq -e 'map([.addr, .secondary]) == [["10.210.1.5", false]]'
	# the subnet stays connected through the one left
	pcn -n "$R" -j route show port r0:p1 | jq -e '.[0].dst == "10.210.1.0/24"'
}

local_pass()
{
	three_subnets "$1"
	pcn -n "$R" cube set r0 port p1 local pass
	pcn -n "$R" -j cube show r0 |
		jq -e '.[0].ports[0].local == "pass" and .[0].ports[1].local == "drop"'
	ip netns exec "$H1" bash -c 'echo x > /dev/udp/10.210.1.1/9'
	wait_for 2 rt_stat_is local_passed 1
	[ "$(rt_stat local_dropped)" -eq 0 ]
}

many_routes()
{
	local f i

	three_subnets "$1"
	f=$(mktemp "${TMPDIR:-/tmp}/pcn-batch.XXXXXX")
	defer "rm -f $f"
	for ((i = 0; i < 1000; i++)); do
		echo "route add 10.$((100 + i / 256)).$((i % 256)).0/24 via 10.210.$((1 + i % 2 + 1)).2 cube r0"
	done >"$f"
	echo "route add 10.100.0.128/25 via 10.210.3.2 cube r0 metric 5" >>"$f"
	pcn -n "$R" -batch "$f"
	[ "$(pcn -n "$R" -j route show cube r0 | jq 'length')" -eq 1004 ]
	# the longest prefix wins
	pcn -n "$R" -j route get 10.100.0.200 cube r0 |
		jq -e '.[0].prefix == "10.100.0.128/25" and .[0].via == "10.210.3.2"'
	pcn -n "$R" -j route get 10.100.0.100 cube r0 |
		jq -e '.[0].prefix == "10.100.0.0/24" and .[0].via == "10.210.2.2"'
	pcn -n "$R" route flush cube r0
	[ "$(pcn -n "$R" -j route show cube r0 | jq 'length')" -eq 3 ]
	expect_err 2 "$PCN" -n "$R" route get 10.100.0.200 cube r0
}

bad_input()
{
	local before

	three_subnets "$1"
	pcn -n "$R" route add 10.50.0.0/16 via 10.210.2.2 cube r0
	pcn -n "$R" neigh add 10.210.1.9 lladdr 02:00:00:00:00:09 port r0:p1
	before=$(tree_snapshot)
	expect_err 1 "$PCN" -n "$R" route add 10.60.0.0/33 via 10.210.2.2
	expect_err 1 "$PCN" -n "$R" route add 10.60.0.1/16 via 10.210.2.2
	expect_err 1 "$PCN" -n "$R" route add 10.60.0.0/16 via 10.210.2.2
	expect_err 1 "$PCN" -n "$R" route add 10.60.x.0/16 via 10.210.2.2 cube r0
	expect_err 1 "$PCN" -n "$R" route add 10.60.0.0/16 cube r0
	expect_err 1 "$PCN" -n "$R" route add 10.60.0.0/16 via 224.0.0.1 cube r0
	expect_err 1 "$PCN" -n "$R" route add 10.60.0.0/16 via 10.210.2.2 cube r0 metric -1
	expect_err 1 "$PCN" -n "$R" route add 10.60.0.0/16 via 10.210.2.2 cube r0 mtu 1
	expect_err 2 "$PCN" -n "$R" route add 10.60.0.0/16 via 10.9.9.9 cube r0
	expect_err 2 "$PCN" -n "$R" route add 10.60.0.0/16 via 10.210.2.2 port r0:p3
	expect_err 2 "$PCN" -n "$R" route add 10.60.0.0/16 port r0:nope
	expect_err 2 "$PCN" -n "$R" route add 10.60.0.0/16 via 10.210.2.2 cube nope
	expect_err 2 "$PCN" -n "$R" route add 10.50.0.0/16 via 10.210.2.2 cube r0
	# another next hop, the same metric: as ip route add, "exists"
	expect_err 2 "$PCN" -n "$R" route add 10.50.0.0/16 via 10.210.1.2 cube r0
	expect_err 2 "$PCN" -n "$R" route add 10.50.0.0/16 port r0:p1 metric 0
	expect_err 2 "$PCN" -n "$R" route del 10.51.0.0/16 cube r0
	expect_err 2 "$PCN" -n "$R" route del 10.50.0.0/16 cube r0 via 10.210.3.2
	expect_err 2 "$PCN" -n "$R" route get 10.1.1.1 cube r0
	expect_err 1 "$PCN" -n "$R" addr add 10.70.0.1/40 port r0:p1
	expect_err 1 "$PCN" -n "$R" addr add 224.1.1.1/24 port r0:p1
	expect_err 1 "$PCN" -n "$R" addr add 10.70.0.1/24
	expect_err 2 "$PCN" -n "$R" addr add 10.70.0.1/24 port r0:p9
	expect_err 2 "$PCN" -n "$R" addr add 10.210.2.1/24 port r0:p1
	expect_err 2 "$PCN" -n "$R" addr del 10.70.0.1/24 port r0:p1
	expect_err 1 "$PCN" -n "$R" neigh add 10.210.1.7 lladdr 01:00:5e:00:00:01 port r0:p1
	expect_err 1 "$PCN" -n "$R" neigh add 10.210.1.7 lladdr zz port r0:p1
	expect_err 1 "$PCN" -n "$R" neigh add 10.210.1.7 port r0:p1
	expect_err 2 "$PCN" -n "$R" neigh del 10.210.1.7 port r0:p1
	expect_err 2 "$PCN" -n "$R" neigh add 10.210.1.7 lladdr 02:00:00:00:00:07 port r0:p7
	expect_err 1 "$PCN" -n "$R" cube set r0 neigh_timeout 0
	expect_err 1 "$PCN" -n "$R" cube set r0 port p1 local maybe
	expect_err 1 "$PCN" -n "$R" cube set r0 port p1 mac 01:00:00:00:00:01
	expect_err 2 "$PCN" -n "$R" cube set r0 port p9 local pass
	expect_err 1 "$PCN" -n "$R" cube add r9 type router neigh_timeout x
	expect_err 2 "$PCN" -n "$R" fdb show cube r0
	[ "$before" = "$(tree_snapshot)" ]
	# a replace whose FIB write fails puts the route list back: both
	# routes of the prefix stay, the new one does not come
	pcn -n "$R" route add 10.50.0.0/16 via 10.210.1.2 cube r0 metric 1
	before=$(tree_snapshot)
	PCN_FAULT=route-replace-fib expect_err 2 \
		"$PCN" -n "$R" route replace 10.50.0.0/16 via 10.210.3.2 cube r0
	[ "$before" = "$(tree_snapshot)" ]
	# the same when the new route is one of them (its old value back)
	PCN_FAULT=route-replace-fib expect_err 2 "$PCN" -n "$R" \
		route replace 10.50.0.0/16 via 10.210.2.2 cube r0 metric 7
	PCN_FAULT=route-replace-fib expect_err 2 "$PCN" -n "$R" \
		route replace 10.50.0.0/16 via 10.210.1.2 cube r0
	[ "$before" = "$(tree_snapshot)" ]
	pcn -n "$R" route replace 10.50.0.0/16 via 10.210.3.2 cube r0
	pcn -n "$R" -j route show cube r0 |
		jq -e '[.[] | select(.dst == "10.50.0.0/16" and .metric == 0)] |
			length == 1 and .[0].via == "10.210.3.2"'
}

# a static on-link route and an address's routes are different routes
static_and_connected()
{
	three_subnets "$1"
	pcn -n "$R" route add 10.214.0.0/24 port r0:p1
	pcn -n "$R" route add 10.214.1.1/32 port r0:p1
	pcn -n "$R" addr add 10.214.0.1/24 port r0:p1
	pcn -n "$R" addr add 10.214.1.1/24 port r0:p1
	pcn -n "$R" -j route show port r0:p1 |
		jq -e '[.[] | select(.dst | startswith("10.214."))] |
			map([.dst, .proto]) | sort ==
			[["10.214.0.0/24", "connected"], ["10.214.0.0/24", "static"],
			 ["10.214.1.0/24", "connected"], ["10.214.1.1/32", "static"]]'
	# the address answers, whatever the static /32 says
	ip -n "$H1" addr add 10.214.0.2/24 dev e1
	ping_ok "$H1" 10.214.1.1 2
	pcn -n "$R" addr del 10.214.0.1/24 port r0:p1
	pcn -n "$R" -j route show port r0:p1 |
		jq -e '[.[] | select(.dst == "10.214.0.0/24")] |
			map(.proto) == ["static"]'
}

# TC: packets whose checksum is left to offload (the default on veth)
# still become ARP requests and ICMP errors
offload_tc()
{
	local out

	three_subnets tc
	ip netns exec "$H1" ethtool -K e1 tx on >/dev/null
	ip netns exec "$H3" ethtool -K e3 tx on >/dev/null
	# the SYN to an unresolved next hop is the one that asks
	tcp_transfer "$H1" "$H3" 10.210.3.2 100000
	[ "$(rt_stat arp_requested)" -ge 1 ]
	out=$(ip netns exec "$H1" traceroute -T -p 9 -n -w 1 -q 1 -m 2 10.210.3.2 || true)
	echo "$out"
	grep -qE '^ 1  10\.210\.1\.1 ' <<<"$out"
}

# a port that goes takes its addresses, routes and neighbours along
port_removed()
{
	three_subnets "$1"
	pcn -n "$R" route add 10.80.0.0/16 via 10.210.3.2 cube r0
	ping_first "$H1" 10.210.3.2
	pcn -n "$R" link del r0:p3
	pcn -n "$R" -j route show cube r0 | jq -e 'all(.port != "p3") and length == 2'
	pcn -n "$R" -j neigh show cube r0 | jq -e 'all(.port != "p3")'
	pcn -n "$R" -j addr show cube r0 | jq -e 'length == 2'
	ping_fails "$H1" 10.210.3.2 1
	ping_first "$H1" 10.210.2.2
}


# a port's MTU: too big with DF gets "fragmentation needed" with the
# MTU, TCP finds the path MTU by it; too big without DF is dropped
port_mtu()
{
	local out

	three_subnets "$1"
	pcn -n "$R" -j cube show r0 | jq -e '.[0].ports | all(.mtu == 1500)'
	pcn -n "$R" cube set r0 port p3 mtu 1200
	pcn -n "$R" -j cube show r0 |
		jq -e '.[0].ports | map(.mtu) == [1500, 1500, 1200]'
	ping_first "$H1" 10.210.3.2
	ip netns exec "$H1" ping -M do -s 1172 -c 2 -i 0.2 -W 2 -q 10.210.3.2 >/dev/null
	# (first: once H1 knows the path MTU, it fragments itself)
	out=$(ip netns exec "$H1" ping -M dont -s 1400 -c 1 -W 1 10.210.3.2 || true)
	echo "$out"
	grep -q ' 0 received' <<<"$out"
	[ "$(rt_stat frag_needed)" -eq 1 ]
	out=$(ip netns exec "$H1" ping -M do -s 1173 -c 1 -W 1 10.210.3.2 || true)
	echo "$out"
	grep -q 'From 10.210.1.1 .*Frag needed and DF set (mtu = 1200)' <<<"$out"
	[ "$(rt_stat frag_needed)" -eq 2 ]
	# the other way round the MTU of p1 counts, not p3's
	ip netns exec "$H3" ping -M do -s 1400 -c 1 -W 2 -q 10.210.1.2 >/dev/null
	# TCP learns the path MTU from the router and gets through
	tcp_transfer "$H1" "$H3" 10.210.3.2 300000
	ip -n "$H1" route get 10.210.3.2 | grep -q 'mtu 1200'
	pcn -n "$R" save | grep -qx 'cube set r0 port p3 mtu 1200'
	expect_err 1 "$PCN" -n "$R" cube set r0 port p3 mtu 67
	expect_err 1 "$PCN" -n "$R" cube set r0 port p3 mtu 65536
	expect_err 1 "$PCN" -n "$R" cube set r0 port p3 mtu x
	expect_err 1 "$PCN" -n "$R" cube set r0 port p3 mtu 1000 mtu 1000
}

for m in xdp tc; do
	run_test "router_routed_$m" routed $m
	run_test "router_traceroute_$m" traceroute_hop $m
	run_test "router_unreachable_$m" unreachable $m
	run_test "router_replace_under_traffic_$m" replace_under_traffic $m
	run_test "router_backup_route_$m" backup_route $m
	run_test "router_two_in_a_row_$m" two_routers $m
	run_test "router_on_a_bridge_$m" on_a_bridge $m
	run_test "router_neighbours_by_hand_$m" neighbours_by_hand $m
	run_test "router_local_pass_$m" local_pass $m
	run_test "router_many_routes_$m" many_routes $m
	run_test "router_bad_input_$m" bad_input $m
	run_test "router_port_removed_$m" port_removed $m
	run_test "router_static_and_connected_$m" static_and_connected $m
	run_test "router_port_mtu_$m" port_mtu $m
done
run_test router_checksum_offload_tc offload_tc
tap_done
