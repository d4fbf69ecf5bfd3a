// SPDX-License-Identifier: GPL-2.0
/*
 * The block list of a ddos cube, changed in memory, then committed as
 * one switch of generation (bpf/ddos.h):
 *
 *   1. if the generation not in use may differ from the list (a change
 *      was cut short), it is built again from ddos_list first;
 *   2. ddos_state.spare_ok = 0: it is being written;
 *   3. ddos_list (the canonical list) gets the change, new entries an id
 *      (their counters zeroed), and the generation not in use too;
 *   4. the switch: ddos_state.gen, in one write;
 *   5. once no program can still be in the generation left
 *      (map_readers_wait()), it gets the same change; spare_ok = 1.
 *
 * A pcn killed before 4 leaves the old list in use; a kill after 3 has
 * begun leaves ddos_list ahead of it, and the next change builds both
 * generations from ddos_list (1), so the cut change is then in force.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "dm.h"

#ifndef ENOTSUPP
#define ENOTSUPP 524	/* the kernel's own: an operation a map lacks */
#endif

static struct dm_table *staged;

const char *dm_side_name(__u32 side)
{
	return side == DDOS_DST ? "dst" : "src";
}

int dm_maps_open(const struct pcn_cube *c, struct dm_maps *m)
{
	m->state = cube_obj_fd(c, "ddos_state");
	m->lpm4 = cube_obj_fd(c, "ddos_lpm4");
	m->lpm6 = cube_obj_fd(c, "ddos_lpm6");
	m->list = cube_obj_fd(c, "ddos_list");
	m->hits = cube_obj_fd(c, "ddos_hits");
	if (m->state < 0 || m->lpm4 < 0 || m->lpm6 < 0 || m->list < 0 ||
	    m->hits < 0) {
		dm_maps_close(m);
		return -EBADF;
	}
	return 0;
}

void dm_maps_close(struct dm_maps *m)
{
	int *fd[] = { &m->state, &m->lpm4, &m->lpm6, &m->list, &m->hits };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(fd); i++) {
		if (*fd[i] >= 0)
			close(*fd[i]);
		*fd[i] = -1;
	}
}

static int entry_cmp(const void *a, const void *b)
{
	const struct ddos_entry *x = a, *y = b;

	if (x->family != y->family)
		return x->family - y->family;
	if (x->side != y->side)
		return x->side - y->side;
	return memcmp(x->addr, y->addr, 16) ?: x->plen - y->plen;
}

int dm_list_read(const struct dm_maps *m, struct ddos_entry **es,
		 __u32 **ids)
{
	struct ddos_entry *k;
	__u32 *v, *order;
	int n, i;

	n = map_dump(m->list, sizeof(*k), sizeof(*v), DDOS_MAX, (void **)&k,
		     (void **)&v);
	if (n < 0)
		return n;
	/* sort the ids along with their entries: the id follows each */
	order = malloc((n ? n : 1) * (sizeof(*k) + 4));
	if (!order) {
		free(k);
		free(v);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		memcpy((char *)order + i * (sizeof(*k) + 4), &k[i], sizeof(*k));
		memcpy((char *)order + i * (sizeof(*k) + 4) + sizeof(*k), &v[i], 4);
	}
	qsort(order, n, sizeof(*k) + 4, entry_cmp);
	for (i = 0; i < n; i++) {
		memcpy(&k[i], (char *)order + i * (sizeof(*k) + 4), sizeof(*k));
		memcpy(&v[i], (char *)order + i * (sizeof(*k) + 4) + sizeof(*k), 4);
	}
	free(order);
	*es = k;
	if (ids)
		*ids = v;
	else
		free(v);
	return n;
}

/* ---- the table in memory ---- */

static __u32 entry_hash(const struct ddos_entry *e)
{
	const __u8 *b = (const void *)e;
	__u32 h = 2166136261u;
	size_t i;

	for (i = 0; i < sizeof(*e); i++)
		h = (h ^ b[i]) * 16777619u;
	return h;
}

static struct dm_slot *slot_find(struct dm_table *t,
				 const struct ddos_entry *e)
{
	__u32 i = entry_hash(e) & (t->size - 1);

	while (t->slot[i].used && memcmp(&t->slot[i].e, e, sizeof(*e)))
		i = (i + 1) & (t->size - 1);
	return &t->slot[i];
}

