#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The forwarder with real traffic: two hosts in their own namespaces, a
# forwarder between them in a third, in every mode. Ping and a TCP
# transfer go through; pass hands to the host; drop drops; the counters
# match; deleting the cube detaches everything.

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# forwarded_all JSON IN OUT: all that entered IN and was not passed left by OUT
forwarded_all()
{
	jq -e --arg i "$2" --arg o "$3" '.[0].ports as $p |
		($p[] | select(.name == $i) | .stats) as $in |
		($p[] | select(.name == $o) | .stats) as $out |
		$in.rx.packets - $in.rx.to_host == $out.tx.packets' <<<"$1"
}

forwarder_traffic()
{
	local mode=$1 n0 drops st

	setup_root
	topo_pair
	n0=$(port_progs)
	pcn -n "$R" cube add fw type forwarder mode "$mode"
	pcn -n "$R" link add fw:p1 dev r1
	pcn -n "$R" link add fw:p2 dev r2
	port_progs_are $((n0 + 2))
	pcn -n "$R" -j link show | jq -e 'length == 2'

	# new ports pass to the host of R, which does not route: no path
	ping_fails "$H1" 10.201.1.2 1
	# ... and the host of R answers for its own address
	addr "$R" r1 10.201.1.254/24
	ping_ok "$H1" 10.201.1.254 3
	[ "$(port_stat "$R" fw p1 rx.to_host)" -ge 3 ]

	pcn -n "$R" cube set fw port p1 action forward p2 port p2 action forward p1
	pcn -n "$R" -j cube show fw |
		jq -e '.[0].ports[0].action == "forward" and .[0].ports[0].out_port == "p2"'
	ping_ok "$H1" 10.201.1.2 5
	tcp_transfer "$H1" "$H2" 10.201.1.2 2000000

	# what entered p1 and was not passed left by p2, and the other way
	[ "$(port_stat "$R" fw p1 rx.packets)" -gt 1000 ]
	st=$(stable_stats "$R" fw)
	forwarded_all "$st" p1 p2
	forwarded_all "$st" p2 p1

	pcn -n "$R" cube set fw port p1 action drop
	drops=$(port_stat "$R" fw p1 rx.dropped)
	ping_fails "$H1" 10.201.1.2 3
	[ "$(port_stat "$R" fw p1 rx.dropped)" -ge $((drops + 3)) ]
	ping_fails "$H1" 10.201.1.254 2

	pcn -n "$R" cube del fw
	port_progs_are "$n0"
	pcn -n "$R" -j cube show | jq -e 'length == 0'
	# R's host sees h1's traffic again
	ping_ok "$H1" 10.201.1.254 2
	if [ "${PCN_TC_ATTACH:-}" = clsact ]; then
		[ -z "$(tc -n "$R" filter show dev r1 ingress)" ]
	fi
	ip -n "$R" -d link show dev r1 | fails grep -q 'prog/xdp'
}

clsact_traffic()
{
	export PCN_TC_ATTACH=clsact
	forwarder_traffic tc
}

# stderr of pcn ARGS in $err; fails if pcn does
with_err()
{
	local f

	f=$(mktemp "${TMPDIR:-/tmp}/pcn-err.XXXXXX")
	"$PCN" "$@" 2>"$f" || { cat "$f" >&2; rm -f "$f"; return 1; }
	err=$(<"$f")
	rm -f "$f"
}

# A port in native XDP on a veth whose peer would drop what it redirects
# (no GRO, no XDP program) or send what breaks (tx checksum offload):
# one Warning line, exit 0; none once the peer is ready, none in tc;
# pcn -d link show says what the peer has, wherever its netns is
veth_trap()
{
	local err

	setup_root
	add_ns H1
	add_ns R
	add_veth "$R" r1 "$H1" h1
	add_veth "$R" r2 "$R" r3
	pcn -n "$R" cube add fw type forwarder
	with_err -n "$R" link add fw:p1 dev r1
	[ "$(grep -c . <<<"$err")" = 1 ]
	[[ $err == "Warning: r1 is a veth whose peer h1 (netnsid "*"has neither GRO nor an XDP program, and tx checksum offload on"* ]]
	pcn -n "$R" -d -j link show dev r1 | jq -e '.[0].veth_peer |
		.ifname == "h1" and .gro == false and .tx_checksum == true and
		.takes_redirects == false'
	# the same netns: the peer is read there
	with_err -n "$R" link add fw:p2 dev r2
	[[ $err == "Warning: r2 is a veth whose peer r3 has"* ]]
	# a ready peer: no word
	pcn -n "$R" link del fw:p1
	veth_xdp_ready "$H1" h1
	with_err -n "$R" link add fw:p1 dev r1
	[ -z "$err" ]
	pcn -n "$R" -d -j link show dev r1 | jq -e '.[0].veth_peer |
		.gro == true and .tx_checksum == false and .takes_redirects'
	pcn -n "$R" -d link show dev r1 | grep -q ' veth_peer ifindex .* h1 gro on xdp off tx_checksum off takes_redirects on'
	# GRO alone: the checksums are still a trap
	ip netns exec "$H1" ethtool -K h1 tx on >/dev/null
	pcn -n "$R" link del fw:p1
	with_err -n "$R" link add fw:p1 dev r1
	[[ $err == *"has tx checksum offload on: TCP it sends through fw arrives with bad checksums"* ]]
	# tc has no trap
	pcn -n "$R" cube add ft type forwarder mode tc
	with_err -n "$R" link add ft:p3 dev r3
	[ -z "$err" ]
}

run_test forwarder_veth_trap veth_trap
run_test forwarder_xdp forwarder_traffic xdp
run_test forwarder_xdpgeneric forwarder_traffic xdpgeneric
run_test forwarder_tc forwarder_traffic tc
run_test forwarder_tc_clsact clsact_traffic
tap_done
