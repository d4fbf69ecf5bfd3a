#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The nat cube with real traffic, Polycube's NAT scenarios: two inside
# hosts behind a pcn router with nat on its outside port reach an
# outside host that has no route to them, by ping, TCP (socat) and UDP
# (masquerade, SNAT); the two use one source port at once; the outside
# reaches an inside server by port forwarding (DNAT); 1:1 both ways;
# removing the rules stops new flows and leaves translated ones going;
# masquerade on an interface where Linux forwards (tc); ICMP errors
# about translated flows (a UDP datagram to a closed port, either way)
# reach the socket that sent it. XDP and TC.
# Then what pcn refuses, with the pin tree unchanged.

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

OUT=198.51.100

# H1 (10.220.1.2) and H2 (10.220.2.2) on ports p1, p2 of router r0 in R,
# O ($OUT.2/24, no route to the inside) on p3 ($OUT.1), nat n0 on r0:p3.
behind_router()
{
	local i ns

	need_type nat
	need_type router
	setup_root
	add_ns R
	add_ns O
	quiet_ns "$R"
	quiet_ns "$O"
	for i in 1 2; do
		add_ns "H$i"
		ns=H$i
		quiet_ns "${!ns}"
		add_veth "$R" "v$i" "${!ns}" "e$i"
		addr "${!ns}" "e$i" "10.220.$i.2/24"
		ip -n "${!ns}" route add default via "10.220.$i.1"
		veth_xdp_ready "${!ns}" "e$i"
	done
	add_veth "$R" v3 "$O" o
	addr "$O" o "$OUT.2/24"
	veth_xdp_ready "$O" o
	pcn -n "$R" cube add r0 type router mode "$1"
	for i in 1 2 3; do
		pcn -n "$R" link add "r0:p$i" dev "v$i"
	done
	pcn -n "$R" addr add 10.220.1.1/24 port r0:p1
	pcn -n "$R" addr add 10.220.2.1/24 port r0:p2
	pcn -n "$R" addr add "$OUT.1/24" port r0:p3
	pcn -n "$R" cube add n0 type nat mode "$1"
	pcn -n "$R" link add n0 port r0:p3
}

# ping_first NS ADDR: the first packet may resolve a next hop
ping_first()
{
	ip netns exec "$1" ping -c 1 -W 1 -q "$2" >/dev/null || true
	ping_ok "$1" "$2" 3
}

nat_stat()
{
	pcn -n "$R" -j -s cube show n0 | jq -e ".[0].stats.$1.$2"
}

# udp_echo FROM_NS TO_ADDR PORT [SPORT]: a datagram there and its echo
# back (a socat echo server must listen on PORT)
udp_echo()
{
	local got

	got=$(echo "ping-$4" | ip netns exec "$1" timeout 5 socat -t 2 - \
		"UDP:$2:$3${4:+,sourceport=$4}")
	[ "$got" = "ping-$4" ] || { echo "no UDP echo from $2:$3" >&2; return 1; }
}

udp_server()
{
	ip netns exec "$1" socat UDP4-LISTEN:"$2",fork,reuseaddr EXEC:cat &
	defer "kill $! 2>/dev/null"
	wait_for 5 udp_listening "$1" "$2"
}

udp_listening()
{
	ip netns exec "$1" ss -Huln "sport = :$2" | grep -q .
}

# TCP from FROM_NS to ADDR:PORT, where TO_NS listens on LPORT
tcp_forwarded()
{
	local from=$1 to=$2 dst=$3 port=$4 lport=$5 dir

	dir=$(mktemp -d "${TMPDIR:-/tmp}/pcn-nat.XXXXXX")
	defer "rm -rf $dir"
	head -c 200000 /dev/urandom >"$dir/send"
	ip netns exec "$to" socat -u TCP4-LISTEN:"$lport",reuseaddr \
		CREATE:"$dir/recv" &
	defer "kill $! 2>/dev/null"
	wait_for 5 listening "$to" "$lport"
	ip netns exec "$from" timeout 20 socat -u FILE:"$dir/send" \
		TCP:"$dst:$port"
	wait_for 10 cmp -s "$dir/send" "$dir/recv"
}

