# SPDX-License-Identifier: GPL-2.0
#
# Helpers for pcn's shell selftests.  Source it from a bash script:
#
#	#!/bin/bash
#	# SPDX-License-Identifier: GPL-2.0
#	source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
#
#	test_bad_option()
#	{
#		expect_err 2 some-command --no-such-option
#	}
#
#	run_test bad_option test_bad_option
#	tap_done

# --- TAP ---
#
# Output is TAP version 13 on stdout.
#
# tap_plan N		print the plan "1..N" now (optional: without it,
#			tap_done prints "1..<count>" at the end)
# tap_ok NAME		report a pass
# tap_fail NAME [REASON...]	report a failure, REASON as "# " lines
# tap_skip NAME REASON...	report a skip: "ok N - NAME # SKIP REASON"
# tap_diag MSG...	print MSG as "# " lines
# tap_done		print the plan if still due and
#			"# Totals: pass:P fail:F skip:S", then exit 1 if
#			anything failed (or the plan was not kept), 4 if
#			everything was skipped, 0 otherwise
#
# run_test NAME FUNC [ARGS...]
#	Run FUNC ARGS in a subshell with "set -eE -o pipefail" (any failing
#	command fails the test), stdin from /dev/null and stdout and stderr
#	captured, then report NAME.  A failure prints the last 40 lines of
#	the captured output as "# " lines (TAP_VERBOSE=1: always print it).
#	FUNC may call "skip REASON" to report NAME as skipped.  run_test
#	returns 0 whatever the result (a script with "set -e" goes on);
#	TAP_LAST is then "pass", "fail" or "skip".  Call it as a plain
#	command: where bash ignores "set -e" (inside if, while, until, !,
#	&& or ||) it reports NAME as failed without running FUNC.
#
# skip REASON
#	Inside a run_test function: end the test, reported as skipped.
#	Outside: skip the whole script ("1..0 # SKIP REASON", exit 4) when
#	nothing was reported yet; else report what tap_plan still expects
#	as skipped and finish with tap_done.
#
# expect_err EXPECTED_EXIT CMD [ARGS...]
#	Run CMD; return 0 when it exits with EXPECTED_EXIT and its stderr
#	is exactly one newline-terminated line starting with "Error: ",
#	else describe what was seen on stderr and return 1.  CMD's stdout
#	is left alone.  (CMD is meant to be a program: a shell function
#	given as CMD runs without set -e in effect.)
#
# wait_for TIMEOUT CMD [ARGS...]
#	Run CMD every 0.1 s until it succeeds (return 0) or TIMEOUT seconds
#	(decimals allowed) have passed (return 1, with a message on
#	stderr).  CMD runs at least once.

TAP_NUM=${TAP_NUM:-0}
TAP_PASS=${TAP_PASS:-0}
TAP_FAIL=${TAP_FAIL:-0}
TAP_SKIP=${TAP_SKIP:-0}
TAP_LAST=${TAP_LAST:-}
__tap_header=${__tap_header:-0}
__tap_planned=${__tap_planned:-}

__tap_start()
{
	if [ "$__tap_header" = 0 ]; then
		__tap_header=1
		echo "TAP version 13"
	fi
}

tap_diag()
{
	local line

	__tap_start
	while IFS= read -r line; do
		echo "# $line"
	done <<<"$*"
}

tap_plan()
{
	if [[ ! ${1:-} =~ ^[0-9]+$ ]]; then
		echo "tap_plan: bad count '${1:-}'" >&2
		return 1
	fi
	__tap_start
	__tap_planned=$1
	echo "1..$1"
}

tap_ok()
{
	__tap_start
	TAP_NUM=$((TAP_NUM + 1))
	TAP_PASS=$((TAP_PASS + 1))
	TAP_LAST=pass
	echo "ok $TAP_NUM - $1"
}

tap_fail()
{
	__tap_start
	TAP_NUM=$((TAP_NUM + 1))
	TAP_FAIL=$((TAP_FAIL + 1))
	TAP_LAST=fail
	echo "not ok $TAP_NUM - $1"
	shift
	if [ -n "$*" ]; then
		tap_diag "$*"
	fi
}

