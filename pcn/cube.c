// SPDX-License-Identifier: GPL-2.0
/*
 * pcn cube: add, delete, configure and show cubes.
 *
 * Adding builds the cube in a staging directory (load, pin, meta), puts
 * its entry program in a patch-panel slot, then renames the directory
 * into cubes/: one atomic step publishes it. Deleting unpublishes first
 * (rename into staging), then detaches and frees.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <inttypes.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "attach.h"
#include "chain.h"
#include "bpffs.h"
#include "json_print.h"
#include "pcn.h"
#include "utils.h"

static const struct cube_type *const types[] = {
	&forwarder_type,
	&bridge_type,
	&router_type,
	&firewall_type,
	&helloworld_type,
};

const struct cube_type *const *cube_types(size_t *count)
{
	*count = ARRAY_SIZE(types);
	return types;
}

const struct cube_type *cube_type_find(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(types); i++)
		if (is_kw(name, types[i]->name))
			return types[i];
	return NULL;
}

int cube_open_for_change(const char *name, struct pcn_cube *c)
{
	int err;

	err = pcn_state_open(PCN_WRITE_EXISTING);
	if (err == -ENOENT)
		return cube_open_err(name, err);
	if (err)
		return err;
	err = cube_open(name, c);
	return err ? cube_open_err(name, err) : 0;
}

int port_endpoint_arg(const char *arg, char *cube, char *port)
{
	int err;

	if (port[0])
		return pcn_dup_arg("port");
	err = parse_endpoint(arg, cube, port);
	if (!err && !port[0])
		err = pcn_err(PCN_EXIT_USAGE, "\"port\" takes CUBE:PORT");
	return err;
}

/* The index of port @port of @c, or reports that there is none. */
int cube_port_index(struct pcn_cube *c, const char *port)
{
	struct pcn_port ports[PCN_MAX_PORTS];
	int idx;

	idx = cube_ports_read(c, ports) ? -1 :
		cube_port_find(ports, PCN_MAX_PORTS, port);
	if (idx < 0)
		return -pcn_err(PCN_EXIT_KERNEL, "port %s:%s does not exist",
				c->name, port);
	return idx;
}

/* what cube_show_each() hands each cube's callback */
struct show_each {
	const char *type;
	const char *port;
	int (*fn)(struct pcn_cube *c, const char *port);
};

static int show_each_cb(struct pcn_cube *c, void *arg)
{
	struct show_each *e = arg;

	if (strcmp(c->meta.type, e->type))
		return 0;
	return e->fn(c, e->port);
}

int cube_show_each(int argc, char **argv, const char *object,
		   const char *type,
		   int (*fn)(struct pcn_cube *c, const char *port))
{
	char cube[PCN_NAME_LEN] = "", port[PCN_NAME_LEN] = "";
	struct show_each e = { .type = type, .fn = fn };
	int err;

	while (argc > 0) {
		if (is_kw(*argv, "cube")) {
			NEXT_ARG();
			if (cube[0])
				return pcn_dup_arg("cube");
			err = check_name("cube", *argv);
			if (!err)
				name_copy(cube, *argv);
		} else if (is_kw(*argv, "port")) {
			NEXT_ARG();
			err = port_endpoint_arg(*argv, cube, port);
		} else {
			return pcn_unknown_kw(object, *argv);
		}
		if (err)
			return err;
		argc--;
		argv++;
	}
	e.port = port[0] ? port : NULL;
	return cube_show_of_type(cube[0] ? cube : NULL, type, show_each_cb, &e);
}

int cube_show_of_type(const char *name, const char *type,
		      int (*fn)(struct pcn_cube *c, void *arg), void *arg)
{
	struct pcn_cube c;
	int err;

	if (name) {
		err = cube_open_type(name, type, &c, false);
		if (err)
			return err;
		cube_close(&c);
	} else {
		/* no tree yet: nothing to show */
		err = pcn_state_open(PCN_READ);
		if (err > 0)
			return err;
	}
	new_json_obj(json, pretty);
	open_json_array(PRINT_JSON, NULL);
	if (!err)
		cube_for_each(name, fn, arg);
	close_json_array(PRINT_JSON, NULL);
	delete_json_obj();
	return 0;
}

