#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The bridge cube with real traffic: three hosts in their own namespaces
# on one bridge — every pair talks, the fdb learns where each one is,
# entries age out, a broadcast reaches every other port exactly once,
# port states hold, BPDUs are not flooded, stations move, VLANs keep
# hosts apart and cross a trunk between two bridges; XDP and TC.

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SENDRAW="python3 $(dirname "${BASH_SOURCE[0]}")/sendraw.py"

# host I ADDR/LEN [GATEWAY]: netns B<I>, its e<I> wired to v<I> in R
host()
{
	local ns=B$1

	add_ns "$ns"
	quiet_ns "${!ns}"
	add_veth "$R" "v$1" "${!ns}" "e$1"
	addr "${!ns}" "e$1" "$2"
	[ -z "${3:-}" ] || ip -n "${!ns}" route add default via "$3"
	veth_xdp_ready "${!ns}" "e$1"
}

# B1 B2 B3 (10.202.0.1-3, eth e1-e3) on ports p1-p3 of bridge br in R
three_hosts()
{
	local i

	setup_root
	add_ns R
	quiet_ns "$R"
	for i in 1 2 3; do
		host "$i" "10.202.0.$i/24"
	done
	pcn -n "$R" cube add br type bridge mode "$1" ${2:+ageing_time $2}
	for i in 1 2 3; do
		pcn -n "$R" link add "br:p$i" dev "v$i"
	done
}

mac_of()
{
	ip -n "$1" -j link show dev "$2" | jq -r '.[0].address'
}

# rx packets of an interface in a netns
rx_of()
{
	ip -n "$1" -j -s link show dev "$2" | jq '.[0].stats64.rx.packets'
}

bridge_stat()
{
	pcn -n "$R" -j -s cube show br | jq ".[0].stats.bridge.$1"
}

all_pairs()
{
	local a b st

	three_hosts "$1"
	for a in 1 2 3; do
		for b in 1 2 3; do
			[ "$a" = "$b" ] && continue
			ping_ok "$(eval echo \$B$a)" "10.202.0.$b" 2
		done
	done
	tcp_transfer "$B1" "$B3" 10.202.0.3 500000
	tcp_transfer "$B2" "$B1" 10.202.0.1 500000
	# the fdb knows each host on its port
	st=$(pcn -n "$R" -j fdb show cube br)
	for a in 1 2 3; do
		jq -e --arg m "$(mac_of "$(eval echo \$B$a)" "e$a")" --arg p "p$a" \
			'.[] | select(.mac == $m) | .port == $p and .static == false' <<<"$st"
	done
	[ "$(bridge_stat learned)" -eq 3 ]
}

ageing()
{
	three_hosts "$1" 2
	ping_ok "$B1" 10.202.0.2 2
	pcn -n "$R" -j fdb show | jq -e 'length == 2'
	# quiet for longer than the ageing time: the entries are gone
	sleep 3
	pcn -n "$R" -j fdb show | jq -e 'length == 0'
	# ... and the bridge looks for the hosts again
	ping_ok "$B1" 10.202.0.2 2
	pcn -n "$R" -j fdb show | jq -e 'length == 2'
}

broadcast_once()
{
	local r2 r3 r1 fl

	three_hosts "$1"
	r1=$(rx_of "$B1" e1)
	r2=$(rx_of "$B2" e2)
	r3=$(rx_of "$B3" e3)
	fl=$(bridge_stat flooded)
	ip netns exec "$B1" $SENDRAW e1 ff:ff:ff:ff:ff:ff 02:aa:00:00:00:01 7
	# unknown unicast floods too
	ip netns exec "$B1" $SENDRAW e1 02:bb:00:00:00:09 02:aa:00:00:00:01 3
	wait_for 3 rx_is "$B2" e2 $((r2 + 10))
	wait_for 3 rx_is "$B3" e3 $((r3 + 10))
	sleep 0.2
	# exactly once each, and never back to the sender
	[ "$(rx_of "$B2" e2)" -eq $((r2 + 10)) ]
	[ "$(rx_of "$B3" e3)" -eq $((r3 + 10)) ]
	[ "$(rx_of "$B1" e1)" -eq "$r1" ]
	[ "$(bridge_stat flooded)" -eq $((fl + 10)) ]
}

