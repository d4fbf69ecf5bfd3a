#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The ddos cube with real traffic: H1 talks to H2 from two addresses of
# each family, through a ddos cube on H2's interface. A blocked source
# cannot ping or connect while the other can, a prefix or a destination
# blocks all it covers, removing the entry restores; per-entry drop
# counters, -j, -s; a batch applies whole or not at all; bad input
# changes nothing; save and restore; the rate limit per source, measured
# against rate x time + burst; XDP and TC.

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# H1 (10.232.0.1 and .3, fd32::1 and ::3) - veth - H2 (10.232.0.2,
# fd32::2), ddos cube dm0 on H2's e2 ingress, in mode $1
pair()
{
	need_type ddos
	setup_root
	add_ns H1
	add_ns H2
	add_veth "$H1" e1 "$H2" e2
	addr "$H1" e1 10.232.0.1/24
	addr "$H1" e1 10.232.0.3/24
	addr "$H2" e2 10.232.0.2/24
	ip -n "$H1" addr add fd32::1/64 dev e1 nodad
	ip -n "$H1" addr add fd32::3/64 dev e1 nodad
	ip -n "$H2" addr add fd32::2/64 dev e2 nodad
	# no neighbour discovery: a blocked source must not cut the link
	# for the other one
	ip -n "$H1" neigh add fd32::2 dev e1 nud permanent lladdr \
		"$(ip -n "$H2" -j link show dev e2 | jq -r '.[0].address')"
	for a in fd32::1 fd32::3; do
		ip -n "$H2" neigh add $a dev e2 nud permanent lladdr \
			"$(ip -n "$H1" -j link show dev e1 | jq -r '.[0].address')"
	done
	veth_xdp_ready "$H1" e1
	veth_xdp_ready "$H2" e2
	pcn -n "$H2" cube add dm0 type ddos mode "$1"
	pcn -n "$H2" link add dm0 dev e2 ingress
}

# from SRC to DST: ping answered / not
ping_from()
{
	ip netns exec "$H1" ping -c 2 -i 0.1 -w 10 -q -I "$1" "$2" >/dev/null
}

ping_from_fails()
{
	fails ip netns exec "$H1" ping -c 2 -i 0.1 -W 1 -q -I "$1" "$2" \
		>/dev/null
}

# connect from SRC to H2's ADDR, port PORT: a line gets there / nothing
tcp_from()
{
	local src=$1 dst=$2 port=$3 f

	f=$(mktemp "${TMPDIR:-/tmp}/pcn-ddos.XXXXXX")
	defer "rm -f $f"
	ip netns exec "$H2" timeout 10 socat -u \
		TCP6-LISTEN:"$port",reuseaddr,ipv6only=0 CREATE:"$f" &
	defer "kill $! 2>/dev/null"
	wait_for 5 listening "$H2" "$port"
	[[ $dst == *:* ]] && dst="[$dst]"
	echo hello | ip netns exec "$H1" timeout 5 socat -u - \
		TCP:"$dst":"$port",bind="${src/*:*/[$src]}",connect-timeout=2
	wait_for 5 grep -q hello "$f"
}

tcp_from_fails()
{
	local src=$1 dst=$2 port=$3

	ip netns exec "$H2" timeout 5 socat -u \
		TCP6-LISTEN:"$port",reuseaddr,ipv6only=0 /dev/null &
	defer "kill $! 2>/dev/null"
	wait_for 5 listening "$H2" "$port"
	[[ $dst == *:* ]] && dst="[$dst]"
	fails ip netns exec "$H1" timeout 3 socat -u /dev/null \
		TCP:"$dst":"$port",bind="${src/*:*/[$src]}",connect-timeout=1
}

# drops counted on entry SIDE PREFIX of dm0
entry_drops()
{
	pcn -n "$H2" -j -s blocklist show dm0 |
		jq -e ".[] | select(.side == \"$1\" and .prefix == \"$2\") | .packets"
}

stat()
{
	pcn -n "$H2" -j -s cube show dm0 | jq -e ".[0].stats.ingress.$1"
}

