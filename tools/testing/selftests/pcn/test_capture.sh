#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# pcn capture: packets at an interface, at a cube's port and between two
# cubes, in XDP and TC, written to pcapng or pcap and read back with
# tshark and tcpdump (count, bytes, snaplen, interface blocks, time);
# filters in the datapath and in libpcap's language; the capture cube
# gone when the command ends, and swept by the next command when it was
# killed; bad input.

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SEND=$SELFTEST_DIR/capture_send.py
UPORT=5001

need_tools()
{
	local t

	for t in tshark tcpdump python3; do
		command -v "$t" >/dev/null ||
			skip "$t is not installed (scripts/install-deps.sh test)"
	done
}

# is there a capture cube in namespace $1?
cap_cube_there()
{
	pcn -n "$1" -j cube show | jq -e 'any(.[]; .type == "capture")' >/dev/null
}

# cap_start NS ARGS...: pcn -n NS capture ARGS in the background, its
# pid in CAP_PID, its stderr in $TMPD/cap.err; back once the cube is
# attached
cap_start()
{
	local ns=$1

	shift
	"$PCN" -n "$ns" capture "$@" 2>"$TMPD/cap.err" &
	CAP_PID=$!
	defer "kill -9 $CAP_PID 2>/dev/null"
	wait_for 20 cap_cube_there "$ns"
}

# cap_stop: SIGINT, as ^C; the command must end well and say so
cap_stop()
{
	kill -INT "$CAP_PID"
	wait "$CAP_PID"
	cat "$TMPD/cap.err"
	grep -q '^[0-9]* packets captured$' "$TMPD/cap.err"
}

setup()
{
	need_tools
	need_type capture
	need_type forwarder
	setup_root
	TMPD=$(mktemp -d "${TMPDIR:-/tmp}/pcn-cap.XXXXXX")
	defer "rm -rf $TMPD"
	topo_pair
	quiet_ns "$R"
	quiet_ns "$H1"
	quiet_ns "$H2"
}

# forwarder f between r1 and r2, in mode $1
forwarder()
{
	pcn -n "$R" cube add f type forwarder mode "$1"
	pcn -n "$R" link add f:p1 dev r1
	pcn -n "$R" link add f:p2 dev r2
	pcn -n "$R" cube set f port p1 action forward p2 port p2 action forward p1
	ping_ok "$H1" 10.201.1.2 2
}

# send N SIZE [TIMES]: N UDP datagrams of SIZE bytes from H1 to H2
send()
{
	ip netns exec "$H1" python3 "$SEND" 10.201.1.2 $UPORT "$1" "$2" ${3:+"$3"}
}

# tshark_read FILE: one pass of tshark over FILE, into $TMPD/all (every
# packet: interface, length, captured length) and $TMPD/test (the test's
# UDP packets, not those quoted by ICMP: the same, time and payload)
tshark_read()
{
	tshark -r "$1" -T fields -E separator=/t -e frame.interface_name \
		-e frame.len -e frame.cap_len -e udp.dstport -e icmp.type \
		-e frame.time_epoch -e data.data >"$TMPD/all"
	awk -F'\t' -v p=$UPORT '$4 == p && $5 == ""' "$TMPD/all" >"$TMPD/test"
}

# expect_packets FILE N BYTES: exactly N of the test's packets, BYTES in
# all on the wire, by tshark and by tcpdump (tshark_read'ing FILE)
expect_packets()
{
	local f=$1 n=$2 bytes=$3 got

	tshark_read "$f"
	got=$(awk -F'\t' '{ n++; b += $2 } END { print n + 0, b + 0 }' "$TMPD/test")
	[ "$got" = "$n $bytes" ] || { echo "tshark: $got, not $n $bytes"; return 1; }
	got=$(tcpdump -r "$f" -n "udp dst port $UPORT" 2>/dev/null | wc -l)
	[ "$got" = "$n" ] || { echo "tcpdump: $got packets, not $n"; return 1; }
}

# 20 datagrams of 200 bytes: 242 bytes each on the wire
N=20
WIRE=242

