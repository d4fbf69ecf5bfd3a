#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Save and restore: every cube type, composed (bridge, router, forwarder,
# firewall, helloworld), in XDP and in TC, in one namespace and across
# several: save, delete everything, restore, and the save is the same
# byte for byte and the traffic goes (and is dropped) as before. A file
# with a bad line, of an unknown schema, or that needs an interface that
# is missing applies nothing and says where. The lines of fdb, addr,
# route and neigh show replay. Flush, flush -all, and the prune of what
# "ip netns del" leaves, down to the maps. The boot unit's command.

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

mac_of()
{
	ip -n "$1" -j link show dev "$2" | jq -r '.[0].address'
}

# ping_first NS ADDR: the first packet may resolve a next hop (it becomes
# the router's ARP request): then every packet gets through
ping_first()
{
	ip netns exec "$1" ping -c 1 -W 1 -q "$2" >/dev/null || true
	ping_ok "$1" "$2" 2
}

# no cube, and no namespace directory, in the root
tree_empty()
{
	[ -z "$(ls "$PCN_ROOT")" ]
}

# In R, in mode $1: H1 -- [router r0] -- H2, with 10.218.9.1 and .2
# behind H2 (a static route) and a static neighbour; on the way out of
# r0:p2 a helloworld then a firewall that drops pings to 10.218.9.1.
# H3 -- [bridge br0] == [forwarder f1] -- H4 on 10.218.3.0/24, with a
# static fdb entry for H3. (A bridge floods into no peer cube in XDP,
# into one in TC: H4 speaks first, and H3 knows H4's address.)
one_ns()
{
	local mode=$1 ns i h2mac h3mac

	setup_root
	add_ns R
	for i in 1 2 3 4; do
		add_ns "H$i"
	done
	for ns in "$R" "$H1" "$H2" "$H3" "$H4"; do
		quiet_ns "$ns"
	done
	for i in 1 2 3 4; do
		ns=H$i
		add_veth "$R" "v$i" "${!ns}" "e$i"
		veth_xdp_ready "${!ns}" "e$i"
	done
	addr "$H1" e1 10.218.1.2/24
	addr "$H2" e2 10.218.2.2/24
	addr "$H3" e3 10.218.3.3/24
	addr "$H4" e4 10.218.3.4/24
	ip -n "$H2" addr add 10.218.9.1/32 dev lo
	ip -n "$H2" addr add 10.218.9.2/32 dev lo
	ip -n "$H1" route add default via 10.218.1.1
	ip -n "$H2" route add default via 10.218.2.1
	h2mac=$(mac_of "$H2" e2)
	h3mac=$(mac_of "$H3" e3)
	# an XDP bridge floods into no peer cube: H3 could not ask for H4
	ip -n "$H3" neigh replace 10.218.3.4 lladdr "$(mac_of "$H4" e4)" \
		dev e3 nud permanent
	pcn -n "$R" -batch - 2>/dev/null <<-EOF
	cube add r0 type router mode $mode neigh_timeout 60
	cube add br0 type bridge mode $mode ageing_time 120
	cube add f1 type forwarder mode $mode
	cube add fw type firewall mode $mode egress accept
	cube add hw type helloworld mode $mode
	link add r0:p2 dev v2
	link add r0:p1 dev v1
	link add br0:p3 dev v3
	link add f1:p4 dev v4
	link add f1:br0 peer br0:f1
	cube set f1 port p4 action forward br0 port br0 action forward p4
	addr add 10.218.1.1/24 port r0:p1
	addr add 10.218.2.1/24 port r0:p2
	route add 10.218.9.0/24 via 10.218.2.2 cube r0 metric 10
	neigh add 10.218.2.2 lladdr $h2mac port r0:p2
	fdb add $h3mac port br0:p3
	link add fw port r0:p2 egress
	link add hw port r0:p2 egress first
	rule append fw egress dst 10.218.9.1/32 proto icmp action drop
	EOF
}

