// SPDX-License-Identifier: GPL-2.0
/*
 * The router's tables as user space keeps them: its ports' settings,
 * the canonical route list (rt_routes) and the FIB the datapath reads
 * (rt_fib), which holds the best route of each prefix and is derived
 * from the list here: rt_route_add() and rt_route_del() keep it so.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "rt.h"

static const char *const kind_names[] = {
	[RT_KIND_STATIC] = "static",
	[RT_KIND_CONNECTED] = "connected",
	[RT_KIND_LOCAL] = "local",
};

const char *rt_kind_name(__u32 kind)
{
	return kind < ARRAY_SIZE(kind_names) ? kind_names[kind] : "?";
}

int rt_arg_prefix(const char *arg, __be32 *addr, __u32 *plen, bool host)
{
	int err = pcn_parse_prefix4(arg, addr, plen, host);

	return err ? pcn_err_parse(err, "prefix", arg) : 0;
}

int rt_arg_ipv4(const char *arg, __be32 *addr)
{
	return pcn_parse_ipv4(arg, addr) ? pcn_bad_arg("IPv4 address", arg)
					 : 0;
}

__u64 rt_neigh_timeout_ns(struct pcn_cube *c)
{
	struct rt_meta m;

	memcpy(&m, c->meta.config, sizeof(m));
	return (__u64)m.neigh_timeout * NSEC_PER_SEC;
}

int rt_own_fib(struct pcn_cube *c)
{
	struct rt_meta m;

	memcpy(&m, c->meta.config, sizeof(m));
	if (m.fib == RT_FIB_OWN)
		return 0;
	return pcn_err(PCN_EXIT_KERNEL,
		       "router \"%s\" forwards by the kernel's FIB (fib kernel): its addresses, routes and neighbours are the namespace's (ip addr, ip route, ip neigh)",
		       c->name);
}

int rt_port_get(struct pcn_cube *c, __u32 idx, struct rt_port *rp)
{
	return cube_map_get(c, "rt_ports", &idx, rp);
}

/* one map update: a packet sees the old settings of a port or the new */
int rt_port_put(struct pcn_cube *c, __u32 idx, const struct rt_port *rp)
{
	return cube_map_put(c, "rt_ports", &idx, rp);
}

/* Every port's settings, in one system call where the kernel can. */
int rt_ports_read(struct pcn_cube *c, struct rt_port *all)
{
	int fd, err;

	fd = cube_obj_fd(c, "rt_ports");
	if (fd < 0)
		return -errno;
	err = map_array_read(fd, PCN_MAX_PORTS, sizeof(*all), all);
	close(fd);
	return err;
}

/* The port of @all with an address whose subnet holds @a, or -1. */
int rt_port_on_link(const struct rt_port *all, __be32 a)
{
	__u32 i;

	for (i = 0; i < PCN_MAX_PORTS; i++)
		if (rt_on_link(&all[i], a))
			return i;
	return -1;
}

/* Is @a on the subnet of an address of port @rp? */
bool rt_on_link(const struct rt_port *rp, __be32 a)
{
	__u32 j;

	for (j = 0; j < RT_ADDRS_MAX && rp->addrs[j].addr; j++)
		if (!((rp->addrs[j].addr ^ a) & pcn_mask4(rp->addrs[j].plen)))
			return true;
	return false;
}

/* Every route of the list @fd; caller frees *keys and *vals. */
static int routes_read_fd(int fd, struct rt_route_key **keys,
			  struct rt_route **vals, int *n)
{
	*n = map_dump(fd, sizeof(**keys), sizeof(**vals), RT_ROUTES_MAX,
		      (void **)keys, (void **)vals);
	if (*n < 0) {
		int err = *n;

		*n = 0;
		return err;
	}
	return 0;
}

/* Every route of @c; caller frees *keys and *vals. */
static int rt_routes_read(struct pcn_cube *c, struct rt_route_key **keys,
			  struct rt_route **vals, int *n)
{
	int fd, err;

	*n = 0;
	fd = cube_obj_fd(c, "rt_routes");
	if (fd < 0)
		return -errno;
	err = routes_read_fd(fd, keys, vals, n);
	close(fd);
	return err;
}

/* Does route @a win over route @b for the same prefix? */
bool rt_route_better(const struct rt_route *a, const struct rt_route *b)
{
	if ((a->kind == RT_KIND_LOCAL) != (b->kind == RT_KIND_LOCAL))
		return a->kind == RT_KIND_LOCAL;
	if (a->metric != b->metric)
		return a->metric < b->metric;
	return a->seq < b->seq;
}