static int table_grow(struct dm_table *t)
{
	struct dm_slot *old = t->slot, *s;
	__u32 n = t->size, i;

	t->size = n ? 2 * n : 1024;
	t->slot = calloc(t->size, sizeof(*t->slot));
	if (!t->slot) {
		t->slot = old;
		t->size = n;
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		if (!old[i].used)
			continue;
		s = slot_find(t, &old[i].e);
		*s = old[i];
	}
	free(old);
	return 0;
}

static int slot_get(struct dm_table *t, const struct ddos_entry *e,
		    struct dm_slot **sp);

/*
 * Every entry of the kernel's list into @t (those it has not yet, as
 * there and to stay): a large batch then reads the list in a few
 * system calls instead of one per line.
 */
static int table_read_whole(struct dm_table *t)
{
	struct ddos_entry *k;
	struct dm_slot *s;
	__u32 *v;
	int n, i, err = 0;

	n = map_dump(t->list_fd, sizeof(*k), sizeof(*v), DDOS_MAX,
		     (void **)&k, (void **)&v);
	if (n < 0)
		return n;
	t->whole = true;
	for (i = 0; !err && i < n; i++) {
		s = slot_find(t, &k[i]);
		if (s->used) {
			if (!s->was) {
				/* seen as absent before: as the kernel has it */
				s->was = 1;
				t->changes += s->now ? -1 : 1;
			}
			continue;
		}
		err = slot_get(t, &k[i], &s);
		if (!err) {
			s->was = s->now = 1;
		}
	}
	free(k);
	free(v);
	return err;
}

/* the slot of @e, made (with what the kernel's list says) if new */
static int slot_get(struct dm_table *t, const struct ddos_entry *e,
		    struct dm_slot **sp)
{
	struct dm_slot *s;
	__u32 id;
	int err;

	if ((t->used + 1) * 2 > t->size) {
		err = table_grow(t);
		if (err)
			return err;
	}
	s = slot_find(t, e);
	if (!s->used) {
		s->used = 1;
		s->e = *e;
		if (t->whole)
			s->was = 0;	/* the table holds every kernel entry */
		else if (bpf_map_lookup_elem(t->list_fd, e, &id) == 0)
			s->was = 1;
		else if (errno != ENOENT)
			return -errno;
		s->now = s->was;
		t->used++;
		if (!t->whole && ++t->lookups == DM_LOOKUPS_MAX) {
			err = table_read_whole(t);
			if (err)
				return err;
			*sp = slot_find(t, e);
			return 0;
		}
	}
	*sp = s;
	return 0;
}

int dm_table_has(struct dm_table *t, const struct ddos_entry *e, bool *has)
{
	struct dm_slot *s;
	int err = slot_get(t, e, &s);

	if (!err)
		*has = s->now;
	return err;
}

static void slot_set(struct dm_table *t, struct dm_slot *s, bool in)
{
	if (s->now != s->was)
		t->changes--;
	s->now = in;
	if (s->now != s->was)
		t->changes++;
}

int dm_table_put(struct dm_table *t, const struct ddos_entry *e, bool in)
{
	struct dm_slot *s;
	int err = slot_get(t, e, &s);

	if (!err)
		slot_set(t, s, in);
	return err;
}

int dm_table_flush(struct dm_table *t, int side)
{
	struct ddos_entry *k;
	struct dm_slot *s;
	__u32 *v, i;
	int n, err = 0;

	n = map_dump(t->list_fd, sizeof(*k), sizeof(*v), DDOS_MAX,
		     (void **)&k, (void **)&v);
	if (n < 0)
		return n;
	for (i = 0; !err && i < (__u32)n; i++)
		if (side < 0 || k[i].side == side)
			err = slot_get(t, &k[i], &s);
	for (i = 0; !err && i < t->size; i++)
		if (t->slot[i].used && (side < 0 || t->slot[i].e.side == side))
			slot_set(t, &t->slot[i], false);
	free(k);
	free(v);
	return err;
}

static void table_free(struct dm_table *t)
{
	if (!t)
		return;
	if (t->list_fd >= 0)
		close(t->list_fd);
	free(t->slot);
	free(t);
}

struct dm_table *dm_table_get(const char *name, int *err)
{
	struct dm_table *t;
	struct pcn_cube c;

	for (t = staged; t; t = t->next)
		if (!strcmp(t->name, name))
			return t;
	*err = cube_open_type(name, "ddos", &c, true);
	if (*err)
		return NULL;
	t = calloc(1, sizeof(*t));
	if (!t) {
		*err = pcn_err_kernel(-ENOMEM, "cannot read ddos \"%s\"", name);
		cube_close(&c);
		return NULL;
	}
	name_copy(t->name, name);
	t->list_fd = cube_obj_fd(&c, "ddos_list");
	cube_close(&c);
	if (t->list_fd < 0 || table_grow(t)) {
		*err = pcn_err_kernel(t->list_fd < 0 ? -EBADF : -ENOMEM,
				      "cannot read ddos \"%s\"", name);
		table_free(t);
		return NULL;
	}
	t->map_id = map_fd_id(t->list_fd);
	if (batch_line) {
		t->next = staged;
		staged = t;
	}
	return t;
}