# what goes through one_ns, and what does not
one_ns_traffic()
{
	ping_first "$H1" 10.218.2.2
	ping_ok "$H1" 10.218.9.2 2
	ping_fails "$H1" 10.218.9.1 1
	ping_ok "$H4" 10.218.3.3 2
	# the helloworld first, the firewall after it, on the way out
	pcn -n "$R" -j cube show hw | jq -e '.[0].attached[0].position == 1'
	pcn -n "$R" -j cube show fw | jq -e '.[0].attached[0].position == 2'
	pcn -n "$R" -j -s cube show hw | jq -e '.[0].stats.egress.packets > 0'
}

# save, delete everything, restore (or -batch: $2), the same save, the
# same traffic
round_trip_one_ns()
{
	local mode=$1 how=$2 after f

	one_ns "$mode"
	one_ns_traffic
	f=$(mktemp "${TMPDIR:-/tmp}/pcn-save.XXXXXX")
	defer "rm -f $f"
	pcn -n "$R" save >"$f"
	# every type saved what it holds
	grep -qx "cube add fw type firewall mode $mode ingress accept egress accept conntrack on" "$f"
	grep -qx "cube add hw type helloworld mode $mode ingress pass egress pass" "$f"
	grep -qx "cube set f1 port br0 action forward p4" "$f"
	grep -qx "link add hw port r0:p2 egress" "$f"
	grep -qx "rule append fw egress dst 10.218.9.1/32 proto icmp action drop" "$f"
	grep -qx "fdb add $(mac_of "$H3" e3) port br0:p3 vlan 1" "$f"
	# the ports made again in the order of their indexes
	grep -n "^link add r0:p" "$f" | grep -q "^[0-9]*:link add r0:p2 dev v2"
	[ "$(grep -n '^link add r0:p' "$f" | cut -d: -f1 | head -1)" -lt \
	  "$(grep -n '^link add r0:p1' "$f" | cut -d: -f1)" ]
	grep -qx "route add 10.218.9.0/24 via 10.218.2.2 port r0:p2 metric 10" "$f"
	grep -q "^# not saved: .*connection tracking, dynamic fdb entries, neighbours learned by ARP$" "$f"
	pcn -n "$R" cube flush
	pcn -n "$R" -j cube show | jq -e 'length == 0'
	tree_empty
	ping_fails "$H1" 10.218.2.2 1
	if [ "$how" = batch ]; then
		pcn -n "$R" -batch "$f" 2>/dev/null
	else
		pcn -n "$R" restore "$f" 2>/dev/null
	fi
	after=$(pcn -n "$R" save)
	diff "$f" <(echo "$after")
	one_ns_traffic
	if [ "$how" = restore ]; then
		# restore again, over itself: the same
		pcn -n "$R" restore "$f" 2>/dev/null
		diff "$f" <(pcn -n "$R" save)
		one_ns_traffic
	else
		# a bad last line: one error, the rules dropped with the rest
		echo "rule append fw egress proto icmp action maybe" >>"$f"
		expect_err 1 "$PCN" -n "$R" restore "$f"
		diff <(echo "$after") <(pcn -n "$R" save)
	fi
}

