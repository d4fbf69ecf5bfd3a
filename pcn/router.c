// SPDX-License-Identifier: GPL-2.0
/*
 * router: an IPv4 router in the datapath, and the route list it keeps.
 *
 *   pcn cube add NAME type router [ neigh_timeout SECONDS ]
 *   pcn cube set NAME [ neigh_timeout SECONDS ]
 *                     [ port PORT [ mac MAC ] [ local { drop | pass } ] ] ...
 *
 * A port takes its interface's MAC address, or a random local one when
 * it is linked to another cube. Its addresses are the object "addr"
 * (pcn/addr.c), the routes "route" (pcn/route.c), the neighbours
 * "neigh" (pcn/neigh.c).
 *
 * The canonical route list is the cube's rt_routes map; rt_fib, which
 * the datapath reads, holds the best route of each prefix and is
 * derived from it here: rt_route_add() and rt_route_del() keep it so.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "json_print.h"
#include "pcn.h"
#include "router.h"
#include "utils.h"
#include "router_xdp.skel.h"
#include "router_tc.skel.h"

/* The part of meta.config the router keeps: its canonical settings. */
struct rt_meta {
	__u32 neigh_timeout;		/* seconds */
};

static const char *const local_names[] = {
	[RT_LOCAL_DROP] = "drop",
	[RT_LOCAL_PASS] = "pass",
};

static const char *const kind_names[] = {
	[RT_KIND_STATIC] = "static",
	[RT_KIND_CONNECTED] = "connected",
	[RT_KIND_LOCAL] = "local",
};

const char *rt_kind_name(__u32 kind)
{
	return kind < ARRAY_SIZE(kind_names) ? kind_names[kind] : "?";
}

__be32 rt_mask(__u32 plen)
{
	return plen ? htonl(~0u << (32 - plen)) : 0;
}

int parse_prefix(const char *arg, __be32 *addr, __u32 *plen, bool host)
{
	char buf[INET_ADDRSTRLEN + 4], *slash;
	__u32 len = 32;

	if (!strcmp(arg, "default") && !host) {
		*addr = 0;
		*plen = 0;
		return 0;
	}
	if (strlen(arg) >= sizeof(buf))
		goto bad;
	strcpy(buf, arg);
	slash = strchr(buf, '/');
	if (slash) {
		*slash = '\0';
		if (get_u32(&len, slash + 1, 10) || len > 32)
			goto bad;
	}
	if (inet_pton(AF_INET, buf, addr) != 1)
		goto bad;
	*plen = len;
	if (!host && (*addr & ~rt_mask(len)))
		return pcn_err(PCN_EXIT_USAGE,
			       "prefix \"%s\" has host bits set (the network is %s/%u)",
			       arg, inet_ntoa((struct in_addr){ *addr & rt_mask(len) }),
			       len);
	return 0;
bad:
	return pcn_err(PCN_EXIT_USAGE, "\"%s\" is not an IPv4 %s", arg,
		       host ? "address/length" : "prefix");
}

int parse_ipv4(const char *arg, __be32 *addr)
{
	if (inet_pton(AF_INET, arg, addr) != 1)
		return pcn_bad_arg("IPv4 address", arg);
	return 0;
}

void print_prefix(const char *key, const char *fmt, __be32 addr, __u32 plen)
{
	char buf[INET_ADDRSTRLEN + 4];

	inet_ntop(AF_INET, &addr, buf, INET_ADDRSTRLEN);
	if (!addr && !plen)
		strcpy(buf, "default");
	else
		snprintf(buf + strlen(buf), 4, "/%u", plen);
	print_string(PRINT_ANY, key, fmt, buf);
}

void print_ipv4(const char *key, const char *fmt, __be32 addr)
{
	char buf[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &addr, buf, sizeof(buf));
	print_string(PRINT_ANY, key, fmt, buf);
}

static int rt_parse_add(int argc, char **argv, __u8 *config)
{
	return cube_add_seconds(argc, argv, "neigh_timeout", RT_NEIGH_TIMEOUT,
				config);
}

__u64 rt_neigh_timeout_ns(struct pcn_cube *c)
{
	struct rt_meta m;

	memcpy(&m, c->meta.config, sizeof(m));
	return (__u64)m.neigh_timeout * NSEC_PER_SEC;
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
	__u32 keys[PCN_MAX_PORTS], count = PCN_MAX_PORTS, out, i;
	int fd, err = 0;

	memset(all, 0, sizeof(*all) * PCN_MAX_PORTS);
	fd = cube_obj_fd(c, "rt_ports");
	if (fd < 0)
		return -errno;
	if (bpf_map_lookup_batch(fd, NULL, &out, keys, all, &count, NULL) &&
	    errno != ENOENT) {
		for (i = 0; i < PCN_MAX_PORTS && !err; i++)
			if (bpf_map_lookup_elem(fd, &i, &all[i]))
				err = -errno;
	}
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
		if (!((rp->addrs[j].addr ^ a) & rt_mask(rp->addrs[j].plen)))
			return true;
	return false;
}