block_and_restore()
{
	local n

	pair "$1"
	ping_from 10.232.0.1 10.232.0.2
	ping_from fd32::1 fd32::2
	# an exact IPv4 source
	pcn -n "$H2" blocklist add dm0 src 10.232.0.1
	ping_from_fails 10.232.0.1 10.232.0.2
	tcp_from_fails 10.232.0.1 10.232.0.2 7100
	ping_from 10.232.0.3 10.232.0.2
	tcp_from 10.232.0.3 10.232.0.2 7101
	n=$(entry_drops src 10.232.0.1/32)
	[ "$n" -ge 3 ]
	pcn -n "$H2" -s blocklist show dm0 |
		grep -qx "dm0 src 10.232.0.1/32 dropped $n packets [0-9]* bytes"
	# an exact IPv6 source
	pcn -n "$H2" blocklist add dm0 src fd32::1
	ping_from_fails fd32::1 fd32::2
	tcp_from_fails fd32::1 fd32::2 7102
	ping_from fd32::3 fd32::2
	tcp_from fd32::3 fd32::2 7103
	[ "$(entry_drops src fd32::1/128)" -ge 3 ]
	# removal restores
	pcn -n "$H2" blocklist del dm0 src 10.232.0.1/32
	pcn -n "$H2" blocklist del dm0 src fd32::1
	ping_from 10.232.0.1 10.232.0.2
	tcp_from fd32::1 fd32::2 7104
	# prefixes cover both addresses, and a destination every source
	pcn -n "$H2" blocklist add dm0 src 10.232.0.0/30
	pcn -n "$H2" blocklist add dm0 src fd32::/126
	ping_from_fails 10.232.0.3 10.232.0.2
	ping_from_fails fd32::3 fd32::2
	pcn -n "$H2" blocklist flush dm0 src
	ping_from 10.232.0.3 10.232.0.2
	pcn -n "$H2" blocklist add dm0 dst 10.232.0.2
	ping_from_fails 10.232.0.3 10.232.0.2
	ping_from fd32::3 fd32::2
	[ "$(entry_drops dst 10.232.0.2/32)" -ge 2 ]
	pcn -n "$H2" blocklist flush dm0
	ping_from 10.232.0.1 10.232.0.2
	pcn -n "$H2" -j blocklist show dm0 | jq -e 'length == 0'
	# the cube's own counters
	[ "$(stat list)" -ge 12 ]
	[ "$(stat passed)" -ge 10 ]
	pcn -n "$H2" -j cube show dm0 | jq -e '.[0].entries == 0'
}

# What the cube holds: its configuration, its list, and the datapath's
# tables (both generations) and state, not the counters traffic moves
dm_state()
{
	local m

	pcn -n "$H2" save
	pcn -n "$H2" -j blocklist show
	for m in ddos_state ddos_lpm4 ddos_lpm6 ddos_list; do
		bpftool -j map dump pinned \
			"$(echo "$PCN_ROOT"/ns-*/cubes/dm0/$m)" |
			jq -c 'sort_by(.key)'
	done
}

