/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internet checksums (RFC 1071) in the datapath: summed over a header,
 * or updated in place when a field changes (RFC 1624), as the router
 * rewrites a TTL and NAT rewrites addresses and ports.
 */
#ifndef __PCN_CSUM_H
#define __PCN_CSUM_H

#include <linux/ip.h>
#include <bpf/bpf_endian.h>

/* A 32-bit sum of 16-bit words, folded and complemented. */
static __always_inline __u16 pcn_csum_fold(__u32 s)
{
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return ~s;
}

/*
 * Add the 16-bit words of [@p, @p + @len) to @sum: @len even, at most
 * @max bytes, none read past @end (for the verifier, which sees the
 * bound of the loop).
 */
#define PCN_CSUM_WORDS(sum, p, len, max, end)                              \
	do {                                                               \
		__u16 *w_ = (__u16 *)(p);                                  \
		int i_;                                                    \
		for (i_ = 0; i_ < (max) / 2; i_++) {                       \
			if (i_ >= (len) / 2 || (void *)(w_ + 1) > (end))   \
				break;                                     \
			(sum) += *w_++;                                    \
		}                                                          \
	} while (0)

/* The checksum @check once a 16-bit word changes from @from to @to. */
static __always_inline __sum16 pcn_csum_replace2(__sum16 check, __be16 from,
						 __be16 to)
{
	return pcn_csum_fold((__u16)~check + (__u16)~from + (__u16)to);
}

/* The same for a 32-bit field (an IPv4 address). */
static __always_inline __sum16 pcn_csum_replace4(__sum16 check, __be32 from,
						 __be32 to)
{
	return pcn_csum_fold((__u16)~check + (__u16)~(from >> 16) +
			     (__u16)~(from & 0xffff) + (__u16)(to >> 16) +
			     (__u16)(to & 0xffff));
}

/* Compute and set an IPv4 header's checksum (options included). */
static __always_inline void pcn_ip_csum_set(struct iphdr *ip, void *end)
{
	__u32 sum = 0;

	ip->check = 0;
	PCN_CSUM_WORDS(sum, ip, ip->ihl * 4, 60, end);
	ip->check = pcn_csum_fold(sum);
}

/*
 * TTL - 1, the checksum kept in step: it goes up by 0x0100 (RFC 1624),
 * as the kernel's ip_decrease_ttl() does.
 */
static __always_inline void pcn_ip_ttl_dec(struct iphdr *ip)
{
	__u32 sum;

	ip->ttl--;
	sum = ip->check + bpf_htons(0x0100);
	ip->check = sum + (sum >= 0xffff);
}

#endif /* __PCN_CSUM_H */
