// SPDX-License-Identifier: GPL-2.0
/* Attachment points, chain records and patch-panel slots (see chain.h). */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "bpffs.h"
#include "chain.h"
#include "map.h"
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

static int chain_get(__u32 rec, struct pcn_chain *ch)
{
	return map_get(pcn_chains_fd, rec, ch);
}

int points_read_all(struct pcn_point *all)
{
	int fd, err;

	fd = pcn_points_fd();
	if (fd < 0)
		return -errno;
	err = map_array_read(fd, PCN_MAX_POINTS, sizeof(*all), all);
	close(fd);
	return err;
}

int points_hops(__u32 *hops)
{
	static struct pcn_point all[PCN_MAX_POINTS];
	struct pcn_chain ch;
	int fd, err, i;

	err = points_read_all(all);
	if (err)
		return err;
	fd = pcn_chains_fd();
	if (fd < 0)
		return -errno;
	for (i = 0; i < PCN_MAX_POINTS; i++) {
		hops[i] = 0;
		if (all[i].kind != PCN_POINT_FREE &&
		    all[i].rec != PCN_REC_NONE &&
		    !bpf_map_lookup_elem(fd, &all[i].rec, &ch))
			hops[i] = ch.n;
	}
	close(fd);
	return 0;
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

__u32 chain_walk(const struct pcn_chain *ch, __u32 dir, __u32 *walk)
{
	__u32 n = ch->n < PCN_MAX_HOPS ? ch->n : PCN_MAX_HOPS, i;

	for (i = 0; i < n; i++)
		walk[i] = dir == PCN_DIR_EGRESS ? ch->hops[n - 1 - i]
						 : ch->hops[i];
	return n;
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