# Bad input: one error line, its exit code, the cube as it was.
bad_input()
{
	local before f

	pair "$1"
	pcn -n "$H2" blocklist add dm0 src 192.0.2.0/24
	pcn -n "$H2" cube set dm0 limit proto udp dport 50-60 rate 5
	before=$(dm_state)
	expect_err 1 "$PCN" -n "$H2" blocklist add dm0 src 192.0.2.1/24
	expect_err 1 "$PCN" -n "$H2" blocklist add dm0 src 192.0.2.0/33
	expect_err 1 "$PCN" -n "$H2" blocklist add dm0 src 2001:db8::/129
	expect_err 1 "$PCN" -n "$H2" blocklist add dm0 src 300.1.2.3
	expect_err 1 "$PCN" -n "$H2" blocklist add dm0 src fd32::zz
	expect_err 1 "$PCN" -n "$H2" blocklist add dm0 sideways 192.0.2.1
	expect_err 1 "$PCN" -n "$H2" blocklist add dm0 src
	expect_err 1 "$PCN" -n "$H2" blocklist add dm0 src 192.0.2.1 extra
	expect_err 1 "$PCN" -n "$H2" blocklist add dm0
	expect_err 1 "$PCN" -n "$H2" blocklist flush dm0 both
	expect_err 1 "$PCN" -n "$H2" blocklist frobnicate dm0
	expect_err 1 "$PCN" -n "$H2" blocklist show dm0 top 0
	expect_err 1 "$PCN" -n "$H2" blocklist show dm0 top
	expect_err 1 "$PCN" -n "$H2" blocklist show dm0 top 5 more
	expect_err 1 "$PCN" -n "$H2" blocklist show dm0 bottom 5
	expect_err 2 "$PCN" -n "$H2" blocklist add dm0 src 192.0.2.0/24
	expect_err 2 "$PCN" -n "$H2" blocklist del dm0 src 192.0.2.7
	expect_err 2 "$PCN" -n "$H2" blocklist add nosuch src 192.0.2.7
	expect_err 1 "$PCN" -n "$H2" cube set dm0 rate 0
	expect_err 1 "$PCN" -n "$H2" cube set dm0 rate 99999999999999
	expect_err 1 "$PCN" -n "$H2" cube set dm0 rate -5
	expect_err 1 "$PCN" -n "$H2" cube set dm0 byte_rate 1000 byte_burst 100
	expect_err 1 "$PCN" -n "$H2" cube set dm0 burst 10
	expect_err 1 "$PCN" -n "$H2" cube set dm0 src_len 33/128
	expect_err 1 "$PCN" -n "$H2" cube set dm0 src_len 24/0
	expect_err 1 "$PCN" -n "$H2" cube set dm0 src_len 24
	expect_err 1 "$PCN" -n "$H2" cube set dm0 src_len 24/64x
	expect_err 1 "$PCN" -n "$H2" cube set dm0 rate 10 rate 20
	expect_err 1 "$PCN" -n "$H2" cube add dm1 type ddos rate fast
	# limits per protocol; a bad one anywhere: none of the line applied
	expect_err 1 "$PCN" -n "$H2" cube set dm0 limit proto udp dport 53
	expect_err 1 "$PCN" -n "$H2" cube set dm0 limit proto icmp dport 5 rate 10
	expect_err 1 "$PCN" -n "$H2" cube set dm0 limit proto tcp rate 0
	expect_err 1 "$PCN" -n "$H2" cube set dm0 limit proto tcp rate none
	expect_err 1 "$PCN" -n "$H2" cube set dm0 limit proto bogus rate 10
	expect_err 1 "$PCN" -n "$H2" cube set dm0 limit proto udp dport 0 rate 5
	expect_err 1 "$PCN" -n "$H2" cube set dm0 limit proto udp dport 70000 rate 5
	expect_err 1 "$PCN" -n "$H2" cube set dm0 limit proto udp dport 9-3 rate 5
	expect_err 1 "$PCN" -n "$H2" cube set dm0 limit proto udp src_len 24/64 rate 5
	expect_err 1 "$PCN" -n "$H2" cube set dm0 limit proto udp rate 5 none
	expect_err 1 "$PCN" -n "$H2" cube set dm0 limit rate 5
	expect_err 1 "$PCN" -n "$H2" cube set dm0 limit
	expect_err 1 "$PCN" -n "$H2" cube set dm0 limit proto udp dport 55 rate 5
	expect_err 1 "$PCN" -n "$H2" cube set dm0 rate 100 limit proto tcp rate 5 \
		limit proto x rate 1
	expect_err 2 "$PCN" -n "$H2" cube set dm0 limit proto udp none
	expect_err 2 "$PCN" -n "$H2" cube set dm0 rate 100 \
		$(for p in 1 2 3 4 5 6 7 8; do echo limit proto $p rate 1; done)
	# a list file with a bad line: nothing of it applied
	f=$(mktemp "${TMPDIR:-/tmp}/pcn-ddos.XXXXXX")
	defer "rm -f $f"
	{
		for ((i = 1; i <= 200; i++)); do
			echo "blocklist add dm0 src 10.99.$i.0/24"
		done
		echo "blocklist add dm0 dst 10.98.0.1/16"
		echo "blocklist del dm0 src 192.0.2.0/24"
	} >"$f"
	fails "$PCN" -n "$H2" -batch "$f" 2>/dev/null
	[ "$(dm_state)" = "$before" ]
	fails "$PCN" -n "$H2" -force -batch "$f" 2>/dev/null
	[ "$(dm_state)" = "$before" ]
	# fixed, it applies whole
	sed -i 's|10.98.0.1/16|10.98.0.0/16|' "$f"
	pcn -n "$H2" -batch "$f"
	pcn -n "$H2" -j blocklist show dm0 | jq -e 'length == 201'
	pcn -n "$H2" -j cube show dm0 | jq -e '.[0].entries == 201'
	ping_from 10.232.0.1 10.232.0.2
}