# at an interface no cube owns: H2's own, both ways in tc, in in XDP
at_dev()
{
	local mode=$1 dirs

	setup
	forwarder "$mode"
	cap_start "$H2" dev h2 mode "$mode" -w "$TMPD/c.pcapng"
	send $N 200
	cap_stop
	expect_packets "$TMPD/c.pcapng" $N $((N * WIRE))
	# one interface block per point, named after it
	dirs=$(cut -f1 "$TMPD/all" | sort -u | tr '\n' ,)
	if [ "$mode" = tc ]; then
		[ "$dirs" = "dev h2 egress,dev h2 ingress," ]
	else
		[ "$dirs" = "dev h2 ingress," ]
	fi
	[ "$(cut -f1 "$TMPD/test" | sort -u)" = "dev h2 ingress" ]
	# gone with the command, nothing left
	fails cap_cube_there "$H2"
	[ ! -e "$PCN_ROOT/ns-$(ip netns exec "$H2" stat -Lc %i /proc/self/ns/net)" ]
}

# in_time TIMES: each of the test's packets (tshark_read) within 10 ms
# of the time the sender read from its clock as it sent it (TIMES, from
# capture_send.py), plus $STEP ns if set (clock_step)
in_time()
{
	cut -f6,7 "$TMPD/test" >"$TMPD/seen"
	python3 - "$1" "$TMPD/seen" <<'EOF'
import os, sys
sent = dict(map(int, l.split()) for l in open(sys.argv[1]))
step = int(os.environ.get("STEP", "0"))
n = 0
for line in open(sys.argv[2]):
    t, data = line.split()
    seq = int(bytes.fromhex(data)[7:13])
    sec, _, frac = t.partition(".")
    ns = int(sec) * 10**9 + int((frac + "000000000")[:9])
    d = ns - sent[seq] - step
    print("seq %d: captured %+.3f ms after it was sent" % (seq, d / 1e6))
    assert abs(d) < 10 * 10**6, "more than 10 ms"
    n += 1
assert n == len(sent), "%d of %d packets" % (n, len(sent))
EOF
}

# at a cube's port, on its way out, with snaplen: truncated copies
at_port()
{
	local mode=$1

	setup
	forwarder "$mode"
	cap_start "$R" port f:p2 egress snaplen 100 -w "$TMPD/c.pcapng"
	send $N 200 "$TMPD/times"
	cap_stop
	expect_packets "$TMPD/c.pcapng" $N $((N * WIRE))
	[ "$(cut -f3 "$TMPD/test" | sort -u)" = 100 ]
	in_time "$TMPD/times"
	[ "$(cut -f1 "$TMPD/test" | sort -u)" = "port f:p2 egress" ]
	# the forwarder's counters saw each of them go out
	[ "$(port_stat "$R" f p2 tx.packets)" -ge $N ]
	fails cap_cube_there "$R"
}

# between two cubes linked port to port, in classic pcap, a filter in
# the datapath: what does not match is counted, not copied, and
# forwarded all the same
between()
{
	local mode=$1

	setup
	pcn -n "$R" cube add a type forwarder mode "$mode"
	pcn -n "$R" cube add b type forwarder mode "$mode"
	pcn -n "$R" link add a:p1 dev r1
	pcn -n "$R" link add a:p2 peer b:p1
	pcn -n "$R" link add b:p2 dev r2
	pcn -n "$R" cube set a port p1 action forward p2 port p2 action forward p1
	pcn -n "$R" cube set b port p1 action forward p2 port p2 action forward p1
	ping_ok "$H1" 10.201.1.2 2
	cap_start "$R" port b:p1 ingress format pcap \
		filter proto udp dst 10.201.1.0/24 dport $UPORT -w "$TMPD/c.pcap"
	send $N 200
	UPORT=5002 send $N 200
	ping_ok "$H1" 10.201.1.2 2
	cap_stop
	[ "$(head -c 4 "$TMPD/c.pcap" | od -An -tx1 | tr -d ' ')" = 4d3cb2a1 ]
	expect_packets "$TMPD/c.pcap" $N $((N * WIRE))
	# nothing else made it into the file: no ping, no 5002
	[ "$(wc -l <"$TMPD/all")" = $N ]
	[ "$(sed -n 's/ packets not matching the filter//p' "$TMPD/cap.err")" -ge $((N + 2)) ]
	[ "$(port_stat "$R" b p2 tx.packets)" -ge $((2 * N + 2)) ]
	fails cap_cube_there "$R"
}

