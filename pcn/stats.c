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

static void print_one(const struct pcn_counters *d, const __u64 *v)
{
	size_t n = nfields(d), i, j;

	if (!is_json_context()) {
		if (d->heading)
			print_string(PRINT_FP, NULL, "%s", d->heading);
		for (i = 0; i < n; i++)
			print_u64(PRINT_FP, NULL, d->counter[i].fmt, v[i]);
		return;
	}
	/* each group once, in the order it first comes, its keys in it */
	for (i = 0; i < n; i++) {
		const char *g = d->counter[i].group;

		for (j = 0; j < i && strcmp(d->counter[j].group, g); j++)
			;
		if (j < i)
			continue;
		open_json_object(g);
		for (j = i; j < n; j++)
			if (!strcmp(d->counter[j].group, g))
				print_u64(PRINT_JSON, d->counter[j].key, NULL,
					  v[j]);
		close_json_object();
	}
}

static void print_list(struct pcn_cube *c, const struct pcn_counters *list,
		       __u32 key_plus)
{
	const struct pcn_counters *d;
	__u64 v[64];
	int fd;

	open_json_object("stats");
	for (d = list; d->map; d++) {
		if (nfields(d) > sizeof(v) / sizeof(v[0]))
			continue;
		fd = cube_obj_fd(c, d->map);
		if (fd < 0)
			continue;
		map_percpu_sum(fd, d->key + key_plus, v, nfields(d));
		close(fd);
		print_one(d, v);
	}
	close_json_object();
}

void print_counters(struct pcn_cube *c, const struct pcn_counters *list)
{
	print_list(c, list, 0);
}

/* struct pcn_port_stats, by port index */
static const struct pcn_counter port_counter[] = {
	{ "rx", "packets", "rx %" PRIu64 " packets" },
	{ "rx", "bytes", " %" PRIu64 " bytes" },
	{ "tx", "packets", ", tx %" PRIu64 " packets" },
	{ "tx", "bytes", " %" PRIu64 " bytes" },
	{ "rx", "dropped", ", dropped %" PRIu64 },
	{ "rx", "to_host", ", to host %" PRIu64 },
	{ NULL, NULL, NULL },
};

static const struct pcn_counters port_counters[] = {
	{ "pcn_stats", 0, "\n        ", port_counter },
	{ NULL, 0, NULL, NULL },
};

void print_port_counters(struct pcn_cube *c, __u32 idx)
{
	_Static_assert(sizeof(struct pcn_port_stats) ==
			       (ARRAY_SIZE(port_counter) - 1) * sizeof(__u64),
		       "a counter for every field");
	print_list(c, port_counters, idx);
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
