// SPDX-License-Identifier: GPL-2.0
/*
 * pcn stp: the spanning tree of bridge cubes.
 *
 *   pcn stp show [ BRIDGE ]
 *   pcn stp add BRIDGE [ SETTINGS ]        the tree on: ports discard
 *   pcn stp set BRIDGE [ SETTINGS ] [ port PORT [ priority N ] [ cost N ]
 *                                          [ edge { on | off } ] ]...
 *   pcn stp del BRIDGE                     off: every port forwards
 *   pcn stp run BRIDGE                     the agent (stpd.c)
 *
 * One tree per bridge (802.1D / 802.1w, not per VLAN). Everything is in
 * the bridge's maps br_stp and br_stp_ports (bridge.h): settings, and
 * what the agent found, so that show needs no agent and an agent
 * started again takes over where the last one stopped.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "br.h"
#include "bpffs.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: pcn stp show [ BRIDGE ]\n"
		"       pcn stp add BRIDGE [ SETTINGS ]\n"
		"       pcn stp set BRIDGE [ SETTINGS ] [ port PORT [ priority PORT_PRIO ] [ cost COST ] [ edge { on | off } ] ] ...\n"
		"       pcn stp del BRIDGE\n"
		"       pcn stp run BRIDGE\n"
		"       pcn stp help\n"
		"SETTINGS := [ protocol { rstp | stp } ] [ priority PRIO ] [ hello_time SECONDS ] [ max_age SECONDS ] [ forward_delay SECONDS ]\n"
		"PRIO := 0..61440, a multiple of 4096 (32768)\n"
		"PORT_PRIO := 0..240, a multiple of 16 (128)\n"
		"COST := 1..200000000 (20000)\n");
}

static int stp_put(struct pcn_cube *c, const struct br_stp *st)
{
	__u32 zero = 0;

	return cube_map_put(c, "br_stp", &zero, st);
}

struct stp_args {
	struct br_stp st;
	bool set[6];		/* protocol, priority, hello, max age, delay */
};

static int num_arg(const char *what, const char *arg, __u32 lo, __u32 hi,
		   __u32 step, __u32 *val)
{
	if (pcn_parse_u32(arg, 10, val) || *val < lo || *val > hi ||
	    *val % step)
		return pcn_bad_arg(what, arg);
	return 0;
}

/* the bridge's own settings, in any order; stops at "port" */
static int parse_settings(int *argcp, char ***argvp, struct stp_args *a)
{
	int argc = *argcp, err = 0;
	char **argv = *argvp;
	__u32 v;

	while (argc > 0 && !is_kw(*argv, "port")) {
		if (is_kw(*argv, "protocol")) {
			DUP_CHECK(a->set[0], "protocol");
			NEXT_ARG();
			if (is_kw(*argv, "rstp"))
				a->st.version = BR_STP_RSTP;
			else if (is_kw(*argv, "stp"))
				a->st.version = BR_STP_STP;
			else
				return pcn_bad_arg("protocol (rstp or stp)",
						   *argv);
		} else if (is_kw(*argv, "priority")) {
			DUP_CHECK(a->set[1], "priority");
			NEXT_ARG();
			err = num_arg("bridge priority (0..61440, by 4096)",
				      *argv, 0, 61440, 4096, &v);
			a->st.priority = v;
		} else if (is_kw(*argv, "hello_time")) {
			DUP_CHECK(a->set[2], "hello_time");
			NEXT_ARG();
			err = num_arg("hello_time (1..10 seconds)", *argv, 1,
				      10, 1, &v);
			a->st.hello = v;
		} else if (is_kw(*argv, "max_age")) {
			DUP_CHECK(a->set[3], "max_age");
			NEXT_ARG();
			err = num_arg("max_age (6..40 seconds)", *argv, 6, 40, 1,
				      &v);
			a->st.max_age = v;
		} else if (is_kw(*argv, "forward_delay")) {
			DUP_CHECK(a->set[4], "forward_delay");
			NEXT_ARG();
			err = num_arg("forward_delay (2..30 seconds)", *argv, 2,
				      30, 1, &v);
			a->st.fwd_delay = v;
		} else {
			return pcn_unknown_kw("stp", *argv);
		}
		if (err)
			return err;
		argc--;
		argv++;
	}
	*argcp = argc;
	*argvp = argv;
	return 0;
}