# R (XDP): H1 -- [router r] -- H2, a helloworld on the way in from H1;
# S (TC): H3 -- [bridge b] == [forwarder f] -- H4, a helloworld on the
# way out to H4, and a firewall on S's own interface to H3 that drops
# pings to it. Saved with -all, flushed with -all, restored.
round_trip_all_ns()
{
	local f ns i

	setup_root
	add_ns R
	add_ns S
	for i in 1 2 3 4; do
		add_ns "H$i"
	done
	for ns in "$R" "$S" "$H1" "$H2" "$H3" "$H4"; do
		quiet_ns "$ns"
	done
	add_veth "$R" v1 "$H1" e1
	add_veth "$R" v2 "$H2" e2
	add_veth "$S" s3 "$H3" e3
	add_veth "$S" s4 "$H4" e4
	add_veth "$S" s5 "$H3" e5
	for i in 1 2; do
		ns=H$i
		veth_xdp_ready "${!ns}" "e$i"
	done
	addr "$H1" e1 10.219.1.2/24
	addr "$H2" e2 10.219.2.2/24
	ip -n "$H1" route add default via 10.219.1.1
	ip -n "$H2" route add default via 10.219.2.1
	addr "$H3" e3 10.219.3.3/24
	addr "$H4" e4 10.219.3.4/24
	addr "$H3" e5 10.219.5.3/24
	addr "$S" s5 10.219.5.1/24
	pcn -n "$R" -batch - 2>/dev/null <<-EOF
	cube add r type router
	cube add hw type helloworld
	link add r:p1 dev v1
	link add r:p2 dev v2
	addr add 10.219.1.1/24 port r:p1
	addr add 10.219.2.1/24 port r:p2
	link add hw port r:p1 ingress
	EOF
	pcn -n "$S" -batch - <<-EOF
	cube add b type bridge mode tc
	cube add f type forwarder mode tc
	cube add hw type helloworld mode tc
	cube add fw type firewall mode tc
	link add b:p3 dev s3
	link add f:p4 dev s4
	link add f:b peer b:f
	cube set f port p4 action forward b port b action forward p4
	link add hw port f:p4 egress
	link add fw dev s5 ingress
	rule append fw ingress proto icmp action drop
	EOF
	all_ns_traffic
	f=$(mktemp "${TMPDIR:-/tmp}/pcn-save.XXXXXX")
	defer "rm -f $f"
	pcn save -all >"$f"
	grep -q "^-n $R cube add r type router" "$f"
	grep -q "^-n $S link add fw dev s5 ingress$" "$f"
	fails grep -q "^cube" "$f"
	pcn flush -all
	tree_empty
	ping_fails "$H3" 10.219.3.4 1
	pcn restore "$f" 2>/dev/null
	diff "$f" <(pcn save -all)
	all_ns_traffic
}

all_ns_traffic()
{
	ping_first "$H1" 10.219.2.2
	ping_ok "$H3" 10.219.3.4 2
	ping_fails "$H3" 10.219.5.1 1
	pcn -n "$R" -j -s cube show hw |
		jq -e '.[0].stats.ingress.packets > 0'
	pcn -n "$S" -j -s cube show hw |
		jq -e '.[0].stats.egress.packets > 0'
}

# A save with a forwarder on veth x1 of R, and a bridge on x2
small_state()
{
	setup_root
	add_ns R
	quiet_ns "$R"
	add_veth "$R" x1 "$R" y1
	add_veth "$R" x2 "$R" y2
	veth_xdp_ready "$R" y1
	pcn -n "$R" -batch - 2>/dev/null <<-EOF
	cube add f type forwarder
	cube add b type bridge mode tc
	link add f:p1 dev x1
	link add b:p2 dev x2
	cube set f port p1 action drop
	EOF
}

# every pin with its inode (a pin made again has another), and the save
pins_and_save()
{
	find "$PCN_ROOT" -printf '%i %p\n' | sort
	pcn -n "$R" save
}

# restore ARGS... fails with CODE and one error line before it changes
# anything: the same pins, holding the same configuration
refused()
{
	local code=$1 before

	shift
	before=$(pins_and_save)
	expect_err "$code" "$PCN" -n "$R" restore "$@"
	diff <(echo "$before") <(pins_and_save)
}

# restore FILE fails with CODE and one error line at line LINE, and
# what it did is undone: the namespace saves as before
undone()
{
	local code=$1 f=$2 line=$3 before err

	before=$(pcn -n "$R" save)
	expect_err "$code" "$PCN" -n "$R" restore "$f"
	[ "$(pcn -n "$R" save)" = "$before" ]
	err=$("$PCN" -n "$R" restore "$f" 2>&1 >/dev/null || true)
	[[ $err == "Error: $f:$line: "* ]]
	[ "$(pcn -n "$R" save)" = "$before" ]
	echo "$err"
}

