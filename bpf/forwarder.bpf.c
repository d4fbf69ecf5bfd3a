// SPDX-License-Identifier: GPL-2.0
/*
 * forwarder: per ingress port, drop, pass to the host stack, or forward
 * out of another port (Polycube's simpleforwarder).
 */
#include "pcn_cube.h"
#include "forwarder.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PCN_MAX_PORTS);
	__type(key, __u32);
	__type(value, struct fwd_entry);
} fwd_actions SEC(".maps");

PCN_PROG(forwarder)
{
	struct fwd_entry *e;
	struct pcn_md md;
	int in;

	in = pcn_rx(ctx, &md);
	if (in < 0)
		return PCN_DROP;

	e = bpf_map_lookup_elem(&fwd_actions, &md.in_port);
	if (!e)
		return pcn_drop(ctx, in);

	switch (e->action) {
	case FWD_PASS:
		return pcn_pass(ctx, in);
	case FWD_FORWARD:
		return pcn_tx(ctx, e->out_port);
	default:
		return pcn_drop(ctx, in);
	}
}