/* 802.1D 17.14: 2 * (forward_delay - 1) >= max_age >= 2 * (hello + 1) */
static int times_check(const struct br_stp *st)
{
	if (st->max_age > 2 * (st->fwd_delay - 1))
		return pcn_err(PCN_EXIT_USAGE,
			       "max_age %u is more than 2 * (forward_delay %u - 1): the tree may not settle",
			       st->max_age, st->fwd_delay);
	if (st->max_age < 2 * (st->hello + 1))
		return pcn_err(PCN_EXIT_USAGE,
			       "max_age %u is less than 2 * (hello_time %u + 1)",
			       st->max_age, st->hello);
	return 0;
}

static void settings_apply(struct br_stp *st, const struct stp_args *a)
{
	if (a->set[0])
		st->version = a->st.version;
	if (a->set[1])
		st->priority = a->st.priority;
	if (a->set[2])
		st->hello = a->st.hello;
	if (a->set[3])
		st->max_age = a->st.max_age;
	if (a->set[4])
		st->fwd_delay = a->st.fwd_delay;
}

static int take_bridge(int *argc, char ***argv, const char **name)
{
	return take_name("bridge", argc, argv, name);
}

static int stp_add_cmd(int argc, char **argv)
{
	struct stp_args a = {};
	struct pcn_port ports[PCN_MAX_PORTS];
	const char *name;
	struct pcn_cube c;
	struct br_stp st = {
		.enabled = 1,
		.version = BR_STP_RSTP,
		.priority = BR_STP_PRIO_DEFAULT,
		.hello = BR_STP_HELLO_DEFAULT,
		.max_age = BR_STP_MAX_AGE_DEFAULT,
		.fwd_delay = BR_STP_FWD_DELAY_DEFAULT,
		.root_port = PCN_MAX_PORTS,
	};
	int err, i;

	err = take_bridge(&argc, &argv, &name);
	if (!err)
		err = parse_settings(&argc, &argv, &a);
	if (err)
		return err;
	if (argc > 0)
		return pcn_err(PCN_EXIT_USAGE,
			       "\"port\" settings go to \"pcn stp set\", once the tree is on");
	settings_apply(&st, &a);
	err = times_check(&st);
	if (err)
		return err;
	if (getrandom(st.mac, sizeof(st.mac), 0) != sizeof(st.mac))
		return pcn_err_kernel(-errno, "cannot make a bridge address");
	/* a unicast, locally administered address */
	st.mac[0] = (st.mac[0] & 0xfc) | 0x02;
	st.root_id = br_stp_bridge_id(&st);
	st.root_max_age = st.max_age;
	st.root_hello = st.hello;
	st.root_fwd_delay = st.fwd_delay;

	err = cube_open_type(name, "bridge", &c, true);
	if (err)
		return err;
	if (br_stp_on(&c)) {
		err = pcn_err(PCN_EXIT_KERNEL,
			      "spanning tree is already on for \"%s\": use \"pcn stp set\"",
			      name);
		goto out;
	}
	err = cube_ports_read(&c, ports);
	/* the ports first: no frame may loop once the tree is on */
	for (i = 0; !err && i < PCN_MAX_PORTS; i++) {
		err = br_stp_port_reset(&c, i);
		if (!err && ports[i].name[0] && ports[i].peer == PCN_PEER_IFACE)
			err = br_port_state_put(&c, i, BR_BLOCKING);
	}
	if (!err)
		err = stp_put(&c, &st);
	if (err)
		err = pcn_err_kernel(err,
				     "cannot turn spanning tree on for \"%s\"",
				     name);
out:
	cube_close(&c);
	return err;
}

struct port_set {
	int idx;
	__u32 cost, prio;
	bool cost_set, prio_set, edge_set, edge;
};

static int parse_port(struct pcn_cube *c, int *argcp, char ***argvp,
		      struct port_set *ps)
{
	int argc = *argcp, err;
	char **argv = *argvp;

