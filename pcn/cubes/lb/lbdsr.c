// SPDX-License-Identifier: GPL-2.0
/*
 * lbdsr: a load balancer with direct server return.
 *
 *   pcn cube add NAME type lbdsr
 *   pcn cube set NAME [ frontend PORT ] [ backend PORT ] [ mac MAC ]
 *
 * The frontend port faces the clients, the backend port the servers;
 * a port with neither role drops what it receives. The cube answers
 * ARP and IPv6 neighbour solicitations for its VIPs on the frontend
 * with its MAC: the frontend
 * interface's when it is set, unless "mac" gave one. Services and
 * backends are the objects "service" (service.c) and "backend"
 * (backend.c).
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "lb_user.h"
#include "netlink.h"
#include "lbdsr_xdp.skel.h"
#include "lbdsr_tc.skel.h"

static int config_get(struct pcn_cube *c, struct lb_config *cfg)
{
	__u32 zero = 0;

	return cube_map_get(c, "lb_config", &zero, cfg);
}

/* a random locally administered MAC, until a frontend gives one */
static int lb_init(struct pcn_cube *c)
{
	struct lb_config cfg = {};
	__u32 zero = 0;

	if (getrandom(cfg.mac, sizeof(cfg.mac), 0) != sizeof(cfg.mac))
		return -errno;
	cfg.mac[0] = (cfg.mac[0] & 0xfe) | 0x02;
	return cube_map_put(c, "lb_config", &zero, &cfg);
}

static int lb_set(struct pcn_cube *c, int argc, char **argv)
{
	struct pcn_port ports[PCN_MAX_PORTS];
	bool fe_set = false, be_set = false, mac_set = false;
	struct lb_config cfg;
	struct nl_link l;
	__u32 zero = 0;
	int idx, err;

	err = cube_ports_read(c, ports) ?: config_get(c, &cfg);
	if (err)
		return pcn_err_kernel(err, "cannot read cube \"%s\"", c->name);
	if (!argc)
		return pcn_err(PCN_EXIT_USAGE,
			       "cube set of an lbdsr takes frontend, backend or mac");
	while (argc > 0) {
		if (is_kw(*argv, "frontend") || is_kw(*argv, "backend")) {
			bool fe = is_kw(*argv, "frontend");

			if (fe)
				DUP_CHECK(fe_set, "frontend");
			else
				DUP_CHECK(be_set, "backend");
			NEXT_ARG();
			idx = cube_port_find(ports, PCN_MAX_PORTS, *argv);
			if (idx < 0)
				return pcn_err(PCN_EXIT_KERNEL,
					       "port %s:%s does not exist",
					       c->name, *argv);
			if (fe)
				cfg.frontend = idx + 1;
			else
				cfg.backend = idx + 1;
		} else if (is_kw(*argv, "mac")) {
			DUP_CHECK(mac_set, "mac");
			NEXT_ARG();
			if (pcn_parse_mac(*argv, cfg.mac) || (cfg.mac[0] & 1))
				return pcn_err(PCN_EXIT_USAGE,
					       "\"%s\" is not a unicast MAC address",
					       *argv);
			cfg.mac_set = 1;
		} else {
			return pcn_unknown_kw("cube", *argv);
		}
		argc--;
		argv++;
	}
	if (cfg.frontend && cfg.frontend == cfg.backend)
		return pcn_err(PCN_EXIT_USAGE,
			       "one port cannot be the frontend and the backend");
	/* the frontend interface's MAC, where no MAC was given */
	if (fe_set && !cfg.mac_set &&
	    ports[cfg.frontend - 1].peer == PCN_PEER_IFACE &&
	    !nl_link_get(NULL, ports[cfg.frontend - 1].ifindex, &l) &&
	    l.has_addr)
		memcpy(cfg.mac, l.addr, 6);
	err = cube_map_put(c, "lb_config", &zero, &cfg);
	if (err)
		return pcn_err_kernel(err, "cannot set cube \"%s\"", c->name);
	return 0;
}