int cube_flush_cmd(int argc, char **argv, const struct flush_spec *spec)
{
	const char *cube = NULL, *port = NULL;
	bool dynamic_only = false;
	struct pcn_cube c;
	int idx = -1, vid = -1, err;
	__u16 v;

	while (argc > 0) {
		if (is_kw(*argv, "cube")) {
			NEXT_ARG();
			if (cube)
				return pcn_dup_arg("cube");
			cube = *argv;
			err = check_name("cube", cube);
		} else if (is_kw(*argv, "port")) {
			NEXT_ARG();
			if (port)
				return pcn_dup_arg("port");
			port = *argv;
			err = check_name("port", port);
		} else if (spec->dynamic && is_kw(*argv, "dynamic")) {
			DUP_CHECK(dynamic_only, "dynamic");
			err = 0;
		} else if (spec->vlan && is_kw(*argv, "vlan")) {
			NEXT_ARG();
			if (vid >= 0)
				return pcn_dup_arg("vlan");
			err = parse_vid(*argv, &v);
			vid = v;
		} else {
			return pcn_unknown_kw(spec->object, *argv);
		}
		if (err)
			return err;
		argc--;
		argv++;
	}
	if (!cube)
		return pcn_err(PCN_EXIT_USAGE, "\"cube %s\" is missing",
			       spec->cube_arg);
	err = cube_open_type(cube, spec->type, &c, true);
	if (err)
		return err;
	if (port) {
		idx = cube_port_index(&c, port);
		if (idx < 0) {
			cube_close(&c);
			return -idx;
		}
	}
	err = spec->flush(&c, idx, dynamic_only, vid);
	if (err)
		err = pcn_err_kernel(err, "cannot flush the %s of \"%s\"",
				     spec->what, cube);
	cube_close(&c);
	return err;
}

int parse_seconds(const char *kw, const char *arg, __u32 *sec)
{
	if (get_u32(sec, arg, 10) || *sec == 0 || *sec > 1000000)
		return pcn_err(PCN_EXIT_USAGE, "%s \"%s\": 1 to 1000000 seconds",
			       kw, arg);
	return 0;
}

int cube_add_seconds(int argc, char **argv, const char *kw, __u32 dflt,
		     __u8 *config)
{
	__u32 sec = dflt;
	bool seen = false;
	int err;

	while (argc > 0) {
		if (!is_kw(*argv, kw))
			return pcn_unknown_kw("cube", *argv);
		DUP_CHECK(seen, kw);
		NEXT_ARG();
		err = parse_seconds(kw, *argv, &sec);
		if (err)
			return err;
		argc--;
		argv++;
	}
	memcpy(config, &sec, sizeof(sec));
	return 0;
}

/* @sec seconds into @ps->kw_map, as the datapath reads them */
static int seconds_put(struct pcn_cube *c, const struct port_settings *ps,
		       __u32 sec)
{
	__u64 ns = (__u64)sec * NSEC_PER_SEC;
	__u32 zero = 0;

	return cube_map_put(c, ps->kw_map, &zero, &ns);
}

int cube_seconds_init(struct pcn_cube *c, const struct port_settings *ps)
{
	__u32 sec;

	memcpy(&sec, c->meta.config, sizeof(sec));
	return seconds_put(c, ps, sec);
}

/* One port's settings, and what the type does when they change. */
static int port_put(struct pcn_cube *c, const struct port_settings *ps,
		    __u32 idx, const void *val)
{
	int err = cube_map_put(c, ps->map, &idx, val);

	if (!err && ps->written)
		err = ps->written(c, idx, val);
	return err;
}