/* Every route of the list @fd; caller frees *keys and *vals. */
static int routes_read_fd(int fd, struct rt_route_key **keys,
			  struct rt_route **vals, int *n)
{
	struct rt_route_key *kv;
	struct rt_route *vv;
	__u32 batch, count;
	int cnt = 0, err = 0;
	bool first = true;

	*n = 0;
	kv = calloc(RT_ROUTES_MAX, sizeof(*kv));
	vv = calloc(RT_ROUTES_MAX, sizeof(*vv));
	if (!kv || !vv) {
		err = -ENOMEM;
		goto out;
	}
	/* batches: one system call for thousands of routes */
	while (cnt < RT_ROUTES_MAX) {
		count = RT_ROUTES_MAX - cnt;
		if (count > 4096)
			count = 4096;
		err = bpf_map_lookup_batch(fd, first ? NULL : &batch, &batch,
					   kv + cnt, vv + cnt, &count, NULL);
		first = false;
		cnt += count;
		if (err) {
			err = errno == ENOENT ? 0 : -errno;
			break;
		}
	}
out:
	if (err) {
		free(kv);
		free(vv);
		return err;
	}
	*keys = kv;
	*vals = vv;
	*n = cnt;
	return 0;
}

/* Every route of @c; caller frees *keys and *vals. */
int rt_routes_read(struct pcn_cube *c, struct rt_route_key **keys,
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
bool rt_better(const struct rt_route *a, const struct rt_route *b)
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
	if (rt_better(&a->r, &b->r))
		return -1;
	return rt_better(&b->r, &a->r) ? 1 : 0;
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
		    (hit < 0 || rt_better(&vals[i], &vals[hit])))
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
		if (!rt_better(&r, &cur))
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

/* The MAC of interface @ifindex of the current netns. */
static int iface_mac(__u32 ifindex, __u8 *mac)
{
	struct ifreq ifr = {};
	int fd, err = 0;

	if (!if_indextoname(ifindex, ifr.ifr_name))
		return -errno;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, SIOCGIFHWADDR, &ifr))
		err = -errno;
	else
		memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	close(fd);
	return err;
}

/* A new port: its interface's MAC, or a random locally administered one. */
static int rt_port_added(struct pcn_cube *c, __u32 idx,
			 const struct pcn_port *p)
{
	struct rt_port rp = { .local = RT_LOCAL_DROP };
	int err = -ENOENT;

	if (p->peer == PCN_PEER_IFACE)
		err = iface_mac(p->ifindex, rp.mac);
	if (err || !(rp.mac[0] | rp.mac[1] | rp.mac[2] | rp.mac[3] |
		     rp.mac[4] | rp.mac[5])) {
		if (getrandom(rp.mac, sizeof(rp.mac), 0) != sizeof(rp.mac))
			return -errno;
		rp.mac[0] = (rp.mac[0] & 0xfe) | 0x02;
	}
	return rt_port_put(c, idx, &rp);
}

static bool route_of_port(const struct rt_route_key *k,
			  const struct rt_route *r, void *arg)
{
	return k->port == *(__u32 *)arg;
}

/* Routes, addresses and neighbours of a port go with it. */
static int rt_port_removed(struct pcn_cube *c, __u32 idx)
{
	struct rt_port rp = {};
	int err;

	err = rt_routes_drop(c, route_of_port, &idx);
	if (!err)
		err = rt_neigh_flush(c, idx, false);
	if (!err)
		err = rt_port_put(c, idx, &rp);
	return err;
}

static int local_parse(const char *arg, __u16 *local)
{
	__u16 i;

	for (i = 0; i < ARRAY_SIZE(local_names); i++) {
		if (is_kw(arg, local_names[i])) {
			*local = i;
			return 0;
		}
	}
	return pcn_err(PCN_EXIT_USAGE, "local \"%s\": drop or pass", arg);
}

/* "[ mac MAC ] [ local { drop | pass } ]" */
static int parse_port_settings(int *argcp, char ***argvp, void *settings)
{
	struct rt_port *rp = settings;
	bool mac_set = false, local_set = false;
	int argc = *argcp, err = 0;
	char **argv = *argvp;

	while (argc > 1) {
		const char *kw = argv[1];

		if (is_kw(kw, "mac")) {
			DUP_CHECK(mac_set, "mac");
			argc--, argv++;
			NEXT_ARG();
			if (parse_mac(*argv, rp->mac) || (rp->mac[0] & 1))
				return pcn_err(PCN_EXIT_USAGE,
					       "\"%s\" is not a unicast MAC address",
					       *argv);
		} else if (is_kw(kw, "local")) {
			DUP_CHECK(local_set, "local");
			argc--, argv++;
			NEXT_ARG();
			err = local_parse(*argv, &rp->local);
		} else {
			break;
		}
		if (err)
			return err;
	}
	if (!mac_set && !local_set)
		return pcn_err(PCN_EXIT_USAGE,
			       "\"port PORT\" takes \"mac\" or \"local\"");
	*argcp = argc;
	*argvp = argv;
	return 0;
}