/* ---- writing the generations ---- */

/*
 * @n keys of @ksize bytes and their values of @vsize into map @fd, or
 * (@vals NULL) out of it, in as few system calls as the kernel allows:
 * BPF_MAP_UPDATE_BATCH and BPF_MAP_DELETE_BATCH where it has them, one
 * element at a time where it does not. A key to delete that is not
 * there is skipped.
 */
static int batch_write(int fd, const void *keys, const void *vals,
		       size_t ksize, size_t vsize, __u32 n)
{
	const char *k = keys, *v = vals;
	bool batch = true;
	__u32 done = 0, cnt;
	int ret;

	while (done < n) {
		if (batch) {
			cnt = n - done;
			ret = vals ? bpf_map_update_batch(fd, k + done * ksize,
							  v + done * vsize,
							  &cnt, NULL) :
				     bpf_map_delete_batch(fd, k + done * ksize,
							  &cnt, NULL);
			if (!ret) {
				done = n;
				break;
			}
			if (errno == EINVAL || errno == ENOTSUPP ||
			    errno == EOPNOTSUPP) {
				/* no batches here: one at a time */
				batch = false;
				continue;
			}
			done += cnt;
			if (errno != ENOENT || vals)
				return -errno;
			done++;		/* not there: nothing to delete */
			continue;
		}
		ret = vals ? bpf_map_update_elem(fd, k + done * ksize,
						 v + done * vsize, BPF_ANY) :
			     bpf_map_delete_elem(fd, k + done * ksize);
		if (ret && !(errno == ENOENT && !vals))
			return -errno;
		done++;
	}
	return 0;
}

/*
 * The @n entries @es into the tries' set @gen * 2 + side, with their
 * ids @ids, or (@ids NULL) out of them.
 */
static int lpm_batch(const struct dm_maps *m, __u32 gen,
		     const struct ddos_entry *es, const __u32 *ids, __u32 n)
{
	struct ddos_lpm4_key *k4 = calloc(n ? n : 1, sizeof(*k4));
	struct ddos_lpm6_key *k6 = calloc(n ? n : 1, sizeof(*k6));
	__u32 *v4 = calloc(n ? n : 1, 4), *v6 = calloc(n ? n : 1, 4);
	__u32 i, n4 = 0, n6 = 0;
	int err = -ENOMEM;

	if (!k4 || !k6 || !v4 || !v6)
		goto out;
	for (i = 0; i < n; i++) {
		const struct ddos_entry *e = &es[i];

		if (e->family == 4) {
			k4[n4].prefixlen = 8 + e->plen;
			k4[n4].set = gen * 2 + e->side;
			memcpy(k4[n4].addr, e->addr, 4);
			v4[n4++] = ids ? ids[i] : 0;
		} else {
			k6[n6].prefixlen = 8 + e->plen;
			k6[n6].set = gen * 2 + e->side;
			memcpy(k6[n6].addr, e->addr, 16);
			v6[n6++] = ids ? ids[i] : 0;
		}
	}
	err = batch_write(m->lpm4, k4, ids ? v4 : NULL, sizeof(*k4), 4, n4) ?:
	      batch_write(m->lpm6, k6, ids ? v6 : NULL, sizeof(*k6), 4, n6);
out:
	free(k4);
	free(k6);
	free(v4);
	free(v6);
	return err;
}

/* every key of sets @set of trie @fd (key of @ksize bytes) deleted */
static int lpm_clear(int fd, size_t ksize, __u32 set)
{
	__u8 key[32], next[32];
	void *keys = NULL;
	size_t n = 0, cap = 0;
	int err = 0;

	if (bpf_map_get_next_key(fd, NULL, next))
		return errno == ENOENT ? 0 : -errno;
	do {
		memcpy(key, next, ksize);
		if (key[4] != set)	/* the set: the byte after prefixlen */
			continue;
		if (n == cap) {
			void *k = realloc(keys, (cap = cap ? 2 * cap : 4096) * ksize);

			if (!k) {
				err = -ENOMEM;
				goto out;
			}
			keys = k;
		}
		memcpy((char *)keys + n++ * ksize, key, ksize);
	} while (!bpf_map_get_next_key(fd, key, next));
	err = batch_write(fd, keys, NULL, ksize, 0, n);
out:
	free(keys);
	return err;
}