/* Put back the ports touched below @end as they were (in @old). */
static void ports_undo(struct pcn_cube *c, const struct port_settings *ps,
		       const bool *touched, const char *old, __u32 end)
{
	__u32 i;

	for (i = 0; i < end; i++)
		if (touched[i])
			port_put(c, ps, i, old + i * ps->size);
}

int cube_set_ports(struct pcn_cube *c, int argc, char **argv,
		   const struct port_settings *ps)
{
	struct pcn_port ports[PCN_MAX_PORTS];
	bool touched[PCN_MAX_PORTS] = {}, kw_set = false;
	char *want, *old;
	__u32 i, sec, old_sec;
	int idx, err;

	memcpy(&sec, c->meta.config, sizeof(sec));
	old_sec = sec;
	err = cube_ports_read(c, ports);
	if (err)
		return pcn_err_kernel(err, "cannot read cube \"%s\"", c->name);
	want = calloc(2 * PCN_MAX_PORTS, ps->size);
	if (!want)
		return pcn_err_kernel(-ENOMEM, "cannot set cube \"%s\"", c->name);
	old = want + PCN_MAX_PORTS * ps->size;
	/* everything checked before anything changes */
	while (argc > 0 && !err) {
		if (is_kw(*argv, ps->kw)) {
			if (kw_set) {
				err = pcn_dup_arg(ps->kw);
				break;
			}
			kw_set = true;
			if (argc < 2) {
				err = pcn_missing_arg(ps->kw);
				break;
			}
			argc--, argv++;
			err = parse_seconds(ps->kw, *argv, &sec);
		} else if (is_kw(*argv, "port")) {
			if (argc < 2) {
				err = pcn_missing_arg("port");
				break;
			}
			argc--, argv++;
			idx = cube_port_find(ports, PCN_MAX_PORTS, *argv);
			if (idx < 0) {
				err = pcn_err(PCN_EXIT_KERNEL,
					      "port %s:%s does not exist",
					      c->name, *argv);
			} else if (touched[idx]) {
				err = pcn_err(PCN_EXIT_USAGE,
					      "port \"%s\" is given twice", *argv);
			} else {
				touched[idx] = true;
				err = cube_map_get(c, ps->map, &idx,
						   old + idx * ps->size);
				memcpy(want + idx * ps->size,
				       old + idx * ps->size, ps->size);
				err = err ? pcn_err_kernel(err,
							   "cannot read port %s",
							   *argv) :
					    ps->parse_port(&argc, &argv,
							   want + idx * ps->size);
			}
		} else {
			err = pcn_unknown_kw("cube", *argv);
		}
		argc--;
		argv++;
	}
	/*
	 * One map update per port: a packet sees its old settings or the
	 * new ones. A write that fails puts back what went before it (the
	 * entries a type's @written dropped are learned again).
	 */
	for (i = 0; i < PCN_MAX_PORTS && !err; i++) {
		if (!touched[i])
			continue;
		err = port_put(c, ps, i, want + i * ps->size);
		if (err) {
			ports_undo(c, ps, touched, old, i);
			err = pcn_err_kernel(err, "cannot set port %s:%s",
					     c->name, ports[i].name);
		}
	}
	if (err || !kw_set)
		goto out;
	err = seconds_put(c, ps, sec);
	if (!err) {
		memcpy(c->meta.config, &sec, sizeof(sec));
		err = cube_meta_write(c);
		if (err) {
			memcpy(c->meta.config, &old_sec, sizeof(old_sec));
			seconds_put(c, ps, old_sec);
		}
	}
	if (err) {
		ports_undo(c, ps, touched, old, PCN_MAX_PORTS);
		err = pcn_err_kernel(err, "cannot set %s of \"%s\"", ps->kw,
				     c->name);
	}
out:
	free(want);
	return err;
}

