#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# dynmon and pcn probe: probes built from C by pcn and from an object
# built here, on a dynmon stacked on a forwarder's port between two
# hosts, in XDP and TC; the example probes (examples/probes) count
# exactly what was sent; a probe replaced under a continuous flow loses
# no packet and its counts go on across the swap; what is not a probe
# is refused with one error line, the probe in place left as it was.

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

TOP=$(cd "$SELFTEST_DIR/../../../.." && pwd)
EXAMPLES=$TOP/examples/probes

need_clang()
{
	command -v clang >/dev/null || skip "clang is missing (scripts/install-deps.sh build)"
}

# build C file $1 into object $2 as a user would, against <pcn/probe.h>
build_probe()
{
	clang -target bpf -O2 -g -I"$TOP/include" \
		-I"/usr/include/$(gcc -print-multiarch)" -c "$1" -o "$2"
}

# the hosts know each other's MAC: no ARP in the counts
static_neigh()
{
	local m1 m2

	m1=$(ip -n "$H1" -j link show h1 | jq -r '.[0].address')
	m2=$(ip -n "$H2" -j link show h2 | jq -r '.[0].address')
	ip -n "$H1" neigh replace 10.201.1.2 lladdr "$m2" dev h1 nud permanent
	ip -n "$H2" neigh replace 10.201.1.1 lladdr "$m1" dev h2 nud permanent
}

# a forwarder between H1 and H2, a dynmon on its port p2, both ways
chain()
{
	local mode=$1

	topo_pair
	quiet_ns "$R"
	quiet_ns "$H1"
	quiet_ns "$H2"
	static_neigh
	pcn -n "$R" cube add f type forwarder mode "$mode"
	pcn -n "$R" link add f:p1 dev r1
	pcn -n "$R" link add f:p2 dev r2
	pcn -n "$R" cube set f port p1 action forward p2 port p2 action forward p1
	pcn -n "$R" cube add mon type dynmon mode "$mode"
	pcn -n "$R" link add mon port f:p2 both
}

# probe_val CUBE DIR MAP JQ: JQ over the entries of MAP of the probe
probe_val()
{
	pcn -n "$R" -j probe show "$1" |
		jq -e --arg d "$2" --arg m "$3" \
			".[] | select(.direction == \$d) | .maps[] | select(.name == \$m) | .entries | $4"
}

# the value counted at KEY (a number, or null when absent: 0)
entry()
{
	probe_val "$1" "$2" "$3" \
		"(map(select(.key == $4)) | .[0].value$5) // 0"
}

prog_id()
{
	pcn -n "$R" -j probe show mon |
		jq -r --arg d "$1" '.[] | select(.direction == $d) | .prog_id'
}

