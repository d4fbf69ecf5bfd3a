#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# pcn rule import: iptables-save rule sets as firewall chains. A
# differential test: each realistic set of iptables/ (and ClassBench's)
# is loaded into iptables on a router S, probed from C with packets that
# S forwards when they get through (probe.py), then saved by
# iptables-save, imported into a pcn firewall on S's way in in place of
# iptables, and probed again: the verdicts must be the same, packet for
# packet.
# Lines pcn cannot take are refused with their line and word, and
# nothing is changed.

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DIR=$(dirname "${BASH_SOURCE[0]}")
# the system's python: a version manager's shim in front of it costs
# seconds a call on a loaded machine, and this file makes many
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
PROBE="$PY $DIR/probe.py"
SETS=$DIR/iptables
CB=${CB:-$DIR/../../../../../shared/data/classbench}

# C (10.231.0.1, c0) - veth - (wan0, 10.231.0.2) S (out0, 10.232.0.1) -
# veth - D (10.232.0.2). S forwards everything else to D: a probe may
# have any addresses, and is seen leaving by out0 if it got through.
pair()
{
	local dmac

	setup_root
	TMPDIR_IMP=$(mktemp -d "${TMPDIR:-/tmp}/pcn-imp.XXXXXX")
	defer "rm -rf $TMPDIR_IMP"
	add_ns C
	add_ns S
	add_ns D
	quiet_ns "$C"
	quiet_ns "$S"
	quiet_ns "$D"
	add_veth "$C" c0 "$S" wan0
	add_veth "$S" out0 "$D" d0
	addr "$C" c0 10.231.0.1/24
	addr "$S" wan0 10.231.0.2/24
	addr "$S" out0 10.232.0.1/24
	addr "$D" d0 10.232.0.2/24
	CMAC=$(ip -n "$C" -j link show dev c0 | jq -r '.[0].address')
	SMAC=$(ip -n "$S" -j link show dev wan0 | jq -r '.[0].address')
	dmac=$(ip -n "$D" -j link show dev d0 | jq -r '.[0].address')
	ip -n "$S" neigh add 10.231.0.1 dev wan0 lladdr "$CMAC" nud permanent
	ip -n "$S" neigh add 10.232.0.2 dev out0 lladdr "$dmac" nud permanent
	ip -n "$S" route add default via 10.232.0.2
	ip netns exec "$S" sysctl -qw net.ipv4.ip_forward=1 \
		net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.wan0.rp_filter=0
	# a TCP segment of no connection is invalid, as pcn has it (not
	# taken up in the middle)
	ip netns exec "$S" iptables -t filter -L >/dev/null
	ip netns exec "$S" sysctl -qw net.netfilter.nf_conntrack_tcp_loose=0 \
		2>/dev/null || true
	pcn -n "$S" cube add fw0 type firewall mode "$1"
}

# probe FILE: the verdicts, one 0 or 1 per probe
probe()
{
	nsenter --net=/var/run/netns/"$S" $PROBE /var/run/netns/"$C" c0 \
		"$CMAC" "$SMAC" out0 "$1"
}

# The chain names swapped: iptables on S filters in FORWARD what the
# set has in CHAIN (INPUT for a host's set), as pcn does on the way in.
swap()
{
	[ "$1" = FORWARD ] && { cat; return; }
	sed -e "s/\\b$1\\b/@@@/g" -e 's/\bFORWARD\b/'"$1"'/g' \
		-e 's/@@@/FORWARD/g'
}

iptables_flush()
{
	ip netns exec "$S" iptables -F
	ip netns exec "$S" iptables -X
	ip netns exec "$S" iptables -P INPUT ACCEPT
	ip netns exec "$S" iptables -P FORWARD ACCEPT
}

# differ RULES PROBES CHAIN: the same verdicts through iptables and pcn
differ()
{
	local rules=$1 probes=$2 chain=$3 dir a b
	dir=$(mktemp -d "${TMPDIR:-/tmp}/pcn-imp.XXXXXX")
	defer "rm -rf $dir"

	swap "$chain" <"$rules" | ip netns exec "$S" iptables-restore
	a=$(probe "$probes")
	# what iptables made of it, in its own words, as a user has it
	ip netns exec "$S" iptables-save | swap "$chain" >"$dir/saved"
	iptables_flush
	pcn -n "$S" rule import fw0 iptables "$dir/saved" ingress "$chain" \
		dev wan0
	pcn -n "$S" link add fw0 dev wan0 ingress
	b=$(probe "$probes")
	pcn -n "$S" link del fw0 dev wan0 ingress
	echo "iptables: $a"
	echo "pcn:      $b"
	[ "$a" = "$b" ]
	# a test that can fail: both verdicts are there
	[[ $a == *0* && $a == *1* ]]
}

