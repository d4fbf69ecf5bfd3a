// SPDX-License-Identifier: GPL-2.0
/* Attachment points, chain records and patch-panel slots (see chain.h). */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "bpffs.h"
#include "chain.h"
#include "cube.h"
#include "utils.h"

static int map_get(int (*open_fn)(void), __u32 key, void *val)
{
	int fd = open_fn(), err = 0;

	if (fd < 0)
		return -errno;
	if (bpf_map_lookup_elem(fd, &key, val))
		err = -errno;
	close(fd);
	return err;
}

static int map_put(int (*open_fn)(void), __u32 key, const void *val)
{
	int fd = open_fn(), err = 0;

	if (fd < 0)
		return -errno;
	if (bpf_map_update_elem(fd, &key, val, BPF_ANY))
		err = -errno;
	close(fd);
	return err;
}

int point_get(__u32 id, struct pcn_point *pt)
{
	return map_get(pcn_points_fd, id, pt);
}

int point_put(__u32 id, const struct pcn_point *pt)
{
	return map_put(pcn_points_fd, id, pt);
}

int chain_get(__u32 rec, struct pcn_chain *ch)
{
	return map_get(pcn_chains_fd, rec, ch);
}

int points_read_all(struct pcn_point *all)
{
	__u32 keys[PCN_MAX_POINTS], count = PCN_MAX_POINTS, out, i;
	int fd, err = 0;

	memset(all, 0, sizeof(*all) * PCN_MAX_POINTS);
	fd = pcn_points_fd();
	if (fd < 0)
		return -errno;
	if (bpf_map_lookup_batch(fd, NULL, &out, keys, all, &count, NULL) &&
	    errno != ENOENT) {
		for (i = 0; i < PCN_MAX_POINTS && !err; i++)
			if (bpf_map_lookup_elem(fd, &i, &all[i]))
				err = -errno;
	}
	close(fd);
	return err;
}

int point_alloc(const struct pcn_point *pt, __u32 *id)
{
	static struct pcn_point all[PCN_MAX_POINTS];
	__u32 i;
	int err;

	err = points_read_all(all);
	if (err)
		return err;
	for (i = 0; i < PCN_MAX_POINTS; i++) {
		if (all[i].kind == PCN_POINT_FREE) {
			*id = i;
			return point_put(i, pt);
		}
	}
	return -ENOSPC;
}

int point_release(__u32 id)
{
	struct pcn_point free_pt = {};

	return point_put(id, &free_pt);
}

int point_find_dev(const struct pcn_point *all, __u32 ifindex, __u32 dir)
{
	int i;

	for (i = 0; i < PCN_MAX_POINTS; i++)
		if (all[i].kind == PCN_POINT_DEV && all[i].ifindex == ifindex &&
		    all[i].dir == dir)
			return i;
	return -ENOENT;
}

int point_chain(__u32 id, struct pcn_chain *ch)
{
	struct pcn_point pt;
	int err;

	err = point_get(id, &pt);
	if (err)
		return err;
	if (pt.kind == PCN_POINT_FREE)
		return -ENOENT;
	if (pt.rec != PCN_REC_NONE)
		return chain_get(pt.rec, ch);
	/* a port's ingress before any transparent cube: straight in */
	memset(ch, 0, sizeof(*ch));
	ch->dir = pt.dir;
	ch->final = PCN_FINAL_CUBE;
	ch->final_slot = pt.cube_slot;
	ch->final_port = pt.port_idx;
	ch->final_point = id;
	return 0;
}

/*
 * A record nobody uses, taken round-robin from the netns cursor: a record
 * a point just left is the last to be handed out again, long after any
 * packet still walking it is gone.
 */
static int chain_alloc(__u32 *rec)
{
	static struct pcn_point all[PCN_MAX_POINTS];
	struct pcn_ns_meta meta;
	__u32 i, r;
	int err, p;

	err = pcn_ns_meta_get(&meta);
	if (!err)
		err = points_read_all(all);
	if (err)
		return err;
	for (i = 0; i < PCN_MAX_CHAINS; i++) {
		r = (meta.next_rec + i) % PCN_MAX_CHAINS;
		for (p = 0; p < PCN_MAX_POINTS; p++)
			if (all[p].kind != PCN_POINT_FREE && all[p].rec == r)
				break;
		if (p == PCN_MAX_POINTS) {
			meta.next_rec = (r + 1) % PCN_MAX_CHAINS;
			*rec = r;
			return pcn_ns_meta_put(&meta);
		}
	}
	return -ENOSPC;
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

int chain_store(__u32 id, const struct pcn_chain *ch, struct chain_undo *undo)
{
	struct pcn_point pt;
	__u32 rec;
	int err;

	if (undo)
		undo->rec = PCN_REC_NONE;
	err = point_get(id, &pt);
	if (!err && undo)
		err = pcn_ns_meta_get(&undo->meta);
	if (!err)
		err = chain_alloc(&rec);
	if (!err && undo) {
		err = chain_get(rec, &undo->old);
		if (!err)
			undo->rec = rec;
	}
	if (!err)
		err = map_put(pcn_chains_fd, rec, ch);
	if (err)
		return err;
	pt.rec = rec;
	return point_put(id, &pt);
}

void chain_undo(const struct chain_undo *undo)
{
	if (undo->rec == PCN_REC_NONE)
		return;
	map_put(pcn_chains_fd, undo->rec, &undo->old);
	pcn_ns_meta_put(&undo->meta);
}

int chain_find(const struct pcn_chain *ch, __u32 slot)
{
	__u32 i;

	for (i = 0; i < ch->n && i < PCN_MAX_HOPS; i++)
		if (ch->hops[i] == slot)
			return i;
	return -1;
}

int chain_insert(struct pcn_chain *ch, __u32 pos, __u32 slot)
{
	__u32 i;

	if (ch->n >= PCN_MAX_HOPS)
		return -ENOSPC;
	if (pos > ch->n)
		pos = ch->n;
	for (i = ch->n; i > pos; i--)
		ch->hops[i] = ch->hops[i - 1];
	ch->hops[pos] = slot;
	ch->n++;
	return 0;
}

void chain_remove(struct pcn_chain *ch, __u32 pos)
{
	__u32 i;

	if (pos >= ch->n)
		return;
	for (i = pos; i + 1 < ch->n; i++)
		ch->hops[i] = ch->hops[i + 1];
	ch->hops[--ch->n] = 0;
}

static bool same_family(enum pcn_mode a, enum pcn_mode b)
{
	return (a == PCN_MODE_TC) == (b == PCN_MODE_TC);
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
 * ports connected to one. They come and go together (finals_ensure()).
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
		if (same_family(c.meta.mode, mode)) {
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
	for (i = 0; i < PCN_MAX_POINTS; i++)
		if (all[i].kind == PCN_POINT_DEV &&
		    same_family(all[i].mode, mode)) {
			mark(used, all[i].entry_slot, 1);
			mark(used, 0, PCN_SLOT_FIRST);
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
	__u32 i, run = 0;
	int err;

	err = slots_mark(mode, used);
	if (err)
		return err;
	for (i = PCN_SLOT_FIRST; i < PCN_MAX_SLOTS; i++) {
		/* taken by what the state says, or by a program half-made */
		if (used[i] || panel_prog_id(mode, i)) {
			run = 0;
			continue;
		}
		if (++run == n) {
			*base = i + 1 - n;
			return 0;
		}
	}
	return -ENOSPC;
}