counts()
{
	local mode=$1

	need_type forwarder
	need_clang
	setup_root
	WORK=$(mktemp -d)
	defer "rm -rf $WORK"
	chain "$mode"
	# from C, built by pcn; from an object, built here
	pcn -n "$R" probe load mon egress "$EXAMPLES/l4proto.c"
	build_probe "$EXAMPLES/sizes.c" "$WORK/sizes.o"
	pcn -n "$R" probe load mon ingress "$WORK/sizes.o"
	pcn -n "$R" cube show mon | grep -q "ingress $WORK/sizes.o egress $EXAMPLES/l4proto.c"
	# 5 echo requests of 98 bytes out to H2 and 5 replies back; 3 UDP
	# datagrams of 44 bytes out ("x\n")
	ip netns exec "$H1" ping -c 5 -i 0.1 -w 10 -q 10.201.1.2 >/dev/null
	for i in 1 2 3; do
		ip netns exec "$H1" socat -u - UDP:10.201.1.2:9 <<<"x"
	done
	# out to H2 (egress of f:p2): per L4 protocol
	[ "$(entry mon egress l4proto 1 .packets)" = 5 ]
	[ "$(entry mon egress l4proto 1 .bytes)" = 490 ]
	[ "$(entry mon egress l4proto 17 .packets)" = 3 ]
	[ "$(entry mon egress l4proto 17 .bytes)" = 132 ]
	[ "$(probe_val mon egress l4proto 'map(.value.packets) | add')" = 8 ]
	# back from H2 (ingress of f:p2): 5 replies of 98 bytes and 3 port
	# unreachable of 72 (nothing listens on 9), all in bucket 1 (65-128)
	[ "$(entry mon ingress sizes 1 .packets)" = 8 ]
	[ "$(entry mon ingress sizes 1 .bytes)" = 706 ]
	[ "$(probe_val mon ingress sizes 'map(.value.packets) | add')" = 8 ]
	# the cube counted them all as probed
	pcn -n "$R" -j -s cube show mon |
		jq -e '.[0].stats.egress.packets == 8 and .[0].stats.egress.unprobed == 0 and
		       .[0].stats.ingress.packets == 8 and .[0].stats.ingress.unprobed == 0'
	# the metrics the probes declare (PCN_METRIC), the same counts
	pcn -n "$R" metrics mon >"$WORK/m"
	local lb='netns="'"$R"'",cube="mon",type="dynmon"'
	grep -qx "pcn_probe_l4_packets_total{$lb,direction=\"egress\",proto=\"1\"} 5" "$WORK/m"
	grep -qx "pcn_probe_l4_packets_total{$lb,direction=\"egress\",proto=\"17\"} 3" "$WORK/m"
	grep -qx "pcn_probe_l4_bytes_total{$lb,direction=\"egress\",proto=\"1\"} 490" "$WORK/m"
	# the size histogram: buckets summed up to each bound
	grep -qx "pcn_probe_frame_size_bytes_bucket{$lb,direction=\"ingress\",le=\"64\"} 0" "$WORK/m"
	for b in 128 256 512 1024 2048 +Inf; do
		grep -qx "pcn_probe_frame_size_bytes_bucket{$lb,direction=\"ingress\",le=\"$b\"} 8" "$WORK/m"
	done
	grep -qx "pcn_probe_frame_size_bytes_sum{$lb,direction=\"ingress\"} 706" "$WORK/m"
	grep -qx "pcn_probe_frame_size_bytes_count{$lb,direction=\"ingress\"} 8" "$WORK/m"
	grep -qx "# TYPE pcn_probe_frame_size_bytes histogram" "$WORK/m"
	[ "$(grep -c '^pcn_probe_' "$WORK/m")" = 13 ]
	pcn -n "$R" metrics -openmetrics mon >"$WORK/om"
	grep -qx "# TYPE pcn_probe_frame_size_bytes histogram" "$WORK/om"
	grep -qx "pcn_probe_frame_size_bytes_count{$lb,direction=\"ingress\"} 8" "$WORK/om"
	if command -v promtool >/dev/null; then
		promtool check metrics <"$WORK/m"
	fi
	# top talkers: H1's address, by the LRU hash
	pcn -n "$R" probe load mon egress "$EXAMPLES/talkers.c"
	ip netns exec "$H1" ping -c 4 -i 0.1 -w 10 -q 10.201.1.2 >/dev/null
	probe_val mon egress talkers 'length == 1'
	# the key is the address as it is in memory (network order)
	[ "$(probe_val mon egress talkers '.[0].value.packets')" = 4 ]
	# unloaded: the cube passes packets on, unprobed
	pcn -n "$R" probe unload mon egress
	ping_ok "$H1" 10.201.1.2 2
	pcn -n "$R" -j -s cube show mon | jq -e '.[0].stats.egress.unprobed == 2'
	pcn -n "$R" -j cube show mon | jq -e '.[0].egress == "none"'
	# the probes are saved by the file they came from
	pcn -n "$R" save | grep -qx "probe load mon ingress $WORK/sizes.o"
}

udp_bound()
{
	ip netns exec "$1" ss -Hunl "sport = :$2" | grep -q .
}