rx_is()
{
	[ "$(rx_of "$1" "$2")" -ge "$3" ]
}

states_and_bpdus()
{
	local r2 r3 ll ns

	three_hosts "$1"
	ping_ok "$B1" 10.202.0.3 1
	pcn -n "$R" cube set br port p3 state blocking
	pcn -n "$R" -j cube show br |
		jq -e '.[0].ports[] | select(.name == "p3") | .stp_state == "blocking"'
	ping_fails "$B1" 10.202.0.3 2
	ping_ok "$B1" 10.202.0.2 2
	pcn -n "$R" cube set br port p3 state learning
	ping_fails "$B3" 10.202.0.1 1
	pcn -n "$R" cube set br port p3 state forwarding
	ping_ok "$B1" 10.202.0.3 2
	# a BPDU goes to the bridge host, never to the other ports. The
	# hosts' own ARP must not move the counts: B3's unanswered request
	# for 10.202.0.1 above goes on being broadcast for seconds unless
	# its entry goes
	for ns in "$B1" "$B2" "$B3"; do
		ip -n "$ns" neigh flush all
	done
	r2=$(rx_of "$B2" e2)
	r3=$(rx_of "$B3" e3)
	ll=$(bridge_stat link_local)
	ip netns exec "$B1" $SENDRAW e1 01:80:c2:00:00:00 02:aa:00:00:00:01 4 0026 60
	wait_for 3 ll_is $((ll + 4))
	[ "$(rx_of "$B2" e2)" -eq "$r2" ]
	[ "$(rx_of "$B3" e3)" -eq "$r3" ]
}

ll_is()
{
	[ "$(bridge_stat link_local)" -ge "$1" ]
}

station_move()
{
	three_hosts "$1"
	ip netns exec "$B1" $SENDRAW e1 ff:ff:ff:ff:ff:ff 02:cc:00:00:00:07 1
	wait_for 3 fdb_port_is 02:cc:00:00:00:07 p1
	ip netns exec "$B2" $SENDRAW e2 ff:ff:ff:ff:ff:ff 02:cc:00:00:00:07 1
	wait_for 3 fdb_port_is 02:cc:00:00:00:07 p2
	[ "$(bridge_stat moved)" -eq 1 ]
	# a static entry stays where it is put
	pcn -n "$R" fdb add 02:cc:00:00:00:08 port br:p3
	ip netns exec "$B1" $SENDRAW e1 ff:ff:ff:ff:ff:ff 02:cc:00:00:00:08 1
	sleep 0.3
	fdb_port_is 02:cc:00:00:00:08 p3
	pcn -n "$R" -j fdb show | jq -e '.[] | select(.mac == "02:cc:00:00:00:08") | .static'
	# runts and multicast sources are dropped and counted
	ip netns exec "$B1" $SENDRAW e1 ff:ff:ff:ff:ff:ff 03:cc:00:00:00:09 2
	wait_for 3 malformed_is 2
	pcn -n "$R" fdb flush cube br dynamic
	pcn -n "$R" -j fdb show | jq -e 'length == 1'
	pcn -n "$R" fdb del 02:cc:00:00:00:08 cube br
	pcn -n "$R" -j fdb show | jq -e 'length == 0'
}

# ping from a netns on CPU 0 only: the bridge caches the fdb per CPU
ping_cpu0()
{
	ip netns exec "$1" taskset -c 0 ping -c "$3" -i 0.1 -W 1 -q "$2" \
		>/dev/null
}

# pcn fdb add, del and flush take effect for the very next frame, even
# on a CPU that has the station cached (the pings stay on one CPU, where
# the frames and the replies are bridged)
fdb_changes_at_once()
{
	local mac2 rx3

	three_hosts "$1"
	mac2=$(mac_of "$B2" e2)
	ping_cpu0 "$B1" 10.202.0.2 3
	fdb_port_is "$mac2" p2
	# B2 put behind p3: B3 gets B1's pings, B2 none
	pcn -n "$R" fdb add "$mac2" port br:p3
	rx3=$(rx_of "$B3" e3)
	fails ping_cpu0 "$B1" 10.202.0.2 2
	[ "$(rx_of "$B3" e3)" -ge $((rx3 + 2)) ]
	# deleted: flooded, B2 answers and is learned again
	pcn -n "$R" fdb del "$mac2" cube br
	ping_cpu0 "$B1" 10.202.0.2 2
	fdb_port_is "$mac2" p2
	pcn -n "$R" fdb add "$mac2" port br:p3
	fails ping_cpu0 "$B1" 10.202.0.2 2
	pcn -n "$R" fdb flush cube br
	ping_cpu0 "$B1" 10.202.0.2 2
}

