#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Spanning tree (pcn stp) with real BPDUs and traffic: three pcn bridges
# in a ring converge with exactly one port blocking and floods that stay
# bounded; a link going down reconverges, and coming back too; the agent
# killed leaves the tree as it is (shown without it), and started again
# takes over from the pinned state; a pcn bridge and a Linux bridge with
# kernel STP in one ring agree on the root, and a change on the pcn side
# reaches the Linux root as TCNs; edge ports forward at once and stop
# being edge ports on a BPDU; a topology change flushes the fdb; bad
# input; XDP and TC.
#
# Timers are the shortest 802.1D allows (hello 1, max_age 6,
# forward_delay 4); every wait is on a condition read from
# "pcn -j stp show", with ceilings far above what it takes.

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SENDRAW="python3 $(dirname "${BASH_SOURCE[0]}")/sendraw.py"
TIMES="hello_time 1 max_age 6 forward_delay 4"

# host I ADDR: netns H<I>, its e<I> wired to h<I> in R
host()
{
	local ns=H$1

	add_ns "$ns"
	quiet_ns "${!ns}"
	add_veth "$R" "h$1" "${!ns}" "e$1"
	addr "${!ns}" "e$1" "$2"
	veth_xdp_ready "${!ns}" "e$1"
}

# a link between bridge ports A:PA and B:PB, by the veth pair IFA-IFB in R
wire()
{
	ip -n "$R" link add "$3" type veth peer name "$4"
	ip -n "$R" link set dev "$3" up
	ip -n "$R" link set dev "$4" up
	pcn -n "$R" link add "$1" dev "$3"
	pcn -n "$R" link add "$2" dev "$4"
}

# the netns R the bridges are in, and where their agents log
stp_ns()
{
	setup_root
	add_ns R
	quiet_ns "$R"
	AGENT_LOG=$(mktemp)
	defer "rm -f $AGENT_LOG"
}

agent()
{
	"$PCN" -n "$R" stp run "$1" >/dev/null 2>>"$AGENT_LOG" &
	eval "AGENT_$1=$!"
	defer "kill $! 2>/dev/null; wait $! 2>/dev/null"
}

stp_json()
{
	pcn -n "$R" -j stp show
}

# every bridge on the same root, exactly N ports blocking, every other
# port of a ring forwarding or disabled (down), and none on its way
ring_settled()
{
	local s

	s=$(stp_json)
	jq -e --argjson n "$1" '
		([.[] | .root_id] | unique | length == 1) and
		([.[].ports[] | select(.state == "blocking")] | length == $n) and
		all(.[].ports[]; .state == "blocking" or .state == "forwarding"
			or .state == "disabled")' <<<"$s" >/dev/null
}

# B1 B2 B3 in a ring (b1:r2-b2:r1, b2:r3-b3:r2, b3:r1-b1:r3); b1 is the
# root; hosts H1 on b1, H2 on b2
ring()
{
	local b

	stp_ns
	host 1 10.226.0.1/24
	host 2 10.226.0.2/24
	for b in 1 2 3; do
		pcn -n "$R" cube add "b$b" type bridge mode "$1"
		pcn -n "$R" stp add "b$b" $TIMES
	done
	pcn -n "$R" stp set b1 priority 4096
	pcn -n "$R" link add b1:h dev h1
	pcn -n "$R" link add b2:h dev h2
	wire b1:r2 b2:r1 l12a l12b
	wire b2:r3 b3:r2 l23a l23b
	wire b3:r1 b1:r3 l31a l31b
	# the tree is on before the ring closes: every port discards
	jq -e 'all(.[].ports[]; .state == "blocking")' <<<"$(stp_json)"
	for b in 1 2 3; do
		agent "b$b"
	done
	wait_for 60 ring_settled 1
}

flooded()
{
	pcn -n "$R" -j -s cube show "$1" | jq '.[0].stats.bridge.flooded'
}