int cube_open_type(const char *name, const char *type, struct pcn_cube *c,
		   bool change)
{
	int err;

	if (change) {
		err = cube_open_for_change(name, c);
	} else {
		err = pcn_state_open(PCN_READ);
		if (err > 0)
			return err;
		err = cube_open(name, c);
		if (err)
			return cube_open_err(name, err);
	}
	if (err)
		return err;
	if (strcmp(c->meta.type, type)) {
		cube_close(c);
		return pcn_err(PCN_EXIT_KERNEL, "cube \"%s\" is a %s, not a %s",
			       name, c->meta.type, type);
	}
	return 0;
}

static void usage(FILE *f)
{
	size_t i;

	fprintf(f,
		"Usage: pcn cube add NAME type TYPE [ mode MODE ] [ TYPE_ARGS ]\n"
		"       pcn cube del NAME\n"
		"       pcn cube set NAME TYPE_ARGS\n"
		"       pcn cube show [ NAME ]\n"
		"       pcn cube help\n"
		"where  MODE := { xdp | xdpgeneric | tc }\n"
		"       TYPE := {");
	for (i = 0; i < ARRAY_SIZE(types); i++)
		fprintf(f, "%s %s", i ? " |" : "", types[i]->name);
	fprintf(f, " }\n");
	for (i = 0; i < ARRAY_SIZE(types); i++)
		if (types[i]->set_usage)
			fprintf(f, "       %s set: %s\n", types[i]->name,
				types[i]->set_usage);
}

static int cube_add_err(const char *name, const char *step, int err)
{
	return pcn_err_kernel(err, "cannot add cube \"%s\": %s", name, step);
}

static int cube_build(const struct cube_spec *spec, const char *stage)
{
	struct bpf_object *obj = NULL;
	char dir[PATH_MAX];
	int err;

	snprintf(dir, sizeof(dir), "%s/cube", stage);
	if (mkdir(dir, 0700))
		return cube_add_err(spec->name, "staging", -errno);
	err = cube_load(spec, &obj);
	if (err)
		return cube_add_err(spec->name, "the kernel refused its program",
				    err);
	err = cube_pin(spec, obj, dir);
	if (err) {
		err = cube_add_err(spec->name, "pinning", err);
		goto out;
	}
	if (spec->init) {
		struct pcn_cube c = { .ports_fd = -1, .stats_fd = -1 };

		snprintf(c.dir, sizeof(c.dir), "%s", dir);
		name_copy(c.name, spec->name);
		memcpy(c.meta.config, spec->config, sizeof(c.meta.config));
		err = spec->init(&c);
		if (err) {
			err = cube_add_err(spec->name, "initial state", err);
			goto out;
		}
	}
	pcn_fault_point("cube-add-pinned");
	err = cube_install(spec, obj);
	if (err) {
		err = cube_add_err(spec->name, "patch panel", err);
		goto out;
	}
	pcn_fault_point("cube-add-panel");
out:
	bpf_object__close(obj);
	return err;
}