# -w -: into tcpdump -r -, as tcpdump -w - does
to_pipe()
{
	setup
	forwarder tc
	( "$PCN" -n "$R" capture port f:p1 ingress count $N filter proto udp -w - |
		tcpdump -r - -n "udp dst port $UPORT" >"$TMPD/out" 2>/dev/null ) &
	defer "kill $! 2>/dev/null"
	wait_for 20 cap_cube_there "$R"
	send $N 200
	wait_for 20 fails cap_cube_there "$R"
	wait_for 5 lines_are "$TMPD/out" "$N"
}

# killed: traffic goes on, and the next mutating command removes it
killed()
{
	local mode=$1

	setup
	forwarder "$mode"
	cap_start "$R" port f:p1 both -w "$TMPD/c.pcapng"
	kill -9 "$CAP_PID"
	wait "$CAP_PID" || true
	ping_ok "$H1" 10.201.1.2 2
	cap_cube_there "$R"
	# a reader does not sweep; a writer does
	pcn -n "$R" cube add other type forwarder mode "$mode"
	fails cap_cube_there "$R"
	[ "$(pcn -n "$R" -j link show | jq '[.[] | select(.cube | startswith("cap"))] | length')" = 0 ]
	ping_ok "$H1" 10.201.1.2 2
	# the forwarder's port has nothing on its way any more
	pcn -n "$R" cube del other
	pcn -n "$R" save | grep -vq capture
}

# two captures stacked on one point, the second with a filter in
# libpcap's language (user space), ending at its count; neither saved
# lines_are FILE N / cube_linked CUBE: for wait_for, which must run the
# check each time (a "$(...)" argument would be read once, before it)
lines_are()
{
	[ "$(wc -l <"$1")" = "$2" ]
}

cube_linked()
{
	[ "$(pcn -n "$R" -j link show |
	     jq --arg c "$1" '[.[] | select(.cube == $c)] | length')" = 1 ]
}

two()
{
	local first

	setup
	"$PCN" capture help | grep -q pcap-filter
	if "$PCN" capture dev lo pcap-filter udp -w /dev/null 2>&1 | grep -q 'without libpcap'; then
		skip "pcn is built without libpcap (libpcap-dev)"
	fi
	forwarder tc
	cap_start "$R" port f:p2 egress name c1 -w "$TMPD/a.pcapng"
	first=$CAP_PID
	"$PCN" -n "$R" capture port f:p2 egress before c1 name c2 count 3 \
		pcap-filter "udp dst port $UPORT and greater 200" \
		-w "$TMPD/b.pcapng" 2>/dev/null &
	CAP_PID=$!
	defer "kill -9 $CAP_PID 2>/dev/null"
	wait_for 20 cube_linked c2
	fails grep -q 'type capture' <(pcn -n "$R" save)
	UPORT=5002 send 3 200
	send 3 100
	send 3 200
	# it ends by itself at its count
	wait_for 20 fails kill -0 "$CAP_PID"
	wait "$CAP_PID"
	CAP_PID=$first
	cap_stop
	expect_packets "$TMPD/b.pcapng" 3 $((3 * WIRE))
	[ "$(wc -l <"$TMPD/all")" = 3 ]
	expect_packets "$TMPD/a.pcapng" 6 $((3 * WIRE + 3 * 142))
}

# the tree but counters, which traffic moves meanwhile (ARP, ...)
state()
{
	tree_snapshot | grep -v -e ' name pcn_stats ' -e ' name pcn_scratch '
}

