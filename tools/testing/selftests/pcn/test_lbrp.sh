#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The lbrp load balancer (reverse proxy) with real traffic, in XDP and
# in TC. A client (C) behind port p1 of a pcn router (in R) reaches a
# VIP; lbrp sits on p1. Three backends (B1..B3) on a Linux bridge (in
# S) behind p2 listen on port 8080 and answer with their name and the
# address they see the client from. The cube rewrites VIP:80 to a
# backend's address and port 8080 on the way in and the backend's
# replies back to VIP:80 on the way out: the client speaks to the VIP
# only, the backend sees the client's own address.
#
#   C c0 --- r1 [r0 (router), lbrp on p1] r2 --- sl (bridge in S) --- B1..B3
#
# Flows are TCP connections from fixed source ports: which backend each
# takes depends on the hash and the table alone, so the spread by
# weight is checked against the tolerance lbdsr's test documents (each
# backend's share of 150 flows within 40% of its weight's share), and a
# flow reconnected from its port finds its backend again. Also: a UDP
# service whose backend port is closed refuses the client's connected
# socket (the backend's ICMP error translated back), and an IPv6 VIP
# (C and B1 speak IPv6, the router finds B1 by NDP).

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

VIP=10.22.9.100
CLIENT=10.22.1.2

# From each source port FIRST..LAST, connect to VIP:80 and read the
# answer (waiting WAIT seconds, 3 by default): "PORT NAME SEEN" lines (NAME "-" when none answered, SEEN the
# client address the backend saw). SO_LINGER 0: the client resets, so
# the same port can ask again at once.
ask_range()
{
	ip netns exec "$C" python3 - "$1" "$2" "${4:-3}" >"$3" <<'PY'
import socket, struct, sys
for p in range(int(sys.argv[1]), int(sys.argv[2]) + 1):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.settimeout(float(sys.argv[3]))
    ans = "- -"
    try:
        s.bind(("", p))
        s.connect(("10.22.9.100", 80))
        ans = s.recv(64).decode().strip() or "- -"
        if s.getpeername() != ("10.22.9.100", 80):
            ans = "- wrong-peer"
    except OSError:
        pass
    s.close()
    print(p, ans)
PY
}

# one flow from PORT answered (within 1 s: the tests that use it
# expect no answer)
ask()
{
	local f rc

	f=$(mktemp "${TMPDIR:-/tmp}/pcn-lbrp.XXXXXX")
	ask_range "$1" "$1" "$f" 1
	grep -q ' b[0-9] ' "$f"
	rc=$?
	rm -f "$f"
	return $rc
}

# a connected UDP socket to VIP:53 is refused (an answer, or no word
# within 3 s, fails)
udp_refused()
{
	ip netns exec "$C" python3 - <<'PY'
import errno, socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(3)
s.connect(("10.22.9.100", 53))
s.send(b"anyone?")
try:
    s.recv(64)
    sys.exit("an answer")
except ConnectionRefusedError:
    print("# ECONNREFUSED")
PY
}

# a TCP connection to [fd00:22:9::100]:80 answered WANT, from the VIP
ask6()
{
	ip netns exec "$C" python3 - "$1" <<'PY'
import socket, sys
s = socket.socket(socket.AF_INET6)
s.settimeout(4)		# a first SYN lost to NDP is sent again in 1 s
s.connect(("fd00:22:9::100", 80))
ans = s.recv(64).decode().strip()
assert s.getpeername()[:2] == ("fd00:22:9::100", 80), s.getpeername()
print("#", ans)
sys.exit(ans != sys.argv[1])
PY
}

count()
{
	awk -v b="$2" '$2 == b { n++ } END { print n + 0 }' "$1"
}

within()
{
	local n

	n=$(count "$1" "b$2")
	echo "b$2: $n flows, $3 for its weight"
	[ $((n * 10)) -ge $(($3 * 6)) ] && [ $((n * 10)) -le $(($3 * 14)) ]
}

# IPv6 back on in NS (quiet_ns turned it off) for IFNAME, with address
# ADDR and default route via GW
ipv6_on()
{
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=0 \
		"net.ipv6.conf.$2.disable_ipv6=0" \
		net.ipv6.conf.all.accept_ra=0 "net.ipv6.conf.$2.accept_ra=0"
	ip -n "$1" addr add "$3" dev "$2" nodad
	ip -n "$1" -6 route add default via "$4"
}

