// SPDX-License-Identifier: GPL-2.0
/*
 * forwarder: per ingress port, drop, pass to the host stack, or forward
 * out of another port (Polycube's simpleforwarder).
 *
 *   pcn cube set NAME port PORT action { drop | pass | forward PORT } ...
 *
 * A new port passes to the host. When a port goes away, its action
 * returns to pass and ports that forwarded to it drop.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "forwarder.h"
#include "pcn.h"
#include "forwarder_xdp.skel.h"
#include "forwarder_tc.skel.h"

static const char *const action_names[] = {
	[FWD_PASS] = "pass",
	[FWD_DROP] = "drop",
	[FWD_FORWARD] = "forward",
};

static int read_actions(struct pcn_cube *c, struct fwd_entry *e)
{
	int fd, err;

	fd = cube_obj_fd(c, "fwd_actions");
	if (fd < 0)
		return -errno;
	err = map_array_read(fd, PCN_MAX_PORTS, sizeof(*e), e);
	close(fd);
	return err;
}

static int fwd_set(struct pcn_cube *c, int argc, char **argv)
{
	struct pcn_port ports[PCN_MAX_PORTS];
	struct fwd_entry want[PCN_MAX_PORTS];
	bool touched[PCN_MAX_PORTS] = {};
	__u32 i;
	int fd, idx, out, err;

	err = cube_ports_read(c, ports);
	if (!err)
		err = read_actions(c, want);
	if (err)
		return pcn_err_kernel(err, "cannot read cube \"%s\"", c->name);

	/* parse and check everything before changing anything */
	while (argc > 0) {
		if (!is_kw(*argv, "port"))
			return pcn_unknown_kw("cube", *argv);
		NEXT_ARG();
		idx = cube_port_find(ports, PCN_MAX_PORTS, *argv);
		if (idx < 0)
			return pcn_err(PCN_EXIT_KERNEL,
				       "port %s:%s does not exist", c->name,
				       *argv);
		if (touched[idx])
			return pcn_err(PCN_EXIT_USAGE,
				       "port \"%s\" is given twice", *argv);
		touched[idx] = true;
		NEXT_ARG();
		if (!is_kw(*argv, "action"))
			return pcn_err(PCN_EXIT_USAGE,
				       "expected \"action\", got \"%s\"", *argv);
		NEXT_ARG();
		if (is_kw(*argv, "drop")) {
			want[idx] = (struct fwd_entry){ .action = FWD_DROP };
		} else if (is_kw(*argv, "pass")) {
			want[idx] = (struct fwd_entry){ .action = FWD_PASS };
		} else if (is_kw(*argv, "forward")) {
			NEXT_ARG();
			out = cube_port_find(ports, PCN_MAX_PORTS, *argv);
			if (out < 0)
				return pcn_err(PCN_EXIT_KERNEL,
					       "port %s:%s does not exist",
					       c->name, *argv);
			/* back out of the port it came in by: a loop */
			if (out == idx)
				return pcn_err(PCN_EXIT_USAGE,
					       "port \"%s\" cannot forward to itself",
					       *argv);
			want[idx] = (struct fwd_entry){
				.action = FWD_FORWARD,
				.out_port = out,
			};
		} else {
			return pcn_err(PCN_EXIT_USAGE,
				       "action \"%s\" is unknown: drop, pass or forward PORT",
				       *argv);
		}
		argc--;
		argv++;
	}

	fd = cube_obj_fd(c, "fwd_actions");
	if (fd < 0)
		return pcn_err_kernel(errno, "cannot open actions of \"%s\"",
				      c->name);
	for (i = 0; i < PCN_MAX_PORTS && !err; i++)
		if (touched[i] && bpf_map_update_elem(fd, &i, &want[i], BPF_ANY))
			err = pcn_err_kernel(errno, "cannot set action");
	close(fd);
	return err;
}

static void fwd_show_port(struct pcn_cube *c, const struct pcn_port *ports,
			  __u32 idx)
{
	struct fwd_entry e[PCN_MAX_PORTS];
	const char *name = "unknown";

	if (read_actions(c, e))
		return;
	if (e[idx].action < ARRAY_SIZE(action_names))
		name = action_names[e[idx].action];
	print_string(PRINT_ANY, "action", " action %s", name);
	if (e[idx].action == FWD_FORWARD && e[idx].out_port < PCN_MAX_PORTS)
		print_string(PRINT_ANY, "out_port", " %s",
			     ports[e[idx].out_port].name);
}

/* "cube set" of each port that does not pass (what a new port does) */
static int fwd_save(struct pcn_cube *c, struct pcn_save *s)
{
	struct fwd_entry e[PCN_MAX_PORTS];
	const struct pcn_port *p;
	struct pcn_port ports[PCN_MAX_PORTS];
	__u32 idx;
	int i, err;

	err = read_actions(c, e) ?: cube_ports_read(c, ports);
	if (err)
		return pcn_err_kernel(err, "cannot read cube \"%s\"", c->name);
	for (i = 0; (p = pcn_save_port(s, i, &idx)); i++) {
		if (e[idx].action == FWD_DROP)
			pcn_save_line(s, "cube set %s port %s action drop",
				      c->name, p->name);
		else if (e[idx].action == FWD_FORWARD &&
			 e[idx].out_port < PCN_MAX_PORTS)
			pcn_save_line(s, "cube set %s port %s action forward %s",
				      c->name, p->name,
				      ports[e[idx].out_port].name);
	}
	return 0;
}

static int fwd_port_removed(struct pcn_cube *c, __u32 idx)
{
	struct fwd_entry e[PCN_MAX_PORTS];
	const struct fwd_entry pass = { .action = FWD_PASS };
	const struct fwd_entry drop = { .action = FWD_DROP };
	__u32 i;
	int fd, err;

	err = read_actions(c, e);
	if (err)
		return err;
	fd = cube_obj_fd(c, "fwd_actions");
	if (fd < 0)
		return -errno;
	for (i = 0; i < PCN_MAX_PORTS && !err; i++) {
		if (i != idx && e[i].action == FWD_FORWARD &&
		    e[i].out_port == idx)
			err = bpf_map_update_elem(fd, &i, &drop, BPF_ANY);
	}
	if (!err)
		err = bpf_map_update_elem(fd, &idx, &pass, BPF_ANY);
	err = err ? -errno : 0;
	close(fd);
	return err;
}

static const struct cube_type forwarder_type = {
	.name = "forwarder",
	.summary = "per-port drop, pass to host, or forward out of a port",
	.order = 10,
	.set_usage = "port PORT action { drop | pass | forward PORT } ...",
	.elf_xdp = forwarder_xdp__elf_bytes,
	.elf_tc = forwarder_tc__elf_bytes,
	.max_ports = PCN_MAX_PORTS,
	.set = fwd_set,
	.show_port = fwd_show_port,
	.port_removed = fwd_port_removed,
	.save = fwd_save,
};

PCN_CUBE_TYPE(forwarder_type);
