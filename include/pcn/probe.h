/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pcn/probe.h: write a probe for a dynmon cube (pcn-probe(8)).
 *
 * A probe is a function that sees each packet of one direction of a
 * dynmon cube, counts what it likes in maps of its own, and lets the
 * packet go or drops it:
 *
 *	#include <pcn/probe.h>
 *
 *	struct {
 *		__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
 *		__uint(max_entries, 256);
 *		__type(key, __u32);
 *		__type(value, __u64);
 *	} packets SEC(".maps");
 *
 *	static __always_inline int count(struct pcn_pkt *pkt)
 *	{
 *		struct pcn_l3 l3;
 *		__u32 proto = 0;
 *		__u64 *n;
 *
 *		if (!pcn_parse_l3(pkt, &l3))
 *			proto = l3.proto;
 *		n = bpf_map_lookup_elem(&packets, &proto);
 *		if (n)
 *			(*n)++;
 *		return PCN_PROBE_PASS;
 *	}
 *	PCN_PROBE(count)
 *
 * built with
 *
 *	clang -target bpf -O2 -g -c probe.c -o probe.o
 *
 * (-g: pcn probe show prints the maps by their BTF, field by field), and
 * loaded with "pcn probe load CUBE { ingress | egress } probe.o" (or
 * probe.c, which pcn builds so when clang is installed). PCN_PROBE()
 * makes the object's two entry programs, pcn_probe_xdp and pcn_probe_tc:
 * pcn loads the one of the cube's mode. The maps named dm_* below are
 * the cube's: pcn hands them to the probe as it loads it.
 */
#ifndef __PCN_PROBE_H
#define __PCN_PROBE_H

#include <linux/types.h>

/* What a probe returns. */
#define PCN_PROBE_PASS 0
#define PCN_PROBE_DROP 1

/* Where the cube keeps what a probe needs of it (bpf/dynmon.h). */
#define PCN_PROBE_SLOT_RESUME 2
#define PCN_PROBE_SLOTS 4

struct pcn_probe_stats {
	__u64 packets;
	__u64 unprobed;
	__u64 dropped;
};

/*
 * PCN_METRIC(name, type, map, field, label, help): pcn metrics exports
 * map @map of the probe as metric @name (type counter or gauge), one
 * sample per key, labelled @label="the key" (an integer key), valued
 * by the __u64 @field of the value ("" when the value is a __u64
 * itself), summed over the CPUs of a per-CPU map. The declaration is
 * in the object itself (section .pcn_metrics): pcn checks it against
 * the map's BTF when it loads the probe.
 *
 *	PCN_METRIC(probe_l4_packets, counter, l4proto, "packets", "proto",
 *		   "packets per L4 protocol")
 *
 * A metric is read as it is, unless declared with a read mode
 * (PCN_METRIC_READ(), PCN_HISTOGRAM()):
 *
 *   asis   read as it is (PCN_METRIC());
 *   empty  empty-on-read: each entry is zeroed (array) or deleted
 *          (hash) once read, so a read gives what was counted since the
 *          one before. A packet counted while pcn reads the entry may
 *          be lost: use swap when every packet matters;
 *   swap   swap-on-read: @map is a PCN_SWAP_MAP(), two copies ("gener-
 *          ations") of one map of which the probe counts in the one the
 *          outer map holds. A read puts the other, empty, one in place
 *          with one map update, waits until no probe can still be
 *          running on the old one (an RCU grace period), then reads and
 *          empties it: nothing counted is lost or read twice. The
 *          datapath pays one extra map lookup (pcn_swap_map()).
 *
 * Reads that empty a map take turns (a lock on the probe's directory).
 */
#define __PCN_METRIC(name, type, map, field, label, help)                    \
	static const char __pcn_metric_##name[]                              \
		__attribute__((section(".pcn_metrics"), used)) =             \
			#name "\0" type "\0" #map "\0" field "\0" label "\0" help;