# a probe that drops: what it drops never reaches H2, and is counted
drops()
{
	local mode=$1

	need_type forwarder
	need_clang
	setup_root
	WORK=$(mktemp -d)
	defer "rm -rf $WORK"
	chain "$mode"
	cat >"$WORK/udp_drop.c" <<'EOF'
#include <pcn/probe.h>
static __always_inline int no_udp(struct pcn_pkt *pkt)
{
	struct pcn_l3 l3;

	if (!pcn_parse_l3(pkt, &l3) && l3.proto == IPPROTO_UDP)
		return PCN_PROBE_DROP;
	return PCN_PROBE_PASS;
}
PCN_PROBE(no_udp)
EOF
	pcn -n "$R" probe load mon egress "$WORK/udp_drop.c"
	ip netns exec "$H2" socat -u UDP-RECV:9 CREATE:"$WORK/got" &
	defer "kill $! 2>/dev/null"
	wait_for 5 udp_bound "$H2" 9
	ip netns exec "$H1" socat -u - UDP:10.201.1.2:9 <<<"x"
	ip netns exec "$H1" socat -u - UDP:10.201.1.2:9 <<<"y"
	ping_ok "$H1" 10.201.1.2 2
	pcn -n "$R" -j -s cube show mon | jq -e '.[0].stats.egress.dropped == 2'
	# without the probe the same datagram arrives: the receiver was there
	pcn -n "$R" probe unload mon egress
	ip netns exec "$H1" socat -u - UDP:10.201.1.2:9 <<<"z"
	wait_for 5 grep -q z "$WORK/got"
	[ "$(cat "$WORK/got")" = z ]
}

# pings one every 2 ms while the probe is loaded again and again:
# none lost, and every one counted by the probe of its moment, the
# counts going on across each swap (same map: handed over)
swap()
{
	local mode=$1 n=600 i out before

	need_type forwarder
	need_clang
	setup_root
	WORK=$(mktemp -d)
	defer "rm -rf $WORK"
	chain "$mode"
	build_probe "$EXAMPLES/l4proto.c" "$WORK/a.o"
	pcn -n "$R" probe load mon egress "$WORK/a.o"
	ip netns exec "$H1" ping -c "$n" -i 0.002 -w 60 -q 10.201.1.2 \
		>"$WORK/ping" 2>&1 &
	defer "kill $! 2>/dev/null"
	i=0
	while kill -0 $! 2>/dev/null; do
		before=$(prog_id egress)
		pcn -n "$R" probe load mon egress "$WORK/a.o"
		[ "$(prog_id egress)" != "$before" ]
		i=$((i + 1))
	done
	wait $! || true
	out=$(cat "$WORK/ping")
	echo "$out; $i loads"
	[ "$i" -ge 3 ]
	grep -q "$n packets transmitted, $n received" <<<"$out"
	[ "$(entry mon egress l4proto 1 .packets)" = "$n" ]
	pcn -n "$R" -j -s cube show mon |
		jq -e ".[0].stats.egress.packets == $n and .[0].stats.egress.unprobed == 0"
}

# a probe with a metric of each read mode (the object of read_modes)
read_modes_probe()
{
	cat >"$1" <<'EOF'
#include <pcn/probe.h>

struct pkts { __u64 packets; __u64 bytes; };

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} all SEC(".maps"), emptied SEC(".maps");

struct proto_gen {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, struct pkts);
};
PCN_SWAP_MAP(protos, struct proto_gen)

struct src_gen {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u64);
};
PCN_SWAP_MAP(srcs, struct src_gen)

struct size_gen {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct pkts);
};
PCN_SWAP_MAP(sizes, struct size_gen)

static __always_inline void one_more(void *map)
{
	__u32 k = 0;
	__u64 *n = bpf_map_lookup_elem(map, &k);

	if (n)
		(*n)++;
}

