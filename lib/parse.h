/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The values pcn reads from a command line, and writes back in the same
 * form: numbers, MAC addresses, VLAN ids, IPv4 and IPv6 prefixes, L4
 * protocols, port ranges, seconds. Each parser takes one word; it
 * returns 0, or -EINVAL (leaving a reason where the form needs one).
 * Each formatter writes into a buffer of the size it names, and returns
 * it.
 */
#ifndef __PCN_PARSE_H
#define __PCN_PARSE_H

#include <stdbool.h>
#include <linux/types.h>

/*
 * A decimal (or @base) number of 32 bits, no sign.
 * Return: 0, or -EINVAL (no reason).
 */
int pcn_parse_u32(const char *s, int base, __u32 *val);

/* "xx:xx:xx:xx:xx:xx" */
#define PCN_MAC_STRLEN 18
/* Read a MAC address. Return: 0, or -EINVAL (no reason). */
int pcn_parse_mac(const char *s, __u8 *mac);
/* @mac into @buf[PCN_MAC_STRLEN]. Return: @buf. */
const char *pcn_mac_str(const __u8 *mac, char *buf);

/* A VLAN id, 1..4094 */
#define PCN_VID_MAX 4094
/* Read a VLAN id. Return: 0, or -EINVAL with the reason. */
int pcn_parse_vid(const char *s, __u16 *vid);

/* A number of seconds, 1 to 1000000 */
#define PCN_SECONDS_MAX 1000000
/* Read seconds. Return: 0, or -EINVAL (no reason). */
int pcn_parse_seconds(const char *s, __u32 *sec);

/* IPv4: "A.B.C.D". Return: 0, or -EINVAL (no reason). */
int pcn_parse_ipv4(const char *s, __be32 *addr);
/*
 * "A.B.C.D[/N]", or "default" unless @host; with @host the address may
 * have host bits (an address and its subnet), without it not (a prefix).
 * Return: 0, or -EINVAL with the reason.
 */
int pcn_parse_prefix4(const char *s, __be32 *addr, __u32 *plen, bool host);
/* The netmask of @plen (0..32) bits. Return: it, in network order. */
__be32 pcn_mask4(__u32 plen);
/* "A.B.C.D/N", "default" for 0/0 */
#define PCN_PREFIX_STRLEN 50
/* The same, into @buf[PCN_PREFIX_STRLEN]. Return: @buf. */
const char *pcn_prefix4_str(__be32 addr, __u32 plen, char *buf);
/* "A.B.C.D" into @buf[INET_ADDRSTRLEN]. Return: @buf. */
const char *pcn_ipv4_str(__be32 addr, char *buf);

/*
 * IPv4 or IPv6: "A.B.C.D[/N]" or "X:X::X[/N]", into 16 bytes (IPv4 in
 * the first 4), its length and family (4 or 6); host bits must be 0.
 * Return: 0, or -EINVAL with the reason.
 */
int pcn_parse_prefix(const char *s, __u8 *addr, __u32 *plen, int *family);
/* "ADDR/N" of either family, in @buf[PCN_PREFIX_STRLEN]. Return: @buf. */
const char *pcn_prefix_str(int family, const __u8 *addr, __u32 plen,
			   char *buf);

/*
 * An L4 protocol: tcp, udp, icmp, icmpv6 or a number 0 to 255.
 * Return: 0, or -EINVAL with the reason.
 */
int pcn_parse_proto(const char *s, __u8 *proto);
/* Its name. Return: "tcp", ..., or NULL if it has none of those. */
const char *pcn_proto_name(__u8 proto);

/*
 * "PORT" or "LOW-HIGH", 0 to 65535.
 * Return: 0, or -EINVAL with the reason.
 */
int pcn_parse_port_range(const char *s, __u16 *lo, __u16 *hi);
#define PCN_PORTS_STRLEN 12
/* The same, into @buf[PCN_PORTS_STRLEN]. Return: @buf. */
const char *pcn_port_range_str(__u16 lo, __u16 hi, char *buf);

/*
 * "a,b,c" of @names (at most 8) as a mask, bit i for names[i]; every
 * item must be a name: "a,,b" and "a," are refused ("" is mask 0).
 * Return: 0, or -EINVAL (no reason).
 */
int pcn_parse_names(const char *s, const char *const *names, int n,
		    __u8 *mask);
/* The names of @mask, "a,b", cut to @len. Return: @buf ("" for 0). */
const char *pcn_names_str(__u8 mask, const char *const *names, int n,
			  char *buf, int len);

#endif /* __PCN_PARSE_H */
