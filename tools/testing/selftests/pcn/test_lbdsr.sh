#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The lbdsr load balancer with real traffic, in XDP and in TC. A client
# (C) reaches the VIP through the cube (in L) on its frontend; the
# cube's backend port sits on a Linux bridge (in S) with three backends
# (B1..B3), each holding the VIP on its loopback and answering with its
# own name (socat). The backends answer the client directly, through a
# second interface of C on the bridge: the cube never sees a reply.
#
#   C c0 --- lf [lb0] lb --- sl (bridge in S) --- s1 s2 s3 s4 --- B1..B4
#   C c1 ------------------- sc (same bridge)
#
# Flows are TCP connections from fixed source ports, so which backend
# each takes is a function of the hash and the table alone: the spread
# by weight is checked against a documented tolerance (each backend's
# share of 150 flows within 40% of its weight's share, pcn-backend(8)),
# and a flow reconnected from its port finds the backend it had. An
# IPv6 VIP too: the client's neighbour solicitation for it answered by
# the cube, its flow sent to B1 (IPv6 on C and B1 only), the answer
# straight back to C's c1.

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

VIP=10.21.9.100
CLIENT=10.21.0.2
VIP6=fd00:21:9::100
CLIENT6=fd00:21::2

# IPv6 back on in NS for IFNAME (quiet_ns turned it off), no RA
ipv6_on()
{
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=0 \
		"net.ipv6.conf.$2.disable_ipv6=0" \
		net.ipv6.conf.all.accept_ra=0 "net.ipv6.conf.$2.accept_ra=0"
}

# a TCP connection to [VIP6]:80 answered "b1"
ask6()
{
	ip netns exec "$C" python3 - <<'PY'
import socket, sys
s = socket.socket(socket.AF_INET6)
s.settimeout(4)		# NDP first: a lost SYN is sent again in 1 s
s.connect(("fd00:21:9::100", 80))
ans = s.recv(64).decode().strip()
print("#", ans)
sys.exit(ans != "b1")
PY
}

# One client process for many connections (a socat each would cost the
# test minutes): from each source port FIRST..LAST, connect to VIP:80
# and read the backend's name; "PORT NAME" lines, NAME "-" when none
# answered. SO_LINGER 0: the client resets, so no side keeps the flow in
# TIME_WAIT and the same port can ask again.
ask_range()
{
	ip netns exec "$C" python3 - "$1" "$2" >"$3" <<'PY'
import socket, struct, sys
for p in range(int(sys.argv[1]), int(sys.argv[2]) + 1):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.settimeout(3)
    name = "-"
    try:
        s.bind(("", p))
        s.connect(("10.21.9.100", 80))
        name = s.recv(64).decode().strip() or "-"
    except OSError:
        pass
    s.close()
    print(p, name)
PY
}

# one flow from PORT answered
ask()
{
	local f

	f=$(mktemp "${TMPDIR:-/tmp}/pcn-lb.XXXXXX")
	ask_range "$1" "$1" "$f"
	grep -q ' b[0-9]$' "$f"
	local rc=$?
	rm -f "$f"
	return $rc
}

# backend @name's count in FILE
count()
{
	awk -v b="$2" '$2 == b { n++ } END { print n + 0 }' "$1"
}

lbdsr_setup()
{
	local mode=$1 i

	setup_root
	add_ns C
	add_ns L
	add_ns S
	for i in C L S; do quiet_ns "${!i}"; done
	add_veth "$C" c0 "$L" lf
	add_veth "$L" lb "$S" sl
	add_veth "$C" c1 "$S" sc
	veth_xdp_ready "$C" c0
	veth_xdp_ready "$S" sl
	ip -n "$S" link add br0 type bridge
	ip -n "$S" link set br0 up
	ip -n "$S" link set sl master br0
	ip -n "$S" link set sc master br0
	# the bridge floods nothing back to the cube: what comes back
	# through its backend port is counted, and must be nothing
	bridge -n "$S" link set dev sl flood off mcast_flood off bcast_flood off
	addr "$C" c0 $CLIENT/24
	ip -n "$C" route add $VIP/32 dev c0
	# IPv6: the client's address on c1 (the backends' segment, where
	# they answer), the VIP through c0, found by NDP (the cube answers)
	ipv6_on "$C" c0
	ipv6_on "$C" c1
	ip -n "$C" addr add $CLIENT6/64 dev c1 nodad
	ip -n "$C" -6 route add $VIP6/128 dev c0 src $CLIENT6
	ip netns exec "$C" sysctl -qw net.ipv4.conf.all.rp_filter=0 \
		net.ipv4.conf.c1.rp_filter=0 net.ipv4.conf.c0.rp_filter=0
	for i in 1 2 3 4; do
		add_ns "B$i"
		quiet_ns "$(eval echo \$B$i)"
		backend_setup "$(eval echo \$B$i)" "$i"
	done

	pcn -n "$L" cube add lb0 type lbdsr mode "$mode"
	pcn -n "$L" link add lb0:fe dev lf
	pcn -n "$L" link add lb0:be dev lb
	pcn -n "$L" cube set lb0 frontend fe backend be
	pcn -n "$L" service add cube lb0 vip $VIP port 80 proto tcp
}