# udp_refused FROM_NS ADDR PORT: a datagram from a connected socket to
# ADDR:PORT, where nothing listens, is refused: the ICMP port
# unreachable came back and the kernel found the socket by its quote
# (sent again while none comes: the sender limits its ICMP rate)
udp_refused()
{
	ip netns exec "$1" timeout 10 python3 -c '
import socket, sys
a, p = sys.argv[1], int(sys.argv[2])
s = socket.socket(socket.AF_INET6 if ":" in a else socket.AF_INET,
		  socket.SOCK_DGRAM)
s.connect((a, p))
s.settimeout(1)
for i in range(5):
	try:
		s.send(b"x")
		s.recv(16)
	except ConnectionRefusedError:
		sys.exit(0)
	except socket.timeout:
		pass
sys.exit("no port unreachable came back to the socket")' "$2" "$3"
}

# each phase of behind_router starts from no rule and no translation
fresh()
{
	pcn -n "$R" nat flush n0
	pcn -n "$R" nat translation flush n0
}

masquerade()
{
	# without a rule the outside cannot answer: it has no route inside
	ping_fails "$H1" "$OUT.2" 2
	pcn -n "$R" nat add n0 masquerade src 10.220.0.0/16
	pcn -n "$R" -j cube show n0 | jq -e ".[0].masquerade == \"$OUT.1\""
	ping_first "$H1" "$OUT.2"
	ping_ok "$H2" "$OUT.2"
	tcp_transfer "$H1" "$O" "$OUT.2" 200000
	udp_echo "$H1" "$OUT.2" 7777
	# the outside saw the router's address, never an inside one
	pcn -n "$R" -j nat translation show n0 |
		jq -e "length >= 3 and all(.[]; .to.src == \"$OUT.1\" and
			(.src | startswith(\"10.220.\")))"
	[ "$(nat_stat egress new_flows)" -ge 3 ]
	[ "$(nat_stat ingress translated)" -ge 3 ]
	[ "$(nat_stat egress errors)" -eq 0 ]
	[ "$(nat_stat ingress malformed)" -eq 0 ]
	# O's port unreachable, to $OUT.1, reaches H1's socket
	[ "$(nat_stat ingress icmp_errors)" -eq 0 ]
	udp_refused "$H1" "$OUT.2" 9
	[ "$(nat_stat ingress icmp_errors)" -ge 1 ]
}

same_source_port()
{
	fresh
	pcn -n "$R" nat add n0 snat src 10.220.0.0/16 to "$OUT.1" ports 40000-40009
	# two inside hosts, one source port, at once: two outside ports
	udp_echo "$H1" "$OUT.2" 7777 40003
	udp_echo "$H2" "$OUT.2" 7777 40003
	pcn -n "$R" -j nat translation show n0 |
		jq -e '[.[] | select(.proto == "udp")] |
			length == 2 and (map(.sport) | unique) == [40003] and
			(map(.to.sport) | unique | length) == 2 and
			all(.[]; .to.sport >= 40000 and .to.sport <= 40009)'
	# the flows go on, each on its port
	udp_echo "$H1" "$OUT.2" 7777 40003
	udp_echo "$H2" "$OUT.2" 7777 40003
	pcn -n "$R" -j nat translation show n0 |
		jq -e '[.[] | select(.proto == "udp")] | length == 2'
}

port_forwarding()
{
	pcn -n "$R" nat add n0 dnat dst "$OUT.1" proto tcp dport 8080 \
		to 10.220.1.2 port 80
	pcn -n "$R" nat add n0 dnat dst "$OUT.1" proto udp dport 5353 \
		to 10.220.2.2 port 53
	tcp_forwarded "$O" "$H1" "$OUT.1" 8080 80
	udp_server "$H2" 53
	udp_echo "$O" "$OUT.1" 5353
	# H2's port unreachable leaves from $OUT.1:5354 to O's socket
	pcn -n "$R" nat add n0 dnat dst "$OUT.1" proto udp dport 5354 \
		to 10.220.2.2 port 54
	udp_refused "$O" "$OUT.1" 5354
	[ "$(nat_stat egress icmp_errors)" -ge 1 ]
	pcn -n "$R" -j nat translation show n0 |
		jq -e "any(.[]; .kind == \"dnat\" and .dport == 8080 and
			.to.dst == \"10.220.1.2\" and .to.dport == 80)"
}

# nat and a firewall on one point: placed first (outermost), the nat
# translates before the firewall filters on the way in, as netfilter's
# DNAT in prerouting; placed after it, the firewall sees the outside
# address (the forwarding of port_forwarding is still there)
firewall_order()
{
	local pid

	pcn -n "$R" cube add fw0 type firewall mode "$1"
	pcn -n "$R" rule append fw0 ingress dst 10.220.1.2/32 proto tcp \
		dport 80 action drop
	pcn -n "$R" link add fw0 port r0:p3 last
	ip netns exec "$H1" timeout 10 socat -u TCP4-LISTEN:80,reuseaddr \
		/dev/null &
	pid=$!
	defer "kill $pid 2>/dev/null"
	wait_for 5 listening "$H1" 80
	fails ip netns exec "$O" timeout 3 socat -u /dev/null \
		TCP:"$OUT.1":8080,connect-timeout=1
	kill "$pid"
	wait_for 5 fails listening "$H1" 80
	pcn -n "$R" link del fw0 port r0:p3
	pcn -n "$R" link add fw0 port r0:p3 first
	tcp_forwarded "$O" "$H1" "$OUT.1" 8080 80
	pcn -n "$R" link del fw0 port r0:p3
	pcn -n "$R" cube del fw0
}

one_to_one()
{
	local mac

	fresh
	pcn -n "$R" nat add n0 1:1 10.220.2.2 "$OUT.5"
	# the outside reaches $OUT.5 through r0:p3 (r0 does not answer ARP
	# for it: the nat's address is the user's to announce)
	mac=$(ip -n "$R" -j link show dev v3 | jq -r '.[0].address')
	ip -n "$O" neigh add "$OUT.5" lladdr "$mac" dev o
	ping_ok "$O" "$OUT.5"
	ping_ok "$H2" "$OUT.2"
	tcp_transfer "$O" "$H2" "$OUT.5" 200000
	pcn -n "$R" -j nat translation show n0 |
		jq -e "any(.[]; .src == \"$OUT.2\" and .to.dst == \"10.220.2.2\") and
			any(.[]; .src == \"10.220.2.2\" and .to.src == \"$OUT.5\")"
	# H1 has no rule: the outside cannot answer it
	ping_fails "$H1" "$OUT.2" 2
}

rule_removed()
{
	fresh
	pcn -n "$R" nat add n0 masquerade src 10.220.1.0/24
	udp_echo "$H1" "$OUT.2" 7777 41000
	pcn -n "$R" nat del n0 1
	pcn -n "$R" -j nat show n0 | jq -e 'length == 0'
	# a new flow is not translated (and not answered) ...
	fails udp_echo "$H1" "$OUT.2" 7777 41001
	# ... the one translated before goes on until it ends
	udp_echo "$H1" "$OUT.2" 7777 41000
	pcn -n "$R" nat translation flush n0
	pcn -n "$R" -j nat translation show n0 | jq -e 'length == 0'
	fails udp_echo "$H1" "$OUT.2" 7777 41000
}

# ipv6_on NS...: quiet_ns turned IPv6 off; no router advertisements
ipv6_on()
{
	local ns

	for ns in "$@"; do
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=0 \
			net.ipv6.conf.default.disable_ipv6=0 \
			net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0
	done
}

# NAT66 through the router (its IPv6, NDP both ways): H1 masqueraded
# behind r0:p3's $pub, H2 SNAT'd to ::5, by ping and TCP; O reaches a
# TCP server on H1 through a dnat of $pub
nat66_router()
{
	local pub=2001:db8:220::1 out=2001:db8:220::2 snat=2001:db8:220::5
	local mac i ns

	fresh
	ipv6_on "$H1" "$H2" "$O"
	for i in 1 2; do
		ns=H$i
		ip -n "${!ns}" addr add "fd00:220:$i::2/64" dev "e$i" nodad
		ip -n "${!ns}" -6 route add default via "fd00:220:$i::1"
		pcn -n "$R" addr add "fd00:220:$i::1/64" port "r0:p$i"
	done
	ip -n "$O" addr add "$out/64" dev o nodad
	pcn -n "$R" addr add "$pub/64" port r0:p3
	# the router learns its neighbours by NDP: prime them
	ping_first "$H1" fd00:220:1::1
	ping_first "$H2" fd00:220:2::1
	ping_first "$O" "$pub"
	pcn -n "$R" nat add n0 masquerade src fd00:220:1::/64
	pcn -n "$R" nat add n0 snat src fd00:220:2::/64 to "$snat"
	# masquerade follows the router port's IPv6 address
	pcn -n "$R" -j cube show n0 | jq -e ".[0].masquerade6 == \"$pub\""
	mac=$(ip -n "$R" -j link show dev v3 | jq -r '.[0].address')
	ip -n "$O" neigh add "$snat" lladdr "$mac" dev o
	ping_first "$H1" "$out"
	ping_ok "$H2" "$out"
	tcp_transfer "$H1" "$O" "$out" 200000
	tcp_transfer "$H2" "$O" "$out" 200000
	pcn -n "$R" -j nat translation show n0 |
		jq -e "any(.[]; .src == \"fd00:220:1::2\" and .to.src == \"$pub\") and
			any(.[]; .src == \"fd00:220:2::2\" and .to.src == \"$snat\") and
			all(.[]; .to.src | startswith(\"2001:db8:220::\"))"
	pcn -n "$R" nat add n0 dnat dst "$pub" proto tcp dport 8082 to fd00:220:1::2
	tcp_transfer "$O" "$H1" "$pub" 200000 8082
	pcn -n "$R" -j nat translation show n0 |
		jq -e 'any(.[]; .kind == "dnat" and .to.dst == "fd00:220:1::2")'
	[ "$(nat_stat egress errors)" -eq 0 ]
	[ "$(nat_stat ingress malformed)" -eq 0 ]
}

# Polycube's scenarios, one after the other on one topology
router_port()
{
	behind_router "$1"
	udp_server "$O" 7777
	# the router resolves its next hops: prime them
	ping_first "$H1" 10.220.1.1
	ping_first "$H2" 10.220.2.1
	ping_first "$O" "$OUT.1"
	masquerade
	same_source_port
	port_forwarding
	firewall_order "$1"
	one_to_one
	rule_removed
	# NAT66 in TC is on_interface's (nat66): here the XDP path alone
	[ "$1" = tc ] || nat66_router
}

# Linux forwards in R; nat on R's outside interface v3, tc both ways,
# masquerading with v3's address, which it follows when it changes
on_interface()
{
	need_type nat
	setup_root
	add_ns R
	add_ns H1
	add_ns O
	quiet_ns "$R"
	quiet_ns "$H1"
	quiet_ns "$O"
	add_veth "$R" v1 "$H1" e1
	add_veth "$R" v3 "$O" o
	addr "$H1" e1 10.221.1.2/24
	addr "$R" v1 10.221.1.1/24
	addr "$R" v3 "$OUT.1/24"
	addr "$O" o "$OUT.2/24"
	ip -n "$H1" route add default via 10.221.1.1
	ip netns exec "$R" sysctl -qw net.ipv4.ip_forward=1
	ip netns exec "$R" ethtool -K v3 tx off >/dev/null
	pcn -n "$R" cube add n0 type nat mode tc
	pcn -n "$R" link add n0 dev v3
	pcn -n "$R" nat add n0 masquerade src 10.221.0.0/16
	ping_ok "$H1" "$OUT.2"
	tcp_transfer "$H1" "$O" "$OUT.2" 200000
	udp_refused "$H1" "$OUT.2" 9
	pcn -n "$R" -j nat translation show n0 |
		jq -e "all(.[]; .to.src == \"$OUT.1\")"
	nat66
	# a new address on v3: new flows take it at the next pcn command
	ip -n "$R" addr flush dev v3
	addr "$R" v3 "$OUT.9/24"
	pcn -n "$R" nat translation flush n0
	pcn -n "$R" -j cube show n0 | jq -e ".[0].masquerade == \"$OUT.9\""
	ping_ok "$H1" "$OUT.2"
	pcn -n "$R" -j nat translation show n0 |
		jq -e "length >= 1 and all(.[]; .to.src == \"$OUT.9\")"
}

# NAT66 on on_interface's topology: H1 (fd00:221:1::2) masqueraded
# behind v3's 2001:db8:221::1 to O (::2, no route back inside) by ping,
# TCP, and a port unreachable back to H1's socket; O reaches a TCP
# server on H1 through a dnat of v3's address
nat66()
{
	local pub=2001:db8:221::1 in=fd00:221:1::2 out=2001:db8:221::2

	local ns

	# quiet_ns turned IPv6 off
	for ns in "$R" "$H1" "$O"; do
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=0 \
			net.ipv6.conf.default.disable_ipv6=0
	done
	ip netns exec "$R" sysctl -qw net.ipv6.conf.all.forwarding=1
	ip -n "$H1" addr add "$in/64" dev e1 nodad
	ip -n "$R" addr add fd00:221:1::1/64 dev v1 nodad
	ip -n "$R" addr add "$pub/64" dev v3 nodad
	ip -n "$O" addr add "$out/64" dev o nodad
	ip -n "$H1" -6 route add default via fd00:221:1::1
	ping_first "$R" "$out"
	# no rule: O cannot answer an inside address
	ping_fails "$H1" "$out" 2
	pcn -n "$R" nat add n0 masquerade src fd00:221::/32
	pcn -n "$R" -j cube show n0 | jq -e ".[0].masquerade6 == \"$pub\""
	ping_ok "$H1" "$out"
	tcp_transfer "$H1" "$O" "$out" 200000
	udp_refused "$H1" "$out" 9
	pcn -n "$R" -j nat translation show n0 |
		jq -e "any(.[]; .src == \"$in\" and .to.src == \"$pub\")"
	pcn -n "$R" nat add n0 dnat dst "$pub" proto tcp dport 8081 to "$in"
	tcp_transfer "$O" "$H1" "$pub" 200000 8081
	pcn -n "$R" -j nat translation show n0 |
		jq -e "any(.[]; .kind == \"dnat\" and .to.dst == \"$in\")"
}

# expect_same CMD...: CMD fails with one Error: line and its exit
# code ($EXPECT); bad_input compares the pin tree before the first and
# after the last (a snapshot of the nat's tables takes seconds)
expect_same()
{
	expect_err "$EXPECT" "$PCN" "$@"
}

bad_input()
{
	local before after

	need_type nat
	need_type helloworld
	setup_root
	add_ns R
	# flows sizes the tables: two translations a flow, as many ct
	pcn -n "$R" cube add n0 type nat flows 1000
	pcn -n "$R" -j cube show n0 | jq -e '.[0].flows == 1000'
	bpftool -j map show pinned "$(echo "$PCN_ROOT"/ns-*/cubes/n0/nat_flows)" |
		jq -e '.max_entries == 2000'
	bpftool -j map show pinned "$(echo "$PCN_ROOT"/ns-*/cubes/n0/nat_ct)" |
		jq -e '.max_entries == 2000'
	pcn -n "$R" cube add hw type helloworld
	pcn -n "$R" nat add n0 1:1 10.0.0.5 192.0.2.5
	pcn -n "$R" nat add n0 dnat dst 192.0.2.1 proto tcp dport 80 to 10.0.0.6
	pcn -n "$R" nat add n0 masquerade src 10.1.0.0/16
	before=$(tree_snapshot)
	EXPECT=1
	# an address of the wrong family, a prefix where an address goes
	expect_same -n "$R" nat add n0 snat src 10.0.0.0/24 to 2001:db8::1
	expect_same -n "$R" nat add n0 1:1 10.0.0.7 2001:db8::7
	expect_same -n "$R" nat add n0 snat src 10.0.0.0/24 to 192.0.2.0/24
	expect_same -n "$R" nat add n0 masquerade src 10.0.0.0/24 proto icmpv6
	# port ranges empty or out of 1-65535
	expect_same -n "$R" nat add n0 masquerade src 10.0.0.0/24 ports 0-100
	expect_same -n "$R" nat add n0 masquerade src 10.0.0.0/24 ports 2000-1000
	expect_same -n "$R" nat add n0 masquerade src 10.0.0.0/24 ports 1-65536
	expect_same -n "$R" nat add n0 dnat dst 192.0.2.1 proto tcp dport 0 to 10.0.0.6
	# what the rule kinds do not take
	expect_same -n "$R" nat add n0 dnat dst 192.0.2.1 dport 80 to 10.0.0.6
	expect_same -n "$R" nat add n0 masquerade src 10.0.0.0/24 to 192.0.2.1
	expect_same -n "$R" nat add n0 snat src 10.0.0.0/24
	expect_same -n "$R" nat add n0 nonsense src 10.0.0.0/24
	expect_same -n "$R" nat add n0 1:1 10.0.0.5
	expect_same -n "$R" nat add n0 1:1 10.0.0.9 10.0.0.9
	expect_same -n "$R" nat add n0 masquerade src 10.0.0.0/24 proto gre
	expect_same -n "$R" nat del n0 zero
	expect_same -n "$R" cube add n1 type nat ports 5
	expect_same -n "$R" cube add n1 type nat flows 0
	expect_same -n "$R" cube add n1 type nat flows 4194305
	expect_same -n "$R" cube add n1 type nat flows -1
	expect_same -n "$R" cube add n1 type nat flows
	expect_same -n "$R" cube add n1 type nat flows 8 flows 9
	EXPECT=2
	# contradictory rules
	expect_same -n "$R" nat add n0 1:1 10.0.0.5 192.0.2.6
	expect_same -n "$R" nat add n0 1:1 10.0.0.8 192.0.2.5
	expect_same -n "$R" nat add n0 dnat dst 192.0.2.5 to 10.0.0.9
	expect_same -n "$R" nat add n0 dnat dst 192.0.2.1 proto tcp dport 80 to 10.0.0.7
	expect_same -n "$R" nat add n0 masquerade src 10.1.0.0/16 ports 2000-3000
	# a rule on a cube that is not a nat, or none
	expect_same -n "$R" nat add hw masquerade src 10.0.0.0/24
	expect_same -n "$R" nat add nope masquerade src 10.0.0.0/24
	expect_same -n "$R" nat del n0 9
	expect_same -n "$R" nat translation flush hw
	after=$(tree_snapshot)
	[ "$before" = "$after" ] || { echo "a refused command changed the tree" >&2; return 1; }
	# what was accepted is all there, and saves and restores the same
	pcn -n "$R" -j nat show n0 | jq -e 'map(.kind) == ["1:1", "dnat", "masquerade"]'
	before=$(pcn -n "$R" save)
	pcn -n "$R" flush
	pcn -n "$R" -j nat show | jq -e 'length == 0'
	pcn -n "$R" restore <(echo "$before")
	[ "$(pcn -n "$R" save)" = "$before" ]
	pcn -n "$R" -j nat show n0 | jq -e 'length == 3'
	pcn -n "$R" -j cube show n0 | jq -e '.[0].flows == 1000'
}

run_test router_port_xdp router_port xdp
run_test router_port_tc router_port tc
run_test on_interface_tc on_interface
run_test bad_input bad_input
tap_done
