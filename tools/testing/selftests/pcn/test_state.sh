#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Kernel-resident state under faults: bad input leaves the pin tree as it
# was, byte for byte; pcn killed at every step of add and del converges
# when run again; concurrent adds all land; an interface that vanishes is
# reported and cleaned; names are per netns; incompatible pins are
# refused.

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# A base state: cube fw (xdp) with port p1 on r1, cube nx (xdp) with none.
base_state()
{
	setup_root
	add_ns R
	quiet_ns "$R"
	add_veth "$R" r1 "$R" x1
	add_veth "$R" r2 "$R" x2
	pcn -n "$R" cube add fw type forwarder
	pcn -n "$R" cube add nx type forwarder mode xdp
	pcn -n "$R" link add fw:p1 dev r1
	pcn -n "$R" cube set fw port p1 action drop
}

# unchanged CODE ARGS...: pcn ARGS fails with CODE and one Error line, and
# the pin tree is exactly as it was.
unchanged()
{
	local code=$1 before after

	shift
	before=$(tree_snapshot)
	expect_err "$code" "$PCN" -n "$R" "$@"
	after=$(tree_snapshot)
	if [ "$before" != "$after" ]; then
		echo "pcn $* changed the pin tree:"
		diff <(echo "$before") <(echo "$after") || true
		return 1
	fi
}

bad_input()
{
	local out

	base_state
	unchanged 2 cube add fw type forwarder
	unchanged 2 cube del nosuch
	unchanged 2 cube set nosuch port p1 action drop
	unchanged 2 cube show nosuch
	unchanged 1 cube add x type nosuch
	unchanged 1 cube add x. type forwarder
	unchanged 1 cube add x/y type forwarder
	unchanged 1 cube add "" type forwarder
	unchanged 1 cube add abcdefghijklmnop type forwarder
	unchanged 1 cube add x type forwarder mode turbo
	unchanged 1 cube add x type forwarder bogus
	unchanged 1 cube frobnicate x
	unchanged 1 frobnicate
	unchanged 2 link add fw:p9 dev nosuchif
	unchanged 2 link add nosuch:p dev r2
	unchanged 2 link add fw:p1 dev r2
	unchanged 2 link add fw:p2 dev r1
	unchanged 2 link add nx:p2 dev r1
	# lo has no native XDP: the kernel refuses, nothing stays behind
	unchanged 2 link add nx:l dev lo
	unchanged 2 link del fw:nosuch
	unchanged 2 link del nosuch:p1
	unchanged 2 link del dev nosuchif
	unchanged 2 link del dev r2
	unchanged 1 link add fw
	unchanged 2 link add fw:p1
	unchanged 1 link add fw:p9 dev r2 dev r2
	unchanged 1 link set fw:p1
	unchanged 2 link set fw:p1 dev nosuchif
	unchanged 2 link set fw:nosuch none
	unchanged 1 link del fw
	unchanged 2 cube set fw port nosuch action drop
	unchanged 2 cube set fw port p1 action forward nosuch
	unchanged 1 cube set fw port p1 action bogus
	unchanged 1 cube set fw port p1
	unchanged 1 cube set fw port p1 action drop port p1 action pass
	unchanged 1 cube set fw
	# a transparent cube the kernel will not attach: the programs that
	# end chains must not stay in the patch panel
	pcn -n "$R" cube add t type firewall
	unchanged 2 link add t dev lo ingress
	# nor on an interface another XDP program holds (here another
	# pcn root's port)
	PCN_ROOT=$PCN_TEST_BPFFS/other "$PCN" -n "$R" cube add o type forwarder
	PCN_ROOT=$PCN_TEST_BPFFS/other "$PCN" -n "$R" link add o:p dev x2
	unchanged 2 link add t dev x2 ingress
	unchanged 2 link add t dev x2
	PCN_ROOT=$PCN_TEST_BPFFS/other "$PCN" -n "$R" cube del o
	pcn -n "$R" cube del t
	# filters that name nothing fail, as "ip link show dev" does
	unchanged 2 link show dev nosuchif
	unchanged 2 link show cube nosuch
	out=$("$PCN" -n "$R" -j link show cube nosuch || true)
	echo "$out" | jq -e '.error | test("does not exist")'
	unchanged 2 fdb show cube nosuch
	# no object: the usage, and an error
	unchanged 1
	out=$("$PCN" -j 2>/dev/null || true)
	echo "$out" | jq -e '.error | test("OBJECT")'
	expect_err 2 "$PCN" -n pcn-no-such-netns cube show
	# a sweep that fails: exit 2 and one error line, nothing changed
	PCN_FAULT=sweep unchanged 2 cube add x type forwarder
	PCN_FAULT=sweep unchanged 2 cube del fw
	# and the state still works
	pcn -n "$R" -j cube show fw | jq -e '.[0].ports[0].action == "drop"'
}

