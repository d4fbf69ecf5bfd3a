// SPDX-License-Identifier: GPL-2.0
/*
 * bridge: a learning L2 switch in the datapath.
 *
 *   pcn cube add NAME type bridge [ ageing_time SECONDS ]
 *   pcn cube set NAME [ ageing_time SECONDS ]
 *                     [ port PORT [ state STATE ] [ VLAN ] ] ...
 *   STATE := { forwarding | learning | listening | blocking | disabled }
 *   VLAN  := { vlan VID | trunk VIDS [ native { VID | none } ] }
 *   VIDS  := { VID | VID-VID }[,...]         VID := 1..4094
 *
 * A new port is an access port of VLAN 1, forwarding. The forwarding
 * database is the object "fdb" (pcn/fdb.c).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "br.h"
#include "bridge.h"
#include "pcn.h"
#include "bridge_xdp.skel.h"
#include "bridge_tc.skel.h"


/* The part of meta.config the bridge keeps: its canonical settings. */
struct br_meta {
	__u32 ageing;			/* seconds */
};

static int br_parse_add(int argc, char **argv, __u8 *config)
{
	return cube_add_seconds(argc, argv, "ageing_time", BR_AGEING_DEFAULT,
				config);
}

static int state_parse(const char *arg, __u32 *state)
{
	__u32 i;

	for (i = 0; i < ARRAY_SIZE(br_port_states); i++) {
		if (is_kw(arg, br_port_states[i])) {
			*state = i;
			return 0;
		}
	}
	return pcn_err(PCN_EXIT_USAGE,
		       "port state \"%s\" is unknown: forwarding, learning, listening, blocking or disabled",
		       arg);
}

static int port_get(struct pcn_cube *c, __u32 idx, struct br_port *bp)
{
	return cube_map_get(c, "br_ports", &idx, bp);
}

/* one map update: a packet sees the old settings of a port or the new */
static int port_put(struct pcn_cube *c, __u32 idx, const struct br_port *bp)
{
	return cube_map_put(c, "br_ports", &idx, bp);
}

/* What a new port starts as: forwarding, access port of VLAN 1. */
static int port_reset(struct pcn_cube *c, __u32 idx)
{
	struct br_port bp = {
		.state = BR_FORWARDING,
		.mode = BR_ACCESS,
		.pvid = BR_VID_DEFAULT,
	};

	return port_put(c, idx, &bp);
}

/* "10,20-30,40" into a trunk's allowed set; every item must be a VID or
 * a range of them, so "10,,20" and "10," are errors */
static int parse_vids(const char *arg, struct br_port *bp)
{
	char *buf, *rest, *tok, *dash;
	__u16 lo, hi, v;
	int err = 0;

	buf = strdup(arg);
	if (!buf)
		return pcn_err(PCN_EXIT_KERNEL, "out of memory");
	memset(bp->allowed, 0, sizeof(bp->allowed));
	rest = buf;
	while (!err && (tok = strsep(&rest, ","))) {
		dash = strchr(tok, '-');
		if (dash)
			*dash = '\0';
		err = arg_vid(tok, &lo);
		if (!err)
			err = dash ? arg_vid(dash + 1, &hi) : (hi = lo, 0);
		if (!err && hi < lo)
			err = pcn_bad_arg("VLAN range", arg);
		for (v = lo; !err && v <= hi; v++)
			bp->allowed[v >> 6] |= 1ull << (v & 63);
	}
	free(buf);
	return err;
}

/* "[ state STATE ] [ vlan VID | trunk VIDS [ native VID|none ] ]" */
static int parse_port_settings(int *argcp, char ***argvp, void *settings)
{
	struct br_port *bp = settings;
	bool state_set = false, vlan_set = false, native_set = false;
	int argc = *argcp, err = 0;
	char **argv = *argvp;

	while (argc > 1) {
		const char *kw = argv[1];

		if (is_kw(kw, "state")) {
			DUP_CHECK(state_set, "state");
			argc--, argv++;
			NEXT_ARG();
			err = state_parse(*argv, &bp->state);
		} else if (is_kw(kw, "vlan")) {
			DUP_CHECK(vlan_set, "vlan/trunk");
			argc--, argv++;
			NEXT_ARG();
			bp->mode = BR_ACCESS;
			memset(bp->allowed, 0, sizeof(bp->allowed));
			err = arg_vid(*argv, &bp->pvid);
		} else if (is_kw(kw, "trunk")) {
			DUP_CHECK(vlan_set, "vlan/trunk");
			argc--, argv++;
			NEXT_ARG();
			bp->mode = BR_TRUNK;
			bp->pvid = 0;
			err = parse_vids(*argv, bp);
		} else if (is_kw(kw, "native")) {
			DUP_CHECK(native_set, "native");
			if (!vlan_set || bp->mode != BR_TRUNK)
				return pcn_err(PCN_EXIT_USAGE,
					       "\"native\" goes after \"trunk VIDS\"");
			argc--, argv++;
			NEXT_ARG();
			if (is_kw(*argv, "none"))
				bp->pvid = 0;
			else
				err = arg_vid(*argv, &bp->pvid);
		} else {
			break;
		}
		if (err)
			return err;
	}
	if (!state_set && !vlan_set)
		return pcn_err(PCN_EXIT_USAGE,
			       "\"port PORT\" takes \"state\", \"vlan\" or \"trunk\"");
	*argcp = argc;
	*argvp = argv;
	return 0;
}

