#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run pcn's selftests and sum up their TAP results.
#
#   run_tests.sh [--list] [TEST...]
#
# Runs, in this order, every C test binary listed (space-separated) in
# the TEST_BINS environment variable, then every test_*.sh next to this
# script.  With TEST arguments only the tests of those names run, still in
# that order; a name is a binary's basename or a script's basename (the
# ".sh" may be left out).  --list prints the names that would run.
#
# Each test runs under coreutils timeout(1) (TEST_FILE_TIMEOUT seconds,
# default 600), binaries from the current directory, scripts from this
# directory, stdin from /dev/null.  Its stdout is shown as it comes and
# its TAP result lines (those at column 0) are counted: "ok" is a pass,
# "ok ... # SKIP" a skip, "not ok" a failure.  The test counts one more
# failure, named after it, when it times out, is killed by a signal, exits
# non-zero (other than 4) without a "not ok" line, or reports fewer or
# more results than its plan says; one skip when it exits 4 without
# results (a "1..0 # SKIP" file).  Processes a test leaves behind are
# killed.
#
# The last line printed is "N passed, N failed, N skipped".  Exit status:
# 0 when nothing failed, 1 otherwise, 2 on a usage error.

dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
timeout_s=${TEST_FILE_TIMEOUT:-600}

usage()
{
	echo "Usage: $0 [--list] [TEST...]" >&2
	exit 2
}

list=0
names=()
for arg in "$@"; do
	case "$arg" in
	--list)
		list=1
		;;
	-h | --help)
		sed -n '3,/^$/s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
		exit 0
		;;
	-*)
		echo "Error: unknown option '$arg'" >&2
		usage
		;;
	*)
		names+=("$arg")
		;;
	esac
done

if [[ ! $timeout_s =~ ^[0-9]+(\.[0-9]+)?[smhd]?$ ]]; then
	echo "Error: bad TEST_FILE_TIMEOUT '$timeout_s'" >&2
	exit 2
fi

