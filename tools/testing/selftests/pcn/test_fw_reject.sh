#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The firewall's action reject with real clients: a host H2 behind a
# firewall on its interface e2, talked to by H1. A TCP connect() to a
# port that has a listener is refused at once (a RST, or an ICMP port
# unreachable), a UDP datagram to a bound port gets the ICMP port
# unreachable its sender's socket reports, ping prints "Destination Port
# Unreachable"; IPv4 and IPv6; XDP and TC on the way in, TC on the way out
# (H2's own socket refused). Every answer is counted (rejected), and a
# packet a rule rejects never gets through. Bad input refused.

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# H1 (10.232.0.1, fd32::1) - veth - H2 (10.232.0.2, fd32::2), firewall
# fw0 on H2's e2, in mode $1, at $2 (ingress)
pair()
{
	setup_root
	add_ns H1
	add_ns H2
	add_veth "$H1" e1 "$H2" e2
	addr "$H1" e1 10.232.0.1/24
	addr "$H2" e2 10.232.0.2/24
	ip -n "$H1" addr add fd32::1/64 dev e1 nodad
	ip -n "$H2" addr add fd32::2/64 dev e2 nodad
	ip -n "$H1" neigh add fd32::2 dev e1 nud permanent lladdr \
		"$(ip -n "$H2" -j link show dev e2 | jq -r '.[0].address')"
	ip -n "$H2" neigh add fd32::1 dev e2 nud permanent lladdr \
		"$(ip -n "$H1" -j link show dev e1 | jq -r '.[0].address')"
	ip -n "$H1" neigh add 10.232.0.2 dev e1 nud permanent lladdr \
		"$(ip -n "$H2" -j link show dev e2 | jq -r '.[0].address')"
	veth_xdp_ready "$H1" e1
	veth_xdp_ready "$H2" e2
	pcn -n "$H2" cube add fw0 type firewall mode "$1"
	pcn -n "$H2" link add fw0 dev e2 "${2:-ingress}"
}

# refused NS ADDR PORT {tcp|udp}: a connect() (tcp), or a datagram sent
# on a connected socket and a recv() (udp), fails with ECONNREFUSED
# within 2 seconds: not a timeout, not an answer
refused()
{
	ip netns exec "$1" python3 - "$2" "$3" "$4" <<'EOF'
import socket, sys
addr, port, kind = sys.argv[1], int(sys.argv[2]), sys.argv[3]
fam = socket.AF_INET6 if ':' in addr else socket.AF_INET
typ = socket.SOCK_STREAM if kind == 'tcp' else socket.SOCK_DGRAM
s = socket.socket(fam, typ)
s.settimeout(2)
try:
    s.connect((addr, port))
    if kind == 'udp':
        s.send(b'x')
        s.recv(10)
    print('%s %s:%d: connected or answered' % (kind, addr, port))
except ConnectionRefusedError:
    sys.exit(0)
except Exception as e:
    print('%s %s:%d: %r' % (kind, addr, port, e))
sys.exit(1)
EOF
}

# serve NS PORT: a TCP listener and a bound UDP socket on PORT (both
# families), so that no refusal comes from the host's own stack
serve()
{
	ip netns exec "$1" timeout 30 socat -u \
		TCP6-LISTEN:"$2",reuseaddr,ipv6only=0,fork /dev/null &
	defer "kill $! 2>/dev/null"
	ip netns exec "$1" timeout 30 socat -u \
		UDP6-RECV:"$2",ipv6only=0 /dev/null &
	defer "kill $! 2>/dev/null"
	wait_for 5 listening "$1" "$2"
	wait_for 5 udp_bound "$1" "$2"
}

udp_bound()
{
	ip netns exec "$1" ss -Huln "sport = :$2" | grep -q .
}

# stat NS CHAIN FIELD: a statistic of fw0
stat()
{
	pcn -n "$1" -j -s cube show fw0 | jq ".[0].stats.$2.$3"
}

# hits NS CHAIN N: the packets rule N counted
hits()
{
	pcn -n "$1" -j rule show fw0 "$2" | jq ".[0].rules[$(($3 - 1))].packets"
}