rx_of()
{
	ip -n "$1" -j -s link show dev "$2" | jq '.[0].stats64.rx.packets'
}

rx_at_least()
{
	[ "$(rx_of "$1" "$2")" -ge "$3" ]
}

role_of()
{
	stp_json | jq -r --arg b "$1" --arg p "$2" \
		'.[] | select(.cube == $b) | .ports[] | select(.name == $p) |
		 "\(.role) \(.state)"'
}

role_is()
{
	[ "$(role_of "$1" "$2")" = "$3" ]
}

ring_converges()
{
	local s b f0 f1 r0 t0 t1

	ring "$1"
	s=$(stp_json)
	# the root's ports are designated; the blocked port is on b2 or b3,
	# an alternate, on the link between them
	jq -e '.[] | select(.cube == "b1") | .root and
		all(.ports[]; .role == "designated")' <<<"$s"
	jq -e '[.[].ports[] | select(.state == "blocking")][0] |
		.role == "alternate" and (.name == "r3" or .name == "r2")' <<<"$s"
	jq -e '[.[] | select(.cube != "b1") | .root_port] == ["r1", "r1"]' <<<"$s"
	jq -e 'all(.[]; .agent_running)' <<<"$s"
	ping_ok "$H1" 10.226.0.2 3
	# broadcasts: each bridge floods each one once, none comes back
	for b in 1 2 3; do
		eval "f0_$b=$(flooded "b$b")"
	done
	r0=$(rx_of "$H2" e2)
	t0=$(port_stat "$R" b2 h tx.packets)
	ip netns exec "$H1" $SENDRAW e1 ff:ff:ff:ff:ff:ff 02:26:00:00:00:01 50
	wait_for 5 rx_at_least "$H2" e2 $((r0 + 50))
	sleep 1
	for b in 1 2 3; do
		f1=$(flooded "b$b")
		eval "f0=\$f0_$b"
		echo "b$b flooded $((f1 - f0))"
		[ $((f1 - f0)) -ge 50 ] && [ $((f1 - f0)) -le 60 ]
	done
	# what b2 sent H2 (its agent's BPDUs to H2 go round the bridge)
	t1=$(port_stat "$R" b2 h tx.packets)
	echo "b2:h sent $((t1 - t0))"
	[ $((t1 - t0)) -ge 50 ] && [ $((t1 - t0)) -le 60 ]
}

# the ring of ring_converges: b2 loses its root port, then has it back
link_failure()
{
	# b2 loses its root port: its alternate towards b3 takes over
	ip -n "$R" link set dev l12a down
	wait_for 30 ring_settled 0
	role_is b2 r1 "disabled disabled"
	role_is b2 r3 "root forwarding"
	ping_ok "$H1" 10.226.0.2 3
	# back: the ring again, one port blocking
	ip -n "$R" link set dev l12a up
	wait_for 30 ring_settled 1
	wait_for 30 role_is b2 r1 "root forwarding"
	ping_ok "$H1" 10.226.0.2 3
}

states()
{
	stp_json | jq -c '[.[] | .ports[] | [.name, .role, .state]]'
}

# the ring of ring_converges: agents killed and started again
agent_restart()
{
	local before i

	wait_for 30 role_is b2 h "designated forwarding"
	before=$(states)
	kill -KILL "$AGENT_b2" "$AGENT_b3"
	wait "$AGENT_b2" "$AGENT_b3" 2>/dev/null || true
	# no agent: the tree holds, and show reads it from the pins
	wait_for 10 eval '[ "$(stp_json | jq ".[] | select(.cube == \"b2\") | .agent_running")" = false ]'
	[ "$(states)" = "$before" ]
	ping_ok "$H1" 10.226.0.2 2
	# started again, they carry on: no port starts over
	agent b2
	agent b3
	wait_for 10 eval '[ "$(stp_json | jq "[.[] | .agent_running] | all")" = true ]'
	for i in $(seq 10); do
		[ "$(states)" = "$before" ]
		sleep 0.2
	done
}