# A batch swaps one list for another under traffic from a source both
# lists block: not one packet of it gets through.
batch_atomic()
{
	local dir i

	pair "$1"
	dir=$(mktemp -d "${TMPDIR:-/tmp}/pcn-ddos.XXXXXX")
	defer "rm -rf $dir"
	{
		echo "blocklist flush dm0"
		echo "blocklist add dm0 src 10.232.0.1"
		for ((i = 0; i < 500; i++)); do
			echo "blocklist add dm0 src 10.$((100 + i / 256)).$((i % 256)).0/24"
		done
	} >"$dir/a"
	{
		echo "blocklist flush dm0"
		for ((i = 0; i < 300; i++)); do
			echo "blocklist add dm0 dst 10.$((150 + i / 256)).$((i % 256)).0/24"
		done
		echo "blocklist add dm0 src 10.232.0.0/30"
	} >"$dir/b"
	pcn -n "$H2" -batch "$dir/a"
	ip netns exec "$H2" timeout 12 socat -u UDP-RECV:5000 \
		CREATE:"$dir/got" &
	sleep 0.3
	ip netns exec "$H1" timeout 6 bash -c \
		'while :; do echo x; done | socat -u - UDP-SENDTO:10.232.0.2:5000,bind=10.232.0.1' \
		2>/dev/null &
	for ((i = 0; i < 6; i++)); do
		pcn -n "$H2" -batch "$dir/b"
		pcn -n "$H2" -batch "$dir/a"
	done
	wait %2 || true
	[ ! -s "$dir/got" ]
	[ "$(stat list)" -ge 100 ]
	pcn -n "$H2" -j cube show dm0 | jq -e '.[0].entries == 501'
}

# ddos_state's spare_ok: 0 while a change is being written
spare_ok()
{
	bpftool -j map dump pinned "$(echo "$PCN_ROOT"/ns-*/cubes/dm0/ddos_state)" |
		jq -e ".[0].formatted.value.spare_ok == $1"
}

# A pcn killed in a list change: before the canonical list is written,
# the change is gone; after it, the old list stays in force until the
# next change of the cube makes both generations agree with the list.
killed_change()
{
	local rc

	pair "$1"
	pcn -n "$H2" blocklist add dm0 src 10.232.0.1
	rc=0
	PCN_FAULT=ddos-commit "$PCN" -n "$H2" blocklist add dm0 src 10.232.0.3 || rc=$?
	[ "$rc" = 137 ]
	spare_ok 0
	pcn -n "$H2" -j blocklist show dm0 | jq -e 'length == 1'
	ping_from 10.232.0.3 10.232.0.2
	ping_from_fails 10.232.0.1 10.232.0.2
	rc=0
	PCN_FAULT=ddos-switch "$PCN" -n "$H2" blocklist del dm0 src 10.232.0.1 || rc=$?
	[ "$rc" = 137 ]
	pcn -n "$H2" -j blocklist show dm0 | jq -e 'length == 0'
	ping_from_fails 10.232.0.1 10.232.0.2
	# the next change: the list, and its own change, in force
	pcn -n "$H2" blocklist add dm0 src 10.232.0.3
	spare_ok 1
	ping_from 10.232.0.1 10.232.0.2
	ping_from_fails 10.232.0.3 10.232.0.2
	# both generations hold the one entry
	bpftool -j map dump pinned "$(echo "$PCN_ROOT"/ns-*/cubes/dm0/ddos_lpm4)" |
		jq -e 'length == 2'
}

