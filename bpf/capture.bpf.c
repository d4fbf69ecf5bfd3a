// SPDX-License-Identifier: GPL-2.0
/*
 * capture: a transparent cube that copies the packets going by into a
 * ring buffer, which "pcn capture" reads and writes to a pcapng or pcap
 * file. Every packet goes on, copied or not: a full ring, a packet that
 * does not parse, a filter that does not match only decide whether a
 * copy is made, and are counted.
 *
 * The time of a record is bpf_ktime_get_boot_ns(): CLOCK_BOOTTIME, which
 * goes on counting while the machine is suspended; user space adds the
 * offset from it to CLOCK_REALTIME, read again while it captures.
 */
#define PCN_TRANSPARENT
#include "pcn_cube.h"
#include "parse.h"
#include "capture.h"

/* written by pcn before the cube is attached: a global of its section */
volatile struct cap_config cap_config SEC(".data.cap_config");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, CAP_RING_BYTES);
} cap_ring SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct cap_stats);
} cap_stats SEC(".maps");

/* cap_stats' keys, where a lookup finds them without a stack slot */
const volatile __u32 cap_keys[2] = { PCN_DIR_INGRESS, PCN_DIR_EGRESS };

/* Is @a within prefix @p (@n bytes of address)? */
static __always_inline int cap_in_prefix(const __u8 *a,
					 const volatile struct cap_prefix *p)
{
	__u32 plen = p->plen, i, bits;
	__u8 mask;

	for (i = 0; i < 16; i++) {
		if (plen <= i * 8)
			break;
		bits = plen - i * 8;
		mask = bits >= 8 ? 0xff : (__u8)(0xff << (8 - bits));
		if ((a[i] ^ p->addr[i]) & mask)
			return 0;
	}
	return 1;
}

static __always_inline int cap_in_range(__u16 v, const volatile __u16 *r)
{
	return v >= r[0] && v <= r[1];
}

/*
 * Does the packet match every field of the filter? A function of its
 * own, as cap_record() is: the verifier checks each once, not once for
 * every way through the other.
 */
__attribute__((noinline)) int cap_match(struct pcn_ctx *ctx, __u32 fields)
{
	struct pcn_eth e;
	struct pcn_ip k = {};

	if (pcn_parse_eth(ctx, &e, 2))
		return 0;
	if ((fields & CAP_F_VLAN) && (!e.tagged || e.vid != cap_config.vid))
		return 0;
	if (!(fields & CAP_F_IP))
		return 1;
	/* what does not parse whole matches no field of it */
	if (pcn_parse_ip(ctx, &e, &k) != PCN_PARSE_OK)
		return 0;
	if ((fields & CAP_F_PROTO) && k.proto != cap_config.proto)
		return 0;
	if ((fields & (CAP_F_SRC | CAP_F_DST | CAP_F_HOST)) &&
	    k.family != cap_config.family)
		return 0;
	if ((fields & CAP_F_SRC) && !cap_in_prefix(k.src, &cap_config.src))
		return 0;
	if ((fields & CAP_F_DST) && !cap_in_prefix(k.dst, &cap_config.dst))
		return 0;
	if ((fields & CAP_F_HOST) && !cap_in_prefix(k.src, &cap_config.host) &&
	    !cap_in_prefix(k.dst, &cap_config.host))
		return 0;
	if (!(fields & CAP_F_L4))
		return 1;
	/* a later fragment, or a protocol without ports */
	if (k.l4 < 2)
		return 0;
	if ((fields & CAP_F_SPORT) && !cap_in_range(k.sport, cap_config.sport))
		return 0;
	if ((fields & CAP_F_DPORT) && !cap_in_range(k.dport, cap_config.dport))
		return 0;
	if ((fields & CAP_F_PORT) && !cap_in_range(k.sport, cap_config.port) &&
	    !cap_in_range(k.dport, cap_config.port))
		return 0;
	return 1;
}

/*
 * Wake the reader only once the ring is filling (an eighth of it): a
 * wakeup per record costs the datapath more than its copy, and the
 * reader looks at least every CAP_POLL_MS anyway.
 */