tap_skip()
{
	local name=$1

	shift
	__tap_start
	TAP_NUM=$((TAP_NUM + 1))
	TAP_SKIP=$((TAP_SKIP + 1))
	TAP_LAST=skip
	echo "ok $TAP_NUM - $name # SKIP $*"
}

tap_done()
{
	local rc=0

	__tap_start
	if [ -z "$__tap_planned" ]; then
		echo "1..$TAP_NUM"
	elif [ "$__tap_planned" -ne "$TAP_NUM" ]; then
		tap_diag "planned $__tap_planned tests but ran $TAP_NUM"
		rc=1
	fi
	echo "# Totals: pass:$TAP_PASS fail:$TAP_FAIL skip:$TAP_SKIP"
	if [ "$TAP_FAIL" -gt 0 ]; then
		rc=1
	elif [ "$rc" = 0 ] && [ "$TAP_PASS" = 0 ] && [ "$TAP_SKIP" -gt 0 ]; then
		rc=4
	fi
	exit "$rc"
}

# Set only inside a run_test subshell: where skip() leaves its reason.
__tap_skip_file=

skip()
{
	if [ -n "$__tap_skip_file" ]; then
		printf '%s\n' "$*" >"$__tap_skip_file"
		exit 4
	fi
	if [ "$TAP_NUM" = 0 ] && [ -z "$__tap_planned" ]; then
		__tap_start
		echo "1..0 # SKIP $*"
		exit 4
	fi
	tap_diag "skipping the remaining tests: $*"
	while [ -n "$__tap_planned" ] && [ "$TAP_NUM" -lt "$__tap_planned" ]; do
		tap_skip "not run" "$*"
	done
	tap_done
}