/* a port that leaves a VLAN forgets the stations it learned there, as a
 * Linux bridge does; static entries stay */
static int port_written(struct pcn_cube *c, __u32 idx, const void *settings)
{
	return br_fdb_flush(c, idx, true, -1, settings);
}

static const struct port_settings br_settings = {
	.kw = "ageing_time",
	.kw_map = "br_config",	/* struct br_config: ageing_ns */
	.map = "br_ports",
	.size = sizeof(struct br_port),
	.parse_port = parse_port_settings,
	.written = port_written,
};

_Static_assert(sizeof(struct br_config) == sizeof(__u64),
	       "br_config is the ageing time alone");

static int br_init(struct pcn_cube *c)
{
	return cube_seconds_init(c, &br_settings);
}

static int br_set(struct pcn_cube *c, int argc, char **argv)
{
	return cube_set_ports(c, argc, argv, &br_settings);
}

static void br_show(struct pcn_cube *c)
{
	struct br_meta m;

	memcpy(&m, c->meta.config, sizeof(m));
	print_uint(PRINT_ANY, "ageing_time", " ageing_time %u", m.ageing);
}

/* struct br_stats */
static const struct pcn_counter br_counter[] = {
	{ "bridge", "flooded", "\n    flooded %" PRIu64 },
	{ "bridge", "learned", ", learned %" PRIu64 },
	{ "bridge", "moved", ", moved %" PRIu64 },
	{ "bridge", "fdb_full", ", fdb full %" PRIu64 },
	{ "bridge", "malformed", ", malformed %" PRIu64 },
	{ "bridge", "link_local", ", link-local %" PRIu64 },
	{ "bridge", "filtered", ", filtered %" PRIu64 },
	{ "bridge", "vlan_dropped", ", vlan dropped %" PRIu64 },
	{ NULL, NULL, NULL },
};

static const struct pcn_counters br_counters[] = {
	{ "br_stats", 0, NULL, br_counter },
	{ NULL, 0, NULL, NULL },
};

_Static_assert(sizeof(struct br_stats) ==
		       (ARRAY_SIZE(br_counter) - 1) * sizeof(__u64),
	       "a counter for every field");

/* "10,20-30" from a trunk's allowed set */
static void vids_str(const struct br_port *bp, char *buf, size_t len)
{
	int v, start = -1;
	size_t n = 0;

	buf[0] = '\0';
	for (v = 1; v <= BR_VID_MAX + 1 && n < len; v++) {
		bool on = v <= BR_VID_MAX &&
			  (bp->allowed[v >> 6] >> (v & 63)) & 1;

		if (on && start < 0)
			start = v;
		if (!on && start >= 0) {
			n += snprintf(buf + n, len - n, "%s%d", n ? "," : "",
				      start);
			if (v - 1 > start && n < len)
				n += snprintf(buf + n, len - n, "-%d", v - 1);
			start = -1;
		}
	}
}

static void br_show_port(struct pcn_cube *c, const struct pcn_port *ports,
			 __u32 idx)
{
	struct br_port bp;
	/* worst case: every other VID, 2047 of up to 4 digits and a comma */
	char vids[2048 * 5 + 1];

	if (port_get(c, idx, &bp) || bp.state >= ARRAY_SIZE(br_port_states))
		return;
	print_string(PRINT_ANY, "stp_state", " %s", br_port_states[bp.state]);
	open_json_object("vlan");
	if (bp.mode == BR_ACCESS) {
		print_string(PRINT_JSON, "mode", NULL, "access");
		print_uint(PRINT_ANY, "vid", " vlan %u", bp.pvid);
	} else {
		vids_str(&bp, vids, sizeof(vids));
		print_string(PRINT_JSON, "mode", NULL, "trunk");
		print_string(PRINT_ANY, "allowed", " trunk %s",
			     vids[0] ? vids : "none");
		if (bp.pvid)
			print_uint(PRINT_ANY, "native", " native %u", bp.pvid);
	}
	close_json_object();
}