bad_files()
{
	local f saved err

	small_state
	f=$(mktemp "${TMPDIR:-/tmp}/pcn-save.XXXXXX")
	defer "rm -f $f"
	saved=$(pcn -n "$R" save)
	# a bad line (the 10th): nothing of the file is applied, the cubes
	# the restore flushed are back (the one it added goes), and the
	# error says where
	{ echo "$saved"; echo "cube add g type forwarder";
	  echo "cube add x type nosuch"; } >"$f"
	undone 1 "$f" 10 | grep -q 'cube type "nosuch" is unknown'
	# a line the kernel refuses, after a new cube: the same
	{ echo "$saved"; echo "cube add g type forwarder";
	  echo "link add g:p1 dev x1"; } >"$f"
	undone 2 "$f" 10
	# a line that changes what was there, then one that fails: all of
	# it made again as it was
	{ echo "$saved" | sed 's/action drop/action pass/';
	  echo "cube set nosuch port p1 action drop"; } >"$f"
	undone 2 "$f" 9
	# schemas: unknown, none, malformed
	echo "$saved" | sed 's/^schema 1$/schema 99/' >"$f"
	refused 1 "$f"
	[[ $("$PCN" -n "$R" restore "$f" 2>&1) == "Error: $f:3: "*"schema 99"* ]]
	expect_err 1 "$PCN" -n "$R" -batch "$f"
	echo "$saved" | grep -v '^schema' >"$f"
	refused 1 "$f"
	: >"$f"
	refused 1 "$f"
	echo "schema one" >"$f"
	refused 1 "$f"
	refused 2 /nonexistent/file
	refused 1
	refused 1 "$f" extra
	expect_err 1 "$PCN" -n "$R" -force restore "$f"
	[ "$(pcn -n "$R" save)" = "$saved" ]
	# save: a namespace that does not exist, bad words
	expect_err 2 "$PCN" -n nosuch-netns-$TEST_ID save
	expect_err 2 "$PCN" save -n nosuch-netns-$TEST_ID
	expect_err 1 "$PCN" save -all -n "$R"
	expect_err 1 "$PCN" save bogus
	fails "$PCN" -n "$R" -j save >"$f"
	jq -e '.error' "$f"
	expect_err 1 "$PCN" -n "$R" flush bogus
	expect_err 1 "$PCN" -n "$R" cube flush bogus
	expect_err 1 "$PCN" netns frob
	expect_err 1 "$PCN" netns show bogus
	[ "$(pcn -n "$R" save)" = "$saved" ]
}

# An interface the file needs is missing: named, with its line; the
# file is not applied; in a batch it is not run at all
missing_interface()
{
	local f err before

	small_state
	f=$(mktemp "${TMPDIR:-/tmp}/pcn-save.XXXXXX")
	defer "rm -f $f"
	pcn -n "$R" save >"$f"
	pcn -n "$R" cube flush
	ip -n "$R" link del x1
	ip -n "$R" link del x2
	before=$(tree_snapshot)
	expect_err 2 "$PCN" -n "$R" restore "$f"
	err=$("$PCN" -n "$R" restore "$f" 2>&1 || true)
	[[ $err == "Error: $f: interfaces missing, nothing applied: x2 (line 6), x1 (line 7)" ]]
	tree_empty
	expect_err 2 "$PCN" -n "$R" -batch "$f"
	diff <(echo "$before") <(tree_snapshot)
	# in another namespace: named with it
	sed "s/^\([cl]\)/-n $R \1/" "$f" >"$f.n"
	defer "rm -f $f.n"
	err=$("$PCN" restore "$f.n" 2>&1 || true)
	[[ $err == *"x2 (netns $R, line 6)"* ]]
	# once they are there again, it applies
	add_veth "$R" x1 "$R" y1
	add_veth "$R" x2 "$R" y2
	pcn -n "$R" restore "$f" 2>/dev/null
	diff "$f" <(pcn -n "$R" save)
}

