#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The ddos cube's SYN proxy with real traffic: H1 - veth - H2, a ddos
# cube on H2's e2 ingress protecting port 8080, netfilter's synproxy in
# H2 (pcn-cube-ddos(8)). A real client connects through it (IPv4 and
# IPv6) while the other ports are left alone; a flood of spoofed SYNs
# and of ACKs with bad cookies, sent from H1 with a raw socket, gets no
# packet to H2's stack (nft counters in H2 stay 0, no SYN_RECV), and a
# real client connects during the flood. XDP and TC.

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PORT=8080

# H1 (10.235.0.1, fd35::1) - veth - H2 (10.235.0.2, fd35::2), ddos cube
# dm0 on e2 ingress in mode $1, synproxy for $PORT
pair()
{
	need_type ddos
	setup_root
	add_ns H1
	add_ns H2
	add_veth "$H1" e1 "$H2" e2
	addr "$H1" e1 10.235.0.1/24
	addr "$H2" e2 10.235.0.2/24
	ip -n "$H1" addr add fd35::1/64 dev e1 nodad
	ip -n "$H2" addr add fd35::2/64 dev e2 nodad
	veth_xdp_ready "$H1" e1
	veth_xdp_ready "$H2" e2
	# the server's side: SYNs untracked, what conntrack cannot place
	# goes to synproxy, which checks the cookie (the kernel's secret,
	# the same as the datapath's) and makes the connection with the
	# server. The counters: what of $PORT comes into H2 by e2 (synproxy
	# sends its own SYN to the server by lo).
	ip netns exec "$H2" nft -f - <<-EOF
	table inet dmsyn {
		counter syns { }
		counter spoofs { }
		chain pre {
			type filter hook prerouting priority raw;
			iifname e2 tcp dport $PORT tcp flags syn counter name syns
			tcp dport $PORT tcp flags syn notrack
			iifname e2 tcp dport $PORT ip saddr 10.235.9.0/24 counter name spoofs
		}
		chain in {
			type filter hook input priority filter;
			tcp dport $PORT ct state invalid,untracked synproxy mss 1460 wscale 7 timestamp sack-perm
			tcp dport $PORT ct state invalid drop
		}
	}
	EOF
	# after the rules: conntrack's settings exist in H2 once used
	ip netns exec "$H2" sysctl -qw net.ipv4.tcp_syncookies=2 \
		net.netfilter.nf_conntrack_tcp_loose=0
	pcn -n "$H2" cube add dm0 type ddos mode "$1"
	pcn -n "$H2" link add dm0 dev e2 ingress
	pcn -n "$H2" cube set dm0 synproxy dport $PORT
}

# what a command may change: the config, the cube's state map
dm_state()
{
	pcn -n "$H2" save
	bpftool -j map dump pinned "$(echo "$PCN_ROOT"/ns-*/cubes/dm0/ddos_state)"
}

# nft counter NAME of H2: its packets
nft_count()
{
	ip netns exec "$H2" nft -j list counter inet dmsyn "$1" |
		jq '.nftables[] | select(.counter) | .counter.packets'
}

# the ddos cube's ingress counter NAME
dm_count()
{
	pcn -n "$H2" -j -s cube show dm0 | jq ".[0].stats.ingress.$1"
}

# connect from H1 to ADDR port P and send a line: it must get there.
# Patient: in a flood, SYN-ACKs to the spoofed sources fill the queue
# of H1's veth end, and the client's may be lost with them (its SYN is
# sent again after 1, 3, 7, 15 s)
tcp_line()
{
	local dst=$1 port=$2 f

	f=$(mktemp "${TMPDIR:-/tmp}/pcn-ddsyn.XXXXXX")
	defer "rm -f $f"
	ip netns exec "$H2" timeout 40 socat -u \
		TCP6-LISTEN:"$port",reuseaddr,ipv6only=0 CREATE:"$f" &
	defer "kill $! 2>/dev/null"
	wait_for 5 listening "$H2" "$port"
	[[ $dst == *:* ]] && dst="[$dst]"
	echo hello | ip netns exec "$H1" timeout 35 socat -u - \
		TCP:"$dst":"$port",connect-timeout=30
	wait_for 5 grep -q hello "$f"
}

connect()
{
	local before

	pair "$1"
	pcn -n "$H2" -j cube show dm0 |
		jq -e '.[0].synproxy == [{"dport": "8080", "mss": 1460, "wscale": 7}]'
	tcp_line 10.235.0.2 $PORT
	[ "$(dm_count syn)" -ge 1 ]
	[ "$(dm_count cookie_ok)" -ge 1 ]
	[ "$(nft_count syns)" -eq 0 ]
	tcp_line fd35::2 $PORT
	[ "$(dm_count cookie_ok)" -ge 2 ]
	[ "$(nft_count syns)" -eq 0 ]
	# another port: the server's own handshake, no cookie of ours
	before=$(dm_count syn)
	tcp_line 10.235.0.2 $((PORT + 1))
	[ "$(dm_count syn)" -eq "$before" ]
	# the range removed: the server's SYNs again
	pcn -n "$H2" cube set dm0 synproxy dport $PORT none
	pcn -n "$H2" -j cube show dm0 | jq -e '.[0].synproxy == []'
}