# backend N in NS: 10.22.0.1N, a server on 8080 answering "bN CLIENT"
backend_setup()
{
	local ns=$1 n=$2

	ip -n "$S" link add "s$n" type veth peer name be0 netns "$ns"
	ip -n "$S" link set "s$n" master br0 up
	ip -n "$ns" link set be0 up
	addr "$ns" be0 "10.22.0.1$n/24"
	ip -n "$ns" route add default via 10.22.0.1
	[ "$n" != 1 ] || ipv6_on "$ns" be0 fd00:22::11/64 fd00:22::1
	ip netns exec "$ns" python3 -c '
import socket, sys
l = socket.socket(socket.AF_INET6)
l.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("::", 8080))
l.listen(64)
while True:
    c, a = l.accept()
    a = a[0].removeprefix("::ffff:")
    c.sendall(("%s %s\n" % (sys.argv[1], a)).encode())
    c.close()
' "b$n" &
	defer "kill $! 2>/dev/null"
	wait_for 20 listening "$ns" 8080
}

# the namespaces, the backends and their servers, for both modes
lbrp_hosts()
{
	local i

	need_type lbrp
	need_type router
	setup_root
	add_ns C
	add_ns R
	add_ns S
	for i in C R S; do quiet_ns "${!i}"; done
	add_veth "$C" c0 "$R" r1
	add_veth "$R" r2 "$S" sl
	veth_xdp_ready "$C" c0
	veth_xdp_ready "$S" sl
	ip -n "$S" link add br0 type bridge
	ip -n "$S" link set br0 up
	ip -n "$S" link set sl master br0
	addr "$C" c0 $CLIENT/24
	ip -n "$C" route add default via 10.22.1.1
	ipv6_on "$C" c0 fd00:22:1::2/64 fd00:22:1::1
	for i in 1 2 3; do
		add_ns "B$i"
		quiet_ns "$(eval echo \$B$i)"
		backend_setup "$(eval echo \$B$i)" "$i"
	done
}

# the router and the lbrp on its port p1, in MODE
lbrp_cubes()
{
	local mode=$1 i

	pcn -n "$R" cube add r0 type router mode "$mode"
	pcn -n "$R" link add r0:p1 dev r1
	pcn -n "$R" link add r0:p2 dev r2
	pcn -n "$R" addr add 10.22.1.1/24 port r0:p1
	pcn -n "$R" addr add 10.22.0.1/24 port r0:p2
	pcn -n "$R" addr add fd00:22:1::1/64 port r0:p1
	pcn -n "$R" addr add fd00:22::1/64 port r0:p2
	pcn -n "$R" cube add lr0 type lbrp mode "$mode"
	pcn -n "$R" link add lr0 port r0:p1
	pcn -n "$R" service add cube lr0 vip $VIP port 80 proto tcp
	# the router learns the next hops (a first SYN that goes to it is
	# sent again, within ask_range's wait)
	for i in 1 2 3; do
		ip netns exec "$C" ping -c 1 -W 1 -q "10.22.0.1$i" >/dev/null || true
	done
	ip netns exec "$C" ping -6 -c 1 -W 1 -q fd00:22::11 >/dev/null || true
}

be_add()
{
	pcn -n "$R" backend add cube lr0 vip $VIP port 80 proto tcp \
		addr "10.22.0.1$1" target-port 8080 weight "$2"
}

be_stat()
{
	pcn -n "$R" -j -s backend show cube lr0 |
		jq -e ".[] | select(.addr == \"10.22.0.1$1\") | .stats.$2"
}