# The lines of fdb, addr, route and neigh show, after their add (route
# replace), make the same objects again
replay_show()
{
	local f saved o out

	setup_root
	add_ns R
	quiet_ns "$R"
	add_veth "$R" v1 "$R" w1
	add_veth "$R" v2 "$R" w2
	f=$(mktemp "${TMPDIR:-/tmp}/pcn-save.XXXXXX")
	defer "rm -f $f $f.bare"
	pcn -n "$R" -batch - 2>/dev/null <<-EOF
	cube add br0 type bridge
	cube add r0 type router
	link add br0:p1 dev v1
	link add br0:r0 peer r0:br0
	link add r0:p2 dev v2
	cube set br0 port p1 trunk 10,20
	addr add 10.0.1.1/24 port r0:br0
	addr add 10.0.1.2/24 port r0:br0
	addr add 192.168.7.1/24 port r0:br0
	addr add 10.0.2.1/24 port r0:p2
	route add default via 10.0.2.254 cube r0
	route add 172.16.0.0/16 via 10.0.2.3 cube r0 metric 10
	route add 172.16.0.0/16 via 10.0.1.3 cube r0 metric 20
	route add 198.51.100.0/24 port r0:p2
	neigh add 10.0.2.3 lladdr 02:00:00:00:02:03 port r0:p2
	neigh add 10.0.1.9 lladdr 02:00:00:00:01:09 port r0:br0
	fdb add 02:00:00:00:00:01 port br0:p1 vlan 10
	fdb add 02:00:00:00:00:02 port br0:r0
	EOF
	pcn -n "$R" save >"$f"
	for o in fdb addr route neigh; do
		eval "show_$o=\$(pcn -n \"\$R\" $o show)"
	done
	# shellcheck disable=SC2154
	grep -qx '172.16.0.0/16 via 10.0.1.3 port r0:br0 proto static metric 20 inactive' <<<"$show_route"
	# over themselves: nothing changes
	sed 's/^/route replace /' <<<"$show_route" | pcn -n "$R" -batch -
	diff "$f" <(pcn -n "$R" save)
	# the cubes alone, then each object's lines
	grep -v '^\(fdb\|addr\|route\|neigh\) add' "$f" >"$f.bare"
	pcn -n "$R" restore "$f.bare" 2>/dev/null
	[ -z "$(pcn -n "$R" addr show)" ]
	for o in addr:add route:replace neigh:add fdb:add; do
		out=show_${o%:*}
		sed "s/^/${o%:*} ${o#*:} /" <<<"${!out}" | pcn -n "$R" -batch -
		diff <(sort <<<"${!out}") <(pcn -n "$R" "${o%:*}" show | sort)
	done
	diff "$f" <(pcn -n "$R" save)
	# JSON keeps its keys
	pcn -n "$R" -j fdb show |
		jq -e '.[0] | .cube == "br0" and .port != null and .static'
	# a learned entry's line is refused: it would become static
	expect_err 1 "$PCN" -n "$R" fdb add 02:00:00:00:00:07 port br0:p1 vlan 1 age 3s
	expect_err 1 "$PCN" -n "$R" neigh add 10.0.2.7 port r0:p2 lladdr 02:00:00:00:00:07 age 3s
	# a secondary address needs its primary; a connected route its address
	pcn -n "$R" link add r0:p3 dev w1 2>/dev/null
	expect_err 2 "$PCN" -n "$R" addr add 10.0.3.1/24 port r0:p3 secondary
	pcn -n "$R" link del r0:p3
	pcn -n "$R" route add 10.0.2.0/24 port r0:p2 proto connected metric 0
	expect_err 2 "$PCN" -n "$R" route replace 10.0.4.0/24 port r0:p2 proto connected
	expect_err 1 "$PCN" -n "$R" route add 10.0.4.0/24 port r0:p2 proto kernel
	diff "$f" <(pcn -n "$R" save)
}

# map_ids DIR: the ids of the maps pinned under DIR
map_ids()
{
	local pin

	find "$1" -type f | while read -r pin; do
		bpftool -j map show pinned "$pin" 2>/dev/null |
			jq -r '.id // empty' 2>/dev/null || true
	done | sort -u
}

maps_gone()
{
	local id

	for id in "$@"; do
		if bpftool map show id "$id" >/dev/null 2>&1; then
			return 1
		fi
	done
}

is_dead()
{
	pcn -j netns show | jq -e --arg d "$1" 'map(select(.dir == $d and (.alive | not))) | length == 1' >/dev/null
}