# The number of programs in the patch panels: one per cube, no orphan.
panel_entries()
{
	local ns_dir

	ns_dir=$(ls -d "$PCN_ROOT"/ns-*)
	echo $(($(bpftool -j map dump pinned "$ns_dir/panel_xdp" | jq length) +
		$(bpftool -j map dump pinned "$ns_dir/panel_tc" | jq length)))
}

no_staging()
{
	[ -z "$(find "$PCN_ROOT" -name 'staging-*')" ]
}

killed_cube_add()
{
	local point=$1 mode=$2

	setup_root
	add_ns R
	add_veth "$R" r1 "$R" x1
	pcn -n "$R" cube add other type forwarder mode "$mode"
	kill_at "$point" cube add c type forwarder mode "$mode"
	# not committed: it is not there, and running it again succeeds
	pcn -n "$R" -j cube show | jq -e 'map(.name) == ["other"]'
	pcn -n "$R" cube add c type forwarder mode "$mode"
	no_staging
	pcn -n "$R" -j cube show | jq -e 'map(.name) == ["c", "other"]'
	[ "$(panel_entries)" -eq 2 ]
	pcn -n "$R" link add c:p dev r1
}

killed_cube_add_committed()
{
	setup_root
	add_ns R
	kill_at cube-add-published cube add c type forwarder
	# committed before the kill: it exists, the next run sweeps the rest
	pcn -n "$R" -j cube show | jq -e 'map(.name) == ["c"]'
	expect_err 2 "$PCN" -n "$R" cube add c type forwarder
	no_staging
	[ "$(panel_entries)" -eq 1 ]
}

killed_cube_del()
{
	local n0

	setup_root
	add_ns R
	add_veth "$R" r1 "$R" x1
	n0=$(port_progs)
	pcn -n "$R" cube add c type forwarder
	pcn -n "$R" link add c:p dev r1
	kill_at cube-del-unpublished cube del c
	pcn -n "$R" -j cube show | jq -e 'length == 0'
	# the next mutating command finishes the job
	pcn -n "$R" cube add d type forwarder
	no_staging
	[ "$(panel_entries)" -eq 1 ]
	port_progs_are "$n0"
	ip -n "$R" -d link show dev r1 | fails grep -q 'prog/xdp'
}

# one attachment on r1: pcn reports one, the kernel holds one entry
# program more than before, and (XDP) the interface has a program
one_attachment()
{
	local n0=$1 mode=$2

	pcn -n "$R" -j link show | jq -e 'length == 1 and .[0].state == "attached"'
	port_progs_are $((n0 + 1))
	case $mode in
	xdp) ip -n "$R" -d link show dev r1 | grep -q 'prog/xdp' ;;
	clsact) [ "$(tc -n "$R" filter show dev r1 ingress | grep -c pcn)" -eq 1 ] ;;
	esac
}

killed_link_add()
{
	local point=$1 mode=$2 n0 cmode=$2

	setup_root
	add_ns R
	add_veth "$R" r1 "$R" x1
	if [ "$mode" = clsact ]; then
		export PCN_TC_ATTACH=clsact
		cmode=tc
	fi
	n0=$(port_progs)
	pcn -n "$R" cube add c type forwarder mode "$cmode"
	kill_at "$point" link add c:p dev r1
	if [ "$point" = link-add-pinned ]; then
		expect_err 2 "$PCN" -n "$R" link add c:p dev r1
	else
		pcn -n "$R" link add c:p dev r1
	fi
	no_staging
	one_attachment "$n0" "$mode"
	pcn -n "$R" link del c:p
	port_progs_are "$n0"
}

