/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The load balancers in user space: what the types (lbdsr.c, lbrp.c)
 * and their objects (service.c, backend.c) share, kept in lb.c.
 */
#ifndef __PCN_LB_USER_H
#define __PCN_LB_USER_H

#include "pcn.h"
#include "lbdsr.h"

/* Is @c a load balancer (lbdsr or lbrp)? the reverse proxy? */
bool lb_is_type(const struct pcn_cube *c);
bool lb_is_rp(const struct pcn_cube *c);

/*
 * Open load balancer @name (either type), for a change or to read.
 * Return: 0, or the exit code of the error reported.
 */
int lb_open(const char *name, struct pcn_cube *c, bool change);

/* "show": @fn for load balancer @name, or every cube (@fn checks the
 * type). Return: an exit code. */
int lb_show_cubes(const char *name, int (*fn)(struct pcn_cube *c, void *arg));

/* An address of either family (@kw "vip", "addr") into @addr, @family.
 * Return: 0, or the exit code of the error reported. */
int lb_parse_addr(const char *kw, const char *arg, __u8 *addr, __u8 *family);

/* Arguments that are only "[ cube LB ]", of @object's verb. */
int lb_cube_arg(int argc, char **argv, const char *object, const char **cube);

struct lb_svc_entry {
	struct lb_svc_key k;
	struct lb_svc v;
};

/* Every service of @c, sorted by key, in *@out (caller frees). */
int lb_svc_list(struct pcn_cube *c, struct lb_svc_entry **out, int *n);

/* A service as command lines name it: "vip ADDR port N proto P". */
struct lb_svc_args {
	const char *cube;
	struct lb_svc_key key;
	bool vip, port, proto;
};

/*
 * Take one of "cube LB", "vip ADDR", "port N", "proto { tcp | udp }"
 * off argv (argv[0] the keyword). Return: 0 (taken), -1 (not one of
 * them), or the exit code of the error reported.
 */
int lb_svc_kw(int *argc, char ***argv, struct lb_svc_args *a);

/* All four were given (reported otherwise). Return: an exit code. */
int lb_svc_args_check(const struct lb_svc_args *a);

/* "vip ADDR port N proto P", as commands take it, into @buf */
const char *lb_svc_str(const struct lb_svc_key *k, char *buf, size_t len);

/* an address of @family (4 or 6) as text, into @buf[INET6_ADDRSTRLEN] */
const char *lb_addr_str(__u8 family, const __u8 *addr, char *buf);

/* The service @k of @c in *@svc. Return: 0, -ENOENT, -errno. */
int lb_svc_get(struct pcn_cube *c, const struct lb_svc_key *k,
	       struct lb_svc *svc);

/* Every backend entry of @c (LB_BACKENDS_MAX), into @b. */
int lb_backends_read(struct pcn_cube *c, struct lb_backend *b);

/*
 * Build service @svc_id's Maglev table from @b (all entries) aside and
 * put it in place with one write; no backend with a weight: the table
 * goes (its traffic dropped as "no backend"). Return: 0 or -errno.
 */
int lb_table_switch(struct pcn_cube *c, __u32 svc_id,
		    const struct lb_backend *b);

/* per-CPU packets, bytes, flows of entry @id of @map, -s */
void lb_print_obj_stats(struct pcn_cube *c, const char *map, __u32 id);

/* pcn save: the service and backend lines of @c. Return: an exit code. */
int lb_services_save(struct pcn_cube *c, struct pcn_save *s);
int lb_backends_save(struct pcn_cube *c, struct pcn_save *s);

/* the objects */
extern const struct pcn_object lb_service_object;
extern const struct pcn_object lb_backend_object;

#endif /* __PCN_LB_USER_H */