# ip netns del leaves pins behind: listed dead, pruned, and their maps
# freed; the living namespace is left as it was
prune_dead()
{
	local dir ids before

	setup_root
	add_ns R
	add_ns X
	quiet_ns "$R"
	quiet_ns "$X"
	add_veth "$R" v1 "$R" w1
	add_veth "$X" v1 "$X" w1
	pcn -n "$R" cube add f type forwarder
	pcn -n "$R" link add f:p1 dev v1
	before=$(tree_snapshot)
	pcn -n "$X" cube add b type bridge
	pcn -n "$X" link add b:p1 dev v1
	pcn -n "$X" link add b:p2 dev w1
	dir=$PCN_ROOT/ns-$(ip netns exec "$X" stat -L -c %i /proc/self/ns/net)
	[ -d "$dir" ]
	mapfile -t ids < <(map_ids "$dir")
	[ "${#ids[@]}" -gt 5 ]
	pcn -j netns show | jq -e --arg r "$R" --arg x "$X" '
		(map(select(.name == $r and .alive and .cubes == 1)) | length == 1) and
		(map(select(.name == $x and .alive and .cubes == 1)) | length == 1)'
	ip netns del "$X"
	# its interfaces go with it, and its links with them
	wait_for 10 is_dead "${dir##*/}"
	pcn netns show | grep -qx "${dir##*/} dead cubes 1 pins [0-9]* memlock [0-9]*"
	pcn -j netns show | jq -e --arg d "${dir##*/}" '
		map(select(.dir == $d)) | .[0] | (.alive | not) and .pins > 10 and .memlock > 0'
	pcn netns prune
	[ ! -e "$dir" ]
	wait_for 10 maps_gone "${ids[@]}"
	pcn netns show | grep -q "name $R alive cubes 1"
	diff <(echo "$before") <(tree_snapshot)
}

# flush -all: every namespace's cubes, and what dead ones left
flush_all()
{
	setup_root
	add_ns R
	add_ns S
	add_ns X
	pcn -n "$R" cube add a type forwarder
	pcn -n "$S" cube add b type helloworld mode tc
	pcn -n "$X" cube add c type forwarder
	pcn cube add d type forwarder mode tc
	defer "\"$PCN\" cube del d"
	ip netns del "$X"
	[ "$(pcn -j netns show | jq 'length')" = 4 ]
	pcn flush -all
	tree_empty
	pcn flush -all
	pcn cube flush
	[ "$(pcn -j netns show | jq 'length')" = 0 ]
}

# The boot unit's command, on a directory of two files: the one whose
# interface is missing is not applied, and named; the other is
boot_unit()
{
	local dir unit cmd out rc=0

	setup_root
	add_ns R
	add_ns S
	add_veth "$R" v1 "$R" w1
	dir=$(mktemp -d "${TMPDIR:-/tmp}/pcn-etc.XXXXXX")
	defer "rm -rf $dir"
	pcn -n "$R" cube add f type forwarder
	pcn -n "$R" link add f:p1 dev v1
	pcn save -all >"$dir/10-r.batch"
	printf '%s\n' "schema 1" "-n $S cube add g type forwarder" \
		"-n $S link add g:p1 dev gone0" >"$dir/20-s.batch"
	pcn flush -all
	unit=$dir/pcn-restore.service
	sed -e "s|@SBINDIR@|$(dirname "$PCN")|g" -e "s|@CONFDIR@|$dir|g" \
		"$SELFTEST_DIR/../../../../scripts/pcn-restore.service.in" >"$unit"
	# as systemd runs it: "$$" is a "$"
	cmd=$(sed -n 's/^ExecStart=//p' "$unit" | sed 's/\$\$/$/g')
	out=$(eval "$cmd" 2>&1) || rc=$?
	echo "$out"
	[ "$rc" = 1 ]
	grep -qx "Error: $dir/20-s.batch: interfaces missing, nothing applied: gone0 (netns $S, line 3)" <<<"$out"
	pcn -n "$R" -j cube show | jq -e 'map(.name) == ["f"]'
	pcn -n "$S" -j cube show | jq -e 'length == 0'
	diff "$dir/10-r.batch" <(pcn save -all)
}

run_test save_round_trip_one_netns_xdp round_trip_one_ns xdp restore
run_test save_round_trip_one_netns_tc round_trip_one_ns tc batch
run_test save_round_trip_all_netns round_trip_all_ns
run_test restore_bad_files_apply_nothing bad_files
run_test restore_missing_interface missing_interface
run_test show_lines_replay replay_show
run_test netns_prune_dead prune_dead
run_test flush_all flush_all
run_test boot_unit boot_unit
tap_done
