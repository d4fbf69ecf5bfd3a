#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The firewall's matches beyond the classifier's fields, with real
# traffic in XDP and TC: lists of addresses and ports (one rule, one
# counter), mark (TC; an XDP cube refuses it), limit and hashlimit (a
# rule over its rate does not match: the packet goes on), action log
# (an event read with "pcn rule log", and the packet goes on); show,
# -j and save give back what was given; bad input changes nothing.

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# H1 (10.233.0.1, .3) - veth - H2 (10.233.0.2), firewall fw0 on H2's
# m2, both directions
pair()
{
	setup_root
	add_ns H1
	add_ns H2
	quiet_ns "$H1"
	quiet_ns "$H2"
	add_veth "$H1" m1 "$H2" m2
	addr "$H1" m1 10.233.0.1/24
	addr "$H1" m1 10.233.0.3/24
	addr "$H1" m1 10.233.0.8/24
	addr "$H2" m2 10.233.0.2/24
	veth_xdp_ready "$H1" m1
	veth_xdp_ready "$H2" m2
	pcn -n "$H2" cube add fw0 type firewall mode "$1"
	pcn -n "$H2" link add fw0 dev m2 ingress
}

# replies FROM_ADDR N: how many of N quick echo requests from H1's
# FROM_ADDR H2 answered
replies()
{
	{ ip netns exec "$H1" ping -I "$1" -c "$2" -i 0.01 -W 1 -q \
		10.233.0.2 2>/dev/null || true; } |
		sed -n 's/.* \([0-9]*\) received.*/\1/p'
}

# hits N: packets counted by rule N of the ingress chain
hits()
{
	pcn -n "$H2" -j rule show fw0 ingress | jq ".[0].rules[$(($1 - 1))].packets"
}

lists()
{
	pcn -n "$H2" rule append fw0 ingress src 10.233.0.3-10.233.0.9 \
		proto icmp action drop
	pcn -n "$H2" rule append fw0 ingress proto tcp dport 7000,7005-7006 \
		action drop
	# one rule each, as given
	[ "$(pcn -n "$H2" -j rule show fw0 ingress | jq '.[0].rules | length')" = 2 ]
	pcn -n "$H2" rule show fw0 ingress | grep -q \
		'1 src 10.233.0.3-10.233.0.9 proto icmp action drop'
	pcn -n "$H2" rule show fw0 ingress | grep -q \
		'2 proto tcp dport 7000,7005-7006 action drop'
	# .3 and .8 are in the range (two of its prefixes: .3/32, .8/31),
	# .1 is not; the rule's counter is the sum of its entries'
	ping_ok "$H1" 10.233.0.2 1
	[ "$(replies 10.233.0.3 3)" = 0 ]
	[ "$(replies 10.233.0.8 2)" = 0 ]
	[ "$(hits 1)" = 5 ]
	tcp_blocked "$H1" "$H2" 10.233.0.2 7005
	tcp_transfer "$H1" "$H2" 10.233.0.2 10000 7001
	[ "$(hits 2)" -ge 1 ]
	# deleted by what it is, whole
	pcn -n "$H2" rule delete fw0 ingress proto tcp dport 7005-7006,7000 \
		action drop
	[ "$(pcn -n "$H2" -j rule show fw0 ingress | jq '.[0].rules | length')" = 1 ]
	tcp_transfer "$H1" "$H2" 10.233.0.2 10000 7006
	pcn -n "$H2" rule delete fw0 ingress 1
	[ "$(replies 10.233.0.3 3)" = 3 ]
	pcn -n "$H2" rule flush fw0
}

# limit RATE: an over-limit packet goes on to the next rule (drop)
limits()
{
	# one a minute after a burst of 3: the first 3 pass, whatever the
	# machine's speed
	pcn -n "$H2" rule append fw0 ingress proto icmp limit 1/minute \
		burst 3 action accept
	pcn -n "$H2" rule append fw0 ingress proto icmp action drop
	n=$(replies 10.233.0.1 10)
	[ "$n" -ge 3 ] && [ "$n" -le 4 ]
	[ "$(hits 1)" = "$n" ]
	[ "$(hits 2)" -ge $((10 - n)) ]
	# one bucket for the rule: the other source gets what is left
	[ "$(replies 10.233.0.3 3)" -le 1 ]
	# hashlimit: one bucket per source
	pcn -n "$H2" rule replace fw0 ingress 1 proto icmp hashlimit 1/minute \
		burst 3 by src action accept
	n=$(replies 10.233.0.1 8)
	[ "$n" -ge 3 ] && [ "$n" -le 4 ]
	n=$(replies 10.233.0.3 8)
	[ "$n" -ge 3 ] && [ "$n" -le 4 ]
	# by src with mask 24: both sources in one bucket
	pcn -n "$H2" rule replace fw0 ingress 1 proto icmp hashlimit 1/minute \
		burst 3 by src mask 24 action accept
	a=$(replies 10.233.0.1 4)
	b=$(replies 10.233.0.3 4)
	[ $((a + b)) -ge 3 ] && [ $((a + b)) -le 4 ]
	pcn -n "$H2" rule flush fw0
}