/* The FIB entry of exactly @prefix/@plen, if there is one. */
static int fib_get(int fd, __be32 prefix, __u32 plen, struct rt_fib_entry *fe)
{
	struct rt_fib_key k = { .plen = plen, .prefix = prefix };

	/* an LPM lookup: a shorter prefix may answer */
	if (bpf_map_lookup_elem(fd, &k, fe))
		return -ENOENT;
	return fe->plen == plen ? 0 : -ENOENT;
}

static int fib_put(int fd, const struct rt_route_key *k,
		   const struct rt_route *r)
{
	struct rt_fib_key fk = { .plen = k->plen, .prefix = k->prefix };
	struct rt_fib_entry fe = {
		.via = k->via, .port = k->port, .kind = r->kind,
		.metric = r->metric, .plen = k->plen, .seq = r->seq,
	};

	return bpf_map_update_elem(fd, &fk, &fe, BPF_ANY) ? -errno : 0;
}

static bool fib_is(const struct rt_fib_entry *fe, const struct rt_route_key *k,
		   const struct rt_route *r)
{
	return fe->via == k->via && fe->port == k->port && fe->seq == r->seq;
}

static int entry_cmp(const void *pa, const void *pb)
{
	const struct rt_entry *a = pa, *b = pb;

	if (a->k.prefix != b->k.prefix)
		return ntohl(a->k.prefix) < ntohl(b->k.prefix) ? -1 : 1;
	if (a->k.plen != b->k.plen)
		return a->k.plen < b->k.plen ? -1 : 1;
	if (rt_route_better(&a->r, &b->r))
		return -1;
	return rt_route_better(&b->r, &a->r) ? 1 : 0;
}

/* Every route of @c, sorted (see struct rt_entry); caller frees. */
int rt_entries_read(struct pcn_cube *c, struct rt_entry **out, int *n)
{
	struct rt_route_key *keys;
	struct rt_route *vals;
	struct rt_entry *e;
	int i, err;

	err = rt_routes_read(c, &keys, &vals, n);
	if (err)
		return err;
	e = calloc(*n ? *n : 1, sizeof(*e));
	if (!e) {
		free(keys);
		free(vals);
		return -ENOMEM;
	}
	for (i = 0; i < *n; i++) {
		e[i].k = keys[i];
		e[i].r = vals[i];
	}
	free(keys);
	free(vals);
	qsort(e, *n, sizeof(*e), entry_cmp);
	*out = e;
	return 0;
}

/* rt_fib_sync() of one prefix: a scan, no sort */
static int fib_sync_one(struct pcn_cube *c, const struct rt_route_key *key)
{
	struct rt_fib_key fk = { .plen = key->plen, .prefix = key->prefix };
	struct rt_route_key *keys, best_k;
	struct rt_route *vals, best;
	int fd, i, n, err, hit = -1;

	err = rt_routes_read(c, &keys, &vals, &n);
	if (err)
		return err;
	for (i = 0; i < n; i++)
		if (keys[i].prefix == key->prefix && keys[i].plen == key->plen &&
		    (hit < 0 || rt_route_better(&vals[i], &vals[hit])))
			hit = i;
	if (hit >= 0) {
		best_k = keys[hit];
		best = vals[hit];
	}
	free(keys);
	free(vals);
	fd = cube_obj_fd(c, "rt_fib");
	if (fd < 0)
		return -errno;
	if (hit >= 0)
		err = fib_put(fd, &best_k, &best);
	else if (bpf_map_delete_elem(fd, &fk) && errno != ENOENT)
		err = -errno;
	close(fd);
	return err;
}

/*
 * Make rt_fib hold the best route of each prefix of @keys (@n of them),
 * or none, from the list as it is now: one FIB write per prefix, so a
 * packet sees the old best route or the new.
 */