static const struct port_settings rt_settings = {
	.kw = "neigh_timeout",
	.kw_map = "rt_config",	/* struct rt_config: neigh_timeout_ns */
	.map = "rt_ports",
	.size = sizeof(struct rt_port),
	.parse_port = parse_port_settings,
};

_Static_assert(sizeof(struct rt_config) == sizeof(__u64),
	       "rt_config is the timeout alone");

static int rt_init(struct pcn_cube *c)
{
	return cube_seconds_init(c, &rt_settings);
}

static int rt_set(struct pcn_cube *c, int argc, char **argv)
{
	return cube_set_ports(c, argc, argv, &rt_settings);
}

static void rt_show(struct pcn_cube *c)
{
	int ncpu = libbpf_num_possible_cpus(), fd, i;
	struct rt_stats v[ncpu > 0 ? ncpu : 1], sum = {};
	struct rt_meta m;
	__u32 zero = 0;
	__u64 *a = (__u64 *)&sum;
	size_t f;

	memcpy(&m, c->meta.config, sizeof(m));
	print_uint(PRINT_ANY, "neigh_timeout", " neigh_timeout %u",
		   m.neigh_timeout);
	if (!show_stats)
		return;
	fd = cube_obj_fd(c, "rt_stats");
	if (fd < 0)
		return;
	if (!bpf_map_lookup_elem(fd, &zero, v))
		for (i = 0; i < ncpu; i++)
			for (f = 0; f < sizeof(sum) / sizeof(__u64); f++)
				a[f] += ((__u64 *)&v[i])[f];
	close(fd);
	open_json_object("router_stats");
	print_u64(PRINT_ANY, "forwarded", "\n    forwarded %" PRIu64,
		  sum.forwarded);
	print_u64(PRINT_ANY, "no_route", ", no route %" PRIu64, sum.no_route);
	print_u64(PRINT_ANY, "no_neigh", ", no neigh %" PRIu64, sum.no_neigh);
	print_u64(PRINT_ANY, "ttl_exceeded", ", ttl exceeded %" PRIu64,
		  sum.ttl_exceeded);
	print_u64(PRINT_ANY, "bad_header", ", bad header %" PRIu64,
		  sum.bad_header);
	print_u64(PRINT_ANY, "not_routed", ", not routed %" PRIu64,
		  sum.not_routed);
	print_u64(PRINT_ANY, "local_dropped", "\n    local dropped %" PRIu64,
		  sum.local_dropped);
	print_u64(PRINT_ANY, "local_passed", ", local passed %" PRIu64,
		  sum.local_passed);
	print_u64(PRINT_ANY, "echo_replied", ", echo replied %" PRIu64,
		  sum.echo_replied);
	print_u64(PRINT_ANY, "arp_replied", ", arp replied %" PRIu64,
		  sum.arp_replied);
	print_u64(PRINT_ANY, "arp_requested", ", arp requested %" PRIu64,
		  sum.arp_requested);
	print_u64(PRINT_ANY, "neigh_learned", ", neigh learned %" PRIu64,
		  sum.neigh_learned);
	print_u64(PRINT_ANY, "neigh_full", ", neigh full %" PRIu64,
		  sum.neigh_full);
	close_json_object();
}

static void rt_show_port(struct pcn_cube *c, const struct pcn_port *ports,
			 __u32 idx)
{
	struct rt_port rp;
	__u32 j;

	if (rt_port_get(c, idx, &rp))
		return;
	print_mac("mac", " mac %s", rp.mac);
	open_json_array(PRINT_JSON, "addrs");
	for (j = 0; j < RT_ADDRS_MAX && rp.addrs[j].addr; j++) {
		open_json_object(NULL);
		print_ipv4("addr", " %s", rp.addrs[j].addr);
		print_uint(PRINT_ANY, "prefixlen", "/%u", rp.addrs[j].plen);
		close_json_object();
	}
	close_json_array(PRINT_JSON, NULL);
	print_string(PRINT_ANY, "local", " local %s",
		     rp.local < ARRAY_SIZE(local_names) ? local_names[rp.local]
							: "?");
}

const struct cube_type router_type = {
	.name = "router",
	.summary = "IPv4 router: routes, ARP and ICMP in the datapath",
	.set_usage = "[ neigh_timeout SECONDS ] [ port PORT [ mac MAC ] [ local { drop | pass } ] ] ...",
	.elf_xdp = router_xdp__elf_bytes,
	.elf_tc = router_tc__elf_bytes,
	.max_ports = PCN_MAX_PORTS,
	.parse_add = rt_parse_add,
	.init = rt_init,
	.set = rt_set,
	.show = rt_show,
	.show_port = rt_show_port,
	.port_added = rt_port_added,
	.port_removed = rt_port_removed,
};
