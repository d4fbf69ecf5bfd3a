// SPDX-License-Identifier: GPL-2.0
/* The patch panel of a network namespace (panel.h). */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpffs.h"
#include "chain.h"
#include "cube.h"
#include "panel.h"
#include "utils.h"

__u32 panel_prog_id(enum pcn_mode mode, __u32 slot)
{
	__u32 id = 0;
	int fd;

	fd = pcn_panel_fd(mode);
	if (fd < 0)
		return 0;
	if (bpf_map_lookup_elem(fd, &slot, &id))
		id = 0;
	close(fd);
	return id;
}

int panel_set(enum pcn_mode mode, __u32 slot, int prog_fd)
{
	int fd, err = 0;

	fd = pcn_panel_fd(mode);
	if (fd < 0)
		return -errno;
	if (bpf_map_update_elem(fd, &slot, &prog_fd, BPF_ANY))
		err = -errno;
	close(fd);
	return err;
}

int panel_clear(enum pcn_mode mode, __u32 slot)
{
	int fd, err = 0;

	fd = pcn_panel_fd(mode);
	if (fd < 0)
		return -errno;
	if (bpf_map_delete_elem(fd, &slot) && errno != ENOENT)
		err = -errno;
	close(fd);
	return err;
}

void panel_clear_range(enum pcn_mode mode, __u32 slot, __u32 n)
{
	int fd = pcn_panel_fd(mode);
	__u32 i, k;

	if (fd < 0)
		return;
	for (i = 0; i < n; i++) {
		k = slot + i;
		bpf_map_delete_elem(fd, &k);
	}
	close(fd);
}

static bool ends_with(const char *s, const char *end)
{
	size_t a = strlen(s), b = strlen(end);

	return a >= b && !strcmp(s + a - b, end);
}

int panel_install(const struct cube_spec *spec, struct bpf_object *obj)
{
	struct bpf_program *prog;
	int err;

	if (spec->max_ports) {
		/* the program named after the type; the others are helpers */
		prog = bpf_object__find_program_by_name(obj, spec->type);
		return prog ? panel_set(spec->mode, spec->slot,
					bpf_program__fd(prog))
			    : -ENOENT;
	}
	bpf_object__for_each_program(prog, obj) {
		const char *name = bpf_program__name(prog);
		__u32 slot;

		if (ends_with(name, "_in"))
			slot = spec->slot + PCN_DIR_INGRESS;
		else if (ends_with(name, "_eg"))
			slot = spec->slot + PCN_DIR_EGRESS;
		else
			continue;
		err = panel_set(spec->mode, slot, bpf_program__fd(prog));
		if (err)
			return err;
	}
	return 0;
}

int panel_copy(enum pcn_mode mode, __u32 from, __u32 to)
{
	__u32 id = panel_prog_id(mode, from);
	int fd, err;

	if (!id)
		return -ENOENT;
	fd = bpf_prog_get_fd_by_id(id);
	if (fd < 0)
		return -errno;
	err = panel_set(mode, to, fd);
	close(fd);
	return err;
}

static void mark(bool *used, __u32 slot, __u32 n)
{
	__u32 i;

	for (i = 0; i < n; i++)
		if (slot + i < PCN_MAX_SLOTS)
			used[slot + i] = true;
}

/*
 * The finals are used while a chain may end in one of them: the host,
 * for the points of interfaces; an interface, for the egress points of
 * ports connected to one; and while any transparent cube is attached,
 * whose tail call into PCN_SLOT_TX tells an empty slot from the
 * kernel's tail-call limit (pcn_cube.h). They come and go together
 * (finals_ensure()).
 */
int slots_mark(enum pcn_mode mode, bool *used)
{
	static struct pcn_point all[PCN_MAX_POINTS];
	struct pcn_port ports[PCN_MAX_PORTS];
	char **names;
	int n, i, j, err;

	memset(used, 0, PCN_MAX_SLOTS * sizeof(*used));
	err = points_read_all(all);
	if (!err)
		err = cube_names(&names, &n);
	if (err)
		return err;
	for (i = 0; i < n; i++) {
		struct pcn_cube c;

		if (cube_open(names[i], &c))
			continue;
		if (mode_same_hook(c.meta.mode, mode)) {
			mark(used, c.meta.slot, c.meta.nslots);
			if (c.meta.max_ports && !cube_ports_read(&c, ports))
				for (j = 0; j < PCN_MAX_PORTS; j++) {
					if (!ports[j].name[0])
						continue;
					mark(used, ports[j].in_slot, 1);
					if (ports[j].eg_point != PCN_POINT_NONE &&
					    ports[j].peer == PCN_PEER_IFACE)
						mark(used, 0, PCN_SLOT_FIRST);
				}
		}
		cube_close(&c);
	}
	cube_names_free(names, n);
	for (i = 0; i < PCN_MAX_POINTS; i++) {
		struct pcn_chain ch;

		if (all[i].kind == PCN_POINT_FREE ||
		    !mode_same_hook(all[i].mode, mode))
			continue;
		if (all[i].kind == PCN_POINT_DEV) {
			mark(used, all[i].entry_slot, 1);
			mark(used, 0, PCN_SLOT_FIRST);
		} else if (all[i].rec != PCN_REC_NONE && !point_chain(i, &ch) &&
			   ch.n) {
			mark(used, 0, PCN_SLOT_FIRST);
		}
	}
	return 0;
}

int finals_gc(enum pcn_mode mode)
{
	static bool used[PCN_MAX_SLOTS];
	int err;

	err = slots_mark(mode, used);
	if (!err && !used[PCN_SLOT_PASS])
		err = panel_clear(mode, PCN_SLOT_PASS) ?:
		      panel_clear(mode, PCN_SLOT_TX);
	return err;
}

int panel_alloc(enum pcn_mode mode, __u32 n, __u32 *base)
{
	static bool used[PCN_MAX_SLOTS];
	__u32 i, id, run = 0;
	int fd, err;

	err = slots_mark(mode, used);
	if (err)
		return err;
	fd = pcn_panel_fd(mode);	/* none yet: no slot is taken */
	err = -ENOSPC;
	for (i = PCN_SLOT_FIRST; i < PCN_MAX_SLOTS; i++) {
		/* taken by what the state says, or by a program half-made */
		if (used[i] || (fd >= 0 && !bpf_map_lookup_elem(fd, &i, &id))) {
			run = 0;
			continue;
		}
		if (++run == n) {
			*base = i + 1 - n;
			err = 0;
			break;
		}
	}
	if (fd >= 0)
		close(fd);
	return err;
}