# The ERR trap of run_test: say what failed, where, and the calls that led
# there from the test function.
__tap_on_err()
{
	local rc=$1 cmd=$2 line=$3 i msg

	if [ "${FUNCNAME[1]:-}" = run_test ]; then
		# the test function itself returned non-zero
		echo "error: the test function returned status $rc" >&2
		return
	fi
	msg="error: status $rc"
	# after a function returns non-zero, BASH_COMMAND is its last command
	if [[ $cmd != return* ]]; then
		msg+=" from '$cmd'"
	fi
	msg+=" at ${BASH_SOURCE[1]##*/}:$line in ${FUNCNAME[1]}()"
	for ((i = 2; i < ${#FUNCNAME[@]}; i++)); do
		if [ "${FUNCNAME[i]}" = run_test ]; then
			break
		fi
		msg+=" <- ${BASH_SOURCE[i]##*/}:${BASH_LINENO[i - 1]}"
		msg+=" in ${FUNCNAME[i]}()"
	done
	echo "$msg" >&2
}

# Print a file as "# " lines, only its last 40 lines when longer.
__tap_show_output()
{
	local n line

	n=$(wc -l <"$1")
	if [ "$n" -gt 40 ]; then
		tap_diag "... (last 40 of $n lines)"
	fi
	tail -n 40 "$1" | while IFS= read -r line || [ -n "$line" ]; do
		echo "# $line"
	done
}

run_test()
{
	local name=${1:-} fn=${2:-} dir out probe rc reason errexit="" errtrap

	if [ $# -lt 2 ]; then
		echo "Usage: run_test NAME FUNCTION [ARGS...]" >&2
		tap_fail "${name:-run_test}" "run_test: missing arguments"
		return 0
	fi
	shift 2

	# Inside if/while/!/&&/|| bash ignores set -e even in subshells.
	probe=$( (set -e; false; echo ignored); true)
	if [ "$probe" = ignored ]; then
		tap_fail "$name" "run_test: called where bash ignores set -e" \
			"(in if, while, until, !, && or ||): call it as a" \
			"plain command"
		return 0
	fi

	dir=$(mktemp -d "${TMPDIR:-/tmp}/pcn-tap.XXXXXX") || {
		tap_fail "$name" "run_test: mktemp failed"
		return 0
	}
	out=$dir/output

	# Not "( ... ) || rc=$?": that would switch set -e off inside.  So
	# the caller's own set -e and ERR trap are suspended meanwhile.
	if [[ $- == *e* ]]; then
		errexit=1
	fi
	errtrap=$(trap -p ERR)
	set +e
	trap - ERR
	(
		__tap_skip_file=$dir/skip
		set -eE -o pipefail
		trap '__tap_on_err "$?" "$BASH_COMMAND" "$LINENO"' ERR
		"$fn" "$@"
	) </dev/null >"$out" 2>&1
	rc=$?
	eval "$errtrap"
	if [ -n "$errexit" ]; then
		set -e
	fi

	if [ "$rc" = 0 ]; then
		tap_ok "$name"
		if [ -n "${TAP_VERBOSE:-}" ]; then
			__tap_show_output "$out"
		fi
	elif [ "$rc" = 4 ] && [ -e "$dir/skip" ]; then
		reason=$(head -n 1 "$dir/skip")
		tap_skip "$name" "$reason"
		if [ -n "${TAP_VERBOSE:-}" ]; then
			__tap_show_output "$out"
		fi
	else
		tap_fail "$name"
		tap_diag "$name: exited with status $rc"
		__tap_show_output "$out"
	fi
	rm -rf "$dir"
	return 0
}

expect_err()
{
	local expected=$1 errf rc=0 lines=() ok=1

	shift
	errf=$(mktemp "${TMPDIR:-/tmp}/pcn-err.XXXXXX") || return 1
	"$@" 2>"$errf" || rc=$?
	mapfile -t lines <"$errf"

	if [ "$rc" != "$expected" ]; then
		ok=0
	elif [ "${#lines[@]}" != 1 ] || [[ ${lines[0]} != "Error: "* ]]; then
		ok=0
	elif [ -n "$(tail -c 1 "$errf")" ]; then
		ok=0	# the line does not end in a newline
	fi
	if [ "$ok" = 0 ]; then
		{
			printf 'expect_err:'
			printf ' %q' "$@"
			echo
			echo "  expected: exit status $expected," \
			     "stderr one line 'Error: ...'"
			echo "  seen:     exit status $rc," \
			     "stderr ${#lines[@]} line(s):"
			sed 's/^/    | /' "$errf"
			if [ -s "$errf" ] && [ -n "$(tail -c 1 "$errf")" ]; then
				echo
				echo "    (no newline at the end)"
			fi
		} >&2
	fi
	rm -f "$errf"
	if [ "$ok" = 1 ]; then
		return 0
	fi
	return 1
}

wait_for()
{
	local timeout=${1:-} sec frac now deadline

	shift
	if [[ ! $timeout =~ ^([0-9]+)(\.([0-9]{1,6}))?$ ]] || [ $# = 0 ]; then
		echo "Usage: wait_for TIMEOUT_SECONDS CMD [ARGS...]" >&2
		return 2
	fi
	sec=${BASH_REMATCH[1]}
	frac=${BASH_REMATCH[3]}000000
	frac=${frac:0:6}
	now=${EPOCHREALTIME//[!0-9]/}
	deadline=$((10#$now + 10#$sec * 1000000 + 10#$frac))
	while :; do
		if "$@"; then
			return 0
		fi
		now=${EPOCHREALTIME//[!0-9]/}
		if [ "$((10#$now))" -ge "$deadline" ]; then
			break
		fi
		sleep 0.1
	done
	echo "wait_for: '$*' did not succeed within $timeout s" >&2
	return 1
}

# --- pcn ---
#
# Network fixtures for tests that drive the real pcn binary. All of them
# work inside a run_test function (a subshell): each setup step registers
# its undo with "defer" right away, and the undo runs when the test ends,
# passed or failed, in reverse order.
#
# defer CMD...		run CMD (a string, eval'd) when the test ends
# setup_root		private bpffs for the test; exports PCN_ROOT
# add_ns VAR		new netns with a unique name (lo up) -> $VAR
# add_veth NS1 IF1 NS2 IF2	veth pair, one end in each netns, both up
# addr NS IF ADDR/LEN	add an address
# pcn ARGS...		the pcn under test ($PCN)
# tree_snapshot		every pin under $PCN_ROOT with its kernel content
# port_progs		how many port entry programs the kernel holds

SELFTEST_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PCN=${PCN:-$(cd "$SELFTEST_DIR/../../../.." && pwd)/build/pcn}
TEST_ID=$(printf '%x%x' $$ $RANDOM)

__defer=()

__run_defer()
{
	# a name no deferred command uses: one that loops over "i" must
	# not move this loop
	local __defer_i

	for ((__defer_i = ${#__defer[@]} - 1; __defer_i >= 0; __defer_i--)); do
		eval "${__defer[__defer_i]}" >/dev/null 2>&1 || true
	done
	__defer=()
}

defer()
{
	__defer+=("$*")
	trap __run_defer EXIT
}

# need_type TYPE: skip the test, saying why, when pcn was built without
# the cube type TYPE (a folder of pcn/cubes/ left out)
need_type()
{
	if ! "$PCN" cube help | grep -Eq "TYPE := \{.* $1( |$)"; then
		skip "pcn is built without the cube type $1"
	fi
}

need_root()
{
	if [ "$(id -u)" != 0 ]; then
		skip "needs root (CAP_BPF, CAP_NET_ADMIN, CAP_SYS_ADMIN)"
	fi
}

setup_root()
{
	need_root
	PCN_TEST_BPFFS=$(mktemp -d "${TMPDIR:-/tmp}/pcn-bpffs.XXXXXX")
	defer "rmdir $PCN_TEST_BPFFS"
	mount -t bpf bpf "$PCN_TEST_BPFFS"
	# unmounting releases every pin left: links detach, programs go
	defer "umount -l $PCN_TEST_BPFFS"
	export PCN_ROOT=$PCN_TEST_BPFFS/pcn
}

__ns_seq=0

add_ns()
{
	local __name

	__ns_seq=$((__ns_seq + 1))
	__name=pcnt-$TEST_ID-$__ns_seq
	ip netns add "$__name"
	defer "ip netns del $__name"
	ip -n "$__name" link set dev lo up
	printf -v "$1" '%s' "$__name"
}

# no IPv6 in NS: no router solicitations or DAD moving counters behind
# a test's back
quiet_ns()
{
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1
}

add_veth()
{
	local ns1=$1 if1=$2 ns2=$3 if2=$4

	ip -n "$ns1" link add "$if1" type veth peer name "$if2" netns "$ns2"
	ip -n "$ns1" link set dev "$if1" up
	ip -n "$ns2" link set dev "$if2" up
}

addr()
{
	ip -n "$1" addr add "$3" dev "$2"
}

# A host-side veth end that talks through an XDP cube (see pcn-link(8)):
# XDP_REDIRECT into a veth needs NAPI (GRO) on the receiving end, and a
# frame that leaves the host with its checksum left to offload reaches
# XDP without the means to finish it: checksum in software.
veth_xdp_ready()
{
	ip netns exec "$1" ethtool -K "$2" gro on tx off >/dev/null
}

pcn()
{
	"$PCN" "$@"
}

# Every pin under the root, with what the kernel holds behind it: map
# contents, program ids, link ids. Two equal snapshots mean an unchanged
# tree.
tree_snapshot()
{
	python3 "$SELFTEST_DIR/snapshot.py" "$PCN_ROOT"
}

# The port entry programs of this test's pcn: those that use a map
# pinned in its private bpffs (setup_root), so that other tests running
# at the same time do not count; machine-wide without a private root.
# A program leaked by a killed command keeps its maps, and the test's
# namespace (with its shared maps) outlives the check.
port_progs()
{
	local ids='null'

	if [ -n "${PCN_TEST_BPFFS:-}" ]; then
		ids=$(bpftool -j -f map show |
		      jq -c --arg r "$PCN_TEST_BPFFS/" \
			 '[.[] | select(any(.pinned[]?; startswith($r))) | .id]')
	fi
	bpftool -j prog show |
		jq --argjson m "$ids" '[.[] | select(.name == "pcn_port_in") |
			select($m == null or
			       any(.map_ids[]?; . as $i | $m | index($i)))] |
			length'
}

# programs are freed after an RCU grace period: wait for the count
port_progs_are()
{
	wait_for 5 __port_progs_are "$1"
}

__port_progs_are()
{
	[ "$(port_progs)" -eq "$1" ]
}

# Two hosts, H1 (10.A.1.1) and H2 (10.A.1.2) on one subnet, each wired by
# a veth to netns R (r1, r2), where the cube under test sits between them.
# Sets H1 H2 R. A is derived from the test id so parallel runs differ.
topo_pair()
{
	add_ns H1
	add_ns H2
	add_ns R
	add_veth "$R" r1 "$H1" h1
	add_veth "$R" r2 "$H2" h2
	addr "$H1" h1 10.201.1.1/24
	addr "$H2" h2 10.201.1.2/24
	veth_xdp_ready "$H1" h1
	veth_xdp_ready "$H2" h2
}

# kill_at POINT ARGS...: pcn ARGS is killed (SIGKILL) at POINT
kill_at()
{
	local point=$1 rc=0

	shift
	PCN_FAULT=$point "$PCN" -n "$R" "$@" || rc=$?
	[ "$rc" -eq 137 ] || { echo "pcn $* was not killed at $point ($rc)"; return 1; }
}

# ping_ok NS ADDR [N]: N echo replies (3), asked for until they came or
# 10 s passed (a first request may wait on ARP, or on a table just made)
ping_ok()
{
	ip netns exec "$1" ping -c "${3:-3}" -i 0.1 -w 10 -q "$2" >/dev/null
}

# ping_fails NS ADDR [N]: none of N echo requests (3) answered in 1 s
ping_fails()
{
	if ip netns exec "$1" ping -c "${3:-3}" -i 0.1 -W 1 -q "$2" >/dev/null
	then
		echo "ping $2 from $1 was answered" >&2
		return 1
	fi
}

# fails CMD...: CMD must fail (a bare "! CMD" never fails a set -e test)
fails()
{
	if "$@"; then
		echo "unexpectedly succeeded: $*" >&2
		return 1
	fi
	return 0
}

listening()
{
	ip netns exec "$1" ss -Htln "sport = :$2" | grep -q .
}

# tcp_transfer FROM_NS TO_NS TO_ADDR BYTES [PORT]: send BYTES of random
# data over TCP (IPv4 or IPv6) and check that they arrive intact.
tcp_transfer()
{
	local from=$1 to=$2 dst=$3 bytes=$4 dir
	local port=${5:-$((20000 + RANDOM % 20000))}

	dir=$(mktemp -d "${TMPDIR:-/tmp}/pcn-tcp.XXXXXX")
	defer "rm -rf $dir"
	head -c "$bytes" /dev/urandom >"$dir/send"
	ip netns exec "$to" socat -u TCP6-LISTEN:$port,reuseaddr,ipv6only=0 \
		CREATE:"$dir/recv" &
	defer "kill $! 2>/dev/null"
	wait_for 5 listening "$to" $port
	[[ $dst == *:* ]] && dst="[$dst]"
	ip netns exec "$from" timeout 20 socat -u FILE:"$dir/send" \
		TCP:"$dst":$port
	wait_for 10 cmp -s "$dir/send" "$dir/recv"
}

# tcp_blocked FROM_NS TO_NS TO_ADDR PORT: a listener is there, but no
# connection gets through within a second
tcp_blocked()
{
	local from=$1 to=$2 dst=$3 port=$4

	ip netns exec "$to" timeout 5 socat -u \
		TCP6-LISTEN:"$port",reuseaddr,ipv6only=0 /dev/null &
	defer "kill $! 2>/dev/null"
	wait_for 5 listening "$to" "$port"
	[[ $dst == *:* ]] && dst="[$dst]"
	fails ip netns exec "$from" timeout 3 socat -u /dev/null \
		TCP:"$dst":"$port",connect-timeout=1
}

# stable_stats NS CUBE: "pcn -j -s cube show CUBE" once the counters
# stopped moving (no packet in flight between two reads)
stable_stats()
{
	local a b i

	a=$("$PCN" -n "$1" -j -s cube show "$2")
	for ((i = 0; i < 50; i++)); do
		sleep 0.1
		b=$("$PCN" -n "$1" -j -s cube show "$2")
		if [ "$a" = "$b" ]; then
			echo "$b"
			return 0
		fi
		a=$b
	done
	echo "stable_stats: counters of $2 never settled" >&2
	return 1
}

# port_stat NS CUBE PORT GROUP.KEY: one counter of a port (rx.packets,
# tx.bytes, rx.dropped, ...), from pcn -j -s
port_stat()
{
	"$PCN" -n "$1" -j -s cube show "$2" |
		jq -e ".[0].ports[] | select(.name == \"$3\") | .stats.$4"
}