static int cube_add_cmd(int argc, char **argv)
{
	__u8 config[PCN_TYPE_CONFIG_LEN] = {};
	const struct cube_type *type = NULL;
	enum pcn_mode mode = PCN_MODE_XDP;
	bool mode_set = false;
	struct cube_spec spec = {};
	struct pcn_intent intent = { .op = PCN_INTENT_CUBE_ADD };
	struct pcn_stage stage;
	char path[PATH_MAX], dst[PATH_MAX];
	const char *name;
	size_t elf_size;
	int err;

	err = take_name("cube", &argc, &argv, &name);
	if (err)
		return err;
	while (argc > 0) {
		if (is_kw(*argv, "type")) {
			NEXT_ARG();
			if (type)
				return pcn_dup_arg("type");
			type = cube_type_find(*argv);
			if (!type)
				return pcn_err(PCN_EXIT_USAGE,
					       "cube type \"%s\" is unknown, try \"pcn cube help\"",
					       *argv);
		} else if (is_kw(*argv, "mode")) {
			NEXT_ARG();
			DUP_CHECK(mode_set, "mode");
			if (mode_parse(*argv, &mode))
				return pcn_err(PCN_EXIT_USAGE,
					       "mode \"%s\" is unknown: xdp, xdpgeneric or tc",
					       *argv);
		} else {
			break;
		}
		argc--;
		argv++;
	}
	if (!type)
		return pcn_err(PCN_EXIT_USAGE, "\"type TYPE\" is missing");
	if (type->parse_add) {
		err = type->parse_add(argc, argv, config);
		if (err)
			return err;
	} else if (argc > 0) {
		return pcn_unknown_kw("cube", *argv);
	}

	err = pcn_state_open(PCN_WRITE);
	if (err)
		return err;
	pcn_ns_path(dst, sizeof(dst), "cubes/%s", name);
	if (pcn_path_exists(dst))
		return pcn_err(PCN_EXIT_KERNEL, "cube \"%s\" exists", name);

	spec.name = name;
	spec.type = type->name;
	spec.mode = mode;
	spec.max_ports = type->max_ports;
	spec.config = config;
	spec.init = type->init;
	spec.elf = mode == PCN_MODE_TC ? type->elf_tc(&elf_size)
				       : type->elf_xdp(&elf_size);
	spec.elf_size = elf_size;
	spec.nslots = type->max_ports ? 1 + type->max_ports
				      : PCN_TRANSPARENT_SLOTS;
	err = panel_alloc(mode, spec.nslots, &spec.slot);
	if (err)
		return cube_add_err(name, "no free patch-panel slots", err);

	intent.mode = mode;
	intent.slot = spec.slot;
	intent.port = spec.nslots;
	name_copy(intent.cube, name);
	err = pcn_stage_begin(&stage, &intent);
	if (err)
		return cube_add_err(name, "staging", err);
	err = cube_build(&spec, stage.path);
	if (err)
		goto undo;
	snprintf(path, sizeof(path), "%s/cube", stage.path);
	if (rename(path, dst)) {
		err = cube_add_err(name, "publishing", -errno);
		goto undo;
	}
	pcn_fault_point("cube-add-published");
	pcn_stage_end(&stage);
	return 0;
undo:
	panel_clear_range(mode, spec.slot, spec.nslots);
	pcn_stage_end(&stage);
	return err;
}

/*
 * Disconnect everything a cube is wired to, one committed step at a time:
 * a pcn killed in between leaves a cube with fewer links, and running
 * "cube del" again goes on from there.
 */
static int cube_unwire(struct pcn_cube *c)
{
	struct pcn_port ports[PCN_MAX_PORTS];
	int i, err;

	if (!c->meta.max_ports)
		return transparent_detach_all(c);
	err = cube_ports_read(c, ports);
	if (err)
		return pcn_err_kernel(err, "cannot read ports of \"%s\"", c->name);
	for (i = 0; i < PCN_MAX_PORTS && !err; i++)
		if (ports[i].name[0])
			err = port_disconnect(c, i, &ports[i]);
	return err;
}

/* What a damaged or incompatible cube left attached: links and filters. */
void cube_detach_dir(const char *cube_dir)
{
	struct pcn_cube c = { .ports_fd = -1, .stats_fd = -1 };
	struct pcn_port ports[PCN_MAX_PORTS];
	char path[PATH_MAX];
	int i;

	snprintf(c.dir, sizeof(c.dir), "%s", cube_dir);
	c.ports_fd = cube_obj_fd(&c, "pcn_ports");
	if (c.ports_fd < 0 || cube_ports_read(&c, ports))
		goto out;
	for (i = 0; i < PCN_MAX_PORTS; i++) {
		if (!ports[i].name[0])
			continue;
		snprintf(path, sizeof(path), "%s/link_%s", cube_dir,
			 ports[i].name);
		unlink(path);
		port_detach_nolink(ports[i].attach, ports[i].ifindex, false);
	}
out:
	cube_close(&c);
}