save_restore()
{
	local a b f

	pair "$1"
	pcn -n "$H2" cube set dm0 rate 5000 burst 100 src_len 24/128
	pcn -n "$H2" blocklist add dm0 src 198.51.100.0/24
	pcn -n "$H2" blocklist add dm0 dst 203.0.113.7
	pcn -n "$H2" blocklist add dm0 src 2001:db8:1::/48
	pcn -n "$H2" cube set dm0 limit proto udp dport 53 rate 100 \
		limit proto icmp byte_rate 20000 limit proto 132 rate 7 burst 3
	a=$(pcn -n "$H2" save)
	grep -qx "cube set dm0 limit proto udp dport 53 rate 100 burst 100" <<<"$a"
	grep -qx "cube set dm0 limit proto icmp byte_rate 20000 byte_burst 20000" <<<"$a"
	grep -qx "cube set dm0 limit proto 132 rate 7 burst 3" <<<"$a"
	grep -qx "cube add dm0 type ddos mode $1 rate 5000 burst 100 byte_rate none src_len 24/128" <<<"$a"
	grep -qx "blocklist add dm0 dst 203.0.113.7/32" <<<"$a"
	f=$(mktemp "${TMPDIR:-/tmp}/pcn-ddos.XXXXXX")
	defer "rm -f $f"
	echo "$a" >"$f"
	pcn -n "$H2" flush
	pcn -n "$H2" restore "$f"
	b=$(pcn -n "$H2" save)
	[ "$a" = "$b" ]
	pcn -n "$H2" -j blocklist show | jq -e 'length == 3'
	pcn -n "$H2" -j cube show dm0 | jq -e '.[0].limits | length == 3'
}

rate_drops()
{
	[ "$(stat rate)" -gt 0 ]
}

# A source sending far over the rate gets rate x time + burst through,
# within 10%; another source, under it, is untouched.
rate_limit()
{
	local rate=300 burst=30 f sent passed t want top

	pair "$1"
	f=$(mktemp "${TMPDIR:-/tmp}/pcn-ddos.XXXXXX")
	defer "rm -f $f"
	pcn -n "$H2" cube set dm0 rate $rate burst $burst
	pcn -n "$H2" -j cube show dm0 | jq -e ".[0].rate == $rate and .[0].burst == $burst"
	# UDP from .1 as fast as python sends, for 4 s: prints the time
	ip netns exec "$H1" python3 -c '
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("10.232.0.1", 0))
t0 = time.monotonic()
n = 0
while time.monotonic() - t0 < 4.0:
    for _ in range(50):
        s.sendto(b"x" * 32, ("10.232.0.2", 9))
    n += 50
