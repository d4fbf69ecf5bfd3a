// SPDX-License-Identifier: GPL-2.0
/* The values pcn reads and writes (parse.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "parse.h"
#include "utils.h"

int pcn_parse_u32(const char *s, int base, __u32 *val)
{
	unsigned long res;
	char *end;

	if (!s || !*s || *s == '-' || *s == '+')
		return -EINVAL;
	errno = 0;
	res = strtoul(s, &end, base);
	if (*end || errno || res > UINT32_MAX)
		return -EINVAL;
	*val = res;
	return 0;
}

int pcn_parse_mac(const char *s, __u8 *mac)
{
	unsigned int b[6];
	char tail;
	int i;

	if (!s || strlen(s) != 17 ||
	    sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3],
		   &b[4], &b[5], &tail) != 6)
		return -EINVAL;
	for (i = 0; i < 6; i++) {
		if (s[i * 3] == ' ' || s[i * 3] == '+' || s[i * 3] == '-')
			return -EINVAL;
		mac[i] = b[i];
	}
	return 0;
}

const char *pcn_mac_str(const __u8 *m, char *buf)
{
	snprintf(buf, PCN_MAC_STRLEN, "%02x:%02x:%02x:%02x:%02x:%02x", m[0],
		 m[1], m[2], m[3], m[4], m[5]);
	return buf;
}

int pcn_parse_vid(const char *s, __u16 *vid)
{
	__u32 v;

	if (pcn_parse_u32(s, 10, &v) || v < 1 || v > PCN_VID_MAX)
		return pcn_fail(-EINVAL, "VLAN id \"%s\" is not in 1..%d", s,
				PCN_VID_MAX);
	*vid = v;
	return 0;
}

int pcn_parse_seconds(const char *s, __u32 *sec)
{
	if (pcn_parse_u32(s, 10, sec) || *sec == 0 || *sec > PCN_SECONDS_MAX)
		return -EINVAL;
	return 0;
}

int pcn_parse_ipv4(const char *s, __be32 *addr)
{
	return inet_pton(AF_INET, s, addr) == 1 ? 0 : -EINVAL;
}

__be32 pcn_mask4(__u32 plen)
{
	return plen ? htonl(~0u << (32 - plen)) : 0;
}

int pcn_parse_prefix4(const char *s, __be32 *addr, __u32 *plen, bool host)
{
	char buf[INET_ADDRSTRLEN + 4], net[INET_ADDRSTRLEN], *slash;
	__u32 len = 32;

	if (!strcmp(s, "default") && !host) {
		*addr = 0;
		*plen = 0;
		return 0;
	}
	if (strlen(s) >= sizeof(buf))
		goto bad;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash) {
		*slash = '\0';
		if (pcn_parse_u32(slash + 1, 10, &len) || len > 32)
			goto bad;
	}
	if (inet_pton(AF_INET, buf, addr) != 1)
		goto bad;
	*plen = len;
	if (!host && (*addr & ~pcn_mask4(len)))
		return pcn_fail(-EINVAL,
				"prefix \"%s\" has host bits set (the network is %s/%u)",
				s, pcn_ipv4_str(*addr & pcn_mask4(len), net),
				len);
	return 0;
bad:
	return pcn_fail(-EINVAL, "\"%s\" is not an IPv4 %s", s,
			host ? "address/length" : "prefix");
}

const char *pcn_ipv4_str(__be32 addr, char *buf)
{
	inet_ntop(AF_INET, &addr, buf, INET_ADDRSTRLEN);
	return buf;
}

const char *pcn_prefix4_str(__be32 addr, __u32 plen, char *buf)
{
	if (!addr && !plen) {
		strcpy(buf, "default");
		return buf;
	}
	inet_ntop(AF_INET, &addr, buf, INET_ADDRSTRLEN);
	snprintf(buf + strlen(buf), 4, "/%u", plen);
	return buf;
}

int pcn_parse_prefix(const char *s, __u8 *a, __u32 *plen, int *family)
{
	char buf[INET6_ADDRSTRLEN + 5], *slash;
	int fam = strchr(s, ':') ? 6 : 4, bits = fam == 4 ? 32 : 128;
	__u32 len = bits, i;

	if (strlen(s) >= sizeof(buf))
		goto bad;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash) {
		*slash = '\0';
		if (pcn_parse_u32(slash + 1, 10, &len) || len > (__u32)bits)
			goto bad;
	}
	memset(a, 0, 16);
	if (inet_pton(fam == 4 ? AF_INET : AF_INET6, buf, a) != 1)
		goto bad;
	for (i = len; i < (__u32)bits; i++)
		if (a[i / 8] & (0x80 >> (i % 8)))
			return pcn_fail(-EINVAL,
					"prefix \"%s\" has host bits set", s);
	*plen = len;
	*family = fam;
	return 0;
bad:
	return pcn_fail(-EINVAL, "\"%s\" is not an IPv4 or IPv6 prefix", s);
}

const char *pcn_prefix_str(int family, const __u8 *a, __u32 plen, char *buf)
{
	inet_ntop(family == 4 ? AF_INET : AF_INET6, a, buf, INET6_ADDRSTRLEN);
	snprintf(buf + strlen(buf), 5, "/%u", plen);
	return buf;
}

static const struct {
	const char *name;
	__u8 num;
} protos[] = {
	{ "icmp", 1 }, { "tcp", 6 }, { "udp", 17 }, { "icmpv6", 58 },
};

int pcn_parse_proto(const char *s, __u8 *proto)
{
	__u32 num;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(protos); i++)
		if (!strcmp(s, protos[i].name)) {
			*proto = protos[i].num;
			return 0;
		}
	if (!pcn_parse_u32(s, 10, &num) && num < 256) {
		*proto = num;
		return 0;
	}
	return pcn_fail(-EINVAL,
			"protocol \"%s\" is unknown: tcp, udp, icmp, icmpv6 or 0 to 255",
			s);
}

const char *pcn_proto_name(__u8 proto)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(protos); i++)
		if (protos[i].num == proto)
			return protos[i].name;
	return NULL;
}

int pcn_parse_port_range(const char *s, __u16 *lo, __u16 *hi)
{
	char buf[16], *dash;
	__u32 a, b;

	if (strlen(s) >= sizeof(buf))
		goto bad;
	strcpy(buf, s);
	dash = strchr(buf, '-');
	if (dash)
		*dash = '\0';
	if (pcn_parse_u32(buf, 10, &a) || a > 65535)
		goto bad;
	b = a;
	if (dash && (pcn_parse_u32(dash + 1, 10, &b) || b > 65535 || b < a))
		goto bad;
	*lo = a;
	*hi = b;
	return 0;
bad:
	return pcn_fail(-EINVAL,
			"ports \"%s\": PORT or LOW-HIGH, from 0 to 65535", s);
}

const char *pcn_port_range_str(__u16 lo, __u16 hi, char *buf)
{
	if (lo == hi)
		snprintf(buf, PCN_PORTS_STRLEN, "%u", lo);
	else
		snprintf(buf, PCN_PORTS_STRLEN, "%u-%u", lo, hi);
	return buf;
}

int pcn_parse_names(const char *s, const char *const *names, int n,
		    __u8 *mask)
{
	size_t len = strlen(s);

	*mask = 0;
	while (len) {
		size_t w = strcspn(s, ",");
		int i;

		if (w > len)
			w = len;
		for (i = 0; i < n; i++)
			if (strlen(names[i]) == w && !strncmp(s, names[i], w))
				break;
		if (i == n)
			return -EINVAL;
		*mask |= 1 << i;
		s += w;
		len -= w;
		if (len) {
			s++;
			len--;
			if (!len)
				return -EINVAL;
		}
	}
	return 0;
}

const char *pcn_names_str(__u8 mask, const char *const *names, int n,
			  char *buf, int len)
{
	int i, k = 0;

	buf[0] = '\0';
	for (i = 0; i < n && k < len; i++)
		if (mask & (1 << i))
			k += snprintf(buf + k, len - k, "%s%s", k ? "," : "",
				      names[i]);
	return buf;
}