# Everything there is to run: paths and their names, in order.
all_paths=()
all_names=()
for bin in ${TEST_BINS:-}; do
	if [[ $bin != */* ]]; then
		bin=./$bin	# not looked up in $PATH
	fi
	all_paths+=("$bin")
	all_names+=("$(basename "$bin")")
done

add_scripts()
{
	local LC_ALL=C script	# the same order everywhere

	for script in "$dir"/test_*.sh; do
		if [ -e "$script" ]; then
			all_paths+=("$script")
			all_names+=("$(basename "$script")")
		fi
	done
}
add_scripts

# Keep those asked for: a name picks the tests of exactly that basename,
# or else the script NAME.sh.
selected=()
for name in "${names[@]}"; do
	found=0
	for want in "$name" "$name.sh"; do
		for i in "${!all_names[@]}"; do
			if [ "$want" = "${all_names[$i]}" ]; then
				selected[i]=1
				found=1
			fi
		done
		if [ "$found" = 1 ]; then
			break
		fi
	done
	if [ "$found" = 0 ]; then
		echo "Error: no test named '$name'" >&2
		exit 2
	fi
done
paths=()
for i in "${!all_paths[@]}"; do
	if [ ${#names[@]} = 0 ] || [ -n "${selected[i]:-}" ]; then
		paths+=("${all_paths[$i]}")
	fi
done

if [ "$list" = 1 ]; then
	for path in "${paths[@]}"; do
		basename "$path"
	done
	exit 0
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pcn-run-tests.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

passed=0
failed=0
skipped=0
failures=()
interrupted=0

# shellcheck disable=SC2317	# called from the traps below
on_signal()
{
	interrupted=$1
	# timeout(1) passes the signal on to the test's process group
	if [ -s "$tmp/pid" ]; then
		kill -TERM "$(<"$tmp/pid")" 2>/dev/null
	fi
}
trap 'on_signal 130' INT
trap 'on_signal 143' TERM
trap 'on_signal 129' HUP

# Start one test in the background, its stdout to the terminal and to
# $tmp/log.  timeout(1) leads a process group of its own, so killing that
# group once timeout is done gets rid of anything the test left behind.
start_test()
{
	local path=$1 name=$2 cmd

	if [[ $name == *.sh ]]; then
		if [ -x "$path" ]; then
			cmd=("$path")
		else
			cmd=(bash "$path")
		fi
	else
		cmd=("$path")
	fi
	: >"$tmp/pid"
	: >"$tmp/rc"
	{
		(
			if [[ $name == *.sh ]]; then
				cd "$dir" || exit 126
			fi
			exec timeout -k 10 "$timeout_s" "${cmd[@]}"
		) </dev/null &
		pid=$!
		echo "$pid" >"$tmp/pid"
		wait "$pid" 2>/dev/null	# no "Segmentation fault" notice
		rc=$?
		if kill -0 -- "-$pid" 2>/dev/null; then
			if [ "$rc" != 124 ]; then	# else already dying
				echo "# $name: killing leftover processes" >&2
			fi
			kill -KILL -- "-$pid" 2>/dev/null
		fi
		echo "$rc" >"$tmp/rc"
	} | tee "$tmp/log" &
	tee_pid=$!
}

# Wait for the test; a trapped signal interrupts "wait", so loop.
wait_test()
{
	while :; do
		wait "$tee_pid"
		if ! kill -0 "$tee_pid" 2>/dev/null; then
			break
		fi
	done
}

# Count the TAP result lines of $tmp/log, then judge the exit status.
count_test()
{
	local name=$1 rc=$2 line lower plan="" n=0 p=0 f=0 s=0 extra=
	local skip_re sig

	while IFS= read -r line || [ -n "$line" ]; do
		lower=${line,,}
		if [[ $lower =~ ^not\ ok([[:space:]]|$) ]]; then
			f=$((f + 1))
			failures+=("$name: ${line#not ok }")
		elif [[ $lower =~ ^ok([[:space:]]|$) ]]; then
			skip_re='^ok[[:space:]][^#]*#[[:space:]]*skip'
			if [[ $lower =~ $skip_re ]]; then
				s=$((s + 1))
			else
				p=$((p + 1))
			fi
		elif [[ -z $plan && $line =~ ^1\.\.([0-9]+) ]]; then
			plan=${BASH_REMATCH[1]}
		fi
	done <"$tmp/log"
	n=$((p + f + s))

	if [ "$interrupted" != 0 ]; then
		extra="interrupted"
	elif [ -z "$rc" ]; then
		extra="no exit status (runner problem)"
	elif [ "$rc" = 124 ]; then
		extra="timed out after $timeout_s (TEST_FILE_TIMEOUT)"
	elif [ "$rc" -gt 128 ]; then
		sig=$((rc - 128))
		extra="killed by signal $sig (SIG$(kill -l "$sig" 2>/dev/null))"
	elif [ "$rc" = 125 ] || [ "$rc" = 126 ] || [ "$rc" = 127 ]; then
		extra="could not be run (exit status $rc)"
	elif [ "$rc" != 0 ] && [ "$rc" != 4 ] && [ "$f" = 0 ]; then
		extra="exited with status $rc without a 'not ok' line"
	elif [ -n "$plan" ] && [ "$plan" != "$n" ]; then
		extra="planned $plan tests, reported $n"
	fi
	if [ -z "$extra" ] && [ "$rc" = 4 ] && [ "$n" = 0 ]; then
		s=1
		echo "# $name: skipped"
	fi
	if [ -n "$extra" ]; then
		echo "# $name: $extra"
		f=$((f + 1))
		failures+=("$name: $extra")
	fi
	echo "# $name: $p passed, $f failed, $s skipped (exit status ${rc:-?}," \
		"$((SECONDS - started)) s)"
	passed=$((passed + p))
	failed=$((failed + f))
	skipped=$((skipped + s))
}

for path in "${paths[@]}"; do
	name=$(basename "$path")
	echo "# ===== $name ====="
	if [[ $name != *.sh ]] && [ ! -x "$path" ]; then
		echo "# $name: $path is not an executable file"
		failed=$((failed + 1))
		failures+=("$name: not an executable file")
		continue
	fi
	started=$SECONDS
	start_test "$path" "$name"
	wait_test
	count_test "$name" "$(<"$tmp/rc")"
	if [ "$interrupted" != 0 ]; then
		echo "# interrupted, not running the remaining tests"
		break
	fi
done

if [ ${#failures[@]} -gt 0 ]; then
	echo "# Failed:"
	for f in "${failures[@]}"; do
		echo "#   $f"
	done
fi
echo "$passed passed, $failed failed, $skipped skipped"
if [ "$failed" = 0 ]; then
	exit 0
fi
exit 1
