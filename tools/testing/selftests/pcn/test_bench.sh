#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The benchmark's generator and sink work: frames flow from the generator
# through a bare XDP redirect and through a pcn forwarder to the sink, and
# the counts agree. (Timing is for "make bench", never asserted here.)

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BENCH=${PCN_BUILD:-$(dirname "$PCN")}/tools/pcn-bench

topo_bench()
{
	add_ns G
	add_ns D
	add_ns S
	quiet_ns "$G"
	quiet_ns "$D"
	quiet_ns "$S"
	add_veth "$G" g0 "$D" r1
	add_veth "$D" r2 "$S" s0
	ip netns exec "$D" ethtool -K r1 gro on >/dev/null
}

# flowed JSON: at least 1000 frames arrived, not more than were sent, and
# (veth rings may drop under load) at least 90% of them
flowed()
{
	jq -e '.received >= 1000 and .received <= .sent and
		.received >= 0.9 * .sent' <<<"$1"
}

generator_to_sink()
{
	local out

	need_root
	[ -x "$BENCH" ] || skip "$BENCH is not built"
	topo_bench
	out=$("$BENCH" run gen "$G" g0 sink "$S" s0 dut "$D" r1 redirect r2 \
		seconds 0.3 flows 100 src 10.0.0.1/10 dport 1/10)
	echo "$out"
	flowed "$out"
	out=$("$BENCH" run gen "$G" g0 dut "$D" r1 drop seconds 0.3)
	echo "$out"
	flowed "$out"
	# exactly COUNT frames, every one counted by the dropping DUT
	out=$("$BENCH" run gen "$G" g0 dut "$D" r1 drop count 12345)
	echo "$out"
	jq -e '.sent == 12345 and .received == 12345' <<<"$out"
}

generator_through_forwarder()
{
	local out st

	need_root
	[ -x "$BENCH" ] || skip "$BENCH is not built"
	setup_root
	topo_bench
	pcn -n "$D" cube add f type forwarder
	pcn -n "$D" link add f:p1 dev r1
	pcn -n "$D" link add f:p2 dev r2
	pcn -n "$D" cube set f port p1 action forward p2
	out=$("$BENCH" run gen "$G" g0 sink "$S" s0 seconds 0.3)
	echo "$out"
	flowed "$out"
	# the forwarder saw every frame the sink counted
	st=$(stable_stats "$D" f)
	jq -e --argjson r "$(jq .received <<<"$out")" \
		'.[0].ports[1].stats.tx.packets >= $r' <<<"$st"
	# a microbenchmark run of the port's entry program forwards too
	"$BENCH" prog link "$(echo "$PCN_ROOT"/ns-*/cubes/f/link_p1)" \
		repeat 1000 | jq -e '.retval == 4'
}

# the microbenchmark's own chains: every hop runs, every run is reported
prog_tailcalls()
{
	need_root
	[ -x "$BENCH" ] || skip "$BENCH is not built"
	"$BENCH" prog tailcalls 3 count runs 2 repeat 100 |
		jq -e '.retval == 1 and .counted == 800 and
			(.runs | length) == 2 and
			.ns_per_run == (.runs | min)'
	"$BENCH" prog tailcalls 0 repeat 10 | jq -e '.retval == 1 and
		(has("runs") | not) and (has("counted") | not)'
	expect_err 1 "$BENCH" prog empty runs 0
	expect_err 1 "$BENCH" prog tailcalls 17 count
}

# The cost scenario's tools: the redirect with a forwarder's pieces
# added (every bit combination forwards), the DUT's CPU time and its
# program's run time reported, and the micro floor "prog redirect"
bench_via_and_stats()
{
	local out v

	need_root
	[ -x "$BENCH" ] || skip "$BENCH is not built"
	topo_bench
	for v in 0 1 3 15; do
		out=$("$BENCH" run gen "$G" g0 sink "$S" s0 dut "$D" r1 via "$v" r2 \
			seconds 0.2 progstats "$D" r1 cputime "$$")
		echo "$out"
		flowed "$out"
		jq -e '.prog_ns_per_run > 0 and .cpu_ns >= 0 and
			has("cpu_ns_per_packet")' <<<"$out"
	done
	"$BENCH" prog redirect repeat 1000 | jq -e '.retval == 4'
	refused "via 0..15" "$BENCH" run gen "$G" g0 dut "$D" r1 via 16 r2
	refused "needs BITS" "$BENCH" run gen "$G" g0 dut "$D" r1 via r2
	refused "pid list" "$BENCH" run gen "$G" g0 cputime 1,x
}

# refused WHAT CMD...: CMD fails with one Error line, and it names WHAT
refused()
{
	local want=$1 err

	shift
	expect_err 1 "$@"
	err=$("$@" 2>&1 >/dev/null) && return 1
	grep -qF -- "$want" <<<"$err"
}

# numbers out of range are refused before anything is loaded or entered
# (not wrapped into range: size 4294967356 would be 60 in 32 bits)
bench_bad_numbers()
{
	local a

	need_root
	[ -x "$BENCH" ] || skip "$BENCH is not built"
	for a in "size 59" "size 4294967356" "flows 0" "count 0" "count -1" \
		 "sport 65536" "dport 80/0" "src 10.0.0.1/x" "seconds 0"; do
		# shellcheck disable=SC2086 # $a is a keyword and its value
		refused "${a%% *}" "$BENCH" run gen nowhere g0 $a
	done
	refused "tailcalls 0..16" "$BENCH" prog tailcalls 4294967299
	refused "repeat 1.." "$BENCH" prog empty repeat 0
}

run_test generator_to_sink generator_to_sink
run_test generator_through_forwarder generator_through_forwarder
run_test prog_tailcalls prog_tailcalls
run_test bench_bad_numbers bench_bad_numbers
run_test bench_via_and_stats bench_via_and_stats
tap_done