#define PCN_METRIC(name, type, map, field, label, help)                      \
	__PCN_METRIC(name, #type, map, field, label, help)

/* the same, read as @read says: asis, empty or swap */
#define PCN_METRIC_READ(name, type, read, map, field, label, help)           \
	__PCN_METRIC(name, #type " read=" #read, map, field, label, help)

/*
 * PCN_HISTOGRAM(name, read, map, count, sum, bounds, help): an
 * OpenMetrics histogram. @map (or each generation of it, for read
 * swap) is an array of one entry per bucket, whose value has a __u64
 * @count (the observations in the bucket) and a __u64 @sum (what they
 * add up to: bytes for sizes). @bounds are the buckets' upper bounds,
 * inclusive, as a string: "64,128,256" (increasing integers, one fewer
 * than the map's entries: the last bucket is +Inf), or "log2" (bucket
 * N holds values up to 2^N). Exported as name_bucket{le=...} (summed
 * up to each bound, as Prometheus wants), name_sum and name_count.
 *
 *	PCN_HISTOGRAM(probe_frame_size_bytes, asis, sizes, "packets",
 *		      "bytes", "64,128,256,512,1024,1518", "frame sizes")
 */
#define PCN_HISTOGRAM(name, read, map, count, sum, bounds, help)             \
	__PCN_METRIC(name, "histogram read=" #read " sum=" sum " le=" bounds, \
		     map, count, "", help)

#ifdef __bpf__	/* the rest is the probe's: pcn itself needs the above */

#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

/* The packet as a probe sees it, in XDP and in TC alike. */
struct pcn_pkt {
	void *data;
	void *data_end;
	__u32 len;		/* bytes on the wire (of the frame) */
	__u32 dir;		/* 0: ingress, 1: egress */
};

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, PCN_PROBE_SLOTS);
	__type(key, __u32);
	__type(value, __u32);
} dm_probes SEC(".maps");

/*
 * The direction the probe is loaded for (0 ingress, 1 egress), which pcn
 * sets before the load: a constant to the verifier, so the probe's tail
 * call back to the cube is a direct jump, not an indirect one (which a
 * retpoline makes slow), and no map is read to learn it.
 */
const volatile __u32 pcn_probe_dir SEC(".rodata.pcn_probe") = 0;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct pcn_probe_stats);
} dm_stats SEC(".maps");

/*
 * The network and transport headers of a packet: pcn_parse_l3() fills
 * it, and returns 0, for an IPv4 or IPv6 packet (one VLAN tag at most)
 * whose headers are whole; -1 for anything else. Ports are those of a
 * TCP or UDP packet that is not a later fragment, else 0; IPv6
 * extension headers are not walked (proto is then theirs).
 */
struct pcn_l3 {
	__u8 family;		/* 4 or 6 */
	__u8 proto;		/* IPPROTO_* */
	__be16 sport, dport;
	__u32 src[4];		/* IPv4: src[0] */
	__u32 dst[4];
};

static __always_inline int pcn_parse_l3(const struct pcn_pkt *pkt,
					struct pcn_l3 *l3)
{
	void *data = pkt->data, *end = pkt->data_end;
	struct ethhdr *eth = data;
	__u16 proto;
	__u32 off = sizeof(*eth);
	__u8 *l4 = 0;
	int frag = 0;

	__builtin_memset(l3, 0, sizeof(*l3));
	if ((void *)(eth + 1) > end)
		return -1;
	proto = eth->h_proto;
	if (proto == bpf_htons(ETH_P_8021Q) || proto == bpf_htons(ETH_P_8021AD)) {
		__be16 *inner = data + off + 2;

		if ((void *)(inner + 1) > end)
			return -1;
		proto = *inner;
		off += 4;
	}
	if (proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = data + off;

		if ((void *)(ip + 1) > end || ip->ihl < 5)
			return -1;
		l3->family = 4;
		l3->proto = ip->protocol;
		l3->src[0] = ip->saddr;
		l3->dst[0] = ip->daddr;
		frag = ip->frag_off & bpf_htons(0x1fff);
		l4 = (__u8 *)ip + ip->ihl * 4;
	} else if (proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = data + off;

		if ((void *)(ip6 + 1) > end)
			return -1;
		l3->family = 6;
		l3->proto = ip6->nexthdr;
		__builtin_memcpy(l3->src, &ip6->saddr, 16);
		__builtin_memcpy(l3->dst, &ip6->daddr, 16);
		l4 = (__u8 *)(ip6 + 1);
	} else {
		return -1;
	}
	if (!frag && (l3->proto == IPPROTO_TCP || l3->proto == IPPROTO_UDP)) {
		__be16 *ports = (__be16 *)l4;

		if ((void *)(ports + 2) > end)
			return -1;
		l3->sport = ports[0];
		l3->dport = ports[1];
	}
	return 0;
}

