// SPDX-License-Identifier: GPL-2.0
/*
 * Counters (-s), printed through their descriptor (struct
 * pcn_counters): summed over the CPUs, then in text each counter's
 * format in the order given, and in JSON
 *
 *	"stats": { GROUP: { KEY: N, ... }, ... }
 *
 * for every cube type and for ports alike (pcn(8), COUNTERS). And the
 * values pcn writes as it reads them.
 */
#include <inttypes.h>
#include <string.h>
#include <unistd.h>

#include "pcn.h"

/* the fields of one descriptor */
static size_t nfields(const struct pcn_counters *d)
{
	size_t n = 0;

	while (d->counter[n].key)
		n++;
	return n;
}

/*
 * @fn for each counter of @lists (each NULL-ended, at key + @key_plus
 * of its map), summed over the CPUs, in the order given: the one path
 * both -s and pcn metrics read counters by.
 */
static void each_in_lists(struct pcn_cube *c,
			  const struct pcn_counters *const *lists,
			  size_t nlists, __u32 key_plus, pcn_counter_fn fn,
			  void *arg)
{
	const struct pcn_counters *d;
	size_t l, i, k;
	__u64 v[64];
	int fd;

	for (l = 0; l < nlists; l++) {
		for (d = lists[l]; d && d->map; d++) {
			k = nfields(d);
			if (k > ARRAY_SIZE(v))
				continue;
			fd = cube_obj_fd(c, d->map);
			if (fd < 0)
				continue;
			map_percpu_sum(fd, d->key + key_plus, v, k);
			close(fd);
			for (i = 0; i < k; i++)
				fn(d, i, v[i], arg);
		}
	}
}

/* A counter read, for JSON, where its group may span descriptors. */
struct counted {
	const struct pcn_counter *counter;
	__u64 value;
};

#define MAX_COUNTED 128

struct counted_list {
	struct counted all[MAX_COUNTED];
	size_t n;
};

/* in text as they come, each heading then each format; kept for JSON */
static void print_one(const struct pcn_counters *d, size_t i, __u64 v,
		      void *arg)
{
	struct counted_list *l = arg;

	if (!is_json_context()) {
		if (!i && d->heading)
			print_string(PRINT_FP, NULL, "%s", d->heading);
		print_u64(PRINT_FP, NULL, d->counter[i].fmt, v);
	}
	if (l->n < MAX_COUNTED) {
		l->all[l->n].counter = &d->counter[i];
		l->all[l->n++].value = v;
	}
}

/*
 * The counters of @lists: in text as they come; in JSON each group
 * once, in the order it first comes, with every key of it whichever
 * descriptor it is in (a transparent cube's "ingress" holds its type's
 * counters and tail_call_limit).
 */
static void print_list(struct pcn_cube *c,
		       const struct pcn_counters *const *lists, size_t nlists,
		       __u32 key_plus)
{
	static struct counted_list l;
	struct counted *all = l.all;
	size_t i, j;

	l.n = 0;
	each_in_lists(c, lists, nlists, key_plus, print_one, &l);
	if (!is_json_context())
		return;
	open_json_object("stats");
	for (i = 0; i < l.n; i++) {
		const char *g = all[i].counter->group;

		for (j = 0; j < i && strcmp(all[j].counter->group, g); j++)
			;
		if (j < i)
			continue;
		open_json_object(g);
		for (j = i; j < l.n; j++)
			if (!strcmp(all[j].counter->group, g))
				print_u64(PRINT_JSON, all[j].counter->key, NULL,
					  all[j].value);
		close_json_object();
	}
	close_json_object();
}

/* struct pcn_limit_stats: what every transparent cube counts */
static const struct pcn_counter limit_counter[] = {
	{ "ingress", "tail_call_limit", " ingress %" PRIu64 },
	{ "egress", "tail_call_limit", ", egress %" PRIu64 },
	{ NULL, NULL, NULL },
};

static const struct pcn_counters limit_counters[] = {
	{ "pcn_limits", 0, "\n    at tail-call limit:", limit_counter },
	{ NULL, 0, NULL, NULL },
};

void print_counters(struct pcn_cube *c, const struct pcn_counters *list)
{
	const struct pcn_counters *lists[] = { list, limit_counters };

	_Static_assert(sizeof(struct pcn_limit_stats) ==
			       (ARRAY_SIZE(limit_counter) - 1) * sizeof(__u64),
		       "a counter for every field");
	print_list(c, lists, c->meta.max_ports ? 1 : 2, 0);
}

void cube_counters_each(struct pcn_cube *c, const struct pcn_counters *list,
			pcn_counter_fn fn, void *arg)
{
	const struct pcn_counters *lists[] = { list, limit_counters };

	each_in_lists(c, lists, c->meta.max_ports ? 1 : 2, 0, fn, arg);
}

/* struct pcn_port_stats, by port index */
static const struct pcn_counter port_counter[] = {
	{ "rx", "packets", "rx %" PRIu64 " packets" },
	{ "rx", "bytes", " %" PRIu64 " bytes" },
	{ "tx", "packets", ", tx %" PRIu64 " packets" },
	{ "tx", "bytes", " %" PRIu64 " bytes" },
	{ "rx", "dropped", ", dropped %" PRIu64 },
	{ "rx", "to_host", ", to host %" PRIu64 },
	{ "tx", "tail_call_limit", ", at tail-call limit %" PRIu64 },
	{ NULL, NULL, NULL },
};

static const struct pcn_counters port_counters[] = {
	{ "pcn_stats", 0, "\n        ", port_counter },
	{ NULL, 0, NULL, NULL },
};

void print_port_counters(struct pcn_cube *c, __u32 idx)
{
	const struct pcn_counters *lists[] = { port_counters };

	_Static_assert(sizeof(struct pcn_port_stats) ==
			       (ARRAY_SIZE(port_counter) - 1) * sizeof(__u64),
		       "a counter for every field");
	print_list(c, lists, 1, idx);
}

void port_counters_each(struct pcn_cube *c, __u32 idx, pcn_counter_fn fn,
			void *arg)
{
	const struct pcn_counters *lists[] = { port_counters };

	each_in_lists(c, lists, 1, idx, fn, arg);
}

void print_mac(const char *key, const char *fmt, const __u8 *mac)
{
	char buf[PCN_MAC_STRLEN];

	print_string(PRINT_ANY, key, fmt, pcn_mac_str(mac, buf));
}

void print_prefix4(const char *key, const char *fmt, __be32 addr, __u32 plen)
{
	char buf[PCN_PREFIX_STRLEN];

	print_string(PRINT_ANY, key, fmt, pcn_prefix4_str(addr, plen, buf));
}

void print_ipv4(const char *key, const char *fmt, __be32 addr)
{
	char buf[PCN_PREFIX_STRLEN];

	print_string(PRINT_ANY, key, fmt, pcn_ipv4_str(addr, buf));
}

void print_endpoint(const char *cube, const char *port)
{
	print_string(PRINT_JSON, "cube", NULL, cube);
	print_string(PRINT_JSON, "port", NULL, port);
	print_string(PRINT_FP, NULL, " port %s", cube);
	print_string(PRINT_FP, NULL, ":%s", port);
}