killed_link_del()
{
	local n0

	setup_root
	add_ns R
	add_veth "$R" r1 "$R" x1
	n0=$(port_progs)
	pcn -n "$R" cube add c type forwarder
	pcn -n "$R" link add c:p dev r1
	kill_at link-del-unpinned link del c:p
	pcn -n "$R" cube add d type forwarder
	no_staging
	pcn -n "$R" -j link show | jq -e 'length == 0'
	pcn -n "$R" -j cube show c | jq -e '.[0].ports == []'
	port_progs_are "$n0"
	pcn -n "$R" link add c:p dev r1
}

# SIGKILL at random moments, then the same command again: it converges.
killed_anywhere()
{
	local i rc pid

	setup_root
	add_ns R
	for ((i = 0; i < 12; i++)); do
		"$PCN" -n "$R" cube add "c$i" type forwarder &
		pid=$!
		sleep "0.00$((RANDOM % 10))"
		kill -9 "$pid" 2>/dev/null || true
		wait "$pid" || true
		rc=0
		"$PCN" -n "$R" cube add "c$i" type forwarder 2>/dev/null || rc=$?
		# 2: the killed run had committed already
		[ "$rc" -eq 0 ] || [ "$rc" -eq 2 ]
	done
	pcn -n "$R" cube show >/dev/null
	pcn -n "$R" -j cube show | jq -e 'length == 12'
	[ "$(panel_entries)" -eq 12 ]
	no_staging
}

concurrent_adds()
{
	local i

	setup_root
	add_ns R
	for ((i = 0; i < 20; i++)); do
		"$PCN" -n "$R" cube add "a$i" type forwarder &
		"$PCN" -n "$R" cube add "b$i" type forwarder mode tc &
		wait
	done
	# all there, each with its own slot and its program in it
	pcn -n "$R" -j -d cube show | jq -e 'length == 40 and
		all(.prog_id > 0) and
		(map(select(.mode == "xdp") | .slot) | unique | length) == 20 and
		(map(select(.mode == "tc") | .slot) | unique | length) == 20'
	[ "$(panel_entries)" -eq 40 ]
}

interface_vanishes()
{
	local n0

	setup_root
	add_ns R
	add_veth "$R" r1 "$R" x1
	n0=$(port_progs)
	pcn -n "$R" cube add c type forwarder mode "$1"
	pcn -n "$R" link add c:p dev r1
	ip -n "$R" link del r1
	pcn -n "$R" link show | grep -q 'state interface-gone'
	pcn -n "$R" -j link show | jq -e '.[0].state == "interface-gone"'
	pcn -n "$R" link del dev r1
	pcn -n "$R" -j link show | jq -e 'length == 0'
	[ ! -e "$PCN_ROOT"/ns-*/cubes/c/link_p ]
	port_progs_are "$n0"
}

netns_scoped()
{
	local A B

	setup_root
	add_ns A
	add_ns B
	pcn -n "$A" cube add same type forwarder
	pcn -n "$B" cube add same type forwarder mode tc
	pcn -n "$A" -j cube show | jq -e '.[0].mode == "xdp"'
	pcn -n "$B" -j cube show | jq -e '.[0].mode == "tc"'
	pcn -n "$A" cube del same
	pcn -n "$A" -j cube show | jq -e 'length == 0'
	pcn -n "$B" -j cube show | jq -e 'length == 1'
}

incompatible_schema()
{
	local meta

	setup_root
	add_ns R
	pcn -n "$R" cube add old type forwarder
	meta=$(echo "$PCN_ROOT"/ns-*/cubes/old/meta)
	# schema version 99 in the record's second word
	bpftool map update pinned "$meta" key 0 0 0 0 value \
		$(bpftool -j map lookup pinned "$meta" key 0 0 0 0 |
		  jq -r '.value | .[4] = "0x63" | .[5] = "0x00" | join(" ")')
	expect_err 2 "$PCN" -n "$R" cube show old
	{ "$PCN" -n "$R" cube show old 2>&1 || true; } | grep -q incompatible
	expect_err 2 "$PCN" -n "$R" link add old:p dev lo
	pcn -n "$R" cube del old
	pcn -n "$R" -j cube show | jq -e 'length == 0'
}