print(n, time.monotonic() - t0)
' >"$f" &
	ping_from 10.232.0.3 10.232.0.2
	# meanwhile, once it drops, the source it drops most of, at more
	# than the rate
	wait_for 10 rate_drops
	top=$(pcn -n "$H2" -j blocklist show dm0 top 2)
	echo "top: $top"
	jq -e ".[0].top[0].source == \"10.232.0.1/32\" and
		.[0].top[0].dropped_pps > 0 and .[0].top[0].pps > $rate and
		.[0].rate_pps > 0 and .[0].pps > $rate" <<<"$top"
	pcn -n "$H2" blocklist show dm0 top 1 |
		grep -q "^  10.232.0.1/32 [0-9]* packets/s, dropped [0-9]*/s, [0-9]* dropped$"
	wait
	read -r sent t <"$f"
	stable_stats "$H2" dm0 >/dev/null
	passed=$(stat passed)
	want=$(python3 -c "print(int($rate * $t + $burst))")
	echo "sent $sent in $t s, passed $passed, rate x time + burst $want"
	# the offered load must be well over the rate for the test to mean it
	[ "$sent" -ge $((rate * 6)) ] || skip "the sender made only $sent packets"
	python3 -c "import sys; sys.exit(not (0.9 * $want <= $passed <= 1.1 * $want + 10))"
	[ "$(stat rate)" -ge $((sent - passed - 10)) ]
	pcn -n "$H2" -j -s cube show dm0 | jq -e '.[0].sources.tracked >= 1'
	# "none" lifts it
	pcn -n "$H2" cube set dm0 rate none
	pcn -n "$H2" -j cube show dm0 | jq -e '.[0].rate == "none"'
}

# the limit of "proto P [dport D]": FIELD (.packets, .dropped, .rate...)
limit_of()
{
	pcn -n "$H2" -j -s cube show dm0 |
		jq -e ".[0].limits[] | select(.proto == \"$1\" and (.dport // \"\") == \"$2\") | $3"
}

# Limits per protocol and port: UDP to port 5300 gets its rate x time +
# burst through (within 10%) while the same source's UDP to port 5301,
# TCP and ping, under no limit, are untouched; ICMP has its own; a
# limit removed lets all through again; IPv6 is matched alike.
proto_limit()
{
	local rate=200 burst=20 f sent other t matched dropped passed want n
	local snap limited v6

	pair "$1"
	f=$(mktemp "${TMPDIR:-/tmp}/pcn-ddos.XXXXXX")
	defer "rm -f $f"
	pcn -n "$H2" cube set dm0 limit proto udp dport 5300 rate $rate burst $burst \
		limit proto icmpv6 rate 2 burst 2
	pcn -n "$H2" -j cube show dm0 |
		jq -e ".[0].limits | length == 2 and .[0].proto == \"udp\" and
			.[0].dport == \"5300\" and .[0].rate == $rate and
			.[0].burst == $burst and .[0].byte_rate == \"none\" and
			.[1].proto == \"icmpv6\""
	pcn -n "$H2" cube show dm0 |
		grep -q "limit proto udp dport 5300 rate $rate burst $burst byte_rate none"
	# UDP from .1 to 5300 as fast as python sends for 2 s, and every
	# 20th packet to 5301: prints both counts and the time
	ip netns exec "$H1" python3 -c '
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("10.232.0.1", 0))
t0 = time.monotonic()
n = m = 0
while time.monotonic() - t0 < 2.0:
    for _ in range(20):
        s.sendto(b"x" * 32, ("10.232.0.2", 5300))
    s.sendto(b"y" * 32, ("10.232.0.2", 5301))
    n += 20
    m += 1