static int cube_del_cmd(int argc, char **argv)
{
	struct pcn_intent intent = { .op = PCN_INTENT_CUBE_DEL };
	struct pcn_stage stage;
	char src[PATH_MAX], dst[PATH_MAX];
	struct pcn_cube c;
	const char *name;
	bool damaged;
	int err;

	err = take_name("cube", &argc, &argv, &name);
	if (err)
		return err;
	if (argc > 0)
		return pcn_err(PCN_EXIT_USAGE, "unexpected \"%s\" after the cube name",
			       *argv);

	err = pcn_state_open(PCN_WRITE_EXISTING);
	if (err == -ENOENT)
		return cube_open_err(name, err);
	if (err)
		return err;
	err = cube_open(name, &c);
	/* an incompatible or damaged cube can still be removed */
	damaged = err == -EPROTO || err == -EBADF;
	if (err && !damaged)
		return cube_open_err(name, err);

	if (!damaged) {
		err = cube_unwire(&c);
		if (err) {
			cube_close(&c);
			return err;
		}
	}
	intent.mode = c.meta.mode;
	intent.slot = damaged ? PCN_SLOT_NONE : c.meta.slot;
	intent.port = c.meta.nslots;
	name_copy(intent.cube, name);
	cube_close(&c);

	err = pcn_stage_begin(&stage, &intent);
	if (err)
		return pcn_err_kernel(err, "cannot delete cube \"%s\": staging",
				      name);
	pcn_ns_path(src, sizeof(src), "cubes/%s", name);
	snprintf(dst, sizeof(dst), "%s/cube", stage.path);
	if (rename(src, dst)) {
		err = pcn_err_kernel(errno, "cannot delete cube \"%s\"", name);
		pcn_stage_end(&stage);
		return err;
	}
	pcn_fault_point("cube-del-unpublished");
	cube_detach_dir(dst);
	if (!damaged)
		panel_clear_range(intent.mode, intent.slot, intent.port);
	pcn_stage_end(&stage);
	/* what a damaged cube held: its slots and points */
	if (damaged)
		pcn_gc();
	pcn_ns_remove_if_empty();
	return 0;
}

static int cube_set_cmd(int argc, char **argv)
{
	const struct cube_type *type;
	struct pcn_cube c;
	const char *name;
	int err;

	err = take_name("cube", &argc, &argv, &name);
	if (err)
		return err;
	if (argc < 1)
		return pcn_err(PCN_EXIT_USAGE, "nothing to set, try \"pcn cube help\"");

	err = cube_open_for_change(name, &c);
	if (err)
		return err;
	type = cube_type_find(c.meta.type);
	if (!type || !type->set)
		err = pcn_err(PCN_EXIT_USAGE, "cube \"%s\" (%s) has nothing to set",
			      name, c.meta.type);
	else
		err = type->set(&c, argc, argv);
	cube_close(&c);
	return err;
}

static void print_stats(const struct pcn_port_stats *st)
{
	open_json_object("stats");
	print_string(PRINT_FP, NULL, "%s", "\n        ");
	print_u64(PRINT_ANY, "rx_packets", "rx %" PRIu64 " packets", st->rx_packets);
	print_u64(PRINT_ANY, "rx_bytes", " %" PRIu64 " bytes", st->rx_bytes);
	print_u64(PRINT_ANY, "tx_packets", ", tx %" PRIu64 " packets", st->tx_packets);
	print_u64(PRINT_ANY, "tx_bytes", " %" PRIu64 " bytes", st->tx_bytes);
	print_u64(PRINT_ANY, "drop_packets", ", dropped %" PRIu64, st->drop_packets);
	print_u64(PRINT_ANY, "pass_packets", ", to host %" PRIu64, st->pass_packets);
	close_json_object();
}