batch()
{
	local f

	setup_root
	add_ns R
	f=$(mktemp)
	defer "rm -f $f"
	printf '%s\n' "cube add b1 type forwarder" "# comment" "" \
		"cube add b2 type forwarder mode tc" >"$f"
	pcn -n "$R" -batch "$f"
	pcn -n "$R" -j cube show | jq -e 'map(.name) == ["b1", "b2"]'
	# an error stops the batch, and says where
	printf '%s\n' "cube del b1" "cube bogus" "cube del b2" >"$f"
	expect_err 1 "$PCN" -n "$R" -batch "$f"
	{ "$PCN" -n "$R" -batch "$f" 2>&1 || true; } |
		grep -q "^Error: $f:1: cube \"b1\" does not exist"
	pcn -n "$R" -j cube show | jq -e 'map(.name) == ["b2"]'
	# -force goes on, and still fails
	printf '%s\n' "cube bogus" "cube del b2" >"$f"
	fails "$PCN" -n "$R" -force -batch "$f"
	pcn -n "$R" -j cube show | jq -e 'length == 0'
	echo "cube add b3 type forwarder" | "$PCN" -n "$R" -batch -
	pcn -n "$R" -j cube show | jq -e 'map(.name) == ["b3"]'
}

# H1 -- r1 [f1] x == y [f2] r2 -- H2, forwarding both ways
two_cubes()
{
	setup_root
	topo_pair
	pcn -n "$R" cube add f1 type forwarder
	pcn -n "$R" cube add f2 type forwarder
	pcn -n "$R" link add f1:p1 dev r1
	pcn -n "$R" link add f2:p2 dev r2
}

forward_both()
{
	pcn -n "$R" cube set f1 port p1 action forward x port x action forward p1
	pcn -n "$R" cube set f2 port p2 action forward y port y action forward p2
}

killed_peer_add()
{
	two_cubes
	kill_at peer-add-half link add f1:x peer f2:y
	# half made, not committed: the next command takes it back
	pcn -n "$R" cube add other type forwarder
	no_staging
	pcn -n "$R" -j link show | jq -e '[.[] | select(.peer)] | length == 0'
	pcn -n "$R" link add f1:x peer f2:y
	forward_both
	ping_ok "$H1" 10.201.1.2 2
}

killed_peer_del()
{
	two_cubes
	pcn -n "$R" link add f1:x peer f2:y
	kill_at peer-del-half link del f1:x
	pcn -n "$R" cube add other type forwarder
	no_staging
	pcn -n "$R" -j link show | jq -e '[.[] | select(.peer)] | length == 0'
	pcn -n "$R" link add f1:x peer f2:y
}

killed_attach_dev()
{
	local n0

	setup_root
	add_ns R
	add_veth "$R" r1 "$R" x1
	n0=$(port_progs)
	pcn -n "$R" cube add h type firewall
	kill_at attach-dev-attached link add h dev r1
	pcn -n "$R" cube add other type forwarder
	no_staging
	pcn -n "$R" -j link show | jq -e 'length == 0'
	port_progs_are "$n0"
	ip -n "$R" -d link show dev r1 | fails grep -q 'prog/xdp'
	pcn -n "$R" link add h dev r1
	pcn -n "$R" -j link show | jq -e 'length == 1 and .[0].state == "attached"'
}

# killed while the linked list is half rewritten: the sweep writes the
# chain the record says, and traffic passes every cube again
killed_chain_apply()
{
	local c

	two_cubes
	pcn -n "$R" link add f1:x peer f2:y
	forward_both
	for c in a b c; do
		pcn -n "$R" cube add "$c" type firewall
	done
	pcn -n "$R" link add a port f1:p1 ingress
	pcn -n "$R" link add c port f1:p1 ingress
	kill_at chain-half-applied link add b port f1:p1 ingress before c
	pcn -n "$R" cube add other type forwarder
	no_staging
	pcn -n "$R" -j link show cube f1 |
		jq -e '.[] | select(.port == "p1") | .ingress_chain == ["a","b","c"]'
	ping_ok "$H1" 10.201.1.2 3
	# each firewall passed the pings on (it counts IP only, not ARP)
	for c in a b c; do
		[ "$(pcn -n "$R" -j -s cube show "$c" |
			jq '.[0].stats.ingress.accepted')" -ge 3 ]
	done
}

