#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Loops in the cube graph, with real traffic, XDP and TC: three routers
# in a triangle, routed round it one way and then the other; a routing
# loop made on purpose, where TTL or else the kernel's 33 tail calls end
# each packet, dropped and counted as tail_call_limit where it happened;
# a ring of forwarders, which nothing but that limit ends; a cube linked
# to itself; and the graph check, which lets rings be but still refuses
# a link that would make a loop-free path longer than the budget.

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# rt NS ROUTER KEY: a router counter
rt()
{
	pcn -n "$1" -j -s cube show "$2" | jq ".[0].stats.router.$3"
}

# limit_at NS CUBE PORT: the packets dropped at the tail-call limit on
# their way out of CUBE:PORT
limit_at()
{
	port_stat "$1" "$2" "$3" tx.tail_call_limit
}

# H1 (10.220.1.2) -- v1 [r1] -- [r2] v2 -- H2 (10.220.2.2), and r3, the
# three routers linked in a triangle, each link a /30 of 10.220.0.0/24:
# r1:r2 .1 -- r2:r1 .2, r2:r3 .5 -- r3:r2 .6, r3:r1 .9 -- r1:r3 .10
triangle()
{
	local mode=$1 i ns

	setup_root
	add_ns R
	quiet_ns "$R"
	for i in 1 2; do
		add_ns "H$i"
		ns=H$i
		quiet_ns "${!ns}"
		add_veth "$R" "v$i" "${!ns}" "e$i"
		addr "${!ns}" "e$i" "10.220.$i.2/24"
		ip -n "${!ns}" route add default via "10.220.$i.1"
		veth_xdp_ready "${!ns}" "e$i"
	done
	pcn -n "$R" -batch - <<-EOF
	cube add r1 type router mode $mode
	cube add r2 type router mode $mode
	cube add r3 type router mode $mode
	link add r1:p1 dev v1
	link add r2:p2 dev v2
	link add r1:r2 peer r2:r1
	link add r2:r3 peer r3:r2
	link add r3:r1 peer r1:r3
	addr add 10.220.1.1/24 port r1:p1
	addr add 10.220.2.1/24 port r2:p2
	addr add 10.220.0.1/30 port r1:r2
	addr add 10.220.0.2/30 port r2:r1
	addr add 10.220.0.5/30 port r2:r3
	addr add 10.220.0.6/30 port r3:r2
	addr add 10.220.0.9/30 port r3:r1
	addr add 10.220.0.10/30 port r1:r3
	EOF
	# the third link closed a loop, and is there
	pcn -n "$R" -j link show | jq -e '[.[] | select(.peer)] | length == 6'
}

# ping_first NS ADDR: the first packets may be turned into the ARP
# requests for next hops; then every one gets through
ping_first()
{
	ip netns exec "$1" ping -c 2 -i 0.2 -W 1 -q "$2" >/dev/null || true
	ping_ok "$1" "$2" 3
}

# via_triangle FROM_NS TO_NS TO_ADDR HOP...: once the routes on stdin
# (a batch) are in, H1's pings reach H2, TCP goes from FROM_NS to
# TO_ADDR, r3 carries one way of each ping and nothing else, and
# traceroute from H1 to H2 meets HOP... from its second hop on
via_triangle()
{
	local from=$1 to=$2 dst=$3 before out hop i=2

	shift 3
	pcn -n "$R" -batch -
	ping_first "$H1" 10.220.2.2
	tcp_transfer "$from" "$to" "$dst" 300000
	before=$(rt "$R" r3 forwarded)
	ping_ok "$H1" 10.220.2.2 5
	[ "$(rt "$R" r3 forwarded)" -eq $((before + 5)) ]
	out=$(ip netns exec "$H1" traceroute -n -w 1 -q 1 -m 5 10.220.2.2)
	echo "$out"
	for hop in "$@" 10.220.2.2; do
		grep -qE "^ $i  ${hop//./\\.} " <<<"$out"
		i=$((i + 1))
	done
}

