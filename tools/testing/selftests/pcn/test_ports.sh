#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A port's life apart from what it is connected to: made connected to
# nothing, given addresses, connected; moved to another interface and to
# a cube, keeping its addresses and counters; disconnected; its interface
# deleted and made again. And transparent cubes on an interface that a
# cube's port owns. XDP and TC, with real traffic.

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# hostat I ADDR/LEN GATEWAY: netns H<I>, its e0 wired to a<I> in R
hostat()
{
	local ns=H$1

	add_ns "$ns"
	quiet_ns "${!ns}"
	add_veth "$R" "a$1" "${!ns}" e0
	addr "${!ns}" e0 "$2"
	ip -n "${!ns}" route add default via "$3"
	veth_xdp_ready "${!ns}" e0
}

port_state()
{
	pcn -n "$R" -j link show | jq -r ".[] | select(.cube == \"$1\" and .port == \"$2\") | .state"
}

port_rx()
{
	port_stat "$R" "$1" "$2" rx.packets
}

# router r1 between H1 (10.1.0.2 on p1) and H2 (10.2.0.2 on p2); H3 has
# H2's address behind a3, for a move
lifecycle()
{
	local mode=$1 rx

	setup_root
	add_ns R
	quiet_ns "$R"
	hostat 1 10.1.0.2/24 10.1.0.1
	hostat 2 10.2.0.2/24 10.2.0.1
	hostat 3 10.2.0.2/24 10.2.0.1
	pcn -n "$R" cube add r1 type router mode "$mode"
	# ports first, connected to nothing, with their addresses
	pcn -n "$R" link add r1:p1
	pcn -n "$R" link add r1:p2
	[ "$(port_state r1 p1)" = unconnected ]
	pcn -n "$R" link show | grep -q '^r1:p2 mode .* unconnected$'
	pcn -n "$R" addr add 10.1.0.1/24 port r1:p1
	pcn -n "$R" addr add 10.2.0.1/24 port r1:p2
	expect_err 2 "$PCN" -n "$R" link add r1:p1
	# connected: "add" takes the port there
	pcn -n "$R" link add r1:p1 dev a1
	pcn -n "$R" link add r1:p2 dev a2
	[ "$(port_state r1 p2)" = attached ]
	ping_ok "$H1" 10.2.0.2 2
	tcp_transfer "$H1" "$H2" 10.2.0.2 100000
	# moved to another interface: the address stays, the counters too
	rx=$(port_rx r1 p2)
	pcn -n "$R" link set r1:p2 dev a3
	pcn -n "$R" -j addr show port r1:p2 | jq -e 'length == 1'
	[ "$(port_rx r1 p2)" -ge "$rx" ]
	ping_ok "$H1" 10.2.0.2 2
	ping_ok "$H3" 10.1.0.2 2
	[ "$(port_rx r1 p2)" -gt "$rx" ]
	# to a cube: bridge br, H2 behind it
	pcn -n "$R" cube add br type bridge mode "$mode"
	pcn -n "$R" link add br:h2 dev a2
	pcn -n "$R" link set r1:p2 peer br:up
	pcn -n "$R" -j link show | jq -e '.[] | select(.port == "p2") | .peer == {"cube": "br", "port": "up"}'
	ping_ok "$H1" 10.2.0.2 2
	tcp_transfer "$H2" "$H1" 10.1.0.2 100000
	# and off it: both ends stay, connected to nothing
	pcn -n "$R" link set r1:p2 none
	[ "$(port_state r1 p2)" = unconnected ]
	[ "$(port_state br up)" = unconnected ]
	ping_fails "$H1" 10.2.0.2 1
	pcn -n "$R" -j addr show port r1:p2 | jq -e 'length == 1'
	# an interface that goes: its port stays down until set again
	ip -n "$R" link del a1
	[ "$(port_state r1 p1)" = interface-gone ]
	add_veth "$R" a1 "$H1" e0
	addr "$H1" e0 10.1.0.2/24
	ip -n "$H1" route add default via 10.1.0.1
	veth_xdp_ready "$H1" e0
	pcn -n "$R" link set r1:p1 dev a1
	pcn -n "$R" link set r1:p2 dev a3
	ping_ok "$H1" 10.2.0.2 2
	pcn -n "$R" -j addr show port r1:p1 | jq -e 'length == 1'
}

