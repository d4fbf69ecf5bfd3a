#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The cube graph with real traffic: interface -> forwarder -> forwarder ->
# interface; transparent cubes stacked in every position at a port and on
# an interface, their order read back from their counters; rewiring that
# never reloads a cube and never loses a packet of a flow it does not
# touch; and the bad input the graph refuses (loops are not: see
# test_rings.sh).

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BENCH=${PCN_BUILD:-$(dirname "$PCN")}/tools/pcn-bench

# H1 -- r1 [f1] x == y [f2] r2 -- H2
two_forwarders()
{
	local mode=$1

	setup_root
	topo_pair
	quiet_ns "$R"
	quiet_ns "$H1"
	quiet_ns "$H2"
	pcn -n "$R" cube add f1 type forwarder mode "$mode"
	pcn -n "$R" cube add f2 type forwarder mode "$mode"
	pcn -n "$R" link add f1:p1 dev r1
	pcn -n "$R" link add f2:p2 dev r2
	pcn -n "$R" link add f1:x peer f2:y
	pcn -n "$R" cube set f1 port p1 action forward x port x action forward p1
	pcn -n "$R" cube set f2 port p2 action forward y port y action forward p2
}

chain_traffic()
{
	local st

	two_forwarders "$1"
	ping_ok "$H1" 10.201.1.2 5
	tcp_transfer "$H1" "$H2" 10.201.1.2 1000000
	# the cube-to-cube hop is counted on both sides, nothing lost
	st=$(pcn -n "$R" -j link show)
	jq -e '[.[] | select(.peer)] | length == 2' <<<"$st"
	st=$(stable_stats "$R" f1)
	jq -e '.[0].ports[] | select(.name == "x") | .stats.tx.packets > 500' <<<"$st"
	[ "$(jq '.[0].ports[] | select(.name == "x") | .stats.tx.packets' <<<"$st")" -eq \
	  "$(port_stat "$R" f2 y rx.packets)" ]
	# taking the link away cuts the path, and both ends go
	pcn -n "$R" link del f2:y
	pcn -n "$R" -j link show | jq -e '[.[] | select(.peer)] | length == 0'
	ping_fails "$H1" 10.201.1.2 1
}

# position CUBE: its place at port f1:p1 ingress, from link show
position()
{
	pcn -n "$R" -j link show cube "$1" |
		jq -e --arg c "$1" '.[] | select(.port == "f1:p1" and .direction == "ingress") | .position'
}

# met NS CUBE CHAIN: the packets firewall CUBE met on CHAIN (ingress or
# egress), accepted, dropped or malformed. Only IPv4 and IPv6 count: a
# frame that is neither (ARP) goes on uncounted whatever the policy, so
# these are the pings and their replies, never ARP.
met()
{
	pcn -n "$1" -j -s cube show "$2" |
		jq ".[0].stats.$3 | .accepted + .dropped + .malformed"
}

# seen CUBE: the packets firewall CUBE in R met on its way in
seen()
{
	met "$R" "$1" ingress
}

