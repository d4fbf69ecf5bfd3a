/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The load balancers (lbdsr, direct server return; lbrp, the reverse
 * proxy): the records of their services and backends, which user
 * space and both datapaths share, and (in the datapath) how a flow
 * finds its backend.
 *
 * Canonical configuration, in the kernel: lb_services (a service by
 * VIP, port, protocol -> its id and affinity) and lb_backends (an
 * array: a backend's service, address, MAC or port, weight). What the
 * datapath derives: each service's Maglev table (lb_maglev, a map of
 * maps indexed by service id), rebuilt aside and switched with one
 * write whenever a backend of the service changes. The objects
 * "service" and "backend" (pcn/cubes/lb/) write them for both types,
 * which name their maps alike.
 */
#ifndef __PCN_LB_SHARED_H
#define __PCN_LB_SHARED_H

#include <linux/types.h>

#define LB_SERVICES_MAX		1024
#define LB_BACKENDS_MAX		4096	/* of a cube, all services */
#define LB_SVC_BACKENDS_MAX	64	/* of a service */
#define LB_FLOWS_MAX		65536	/* the affinity table (LRU) */
#define LB_WEIGHT_DEFAULT	1

enum lb_affinity {
	LB_AFF_FLOW = 0,	/* client address, port and protocol */
	LB_AFF_SOURCE = 1,	/* client address alone */
};

/* lb_services: a hash */
struct lb_svc_key {
	__u8 vip[16];		/* IPv4: the first 4 bytes */
	__u16 port;		/* host order */
	__u8 proto;
	__u8 family;		/* 4 or 6 */
};

struct lb_svc {
	__u32 id;		/* 1..: lb_maglev, lb_svc_stats */
	__u32 affinity;		/* enum lb_affinity */
};

/* lb_backends: an array; a free entry has svc_id LB_FREE (ids from 1) */
#define LB_FREE			0

struct lb_backend {
	__u32 svc_id;
	__u32 weight;		/* 0: drained (no new flows) */
	__u32 gen;		/* bumped each time the entry is taken */
	__u8 addr[16];
	__u8 mac[6];		/* lbdsr: where the frame goes */
	__u8 family;
	__u8 pad;
	__u16 port;		/* lbrp: the port it listens on, host order;
				 * lbdsr: 0 (it answers on the VIP's) */
	__u16 pad2;
};

/* lb_flows: LRU hash, a client's flow -> its backend */
struct lb_flow_key {
	__u8 addr[16];
	__u32 svc_id;
	__u16 port;		/* 0 for source affinity */
	__u8 proto;		/* 0 for source affinity */
	__u8 pad;
};

struct lb_flow {
	__u32 backend;
	__u32 gen;		/* the backend entry's, when it was chosen */
};

/* lb_svc_stats[svc id], lb_backend_stats[backend], per CPU */
struct lb_obj_stats {
	__u64 packets;
	__u64 bytes;
	__u64 flows;		/* new flows given to it */
};

#ifdef __bpf__
#include "maglev.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LB_SERVICES_MAX);
	__type(key, struct lb_svc_key);
	__type(value, struct lb_svc);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} lb_services SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, LB_BACKENDS_MAX);
	__type(key, __u32);
	__type(value, struct lb_backend);
} lb_backends SEC(".maps");

struct lb_table {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PCN_MAGLEV_CHUNKS);
	/* by size: clang gives BTF no more than a forward declaration of
	 * a struct the code only points to */
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(struct pcn_maglev_chunk));
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, LB_SERVICES_MAX);
	__type(key, __u32);
	__array(values, struct lb_table);
} lb_maglev SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, LB_FLOWS_MAX);
	__type(key, struct lb_flow_key);
	__type(value, struct lb_flow);
} lb_flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, LB_SERVICES_MAX);
	__type(key, __u32);
	__type(value, struct lb_obj_stats);
} lb_svc_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, LB_BACKENDS_MAX);
	__type(key, __u32);
	__type(value, struct lb_obj_stats);
} lb_backend_stats SEC(".maps");