# Every way round the triangle: H1's pings to H2 go r1 -> r2 and come
# back r2 -> r3 -> r1 (clockwise both ways), then go r1 -> r3 -> r2 and
# come back r2 -> r1 (the other way round).
triangle_routes()
{
	triangle "$1"
	via_triangle "$H1" "$H2" 10.220.2.2 10.220.0.2 <<-EOF
	route add 10.220.2.0/24 via 10.220.0.2 cube r1
	route add 10.220.1.0/24 via 10.220.0.6 cube r2
	route add 10.220.1.0/24 via 10.220.0.10 cube r3
	EOF
	via_triangle "$H2" "$H1" 10.220.1.2 10.220.0.9 10.220.0.5 <<-EOF
	route replace 10.220.2.0/24 via 10.220.0.9 cube r1
	route add 10.220.2.0/24 via 10.220.0.5 cube r3
	route replace 10.220.1.0/24 via 10.220.0.1 cube r2
	EOF
	# no packet met the limit
	pcn -n "$R" -j -s cube show |
		jq -e '[.[].ports[].stats.tx.tail_call_limit] | add == 0'
}

# forwarded NS: what r1, r2 and r3 forwarded, together
forwarded()
{
	echo $(($(rt "$1" r1 forwarded) + $(rt "$1" r2 forwarded) +
		$(rt "$1" r3 forwarded)))
}

# A routing loop: 10.220.9.0/24 goes r1 -> r2 -> r3 -> r1 -> ... With a
# small TTL the routers end it; with TTL 64 the kernel's limit does:
# tail call 33 enters r3 (calls 1, 4, ... 31 enter r1), whose way on to
# r1 fails. Each ping is dropped there, counted once, after 33 hops.
routing_loop()
{
	local out fwd limit ttl drop

	triangle "$1"
	pcn -n "$R" -batch - <<-EOF
	route add 10.220.2.0/24 via 10.220.0.2 cube r1
	route add 10.220.1.0/24 via 10.220.0.10 cube r3
	route add 10.220.1.0/24 via 10.220.0.1 cube r2
	route add 10.220.9.0/24 via 10.220.0.2 cube r1
	route add 10.220.9.0/24 via 10.220.0.6 cube r2
	route add 10.220.9.0/24 via 10.220.0.10 cube r3
	EOF
	# every router knows its next hop round the loop, and r3 and r2
	# theirs back to H1
	ping_first "$H1" 10.220.2.2
	ip netns exec "$H1" ping -c 2 -W 1 -q 10.220.9.1 >/dev/null || true
	ip netns exec "$H1" ping -c 2 -W 1 -q -t 6 10.220.9.1 >/dev/null || true
	pcn -n "$R" -j neigh show | jq -e 'length >= 5'

	# TTL 6 runs out in the loop: r3 says so
	ttl=$(rt "$R" r3 ttl_exceeded)
	limit=$(limit_at "$R" r3 r1)
	out=$(ip netns exec "$H1" ping -c 1 -W 1 -t 6 10.220.9.1 || true)
	grep -q 'From 10.220.0.6 .*Time to live exceeded' <<<"$out"
	[ "$(rt "$R" r3 ttl_exceeded)" -eq $((ttl + 1)) ]
	[ "$(limit_at "$R" r3 r1)" -eq "$limit" ]

	# TTL 64: the limit, 33 forwards a packet, and no more
	fwd=$(forwarded "$R")
	drop=$(port_stat "$R" r3 r2 rx.dropped)
	ping_fails "$H1" 10.220.9.1 4
	[ "$(limit_at "$R" r3 r1)" -eq $((limit + 4)) ]
	[ "$(forwarded "$R")" -eq $((fwd + 4 * 33)) ]
	# ... and nowhere else, not as a drop
	[ "$(limit_at "$R" r1 r2)" -eq 0 ]
	[ "$(limit_at "$R" r2 r3)" -eq 0 ]
	[ "$(port_stat "$R" r3 r2 rx.dropped)" -eq "$drop" ]
	pcn -n "$R" -s cube show r3 | grep -q 'at tail-call limit [1-9]'
	# the routers still route
	ping_ok "$H1" 10.220.2.2 3
}