# a port connected to nothing is saved as such, and restored
unconnected_saved()
{
	local mode=$1 f

	setup_root
	add_ns R
	pcn -n "$R" cube add r1 type router mode "$mode"
	pcn -n "$R" link add r1:p1
	pcn -n "$R" addr add 10.9.0.1/24 port r1:p1
	f=$(mktemp)
	defer "rm -f $f"
	pcn -n "$R" save >"$f"
	grep -qx 'link add r1:p1' "$f"
	pcn -n "$R" flush
	pcn -n "$R" restore "$f"
	[ "$(port_state r1 p1)" = unconnected ]
	[ "$(pcn -n "$R" save)" = "$(cat "$f")" ]
}

# what "link set" refuses changes nothing
set_bad_input()
{
	local mode=$1 before

	setup_root
	add_ns R
	quiet_ns "$R"
	add_veth "$R" a1 "$R" b1
	add_veth "$R" a2 "$R" b2
	pcn -n "$R" cube add f type forwarder mode "$mode"
	pcn -n "$R" cube add g type forwarder mode "$mode"
	pcn -n "$R" link add f:p1 dev a1
	pcn -n "$R" link add g:p2 dev a2
	before=$(tree_snapshot)
	expect_err 1 "$PCN" -n "$R" link set f:p1
	expect_err 1 "$PCN" -n "$R" link set f dev a1
	expect_err 1 "$PCN" -n "$R" link set f:p1 sideways
	expect_err 1 "$PCN" -n "$R" link set f:p1 dev a1 extra
	expect_err 2 "$PCN" -n "$R" link set f:nope dev a1
	expect_err 2 "$PCN" -n "$R" link set f:p1 dev nosuch0
	expect_err 2 "$PCN" -n "$R" link set nocube:p1 none
	# an interface another port holds, a port that is not free
	expect_err 2 "$PCN" -n "$R" link set f:p1 dev a2
	expect_err 2 "$PCN" -n "$R" link set f:p1 peer g:p2
	expect_err 1 "$PCN" -n "$R" link add f
	[ "$before" = "$(tree_snapshot)" ]
	[ "$(port_state f p1)" = attached ]
	# set to where it is: nothing to do
	pcn -n "$R" link set f:p1 dev a1
	[ "$before" = "$(tree_snapshot)" ]
}

# the next command that changes something sweeps what a killed one left
swept()
{
	pcn -n "$R" cube add swept type forwarder mode "$1"
	pcn -n "$R" cube del swept
	[ -z "$(find "$PCN_ROOT" -name 'staging-*')" ]
}

# A move killed half-way: the next command leaves the port connected to
# nothing (or where it went, once committed), never half-connected.
killed_set()
{
	local mode=$1

	setup_root
	add_ns R
	add_veth "$R" a1 "$R" b1
	add_veth "$R" a2 "$R" b2
	pcn -n "$R" cube add f type forwarder mode "$mode"
	pcn -n "$R" cube add g type forwarder mode "$mode"
	pcn -n "$R" link add f:p1 dev a1
	# killed with the port written, before the pin (the commit)
	kill_at link-add-port link set f:p1 dev a2
	swept "$mode"
	[ "$(port_state f p1)" = unconnected ]
	ip -n "$R" -d link show dev a2 | fails grep -q 'prog/xdp'
	pcn -n "$R" link set f:p1 dev a2
	[ "$(port_state f p1)" = attached ]
	# a link between cubes undone half-way: both ends unconnected
	pcn -n "$R" link set f:p1 peer g:p2
	kill_at peer-unset-half link set f:p1 none
	swept "$mode"
	[ "$(port_state f p1)" = unconnected ]
	[ "$(port_state g p2)" = unconnected ]
	# made half-way: not made
	kill_at peer-add-half link set g:p2 peer f:p1
	swept "$mode"
	[ "$(port_state f p1)" = unconnected ]
	[ "$(port_state g p2)" = unconnected ]
	pcn -n "$R" link set g:p2 peer f:p1
	pcn -n "$R" -j link show | jq -e '.[] | select(.port == "p2") | .peer.cube == "f"'
}