/*
 * "cube add" takes the ageing time; "cube set" each port that is not
 * what a new one is (forwarding, access port of VLAN 1); then the
 * static entries of the fdb.
 */
static int br_save(struct pcn_cube *c, struct pcn_save *s)
{
	/* worst case: every other VID, 2047 of up to 4 digits and a comma */
	char vids[2048 * 5 + 1], vlan[sizeof(vids) + 32];
	const struct pcn_port *p;
	bool tree = br_stp_on(c);
	struct br_meta m;
	struct br_port bp;
	__u32 idx;
	int i, n, err;

	memcpy(&m, c->meta.config, sizeof(m));
	pcn_save_args(s, " ageing_time %u", m.ageing);
	for (i = 0; (p = pcn_save_port(s, i, &idx)); i++) {
		err = port_get(c, idx, &bp);
		if (err)
			return pcn_err_kernel(err, "cannot read port %s:%s",
					      c->name, p->name);
		/* under a spanning tree, its agent sets interface ports'
		 * states: what the tree found, not configuration */
		if (tree && p->peer == PCN_PEER_IFACE)
			bp.state = BR_FORWARDING;
		vlan[0] = '\0';
		if (bp.mode == BR_TRUNK) {
			vids_str(&bp, vids, sizeof(vids));
			n = snprintf(vlan, sizeof(vlan), " trunk %s", vids);
			if (bp.pvid)
				snprintf(vlan + n, sizeof(vlan) - n,
					 " native %u", bp.pvid);
		} else if (bp.pvid != BR_VID_DEFAULT) {
			snprintf(vlan, sizeof(vlan), " vlan %u", bp.pvid);
		}
		if (bp.state >= ARRAY_SIZE(br_port_states))
			return pcn_err(PCN_EXIT_KERNEL,
				       "port %s:%s has an unknown state %u",
				       c->name, p->name, bp.state);
		if (bp.state != BR_FORWARDING)
			pcn_save_line(s, "cube set %s port %s state %s%s",
				      c->name, p->name, br_port_states[bp.state], vlan);
		else if (vlan[0])
			pcn_save_line(s, "cube set %s port %s%s", c->name,
				      p->name, vlan);
	}
	pcn_save_skip(s, "dynamic fdb entries");
	err = br_fdb_save(c, s);
	return err ?: br_stp_save(c, s);
}

/* A port that leads into the graph again: floods reach it by copies. */
static bool takes_copies(const struct pcn_port *p)
{
	return p->name[0] && (p->peer == PCN_PEER_CUBE ||
			      (p->peer == PCN_PEER_IFACE && p->eg_chain));
}

/* the br_flood key of port @idx's copies: above any ifindex */
#define BR_COPY_KEY(idx) (0x80000000u | (idx))

/*
 * Bring br_copy and, in XDP, the copy entries of br_flood in line with
 * @ports (@gone: a port on its way out, taking none). A copy entry
 * sends one of the flood's copies into the copy device, through
 * pcn_copy_out, which gives it the next port of br_copy.targets.
 */
static int copies_refresh(struct pcn_cube *c, const struct pcn_port *ports,
			  int gone)
{
	struct br_copy cp = { .slot = c->meta.slot };
	bool tc = c->meta.mode == PCN_MODE_TC;
	struct bpf_devmap_val dv = {};
	int tx = 0, rx = 0, err = 0, i;
	__u32 zero = 0, key;

	for (i = 0; i < PCN_MAX_PORTS; i++)
		if (i != gone && takes_copies(&ports[i]))
			cp.targets |= 1ull << i;
	if (cp.targets) {
		err = copy_dev_ensure(c->meta.mode, &tx, &rx);
		if (!err && !tc) {
			dv.ifindex = tx;
			dv.bpf_prog.fd = copy_out_prog();
			if (dv.bpf_prog.fd < 0)
				err = dv.bpf_prog.fd;
		}
		if (err)
			return err;
		cp.ifindex = tc ? rx : 0;
	}
	/* XDP: entries first where copies start, last where they stop */
	if (!tc)
		for (i = 0; !err && i < PCN_MAX_PORTS; i++) {
			key = BR_COPY_KEY(i);
			if (cp.targets >> i & 1)
				err = cube_map_put(c, "br_flood", &key, &dv);
		}
	if (!err)
		err = cube_map_put(c, "br_copy", &zero, &cp);
	if (!tc)
		for (i = 0; !err && i < PCN_MAX_PORTS; i++) {
			key = BR_COPY_KEY(i);
			if (!(cp.targets >> i & 1))
				cube_map_del(c, "br_flood", &key);
		}
	if (cp.targets && !tc)
		close(dv.bpf_prog.fd);
	return err;
}

