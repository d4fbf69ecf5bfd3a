// SPDX-License-Identifier: GPL-2.0
/*
 * The router's IPv6 tables as user space keeps them: the ports'
 * addresses (rt_ports6), the canonical route list (rt_routes6) and the
 * FIB the datapath reads (rt_fib6), which holds the best route of each
 * prefix by the rules of IPv4 (rt_route_better()). The list is small
 * next to IPv4's hot paths: a change syncs its prefix by a scan.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "rt.h"

bool rt_is_ipv6(const char *arg)
{
	return strchr(arg, ':') != NULL;
}

int rt_arg_ipv6(const char *arg, __u8 *addr)
{
	return inet_pton(AF_INET6, arg, addr) == 1 ? 0
		: pcn_bad_arg("IPv6 address", arg);
}

/* not ::, not multicast (ff00::/8), not loopback (::1) */
bool rt6_unicast(const __u8 *a)
{
	static const __u8 zero[16], one[16] = { [15] = 1 };

	return memcmp(a, zero, 16) && memcmp(a, one, 16) && a[0] != 0xff;
}

bool rt6_zero(const __u8 *a)
{
	static const __u8 zero[16];

	return !memcmp(a, zero, 16);
}

/* Clear the bits of @a after the first @plen. */
void rt6_mask(__u8 *a, __u32 plen)
{
	__u32 i;

	for (i = 0; i < 16; i++) {
		if (plen >= 8 * (i + 1))
			continue;
		a[i] &= plen > 8 * i ? (__u8)(0xff << (8 - (plen - 8 * i))) : 0;
	}
}

/* Do @a and @b share their first @plen bits? */
bool rt6_match(const __u8 *a, const __u8 *b, __u32 plen)
{
	__u8 x[16], y[16];

	memcpy(x, a, 16);
	memcpy(y, b, 16);
	rt6_mask(x, plen);
	rt6_mask(y, plen);
	return !memcmp(x, y, 16);
}

int rt_arg_prefix6(const char *arg, __u8 *addr, __u32 *plen, bool host)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash;
	__u8 net[16];

	if (strlen(arg) >= sizeof(buf))
		return pcn_bad_arg("IPv6 prefix", arg);
	strcpy(buf, arg);
	slash = strchr(buf, '/');
	*plen = 128;
	if (slash) {
		*slash++ = '\0';
		if (pcn_parse_u32(slash, 10, plen) || *plen > 128)
			return pcn_err(PCN_EXIT_USAGE,
				       "%s: the prefix length of IPv6 is 0 to 128",
				       arg);
	}
	if (inet_pton(AF_INET6, buf, addr) != 1)
		return pcn_bad_arg("IPv6 prefix", arg);
	memcpy(net, addr, 16);
	rt6_mask(net, *plen);
	if (!host && memcmp(net, addr, 16))
		return pcn_err(PCN_EXIT_USAGE,
			       "%s has host bits set: a prefix has none", arg);
	return 0;
}

const char *rt6_str(const __u8 *a, char *buf)
{
	return inet_ntop(AF_INET6, a, buf, INET6_ADDRSTRLEN);
}

const char *rt6_prefix_str(const __u8 *a, __u32 plen, char *buf)
{
	char s[INET6_ADDRSTRLEN];

	snprintf(buf, PCN_PREFIX_STRLEN, "%s/%u", rt6_str(a, s), plen);
	return buf;
}

int rt6_port_get(struct pcn_cube *c, __u32 idx, struct rt_port6 *rp)
{
	return cube_map_get(c, "rt_ports6", &idx, rp);
}

int rt6_port_put(struct pcn_cube *c, __u32 idx, const struct rt_port6 *rp)
{
	return cube_map_put(c, "rt_ports6", &idx, rp);
}

bool rt6_on_link(const struct rt_port6 *rp, const __u8 *a)
{
	__u32 j;

	for (j = 0; j < RT_ADDRS6_MAX && !rt6_zero(rp->addrs[j].addr); j++)
		if (rt6_match(rp->addrs[j].addr, a, rp->addrs[j].plen))
			return true;
	return false;
}

/* The port of @c with an address whose subnet holds @a, or -1. */
int rt6_port_on_link(struct pcn_cube *c, const __u8 *a)
{
	struct rt_port6 rp;
	__u32 i;

	for (i = 0; i < PCN_MAX_PORTS; i++)
		if (!rt6_port_get(c, i, &rp) && rt6_on_link(&rp, a))
			return i;
	return -1;
}