stacking()
{
	local c

	two_forwarders "$1"
	for c in a b c d e; do
		pcn -n "$R" cube add "$c" type firewall mode "$1"
	done
	pcn -n "$R" link add a port f1:p1 ingress
	pcn -n "$R" link add c port f1:p1 ingress last
	pcn -n "$R" link add b port f1:p1 ingress before c
	pcn -n "$R" link add d port f1:p1 ingress first
	pcn -n "$R" link add e port f1:p1 ingress after b
	# d a b e c
	[ "$(position d)" = 1 ] && [ "$(position a)" = 2 ] &&
		[ "$(position b)" = 3 ] && [ "$(position e)" = 4 ] &&
		[ "$(position c)" = 5 ]
	pcn -n "$R" -j link show cube f1 |
		jq -e '.[] | select(.port == "p1") | .ingress_chain == ["d","a","b","e","c"]'
	ping_ok "$H1" 10.201.1.2 3
	for c in a b c d e; do
		[ "$(seen "$c")" -ge 3 ]
	done
	# b drops: d, a and b see the pings, e and c do not
	pcn -n "$R" cube set b ingress drop
	for c in a b c d e; do
		eval "before_$c=$(seen "$c")"
	done
	ping_fails "$H1" 10.201.1.2 3
	# shellcheck disable=SC2154
	{
		[ "$(seen d)" -ge $((before_d + 3)) ]
		[ "$(seen a)" -ge $((before_a + 3)) ]
		[ "$(seen b)" -ge $((before_b + 3)) ]
		[ "$(seen e)" -eq "$before_e" ]
		[ "$(seen c)" -eq "$before_c" ]
	}
	# detaching b leaves the rest flowing, in order
	pcn -n "$R" link del b port f1:p1
	ping_ok "$H1" 10.201.1.2 3
	pcn -n "$R" -j link show cube f1 |
		jq -e '.[] | select(.port == "p1") | .ingress_chain == ["d","a","e","c"]'
	# an egress chain runs after the cube, before the peer
	pcn -n "$R" link add b port f1:x egress
	pcn -n "$R" cube set b ingress accept egress drop
	ping_fails "$H1" 10.201.1.2 2
	pcn -n "$R" cube set b egress accept
	ping_ok "$H1" 10.201.1.2 2
	# deleting a transparent cube detaches it everywhere
	pcn -n "$R" cube del b
	pcn -n "$R" cube del d
	ping_ok "$H1" 10.201.1.2 2
	pcn -n "$R" -j link show cube f1 |
		jq -e '.[] | select(.port == "p1") | .ingress_chain == ["a","e","c"]'
}

# On an interface no port owns: ingress (xdp or tc) and egress (tc: the
# host's own traffic) in H2.
on_interface()
{
	setup_root
	topo_pair
	quiet_ns "$H2"
	pcn -n "$R" cube add f1 type forwarder
	pcn -n "$R" link add f1:p1 dev r1
	pcn -n "$R" link add f1:p2 dev r2
	pcn -n "$R" cube set f1 port p1 action forward p2 port p2 action forward p1
	pcn -n "$H2" cube add in1 type firewall mode "$1"
	pcn -n "$H2" cube add out1 type firewall mode tc
	pcn -n "$H2" cube add out2 type firewall mode tc
	pcn -n "$H2" link add in1 dev h2 ingress
	pcn -n "$H2" link add out1 dev h2 egress
	pcn -n "$H2" link add out2 dev h2 egress first
	ping_ok "$H1" 10.201.1.2 4
	# the replies H2 sends itself pass its egress chain
	[ "$(met "$H2" out1 egress)" -ge 4 ]
	[ "$(met "$H2" out2 egress)" -ge 4 ]
	[ "$(met "$H2" in1 ingress)" -ge 4 ]
	pcn -n "$H2" -j link show dev h2 | jq -e 'length == 3 and all(.state == "attached")'
	pcn -n "$H2" cube set out2 egress drop
	ping_fails "$H1" 10.201.1.2 2
	pcn -n "$H2" link del out2 dev h2
	ping_ok "$H1" 10.201.1.2 2
	# an interface with a chain cannot become a port, nor the reverse
	pcn -n "$H2" cube add fx type forwarder mode tc
	expect_err 2 "$PCN" -n "$H2" link add fx:p dev h2
	expect_err 2 "$PCN" -n "$R" link add in1 dev r1 2>/dev/null || true
	pcn -n "$H2" link del in1 dev h2
	pcn -n "$H2" link del out1 dev h2
	ip -n "$H2" -d link show dev h2 | fails grep -q 'prog/xdp'
	pcn -n "$H2" -j link show | jq -e 'length == 0'
}