fdb_port_is()
{
	pcn -n "$R" -j fdb show | jq -e --arg m "$1" --arg p "$2" \
		'.[] | select(.mac == $m) | .port == $p' >/dev/null
}

malformed_is()
{
	[ "$(bridge_stat malformed)" -ge "$1" ]
}

# A port with transparent cubes on its way out gets its flooded copy
# through them, once, as it gets known unicast.
flood_and_egress_chain()
{
	local r1 r2 r3

	three_hosts "$1"
	pcn -n "$R" cube add tap type firewall mode "$1"
	pcn -n "$R" link add tap port br:p3 egress
	r1=$(rx_of "$B1" e1)
	r2=$(rx_of "$B2" e2)
	r3=$(rx_of "$B3" e3)
	ip netns exec "$B1" $SENDRAW e1 ff:ff:ff:ff:ff:ff 02:aa:00:00:00:01 5 \
		0800 60 "$UDP4"
	# full-size frames too: a copy into the graph carries its tag and
	# struct pcn_copy (in the metadata, which no MTU counts)
	ip netns exec "$B1" $SENDRAW e1 ff:ff:ff:ff:ff:ff 02:aa:00:00:00:01 2 \
		0800 1514 "$UDP4"
	wait_for 3 tap_saw 7
	wait_for 3 rx_is "$B3" e3 $((r3 + 7))
	wait_for 3 rx_is "$B2" e2 $((r2 + 7))
	[ "$(stable_met)" -eq 7 ]
	[ "$(rx_of "$B3" e3)" -eq $((r3 + 7)) ]
	[ "$(rx_of "$B2" e2)" -eq $((r2 + 7)) ]
	[ "$(rx_of "$B1" e1)" -eq "$r1" ]
	# unicast goes through the cube
	pcn -n "$R" fdb add "$(mac_of "$B3" e3)" port br:p3
	ip netns exec "$B1" $SENDRAW e1 "$(mac_of "$B3" e3)" 02:aa:00:00:00:01 4 \
		0800 60 "$UDP4"
	wait_for 3 tap_saw 11
	wait_for 3 rx_is "$B3" e3 $((r3 + 11))
	# the cube off the way out: floods go straight out again
	pcn -n "$R" link del tap port br:p3
	ip netns exec "$B1" $SENDRAW e1 ff:ff:ff:ff:ff:ff 02:aa:00:00:00:01 3 \
		0800 60 "$UDP4"
	wait_for 3 rx_is "$B3" e3 $((r3 + 14))
	[ "$(stable_rx "$B3" e3)" -eq $((r3 + 14)) ]
}

# the counters once they stopped moving: of tap, of an interface
stable_met()
{
	stable_stats "$R" tap >/dev/null && tap_met
}

stable_rx()
{
	local a b i

	a=$(rx_of "$1" "$2")
	for ((i = 0; i < 50; i++)); do
		sleep 0.1
		b=$(rx_of "$1" "$2")
		[ "$a" = "$b" ] && break
		a=$b
	done
	echo "$b"
}