# the scenario in MODE, on lbrp_hosts' namespaces, its files in DIR;
# the spread by weight and draining in XDP only (the choice of a
# backend is the same code in both), 60 flows in TC
lbrp_traffic()
{
	local mode=$1 d=$2 n=150 st

	echo "# $mode"
	[ "$mode" = xdp ] || n=60
	lbrp_cubes "$mode"

	# a service without backends drops (no answer, counted)
	fails ask 21000
	pcn -n "$R" -j -s cube show lr0 |
		jq -e '.[0].stats.ingress.no_backend >= 1'

	be_add 1 1
	be_add 2 2
	be_add 3 3
	ask_range 30000 $((30000 + n - 1)) "$d/a"
	# every flow answered, from VIP:80, the client's address seen
	[ "$(grep -c " b[123] $CLIENT\$" "$d/a")" = $n ]
	if [ "$mode" = xdp ]; then
		within "$d/a" 1 25
		within "$d/a" 2 50
		within "$d/a" 3 75
	fi
	[ "$(($(be_stat 1 flows) + $(be_stat 2 flows) + $(be_stat 3 flows)))" = $n ]
	st=$(pcn -n "$R" -j -s cube show lr0)
	jq -e ".[0].stats.ingress.balanced >= $((3 * n)) and .[0].stats.egress.replied >= $((2 * n))" <<<"$st"
	pcn -n "$R" -j -s service show cube lr0 |
		jq -e ".[0].backends == 3 and .[0].stats.flows == $n"

	# a UDP service whose backend port is closed: the backend's port
	# unreachable reaches the client's connected socket, which takes
	# it for its own (ECONNREFUSED) only with the quote translated
	pcn -n "$R" service add cube lr0 vip $VIP port 53 proto udp
	pcn -n "$R" backend add cube lr0 vip $VIP port 53 proto udp \
		addr 10.22.0.11 target-port 5353
	udp_refused
	pcn -n "$R" -j -s cube show lr0 |
		jq -e '.[0].stats.egress.icmp_translated >= 1'
	pcn -n "$R" service del cube lr0 vip $VIP port 53 proto udp

	# an IPv6 VIP, the router finding the backend by NDP
	pcn -n "$R" service add cube lr0 vip fd00:22:9::100 port 80 proto tcp
	pcn -n "$R" backend add cube lr0 vip fd00:22:9::100 port 80 \
		proto tcp addr fd00:22::11 target-port 8080
	ask6 "b1 fd00:22:1::2"
	pcn -n "$R" -j -s service show cube lr0 |
		jq -e '.[] | select(.vip == "fd00:22:9::100") | .stats.flows == 1'
	pcn -n "$R" service del cube lr0 vip fd00:22:9::100 port 80 proto tcp

	# the same ports again: the same backends
	ask_range 30000 $((30000 + n - 1)) "$d/b"
	cmp "$d/a" "$d/b"

	if [ "$mode" = xdp ]; then
		# drained: no new flow, its flows kept
		pcn -n "$R" backend set cube lr0 vip $VIP port 80 proto tcp \
			addr 10.22.0.13 target-port 8080 weight 0
		ask_range 32000 32059 "$d/e"
		[ "$(count "$d/e" b3)" = 0 ]
		[ "$(grep -c ' b[12] ' "$d/e")" = 60 ]
		pcn -n "$R" backend set cube lr0 vip $VIP port 80 proto tcp \
			addr 10.22.0.13 target-port 8080 weight 3
	fi

	# removed: its flows go to the others, theirs stay where they were
	pcn -n "$R" backend del cube lr0 vip $VIP port 80 proto tcp \
		addr 10.22.0.12 target-port 8080
	ask_range 30000 $((30000 + n - 1)) "$d/g"
	[ "$(count "$d/g" b2)" = 0 ]
	[ "$(grep -c " b[13] $CLIENT\$" "$d/g")" = $n ]
	diff <(grep -v ' b2 ' "$d/a") <(grep -v -f <(awk '$2 == "b2" { print "^" $1 " " }' "$d/a") "$d/g")
	pcn -n "$R" -j backend show | jq -e 'length == 2'

	# what is not for a VIP crosses untouched: the backends by address
	ping_ok "$C" 10.22.0.11 1

	# the service goes: nothing is answered
	pcn -n "$R" service del cube lr0 vip $VIP port 80 proto tcp
	pcn -n "$R" -j backend show | jq -e 'length == 0'
	fails ask 30000
	pcn -n "$R" cube flush
}

# one set of namespaces for both modes: their setup is most of the cost
lbrp_xdp_tc()
{
	local d

	lbrp_hosts
	d=$(mktemp -d "${TMPDIR:-/tmp}/pcn-lbrp.XXXXXX")
	defer "rm -rf $d"
	lbrp_traffic xdp "$d"
	lbrp_traffic tc "$d"
}