int rt_fib_sync(struct pcn_cube *c, const struct rt_route_key *keys, int n)
{
	struct rt_entry *all, want = {}, *hit;
	int fd, i, cnt, err;

	if (n == 1)
		return fib_sync_one(c, keys);
	err = rt_entries_read(c, &all, &cnt);
	if (err)
		return err;
	fd = cube_obj_fd(c, "rt_fib");
	if (fd < 0) {
		free(all);
		return -errno;
	}
	for (i = 0; i < n && !err; i++) {
		struct rt_fib_key fk = { .plen = keys[i].plen,
					 .prefix = keys[i].prefix };
		int lo = 0, hi = cnt;

		/* the first entry of the prefix: the best */
		want.k = keys[i];
		while (lo < hi) {
			int mid = (lo + hi) / 2;

			if (all[mid].k.prefix == want.k.prefix &&
			    all[mid].k.plen == want.k.plen) {
				hi = mid;
				continue;
			}
			if (entry_cmp(&all[mid], &want) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		hit = lo < cnt && all[lo].k.prefix == want.k.prefix &&
		      all[lo].k.plen == want.k.plen ? &all[lo] : NULL;
		if (hit)
			err = fib_put(fd, &hit->k, &hit->r);
		else if (bpf_map_delete_elem(fd, &fk) && errno != ENOENT)
			err = -errno;
	}
	close(fd);
	free(all);
	return err;
}

/*
 * Add route @k (of kind k->kind) with @metric to the list (map fd @rfd), and to
 * the FIB (@ffd) if it is now the best of its prefix. -EEXIST if it is
 * there already, -E2BIG if the list is full.
 */
int rt_route_insert(int rfd, int ffd, const struct rt_route_key *k,
		    __u32 metric)
{
	struct rt_route r = { .metric = metric, .kind = k->kind };
	struct rt_fib_entry fe;
	struct rt_route cur;
	int err;

	/* the order in which routes were added: a later one loses a tie */
	r.seq = pcn_seq_next();
	if (bpf_map_update_elem(rfd, k, &r, BPF_NOEXIST))
		return -errno;
	if (!fib_get(ffd, k->prefix, k->plen, &fe)) {
		cur = (struct rt_route){ .metric = fe.metric, .kind = fe.kind,
					 .seq = fe.seq };
		if (!rt_route_better(&r, &cur))
			return 0;
	}
	err = fib_put(ffd, k, &r);
	if (err)
		bpf_map_delete_elem(rfd, k);
	return err;
}

int rt_route_taken(int rfd, int ffd, const struct rt_route_key *k,
		   __u32 metric)
{
	struct rt_route_key *keys;
	struct rt_route *vals;
	struct rt_fib_entry fe;
	int i, n, err;

	/* a prefix without a FIB entry has no route: no list to read */
	if (fib_get(ffd, k->prefix, k->plen, &fe))
		return 0;
	err = routes_read_fd(rfd, &keys, &vals, &n);
	if (err)
		return err;
	for (i = 0; i < n && !err; i++)
		if (keys[i].prefix == k->prefix && keys[i].plen == k->plen &&
		    keys[i].kind == RT_KIND_STATIC &&
		    vals[i].kind == RT_KIND_STATIC && vals[i].metric == metric)
			err = -EEXIST;
	free(keys);
	free(vals);
	return err;
}

int rt_route_add(struct pcn_cube *c, const struct rt_route_key *k,
		 __u32 metric)
{
	int rfd, ffd, err;

	rfd = cube_obj_fd(c, "rt_routes");
	ffd = cube_obj_fd(c, "rt_fib");
	err = rfd < 0 || ffd < 0 ? -errno :
		rt_route_insert(rfd, ffd, k, metric);
	if (rfd >= 0)
		close(rfd);
	if (ffd >= 0)
		close(ffd);
	return err;
}

/* Remove route @k; the next best of its prefix takes its place. */
int rt_route_del(struct pcn_cube *c, const struct rt_route_key *k)
{
	struct rt_fib_entry fe;
	struct rt_route r;
	int rfd, ffd, err = 0;

	rfd = cube_obj_fd(c, "rt_routes");
	ffd = cube_obj_fd(c, "rt_fib");
	if (rfd < 0 || ffd < 0) {
		err = -errno;
		goto out;
	}
	if (bpf_map_lookup_elem(rfd, k, &r) || bpf_map_delete_elem(rfd, k)) {
		err = -errno;
		goto out;
	}
	if (!fib_get(ffd, k->prefix, k->plen, &fe) && fib_is(&fe, k, &r))
		err = rt_fib_sync(c, k, 1);
out:
	if (rfd >= 0)
		close(rfd);
	if (ffd >= 0)
		close(ffd);
	return err;
}

/*
 * Remove the routes that @drop says go: those of a port that goes, or
 * through next hops no longer on its subnets. The FIB follows.
 */
int rt_routes_drop(struct pcn_cube *c,
		   bool (*drop)(const struct rt_route_key *k,
				const struct rt_route *r, void *arg),
		   void *arg)
{
	struct rt_route_key *keys, *gone;
	struct rt_route *vals;
	int i, n, ngone = 0, fd, err;

	err = rt_routes_read(c, &keys, &vals, &n);
	if (err)
		return err;
	gone = calloc(n ? n : 1, sizeof(*gone));
	fd = cube_obj_fd(c, "rt_routes");
	if (!gone || fd < 0)
		err = gone ? -errno : -ENOMEM;
	for (i = 0; i < n && !err; i++) {
		if (!drop(&keys[i], &vals[i], arg))
			continue;
		if (bpf_map_delete_elem(fd, &keys[i]))
			err = -errno;
		else
			gone[ngone++] = keys[i];
	}
	if (fd >= 0)
		close(fd);
	/* the FIB follows, even after a failure half-way */
	if (ngone) {
		int e = rt_fib_sync(c, gone, ngone);

		err = err ?: e;
	}
	free(gone);
	free(keys);
	free(vals);
	return err;
}

