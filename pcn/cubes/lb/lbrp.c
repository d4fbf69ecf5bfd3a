// SPDX-License-Identifier: GPL-2.0
/*
 * lbrp: a load balancer that is a reverse proxy, a transparent cube on
 * the port that faces the clients.
 *
 *   pcn cube add NAME type lbrp
 *   pcn link add NAME port ROUTER:PORT | dev IFNAME
 *
 * It has no settings of its own: its services and backends are the
 * objects "service" and "backend" it shares with lbdsr (service.c,
 * backend.c), one code path for both types.
 */
#include <inttypes.h>

#include "lb_user.h"
#include "lbrp.h"
#include "lbrp_xdp.skel.h"
#include "lbrp_tc.skel.h"

static int lbrp_save(struct pcn_cube *c, struct pcn_save *s)
{
	pcn_save_skip(s, "flow affinity and reply entries");
	return lb_services_save(c, s) ?: lb_backends_save(c, s);
}

/* struct lbrp_stats, per direction */
#define LBRP_COUNTERS(dir)                                                 \
	{ dir, "balanced", " balanced %" PRIu64 },                          \
	{ dir, "replied", ", replied %" PRIu64 },                           \
	{ dir, "passed", ", passed %" PRIu64 },                             \
	{ dir, "no_backend", ", no backend %" PRIu64 },                     \
	{ dir, "fragments", ", fragments %" PRIu64 },                       \
	{ dir, "icmp_errors", ", icmp errors %" PRIu64 },                   \
	{ dir, "bad_header", ", bad header %" PRIu64 },                     \
	{ dir, "errors", ", errors %" PRIu64 },                             \
	{ dir, "icmp_translated", ", icmp translated %" PRIu64 },           \
	{ NULL, NULL, NULL }

static const struct pcn_counter lbrp_ingress[] = { LBRP_COUNTERS("ingress") };
static const struct pcn_counter lbrp_egress[] = { LBRP_COUNTERS("egress") };

static const struct pcn_counters lbrp_counters[] = {
	{ "lbrp_stats", PCN_DIR_INGRESS, "\n    ingress:", lbrp_ingress },
	{ "lbrp_stats", PCN_DIR_EGRESS, "\n    egress:", lbrp_egress },
	{ NULL, 0, NULL, NULL },
};

_Static_assert(sizeof(struct lbrp_stats) ==
		       (ARRAY_SIZE(lbrp_ingress) - 1) * sizeof(__u64),
	       "a counter for every field");

static const struct cube_type lbrp_type = {
	.name = "lbrp",
	.summary = "load balancer, reverse proxy (Maglev, DNAT and SNAT back)",
	.order = 71,
	.elf_xdp = lbrp_xdp__elf_bytes,
	.elf_tc = lbrp_tc__elf_bytes,
	.max_ports = 0,
	.counters = lbrp_counters,
	.save = lbrp_save,
	/* "service" and "backend" are listed once, by lbdsr */
	.objects = NULL,
};

PCN_CUBE_TYPE(lbrp_type);