# the ring of ring_converges, settled: b3 starts forwarding on a new
# port; the change goes up its root port (RSTP: BPDUs with TC) to b1,
# the root, which saw nothing itself
tc_up_rstp()
{
	local tc1

	tc1=$(tc_count b1)
	ip -n "$R" link add t3a type veth peer name t3b
	ip -n "$R" link set dev t3b up
	ip -n "$R" link set dev t3a up
	pcn -n "$R" link add b3:t dev t3a
	wait_for 30 role_is b3 t "designated forwarding"
	stp_json | jq -e '.[] | select(.cube == "b3") | .root_port == "r1"'
	wait_for 10 eval '[ "$(tc_count b1)" -gt "$tc1" ]'
	pcn -n "$R" link del b3:t
}

ring_test()
{
	ring_converges "$1"
	agent_restart
	# the agents' protocol, not the datapath's: once
	[ "$1" = tc ] || tc_up_rstp
	# the agents started again look after the tree
	link_failure
}

# pcn b1, b2 and a Linux bridge lb with kernel STP (802.1D) in one ring:
# b1:r2-b2:r1, b2:r3-lb, lb-b1:r3. Linux is the root (or pcn, with $2).
linux_ring()
{
	local lroot proot s

	stp_ns
	ip -n "$R" link add lb type bridge stp_state 1 hello_time 100 \
		max_age 600 forward_delay 400 priority "${2:-4096}"
	ip -n "$R" link set dev lb up
	for b in 1 2; do
		pcn -n "$R" cube add "b$b" type bridge mode "$1"
		pcn -n "$R" stp add "b$b" $TIMES
	done
	[ -z "${2:-}" ] || pcn -n "$R" stp set b1 priority 4096
	wire b1:r2 b2:r1 l12a l12b
	ip -n "$R" link add l2la type veth peer name l2lb
	ip -n "$R" link add l1la type veth peer name l1lb
	ip -n "$R" link set dev l2lb master lb
	ip -n "$R" link set dev l1lb master lb
	for i in l2la l2lb l1la l1lb; do
		ip -n "$R" link set dev $i up
	done
	pcn -n "$R" link add b2:r3 dev l2la
	pcn -n "$R" link add b1:r3 dev l1la
	agent b1
	agent b2
	wait_for 90 linux_agrees
	s=$(stp_json)
	echo "$s"
	bridge -n "$R" -j link show
	# the pcn ports towards Linux speak 802.1D
	jq -e '[.[] | .ports[] | select(.name == "r3") | .mode] == ["stp", "stp"]' <<<"$s"
	[ -n "${2:-}" ] || tcn_to_linux
}

lb_tc_is()
{
	[ "$(ip netns exec "$R" cat /sys/class/net/lb/bridge/topology_change)" = "$1" ]
}

tc_count()
{
	stp_json | jq --arg b "$1" '.[] | select(.cube == $b) | .topology_changes'
}

# pcn b2, below the Linux root, starts forwarding on a new port: the
# change goes up its 802.1D root port as TCNs, the root acknowledges
# and flags its BPDUs TC, which b1 (which saw nothing itself) hears
tcn_to_linux()
{
	local tc1

	# the changes of the start are over
	wait_for 40 lb_tc_is 0
	tc1=$(tc_count b1)
	ip -n "$R" link add t2a type veth peer name t2b
	ip -n "$R" link set dev t2b up
	ip -n "$R" link set dev t2a up
	pcn -n "$R" link add b2:t dev t2a
	wait_for 30 role_is b2 t "designated forwarding"
	wait_for 10 lb_tc_is 1
	wait_for 10 eval '[ "$(tc_count b1)" -gt "$tc1" ]'
	# TCNs went up b2's root port
	stp_json | jq -e '.[] | select(.cube == "b2") | .root_port == "r3"'
}

