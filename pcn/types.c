// SPDX-License-Identifier: GPL-2.0
/*
 * The registry of cube types: what PCN_CUBE_TYPE() put in the section
 * pcn_types, sorted by order and name once.
 */
#include <stdlib.h>
#include <string.h>

#include "pcn.h"

/* the section's bounds, from the linker (none if no type is linked) */
extern const struct cube_type *const __start_pcn_types[]
	__attribute__((weak));
extern const struct cube_type *const __stop_pcn_types[]
	__attribute__((weak));

static int type_cmp(const void *pa, const void *pb)
{
	const struct cube_type *a = *(const struct cube_type *const *)pa;
	const struct cube_type *b = *(const struct cube_type *const *)pb;

	if (a->order != b->order)
		return a->order < b->order ? -1 : 1;
	return strcmp(a->name, b->name);
}

const struct cube_type *const *cube_types(void)
{
	static const struct cube_type **sorted;
	size_t n = __stop_pcn_types - __start_pcn_types;

	if (!sorted) {
		sorted = calloc(n + 1, sizeof(*sorted));
		if (!sorted)
			abort();
		memcpy(sorted, __start_pcn_types, n * sizeof(*sorted));
		qsort(sorted, n, sizeof(*sorted), type_cmp);
	}
	return sorted;
}

const struct cube_type *cube_type_find(const char *name)
{
	const struct cube_type *const *t;

	for (t = cube_types(); *t; t++)
		if (is_kw(name, (*t)->name))
			return *t;
	return NULL;
}

static int port_added(struct pcn_cube *c, __u32 idx, const struct pcn_port *p)
{
	const struct cube_type *type = cube_type_find(c->meta.type);

	return type && type->port_added ? type->port_added(c, idx, p) : 0;
}

static int port_removed(struct pcn_cube *c, __u32 idx)
{
	const struct cube_type *type = cube_type_find(c->meta.type);

	return type && type->port_removed ? type->port_removed(c, idx) : 0;
}

static int port_changed(struct pcn_cube *c, __u32 idx,
			const struct pcn_port *was, const struct pcn_port *p)
{
	const struct cube_type *type = cube_type_find(c->meta.type);

	return type && type->port_changed ? type->port_changed(c, idx, was, p)
					  : 0;
}

const struct port_hooks type_port_hooks = {
	.added = port_added,
	.removed = port_removed,
	.changed = port_changed,
};