# action log: an event, and the packet goes on
logs()
{
	local out

	pcn -n "$H2" rule append fw0 ingress proto icmp limit 1/minute burst 2 \
		action log prefix "PING IN: " level info
	pcn -n "$H2" rule append fw0 ingress proto icmp action accept
	pcn -n "$H2" rule append fw0 ingress proto tcp dport 7100 \
		action log prefix "T7100 "
	pcn -n "$H2" rule append fw0 ingress action drop
	# every echo answered: log does not decide
	[ "$(replies 10.233.0.1 6)" = 6 ]
	# two events (the rule's limit), counted on the rule
	out=$(pcn -n "$H2" rule log fw0)
	echo "$out"
	[ "$(grep -c '^\[[0-9.]*\] PING IN: IN=m2 OUT= SRC=10.233.0.1 DST=10.233.0.2 LEN=[0-9]* PROTO=ICMP TYPE=8 CODE=0$' <<<"$out")" = 2 ]
	[ "$(hits 1)" = 2 ]
	[ "$(hits 2)" = 6 ]
	# read once: taken
	[ -z "$(pcn -n "$H2" rule log fw0)" ]
	# a dropped SYN is logged first (default limit), JSON
	tcp_blocked "$H1" "$H2" 10.233.0.2 7100
	out=$(pcn -n "$H2" -j rule log fw0)
	echo "$out"
	jq -e '.[0] | .prefix == "T7100 " and .dport == 7100 and
		.proto == "TCP" and .src == "10.233.0.1" and .level == 4 and
		.chain == "ingress"' <<<"$out" >/dev/null
	pcn -n "$H2" -s cube show fw0 | grep -q 'logged [1-9]'
	pcn -n "$H2" rule flush fw0
}

# one topology for the traffic tests of a mode
traffic()
{
	pair "$1"
	ping_ok "$H1" 10.233.0.2 1
	lists
	limits
	logs
	if [ "$1" = tc ]; then
		marks
	fi
}

# mark (TC: the egress chain sees the socket's SO_MARK; a mark does not
# cross into another netns)
marks()
{
	pcn -n "$H2" link add fw0 dev m2 egress
	pcn -n "$H2" rule append fw0 egress mark 0x10/0xf0 proto icmp action drop
	ip netns exec "$H2" ping -c 2 -i 0.1 -w 5 -q 10.233.0.1 >/dev/null
	fails ip netns exec "$H2" ping -m 31 -c 2 -i 0.1 -W 1 -q 10.233.0.1
	ip netns exec "$H2" ping -m 33 -c 2 -i 0.1 -w 5 -q 10.233.0.1 >/dev/null
	pcn -n "$H2" rule show fw0 egress | grep -q 'proto icmp mark 0x10/0xf0 action drop'
	[ "$(pcn -n "$H2" -j rule show fw0 egress | jq '.[0].rules[0].packets')" -ge 2 ]
}

# what show writes, save writes; restored, the same
round_trip()
{
	local a b

	m=""
	if [ "$1" = tc ]; then
		m="mark 0x1"
	fi
	pcn -n "$H2" rule append fw0 ingress src 10.1.0.5-10.1.0.20,10.2.0.0/16 \
		dst 10.9.0.1,10.9.0.3 proto udp sport 53 dport 1-10,20,30-40 \
		$m action accept
	pcn -n "$H2" rule append fw0 ingress src 2001:db8::1-2001:db8::ff \
		proto tcp hashlimit 20/second burst 7 by src-dst mask 64 \
		action drop
	pcn -n "$H2" rule append fw0 egress proto icmp limit 3/hour \
		action log prefix "out: x" level debug
	pcn -n "$H2" rule append fw0 egress action log
	a=$(pcn -n "$H2" save)
	echo "$a"
	grep -q 'rule append fw0 egress proto icmp limit 3/hour burst 5 action log prefix "out: x" level debug' <<<"$a"
	grep -q 'rule append fw0 egress limit 10/second burst 20 action log prefix "" level warning' <<<"$a"
	b=$(pcn -n "$H2" -j rule show fw0)
	pcn -n "$H2" rule flush fw0
	grep '^rule ' <<<"$a" | pcn -n "$H2" -batch -
	[ "$(pcn -n "$H2" save)" = "$a" ]
	[ "$(pcn -n "$H2" -j rule show fw0)" = "$b" ]
	jq -e '.[0].rules[0] | .src == "10.1.0.5-10.1.0.20,10.2.0.0/16" and
		.dport == "1-10,20,30-40"' <<<"$b" >/dev/null
	jq -e '.[1].rules[0] | .limit == "3/hour" and .burst == 5 and
		.log_prefix == "out: x" and .log_level == "debug"' <<<"$b" >/dev/null
}