# bad input: one Error line, exit 1 or 2, nothing left, no file made
bad_input()
{
	local before

	setup
	forwarder xdp
	before=$(state)
	expect_err 2 "$PCN" -n "$R" capture dev nosuchif -w "$TMPD/x"
	expect_err 2 "$PCN" -n "$R" capture port f:p9 -w "$TMPD/x"
	expect_err 2 "$PCN" -n "$R" capture port nocube:p1 -w "$TMPD/x"
	expect_err 1 "$PCN" -n "$R" capture port f:p1 snaplen 0 -w "$TMPD/x"
	expect_err 1 "$PCN" -n "$R" capture port f:p1 count 0 -w "$TMPD/x"
	expect_err 1 "$PCN" -n "$R" capture port f:p1 filter -w "$TMPD/x"
	expect_err 1 "$PCN" -n "$R" capture port f:p1 filter src 300.1.1.1 -w "$TMPD/x"
	expect_err 1 "$PCN" -n "$R" capture port f:p1 filter src 10.0.0.0/8 dst ::1 -w "$TMPD/x"
	expect_err 1 "$PCN" -n "$R" capture port f:p1 filter vlan 5000 -w "$TMPD/x"
	expect_err 1 "$PCN" -n "$R" capture port f:p1 filter proto udp proto tcp -w "$TMPD/x"
	expect_err 1 "$PCN" -n "$R" capture port f:p1 pcap-filter "udp port" -w "$TMPD/x"
	expect_err 1 "$PCN" -n "$R" capture port f:p1 format pcapx -w "$TMPD/x"
	expect_err 1 "$PCN" -n "$R" capture port f:p1 sideways -w "$TMPD/x"
	expect_err 1 "$PCN" -n "$R" capture port f:p1
	expect_err 1 "$PCN" -n "$R" capture
	expect_err 2 "$PCN" -n "$R" capture port f:p1 -w "$TMPD/no/such/dir/x"
	expect_err 2 "$PCN" -n "$R" capture dev r1 egress mode xdp -w "$TMPD/x"
	# only pcn capture makes capture cubes
	expect_err 1 "$PCN" -n "$R" cube add c type capture snaplen 10
	[ ! -e "$TMPD/x" ]
	[ "$before" = "$(state)" ]
	ping_ok "$H1" 10.201.1.2 1
}

# the capture's wall clock, stepped while it runs (clock_step.c: a step
# for pcn alone, not for the machine): the packets sent once pcn has
# seen a step carry it, each within 10 ms of the sender's clock plus
# the step, forward and back
step_seen()
{
	grep -qx -- "$1" "$TMPD/step.log"
}

# reads of the wall clock by the capture so far
clock_reads()
{
	wc -l <"$TMPD/step.log"
}

# at least $1 more reads than $2: wakeups after what was sent before
reads_after()
{
	[ "$(clock_reads)" -ge $(($2 + $1)) ]
}

# set_step NS: the capture's clock is NS ahead from its next read on
set_step()
{
	echo "$1" >"$TMPD/step.new"
	mv "$TMPD/step.new" "$TMPD/step"
}

clock_step()
{
	local n=10 steps=(0 5000000000 -3000000000) i before

	command -v cc >/dev/null || skip "no C compiler (cc) for clock_step.so"
	setup
	cc -shared -fPIC -O2 -o "$TMPD/clock_step.so" \
		"$SELFTEST_DIR/clock_step.c" -ldl
	forwarder xdp
	set_step 0
	: >"$TMPD/step.log"
	PCN_TEST_CLOCK_STEP=$TMPD/step LD_PRELOAD=$TMPD/clock_step.so \
		ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 \
		"$PCN" -n "$R" capture port f:p2 egress -w "$TMPD/c.pcapng" \
		2>"$TMPD/cap.err" &
	CAP_PID=$!
	defer "kill -9 $CAP_PID 2>/dev/null"
	wait_for 20 cap_cube_there "$R"
	# as it is; then 5 s ahead; then 3 s behind the machine's clock:
	# each batch to a port of its own
	for i in 0 1 2; do
		set_step "${steps[$i]}"
		wait_for 5 step_seen "${steps[$i]}"
		UPORT=$((UPORT + 10 + i)) send $n 100 "$TMPD/times$i"
		# written under that step: wakeups after the last one sent
		before=$(clock_reads)
		wait_for 5 reads_after 6 "$before"
	done
	cap_stop
	for i in 0 1 2; do
		UPORT=$((UPORT + 10 + i)) tshark_read "$TMPD/c.pcapng"
		STEP=${steps[$i]} in_time "$TMPD/times$i"
	done
}

for m in ${CAP_MODES:-xdp tc}; do
	run_test "capture_at_dev_$m" at_dev $m
	run_test "capture_at_port_snaplen_time_$m" at_port $m
	run_test "capture_between_cubes_pcap_filter_$m" between $m
done
run_test capture_killed_swept_xdp killed xdp
run_test capture_to_pipe to_pipe
run_test capture_two_stacked_pcap_filter two
run_test capture_clock_step clock_step
run_test capture_bad_input bad_input
tap_done