print(n, m, time.monotonic() - t0)
' >"$f" &
	# the same source, under no limit, meanwhile
	tcp_from 10.232.0.1 10.232.0.2 7110
	ping_from 10.232.0.1 10.232.0.2
	wait
	read -r sent other t <"$f"
	# every count from one settled snapshot: a packet still on its way
	# must not fall between two reads
	snap=$(stable_stats "$H2" dm0)
	matched=$(jq '.[0].limits[] | select(.proto == "udp" and .dport == "5300") | .packets' <<<"$snap")
	dropped=$(jq '.[0].limits[] | select(.proto == "udp" and .dport == "5300") | .dropped' <<<"$snap")
	limited=$(jq '.[0].stats.ingress.rate' <<<"$snap")
	# the ICMPv6 limit may drop what H1 sends on its own meanwhile (a
	# neighbour solicitation, an MLD report): it counts as rate too
	v6=$(jq '.[0].limits[] | select(.proto == "icmpv6") | .dropped' <<<"$snap")
	passed=$((matched - dropped))
	want=$(python3 -c "print(int($rate * $t + $burst))")
	echo "sent $sent (+$other to 5301) in $t s, matched $matched, passed $passed, rate x time + burst $want"
	[ "$sent" -ge $((rate * 5)) ] || skip "the sender made only $sent packets"
	# what reached the cube is what was sent (a veth may lose a few)
	[ "$matched" -le "$sent" ]
	[ "$matched" -ge $((sent * 9 / 10)) ]
	python3 -c "import sys; sys.exit(not (0.9 * $want <= $passed <= 1.1 * $want + 10))"
	# only the limits dropped: 5301, TCP and ping all got through
	[ "$limited" -eq $((dropped + v6)) ] ||
		{ echo "rate drops $limited, the limits' drops $dropped + $v6"; return 1; }
	# ICMPv6 echo: 2 in a burst, then 2 a second
	n=$({ ip netns exec "$H1" ping -c 20 -i 0.01 -W 1 -q -I fd32::1 fd32::2 ||
		true; } | sed -n 's/.* \([0-9]*\) received.*/\1/p')
	echo "ICMPv6 limited to 2/s: $n of 20 echoes answered"
	[ "$n" -ge 1 ]
	[ "$n" -le 6 ]
	[ "$(limit_of icmpv6 "" .dropped)" -ge 14 ]
	# IPv4 ICMP is not ICMPv6
	ping_from 10.232.0.3 10.232.0.2
	# "none" removes one; the other stays
	pcn -n "$H2" cube set dm0 limit proto icmpv6 none
	ping_from fd32::1 fd32::2
	pcn -n "$H2" -j cube show dm0 | jq -e '.[0].limits | length == 1'
}

# A batch of more lines than the table looks up one by one: it reads
# the kernel's list whole, and still knows what is there already
big_batch()
{
	local f

	pair "$1"
	pcn -n "$H2" blocklist add dm0 src 192.0.2.0/24
	pcn -n "$H2" blocklist add dm0 dst fd32::2
	f=$(mktemp "${TMPDIR:-/tmp}/pcn-ddos.XXXXXX")
	defer "rm -f $f"
	for ((i = 0; i < 6000; i++)); do
		echo "blocklist add dm0 src 10.$((100 + i / 65536)).$((i / 256 % 256)).$((i % 256))"
	done >"$f"
	echo "blocklist add dm0 src 192.0.2.0/24" >>"$f"
	fails "$PCN" -n "$H2" -batch "$f" 2>/dev/null
	pcn -n "$H2" -j cube show dm0 | jq -e '.[0].entries == 2'
	sed -i '$d' "$f"
	echo "blocklist del dm0 src 192.0.2.0/24" >>"$f"
	pcn -n "$H2" -batch "$f"
	pcn -n "$H2" -j cube show dm0 | jq -e '.[0].entries == 6001'
	pcn -n "$H2" -j blocklist show dm0 |
		jq -e 'map(select(.prefix == "192.0.2.0/24")) | length == 0'
	ping_from_fails fd32::1 fd32::2
	ping_from 10.232.0.1 10.232.0.2
	pcn -n "$H2" blocklist add dm0 src 10.232.0.1
	ping_from_fails 10.232.0.1 10.232.0.2
	# both generations hold the same: 6001 entries each
	bpftool -j map dump pinned "$(echo "$PCN_ROOT"/ns-*/cubes/dm0/ddos_lpm4)" |
		jq -e 'length == 12002'
}

for m in ${DDOS_MODES:-xdp tc}; do
	run_test "ddos_block_and_restore_$m" block_and_restore $m
	run_test "ddos_batch_atomic_$m" batch_atomic $m
	run_test "ddos_save_restore_$m" save_restore $m
	run_test "ddos_rate_limit_$m" rate_limit $m
	run_test "ddos_proto_limit_$m" proto_limit $m
done
# the command's side: the same whatever the mode
run_test ddos_bad_input bad_input xdp
run_test ddos_killed_change killed_change xdp
run_test ddos_big_batch big_batch xdp
tap_done