fw_count()
{
	pcn -n "$R" -j -s cube show fw |
		jq ".[0].stats.$1 | .accepted + .dropped + .malformed"
}

fw_counted()
{
	[ "$(fw_count "$1")" -ge "$2" ]
}

# Firewall fw on interface a1, which port f:p1 owns (f hands what comes
# in to the host, which has 10.1.0.254 on a1): it sees what comes in
# before f does, and (tc) what the host sends out of a1.
on_port_iface()
{
	local mode=$1 in0

	setup_root
	add_ns R
	quiet_ns "$R"
	hostat 1 10.1.0.2/24 10.1.0.254
	addr "$R" a1 10.1.0.254/24
	pcn -n "$R" cube add f type forwarder mode "$mode"
	pcn -n "$R" link add f:p1 dev a1
	pcn -n "$R" cube set f port p1 action pass
	pcn -n "$R" cube add fw type firewall mode "$mode"
	pcn -n "$R" link add fw dev a1
	# the way in is the port's, before f
	pcn -n "$R" -j link show | jq -e '.[] | select(.cube == "fw" and .direction == "ingress") | .port == "f:p1"'
	ping_ok "$H1" 10.1.0.254 3
	wait_for 3 fw_counted ingress 3
	in0=$(port_rx f p1)
	pcn -n "$R" rule append fw ingress proto icmp action drop
	ping_fails "$H1" 10.1.0.254 2
	[ "$(port_rx f p1)" -eq "$in0" ]
	pcn -n "$R" rule flush fw ingress
	ping_ok "$H1" 10.1.0.254 2
	if [ "$mode" = tc ]; then
		# the way out is a1's: what the host sends
		pcn -n "$R" -j link show | jq -e '.[] | select(.cube == "fw" and .direction == "egress") | .dev == "a1"'
		ping_ok "$R" 10.1.0.2 3
		wait_for 3 fw_counted egress 3
		pcn -n "$R" rule append fw egress proto icmp action drop
		ping_fails "$R" 10.1.0.2 2
		pcn -n "$R" rule flush fw egress
	else
		pcn -n "$R" -j link show | jq -e '[.[] | select(.cube == "fw")] | length == 1'
	fi
	# off the interface, both ways; the port stays
	pcn -n "$R" link del fw dev a1
	pcn -n "$R" -j link show | jq -e '[.[] | select(.cube == "fw")] | length == 0'
	ping_ok "$H1" 10.1.0.254 2
	# a port takes an interface whose way out has cubes
	if [ "$mode" = tc ]; then
		pcn -n "$R" link del f:p1
		pcn -n "$R" link add fw dev a1 egress
		pcn -n "$R" link add f:p1 dev a1
		pcn -n "$R" cube set f port p1 action pass
		in0=$(fw_count egress)
		ping_ok "$H1" 10.1.0.254 2
		wait_for 3 fw_counted egress $((in0 + 2))
	fi
}

for m in xdp tc; do
	run_test "transparent_on_port_interface_$m" on_port_iface $m
	run_test "port_lifecycle_$m" lifecycle $m
	run_test "port_set_bad_input_$m" set_bad_input $m
	run_test "port_killed_set_$m" killed_set $m
	run_test "port_unconnected_saved_$m" unconnected_saved $m
done
tap_done