static void lb_show(struct pcn_cube *c)
{
	struct pcn_port ports[PCN_MAX_PORTS];
	struct lb_config cfg;

	if (cube_ports_read(c, ports) || config_get(c, &cfg))
		return;
	if (cfg.frontend)
		print_string(PRINT_ANY, "frontend", " frontend %s",
			     ports[cfg.frontend - 1].name);
	if (cfg.backend)
		print_string(PRINT_ANY, "backend", " backend %s",
			     ports[cfg.backend - 1].name);
	print_mac("mac", " mac %s", cfg.mac);
}

/* the role of a port that goes goes with it */
static int lb_port_removed(struct pcn_cube *c, __u32 idx)
{
	struct lb_config cfg;
	__u32 zero = 0;
	int err;

	err = config_get(c, &cfg);
	if (err)
		return err;
	if (cfg.frontend == idx + 1)
		cfg.frontend = LB_NO_PORT;
	if (cfg.backend == idx + 1)
		cfg.backend = LB_NO_PORT;
	return cube_map_put(c, "lb_config", &zero, &cfg);
}

static int lb_save(struct pcn_cube *c, struct pcn_save *s)
{
	struct pcn_port ports[PCN_MAX_PORTS];
	char m[PCN_MAC_STRLEN];
	struct lb_config cfg;
	int err;

	err = cube_ports_read(c, ports) ?: config_get(c, &cfg);
	if (err)
		return pcn_err_kernel(err, "cannot read cube \"%s\"", c->name);
	if (cfg.frontend)
		pcn_save_line(s, "cube set %s frontend %s", c->name,
			      ports[cfg.frontend - 1].name);
	if (cfg.backend)
		pcn_save_line(s, "cube set %s backend %s", c->name,
			      ports[cfg.backend - 1].name);
	if (cfg.mac_set)
		pcn_save_line(s, "cube set %s mac %s", c->name,
			      pcn_mac_str(cfg.mac, m));
	pcn_save_skip(s, "flow affinity entries");
	return lb_services_save(c, s) ?: lb_backends_save(c, s);
}

/* struct lb_stats */
static const struct pcn_counter lb_counter[] = {
	{ "lbdsr", "balanced", "\n    balanced %" PRIu64 },
	{ "lbdsr", "arp_replied", ", arp replied %" PRIu64 },
	{ "lbdsr", "passed", ", passed %" PRIu64 },
	{ "lbdsr", "returned", ", returned %" PRIu64 },
	{ "lbdsr", "no_backend", ", no backend %" PRIu64 },
	{ "lbdsr", "fragments", ", fragments %" PRIu64 },
	{ "lbdsr", "bad_header", ", bad header %" PRIu64 },
	{ "lbdsr", "no_port", ", no port %" PRIu64 },
	{ "lbdsr", "nd_replied", ", nd replied %" PRIu64 },
	{ NULL, NULL, NULL },
};

static const struct pcn_counters lb_counters[] = {
	{ "lb_stats", 0, NULL, lb_counter },
	{ NULL, 0, NULL, NULL },
};

_Static_assert(sizeof(struct lb_stats) ==
		       (sizeof(lb_counter) / sizeof(lb_counter[0]) - 1) *
			       sizeof(__u64),
	       "a counter for every field");

static const struct pcn_object *const lb_objects[] = {
	&lb_service_object,
	&lb_backend_object,
	NULL,
};

static const struct cube_type lbdsr_type = {
	.name = "lbdsr",
	.summary = "load balancer, direct server return (Maglev)",
	.order = 70,
	.set_usage = "[ frontend PORT ] [ backend PORT ] [ mac MAC ]",
	.elf_xdp = lbdsr_xdp__elf_bytes,
	.elf_tc = lbdsr_tc__elf_bytes,
	.max_ports = PCN_MAX_PORTS,
	.init = lb_init,
	.set = lb_set,
	.show = lb_show,
	.port_removed = lb_port_removed,
	.counters = lb_counters,
	.save = lb_save,
	.objects = lb_objects,
};

PCN_CUBE_TYPE(lbdsr_type);
