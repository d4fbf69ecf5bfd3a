// SPDX-License-Identifier: GPL-2.0
/*
 * What the objects of cube types share: show each cube of a type, flush
 * one's table, and "cube set" of per-port settings with a timeout.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcn.h"

/*
 * The type's own keyword at argv[0], through @parse_kw (which takes it
 * and its value, or returns -1 when it is not one of its).
 * Return: 0, or the exit code of the error reported.
 */
static int type_kw(int (*parse_kw)(int *argc, char ***argv, void *arg),
		   const char *object, int *argc, char ***argv, void *arg)
{
	int err = parse_kw ? parse_kw(argc, argv, arg) : -1;

	return err < 0 ? pcn_unknown_kw(object, **argv) : err;
}

/* what cube_show_each() hands each cube's callback */
struct show_each {
	const struct show_spec *spec;
	const char *port;
	void *arg;
};

static int show_each_cb(struct pcn_cube *c, void *arg)
{
	struct show_each *e = arg;

	if (strcmp(c->meta.type, e->spec->type))
		return 0;
	return e->spec->show(c, e->port, e->arg);
}

int cube_show_each(int argc, char **argv, const struct show_spec *spec,
		   void *arg)
{
	char cube[PCN_NAME_LEN] = "", port[PCN_NAME_LEN] = "";
	struct show_each e = { .spec = spec, .arg = arg };
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
			err = arg_port_endpoint(*argv, cube, port);
		} else {
			err = type_kw(spec->parse_kw, spec->object, &argc, &argv,
				      arg);
			if (err)
				return err;
			continue;
		}
		if (err)
			return err;
		argc--;
		argv++;
	}
	e.port = port[0] ? port : NULL;
	return cube_show_of_type(cube[0] ? cube : NULL, spec->type,
				 show_each_cb, &e);
}

int cube_show_of_type(const char *name, const char *type,
		      int (*fn)(struct pcn_cube *c, void *arg), void *arg)
{
	struct pcn_cube c;
	bool none = false;
	int err;

	if (name) {
		err = cube_open_type(name, type, &c, false);
		if (err)
			return err;
		cube_close(&c);
	} else {
		/* no tree yet: nothing to show */
		err = tree_open(PCN_READ, &none);
		if (err)
			return err;
	}
	new_json_obj(json, pretty);
	open_json_array(PRINT_JSON, NULL);
	if (!none)
		cube_for_each(name, fn, arg);
	close_json_array(PRINT_JSON, NULL);
	delete_json_obj();
	return 0;
}

int cube_flush_cmd(int argc, char **argv, const struct flush_spec *spec)
{
	const char *cube = NULL, *port = NULL;
	bool dynamic_only = false;
	char arg[64] = {};
	struct pcn_cube c;
	int idx = -1, err;

	if (spec->arg_size > sizeof(arg))
		return pcn_err(PCN_EXIT_KERNEL, "flush: arguments too large");
	while (argc > 0) {
		if (is_kw(*argv, "cube")) {
			NEXT_ARG();
			err = arg_name_once("cube", *argv, &cube);
		} else if (is_kw(*argv, "port")) {
			NEXT_ARG();
			err = arg_name_once("port", *argv, &port);
		} else if (spec->dynamic && is_kw(*argv, "dynamic")) {
			DUP_CHECK(dynamic_only, "dynamic");
			err = 0;
		} else {
			err = type_kw(spec->parse_kw, spec->object, &argc, &argv,
				      arg);
			if (err)
				return err;
			continue;
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
		err = cube_port_index(&c, port, &idx);
		if (err) {
			cube_close(&c);
			return err;
		}
	}
	err = spec->flush(&c, idx, dynamic_only, arg);
	if (err)
		err = pcn_err_kernel(err, "cannot flush the %s of \"%s\"",
				     spec->what, cube);
	cube_close(&c);
	return err;
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
		err = arg_seconds(kw, *argv, &sec);
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
			err = arg_seconds(ps->kw, *argv, &sec);
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