	NEXT_ARG();
	err = cube_port_index(c, *argv, &ps->idx);
	if (err)
		return err;
	while (NEXT_ARG_OK() && !is_kw(argv[1], "port")) {
		argc--;
		argv++;
		if (is_kw(*argv, "priority")) {
			DUP_CHECK(ps->prio_set, "priority");
			NEXT_ARG();
			err = num_arg("port priority (0..240, by 16)", *argv, 0,
				      240, 16, &ps->prio);
		} else if (is_kw(*argv, "cost")) {
			DUP_CHECK(ps->cost_set, "cost");
			NEXT_ARG();
			err = num_arg("path cost (1..200000000)", *argv, 1,
				      200000000, 1, &ps->cost);
		} else if (is_kw(*argv, "edge")) {
			DUP_CHECK(ps->edge_set, "edge");
			NEXT_ARG();
			if (is_kw(*argv, "on"))
				ps->edge = true;
			else if (!is_kw(*argv, "off"))
				err = pcn_bad_arg("edge (on or off)", *argv);
		} else {
			return pcn_unknown_kw("stp", *argv);
		}
		if (err)
			return err;
	}
	if (!ps->prio_set && !ps->cost_set && !ps->edge_set)
		return pcn_err(PCN_EXIT_USAGE,
			       "\"port %s\" takes \"priority\", \"cost\" or \"edge\"",
			       *argv);
	*argcp = argc - 1;
	*argvp = argv + 1;
	return 0;
}

static int stp_set_cmd(int argc, char **argv)
{
	struct port_set ps[PCN_MAX_PORTS];
	struct br_stp_port sp;
	struct stp_args a = {};
	const char *name;
	struct pcn_cube c;
	struct br_stp st;
	int err, n = 0, i;

	err = take_bridge(&argc, &argv, &name);
	if (!err)
		err = parse_settings(&argc, &argv, &a);
	if (err)
		return err;
	err = cube_open_type(name, "bridge", &c, true);
	if (err)
		return err;
	while (!err && argc > 0) {
		if (n == PCN_MAX_PORTS) {
			err = pcn_err(PCN_EXIT_USAGE, "too many ports");
			break;
		}
		memset(&ps[n], 0, sizeof(ps[n]));
		err = parse_port(&c, &argc, &argv, &ps[n]);
		for (i = 0; !err && i < n; i++)
			if (ps[i].idx == ps[n].idx)
				err = pcn_err(PCN_EXIT_USAGE,
					      "port given twice");
		n++;
	}
	if (err)
		goto out;
	if (br_stp_get(&c, &st) || !st.enabled) {
		err = pcn_err(PCN_EXIT_KERNEL,
			      "spanning tree is off for \"%s\": \"pcn stp add %s\" turns it on",
			      name, name);
		goto out;
	}
	settings_apply(&st, &a);
	err = times_check(&st);
	if (err)
		goto out;
	/* everything checked: now the writes, which the agent picks up */
	for (i = 0; !err && i < n; i++) {
		err = cube_map_get(&c, "br_stp_ports", &ps[i].idx, &sp);
		if (err)
			break;
		if (ps[i].cost_set)
			sp.cost = ps[i].cost;
		if (ps[i].prio_set)
			sp.priority = ps[i].prio;
		/* edge on again: it is one until it hears a BPDU again */
		if (ps[i].edge_set)
			sp.flags = ps[i].edge ? (sp.flags | BR_STP_P_EDGE) &
							~BR_STP_P_EDGE_LOST
					      : sp.flags & ~BR_STP_P_EDGE;
		err = cube_map_put(&c, "br_stp_ports", &ps[i].idx, &sp);
	}
	if (!err)
		err = stp_put(&c, &st);
	if (err)
		err = pcn_err_kernel(err, "cannot set the tree of \"%s\"", name);
out:
	cube_close(&c);
	return err;
}

static int stp_del_cmd(int argc, char **argv)
{
	struct pcn_port ports[PCN_MAX_PORTS];
	const char *name;
	struct pcn_cube c;
	struct br_stp st;
	int err, i;

	err = take_bridge(&argc, &argv, &name);
	if (err)
		return err;
	if (argc > 0)
		return pcn_err(PCN_EXIT_USAGE, "unexpected \"%s\"", *argv);
	err = cube_open_type(name, "bridge", &c, true);
	if (err)
		return err;
	if (br_stp_get(&c, &st) || !st.enabled) {
		err = pcn_err(PCN_EXIT_KERNEL, "spanning tree is off for \"%s\"",
			      name);
		goto out;
	}
	/* off first: an agent stops acting on the ports, then they forward */
	st.enabled = 0;
	err = stp_put(&c, &st);
	if (!err)
		err = cube_ports_read(&c, ports);
	for (i = 0; !err && i < PCN_MAX_PORTS; i++) {
		err = br_stp_port_reset(&c, i);
		if (!err && ports[i].name[0] && ports[i].peer == PCN_PEER_IFACE)
			err = br_port_state_put(&c, i, BR_FORWARDING);
	}
	if (err)
		err = pcn_err_kernel(err,
				     "cannot turn spanning tree off for \"%s\"",
				     name);
out:
	cube_close(&c);
	return err;
}