/*
 * PCN_SWAP_MAP(name, generation): a map of read mode swap, of which
 * @generation (a struct { __uint(type, ...); ... } as for a map of
 * its own, an array or a hash) is the map the probe counts in:
 *
 *	struct counts_gen {
 *		__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
 *		__uint(max_entries, 256);
 *		__type(key, __u32);
 *		__type(value, __u64);
 *	};
 *	PCN_SWAP_MAP(counts, struct counts_gen)
 *	...
 *	void *gen = pcn_swap_map(&counts);
 *	__u64 *n = gen ? bpf_map_lookup_elem(gen, &key) : 0;
 *
 * pcn makes the two generations when it loads the probe.
 */
#define PCN_SWAP_MAP(name, generation)                                        \
	struct {                                                              \
		__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);                     \
		__uint(max_entries, 1);                                       \
		__type(key, __u32);                                           \
		__array(values, generation);                                  \
	} name SEC(".maps");                                                  \
	/* so that clang's BTF has the value's type whole, not a forward   \
	 * declaration (a section libbpf leaves alone) */                   \
	static const typeof(*((generation *)0)->value)                        \
		__pcn_swap_value_##name                                       \
		__attribute__((section(".pcn_types"), used));

/* the generation of PCN_SWAP_MAP() @outer to count in (NULL: none) */
static __always_inline void *pcn_swap_map(void *outer)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(outer, &zero);
}

/* the end of an entry program: drop, or on to the cube's resume program */
#define __PCN_PROBE_END(ctx, p, v, drop)                                     \
	do {                                                                  \
		__u32 __k = pcn_probe_dir & 1;                                \
		struct pcn_probe_stats *__st;                                 \
		if ((v) == PCN_PROBE_DROP) {                                  \
			__st = bpf_map_lookup_elem(&dm_stats, &__k);          \
			if (__st)                                             \
				__st->dropped++;                              \
			return drop;                                          \
		}                                                             \
		bpf_tail_call(ctx, &dm_probes,                                \
			      PCN_PROBE_SLOT_RESUME + (pcn_probe_dir & 1));    \
		return drop;	/* the cube is going away: fail closed */     \
	} while (0)

#define __PCN_PROBE_DIR(p) ((p).dir = pcn_probe_dir & 1)

/*
 * The entry programs of a probe around int fn(struct pcn_pkt *),
 * which returns PCN_PROBE_PASS or PCN_PROBE_DROP.
 */
#define PCN_PROBE(fn)                                                         \
	SEC("xdp") int pcn_probe_xdp(struct xdp_md *ctx)                      \
	{                                                                     \
		struct pcn_pkt p = {                                          \
			.data = (void *)(long)ctx->data,                      \
			.data_end = (void *)(long)ctx->data_end,              \
		};                                                            \
		int v;                                                        \
		p.len = ctx->data_end - ctx->data;                            \
		__PCN_PROBE_DIR(p);                                           \
		v = fn(&p);                                                   \
		__PCN_PROBE_END(ctx, p, v, XDP_DROP);                         \
	}                                                                     \
	SEC("tc") int pcn_probe_tc(struct __sk_buff *ctx)                     \
	{                                                                     \
		struct pcn_pkt p = {                                          \
			.data = (void *)(long)ctx->data,                      \
			.data_end = (void *)(long)ctx->data_end,              \
			.len = ctx->len,                                      \
		};                                                            \
		int v;                                                        \
		__PCN_PROBE_DIR(p);                                           \
		v = fn(&p);                                                   \
		__PCN_PROBE_END(ctx, p, v, TC_ACT_SHOT);                      \
	}                                                                     \
	char _license[] SEC("license") = "GPL";

#endif /* __bpf__ */
#endif /* __PCN_PROBE_H */