static __always_inline int f(struct pcn_pkt *pkt)
{
	struct pcn_l3 l3;
	struct pkts *p;
	void *gen;
	__u32 k, src;
	__u64 one = 1, *n;

	one_more(&all);
	one_more(&emptied);
	if (pcn_parse_l3(pkt, &l3))
		return PCN_PROBE_PASS;
	k = l3.proto;
	gen = pcn_swap_map(&protos);
	p = gen ? bpf_map_lookup_elem(gen, &k) : 0;
	if (p) {
		p->packets++;
		p->bytes += pkt->len;
	}
	src = l3.src[0];
	gen = pcn_swap_map(&srcs);
	if (gen) {
		n = bpf_map_lookup_elem(gen, &src);
		if (n)
			__sync_fetch_and_add(n, 1);
		else
			bpf_map_update_elem(gen, &src, &one, BPF_NOEXIST);
	}
	k = pkt->len <= 64 ? 0 : pkt->len <= 128 ? 1 : pkt->len <= 256 ? 2 : 3;
	gen = pcn_swap_map(&sizes);
	p = gen ? bpf_map_lookup_elem(gen, &k) : 0;
	if (p) {
		__sync_fetch_and_add(&p->packets, 1);
		__sync_fetch_and_add(&p->bytes, pkt->len);
	}
	return PCN_PROBE_PASS;
}
PCN_PROBE(f)

PCN_METRIC(t_all, counter, all, "", "k", "every packet")
PCN_METRIC_READ(t_emptied, gauge, empty, emptied, "", "k", "packets since the last read")
PCN_METRIC_READ(t_proto_packets, gauge, swap, protos, "packets", "proto", "packets since the last read")
PCN_METRIC_READ(t_proto_bytes, gauge, swap, protos, "bytes", "proto", "bytes since the last read")
PCN_METRIC_READ(t_src_packets, gauge, swap, srcs, "", "src", "packets since the last read, by source")
PCN_HISTOGRAM(t_size, swap, sizes, "packets", "bytes", "64,128,256", "sizes since the last read")
EOF
}

# msum FILE PREFIX: the sum of the values of the samples whose line
# starts with PREFIX
msum()
{
	P=$2 awk 'index($0, ENVIRON["P"]) == 1 { s += $NF } END { print s + 0 }' "$1"
}