static int copies_refresh_read(struct pcn_cube *c, int gone)
{
	struct pcn_port ports[PCN_MAX_PORTS];
	int err;

	err = cube_ports_read(c, ports);
	return err ?: copies_refresh(c, ports, gone);
}

/* XDP: interface port @idx in floods (its devmap entry and index), or not */
static int flood_iface(struct pcn_cube *c, __u32 idx, const struct pcn_port *p,
		       bool on)
{
	struct bpf_devmap_val dv = { .ifindex = p->ifindex };
	int err;

	if (p->peer != PCN_PEER_IFACE || c->meta.mode == PCN_MODE_TC)
		return 0;
	if (!on) {
		cube_map_del(c, "br_flood", &p->ifindex);
		cube_map_del(c, "br_ifport", &p->ifindex);
		return 0;
	}
	dv.bpf_prog.fd = cube_obj_fd(c, "prog_bridge_egress");
	if (dv.bpf_prog.fd < 0)
		return -errno;
	err = cube_map_put(c, "br_ifport", &p->ifindex, &idx);
	if (!err)
		err = cube_map_put(c, "br_flood", &p->ifindex, &dv);
	close(dv.bpf_prog.fd);
	return err;
}

static int br_port_added(struct pcn_cube *c, __u32 idx,
			 const struct pcn_port *p)
{
	int err;

	err = port_reset(c, idx);
	if (!err)
		err = br_stp_port_reset(c, idx);
	/* under a spanning tree, an interface port starts discarding: the
	 * agent lets it forward once it knows that makes no loop */
	if (!err && p->peer == PCN_PEER_IFACE && br_stp_on(c))
		err = br_port_state_put(c, idx, BR_BLOCKING);
	if (!err && takes_copies(p))
		err = copies_refresh_read(c, -1);
	return err ?: flood_iface(c, idx, p, true);
}

/* a new peer, or transparent cubes on the way out: floods follow */
static int br_port_changed(struct pcn_cube *c, __u32 idx,
			   const struct pcn_port *was, const struct pcn_port *p)
{
	int err = 0;

	if (was->peer != p->peer || was->ifindex != p->ifindex) {
		err = flood_iface(c, idx, was, false);
		if (!err)
			err = flood_iface(c, idx, p, true);
	}
	return err ?: copies_refresh_read(c, -1);
}

/*
 * Entries learned on a port go with it: the port is disabled first, so
 * that no frame entering it learns anything between the flush and its
 * removal (br_port_added() resets it for the next port of that index).
 */
static int br_port_removed(struct pcn_cube *c, __u32 idx)
{
	struct br_port off = { .state = BR_DISABLED };
	struct pcn_port ports[PCN_MAX_PORTS];
	int err;

	err = cube_ports_read(c, ports);
	if (!err)
		err = flood_iface(c, idx, &ports[idx], false);
	if (!err && takes_copies(&ports[idx]))
		err = copies_refresh(c, ports, idx);
	if (!err)
		err = port_put(c, idx, &off);
	if (!err)
		err = br_fdb_flush(c, idx, false, -1, NULL);
	return err;
}

static const char *const br_definitions[] = {
	"STATE := { forwarding | learning | listening | blocking | disabled }",
	"VIDS := { VID | VID-VID }[,...]   VID := 1..4094",
	NULL,
};

static const struct pcn_object *const br_objects[] = { &fdb_object,
							&stp_object, NULL };

static const struct cube_type bridge_type = {
	.name = "bridge",
	.summary = "learning L2 switch: flooding, fdb, port states",
	.order = 20,
	.add_usage = "[ ageing_time SECONDS ]",
	.set_usage = "[ ageing_time SECONDS ] [ port PORT [ state STATE ] [ vlan VID | trunk VIDS [ native { VID | none } ] ] ] ...",
	.definitions = br_definitions,
	.elf_xdp = bridge_xdp__elf_bytes,
	.elf_tc = bridge_tc__elf_bytes,
	.max_ports = PCN_MAX_PORTS,
	.parse_add = br_parse_add,
	.init = br_init,
	.set = br_set,
	.show = br_show,
	.show_port = br_show_port,
	.port_added = br_port_added,
	.port_removed = br_port_removed,
	.port_changed = br_port_changed,
	.counters = br_counters,
	.save = br_save,
	.objects = br_objects,
};

PCN_CUBE_TYPE(bridge_type);