ingress()
{
	local m=$1 out

	pair "$m"
	serve "$H2" 7100
	serve "$H2" 7101
	pcn -n "$H2" rule append fw0 ingress proto tcp dport 7100 \
		action reject with tcp-reset
	pcn -n "$H2" rule append fw0 ingress proto tcp dport 7101 action reject
	pcn -n "$H2" rule append fw0 ingress proto udp dport 7100-7101 \
		action reject
	pcn -n "$H2" rule append fw0 ingress proto icmp action reject
	pcn -n "$H2" rule append fw0 ingress proto icmpv6 \
		icmp-type echo-request action reject
	pcn -n "$H2" -j rule show fw0 ingress |
		jq -e '.[0].rules[0].action == "reject" and
			.[0].rules[0].reject_with == "tcp-reset" and
			.[0].rules[1].reject_with == "icmp-port-unreachable"'
	# TCP: a RST, and an ICMP port unreachable, both refuse connect()
	refused "$H1" 10.232.0.2 7100 tcp
	refused "$H1" fd32::2 7100 tcp
	refused "$H1" 10.232.0.2 7101 tcp
	refused "$H1" fd32::2 7101 tcp
	[ "$(hits "$H2" ingress 1)" -ge 2 ]
	[ "$(hits "$H2" ingress 2)" -ge 2 ]
	# UDP: the sender's socket sees the port unreachable
	refused "$H1" 10.232.0.2 7100 udp
	refused "$H1" fd32::2 7101 udp
	[ "$(hits "$H2" ingress 3)" -ge 2 ]
	# ping: the port unreachable, as ping prints it (its output kept
	# whole: ping fails without an echo reply, and grep -q would cut
	# the pipe)
	out=$(ip netns exec "$H1" ping -c 1 -W 2 10.232.0.2 || true)
	grep -q "Destination Port Unreachable" <<<"$out"
	out=$(ip netns exec "$H1" ping -6 -c 1 -W 2 fd32::2 || true)
	grep -q "Destination unreachable: Port unreachable" <<<"$out"
	[ "$(hits "$H2" ingress 4)" -ge 1 ]
	[ "$(hits "$H2" ingress 5)" -ge 1 ]
	[ "$(stat "$H2" ingress rejected)" -ge 8 ]
	[ "$(stat "$H2" ingress dropped)" -ge 8 ]
	# a port no rule rejects still works
	tcp_transfer "$H1" "$H2" 10.232.0.2 10000
}

# tc only (XDP has no egress hook): H2's own socket refused on its way out
egress()
{
	pair tc egress
	serve "$H1" 7102
	pcn -n "$H2" rule append fw0 egress proto udp dport 7102 action reject
	pcn -n "$H2" rule append fw0 egress proto tcp dport 7102 \
		action reject with tcp-reset
	refused "$H2" 10.232.0.1 7102 udp
	refused "$H2" 10.232.0.1 7102 tcp
	refused "$H2" fd32::1 7102 tcp
	[ "$(stat "$H2" egress rejected)" -ge 3 ]
}

bad_input()
{
	local before

	pair "$1"
	# no IPv6 traffic moving counters behind the snapshots' backs
	quiet_ns "$H1"
	quiet_ns "$H2"
	before=$(tree_snapshot)
	expect_err 1 pcn -n "$H2" rule append fw0 ingress action reject with bogus
	expect_err 1 pcn -n "$H2" rule append fw0 ingress proto udp \
		action reject with tcp-reset
	expect_err 1 pcn -n "$H2" rule append fw0 ingress action reject \
		with tcp-reset
	expect_err 1 pcn -n "$H2" rule append fw0 ingress src fd32::1 \
		action reject with icmp-host-prohibited
	expect_err 1 pcn -n "$H2" rule append fw0 ingress \
		action reject with icmp6-no-route
	expect_err 1 pcn -n "$H2" rule append fw0 ingress action reject with
	expect_err 1 pcn -n "$H2" rule append fw0 ingress action drop with tcp-reset
	expect_err 1 pcn -n "$H2" cube set fw0 ingress reject
	[ "$before" = "$(tree_snapshot)" ]
}

run_test fw_reject_ingress_xdp ingress xdp
run_test fw_reject_ingress_tc ingress tc
run_test fw_reject_bad_input_tc bad_input tc
run_test fw_reject_egress_tc egress
tap_done