bad_input()
{
	pcn -n "$H2" rule flush fw0
	pcn -n "$H2" rule append fw0 ingress proto tcp dport 80,443 action drop
	tree_snapshot >"$PCN_TEST_BPFFS.before"
	defer "rm -f $PCN_TEST_BPFFS.before"
	for args in \
		"src 10.0.0.9-10.0.0.1 action drop" \
		"src 10.0.0.1,,10.0.0.2 action drop" \
		"src 10.0.0.1-fd00::1 action drop" \
		"src 10.0.0.0/24,fd00::/64 action drop" \
		"src ::1-ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe action drop" \
		"proto tcp dport 80,abc action drop" \
		"proto tcp dport 80, action drop" \
		"dport 80,443 action drop" \
		"mark 0x1/0x0 action drop" \
		"mark 0x3/0x1 action drop" \
		"mark x action drop" \
		"limit 0/second action accept" \
		"limit 5/fortnight action accept" \
		"limit 5/second burst 0 action accept" \
		"limit 5/second limit 3 action accept" \
		"hashlimit 5 by port action accept" \
		"hashlimit 5 mask 129 action accept" \
		"action log level 8" \
		"action log prefix 012345678901234567890123456789" \
		"action log prefix a\"b" ; do
		# shellcheck disable=SC2086
		expect_err 1 "$PCN" -n "$H2" rule append fw0 ingress $args
	done
	expect_err 1 "$PCN" -n "$H2" rule append fw0 ingress src \
		10.0.0.0-10.0.0.63,10.0.1.0-10.0.1.63 dst 10.1.0.0/24,10.2.0.0/24,10.3.0.0/24 \
		proto tcp sport 1,3,5,7,9,11,13,15,17,19,21,23,25,27,29,31 dport 1,3,5,7,9,11,13,15,17,19,21,23,25,27,29,31,33 \
		action drop
	expect_err 1 "$PCN" -n "$H2" rule log fw0 now
	expect_err 2 "$PCN" -n "$H2" rule log nope
	# XDP has no mark
	if [ "$1" = xdp ]; then
		expect_err 1 "$PCN" -n "$H2" rule append fw0 ingress mark 1 \
			action drop
	fi
	tree_snapshot | cmp - "$PCN_TEST_BPFFS.before"
}

# iptables-save's mark, limit, hashlimit and LOG, imported
import_matches()
{
	local f=$PCN_TEST_BPFFS.ipt out m

	defer "rm -f $f"
	cat >"$f" <<-'IPT'
	*filter
	:INPUT DROP [0:0]
	:FORWARD ACCEPT [0:0]
	:OUTPUT ACCEPT [0:0]
	:LOGDROP - [0:0]
	-A INPUT -p tcp -m multiport --dports 80,443 -m mark --mark 0x1/0xff -j ACCEPT
	-A INPUT -p icmp -m limit --limit 5/min --limit-burst 10 -j ACCEPT
	-A INPUT -p tcp -m hashlimit --hashlimit-upto 20/sec --hashlimit-burst 30 --hashlimit-mode srcip --hashlimit-name ssh --hashlimit-srcmask 24 -j ACCEPT
	-A INPUT -j LOGDROP
	-A LOGDROP -m limit --limit 2/sec -j LOG --log-prefix "IN DROP: " --log-level 6
	-A LOGDROP -j DROP
	COMMIT
	IPT
	if [ "$1" = xdp ]; then
		# no mark in XDP: refused, nothing changed
		tree_snapshot >"$f.before"
		defer "rm -f $f.before"
		expect_err 1 "$PCN" -n "$H2" rule import fw0 iptables "$f"
		tree_snapshot | cmp - "$f.before"
		sed -i 's/ -m mark --mark 0x1\/0xff//' "$f"
	fi
	pcn -n "$H2" rule import fw0 iptables "$f"
	out=$(pcn -n "$H2" rule show fw0 ingress)
	echo "$out"
	m=""
	if [ "$1" = tc ]; then
		m="mark 0x1/0xff "
	fi
	grep -q "dport 443 ${m}action accept" <<<"$out"
	grep -q 'proto icmp limit 5/minute burst 10 action accept' <<<"$out"
	grep -q 'proto tcp hashlimit 20/second burst 30 by src mask 24 action accept' <<<"$out"
	grep -q '5 src 0.0.0.0/0 limit 2/second burst 5 action log prefix "IN DROP: " level info' <<<"$out"
	# a limit on a jump would be taken once per rule of the chain
	printf '*filter\n:INPUT ACCEPT [0:0]\n:X - [0:0]\n-A INPUT -m limit --limit 3/sec -j X\n-A X -j DROP\nCOMMIT\n' >"$f"
	expect_err 1 "$PCN" -n "$H2" rule import fw0 iptables "$f"
}

# show, save and restore, then bad input, on one cube
rules()
{
	pair "$1"
	round_trip "$1"
	bad_input "$1"
	import_matches "$1"
}

for m in xdp tc; do
	run_test "fw_matches_traffic_$m" traffic $m
	run_test "fw_matches_rules_$m" rules $m
done
tap_done