# read modes: reads under a continuous flow, each giving what was
# counted since the one before; summed, exactly what was sent for the
# swap-on-read metrics (none lost, none read twice); empty-on-read
# exact between bursts; a histogram by the same swap
read_modes()
{
	local mode=$1 n=600 i=0 out lb

	need_type forwarder
	need_clang
	setup_root
	WORK=$(mktemp -d)
	defer "rm -rf $WORK"
	chain "$mode"
	read_modes_probe "$WORK/rm.c"
	build_probe "$WORK/rm.c" "$WORK/rm.o"
	pcn -n "$R" probe load mon egress "$WORK/rm.o"
	lb='netns="'"$R"'",cube="mon",type="dynmon",direction="egress"'
	ip netns exec "$H1" ping -c "$n" -i 0.002 -w 60 -q 10.201.1.2 \
		>"$WORK/ping" 2>&1 &
	defer "kill $! 2>/dev/null"
	while kill -0 $! 2>/dev/null; do
		pcn -n "$R" metrics mon >"$WORK/r$i"
		i=$((i + 1))
	done
	wait $! || true
	pcn -n "$R" metrics mon >"$WORK/r$i"
	cat "$WORK"/r* >"$WORK/all"
	out=$(cat "$WORK/ping")
	echo "$out; $((i + 1)) reads"
	grep -q "$n packets transmitted, $n received" <<<"$out"
	# more than one read saw some of the flow
	[ "$(grep -l "^pcn_t_proto_packets{$lb,proto=\"1\"} [1-9]" "$WORK"/r* | wc -l)" -ge 2 ]
	# swap: every echo request in exactly one read
	[ "$(msum "$WORK/all" "pcn_t_proto_packets{$lb,proto=\"1\"} ")" = "$n" ]
	[ "$(msum "$WORK/all" "pcn_t_proto_bytes{$lb,proto=\"1\"} ")" = "$((n * 98))" ]
	[ "$(msum "$WORK/all" "pcn_t_src_packets{$lb,src=")" = "$n" ]
	[ "$(msum "$WORK/all" "pcn_t_size_count{$lb} ")" = "$n" ]
	[ "$(msum "$WORK/all" "pcn_t_size_bucket{$lb,le=\"128\"} ")" = "$n" ]
	[ "$(msum "$WORK/all" "pcn_t_size_bucket{$lb,le=\"64\"} ")" = 0 ]
	[ "$(msum "$WORK/all" "pcn_t_size_sum{$lb} ")" = "$((n * 98))" ]
	# as is: the last read holds all of them
	grep -qx "pcn_t_all_total{$lb,k=\"0\"} $n" "$WORK/r$i"
	# empty: never more than was sent (a packet counted while its entry
	# is read may be lost: pcn-probe(8))
	[ "$(msum "$WORK/all" "pcn_t_emptied{$lb,k=\"0\"} ")" -le "$n" ]
	# nothing since the last read
	pcn -n "$R" metrics mon >"$WORK/quiet"
	fails grep -q '^pcn_t_proto\|^pcn_t_src\|^pcn_t_emptied' "$WORK/quiet"
	grep -qx "pcn_t_size_count{$lb} 0" "$WORK/quiet"
	if command -v promtool >/dev/null; then
		promtool check metrics <"$WORK/quiet"
	fi
	# bursts between reads: exact for both; a probe loaded again keeps
	# what its generations counted; show reads without emptying
	ip netns exec "$H1" ping -c 5 -i 0.1 -w 10 -q 10.201.1.2 >/dev/null
	pcn -n "$R" -j probe show mon |
		jq -e '.[] | select(.direction == "egress") | .maps[] |
		       select(.name == "protos") | .entries[0].value.packets == 5'
	pcn -n "$R" probe load mon egress "$WORK/rm.o"
	pcn -n "$R" metrics mon >"$WORK/b1"
	pcn -n "$R" metrics mon >"$WORK/b2"
	grep -qx "pcn_t_emptied{$lb,k=\"0\"} 5" "$WORK/b1"
	grep -qx "pcn_t_proto_packets{$lb,proto=\"1\"} 5" "$WORK/b1"
	grep -qx "pcn_t_size_count{$lb} 5" "$WORK/b1"
	fails grep -q '^pcn_t_proto\|^pcn_t_emptied' "$WORK/b2"
	grep -qx "pcn_t_all_total{$lb,k=\"0\"} $((n + 5))" "$WORK/b2"
}

# bad_meta DIR DECLARATION MESSAGE: a probe whose metric DECLARATION
# is refused (exit 2) saying MESSAGE
bad_meta()
{
	local out

	cat >"$1/bm.c" <<EOF
#include <pcn/probe.h>
struct v { __u64 a; __u64 b; };
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct v);
} m SEC(".maps");
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct v);
} h SEC(".maps");
struct gen {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct v);
};
PCN_SWAP_MAP(sw, struct gen)
static __always_inline int f(struct pcn_pkt *pkt)
{
	__u32 k = 0;
	void *g = pcn_swap_map(&sw);

	if (bpf_map_lookup_elem(&m, &k) || bpf_map_lookup_elem(&h, &k) ||
	    (g && bpf_map_lookup_elem(g, &k)))
		return PCN_PROBE_PASS;
	return PCN_PROBE_PASS;
}
PCN_PROBE(f)
$2
EOF
	build_probe "$1/bm.c" "$1/bm.o"
	expect_err 2 "$PCN" -n "$R" probe load mon ingress "$1/bm.o"
	out=$("$PCN" -n "$R" probe load mon ingress "$1/bm.o" 2>&1 || true)
	grep -qF "$3" <<<"$out" || { echo "got: $out" >&2; return 1; }
}

bad_input()
{
	local id out

	need_type forwarder
	need_clang
	setup_root
	WORK=$(mktemp -d)
	defer "rm -rf $WORK"
	add_ns R
	pcn -n "$R" cube add mon type dynmon
	pcn -n "$R" cube add f type forwarder
	build_probe "$EXAMPLES/l4proto.c" "$WORK/good.o"
	pcn -n "$R" probe load mon ingress "$WORK/good.o"
	id=$(prog_id ingress)
	# the verifier refuses it: out of the packet's bounds
	cat >"$WORK/oob.c" <<'EOF'
#include <pcn/probe.h>
static __always_inline int oob(struct pcn_pkt *pkt)
{
	return *(__u8 *)(pkt->data + 100) ? PCN_PROBE_DROP : PCN_PROBE_PASS;
}
PCN_PROBE(oob)
EOF
	build_probe "$WORK/oob.c" "$WORK/oob.o"
	expect_err 2 "$PCN" -n "$R" probe load mon ingress "$WORK/oob.o"
	out=$("$PCN" -n "$R" probe load mon ingress "$WORK/oob.o" 2>&1 || true)
	grep -q "outside of the packet" <<<"$out"
	# no program at all
	printf '#include <pcn/probe.h>\nint x;\n' >"$WORK/none.c"
	sed -i 's/#include <pcn\/probe.h>/#include <linux\/types.h>/' "$WORK/none.c"
	build_probe "$WORK/none.c" "$WORK/none.o"
	expect_err 2 "$PCN" -n "$R" probe load mon ingress "$WORK/none.o"
	# programs, but not a probe's (another type, another name)
	cat >"$WORK/kp.c" <<'EOF'
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
SEC("kprobe/do_sys_open") int pcn_probe_xdp(void *ctx) { return 0; }
SEC("xdp") int other(struct xdp_md *ctx) { return XDP_PASS; }
char _license[] SEC("license") = "GPL";
EOF
	build_probe "$WORK/kp.c" "$WORK/kp.o"
	expect_err 2 "$PCN" -n "$R" probe load mon ingress "$WORK/kp.o"
	# a probe's program, but not built with this <pcn/probe.h> (which
	# gives it the direction pcn sets before the load)
	cat >"$WORK/old.c" <<'EOF'
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
SEC("xdp") int pcn_probe_xdp(struct xdp_md *ctx) { return XDP_PASS; }
char _license[] SEC("license") = "GPL";
EOF
	build_probe "$WORK/old.c" "$WORK/old.o"
	expect_err 2 "$PCN" -n "$R" probe load mon ingress "$WORK/old.o"
	out=$("$PCN" -n "$R" probe load mon ingress "$WORK/old.o" 2>&1 || true)
	grep -q "has no pcn_probe_dir" <<<"$out"
	# metric metadata naming a map the probe does not have
	cat >"$WORK/meta.c" <<'EOF'
#include <pcn/probe.h>
static __always_inline int f(struct pcn_pkt *pkt) { return PCN_PROBE_PASS; }
PCN_PROBE(f)
PCN_METRIC(x, counter, nosuchmap, "", "k", "a metric of nothing")
EOF
	build_probe "$WORK/meta.c" "$WORK/meta.o"
	expect_err 2 "$PCN" -n "$R" probe load mon ingress "$WORK/meta.o"
	out=$("$PCN" -n "$R" probe load mon ingress "$WORK/meta.o" 2>&1 || true)
	grep -q 'names map "nosuchmap", which the probe does not have' <<<"$out"
	# read modes and histograms declared wrong
	bad_meta "$WORK" 'PCN_METRIC_READ(x, counter, sometimes, m, "a", "k", "h")' \
		'"counter read=sometimes" is not a type'
	bad_meta "$WORK" 'PCN_METRIC_READ(x, counter, swap, m, "a", "k", "h")' \
		'map m must be a PCN_SWAP_MAP()'
	bad_meta "$WORK" 'PCN_METRIC(x, counter, sw, "a", "k", "h")' \
		'map sw is a map of maps: declare it read swap'
	bad_meta "$WORK" 'PCN_HISTOGRAM(x, asis, m, "a", "b", "1,2", "h")' \
		'bounds "1,2" are not'
	bad_meta "$WORK" 'PCN_HISTOGRAM(x, asis, m, "a", "b", "1,3,2", "h")' \
		'bounds "1,3,2" are not'
	bad_meta "$WORK" 'PCN_HISTOGRAM(x, asis, m, "a", "c", "log2", "h")' \
		'needs a __u64 count and a __u64 sum field'
	bad_meta "$WORK" 'PCN_HISTOGRAM(x, asis, h, "a", "b", "1,2,3", "h")' \
		'are not "log2" or increasing integers'
	bad_meta "$WORK" 'PCN_METRIC(x, counter, m, "a", "k", "h") PCN_METRIC_READ(y, counter, empty, m, "b", "k", "h")' \
		'read map m in two ways'
	# not an object; missing; C that does not build; no clang
	echo "hello" >"$WORK/text.o"
	expect_err 2 "$PCN" -n "$R" probe load mon ingress "$WORK/text.o"
	expect_err 2 "$PCN" -n "$R" probe load mon ingress "$WORK/missing.o"
	echo "this is not C" >"$WORK/bad.c"
	expect_err 1 "$PCN" -n "$R" probe load mon ingress "$WORK/bad.c"
	PCN_CLANG=/nonexistent/clang expect_err 1 "$PCN" -n "$R" probe load mon ingress "$EXAMPLES/l4proto.c"
	out=$(PCN_CLANG=/nonexistent/clang "$PCN" -n "$R" probe load mon ingress \
		"$EXAMPLES/l4proto.c" 2>&1 || true)
	grep -q "not installed" <<<"$out"
	# bad words
	expect_err 1 "$PCN" -n "$R" probe load mon sideways "$WORK/good.o"
	expect_err 1 "$PCN" -n "$R" probe load mon ingress
	expect_err 1 "$PCN" -n "$R" probe load mon ingress "$WORK/good.o" extra
	expect_err 2 "$PCN" -n "$R" probe load nosuch ingress "$WORK/good.o"
	expect_err 2 "$PCN" -n "$R" probe load f ingress "$WORK/good.o"
	expect_err 2 "$PCN" -n "$R" probe unload mon egress
	expect_err 1 "$PCN" -n "$R" cube add mon2 type dynmon extra
	# through all of it, the first probe stayed
	[ "$(prog_id ingress)" = "$id" ]
	pcn -n "$R" probe show mon | grep -q "^mon ingress $WORK/good.o"
	[ -z "$(find "$PCN_ROOT" -name '*_new')" ]
}

# PCN_PROFILE=1: the steps of a command and their times on stderr,
# summing to the total; nothing without it
profile()
{
	local out

	need_clang
	setup_root
	WORK=$(mktemp -d)
	defer "rm -rf $WORK"
	add_ns R
	out=$(PCN_PROFILE=1 "$PCN" -n "$R" cube add mon type dynmon 2>&1 >/dev/null)
	echo "$out"
	grep -q '^profile: *[0-9.]* ms  cube: load (verifier)$' <<<"$out"
	grep -q '^profile: *[0-9.]* ms  cube: pin$' <<<"$out"
	grep -q '^profile: *[0-9.]* ms  lock (wait for other pcn)$' <<<"$out"
	awk '/^profile:/ { if ($NF == "total") t = $2; else s += $2 }
	     END { d = s - t; exit !(t > 0 && d < 0.01 && d > -0.01) }' <<<"$out"
	out=$(PCN_PROFILE=1 "$PCN" -n "$R" probe load mon ingress "$EXAMPLES/l4proto.c" 2>&1)
	grep -q '^profile: *[0-9.]* ms  probe: build with clang$' <<<"$out"
	grep -q '^profile: *[0-9.]* ms  probe: load (verifier)$' <<<"$out"
	grep -q '^profile: *[0-9.]* ms  probe: swap (map update)$' <<<"$out"
	out=$("$PCN" -n "$R" probe load mon ingress "$EXAMPLES/l4proto.c" 2>&1)
	[ -z "$out" ]
	out=$(PCN_PROFILE=0 "$PCN" -n "$R" cube show 2>&1 >/dev/null)
	[ -z "$out" ]
}

for m in xdp tc; do
	run_test "dynmon_exact_counts_$m" counts $m
	run_test "dynmon_probe_drops_$m" drops $m
	run_test "dynmon_swap_under_traffic_$m" swap $m
	run_test "dynmon_read_modes_$m" read_modes $m
done
run_test dynmon_bad_input bad_input
run_test pcn_profile_steps profile
tap_done