static __always_inline __u64 cap_wakeup(void)
{
	return bpf_ringbuf_query(&cap_ring, BPF_RB_AVAIL_DATA) >
			       CAP_RING_BYTES / 8 ?
		       BPF_RB_FORCE_WAKEUP :
		       BPF_RB_NO_WAKEUP;
}

/*
 * A record with room for @room bytes of frame (a constant: the ring
 * reserves only known sizes), @cap of them copied.
 * Return: 0, or -1 if the ring had no room.
 */
static __always_inline int cap_emit(struct pcn_ctx *ctx, __u32 dir, __u64 ts,
				    __u32 len, __u32 cap, const __u32 room)
{
	struct cap_rec *r;

	__u64 n = cap;

	/* tests the compiler can neither drop (it knows the caller's) nor
	 * fold into one the verifier would not follow: the helper's length
	 * must be known to lie within 1 and @room */
	asm volatile("" : "+r"(n));
	if (n > room)
		return 0;
	asm volatile("" : "+r"(n));
	if (n < 1)
		return 0;
	r = bpf_ringbuf_reserve(&cap_ring, sizeof(*r) + room, 0);
	if (!r)
		return -1;
	r->ts = ts;
	r->len = len;
	r->caplen = n;
	r->dir = dir;
	r->pad = 0;
#ifdef PCN_BUILD_XDP
	r->vlan = 0;
	r->vlan_proto = 0;
	r->vlan_tci = 0;
	if (bpf_xdp_load_bytes(ctx, 0, r + 1, n)) {
#else
	/* the outer tag the stack holds aside: user space puts it back */
	r->vlan = ctx->vlan_present;
	r->vlan_proto = ctx->vlan_proto;
	r->vlan_tci = ctx->vlan_tci;
	if (bpf_skb_load_bytes(ctx, 0, r + 1, n)) {
#endif
		/* cannot happen within the frame: keep the header alone */
		r->caplen = 0;
	}
	bpf_ringbuf_submit(r, cap_wakeup());
	return 0;
}

#define CAP_ROOM(n)                                                        \
	if (cap <= (n))                                                    \
		return cap_emit(ctx, dir, ts, len, cap, (n))

__attribute__((noinline)) int cap_record(struct pcn_ctx *ctx, __u32 dir,
					 __u64 ts, __u32 len)
{
	__u32 cap = len;

	if (cap > cap_config.snaplen)
		cap = cap_config.snaplen;
	if (cap > CAP_MAX_COPY)
		cap = CAP_MAX_COPY;
	CAP_ROOM(64);
	CAP_ROOM(128);
	CAP_ROOM(256);
	CAP_ROOM(512);
	CAP_ROOM(1024);
	CAP_ROOM(2048);
	CAP_ROOM(4096);
	CAP_ROOM(8192);
	CAP_ROOM(16384);
	CAP_ROOM(32768);
	_Static_assert(CAP_MAX_COPY == 65536, "the last room is the largest copy");
	return cap_emit(ctx, dir, ts, len, cap, 65536);
}

/* The frame's length (in tc without a tag held aside: see cap_rec). */
static __always_inline __u32 cap_wire_len(struct pcn_ctx *ctx)
{
#ifdef PCN_BUILD_XDP
	return bpf_xdp_get_buff_len(ctx);
#else
	return ctx->len;
#endif
}

static __always_inline int capture(struct pcn_ctx *ctx, __u32 dir)
{
	__u64 ts = bpf_ktime_get_boot_ns();
	__u32 fields = cap_config.fields, len;
	struct cap_stats *st;

	st = bpf_map_lookup_elem(&cap_stats, (const void *)&cap_keys[dir]);
	PCN_COUNT(st, seen);
	if (fields && !cap_match(ctx, fields)) {
		PCN_COUNT(st, filtered);
		return PCN_NEXT;
	}
	len = cap_wire_len(ctx);
	if (cap_record(ctx, dir, ts, len)) {
		PCN_COUNT(st, ring_full);
		return PCN_NEXT;
	}
	PCN_COUNT_PKT(st, captured, bytes, len);
	return PCN_NEXT;
}

PCN_TRANSPARENT_PROGS(capture, capture)