# H1 (10.220.1.2) -- r1 in R, where the cubes under test go; H1 has a
# neighbour 10.220.1.3 that never answers, and sends it its pings all
# the same, one frame each
one_host()
{
	local mac

	setup_root
	add_ns R
	add_ns H1
	quiet_ns "$R"
	quiet_ns "$H1"
	add_veth "$R" r1 "$H1" h1
	addr "$H1" h1 10.220.1.2/24
	veth_xdp_ready "$H1" h1
	mac=$(ip -n "$R" -j link show dev r1 | jq -r '.[0].address')
	ip -n "$H1" neigh add 10.220.1.3 lladdr "$mac" dev h1
}

# The forwarders f1, f2, f3 in a ring behind r1: f1 sends what H1 sends
# on to f2, f2 to f3, f3 back to f1, and f1 on to f2 again. Nothing in
# a frame counts down: the limit alone ends it.
forwarder_ring()
{
	local mode=$1

	one_host
	pcn -n "$R" -batch - <<-EOF
	cube add f1 type forwarder mode $mode
	cube add f2 type forwarder mode $mode
	cube add f3 type forwarder mode $mode
	link add f1:p1 dev r1
	link add f1:f2 peer f2:f1
	link add f2:f3 peer f3:f2
	link add f3:f1 peer f1:f3
	cube set f1 port p1 action forward f2 port f3 action forward f2
	cube set f2 port f1 action forward f3
	cube set f3 port f2 action forward f1
	EOF
	# calls 1, 4, ... 31 enter f1, 3, 6, ... 33 f3: f3's 11th way on
	# to f1 is the 34th tail call
	ping_fails "$H1" 10.220.1.3 3
	[ "$(limit_at "$R" f3 f1)" -eq 3 ]
	[ "$(port_stat "$R" f3 f1 tx.packets)" -eq 33 ]
	[ "$(port_stat "$R" f1 f2 tx.packets)" -eq 33 ]
	[ "$(port_stat "$R" f1 p1 rx.packets)" -eq 3 ]
	# counted as nothing else
	pcn -n "$R" -j -s cube show | jq -e '[.[].ports[].stats.rx.dropped] | add == 0'
	pcn -n "$R" -j -s cube show | jq -e '[.[].ports[].stats.tx.tail_call_limit] | add == 3'

	# a transparent cube on the ring, on the way out of f2 and into f1:
	# the loop is five programs long, f1 (calls 1, 6, ... 31), f2, hw
	# (3, 8, ... 33), f3, hw, and hw's way on to f3 is the 34th call
	pcn -n "$R" cube add hw type firewall mode "$mode"
	pcn -n "$R" link add hw port f2:f3 egress
	pcn -n "$R" link add hw port f1:f3 ingress
	ping_fails "$H1" 10.220.1.3 2
	[ "$(pcn -n "$R" -j -s cube show hw | jq '.[0].stats.egress.tail_call_limit')" -eq 2 ]
	[ "$(pcn -n "$R" -j -s cube show hw | jq '.[0].stats.ingress.tail_call_limit')" -eq 0 ]
	[ "$(limit_at "$R" f3 f1)" -eq 3 ]
	pcn -n "$R" -s cube show hw | grep -q 'at tail-call limit: ingress 0, egress 2'
}