static int entry6_cmp(const void *pa, const void *pb)
{
	const struct rt_entry6 *a = pa, *b = pb;
	int d = memcmp(a->k.prefix, b->k.prefix, 16);

	if (d)
		return d;
	if (a->k.plen != b->k.plen)
		return a->k.plen < b->k.plen ? -1 : 1;
	if (rt_route_better(&a->r, &b->r))
		return -1;
	return rt_route_better(&b->r, &a->r) ? 1 : 0;
}

int rt6_entries_read(struct pcn_cube *c, struct rt_entry6 **out, int *n)
{
	struct rt_route6_key *keys;
	struct rt_route *vals;
	struct rt_entry6 *e;
	int fd, i;

	*n = 0;
	fd = cube_obj_fd(c, "rt_routes6");
	if (fd < 0)
		return -errno;
	*n = map_dump(fd, sizeof(*keys), sizeof(*vals), RT_ROUTES_MAX,
		      (void **)&keys, (void **)&vals);
	close(fd);
	if (*n < 0) {
		int err = *n;

		*n = 0;
		return err;
	}
	e = calloc(*n ? *n : 1, sizeof(*e));
	for (i = 0; e && i < *n; i++) {
		e[i].k = keys[i];
		e[i].r = vals[i];
	}
	free(keys);
	free(vals);
	if (!e)
		return -ENOMEM;
	qsort(e, *n, sizeof(*e), entry6_cmp);
	*out = e;
	return 0;
}

/* rt_fib6 of @prefix/@plen: the best route of the list, or none. */
static int fib6_sync(struct pcn_cube *c, const __u8 *prefix, __u32 plen)
{
	struct rt_fib6_key fk = { .plen = plen };
	struct rt_fib6_entry fe = {};
	struct rt_entry6 *all;
	int fd, i, n, err;

	err = rt6_entries_read(c, &all, &n);
	if (err)
		return err;
	memcpy(fk.prefix, prefix, 16);
	/* sorted: the first of the prefix is its best */
	for (i = 0; i < n; i++)
		if (!memcmp(all[i].k.prefix, prefix, 16) &&
		    all[i].k.plen == plen)
			break;
	if (i < n) {
		memcpy(fe.via, all[i].k.via, 16);
		fe.port = all[i].k.port;
		fe.kind = all[i].r.kind;
		fe.metric = all[i].r.metric;
		fe.plen = plen;
		fe.seq = all[i].r.seq;
	}
	fd = cube_obj_fd(c, "rt_fib6");
	if (fd < 0)
		err = -errno;
	else if (i < n)
		err = bpf_map_update_elem(fd, &fk, &fe, BPF_ANY) ? -errno : 0;
	else if (bpf_map_delete_elem(fd, &fk) && errno != ENOENT)
		err = -errno;
	if (fd >= 0)
		close(fd);
	free(all);
	return err;
}

int rt6_route_add(struct pcn_cube *c, const struct rt_route6_key *k,
		  __u32 metric)
{
	struct rt_route r = { .metric = metric, .kind = k->kind,
			      .seq = pcn_seq_next() };
	int fd, err;

	fd = cube_obj_fd(c, "rt_routes6");
	if (fd < 0)
		return -errno;
	err = bpf_map_update_elem(fd, k, &r, BPF_NOEXIST) ? -errno : 0;
	if (!err) {
		err = fib6_sync(c, k->prefix, k->plen);
		if (err)
			bpf_map_delete_elem(fd, k);
	}
	close(fd);
	return err;
}

int rt6_route_del(struct pcn_cube *c, const struct rt_route6_key *k)
{
	int fd, err;

	fd = cube_obj_fd(c, "rt_routes6");
	if (fd < 0)
		return -errno;
	err = bpf_map_delete_elem(fd, k) ? -errno : 0;
	close(fd);
	return err ?: fib6_sync(c, k->prefix, k->plen);
}

int rt6_routes_drop(struct pcn_cube *c,
		    bool (*drop)(const struct rt_route6_key *k,
				 const struct rt_route *r, void *arg),
		    void *arg)
{
	struct rt_entry6 *all;
	int i, n, err;

	err = rt6_entries_read(c, &all, &n);
	if (err)
		return err;
	for (i = 0; i < n && !err; i++)
		if (drop(&all[i].k, &all[i].r, arg))
			err = rt6_route_del(c, &all[i].k);
	free(all);
	return err;
}