# backend N in NS: the VIP on lo, ARP neither answered nor announced
# for it (pcn-cube-lbdsr(8), BACKENDS), a server answering "bN"
backend_setup()
{
	local ns=$1 n=$2

	ip -n "$S" link add "s$n" type veth peer name be0 netns "$ns"
	ip -n "$S" link set "s$n" master br0 up
	ip -n "$ns" link set be0 address "02:21:00:00:00:0$n" up
	ip netns exec "$ns" sysctl -qw net.ipv4.conf.all.arp_ignore=1 \
		net.ipv4.conf.all.arp_announce=2 net.ipv4.conf.all.rp_filter=0
	addr "$ns" be0 "10.21.0.1$n/24"
	addr "$ns" lo $VIP/32
	if [ "$n" = 1 ]; then
		# an IPv6 VIP too: on lo, where no NS on be0 finds it
		ipv6_on "$ns" be0
		ip -n "$ns" addr add fd00:21::11/64 dev be0 nodad
		ip -n "$ns" addr add $VIP6/128 dev lo
	fi
	ip netns exec "$ns" python3 -c '
import socket, sys
l = socket.socket(socket.AF_INET6)
l.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("::", 80))
l.listen(64)
while True:
    c, _ = l.accept()
    c.sendall(sys.argv[1].encode() + b"\n")
    c.close()
' "b$n" &
	defer "kill $! 2>/dev/null"
	wait_for 20 listening "$ns" 80
}

be_add()
{
	pcn -n "$L" backend add cube lb0 vip $VIP port 80 proto tcp \
		addr "10.21.0.1$1" mac "02:21:00:00:00:0$1" weight "$2"
}

# JSON counter of backend N
be_stat()
{
	pcn -n "$L" -j -s backend show cube lb0 |
		jq -e ".[] | select(.addr == \"10.21.0.1$1\") | .stats.$2"
}

# share of backend b$2 in FILE $1 within 40% of WANT ($3)
within()
{
	local n

	n=$(count "$1" "b$2")
	echo "b$2: $n flows, $3 for its weight"
	[ $((n * 10)) -ge $(($3 * 6)) ] && [ $((n * 10)) -le $(($3 * 14)) ]
}

