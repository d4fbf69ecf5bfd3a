#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The helloworld cube, the sample transparent cube: its actions at add
# and set, its counters per direction, what it passes and drops with
# real traffic on an interface and on a port, in XDP and TC.

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# hw_count CUBE DIR KEY: a counter of helloworld CUBE in namespace R
hw_count()
{
	pcn -n "$R" -j -s cube show "$1" | jq -e ".[0].stats.$2.$3"
}

hw_count_at_least()
{
	[ "$(hw_count "$1" "$2" "$3")" -ge "$4" ]
}

actions()
{
	local mode=$1

	need_type helloworld
	setup_root
	topo_pair
	quiet_ns "$R"
	quiet_ns "$H1"
	quiet_ns "$H2"
	# the host of R answers on r1, through the cube
	addr "$R" r1 10.201.1.254/24
	pcn -n "$R" cube add hw type helloworld mode "$mode" ingress drop
	pcn -n "$R" -j cube show hw |
		jq -e '.[0].ingress == "drop" and .[0].egress == "pass"'
	pcn -n "$R" link add hw dev r1 ingress
	ping_fails "$H1" 10.201.1.254 2
	hw_count_at_least hw ingress dropped 2
	[ "$(hw_count hw ingress dropped)" = "$(hw_count hw ingress packets)" ]
	pcn -n "$R" cube set hw ingress pass
	ping_ok "$H1" 10.201.1.254 2
	# text and JSON say the same
	pcn -n "$R" -s cube show hw | grep -q '^    ingress [0-9]* packets [0-9]* bytes, dropped [0-9]*$'
	pcn -n "$R" cube show hw | grep -q '^hw: type helloworld mode .* ingress pass egress pass$'
	# bad input changes nothing
	expect_err 1 "$PCN" -n "$R" cube set hw ingress maybe
	expect_err 1 "$PCN" -n "$R" cube set hw ingress pass ingress drop
	expect_err 1 "$PCN" -n "$R" cube add hw2 type helloworld sideways pass
	pcn -n "$R" -j cube show hw | jq -e '.[0].ingress == "pass"'
	pcn -n "$R" cube del hw
	ping_ok "$H1" 10.201.1.254 1
}

# on a forwarder's port, both ways: what it drops never reaches H2
on_port()
{
	local mode=$1

	need_type helloworld
	setup_root
	topo_pair
	quiet_ns "$R"
	quiet_ns "$H1"
	quiet_ns "$H2"
	pcn -n "$R" cube add f type forwarder mode "$mode"
	pcn -n "$R" link add f:p1 dev r1
	pcn -n "$R" link add f:p2 dev r2
	pcn -n "$R" cube set f port p1 action forward p2 port p2 action forward p1
	pcn -n "$R" cube add hw type helloworld mode "$mode"
	pcn -n "$R" link add hw port f:p2 egress
	ping_ok "$H1" 10.201.1.2 2
	hw_count_at_least hw egress packets 2
	pcn -n "$R" cube set hw egress drop
	ping_fails "$H1" 10.201.1.2 2
	hw_count_at_least hw egress dropped 2
	pcn -n "$R" link del hw port f:p2
	ping_ok "$H1" 10.201.1.2 1
}

for m in xdp tc; do
	run_test "helloworld_actions_$m" actions $m
	run_test "helloworld_on_a_port_$m" on_port $m
done
tap_done