static void show_port(struct pcn_cube *c, const struct pcn_port *p, __u32 i)
{
	struct br_stp_port sp;
	struct br_port bp;
	char id[32];

	if (cube_map_get(c, "br_stp_ports", &i, &sp) ||
	    cube_map_get(c, "br_ports", &i, &bp))
		return;
	open_json_object(NULL);
	print_string(PRINT_ANY, "name", "\n    port %s", p->name);
	print_string(PRINT_ANY, "role", " %s",
		     sp.role < ARRAY_SIZE(br_stp_roles) ? br_stp_roles[sp.role]
							: "unknown");
	print_string(PRINT_ANY, "state", " %s",
		     bp.state < ARRAY_SIZE(br_port_states)
			     ? br_port_states[bp.state]
			     : "unknown");
	print_uint(PRINT_ANY, "cost", " cost %u", sp.cost);
	print_uint(PRINT_ANY, "priority", " priority %u", sp.priority);
	print_string(PRINT_ANY, "mode", " %s",
		     p->peer != PCN_PEER_IFACE		 ? "none"
		     : sp.flags & BR_STP_P_MODE_STP ? "stp"
						    : "rstp");
	print_bool(PRINT_JSON, "edge", NULL, sp.flags & BR_STP_P_EDGE);
	if (sp.flags & BR_STP_P_EDGE) {
		print_string(PRINT_FP, NULL, "%s", " edge");
		/* an edge port that heard a BPDU acts as any other */
		print_bool(PRINT_JSON, "oper_edge", NULL,
			   !(sp.flags & BR_STP_P_EDGE_LOST));
		if (sp.flags & BR_STP_P_EDGE_LOST)
			print_string(PRINT_FP, NULL, "%s", " (bpdu heard)");
	}
	if (sp.flags & BR_STP_P_INFO) {
		br_stp_id_str(sp.d_root, id, sizeof(id));
		print_string(PRINT_ANY, "designated_root", "\n      heard root %s",
			     id);
		br_stp_id_str(sp.d_bridge, id, sizeof(id));
		print_string(PRINT_ANY, "designated_bridge", " bridge %s", id);
		print_uint(PRINT_ANY, "designated_cost", " cost %u", sp.d_cost);
		snprintf(id, sizeof(id), "%04x", sp.d_port);
		print_string(PRINT_ANY, "designated_port", " port %s", id);
	}
	print_u64(PRINT_ANY, "rx_bpdus", "\n      bpdus rx %" PRIu64, sp.rx_bpdus);
	print_u64(PRINT_ANY, "tx_bpdus", " tx %" PRIu64, sp.tx_bpdus);
	close_json_object();
}