# chain_of FILE: the chain the set's "# ingress: CHAIN" names
chain_of()
{
	sed -n 's/^# ingress: \([A-Z]*\)$/\1/p' "$1" | grep . || echo INPUT
}

# realistic MODE [SET...]: every set of iptables/ (or those named)
realistic()
{
	local mode=$1 f n=0 dir sets

	shift
	sets=("$@")
	[ $# -gt 0 ] || sets=("$SETS"/*.rules)
	pair "$mode"
	dir=$(mktemp -d "${TMPDIR:-/tmp}/pcn-imp.XXXXXX")
	defer "rm -rf $dir"
	for f in "${sets[@]}"; do
		[[ $f == */* ]] || f=$SETS/$f.rules
		[[ $f == *6.rules ]] && continue
		echo "== $(basename "$f")"
		$PROBE gen "$f" 10.240.0.9 100 $n >"$dir/probes"
		differ "$f" "$dir/probes" "$(chain_of "$f")"
		n=$((n + 1))
	done
	[ $# -gt 0 ] || [ $n -ge 10 ]
}

# ClassBench through iptables (classbench.py's translation) and pcn:
# the first 200 distinct headers of each trace
classbench()
{
	local set dir

	[ -r "$CB/fw1_1k_seed1.rules" ] || skip "no ClassBench data in $CB"
	pair xdp
	dir=$(mktemp -d "${TMPDIR:-/tmp}/pcn-imp.XXXXXX")
	defer "rm -rf $dir"
	for set in fw1_1k_seed1 acl1_1k_seed1; do
		echo "== $set"
		$PY "$DIR/classbench.py" iptables "$CB/$set.rules" \
			>"$dir/rules"
		$PROBE trace "$CB/$set.trace" 200 >"$dir/probes"
		differ "$dir/rules" "$dir/probes" FORWARD
	done
}

# what the import makes of a set, rule by rule: an iprange as the
# fewest prefixes; the admins' RETURN as the rest of INPUT for them, then
# INPUT's policy (rule 8, shadowed by 7 but what the tree says)
flatten()
{
	pair xdp
	pcn -n "$S" rule import fw0 iptables "$SETS/webserver.rules" dev wan0
	pcn -n "$S" rule show fw0 ingress | sed 1d |
		sed 's/ packets.*//' >"$TMPDIR_IMP/got"
	cat >"$TMPDIR_IMP/want" <<-EOF
	    1 src 203.0.113.7/32 action drop
	    2 src 203.0.113.8/29 action drop
	    3 src 203.0.113.16/28 action drop
	    4 src 203.0.113.32/29 action drop
	    5 src 203.0.113.40/32 action drop
	    6 src 0.0.0.0/0 state established,related action accept
	    7 src 192.0.2.0/28 proto tcp dport 22 action accept
	    8 src 192.0.2.0/28 proto tcp dport 22 action drop
	    9 src 198.51.100.10/31 proto tcp dport 22 action accept
	    10 src 198.51.100.10/31 proto tcp dport 22 action drop
	EOF
	head -10 "$TMPDIR_IMP/got" | diff -u "$TMPDIR_IMP/want" -
}

# -j REJECT [--reject-with HOW]: action reject, the answer kept (the
# packets it answers: test_fw_reject.sh)
reject()
{
	pair tc
	pcn -n "$S" rule import fw0 iptables - <<-EOF
	*filter
	:INPUT ACCEPT [0:0]
	-A INPUT -p tcp -m tcp --dport 22 -j REJECT --reject-with tcp-reset
	-A INPUT -p udp -j REJECT
	-A INPUT -s 10.0.0.0/8 -j REJECT --reject-with icmp-host-prohibited
	COMMIT
	EOF
	pcn -n "$S" rule show fw0 ingress | sed 1d |
		sed 's/ packets.*//' >"$TMPDIR_IMP/got"
	cat >"$TMPDIR_IMP/want" <<-EOF
	    1 src 0.0.0.0/0 proto tcp dport 22 action reject with tcp-reset
	    2 src 0.0.0.0/0 proto udp action reject with icmp-port-unreachable
	    3 src 10.0.0.0/8 action reject with icmp-host-prohibited
	EOF
	diff -u "$TMPDIR_IMP/want" "$TMPDIR_IMP/got"
	# tcp-reset without -p tcp, as iptables refuses it; a name not known
	expect_err 1 pcn -n "$S" rule import fw0 iptables - <<-EOF
	*filter
	-A INPUT -p udp -j REJECT --reject-with tcp-reset
	COMMIT
	EOF
	expect_err 1 pcn -n "$S" rule import fw0 iptables - <<-EOF
	*filter
	-A INPUT -j REJECT --reject-with icmp-bogus
	COMMIT
	EOF
	[ "$(pcn -n "$S" -j rule show fw0 ingress | jq '.[0].rules | length')" = 3 ]
}

bad_lines()
{
	local before after f

	pair xdp
	pcn -n "$S" rule import fw0 iptables "$SETS/host-basic.rules" dev wan0
	before=$(tree_snapshot)
	f=$TMPDIR_IMP/bad
	for line in \
		"-A INPUT -m hashlimit --hashlimit-above 5/min --hashlimit-name x -j ACCEPT|\"--hashlimit-above\"" \
		"-A INPUT ! -s 10.0.0.0/8 -j DROP|\"!\"" \
		"-A INPUT -f -j DROP|\"-f\"" \
		"-A INPUT -j NOSUCH|\"-j NOSUCH\"" \
		"-A INPUT -p tcp --dport 99999 -j DROP|\"--dport 99999\"" \
		"-A INPUT -p tcp -m conntrack --ctstate UNTRACKED -j DROP|UNTRACKED" \
		"-A INPUT -i up9 -j ACCEPT|needs dev"; do
		{
			echo "*filter"
			echo ":INPUT DROP [0:0]"
			echo ":OUTPUT ACCEPT [0:0]"
			echo "-A INPUT -p tcp --dport 22 -j ACCEPT"
			echo "${line%|*}"
			echo "COMMIT"
		} >"$f"
		expect_err 1 "$PCN" -n "$S" rule import fw0 iptables "$f"
		{ "$PCN" -n "$S" rule import fw0 iptables "$f" 2>&1 || true; } |
			grep -F "$f:5: " | grep -qF "${line#*|}"
	done
	# a jump loop, a chain not declared, a file that is not one
	printf '*filter\n:INPUT DROP [0:0]\n:a - [0:0]\n-A INPUT -j a\n-A a -j a\nCOMMIT\n' >"$f"
	expect_err 1 "$PCN" -n "$S" rule import fw0 iptables "$f"
	printf '*filter\n:INPUT DROP [0:0]\n-A FOO -j DROP\nCOMMIT\n' >"$f"
	expect_err 1 "$PCN" -n "$S" rule import fw0 iptables "$f"
	printf '*filter\n:INPUT DROP [0:0]\n' >"$f"
	expect_err 1 "$PCN" -n "$S" rule import fw0 iptables "$f"
	expect_err 1 "$PCN" -n "$S" rule import fw0 iptables /nonexistent
	expect_err 1 "$PCN" -n "$S" rule import fw0 nft "$f"
	expect_err 1 "$PCN" -n "$S" rule import fw0
	expect_err 1 "$PCN" -n "$S" rule import fw0 iptables "$SETS/host-basic.rules" ingress NOSUCH
	expect_err 2 "$PCN" -n "$S" rule import nosuch iptables "$SETS/host-basic.rules" dev wan0
	after=$(tree_snapshot)
	[ "$before" = "$after" ]
}

# both families in one import, and from stdin; the IPv6 set's own rules
# kept to IPv6
both_families()
{
	pair tc
	pcn -n "$S" rule import fw0 iptables "$SETS/host-basic.rules" \
		ip6tables - dev wan0 <"$SETS/host6.rules"
	pcn -n "$S" rule show fw0 ingress >"$TMPDIR_IMP/got"
	cat "$TMPDIR_IMP/got"
	grep -q "policy drop" "$TMPDIR_IMP/got"
	grep -q "src ::/0 proto icmpv6 icmp-type 135 action accept" "$TMPDIR_IMP/got"
	grep -q "src 2001:db8:1::/48 proto tcp dport 22 action accept" "$TMPDIR_IMP/got"
	grep -q "src 0.0.0.0/0 proto icmp icmp-type 8 action accept" "$TMPDIR_IMP/got"
	[ "$(grep -c action "$TMPDIR_IMP/got")" -eq 13 ]
	# the same in pcn's own words round-trips (pcn save / restore)
	pcn -n "$S" save >"$TMPDIR_IMP/save"
	pcn -n "$S" cube del fw0
	pcn -n "$S" restore "$TMPDIR_IMP/save"
	pcn -n "$S" rule show fw0 ingress | diff -u "$TMPDIR_IMP/got" -
}

command -v iptables-restore >/dev/null ||
	skip "iptables is not installed (scripts/install-deps.sh)"
run_test fw_import_flatten flatten
run_test fw_import_bad_lines bad_lines
run_test fw_import_reject reject
run_test fw_import_both_families both_families
run_test fw_import_differential_xdp realistic xdp
# TC: the sets whose chains jump and return
run_test fw_import_differential_tc realistic tc host-ufw router-dmz \
	docker-like
run_test fw_import_differential_classbench classbench
tap_done