/* whether an address is the VIP of a service (any port) */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LB_SERVICES_MAX);
	__type(key, struct lb_svc_key);	/* port 0, proto 0 */
	__type(value, __u32);		/* services on it */
	__uint(map_flags, BPF_F_NO_PREALLOC);
} lb_vips SEC(".maps");

static __always_inline int lb_addr_eq(const __u8 *a, const __u8 *b)
{
	const __u32 *x = (const __u32 *)a, *y = (const __u32 *)b;

	return !((x[0] ^ y[0]) | (x[1] ^ y[1]) | (x[2] ^ y[2]) | (x[3] ^ y[3]));
}

static __always_inline int lb_is_vip(const __u8 *addr, __u8 family)
{
	struct lb_svc_key k = { .family = family };

	__builtin_memcpy(k.vip, addr, 16);
	return bpf_map_lookup_elem(&lb_vips, &k) != NULL;
}

/* The backend of a new flow: the Maglev entry its hash falls on. */
static __always_inline __u32 lb_maglev_pick(const struct lb_flow_key *fk,
					    __u32 svc_id)
{
	struct pcn_lb_flow f = {};
	struct pcn_maglev_chunk *c;
	__u32 chunk, pos;
	void *table;

	__builtin_memcpy(f.addr, fk->addr, 16);
	f.port_proto = ((__u32)fk->port << 8) | fk->proto;
	table = bpf_map_lookup_elem(&lb_maglev, &svc_id);
	if (!table)
		return PCN_MAGLEV_NONE;
	pcn_maglev_slot(pcn_lb_flow_hash(&f), &chunk, &pos);
	c = bpf_map_lookup_elem(table, &chunk);
	if (!c)
		return PCN_MAGLEV_NONE;
	return c->slot[pos & (PCN_MAGLEV_CHUNK - 1)];
}

/*
 * The backend of flow @fk of service @svc, its entry's index in *@id:
 * the one lb_flows remembers while that backend lives (drained or
 * not), else, if @may_open, the one Maglev gives, remembered. NULL:
 * none (no table, or may not open).
 */
static __noinline struct lb_backend *
lb_backend_of(const struct lb_flow_key *fk, const struct lb_svc *svc,
	      int may_open, __u32 *id)
{
	struct lb_backend *be;
	struct lb_obj_stats *os;
	struct lb_flow *f, nf;

	f = bpf_map_lookup_elem(&lb_flows, fk);
	if (f) {
		*id = f->backend;
		be = bpf_map_lookup_elem(&lb_backends, id);
		/* the same backend, not another one in its entry since */
		if (be && be->svc_id == svc->id && be->gen == f->gen)
			return be;
	}
	if (!may_open)
		return NULL;
	*id = lb_maglev_pick(fk, svc->id);
	if (*id == PCN_MAGLEV_NONE)
		return NULL;
	be = bpf_map_lookup_elem(&lb_backends, id);
	if (!be || be->svc_id != svc->id)
		return NULL;
	nf.backend = *id;
	nf.gen = be->gen;
	bpf_map_update_elem(&lb_flows, fk, &nf, BPF_ANY);
	os = bpf_map_lookup_elem(&lb_svc_stats, &svc->id);
	PCN_COUNT(os, flows);
	os = bpf_map_lookup_elem(&lb_backend_stats, id);
	PCN_COUNT(os, flows);
	return be;
}

/* a packet of @len bytes of service @svc_id and backend @id, counted */
static __always_inline void lb_count(__u32 svc_id, __u32 id, __u64 len)
{
	struct lb_obj_stats *os;

	os = bpf_map_lookup_elem(&lb_svc_stats, &svc_id);
	PCN_COUNT_PKT(os, packets, bytes, len);
	os = bpf_map_lookup_elem(&lb_backend_stats, &id);
	PCN_COUNT_PKT(os, packets, bytes, len);
}
#endif /* __bpf__ */

#endif /* __PCN_LB_SHARED_H */