lbdsr_traffic()
{
	local mode=$1 d st p

	lbdsr_setup "$mode"
	d=$(mktemp -d "${TMPDIR:-/tmp}/pcn-lb.XXXXXX")
	defer "rm -rf $d"

	# a service without backends drops (no answer, counted)
	fails ask 21000
	pcn -n "$L" -j -s cube show lb0 |
		jq -e '.[0].stats.lbdsr.no_backend >= 1 and .[0].stats.lbdsr.arp_replied >= 1'

	be_add 1 1
	be_add 2 2
	be_add 3 3
	ask_range 30000 30149 "$d/a"
	[ "$(grep -c ' b[123]$' "$d/a")" = 150 ]
	within "$d/a" 1 25
	within "$d/a" 2 50
	within "$d/a" 3 75
	# counters: a flow each; the replies never came back through
	[ "$(($(be_stat 1 flows) + $(be_stat 2 flows) + $(be_stat 3 flows)))" = 150 ]
	[ "$(be_stat 3 packets)" -gt "$(count "$d/a" b3)" ]
	st=$(stable_stats "$L" lb0)
	jq -e '.[0].stats.lbdsr.returned == 0 and .[0].stats.lbdsr.balanced >= 450' <<<"$st"
	jq -e '.[0].ports[] | select(.name == "be") | .stats.rx.packets == 0' <<<"$st"
	pcn -n "$L" -j -s service show cube lb0 |
		jq -e '.[0].backends == 3 and .[0].stats.flows == 150'

	# an IPv6 VIP: the client's NS answered by the cube, its flow
	# balanced to b1 by MAC, the answer straight back on c1
	pcn -n "$L" service add cube lb0 vip $VIP6 port 80 proto tcp
	pcn -n "$L" backend add cube lb0 vip $VIP6 port 80 proto tcp \
		addr fd00:21::11 mac 02:21:00:00:00:01
	ask6
	pcn -n "$L" -j -s cube show lb0 |
		jq -e '.[0].stats.lbdsr.nd_replied >= 1 and .[0].stats.lbdsr.returned == 0'
	ip -n "$C" -6 neigh show $VIP6 dev c0 | grep -q lladdr
	pcn -n "$L" service del cube lb0 vip $VIP6 port 80 proto tcp

	# a new backend: new flows reach it, the old ones stay where they were
	be_add 4 3
	ask_range 30000 30149 "$d/b"
	cmp "$d/a" "$d/b"
	ask_range 31000 31099 "$d/c"
	[ "$(count "$d/c" b4)" -gt 10 ]

	# drained: no new flow, its flows kept
	pcn -n "$L" backend set cube lb0 vip $VIP port 80 proto tcp \
		addr 10.21.0.14 weight 0
	ask_range 32000 32099 "$d/e"
	[ "$(count "$d/e" b4)" = 0 ]
	[ "$(grep -c ' b[123]$' "$d/e")" = 100 ]
	ask_range 31000 31099 "$d/f"
	cmp "$d/c" "$d/f"

	# removed: its flows go to the others, theirs stay
	pcn -n "$L" backend del cube lb0 vip $VIP port 80 proto tcp \
		addr 10.21.0.12
	ask_range 30000 30149 "$d/g"
	[ "$(count "$d/g" b2)" = 0 ]
	[ "$(grep -c ' b[134]$' "$d/g")" = 150 ]
	diff <(grep -v ' b2$' "$d/a") <(grep -v -f <(awk '$2 == "b2" { print "^" $1 " " }' "$d/a") "$d/g")
	pcn -n "$L" -j backend show | jq -e 'length == 3'

	# the service goes: nothing is answered, nothing is left
	pcn -n "$L" service del cube lb0 vip $VIP port 80 proto tcp
	pcn -n "$L" -j backend show | jq -e 'length == 0'
	fails ask 30000

	# source affinity: every port of a client, one backend
	pcn -n "$L" service add cube lb0 vip $VIP port 80 proto tcp affinity source
	be_add 1 1
	be_add 2 1
	be_add 3 1
	ask_range 33000 33019 "$d/s"
	[ "$(wc -l <"$d/s")" = 20 ]
	[ "$(awk '{ print $2 }' "$d/s" | sort -u | wc -l)" = 1 ]
	grep -q ' b[123]$' "$d/s"
}