# Bridge br (hosts B1, B2) linked to router rt (host H behind rt:p2)
# and to bridge br2 (host B3), firewall tap on the link's way out of br
# to rt: a broadcast reaches every other port once (the router's
# through tap, B3 through br2), the hosts' ARP reaches the router,
# pings and TCP cross.
bridge_and_router()
{
	local mode=$1 i p1 p2 to rx met r2 r3

	setup_root
	add_ns R
	quiet_ns "$R"
	for i in 1 2 3; do
		host "$i" "10.204.0.$((i + 1))/24" 10.204.0.1
	done
	add_ns H
	quiet_ns "$H"
	add_veth "$R" vh "$H" eh
	addr "$H" eh 10.205.0.2/24
	ip -n "$H" route add default via 10.205.0.1
	veth_xdp_ready "$H" eh
	pcn -n "$R" cube add br type bridge mode "$mode"
	pcn -n "$R" cube add rt type router mode "$mode"
	pcn -n "$R" cube add tap type firewall mode "$mode"
	pcn -n "$R" link add br:p1 dev v1
	pcn -n "$R" link add br:p2 dev v2
	pcn -n "$R" link add br:to_rt peer rt:to_br
	pcn -n "$R" cube add br2 type bridge mode "$mode"
	pcn -n "$R" link add br:to_br2 peer br2:up
	pcn -n "$R" link add br2:p3 dev v3
	pcn -n "$R" link add rt:p2 dev vh
	pcn -n "$R" addr add 10.204.0.1/24 port rt:to_br
	pcn -n "$R" addr add 10.205.0.1/24 port rt:p2
	pcn -n "$R" link add tap port br:to_rt egress
	# a broadcast, once out of every other port
	p1=$(port_stat "$R" br p1 tx.packets)
	p2=$(port_stat "$R" br p2 tx.packets)
	to=$(port_stat "$R" br to_rt tx.packets)
	rx=$(port_stat "$R" rt to_br rx.packets)
	r2=$(rx_of "$B2" e2)
	r3=$(rx_of "$B3" e3)
	ip netns exec "$B1" $SENDRAW e1 ff:ff:ff:ff:ff:ff 02:aa:00:00:00:01 6 \
		0800 60 "$UDP4"
	wait_for 3 tap_saw 6
	wait_for 3 rx_is "$B2" e2 $((r2 + 6))
	wait_for 3 rx_is "$B3" e3 $((r3 + 6))
	met=$(stable_met)
	[ "$met" -eq 6 ]
	[ "$(port_stat "$R" br p1 tx.packets)" -eq "$p1" ]
	[ "$(port_stat "$R" br p2 tx.packets)" -eq $((p2 + 6)) ]
	[ "$(port_stat "$R" br to_rt tx.packets)" -eq $((to + 6)) ]
	[ "$(port_stat "$R" rt to_br rx.packets)" -eq $((rx + 6)) ]
	[ "$(rx_of "$B2" e2)" -eq $((r2 + 6)) ]
	[ "$(rx_of "$B3" e3)" -eq $((r3 + 6)) ]
	# ARP through the flood: the router's own address, then across
	ping_ok "$B1" 10.204.0.1 2
	ping_ok "$B2" 10.205.0.2 2
	ping_ok "$H" 10.204.0.2 2
	ping_ok "$B3" 10.204.0.2 2
	ping_ok "$B3" 10.205.0.2 2
	tcp_transfer "$B1" "$H" 10.205.0.2 300000
	tcp_transfer "$H" "$B2" 10.204.0.3 300000
	[ "$(tap_met)" -gt "$met" ]
	# the copy device goes with the last cube
	ip -n "$R" link show pcn-copy-rx >/dev/null
	pcn -n "$R" cube del tap
	pcn -n "$R" cube del rt
	pcn -n "$R" cube del br
	ip -n "$R" link show pcn-copy-rx >/dev/null
	pcn -n "$R" cube del br2
	fails ip -n "$R" link show pcn-copy-rx 2>/dev/null
}

# An IPv4 header and a UDP header, for sendraw.py: 10.202.0.99:9 ->
# 10.202.0.98:9, an address no host has, so nothing answers. The
# firewall counts IPv4 and IPv6 only: other frames (ARP, the bridge's
# raw 88b5 test frames) go by it uncounted.
UDP4=4500001c00000000401164790aca00630aca00620009000900080000

# tap_met: the packets firewall tap met on its way out, accepted,
# dropped or malformed
tap_met()
{
	pcn -n "$R" -j -s cube show tap |
		jq '.[0].stats.egress | .accepted + .dropped + .malformed'
}

tap_saw()
{
	[ "$(tap_met)" -ge "$1" ]
}