static void print_port(struct pcn_cube *c, const struct cube_type *type,
		       const struct pcn_port *ports, __u32 idx)
{
	const struct pcn_port *p = &ports[idx];
	struct pcn_port_stats st;

	open_json_object(NULL);
	print_string(PRINT_FP, NULL, "%s", "    ");
	print_string(PRINT_ANY, "name", "%s", p->name);
	if (show_details)
		print_uint(PRINT_ANY, "index", " index %u", idx);
	port_print_peer(c, p);
	if (type && type->show_port)
		type->show_port(c, ports, idx);
	if (show_stats && !cube_stats_read(c, idx, &st))
		print_stats(&st);
	print_nl();
	close_json_object();
}

static int cube_print(const char *name)
{
	struct pcn_port ports[PCN_MAX_PORTS];
	const struct cube_type *type;
	struct pcn_cube c;
	__u32 i;
	int err;

	err = cube_open(name, &c);
	if (err)
		return err;
	type = cube_type_find(c.meta.type);
	err = cube_ports_read(&c, ports);
	if (err)
		goto out;

	open_json_object(NULL);
	print_string(PRINT_ANY, "name", "%s:", c.name);
	print_string(PRINT_ANY, "type", " type %s", c.meta.type);
	print_string(PRINT_ANY, "mode", " mode %s", mode_name(c.meta.mode));
	if (show_details) {
		print_uint(PRINT_ANY, "slot", " slot %u", c.meta.slot);
		print_uint(PRINT_ANY, "prog_id", " prog_id %u",
			   panel_prog_id(c.meta.mode, c.meta.slot));
		print_uint(PRINT_ANY, "schema", " schema %u", c.meta.schema);
	}
	if (type && type->show)
		type->show(&c);
	print_nl();
	if (!c.meta.max_ports)
		transparent_print_points(&c);
	if (c.meta.max_ports) {
		open_json_array(PRINT_JSON, "ports");
		for (i = 0; i < PCN_MAX_PORTS; i++)
			if (ports[i].name[0])
				print_port(&c, type, ports, i);
		close_json_array(PRINT_JSON, NULL);
	}
	close_json_object();
out:
	cube_close(&c);
	return err;
}

static int cube_show_cmd(int argc, char **argv)
{
	const char *only = NULL;
	char **names = NULL;
	int i, n = 0, err;

	if (argc > 0) {
		only = *argv;
		err = check_name("cube", only);
		if (err)
			return err;
		if (argc > 1)
			return pcn_err(PCN_EXIT_USAGE,
				       "unexpected \"%s\" after the cube name",
				       argv[1]);
	}
	err = pcn_state_open(PCN_READ);
	if (err > 0)
		return err;
	if (err == -ENOENT) {
		if (only)
			return cube_open_err(only, err);
		err = 0;
	} else if (!only) {
		err = cube_names(&names, &n);
		if (err)
			return pcn_err_kernel(err, "cannot list cubes");
	} else {
		struct pcn_cube c;

		err = cube_open(only, &c);
		if (err)
			return cube_open_err(only, err);
		cube_close(&c);
	}

	new_json_obj(json, pretty);
	open_json_array(PRINT_JSON, NULL);
	if (only) {
		err = cube_print(only);
	} else {
		for (i = 0; i < n; i++) {
			/* a cube deleted meanwhile is just not shown */
			err = cube_print(names[i]);
			if (err == -ENOENT)
				err = 0;
			if (err)
				break;
		}
	}
	close_json_array(PRINT_JSON, NULL);
	delete_json_obj();
	cube_names_free(names, n);
	if (err)
		return pcn_err_kernel(err, "cannot read cube state");
	return 0;
}

static const struct pcn_cmd cmds[] = {
	{ "show", cube_show_cmd },
	{ "list", cube_show_cmd },
	{ "add", cube_add_cmd },
	{ "del", cube_del_cmd },
	{ "delete", cube_del_cmd },
	{ "set", cube_set_cmd },
	{ NULL, NULL },
};

int do_cube(int argc, char **argv)
{
	return pcn_cmd_select("cube", cmds, argc, argv, usage);
}