lb_root()
{
	ip netns exec "$R" cat /sys/class/net/lb/bridge/root_id
}

# the same root everywhere, one blocking port in the ring, Linux's too
linux_agrees()
{
	local lroot lblock

	lroot=$(lb_root)
	lblock=$(bridge -n "$R" -j link show | jq '[.[] | select(.master == "lb") |
		select(.state == "blocking")] | length')
	jq -e --arg r "$lroot" --argjson lb "$lblock" '
		all(.[]; .root_id == $r) and
		([.[].ports[] | select(.state == "blocking")] | length) + $lb == 1 and
		all(.[].ports[]; .state == "blocking" or .state == "forwarding")' \
		<<<"$(stp_json)" >/dev/null &&
	[ "$(bridge -n "$R" -j link show | jq '[.[] | select(.master == "lb") |
		select(.state != "blocking" and .state != "forwarding")] | length')" = 0 ]
}

dyn_fdb()
{
	pcn -n "$R" -j fdb show cube b1 | jq '[.[] | select(.static == false)] | length'
}

# b1 with hosts H1 on h1, an edge port, and H2 on h2, not one
edge_ports()
{
	local s bpdu

	stp_ns
	host 1 10.226.0.1/24
	host 2 10.226.0.2/24
	pcn -n "$R" cube add b1 type bridge mode "$1"
	pcn -n "$R" stp add b1 $TIMES
	pcn -n "$R" link add b1:h1 dev h1
	pcn -n "$R" link add b1:h2 dev h2
	pcn -n "$R" stp set b1 port h1 edge on
	pcn -n "$R" save | grep -qx "stp set b1 port h1 priority 128 cost 20000 edge on"
	pcn -n "$R" fdb add 02:26:00:00:00:77 port b1:h2
	agent b1
	# the edge port forwards at once, and that is no topology change;
	# h2 goes the slow way (2 x forward_delay, 8 s)
	wait_for 20 role_is b1 h1 "designated forwarding"
	s=$(stp_json)
	echo "$s"
	jq -e '.[0] | .topology_changes == 0 and
		(.ports[] | select(.name == "h1") | .edge and .oper_edge) and
		(.ports[] | select(.name == "h2") | .edge == false and
		 (.state == "listening" or .state == "learning"))' <<<"$s"
	wait_for 30 role_is b1 h2 "designated forwarding"
	[ "$(tc_count b1)" -ge 1 ]
	ping_ok "$H1" 10.226.0.2 2
	[ "$(dyn_fdb)" -ge 2 ]
	# a port that stops forwarding changes the topology: learned
	# stations go, the static one stays
	ip -n "$R" link set dev h2 down
	wait_for 10 role_is b1 h2 "disabled disabled"
	wait_for 10 eval '[ "$(dyn_fdb)" = 0 ]'
	pcn -n "$R" -j fdb show cube b1 | jq -e 'length == 1 and .[0].static'
	# a bridge behind the edge port speaks: it is one no longer (an
	# inferior config BPDU: b1 stays designated and forwarding)
	bpdu=4242030000000000
	bpdu+=ffffffffffffffff00000000ffffffffffffffff8001
	bpdu+=0000060001000400
	ip netns exec "$H1" $SENDRAW e1 01:80:c2:00:00:00 02:26:00:00:00:09 1 \
		0026 60 "$bpdu"
	wait_for 10 eval '[ "$(stp_json | jq ".[0].ports[] | select(.name == \"h1\") | .oper_edge")" = false ]'
	role_is b1 h1 "designated forwarding"
	# edge on again: an edge port until the next BPDU
	pcn -n "$R" stp set b1 port h1 edge on
	stp_json | jq -e '.[0].ports[] | select(.name == "h1") | .oper_edge'
	expect_err 1 "$PCN" -n "$R" stp set b1 port h1 edge maybe
	expect_err 1 "$PCN" -n "$R" stp set b1 port h1 edge on edge off
}