# three bridges linked cube to cube: a flood into a cube floods on into
# the next (a copy of a copy); closed into a ring with no STP, one
# broadcast goes round a bounded number of times (PCN_COPY_MAX_DEPTH
# passes by the copy device, pcn-cube-bridge(8)), counted as
# tail_call_limit where the last flood stopped, and the ring still works
bridge_rings()
{
	local mode=$1 r3 n

	setup_root
	add_ns R
	quiet_ns "$R"
	for i in 1 2 3; do
		host "$i" "10.206.0.$((i + 1))/24"
	done
	pcn -n "$R" cube add br type bridge mode "$mode"
	pcn -n "$R" cube add br2 type bridge mode "$mode"
	pcn -n "$R" cube add br3 type bridge mode "$mode"
	pcn -n "$R" link add br:p1 dev v1
	pcn -n "$R" link add br:to2 peer br2:to1
	pcn -n "$R" link add br2:p2 dev v2
	pcn -n "$R" link add br2:to3 peer br3:to2
	pcn -n "$R" link add br3:p3 dev v3
	r3=$(rx_of "$B3" e3)
	ip netns exec "$B1" $SENDRAW e1 ff:ff:ff:ff:ff:ff 02:aa:00:00:00:01 3 \
		0800 60 "$UDP4"
	wait_for 3 rx_is "$B3" e3 $((r3 + 3))
	[ "$(stable_rx "$B3" e3)" -eq $((r3 + 3)) ]
	ping_ok "$B1" 10.206.0.4 2

	pcn -n "$R" link add br3:to1 peer br:to3
	r3=$(rx_of "$B3" e3)
	ip netns exec "$B1" $SENDRAW e1 ff:ff:ff:ff:ff:ff 02:aa:00:00:00:01 1 \
		0800 60 "$UDP4"
	wait_for 5 limit_counted
	n=$(($(stable_rx "$B3" e3) - r3))
	echo "one broadcast round the ring: $n copies at B3"
	[ "$n" -ge 1 ] && [ "$n" -le 32 ]
	# learning settles once the storm is over: unicast works
	ping_ok "$B1" 10.206.0.4 2
}

# some port of the ring's bridges counted a flood at the copy depth limit
limit_counted()
{
	[ "$("$PCN" -n "$R" -j -s cube show | jq '[.[].ports[].stats.tx.tail_call_limit] | add')" -ge 1 ]
}

bad_input()
{
	local before after

	three_hosts "$1"
	pcn -n "$R" cube add fw type forwarder mode "$1"
	before=$(tree_snapshot)
	expect_err 1 "$PCN" -n "$R" fdb add 02:00:00:00:00 port br:p1
	expect_err 1 "$PCN" -n "$R" fdb add 02:00:00:00:00:0g port br:p1
	expect_err 1 "$PCN" -n "$R" fdb add 01:00:5e:00:00:01 port br:p1
	expect_err 1 "$PCN" -n "$R" fdb add 02:00:00:00:00:01
	expect_err 1 "$PCN" -n "$R" fdb add 02:00:00:00:00:01 port br
	expect_err 2 "$PCN" -n "$R" fdb add 02:00:00:00:00:01 port br:nosuch
	expect_err 2 "$PCN" -n "$R" fdb add 02:00:00:00:00:01 port nosuch:p1
	expect_err 2 "$PCN" -n "$R" fdb add 02:00:00:00:00:01 port fw:p1
	expect_err 2 "$PCN" -n "$R" fdb del 02:00:00:00:00:01 cube br
	expect_err 1 "$PCN" -n "$R" fdb del 02:00:00:00:00:01
	expect_err 2 "$PCN" -n "$R" fdb flush cube br port nosuch
	expect_err 1 "$PCN" -n "$R" fdb flush
	expect_err 1 "$PCN" -n "$R" fdb bogus
	expect_err 1 "$PCN" -n "$R" cube set br ageing_time 0
	expect_err 1 "$PCN" -n "$R" cube set br ageing_time soon
	expect_err 1 "$PCN" -n "$R" cube set br port p1 state sleeping
	expect_err 2 "$PCN" -n "$R" cube set br port nosuch state blocking
	expect_err 1 "$PCN" -n "$R" cube add br2 type bridge ageing_time -1
	after=$(tree_snapshot)
	[ "$before" = "$after" ]
}

