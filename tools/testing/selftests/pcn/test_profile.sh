#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# pcn profile: a chain of a forwarder and a dynmon whose probe is made
# slow on purpose, under a UDP flood, in XDP and TC: the profile counts
# samples in both cubes, the slow one with the largest share, and gives
# it ns per packet from its counters; bad input.

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# a probe that spins a while on each packet
slow_probe()
{
	cat >"$1" <<'C'
#include <pcn/probe.h>
static __always_inline int slow(struct pcn_pkt *pkt)
{
	__u64 x = pkt->len;
	int i;

#pragma nounroll
	for (i = 0; i < 3000; i++)
		x = x * 2654435761u + i;
	return x == 1 ? PCN_PROBE_DROP : PCN_PROBE_PASS;
}
PCN_PROBE(slow)
C
}

# UDP datagrams from H1 to H2 as fast as python sends them, for $1 s
flood()
{
	ip netns exec "$H1" python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
end = time.monotonic() + float(sys.argv[1])
while time.monotonic() < end:
    for _ in range(100):
        try:
            s.sendto(b"x" * 18, ("10.201.1.2", 9))
        except OSError:
            pass
' "$1"
}

# the dynmon has seen traffic
mon_busy()
{
	pcn -n "$R" -j -s cube show mon | jq -e '.[0].stats.egress.packets > 100' >/dev/null
}

slow_cube()
{
	local mode=$1 out

	need_type forwarder
	need_type dynmon
	command -v clang >/dev/null || skip "clang is missing (scripts/install-deps.sh build)"
	setup_root
	WORK=$(mktemp -d)
	defer "rm -rf $WORK"
	topo_pair
	quiet_ns "$R"
	quiet_ns "$H1"
	quiet_ns "$H2"
	pcn -n "$R" cube add f type forwarder mode "$mode"
	pcn -n "$R" link add f:p1 dev r1
	pcn -n "$R" link add f:p2 dev r2
	pcn -n "$R" cube set f port p1 action forward p2 port p2 action forward p1
	pcn -n "$R" cube add mon type dynmon mode "$mode"
	pcn -n "$R" link add mon port f:p2 egress
	slow_probe "$WORK/slow.c"
	pcn -n "$R" probe load mon egress "$WORK/slow.c"
	ping_ok "$H1" 10.201.1.2 2
	flood 8 &
	defer "kill $! 2>/dev/null"
	wait_for 10 mon_busy
	pcn -n "$R" -j profile f mon seconds 2 >"$WORK/p"
	cat "$WORK/p"
	# samples in both; the slow one takes most of the cubes' time
	jq -e '.samples > 0 and .lost == 0 and .in_cubes > 0' "$WORK/p"
	jq -e '.cubes[0].cube == "f" and .cubes[1].cube == "mon"' "$WORK/p"
	jq -e '.cubes[1].samples > .cubes[0].samples' "$WORK/p"
	jq -e '.cubes[1].share_permille > 500' "$WORK/p"
	jq -e '.cubes[1].cpu_ns == .cubes[1].samples * .period_ns' "$WORK/p"
	# its packets (the dynmon's egress) and the time per packet
	jq -e '.cubes[1].packets > 0 and .cubes[1].ns_per_packet > 0' "$WORK/p"
	jq -e '.cubes[1].ns_per_packet == (.cubes[1].cpu_ns / .cubes[1].packets | floor)' "$WORK/p"
	# the forwarder's ports: what they received
	jq -e '.cubes[0].packets > 0' "$WORK/p"
	# text: a line per cube
	out=$(pcn -n "$R" profile mon seconds 1)
	echo "$out"
	grep -q '^mon  *dynmon  *[0-9]' <<<"$out"
}

bad_input()
{
	setup_root
	add_ns R
	pcn -n "$R" cube add mon type dynmon
	expect_err 2 "$PCN" -n "$R" profile nosuch seconds 1
	expect_err 1 "$PCN" -n "$R" profile mon mon
	expect_err 1 "$PCN" -n "$R" profile seconds 0
	expect_err 1 "$PCN" -n "$R" profile seconds 3601
	expect_err 1 "$PCN" -n "$R" profile seconds x
	expect_err 1 "$PCN" -n "$R" profile seconds
	expect_err 1 "$PCN" -n "$R" profile mon seconds 1 seconds 1
	expect_err 1 "$PCN" -n "$R" profile "bad/name"
	"$PCN" -n "$R" profile help | grep -q '^Usage: pcn profile'
	# an empty namespace: nothing to profile, said so in the counts
	add_ns E
	pcn -n "$E" -j profile seconds 1 | jq -e '.cubes == [] and .in_cubes == 0'
}

for m in xdp tc; do
	run_test "profile_slow_cube_$m" slow_cube $m
done
run_test profile_bad_input bad_input
tap_done