killed_detach()
{
	two_cubes
	pcn -n "$R" link add f1:x peer f2:y
	forward_both
	pcn -n "$R" cube add e type firewall
	pcn -n "$R" link add e port f1:x egress
	kill_at detach-committed link del e port f1:x
	pcn -n "$R" cube add other type forwarder
	no_staging
	pcn -n "$R" -j link show cube e | jq -e 'length == 0'
	ping_ok "$H1" 10.201.1.2 2
	pcn -n "$R" link add e port f1:x egress
	ping_ok "$H1" 10.201.1.2 2
}

# A user who may not see pcn's state is told so, never shown an empty
# list with exit 0
not_root()
{
	base_state
	as_nobody()
	{
		setpriv --reuid=nobody --regid=nogroup --clear-groups \
			--inh-caps=-all env PCN_ROOT="$PCN_ROOT" "$PCN" "$@"
	}
	local out

	for cmd in "cube show" "link show" "fdb show" \
		"route show" "rule show" "ct show"; do
		# shellcheck disable=SC2086
		expect_err 2 as_nobody $cmd
	done
	out=$(as_nobody -j cube show 2>/dev/null || true)
	echo "$out" | jq -e '.error | test("Permission denied")'
}

# A root (or netns directory) that another user made or may write to is
# refused, before anything is read or written in it
unsafe_root()
{
	local out

	setup_root
	add_ns R
	# bpffs mounted with default permissions: anyone may create the root
	chmod 1777 "$PCN_TEST_BPFFS"
	setpriv --reuid=nobody --regid=nogroup --clear-groups \
		mkdir -m 0700 "$PCN_ROOT"
	expect_err 2 "$PCN" -n "$R" cube add f type forwarder
	out=$("$PCN" -n "$R" cube add f type forwarder 2>&1 || true)
	[[ $out == *"owned by uid"* ]]
	expect_err 2 "$PCN" -n "$R" cube show
	[ -z "$(ls -A "$PCN_ROOT")" ]
	rmdir "$PCN_ROOT"
	# root's own, but writable by others
	mkdir -m 0777 "$PCN_ROOT"
	chmod 0777 "$PCN_ROOT"
	expect_err 2 "$PCN" -n "$R" cube add f type forwarder
	out=$("$PCN" -n "$R" cube add f type forwarder 2>&1 || true)
	[[ $out == *"writable by others"* ]]
	chmod 0700 "$PCN_ROOT"
	pcn -n "$R" cube add f type forwarder
	# a netns directory handed to another user
	chown nobody "$PCN_ROOT"/ns-*
	expect_err 2 "$PCN" -n "$R" cube show
	expect_err 2 "$PCN" -n "$R" cube del f
	chown root "$PCN_ROOT"/ns-*
	chmod g+w "$PCN_ROOT"/ns-*
	expect_err 2 "$PCN" -n "$R" cube del f
	chmod g-w "$PCN_ROOT"/ns-*
	pcn -n "$R" cube del f
}

run_test bad_input_leaves_tree_unchanged bad_input
run_test not_root_is_told not_root
run_test unsafe_root_refused unsafe_root
for p in cube-add-pinned cube-add-panel; do
	run_test "killed_cube_add_${p#cube-add-}_xdp" killed_cube_add $p xdp
	run_test "killed_cube_add_${p#cube-add-}_tc" killed_cube_add $p tc
done
run_test killed_cube_add_committed killed_cube_add_committed
run_test killed_cube_del killed_cube_del
for p in link-add-attached link-add-port link-add-pinned; do
	for m in xdp tc clsact; do
		run_test "killed_link_add_${p#link-add-}_$m" killed_link_add $p $m
	done
done
run_test killed_link_del killed_link_del
run_test killed_peer_add killed_peer_add
run_test killed_peer_del killed_peer_del
run_test killed_attach_dev killed_attach_dev
run_test killed_chain_apply killed_chain_apply
run_test killed_detach killed_detach
run_test killed_anywhere killed_anywhere
run_test concurrent_adds concurrent_adds
run_test interface_vanishes_xdp interface_vanishes xdp
run_test interface_vanishes_tc interface_vanishes tc
run_test netns_scoped netns_scoped
run_test incompatible_schema incompatible_schema
run_test batch batch
tap_done