static int show_cb(struct pcn_cube *c, void *arg)
{
	struct pcn_port ports[PCN_MAX_PORTS];
	struct br_stp st;
	char id[32];
	__u64 now = pcn_now_ns();
	int i;

	(void)arg;
	if (strcmp(c->meta.type, "bridge") || br_stp_get(c, &st) ||
	    cube_ports_read(c, ports))
		return 0;
	open_json_object(NULL);
	print_string(PRINT_ANY, "cube", "%s:", c->name);
	print_bool(PRINT_ANY, "enabled", NULL, st.enabled);
	if (!st.enabled) {
		print_string(PRINT_FP, NULL, " %s\n", "off");
		close_json_object();
		return 0;
	}
	print_string(PRINT_ANY, "protocol", " %s",
		     st.version == BR_STP_RSTP ? "rstp" : "stp");
	br_stp_id_str(br_stp_bridge_id(&st), id, sizeof(id));
	print_string(PRINT_ANY, "bridge_id", " bridge %s", id);
	br_stp_id_str(st.root_id, id, sizeof(id));
	print_string(PRINT_ANY, "root_id", " root %s", id);
	print_uint(PRINT_ANY, "root_cost", " cost %u", st.root_cost);
	if (st.root_port < PCN_MAX_PORTS && ports[st.root_port].name[0])
		print_string(PRINT_ANY, "root_port", " root_port %s",
			     ports[st.root_port].name);
	print_bool(PRINT_JSON, "root", NULL, st.root_port >= PCN_MAX_PORTS);
	if (st.root_port >= PCN_MAX_PORTS)
		print_string(PRINT_FP, NULL, "%s", " (this bridge is root)");
	print_uint(PRINT_ANY, "priority", "\n  priority %u", st.priority);
	print_uint(PRINT_ANY, "hello_time", " hello_time %u", st.hello);
	print_uint(PRINT_ANY, "max_age", " max_age %u", st.max_age);
	print_uint(PRINT_ANY, "forward_delay", " forward_delay %u",
		   st.fwd_delay);
	print_uint(PRINT_ANY, "topology_changes", " topology changes %u",
		   st.tc_count);
	print_bool(PRINT_ANY, "agent_running", NULL,
		   br_stp_agent_alive(&st, now));
	print_string(PRINT_FP, NULL, "%s",
		     br_stp_agent_alive(&st, now) ? "\n  agent running"
						  : "\n  agent not running");
	open_json_array(PRINT_JSON, "ports");
	for (i = 0; i < PCN_MAX_PORTS; i++)
		if (ports[i].name[0])
			show_port(c, &ports[i], i);
	close_json_array(PRINT_JSON, NULL);
	print_string(PRINT_FP, NULL, "%s", "\n");
	close_json_object();
	return 0;
}

static int stp_show_cmd(int argc, char **argv)
{
	if (argc > 1)
		return pcn_err(PCN_EXIT_USAGE, "unexpected \"%s\"", argv[1]);
	if (argc && check_name("bridge", argv[0]))
		return PCN_EXIT_USAGE;
	return cube_show_of_type(argc ? argv[0] : NULL, "bridge", show_cb,
				 NULL);
}

static int stp_run_cmd(int argc, char **argv)
{
	const char *name;
	int err;

	err = take_bridge(&argc, &argv, &name);
	if (err)
		return err;
	if (argc > 0)
		return pcn_err(PCN_EXIT_USAGE, "unexpected \"%s\"", *argv);
	return br_stp_run(name);
}

/* pcn save: the tree's settings, once the ports are wired */
int br_stp_save(struct pcn_cube *c, struct pcn_save *s)
{
	const struct pcn_port *p;
	struct br_stp_port sp;
	struct br_stp st;
	__u32 idx;
	int i;

	if (br_stp_get(c, &st) || !st.enabled)
		return 0;
	pcn_save_line(s,
		      "stp add %s protocol %s priority %u hello_time %u max_age %u forward_delay %u",
		      c->name, st.version == BR_STP_RSTP ? "rstp" : "stp",
		      st.priority, st.hello, st.max_age, st.fwd_delay);
	for (i = 0; (p = pcn_save_port(s, i, &idx)); i++) {
		if (cube_map_get(c, "br_stp_ports", &idx, &sp))
			return pcn_err(PCN_EXIT_KERNEL,
				       "cannot read port %s:%s", c->name,
				       p->name);
		if (sp.cost != BR_STP_COST_DEFAULT ||
		    sp.priority != BR_STP_PORT_PRIO_DEFAULT ||
		    (sp.flags & BR_STP_P_EDGE))
			pcn_save_line(s, "stp set %s port %s priority %u cost %u%s",
				      c->name, p->name, sp.priority, sp.cost,
				      sp.flags & BR_STP_P_EDGE ? " edge on" : "");
	}
	pcn_save_skip(s, "the spanning tree's roles (its agent finds them)");
	return 0;
}

static const struct pcn_cmd cmds[] = {
	{ "show", stp_show_cmd },
	{ "list", stp_show_cmd },
	{ "add", stp_add_cmd },
	{ "set", stp_set_cmd },
	{ "del", stp_del_cmd },
	{ "delete", stp_del_cmd },
	{ "run", stp_run_cmd },
	{ NULL, NULL },
};

const struct pcn_object stp_object = {
	.name = "stp",
	.cmds = cmds,
	.summary = "spanning tree of bridge cubes (802.1D/802.1w)",
	.usage = usage,
};
