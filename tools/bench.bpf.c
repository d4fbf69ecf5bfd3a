// SPDX-License-Identifier: GPL-2.0
/*
 * Programs of the benchmark tool (tools/pcn-bench.c), not of pcn:
 *
 *   bench_gen       traffic generator, run with BPF_PROG_TEST_RUN in
 *                   live-frames mode: writes every header of every frame
 *                   (flows spread over addresses and ports) and XDP_TX
 *   bench_sink      counts what arrives (per CPU) and drops it
 *   bench_redirect  bare XDP redirect through a devmap: the floor a cube
 *                   that forwards is compared with
 *   bench_redirect_eth  the same, after reading the Ethernet header: what
 *                   touching a frame from another CPU costs
 *   bench_tc_redir  bare TC bpf_redirect, the same for mode tc
 *   bench_empty     returns at once: the BPF_PROG_TEST_RUN floor
 *   bench_hop       tail-calls slot hop_next of hops, a constant index
 *                   (a direct jump once JITed), as a pcn cube passes a
 *                   packet on: a chain of them measures the kernel's own
 *                   cost of a hop, without a cube's work
 *   bench_hop_count the same after counting packets and bytes in its
 *                   own per-CPU counters, as every pcn cube does
 *   bench_via_entry, bench_via_cube  a bare XDP redirect with the pieces
 *                   of a pcn forwarder's way added one at a time (the
 *                   bits of .rodata "via"): what each costs live
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "bench.h"

const volatile struct gen_cfg cfg = {
	.nsaddr = 1, .ndaddr = 1, .nsport = 1, .ndport = 1, .flows = 1,
	.frame_len = 64,
};
const volatile __u32 redirect_ifindex = 0;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bench_counters);
} counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} tx_port SEC(".maps");

static __always_inline struct bench_counters *count(__u64 len)
{
	__u32 zero = 0;
	struct bench_counters *c = bpf_map_lookup_elem(&counters, &zero);

	if (c) {
		c->packets++;
		c->bytes += len;
	}
	return c;
}

static __always_inline __u16 csum_fold(__u32 sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return ~sum;
}

/* fd00::<a>: the IPv4 ranges of the options, in an IPv6 prefix */
static __always_inline void v6_addr(struct in6_addr *in6, __u32 a)
{
	in6->in6_u.u6_addr32[0] = bpf_htonl(0xfd000000);
	in6->in6_u.u6_addr32[1] = 0;
	in6->in6_u.u6_addr32[2] = 0;
	in6->in6_u.u6_addr32[3] = bpf_htonl(a);
}

/* bench_gen's frames with "ipv6": UDP/IPv6, its checksum right (IPv6
 * has no "no checksum" for UDP) */
static __always_inline int gen_v6(void *data, void *data_end, __u32 f)
{
	struct ipv6hdr *ip6 = data + sizeof(struct ethhdr);
	struct udphdr *udp = (void *)(ip6 + 1);
	__u16 len = cfg.frame_len - sizeof(struct ethhdr) - sizeof(*ip6);
	__u32 sum, i;
	__u16 *w;

	if ((void *)(udp + 1) > data_end)
		return XDP_ABORTED;
	*(__u32 *)ip6 = bpf_htonl(6 << 28);
	ip6->payload_len = bpf_htons(len);
	ip6->nexthdr = IPPROTO_UDP;
	ip6->hop_limit = 64;
	v6_addr(&ip6->saddr, cfg.saddr + f % cfg.nsaddr);
	v6_addr(&ip6->daddr, cfg.daddr + (f / cfg.nsaddr) % cfg.ndaddr);
	udp->source = bpf_htons(cfg.sport + f % cfg.nsport);
	udp->dest = bpf_htons(cfg.dport + (f / cfg.nsport) % cfg.ndport);
	udp->len = bpf_htons(len);
	udp->check = 0;
	/* the pseudo header and the UDP header; the payload is zeros */
	sum = bpf_htons(len) + bpf_htons(IPPROTO_UDP);
	w = (__u16 *)&ip6->saddr;
	for (i = 0; i < 16; i++)
		sum += w[i];
	w = (__u16 *)udp;
	for (i = 0; i < sizeof(*udp) / 2; i++)
		sum += w[i];
	udp->check = csum_fold(sum) ?: 0xffff;
	return XDP_TX;
}

SEC("xdp")
int bench_gen(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = data + sizeof(*eth);
	struct udphdr *udp = (void *)(ip + 1);
	struct bench_counters *c;
	__u32 f, sum = 0, i;
	__u16 *w;

	if ((void *)(udp + 1) > data_end)
		return XDP_ABORTED;
	c = count(data_end - data);
	if (!c)
		return XDP_ABORTED;
	/* a multiplicative hash walks the flows in a scattered order */
	f = ((__u32)c->packets * 2654435761u) % cfg.flows;

	/* byte by byte: a memcpy from .rodata would fold to its initial value */
	for (i = 0; i < ETH_ALEN; i++) {
		eth->h_dest[i] = cfg.dmac[i];
		eth->h_source[i] = cfg.smac[i];
	}
	if (cfg.ipv6) {
		eth->h_proto = bpf_htons(ETH_P_IPV6);
		return gen_v6(data, data_end, f);
	}
	eth->h_proto = bpf_htons(ETH_P_IP);

	ip->version = 4;
	ip->ihl = 5;
	ip->tos = 0;
	ip->tot_len = bpf_htons(cfg.frame_len - sizeof(*eth));
	ip->id = 0;
	ip->frag_off = 0;
	ip->ttl = 64;
	ip->protocol = IPPROTO_UDP;
	ip->check = 0;
	ip->saddr = bpf_htonl(cfg.saddr + f % cfg.nsaddr);
	ip->daddr = bpf_htonl(cfg.daddr + (f / cfg.nsaddr) % cfg.ndaddr);
	w = (__u16 *)ip;
	for (i = 0; i < sizeof(*ip) / 2; i++)
		sum += w[i];
	ip->check = csum_fold(sum);

	udp->source = bpf_htons(cfg.sport + f % cfg.nsport);
	udp->dest = bpf_htons(cfg.dport + (f / cfg.nsport) % cfg.ndport);
	udp->len = bpf_htons(cfg.frame_len - sizeof(*eth) - sizeof(*ip));
	udp->check = 0;
	return XDP_TX;
}