# A cube linked to itself, and linked twice to another: loops too
self_link()
{
	local mode=$1

	one_host
	pcn -n "$R" -batch - <<-EOF
	cube add f1 type forwarder mode $mode
	cube add f2 type forwarder mode $mode
	link add f1:p1 dev r1
	link add f1:a peer f1:b
	link add f1:x peer f2:x
	link add f1:y peer f2:y
	cube set f1 port p1 action forward a port b action forward a
	EOF
	pcn -n "$R" -j link show cube f1 |
		jq -e 'map(select(.port == "a") | .peer.port) == ["b"]'
	# f1 is entered 33 times, and its 33rd way out by a fails
	ping_fails "$H1" 10.220.1.3 2
	[ "$(limit_at "$R" f1 a)" -eq 2 ]
	[ "$(port_stat "$R" f1 b rx.packets)" -eq 64 ]
	# round the two links to f2 and back
	pcn -n "$R" cube set f1 port p1 action forward x port y action forward x
	pcn -n "$R" cube set f2 port x action forward y
	ping_fails "$H1" 10.220.1.3 2
	# calls 1, 3, ... 33 enter f1: its 17th way out by x fails
	[ "$(limit_at "$R" f1 x)" -eq 2 ]
	[ "$(limit_at "$R" f2 y)" -eq 0 ]
	pcn -n "$R" link del f1:a
	pcn -n "$R" link del f2:y
	pcn -n "$R" -j link show | jq -e '[.[] | select(.peer)] | length == 2'
}

# The budget still holds for paths that do not loop: two arms of 16
# forwarders from c0 (on an interface), a1..a16 and b1..b16, closed into
# a ring by a16 -- b16: c0, 16 a's, 16 b's is 33 tail calls, in the
# budget. With a17 and b17 after them, a17 -- b17 would make c0, 17
# a's, 17 b's, 35: refused, naming the path, and nothing changes.
ring_budget()
{
	local mode=$1 f i out before

	setup_root
	add_ns R
	quiet_ns "$R"
	add_veth "$R" r1 "$R" x1
	veth_xdp_ready "$R" x1
	f=$(mktemp "${TMPDIR:-/tmp}/pcn-ring.XXXXXX")
	defer "rm -f $f"
	{
		echo "cube add c0 type forwarder mode $mode"
		for i in $(seq 1 17); do
			echo "cube add a$i type forwarder mode $mode"
			echo "cube add b$i type forwarder mode $mode"
		done
		echo "link add c0:p dev r1"
		echo "link add c0:n peer a1:p"
		echo "link add c0:s peer b1:p"
		for i in $(seq 2 17); do
			echo "link add a$((i - 1)):n peer a$i:p"
			echo "link add b$((i - 1)):n peer b$i:p"
		done
		echo "link add a16:ring peer b16:ring"
	} >"$f"
	pcn -n "$R" -batch "$f"
	pcn -n "$R" -j link show | jq -e '[.[] | select(.peer)] | length == 70'
	before=$(tree_snapshot)
	expect_err 2 "$PCN" -n "$R" link add a17:ring peer b17:ring
	out=$("$PCN" -n "$R" link add a17:ring peer b17:ring 2>&1 || true)
	echo "$out"
	[[ $out == *'the path from c0:p, c0:'*' would take 34 tail calls, more than the 33 a packet may'* ]]
	[ "$before" = "$(tree_snapshot)" ]
	# one transparent cube more on the 33-call path is refused too
	pcn -n "$R" cube add t type firewall mode "$mode"
	before=$(tree_snapshot)
	expect_err 2 "$PCN" -n "$R" link add t port a8:n egress
	[ "$before" = "$(tree_snapshot)" ]
	# but not off it: b16:n leads to b17 alone, a dead end
	pcn -n "$R" link add t port b16:n egress
}

for m in xdp tc; do
	run_test "router_triangle_$m" triangle_routes $m
	run_test "routing_loop_$m" routing_loop $m
	run_test "forwarder_ring_$m" forwarder_ring $m
	run_test "cube_linked_to_itself_$m" self_link $m
	run_test "ring_within_budget_$m" ring_budget $m
done
tap_done