# met_in_order NS DIR FROM DST CUBE...: the firewalls CUBE... of NS are
# met in that order in direction DIR by the pings FROM sends to DST (or
# by their replies): each drops in turn, and the ones met up to it count
# the pings while the ones after it see none of them.
met_in_order()
{
	local ns=$1 dir=$2 from=$3 dst=$4 i j c now
	local -A was

	shift 4
	for ((i = 1; i <= $#; i++)); do
		pcn -n "$ns" cube set "${!i}" "$dir" drop
		for c in "$@"; do
			was[$c]=$(met "$ns" "$c" "$dir")
		done
		ping_fails "$from" "$dst" 2
		for ((j = 1; j <= $#; j++)); do
			c=${!j}
			now=$(met "$ns" "$c" "$dir")
			if ((j <= i)); then
				((now >= ${was[$c]} + 2)) ||
					{ echo "$dir: $c, met before ${!i}, saw $((now - ${was[$c]}))"; return 1; }
			else
				((now == ${was[$c]})) ||
					{ echo "$dir: $c, met after ${!i}, saw $((now - ${was[$c]}))"; return 1; }
			fi
		done
		pcn -n "$ns" cube set "${!i}" "$dir" accept
	done
	ping_ok "$from" "$dst" 2
}

# chains_are NS CUBE:PORT INGRESS EGRESS: the stacks at a port, as
# link show lists them (JSON arrays)
chains_are()
{
	pcn -n "$1" -j link show cube "${2%%:*}" |
		jq -e --arg p "${2#*:}" --argjson i "$3" --argjson e "$4" \
			'.[] | select(.port == $p) | .ingress_chain == $i and .egress_chain == $e'
}

# Stacks mirror: first is the outermost, met first on the way in and
# last on the way out. Stacks of three, placed with both, first and
# after, at a port on an interface (f1:p1), at a port linked to a peer
# (f2:y), and on an interface no port owns (h2 in H2; its egress only in
# tc): the order each direction meets them in, from the counters.
stack_mirrors()
{
	local mode=$1 c

	two_forwarders "$mode"
	for c in a b c i j k; do
		pcn -n "$R" cube add "$c" type firewall mode "$mode"
	done
	pcn -n "$R" link add c port f1:p1
	pcn -n "$R" link add a port f1:p1 both first
	pcn -n "$R" link add b port f1:p1 after a
	pcn -n "$R" link add k port f2:y both
	pcn -n "$R" link add j port f2:y before k
	pcn -n "$R" link add i port f2:y first
	chains_are "$R" f1:p1 '["a","b","c"]' '["a","b","c"]'
	chains_are "$R" f2:y '["i","j","k"]' '["i","j","k"]'
	pcn -n "$R" -j link show cube b |
		jq -e 'map(.position) == [2, 2] and map(.of) == [3, 3]'
	ping_ok "$H1" 10.201.1.2 2
	# H1's pings go in at f1:p1 and f2:y; H2's replies out at f2:y
	# and f1:p1
	met_in_order "$R" ingress "$H1" 10.201.1.2 a b c
	met_in_order "$R" egress "$H1" 10.201.1.2 c b a
	met_in_order "$R" ingress "$H1" 10.201.1.2 i j k
	met_in_order "$R" egress "$H1" 10.201.1.2 k j i
	# a cube leaving the middle keeps the others' order both ways
	pcn -n "$R" link del b port f1:p1
	chains_are "$R" f1:p1 '["a","c"]' '["a","c"]'
	met_in_order "$R" egress "$H1" 10.201.1.2 c a

	# on an interface no port owns: what h2 receives, what H2 sends
	quiet_ns "$H2"
	for c in d e f; do
		pcn -n "$H2" cube add "$c" type firewall mode "$mode"
	done
	pcn -n "$H2" link add e dev h2
	pcn -n "$H2" link add f dev h2 after e
	pcn -n "$H2" link add d dev h2 first
	pcn -n "$H2" -j link show cube d | jq -e 'all(.position == 1)'
	met_in_order "$H2" ingress "$H1" 10.201.1.2 d e f
	[ "$mode" = tc ] || return 0
	pcn -n "$H2" -j link show dev h2 |
		jq -e '[.[] | select(.direction == "egress")] | length == 3'
	met_in_order "$H2" egress "$H1" 10.201.1.2 f e d
}

# prog_ids: the program of every cube, as the kernel reports it
prog_ids()
{
	pcn -n "$R" -j -d cube show | jq -c '[.[] | {name, prog_id}]'
}

no_reload()
{
	local before

	two_forwarders "$1"
	pcn -n "$R" cube add f3 type forwarder mode "$1"
	pcn -n "$R" cube add h type firewall mode "$1"
	before=$(prog_ids)
	jq -e 'all(.prog_id > 0)' <<<"$before"
	pcn -n "$R" link add f2:z peer f3:w
	pcn -n "$R" link add h port f1:x ingress
	pcn -n "$R" link add h port f3:w egress
	pcn -n "$R" link del h port f1:x
	pcn -n "$R" link del f3:w
	pcn -n "$R" link del f1:x
	pcn -n "$R" link add f1:x peer f3:w
	[ "$(prog_ids)" = "$before" ]
}

# A flow through f1 (generator -> r1 -> f1 -> r2 -> sink) loses nothing
# while pcn rewires around it and on its own path, over and over: the
# flow runs in bursts until the rewiring has gone round three times
# (a sanitized pcn takes longer than a burst), each burst whole.
rewire_under_traffic()
{
	local mode=$1 out runs i r0 sent=0

	[ -x "$BENCH" ] || skip "$BENCH is not built"
	setup_root
	add_ns G
	add_ns R
	add_ns S
	quiet_ns "$G"
	quiet_ns "$R"
	quiet_ns "$S"
	add_veth "$G" g0 "$R" r1
	add_veth "$R" r2 "$S" s0
	ip netns exec "$R" ethtool -K r1 gro on >/dev/null
	pcn -n "$R" cube add f1 type forwarder mode "$mode"
	pcn -n "$R" cube add f2 type forwarder mode "$mode"
	pcn -n "$R" cube add h1 type firewall mode "$mode"
	pcn -n "$R" cube add h2 type firewall mode "$mode"
	pcn -n "$R" link add f1:p1 dev r1
	pcn -n "$R" link add f1:p2 dev r2
	pcn -n "$R" cube set f1 port p1 action forward p2
	runs=$(mktemp)
	defer "rm -f $runs"
	(
		set +e
		while :; do
			"$PCN" -n "$R" link add f1:x peer f2:y
			"$PCN" -n "$R" link add h1 port f1:p1 ingress
			"$PCN" -n "$R" link add h2 port f1:p1 ingress first
			"$PCN" -n "$R" link add h2 port f1:p2 egress
			"$PCN" -n "$R" link add h1 port f1:x egress
			"$PCN" -n "$R" link del h1 port f1:p1
			"$PCN" -n "$R" link del h2 port f1:p1
			"$PCN" -n "$R" link del h2 port f1:p2
			"$PCN" -n "$R" link del f1:x
			echo >>"$runs"
		done
	) >/dev/null 2>&1 &
	defer "kill $! 2>/dev/null"
	r0=$(wc -l <"$runs")
	for ((i = 0; i < 100; i++)); do
		out=$("$BENCH" run gen "$G" g0 sink "$S" s0 count 500000)
		jq -e '.sent == 500000 and .received == .sent' <<<"$out" \
			>/dev/null || { echo "a burst lost frames: $out"; return 1; }
		sent=$((sent + 500000))
		(($(wc -l <"$runs") - r0 >= 3)) && break
	done
	kill %1
	wait || true
	echo "$sent frames in $((i + 1)) bursts, rewiring rounds: $(($(wc -l <"$runs") - r0))"
	# it did rewire meanwhile
	(($(wc -l <"$runs") - r0 >= 3))
}

bad_input()
{
	local before after i

	two_forwarders "$1"
	pcn -n "$R" cube add f3 type forwarder mode "$1"
	pcn -n "$R" cube add ftc type forwarder mode "$([ "$1" = tc ] && echo xdp || echo tc)"
	pcn -n "$R" cube add h type firewall mode "$1"
	pcn -n "$R" link add h port f1:p1 ingress
	before=$(tree_snapshot)
	expect_err 2 "$PCN" -n "$R" link add f1:x peer f3:w	# connected
	expect_err 2 "$PCN" -n "$R" link add f3:w peer f1:x
	expect_err 2 "$PCN" -n "$R" link add f3:w peer nosuch:w
	expect_err 2 "$PCN" -n "$R" link add nosuch:w peer f3:w
	expect_err 2 "$PCN" -n "$R" link add f3:w peer ftc:w	# xdp with tc
	expect_err 2 "$PCN" -n "$R" link add f3:w peer h	# transparent
	expect_err 1 "$PCN" -n "$R" link add f3:w peer f3:w
	expect_err 2 "$PCN" -n "$R" link add h port f1:p1 ingress	# twice
	expect_err 2 "$PCN" -n "$R" link add h port f1:p1 ingress before nosuch
	expect_err 2 "$PCN" -n "$R" link add h port f1:x ingress after f3
	expect_err 2 "$PCN" -n "$R" link add h port f1:nosuch
	expect_err 2 "$PCN" -n "$R" link add h port nosuch:p
	expect_err 2 "$PCN" -n "$R" link add f1 port f2:y	# not transparent
	expect_err 2 "$PCN" -n "$R" link del h port f1:x
	expect_err 2 "$PCN" -n "$R" link del h port f1:p1 egress
	expect_err 1 "$PCN" -n "$R" link add h port f1:p1 sideways
	expect_err 1 "$PCN" -n "$R" link add h port f1:p1 before
	expect_err 1 "$PCN" -n "$R" link add h port f1:p1 ingress egress
	expect_err 1 "$PCN" -n "$R" link add h port f1
	expect_err 1 "$PCN" -n "$R" cube set f1 port p1 action forward p1
	after=$(tree_snapshot)
	diff <(echo "$before") <(echo "$after")

	# the tail-call budget: 8 transparent cubes at each point of the path
	# f1:p1 -> f1:x -> f2:y -> f2:p2 take 1 + 8 + (8 + 1) + 8 = 26 tail
	# calls to f2, whose way out to r2 then takes 1 per cube and 1 to the
	# interface: room for 6 (33), not 7
	for i in 1 2 3 4 5 6 7 8; do
		for p in a b c d; do
			pcn -n "$R" cube add "$p$i" type firewall mode "$1"
		done
		[ "$i" = 8 ] || pcn -n "$R" link add "a$i" port f1:p1 ingress
		pcn -n "$R" link add "b$i" port f1:x egress
		pcn -n "$R" link add "c$i" port f2:y ingress
	done
	for i in 1 2 3 4 5 6; do
		pcn -n "$R" link add "d$i" port f2:p2 egress
	done
	before=$(tree_snapshot)
	expect_err 2 "$PCN" -n "$R" link add d7 port f2:p2 egress
	{ "$PCN" -n "$R" link add d7 port f2:p2 egress 2>&1 || true; } |
		grep -q 'the path from f1:p1, f1:x -> f2:y, f2:p2 would take 34 tail calls'
	# one place each way: c1 is at f2:y ingress already
	expect_err 2 "$PCN" -n "$R" link add c1 port f2:p2 ingress
	expect_err 2 "$PCN" -n "$R" link add h port f2:y ingress
	after=$(tree_snapshot)
	diff <(echo "$before") <(echo "$after")
	# and packets still go through every one of them
	ping_ok "$H1" 10.201.1.2 2
}

# A cube with every port taken: the next link is refused with the limit,
# to an interface or to another cube, and changes nothing
port_limit()
{
	local f i out before

	setup_root
	add_ns R
	quiet_ns "$R"
	add_veth "$R" r1 "$R" x1
	f=$(mktemp "${TMPDIR:-/tmp}/pcn-ports.XXXXXX")
	defer "rm -f $f"
	echo "cube add hub type forwarder" >"$f"
	for i in $(seq 1 65); do
		echo "cube add s$i type forwarder"
	done >>"$f"
	for i in $(seq 1 64); do
		echo "link add hub:p$i peer s$i:up"
	done >>"$f"
	pcn -n "$R" -batch "$f"
	before=$(tree_snapshot)
	expect_err 2 "$PCN" -n "$R" link add hub:p65 peer s65:up
	expect_err 2 "$PCN" -n "$R" link add s65:up peer hub:p65
	expect_err 2 "$PCN" -n "$R" link add hub:p65 dev r1
	out=$("$PCN" -n "$R" link add hub:p65 dev r1 2>&1 || true)
	[[ $out == *'cube "hub" has no free port (at most 64)'* ]]
	[ "$before" = "$(tree_snapshot)" ]
}

run_test port_limit port_limit
for m in xdp tc; do
	run_test "chain_of_forwarders_$m" chain_traffic $m
	run_test "transparent_stacking_$m" stacking $m
	run_test "transparent_on_interface_$m" on_interface $m
	run_test "stacks_mirror_$m" stack_mirrors $m
	run_test "rewiring_reloads_nothing_$m" no_reload $m
	run_test "rewiring_under_traffic_$m" rewire_under_traffic $m
	run_test "graph_bad_input_$m" bad_input $m
done
tap_done