SEC("xdp")
int bench_sink(struct xdp_md *ctx)
{
	count(ctx->data_end - ctx->data);
	return XDP_DROP;
}

SEC("xdp")
int bench_redirect(struct xdp_md *ctx)
{
	return bpf_redirect_map(&tx_port, 0, XDP_DROP);
}

SEC("xdp")
int bench_redirect_eth(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > (void *)(long)ctx->data_end ||
	    (eth->h_dest[0] & 1))
		return XDP_DROP;
	return bpf_redirect_map(&tx_port, 0, XDP_DROP);
}

SEC("tc")
int bench_tc_redir(struct __sk_buff *skb)
{
	return bpf_redirect(redirect_ifindex, 0);
}

SEC("xdp")
int bench_empty(struct xdp_md *ctx)
{
	return XDP_DROP;
}

const volatile __u32 hop_next = 0;

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, BENCH_MAX_HOPS + 1);
	__type(key, __u32);
	__type(value, __u32);
} hops SEC(".maps");

SEC("xdp")
int bench_hop(struct xdp_md *ctx)
{
	bpf_tail_call(ctx, &hops, hop_next);
	return XDP_DROP;
}

/* bench_hop after counting the frame in its own per-CPU counters */
SEC("xdp")
int bench_hop_count(struct xdp_md *ctx)
{
	count(ctx->data_end - ctx->data);
	bpf_tail_call(ctx, &hops, hop_next);
	return XDP_DROP;
}

/*
 * The pieces of a pcn forwarder's way (bpf/pcn_cube.h, port.bpf.c,
 * forwarder.bpf.c), copied in miniature: with no bit set, bench_via_entry
 * is bench_redirect.
 */
const volatile __u32 via = 0;

struct via_md {
	__u32 in_port;
	__u32 ifindex;
	__u32 aux[2];
};

/* as big as pcn's per-port counters (struct pcn_port_stats) */
struct via_stats {
	__u64 rx_packets, rx_bytes, tx_packets, tx_bytes, other[3];
};

/* as big as pcn's struct pcn_port, the fields read where they are */
struct via_port {
	char name[16];
	__u32 peer;
	__u32 ifindex;
	__u32 pad[14];
	__u32 eg_chain;
	__u32 eg_point;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct via_md);
} via_scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, struct via_stats);
} via_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u32);
} via_actions SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, struct via_port);
} via_ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} via_progs SEC(".maps");

/* the forwarding part: port 0 in, out of the port its action names */
static __always_inline int via_forward(struct xdp_md *ctx, __u32 in)
{
	__u64 len = ctx->data_end - ctx->data;
	struct via_stats *st;
	struct via_port *p;
	__u32 out = 1, *a;

	if (via & VIA_MD) {
		__u32 zero = 0;
		struct via_md *md = bpf_map_lookup_elem(&via_scratch, &zero);

		if (!md)
			return XDP_DROP;
		in = md->in_port;
	}
	if (in >= 64)
		return XDP_DROP;
	if (via & VIA_COUNT) {
		st = bpf_map_lookup_elem(&via_stats, &in);
		if (st) {
			st->rx_packets++;
			st->rx_bytes += len;
		}
	}
	if (via & VIA_LOOKUP) {
		a = bpf_map_lookup_elem(&via_actions, &in);
		if (!a)
			return XDP_DROP;
		out = *a;
		p = bpf_map_lookup_elem(&via_ports, &out);
		if (!p || p->peer != 1 || p->eg_chain)
			return XDP_DROP;
	}
	if (via & VIA_COUNT) {
		st = bpf_map_lookup_elem(&via_stats, &out);
		if (st) {
			st->tx_packets++;
			st->tx_bytes += len;
		}
	}
	return bpf_redirect_map(&tx_port, 0, XDP_DROP);
}

SEC("xdp")
int bench_via_cube(struct xdp_md *ctx)
{
	return via_forward(ctx, 0);
}

SEC("xdp")
int bench_via_entry(struct xdp_md *ctx)
{
	if (via & VIA_MD) {
		__u32 zero = 0;
		struct via_md *md = bpf_map_lookup_elem(&via_scratch, &zero);

		if (!md)
			return XDP_DROP;
		*md = (struct via_md){ .in_port = 0 };
	}
	if (via & VIA_TAIL) {
		bpf_tail_call(ctx, &via_progs, 0);
		return XDP_DROP;
	}
	return via_forward(ctx, 0);
}

char _license[] SEC("license") = "GPL";