# bad input: one Error line, its exit code, the tree unchanged
lbrp_bad_input()
{
	local before

	need_type lbrp
	setup_root
	add_ns L
	pcn -n "$L" cube add lr0 type lbrp
	pcn -n "$L" cube add lb0 type lbdsr
	pcn -n "$L" cube add fw0 type forwarder
	pcn -n "$L" service add cube lr0 vip 10.22.9.100 port 80 proto tcp
	pcn -n "$L" service add cube lr0 vip 2001:db8::100 port 443 proto tcp
	pcn -n "$L" service add cube lb0 vip 10.22.9.100 port 80 proto tcp
	pcn -n "$L" backend add cube lr0 vip 10.22.9.100 port 80 proto tcp \
		addr 10.22.0.11 target-port 8080
	# the same address on another port is another backend
	pcn -n "$L" backend add cube lr0 vip 10.22.9.100 port 80 proto tcp \
		addr 10.22.0.11
	pcn -n "$L" -j backend show cube lr0 |
		jq -e '[.[].target_port] | sort == [80, 8080]'
	before=$(tree_snapshot)
	# duplicates
	expect_err 2 pcn -n "$L" service add cube lr0 vip 10.22.9.100 port 80 proto tcp
	expect_err 2 pcn -n "$L" backend add cube lr0 vip 10.22.9.100 port 80 proto tcp addr 10.22.0.11 target-port 8080
	expect_err 2 pcn -n "$L" backend add cube lr0 vip 10.22.9.100 port 80 proto tcp addr 10.22.0.11 target-port 80
	# out of range, malformed, of the wrong type
	expect_err 1 pcn -n "$L" backend add cube lr0 vip 10.22.9.100 port 80 proto tcp addr 10.22.0.12 weight 1001
	expect_err 1 pcn -n "$L" backend add cube lr0 vip 10.22.9.100 port 80 proto tcp addr 10.22.0.12 target-port 0
	expect_err 1 pcn -n "$L" backend add cube lr0 vip 10.22.9.100 port 80 proto tcp addr 10.22.0.12 target-port 65536
	expect_err 1 pcn -n "$L" backend add cube lr0 vip 10.22.9.100 port 80 proto tcp addr 10.22.0.12 target-port 80 target-port 81
	expect_err 1 pcn -n "$L" backend add cube lr0 vip 10.22.9.100 port 80 proto tcp addr 10.22.0.12 mac 02:22:00:00:00:01
	expect_err 1 pcn -n "$L" backend add cube lb0 vip 10.22.9.100 port 80 proto tcp addr 10.22.0.12 mac 02:22:00:00:00:01 target-port 8080
	expect_err 1 pcn -n "$L" backend add cube lr0 vip 10.22.9.100 port 80 proto tcp addr 10.22.0.0/24
	expect_err 1 pcn -n "$L" backend set cube lr0 vip 10.22.9.100 port 80 proto tcp addr 10.22.0.11 target-port 8080 mac 02:22:00:00:00:01
	# wrong family
	expect_err 1 pcn -n "$L" backend add cube lr0 vip 10.22.9.100 port 80 proto tcp addr 2001:db8::1
	expect_err 1 pcn -n "$L" backend add cube lr0 vip 2001:db8::100 port 443 proto tcp addr 10.22.0.12
	# no such service, backend, cube; not a load balancer
	expect_err 2 pcn -n "$L" backend add cube lr0 vip 10.22.9.101 port 80 proto tcp addr 10.22.0.12
	expect_err 2 pcn -n "$L" backend add cube lr0 vip 10.22.9.100 port 80 proto udp addr 10.22.0.12
	expect_err 2 pcn -n "$L" backend del cube lr0 vip 10.22.9.100 port 80 proto tcp addr 10.22.0.11 target-port 81
	expect_err 2 pcn -n "$L" service del cube lr0 vip 10.22.9.100 port 81 proto tcp
	expect_err 2 pcn -n "$L" service add cube fw0 vip 10.22.9.102 port 80 proto tcp
	expect_err 2 pcn -n "$L" backend show cube fw0
	expect_err 2 pcn -n "$L" service add cube nope vip 10.22.9.102 port 80 proto tcp
	expect_err 1 pcn -n "$L" service show cube lr0 vip 10.22.9.100
	expect_err 1 pcn -n "$L" cube set lr0 frontend p1
	[ "$before" = "$(tree_snapshot)" ]
	# show lists both types' services, each under its cube
	pcn -n "$L" -j service show | jq -e 'length == 3'
	pcn -n "$L" service flush cube lr0
	pcn -n "$L" -j service show | jq -e 'length == 1 and .[0].cube == "lb0"'
}

# pcn save writes the cube, its services and backends; restored, the
# same text
lbrp_save()
{
	local a b

	need_type lbrp
	setup_root
	add_ns L
	add_veth "$L" lf "$L" lfp
	pcn -n "$L" cube add lr0 type lbrp mode tc
	pcn -n "$L" link add lr0 dev lf
	pcn -n "$L" service add cube lr0 vip 10.22.9.100 port 80 proto tcp
	pcn -n "$L" service add cube lr0 vip 2001:db8::100 port 53 proto udp affinity source
	pcn -n "$L" backend add cube lr0 vip 2001:db8::100 port 53 proto udp addr 2001:db8::11 target-port 5353 weight 0
	pcn -n "$L" backend add cube lr0 vip 10.22.9.100 port 80 proto tcp addr 10.22.0.12 weight 7
	pcn -n "$L" backend add cube lr0 vip 10.22.9.100 port 80 proto tcp addr 10.22.0.11 target-port 8080
	a=$(pcn -n "$L" save)
	grep -q '^backend add cube lr0 vip 2001:db8::100 port 53 proto udp addr 2001:db8::11 target-port 5353 weight 0$' <<<"$a"
	grep -q '^backend add cube lr0 vip 10.22.9.100 port 80 proto tcp addr 10.22.0.12 target-port 80 weight 7$' <<<"$a"
	pcn -n "$L" cube flush
	pcn -n "$L" restore <(echo "$a")
	b=$(pcn -n "$L" save)
	[ "$a" = "$b" ]
}

run_test lbrp_bad_input lbrp_bad_input
run_test lbrp_save lbrp_save
run_test lbrp_xdp_tc lbrp_xdp_tc
tap_done