/* the lists of both sides present in the list, as DDOS_HAS() bits */
static __u32 list_has(const struct ddos_entry *es, int n)
{
	__u32 has = 0;
	int i;

	for (i = 0; i < n; i++)
		has |= DDOS_HAS(es[i].family, es[i].side);
	return has;
}

/* generation @gen made again from ddos_list, whole */
static int gen_build(const struct dm_maps *m, __u32 gen,
		     struct ddos_state *st)
{
	struct ddos_entry *es;
	__u32 *ids, side;
	int n, err = 0;

	for (side = 0; !err && side < 2; side++)
		err = lpm_clear(m->lpm4, sizeof(struct ddos_lpm4_key),
				gen * 2 + side) ?:
		      lpm_clear(m->lpm6, sizeof(struct ddos_lpm6_key),
				gen * 2 + side);
	if (err)
		return err;
	n = dm_list_read(m, &es, &ids);
	if (n < 0)
		return n;
	err = lpm_batch(m, gen, es, ids, n);
	st->nonempty[gen] = list_has(es, n);
	st->count = n;
	free(es);
	free(ids);
	return err;
}

static int state_write(const struct dm_maps *m, const struct ddos_state *st)
{
	__u32 zero = 0;

	return bpf_map_update_elem(m->state, &zero, st, BPF_ANY) ? -errno : 0;
}

/* a change was cut short: both generations again from ddos_list */
static int recover(const struct dm_maps *m, struct ddos_state *st)
{
	int err;

	err = gen_build(m, !st->gen, st);
	if (err)
		return err;
	st->gen = !st->gen;
	err = state_write(m, st);
	if (err)
		return err;
	map_readers_wait();
	err = gen_build(m, !st->gen, st);
	if (err)
		return err;
	st->spare_ok = 1;
	return state_write(m, st);
}

/* a free id, from st->next_id on, marked taken in @taken */
static int id_take(__u8 *taken, struct ddos_state *st, __u32 *id)
{
	__u32 i, n;

	for (n = 0; n < DDOS_MAX; n++) {
		i = (st->next_id + n) % DDOS_MAX;
		if (!taken[i]) {
			taken[i] = 1;
			st->next_id = (i + 1) % DDOS_MAX;
			*id = i;
			return 0;
		}
	}
	return -E2BIG;
}

/* the index of @e's list in DDOS_HAS() bits */
#define LIST_OF(e) (((e)->family == 6) * 2 + (e)->side)