# bad input: one Error line, its exit code, the tree unchanged
lbdsr_bad_input()
{
	local before

	setup_root
	add_ns L
	pcn -n "$L" cube add lb0 type lbdsr
	pcn -n "$L" cube add fw0 type forwarder
	pcn -n "$L" service add cube lb0 vip 10.21.9.100 port 80 proto tcp
	pcn -n "$L" service add cube lb0 vip 2001:db8::100 port 443 proto tcp
	pcn -n "$L" backend add cube lb0 vip 10.21.9.100 port 80 proto tcp \
		addr 10.21.0.11 mac 02:21:00:00:00:01
	before=$(tree_snapshot)
	# duplicates
	expect_err 2 pcn -n "$L" service add cube lb0 vip 10.21.9.100 port 80 proto tcp
	expect_err 2 pcn -n "$L" backend add cube lb0 vip 10.21.9.100 port 80 proto tcp addr 10.21.0.11 mac 02:21:00:00:00:02
	# weight out of range
	expect_err 1 pcn -n "$L" backend add cube lb0 vip 10.21.9.100 port 80 proto tcp addr 10.21.0.12 mac 02:21:00:00:00:02 weight 1001
	expect_err 1 pcn -n "$L" backend add cube lb0 vip 10.21.9.100 port 80 proto tcp addr 10.21.0.12 mac 02:21:00:00:00:02 weight -1
	expect_err 1 pcn -n "$L" backend set cube lb0 vip 10.21.9.100 port 80 proto tcp addr 10.21.0.11 weight x
	# wrong family
	expect_err 1 pcn -n "$L" backend add cube lb0 vip 10.21.9.100 port 80 proto tcp addr 2001:db8::1 mac 02:21:00:00:00:02
	expect_err 1 pcn -n "$L" backend add cube lb0 vip 2001:db8::100 port 443 proto tcp addr 10.21.0.12 mac 02:21:00:00:00:02
	# a VIP (or port, or protocol) with no service
	expect_err 2 pcn -n "$L" backend add cube lb0 vip 10.21.9.101 port 80 proto tcp addr 10.21.0.12 mac 02:21:00:00:00:02
	expect_err 2 pcn -n "$L" backend add cube lb0 vip 10.21.9.100 port 81 proto tcp addr 10.21.0.12 mac 02:21:00:00:00:02
	expect_err 2 pcn -n "$L" backend add cube lb0 vip 10.21.9.100 port 80 proto udp addr 10.21.0.12 mac 02:21:00:00:00:02
	expect_err 2 pcn -n "$L" service del cube lb0 vip 10.21.9.101 port 80 proto tcp
	expect_err 2 pcn -n "$L" backend del cube lb0 vip 10.21.9.100 port 80 proto tcp addr 10.21.0.13
	# malformed
	expect_err 1 pcn -n "$L" service add cube lb0 vip 10.21.9.0/24 port 80 proto tcp
	expect_err 1 pcn -n "$L" service add cube lb0 vip 10.21.9.102 port 0 proto tcp
	expect_err 1 pcn -n "$L" service add cube lb0 vip 10.21.9.102 port 65536 proto tcp
	expect_err 1 pcn -n "$L" service add cube lb0 vip 10.21.9.102 port 80 proto icmp
	expect_err 1 pcn -n "$L" service add cube lb0 vip 10.21.9.102 port 80
	expect_err 1 pcn -n "$L" service add cube lb0 vip 10.21.9.102 port 80 proto tcp affinity sticky
	expect_err 1 pcn -n "$L" service add cube lb0 vip 10.21.9.102 vip 10.21.9.103 port 80 proto tcp
	expect_err 1 pcn -n "$L" backend add cube lb0 vip 10.21.9.100 port 80 proto tcp addr 10.21.0.12
	expect_err 1 pcn -n "$L" backend add cube lb0 vip 10.21.9.100 port 80 proto tcp addr 10.21.0.12 mac ff:ff:ff:ff:ff:ff
	expect_err 1 pcn -n "$L" backend set cube lb0 vip 10.21.9.100 port 80 proto tcp addr 10.21.0.11
	expect_err 1 pcn -n "$L" cube set lb0 frontend
	expect_err 1 pcn -n "$L" cube set lb0 mac 01:00:00:00:00:01
	expect_err 2 pcn -n "$L" cube set lb0 frontend nope
	# not a load balancer, not a cube
	expect_err 2 pcn -n "$L" service add cube fw0 vip 10.21.9.102 port 80 proto tcp
	expect_err 2 pcn -n "$L" service add cube nope vip 10.21.9.102 port 80 proto tcp
	[ "$before" = "$(tree_snapshot)" ]
	# flush takes everything
	pcn -n "$L" service flush cube lb0
	pcn -n "$L" -j service show | jq -e 'length == 0'
	pcn -n "$L" -j backend show | jq -e 'length == 0'
}

# pcn save writes the cube, its services and backends; restored, the
# same text
lbdsr_save()
{
	local a b

	setup_root
	add_ns L
	add_veth "$L" lf "$L" lfp
	pcn -n "$L" cube add lb0 type lbdsr mode tc
	pcn -n "$L" link add lb0:fe dev lf
	pcn -n "$L" cube set lb0 frontend fe mac 02:21:00:00:00:aa
	pcn -n "$L" service add cube lb0 vip 10.21.9.100 port 80 proto tcp
	pcn -n "$L" service add cube lb0 vip 2001:db8::100 port 53 proto udp affinity source
	pcn -n "$L" backend add cube lb0 vip 2001:db8::100 port 53 proto udp addr 2001:db8::11 mac 02:21:00:00:00:01 weight 0
	pcn -n "$L" backend add cube lb0 vip 10.21.9.100 port 80 proto tcp addr 10.21.0.12 mac 02:21:00:00:00:02 weight 7
	pcn -n "$L" backend add cube lb0 vip 10.21.9.100 port 80 proto tcp addr 10.21.0.11 mac 02:21:00:00:00:01
	a=$(pcn -n "$L" save)
	grep -q '^backend add cube lb0 vip 2001:db8::100 port 53 proto udp addr 2001:db8::11 mac 02:21:00:00:00:01 weight 0$' <<<"$a"
	grep -q '^cube set lb0 mac 02:21:00:00:00:aa$' <<<"$a"
	pcn -n "$L" cube flush
	pcn -n "$L" restore <(echo "$a")
	b=$(pcn -n "$L" save)
	[ "$a" = "$b" ]
}

run_test lbdsr_bad_input lbdsr_bad_input
run_test lbdsr_save lbdsr_save
run_test lbdsr_xdp lbdsr_traffic xdp
run_test lbdsr_tc lbdsr_traffic tc
tap_done
