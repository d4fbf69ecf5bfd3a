#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# pcn's layers, read from its object files: cube types call the command,
# the command calls the engine (lib/), never the other way; no cube type
# calls another; no files call each other in a cycle (layers.py).

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../../.." && pwd)
BUILD=${PCN_BUILD:-$TOP/build}

layers()
{
	[ -d "$BUILD/obj" ] || skip "no objects in $BUILD/obj (make first)"
	python3 "$(dirname "${BASH_SOURCE[0]}")/layers.py" "$BUILD/obj" "$TOP"
}

# the check finds what it is for: an upward call and a cycle, planted
layers_catch()
{
	local d out

	[ -d "$BUILD/obj" ] || skip "no objects in $BUILD/obj (make first)"
	d=$(mktemp -d "${TMPDIR:-/tmp}/pcn-layers.XXXXXX")
	defer "rm -rf $d"
	mkdir -p "$d/obj/lib" "$d/obj/pcn/cubes/a" "$d/src/lib" \
		"$d/src/pcn/cubes/a"
	printf 'int up(void);\nint low(void) { return up(); }\n' >"$d/src/lib/low.c"
	printf 'int low(void);\nint up(void) { return 1; }\nint cmd(void) { return low(); }\n' \
		>"$d/src/pcn/cmd.c"
	printf 'int cmd(void);\nint t(void) { return cmd(); }\n' \
		>"$d/src/pcn/cubes/a/t.c"
	for f in lib/low pcn/cmd pcn/cubes/a/t; do
		gcc -c "$d/src/$f.c" -o "$d/obj/$f.o"
	done
	out=$(python3 "$(dirname "${BASH_SOURCE[0]}")/layers.py" "$d/obj" \
		"$d/src" || true)
	grep -q '^lib/low.c calls up into pcn/cmd.c (up)$' <<<"$out"
	grep -q '^a cycle of calls: lib/low.c, pcn/cmd.c$' <<<"$out"
	fails python3 "$(dirname "${BASH_SOURCE[0]}")/layers.py" "$d/obj" \
		"$d/src" >/dev/null
}

run_test layers_call_down_only layers
run_test layers_check_finds_offences layers_catch
tap_done