# Access VLANs split one bridge: hosts talk only within their VLAN.
vlan_access()
{
	three_hosts "$1"
	ping_ok "$B1" 10.202.0.3 1
	pcn -n "$R" fdb add 02:dd:00:00:00:01 port br:p3
	pcn -n "$R" -j fdb show port br:p3 | jq -e 'length == 2'
	pcn -n "$R" cube set br port p3 vlan 20
	pcn -n "$R" -j cube show br |
		jq -e '.[0].ports[] | select(.name == "p3") |
			.vlan == {"mode": "access", "vid": 20}'
	# p3 forgot what it learned in VLAN 1, but not its static entry;
	# the other ports forgot nothing
	pcn -n "$R" -j fdb show port br:p3 |
		jq -e 'length == 1 and .[0].static and .[0].vlan == 1'
	pcn -n "$R" -j fdb show port br:p1 | jq -e 'length == 1'
	pcn -n "$R" fdb del 02:dd:00:00:00:01 cube br
	ping_ok "$B1" 10.202.0.2 1
	ping_fails "$B1" 10.202.0.3 1
	ping_fails "$B3" 10.202.0.2 1
	# B3's ARP requests were learned in VLAN 20, and only there
	pcn -n "$R" -j fdb show cube br vlan 20 |
		jq -e --arg m "$(mac_of "$B3" e3)" \
			'length == 1 and .[0].mac == $m and .[0].vlan == 20'
	pcn -n "$R" -j fdb show cube br vlan 1 |
		jq -e --arg m "$(mac_of "$B3" e3)" 'all(.mac != $m)'
	# move B1 into VLAN 20 with it
	pcn -n "$R" cube set br port p1 vlan 20
	ping_ok "$B1" 10.202.0.3 2
	ping_fails "$B1" 10.202.0.2 1
	[ "$(bridge_stat vlan_dropped)" -eq 0 ]
}

# Two bridges joined by a trunk (a veth pair in R): hosts in VLAN 10 and
# 20 on each side, all in one subnet. Each reaches only its VLAN's peer
# across the trunk, and the far bridge learns them in the right VLAN.
vlan_trunk()
{
	local i ns

	setup_root
	add_ns R
	quiet_ns "$R"
	for i in 1 2 3 4; do
		add_ns "H$i"
		ns=H$i
		quiet_ns "${!ns}"
		add_veth "$R" "v$i" "${!ns}" "e$i"
		addr "${!ns}" "e$i" "10.203.0.$i/24"
		veth_xdp_ready "${!ns}" "e$i"
	done
	add_veth "$R" ta "$R" tb
	veth_xdp_ready "$R" ta
	veth_xdp_ready "$R" tb
	# XDP sees only the tags in the frame: a veth that sends with VLAN
	# offload keeps a TC bridge's tag beside it (see pcn-cube(8))
	if [ "${2:-$1}" != "$1" ]; then
		ip netns exec "$R" ethtool -K ta txvlan off
		ip netns exec "$R" ethtool -K tb txvlan off
	fi
	pcn -n "$R" cube add ba type bridge mode "$1"
	pcn -n "$R" cube add bb type bridge mode "${2:-$1}"
	pcn -n "$R" link add ba:h1 dev v1
	pcn -n "$R" link add ba:h2 dev v2
	pcn -n "$R" link add ba:up dev ta
	pcn -n "$R" link add bb:h3 dev v3
	pcn -n "$R" link add bb:h4 dev v4
	pcn -n "$R" link add bb:up dev tb
	pcn -n "$R" cube set ba port h1 vlan 10 port h2 vlan 20 \
		port up trunk 10,20 native none
	pcn -n "$R" cube set bb port h3 vlan 10 port h4 vlan 20 \
		port up trunk 5-25 native 1
	pcn -n "$R" -j cube show bb |
		jq -e '.[0].ports[] | select(.name == "up") |
			.vlan == {"mode": "trunk", "allowed": "5-25", "native": 1}'
	ping_ok "$H1" 10.203.0.3 2
	ping_ok "$H2" 10.203.0.4 2
	tcp_transfer "$H1" "$H3" 10.203.0.3 300000
	ping_fails "$H1" 10.203.0.4 1
	ping_fails "$H2" 10.203.0.3 1
	# the tags crossed: bb learned H1 in 10 and H2 in 20 behind the trunk
	pcn -n "$R" -j fdb show port bb:up |
		jq -e --arg a "$(mac_of "$H1" e1)" --arg b "$(mac_of "$H2" e2)" \
			'any(.mac == $a and .vlan == 10) and
			 any(.mac == $b and .vlan == 20) and
			 all(.mac != $a or .vlan == 10)'
	# VLAN 20 off the trunk: H2 and H4 are cut off, H1 and H3 are not
	# (leaving VLAN 20 also forgets what ba learned there behind up)
	pcn -n "$R" cube set ba port up trunk 10
	pcn -n "$R" -j fdb show port ba:up | jq -e 'all(.vlan == 10)'
	ping_fails "$H2" 10.203.0.4 1
	ping_ok "$H1" 10.203.0.3 1
	# bb still tags H4's frames 20 on the trunk: ba drops and counts them
	ping_fails "$H4" 10.203.0.2 1
	[ "$(pcn -n "$R" -j -s cube show ba |
		jq '.[0].stats.bridge.vlan_dropped')" -gt 0 ]
}