bad_input()
{
	local before

	setup_root
	add_ns R
	pcn -n "$R" cube add b1 type bridge
	pcn -n "$R" cube add f1 type firewall 2>/dev/null || true
	before=$(tree_snapshot)
	expect_err 1 "$PCN" -n "$R" stp add
	expect_err 2 "$PCN" -n "$R" stp add nosuch
	expect_err 1 "$PCN" -n "$R" stp add b1 priority 1000
	expect_err 1 "$PCN" -n "$R" stp add b1 priority 65536
	expect_err 1 "$PCN" -n "$R" stp add b1 hello_time 0
	expect_err 1 "$PCN" -n "$R" stp add b1 max_age 41
	expect_err 1 "$PCN" -n "$R" stp add b1 forward_delay 1
	expect_err 1 "$PCN" -n "$R" stp add b1 protocol mstp
	expect_err 1 "$PCN" -n "$R" stp add b1 priority 4096 priority 8192
	# 802.1D's rule between the timers
	expect_err 1 "$PCN" -n "$R" stp add b1 max_age 20 forward_delay 4
	expect_err 1 "$PCN" -n "$R" stp add b1 bogus 1
	expect_err 2 "$PCN" -n "$R" stp set b1 priority 4096
	expect_err 2 "$PCN" -n "$R" stp del b1
	expect_err 2 "$PCN" -n "$R" stp run b1
	expect_err 1 "$PCN" -n "$R" stp show bad:name
	if pcn -n "$R" cube show f1 >/dev/null 2>&1; then
		expect_err 2 "$PCN" -n "$R" stp add f1
	fi
	[ "$before" = "$(tree_snapshot)" ]
	# on: a second add is refused, set checks everything first
	ip -n "$R" link add s1 type veth peer name s2
	pcn -n "$R" link add b1:p1 dev s1
	pcn -n "$R" stp add b1 $TIMES
	before=$(tree_snapshot)
	expect_err 2 "$PCN" -n "$R" stp add b1
	expect_err 2 "$PCN" -n "$R" stp set b1 port nosuch cost 10
	expect_err 1 "$PCN" -n "$R" stp set b1 port p1
	expect_err 1 "$PCN" -n "$R" stp set b1 port p1 cost 0
	expect_err 1 "$PCN" -n "$R" stp set b1 port p1 priority 8
	expect_err 1 "$PCN" -n "$R" stp set b1 port p1 cost 5 port p1 cost 6
	expect_err 1 "$PCN" -n "$R" stp set b1 hello_time 3
	[ "$before" = "$(tree_snapshot)" ]
	# what set writes, show reads and save writes back
	pcn -n "$R" stp set b1 priority 8192 port p1 cost 100 priority 32
	stp_json | jq -e '.[0] | .priority == 8192 and .ports[0].cost == 100 and
		.ports[0].priority == 32 and .ports[0].state == "blocking"'
	pcn -n "$R" save | grep -qx "stp add b1 protocol rstp priority 8192 hello_time 1 max_age 6 forward_delay 4"
	pcn -n "$R" save | grep -qx "stp set b1 port p1 priority 32 cost 100"
	# off: ports forward, as without a tree
	pcn -n "$R" stp del b1
	stp_json | jq -e '.[0].enabled == false'
	pcn -n "$R" -j cube show b1 | jq -e '.[0].ports[0].stp_state == "forwarding"'
}

need_root
need_type bridge
run_test stp_bad_input bad_input
for m in xdp tc; do
	run_test "stp_ring_converges_restart_reconverges_$m" ring_test $m
done
run_test stp_edge_ports_fdb_flush_tc edge_ports tc
run_test stp_linux_ring_linux_root_tcn linux_ring xdp
run_test stp_linux_ring_pcn_root_tc linux_ring tc 32768
tap_done