static int table_commit(struct dm_table *t)
{
	struct ddos_entry *es = NULL, *add_e = NULL, *del_e = NULL;
	struct ddos_hit *zero_hits = NULL;
	struct ddos_state st;
	struct pcn_cube c;
	struct dm_maps m;
	__u32 zero = 0, *ids = NULL, *add_id = NULL, i, has = 0;
	__u32 nadd = 0, ndel = 0;
	__u8 *taken = NULL;
	int n, err, k, cnt[4] = {};

	if (!t->changes)
		return 0;
	err = cube_open_type(t->name, "ddos", &c, true);
	if (err)
		return err;
	err = dm_maps_open(&c, &m);
	cube_close(&c);
	if (err)
		return pcn_err_kernel(err, "cannot open ddos \"%s\"", t->name);
	if (map_fd_id(m.list) != t->map_id) {
		dm_maps_close(&m);
		return pcn_err(PCN_EXIT_KERNEL,
			       "ddos \"%s\" was deleted during the batch: its list changes are not applied",
			       t->name);
	}
	if (bpf_map_lookup_elem(m.state, &zero, &st)) {
		err = -errno;
		goto out;
	}
	if (!st.spare_ok) {
		err = recover(&m, &st);
		if (err)
			goto out;
	}
	/* the ids in use, and how many entries each list has */
	n = map_dump(m.list, sizeof(*es), sizeof(*ids), DDOS_MAX,
		     (void **)&es, (void **)&ids);
	if (n < 0) {
		err = n;
		goto out;
	}
	taken = calloc(DDOS_MAX, 1);
	add_e = calloc(t->changes, sizeof(*add_e));
	del_e = calloc(t->changes, sizeof(*del_e));
	add_id = calloc(t->changes, sizeof(*add_id));
	zero_hits = calloc(t->changes, sizeof(*zero_hits));
	if (!taken || !add_e || !del_e || !add_id || !zero_hits) {
		err = -ENOMEM;
		goto out;
	}
	for (k = 0; k < n; k++) {
		taken[ids[k] % DDOS_MAX] = 1;
		cnt[LIST_OF(&es[k])]++;
	}
	for (i = 0; i < t->size; i++) {
		struct dm_slot *s = &t->slot[i];

		if (s->used && s->was != s->now) {
			n += s->now ? 1 : -1;
			cnt[LIST_OF(&s->e)] += s->now ? 1 : -1;
		}
	}
	for (k = 0; k < 4; k++)
		if (cnt[k] > 0)
			has |= 1u << k;
	if (n > DDOS_MAX) {
		err = -E2BIG;
		goto out;
	}
	st.count = n;
	st.spare_ok = 0;
	err = state_write(&m, &st);
	if (err)
		goto out;
	pcn_fault_point("ddos-commit");
	/* 3: the canonical list and the generation not in use, in batches */
	for (i = 0; !err && i < t->size; i++) {
		struct dm_slot *s = &t->slot[i];

		if (!s->used || s->was == s->now)
			continue;
		if (s->now) {
			err = id_take(taken, &st, &add_id[nadd]);
			add_e[nadd++] = s->e;
		} else {
			del_e[ndel++] = s->e;
		}
	}
	for (i = 0; i < nadd; i++)
		zero_hits[i] = (struct ddos_hit){};
	if (!err)
		err = batch_write(m.hits, add_id, zero_hits, sizeof(*add_id),
				  sizeof(*zero_hits), nadd) ?:
		      batch_write(m.list, del_e, NULL, sizeof(*del_e), 0, ndel) ?:
		      batch_write(m.list, add_e, add_id, sizeof(*add_e),
				  sizeof(*add_id), nadd) ?:
		      lpm_batch(&m, !st.gen, del_e, NULL, ndel) ?:
		      lpm_batch(&m, !st.gen, add_e, add_id, nadd);
	if (err)
		goto out;
	pcn_fault_point("ddos-switch");
	/*
	 * 4: the switch. An array map's value is copied over in place,
	 * with no lock against a packet reading it: the lists the new
	 * generation holds are written first, while no packet reads them,
	 * so that the write of the switch changes the generation alone.
	 */
	st.nonempty[!st.gen] = has;
	err = state_write(&m, &st);
	if (err)
		goto out;
	st.gen = !st.gen;
	err = state_write(&m, &st);
	if (err)
		goto out;
	map_readers_wait();
	/* 5: the generation left, the same */
	err = lpm_batch(&m, !st.gen, del_e, NULL, ndel) ?:
	      lpm_batch(&m, !st.gen, add_e, add_id, nadd);
	if (!err) {
		st.nonempty[!st.gen] = has;
		st.spare_ok = 1;
		err = state_write(&m, &st);
	}
	for (i = 0; !err && i < t->size; i++)
		t->slot[i].was = t->slot[i].now;
	if (!err)
		t->changes = 0;
out:
	dm_maps_close(&m);
	free(es);
	free(ids);
	free(taken);
	free(add_e);
	free(del_e);
	free(add_id);
	free(zero_hits);
	if (err == -E2BIG)
		return pcn_err(PCN_EXIT_KERNEL,
			       "ddos \"%s\": the list would hold more than %d entries",
			       t->name, DDOS_MAX);
	return err ? pcn_err_kernel(err, "cannot change the list of ddos \"%s\"",
				    t->name) : 0;
}

int dm_table_done(struct dm_table *t)
{
	int err;

	if (batch_line) {
		if (!t->first_line)
			t->first_line = batch_line;
		t->last_line = batch_line;
		return 0;
	}
	err = table_commit(t);
	table_free(t);
	return err;
}

void dm_table_drop(struct dm_table *t)
{
	if (!batch_line)
		table_free(t);
}

int dm_tables_end(bool commit, int failed_line)
{
	struct dm_table *t;
	int err = 0, e, saved = batch_line, saved_end = batch_line_end;

	while ((t = staged)) {
		staged = t->next;
		if (commit) {
			e = table_commit(t);
			err = err ?: e;
		} else if (t->changes && failed_line) {
			batch_line = t->first_line;
			batch_line_end = t->last_line;
			pcn_err(PCN_EXIT_KERNEL,
				"not applied: the list changes of ddos \"%s\" in a batch are made only if no line fails, and line %d failed",
				t->name, failed_line);
			batch_line = saved;
			batch_line_end = saved_end;
		}
		table_free(t);
	}
	return err;
}