vlan_bad_input()
{
	local before

	three_hosts "$1"
	before=$(tree_snapshot)
	expect_err 1 "$PCN" -n "$R" cube set br port p1 vlan 0
	expect_err 1 "$PCN" -n "$R" cube set br port p1 vlan 4095
	expect_err 1 "$PCN" -n "$R" cube set br port p1 vlan ten
	expect_err 1 "$PCN" -n "$R" cube set br port p1 trunk 30-20
	expect_err 1 "$PCN" -n "$R" cube set br port p1 trunk 10,,20
	expect_err 1 "$PCN" -n "$R" cube set br port p1 trunk 10,
	expect_err 1 "$PCN" -n "$R" cube set br port p1 trunk 5-6-7
	expect_err 1 "$PCN" -n "$R" cube set br port p1 trunk ""
	expect_err 1 "$PCN" -n "$R" cube set br port p1 trunk 10 native 4095
	expect_err 1 "$PCN" -n "$R" cube set br port p1 native 10
	expect_err 1 "$PCN" -n "$R" cube set br port p1 vlan 10 trunk 20
	expect_err 1 "$PCN" -n "$R" cube set br port p1 vlan 10 port p1 vlan 20
	# a good port first, a bad one after: nothing changes
	expect_err 1 "$PCN" -n "$R" cube set br port p1 vlan 10 port p2 vlan 0
	expect_err 1 "$PCN" -n "$R" fdb add 02:00:00:00:00:01 port br:p1 vlan 0
	expect_err 1 "$PCN" -n "$R" fdb show vlan 5000
	[ "$before" = "$(tree_snapshot)" ]
	pcn -n "$R" -j cube show br | jq -e 'all(.[0].ports[]; .vlan.vid == 1)'
}

for m in xdp tc; do
	run_test "bridge_all_pairs_$m" all_pairs $m
	run_test "bridge_ageing_$m" ageing $m
	run_test "bridge_broadcast_once_$m" broadcast_once $m
	run_test "bridge_states_and_bpdus_$m" states_and_bpdus $m
	run_test "bridge_station_move_$m" station_move $m
	run_test "bridge_fdb_changes_at_once_$m" fdb_changes_at_once $m
	run_test "bridge_flood_through_egress_chain_$m" flood_and_egress_chain $m
	run_test "bridge_and_router_$m" bridge_and_router $m
	run_test "bridge_rings_without_stp_$m" bridge_rings $m
	run_test "bridge_bad_input_$m" bad_input $m
	run_test "bridge_vlan_access_$m" vlan_access $m
	run_test "bridge_vlan_trunk_$m" vlan_trunk $m
	run_test "bridge_vlan_bad_input_$m" vlan_bad_input $m
done
# the tag in the frame (XDP) meets the tag beside it (TC), both ways
run_test bridge_vlan_trunk_xdp_to_tc vlan_trunk xdp tc
run_test bridge_vlan_trunk_tc_to_xdp vlan_trunk tc xdp
tap_done
