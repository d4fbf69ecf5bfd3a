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

#include "panel.h"
#include "profile.h"
#include "pcn.h"
#include "sweep.h"
#include "transparent.h"

static void usage(FILE *f)
{
	const struct cube_type *const *t;
	const char *const *d;

	fprintf(f,
		"Usage: pcn cube add NAME type TYPE [ mode MODE ] [ TYPE_ARGS ]\n"
		"       pcn cube del NAME\n"
		"       pcn cube set NAME TYPE_ARGS\n"
		"       pcn cube show [ NAME ]\n"
		"       pcn cube flush\n"
		"       pcn cube help\n"
		"where  MODE := { xdp | xdpgeneric | tc }\n"
		"       TYPE := {");
	for (t = cube_types(); *t; t++)
		fprintf(f, "%s %s", t == cube_types() ? "" : " |", (*t)->name);
	fprintf(f, " }\n");
	for (t = cube_types(); *t; t++) {
		if ((*t)->add_usage)
			fprintf(f, "       %s add: %s\n", (*t)->name,
				(*t)->add_usage);
		if ((*t)->set_usage)
			fprintf(f, "       %s set: %s\n", (*t)->name,
				(*t)->set_usage);
		for (d = (*t)->definitions; d && *d; d++)
			fprintf(f, "       %s\n", *d);
	}
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
	pcn_prof_step("cube: pin");
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
		pcn_prof_step("cube: map writes (type init)");
		if (err) {
			err = cube_add_err(spec->name, "initial state", err);
			goto out;
		}
	}
	pcn_fault_point("cube-add-pinned");
	err = panel_install(spec, obj);
	pcn_prof_step("cube: patch panel");
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

	err = tree_open(PCN_WRITE, NULL);
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
	spec.prepare = type->prepare;
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
		err = transparent_detach_all(c, &type_port_hooks);
	else
		err = cube_ports_read(c, ports);
	for (i = 0; c->meta.max_ports && i < PCN_MAX_PORTS && !err; i++)
		if (ports[i].name[0])
			err = port_disconnect(c, i, &ports[i],
					      &type_port_hooks);
	return err ? pcn_err_kernel(err, "cannot unwire cube \"%s\"", c->name)
		   : 0;
}

int cube_delete(const char *name)
{
	struct pcn_intent intent = { .op = PCN_INTENT_CUBE_DEL };
	struct pcn_stage stage;
	char src[PATH_MAX], dst[PATH_MAX];
	struct pcn_cube c;
	bool damaged, none;
	int err;

	err = tree_open(PCN_WRITE_EXISTING, &none);
	if (err)
		return err;
	err = none ? -ENOENT : cube_open(name, &c);
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
	copy_dev_gc();
	pcn_ns_remove_if_empty();
	return 0;
}

static int cube_del_cmd(int argc, char **argv)
{
	const char *name;
	int err;

	err = take_name("cube", &argc, &argv, &name);
	if (err)
		return err;
	if (argc > 0)
		return pcn_err(PCN_EXIT_USAGE, "unexpected \"%s\" after the cube name",
			       *argv);
	return cube_delete(name);
}

/* transparent cubes first: they leave the ports they sit on as they were */
static bool is_transparent(const char *name)
{
	struct pcn_cube c;
	bool t;

	if (cube_open(name, &c))
		return false;
	t = !c.meta.max_ports;
	cube_close(&c);
	return t;
}

int cube_flush_all(void)
{
	char **names;
	int i, n, pass, err;

	err = tree_cubes(PCN_WRITE_EXISTING, &names, &n);
	for (pass = 0; pass < 2 && !err; pass++)
		for (i = 0; i < n && !err; i++)
			if (names[i] && is_transparent(names[i]) == !pass) {
				err = cube_delete(names[i]);
				free(names[i]);
				names[i] = NULL;
			}
	cube_names_free(names, n);
	return err;
}

static int cube_flush_verb(int argc, char **argv)
{
	if (argc > 0)
		return pcn_err(PCN_EXIT_USAGE,
			       "\"cube flush\" takes no argument (it deletes every cube of the namespace)");
	return cube_flush_all();
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

static void print_port(struct pcn_cube *c, const struct cube_type *type,
		       const struct pcn_port *ports, __u32 idx)
{
	const struct pcn_port *p = &ports[idx];

	open_json_object(NULL);
	print_string(PRINT_FP, NULL, "%s", "    ");
	print_string(PRINT_ANY, "name", "%s", p->name);
	if (show_details)
		print_uint(PRINT_ANY, "index", " index %u", idx);
	port_print_peer(c, p);
	if (type && type->show_port)
		type->show_port(c, ports, idx);
	if (show_stats)
		print_port_counters(c, idx);
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
	if (show_stats && type && (type->counters || !c.meta.max_ports))
		print_counters(&c, type->counters);
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
	bool none;

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
	err = tree_open(PCN_READ, &none);
	if (err)
		return err;
	if (none) {
		if (only)
			return cube_open_err(only, -ENOENT);
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
	{ "flush", cube_flush_verb },
	{ NULL, NULL },
};

const struct pcn_object cube_object = {
	.name = "cube",
	.cmds = cmds,
	.summary = "network functions: add, delete, configure, show",
	.usage = usage,
};