# spoofed SYNs from 10.235.9.0/24 and ACKs with made-up cookies, COUNT
# of each, from H1's e1 by a raw socket
flood()
{
	ip netns exec "$H1" python3 - "$1" \
		"$(ip -n "$H1" -j link show dev e1 | jq -r '.[0].address')" \
		"$(ip -n "$H2" -j link show dev e2 | jq -r '.[0].address')" \
		<<-'EOF'
	import random, socket, struct, sys
	count = int(sys.argv[1])
	src_mac = bytes.fromhex(sys.argv[2].replace(':', ''))
	dst_mac = bytes.fromhex(sys.argv[3].replace(':', ''))

	def csum(b):
	    if len(b) % 2:
	        b += b'\0'
	    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
	    while s >> 16:
	        s = (s & 0xffff) + (s >> 16)
	    return ~s & 0xffff

	def packet(src, flags, seq, ack):
	    dst = socket.inet_aton('10.235.0.2')
	    tcp = struct.pack('!HHIIBBHHH', random.randint(1024, 65535), 8080,
	                      seq, ack, 5 << 4, flags, 65535, 0, 0)
	    tcp = tcp[:16] + struct.pack('!H', csum(src + dst +
	            struct.pack('!BBH', 0, 6, len(tcp)) + tcp)) + tcp[18:]
	    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(tcp), 0, 0, 64,
	                     6, 0, src, dst)
	    ip = ip[:10] + struct.pack('!H', csum(ip)) + ip[12:]
	    return dst_mac + src_mac + b'\x08\x00' + ip + tcp

	s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
	s.bind(('e1', 0))
	for i in range(count):
	    src = bytes([10, 235, 9, random.randint(1, 254)])
	    r = random.getrandbits(32)
	    s.send(packet(src, 0x02, r, 0))			# SYN
	    s.send(packet(src, 0x10, r, random.getrandbits(32)))	# ACK
	EOF
}

syn_flood()
{
	local n=2000 pid

	pair "$1"
	flood $n &
	pid=$!
	defer "kill $pid 2>/dev/null"
	# a real client, while the flood goes on
	tcp_line 10.235.0.2 $PORT
	wait "$pid"
	# the counters once settled: every spoofed packet stopped at the
	# cube, the SYNs answered, the ACKs' cookies found invalid
	stable_stats "$H2" dm0 >/dev/null
	[ "$(nft_count spoofs)" -eq 0 ]
	[ "$(nft_count syns)" -eq 0 ]
	[ "$(ip netns exec "$H2" ss -Htan state syn-recv | wc -l)" -eq 0 ]
	[ "$(dm_count syn)" -ge $((n / 2)) ]
	[ "$(dm_count cookie_bad)" -ge $((n / 2)) ]
	[ "$(dm_count cookie_ok)" -ge 1 ]
	[ "$(dm_count cookie_ok)" -le 3 ]
}

bad_input()
{
	local before

	pair xdp
	before=$(dm_state)
	expect_err 1 "$PCN" -n "$H2" cube set dm0 synproxy
	expect_err 1 "$PCN" -n "$H2" cube set dm0 synproxy dport
	expect_err 1 "$PCN" -n "$H2" cube set dm0 synproxy dport 0
	expect_err 1 "$PCN" -n "$H2" cube set dm0 synproxy dport 70000
	expect_err 1 "$PCN" -n "$H2" cube set dm0 synproxy dport 80 mss 100
	expect_err 1 "$PCN" -n "$H2" cube set dm0 synproxy dport 80 wscale 15
	expect_err 1 "$PCN" -n "$H2" cube set dm0 synproxy dport 80 mss 1400 mss 1400
	expect_err 1 "$PCN" -n "$H2" cube set dm0 synproxy dport 80 bogus 1
	expect_err 1 "$PCN" -n "$H2" cube set dm0 synproxy dport 8000-8090
	# a bad clause after a good one: none of it applied
	expect_err 1 "$PCN" -n "$H2" cube set dm0 synproxy dport 443 \
		synproxy dport 444 wscale x
	expect_err 2 "$PCN" -n "$H2" cube set dm0 synproxy dport 443 none
	[ "$before" = "$(dm_state)" ]
	for p in 1 2 3 4 5 6 7; do
		pcn -n "$H2" cube set dm0 synproxy dport $((9000 + p))
	done
	expect_err 2 "$PCN" -n "$H2" cube set dm0 synproxy dport 9100
}

save_restore()
{
	local f

	pair xdp
	pcn -n "$H2" cube set dm0 synproxy dport 9000-9010 mss 1400 wscale 9
	f=$(mktemp "${TMPDIR:-/tmp}/pcn-ddsyn.XXXXXX")
	defer "rm -f $f"
	pcn -n "$H2" save >"$f"
	grep -q "cube set dm0 synproxy dport 9000-9010 mss 1400 wscale 9" "$f"
	pcn -n "$H2" cube del dm0
	pcn -n "$H2" -batch "$f"
	pcn -n "$H2" -j cube show dm0 |
		jq -e '.[0].synproxy == [{"dport": "8080", "mss": 1460, "wscale": 7},
			{"dport": "9000-9010", "mss": 1400, "wscale": 9}]'
}

for m in ${DDOS_MODES:-xdp tc}; do
	run_test "ddos_syn_connect_$m" connect $m
	run_test "ddos_syn_flood_$m" syn_flood $m
done
run_test ddos_syn_bad_input bad_input
run_test ddos_syn_save_restore save_restore
tap_done
