// SPDX-License-Identifier: GPL-2.0
/* Entry programs of cube ports, and their attachment to interfaces. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "attach.h"
#include "bpffs.h"
#include "cube.h"
#include "error.h"
#include "netlink.h"
#include "profile.h"
#include "panel.h"
#include "utils.h"
#include "port_xdp.skel.h"
#include "port_tc.skel.h"

/* libbpf 1.1's uapi predates tcx; the kernel (>= 6.6) knows it. */
#define PCN_BPF_TCX_INGRESS 46
#define PCN_BPF_TCX_EGRESS 47
#define PCN_BPF_LINK_TYPE_TCX 11

static const char *const attach_names[] = {
	[PCN_ATTACH_NONE] = "none",
	[PCN_ATTACH_XDP] = "xdp",
	[PCN_ATTACH_XDPGENERIC] = "xdpgeneric",
	[PCN_ATTACH_TCX] = "tcx",
	[PCN_ATTACH_CLSACT] = "clsact",
};

const char *attach_name(enum pcn_attach how)
{
	return how < ARRAY_SIZE(attach_names) ? attach_names[how] : "unknown";
}

/*
 * The skeletons are only a vehicle to set .rodata and share the netns
 * maps: once loaded, a dup of the program fd is all that is kept.
 */
/* Share the netns maps with an object about to be loaded. */
static int reuse_shared_maps(struct bpf_object *obj, enum pcn_mode mode)
{
	struct bpf_map *map;
	int fd, err;

	bpf_object__for_each_map(map, obj) {
		fd = pcn_shared_map_fd(bpf_map__name(map), mode);
		if (fd == -ENOENT)
			continue;
		if (fd < 0)
			return fd;
		err = bpf_map__reuse_fd(map, fd);
		close(fd);
		if (err)
			return err;
	}
	return 0;
}

/*
 * Load the programs of port.bpf.c named @a and @b (NULL: one alone)
 * with @slot and @port in .rodata; the skeleton types differ by mode,
 * not their .rodata: one body. Return: the fd of @a (of @b in *@b_fd),
 * or -errno.
 */
#define PORT_LOAD(skel)                                                      \
	({                                                                   \
		struct skel *s = skel##__open();                             \
		int __err = s ? 0 : -errno;                                  \
		if (s) {                                                     \
			s->rodata->pcn_slot = slot;                          \
			s->rodata->pcn_port = port;                          \
			__err = port_progs_load(s->obj, mode, a, b, b_fd);   \
			skel##__destroy(s);                                  \
		}                                                            \
		__err;                                                       \
	})

static int port_progs_load(struct bpf_object *obj, enum pcn_mode mode,
			   const char *a, const char *b, int *b_fd)
{
	struct bpf_program *prog, *pa = NULL, *pb = NULL;
	struct bpf_map *map;
	int err, fd;

	bpf_object__for_each_program(prog, obj) {
		const char *name = bpf_program__name(prog);

		if (!strcmp(name, a))
			pa = prog;
		else if (b && !strcmp(name, b))
			pb = prog;
		bpf_program__set_autoload(prog, prog == pa || prog == pb);
	}
	/* the copies' cursor is pcn_copy_out's alone */
	map = bpf_object__find_map_by_name(obj, "pcn_copy_cursor");
	if (map && strcmp(a, "pcn_copy_out"))
		bpf_map__set_autocreate(map, false);
	if (!pa || (b && !pb))
		return -ENOENT;
	err = reuse_shared_maps(obj, mode);
	pcn_prof_step("port: open object, share maps");
	if (!err)
		err = bpf_object__load(obj);
	pcn_prof_step("port: load (verifier)");
	if (err)
		return err;
	if (b) {
		*b_fd = dup(bpf_program__fd(pb));
		if (*b_fd < 0)
			return -errno;
	}
	fd = dup(bpf_program__fd(pa));
	if (fd < 0) {
		err = -errno;
		if (b)
			close(*b_fd);
		return err;
	}
	return fd;
}

static int port_load(enum pcn_mode mode, __u32 slot, __u32 port,
		     const char *a, const char *b, int *b_fd)
{
	pcn_libbpf_log_reset();
	if (mode == PCN_MODE_TC)
		return PORT_LOAD(port_tc);
	return PORT_LOAD(port_xdp);
}

int port_prog_load(enum pcn_mode mode, __u32 slot, __u32 port)
{
	return port_load(mode, slot, port, "pcn_port_in", NULL, NULL);
}

int copy_prog_load(enum pcn_mode mode, const char *name)
{
	return port_load(mode, PCN_SLOT_NONE, 0, name, NULL, NULL);
}

int finals_ensure(enum pcn_mode mode)
{
	int pass_fd, tx_fd = -1, err;

	if (panel_prog_id(mode, PCN_SLOT_PASS) && panel_prog_id(mode, PCN_SLOT_TX))
		return 0;
	pass_fd = port_load(mode, PCN_SLOT_NONE, 0, "pcn_final_pass",
			    "pcn_final_tx", &tx_fd);
	if (pass_fd < 0)
		return pass_fd;
	err = panel_set(mode, PCN_SLOT_PASS, pass_fd);
	if (!err)
		err = panel_set(mode, PCN_SLOT_TX, tx_fd);
	close(pass_fd);
	if (tx_fd >= 0)
		close(tx_fd);
	return err;
}

static bool tc_force_clsact(void)
{
	const char *v = getenv("PCN_TC_ATTACH");

	return v && !strcmp(v, "clsact");
}

static int attach_hook(enum pcn_mode mode, int ifindex, bool egress,
		       int prog_fd, const char *name, int *link_fd,
		       enum pcn_attach *how)
{
	LIBBPF_OPTS(bpf_link_create_opts, opts);
	int fd, err;

	*link_fd = -1;
	if (egress && mode != PCN_MODE_TC)
		return -EINVAL;		/* XDP has no egress hook */
	switch (mode) {
	case PCN_MODE_XDP:
	case PCN_MODE_XDPGENERIC:
		opts.flags = mode == PCN_MODE_XDP ? XDP_FLAGS_DRV_MODE
						  : XDP_FLAGS_SKB_MODE;
		fd = bpf_link_create(prog_fd, ifindex, BPF_XDP, &opts);
		if (fd < 0)
			return -errno;
		*link_fd = fd;
		*how = mode == PCN_MODE_XDP ? PCN_ATTACH_XDP
					    : PCN_ATTACH_XDPGENERIC;
		return 0;
	case PCN_MODE_TC:
		if (!tc_force_clsact()) {
			fd = bpf_link_create(prog_fd, ifindex,
					     egress ? PCN_BPF_TCX_EGRESS
						    : PCN_BPF_TCX_INGRESS,
					     NULL);
			if (fd >= 0) {
				*link_fd = fd;
				*how = PCN_ATTACH_TCX;
				return 0;
			}
			/* EINVAL: a kernel without tcx */
			if (errno != EINVAL)
				return -errno;
		}
		err = nl_clsact_attach(ifindex, !egress, prog_fd, name);
		if (err)
			return err;
		*how = PCN_ATTACH_CLSACT;
		return 0;
	default:
		return -EINVAL;
	}
}

int port_attach(enum pcn_mode mode, int ifindex, bool egress, int prog_fd,
		const char *name, int *link_fd, enum pcn_attach *how)
{
	int err = attach_hook(mode, ifindex, egress, prog_fd, name, link_fd,
			      how);

	pcn_prof_step("attach (link)");
	return err;
}

int port_detach_nolink(enum pcn_attach how, int ifindex, bool egress)
{
	if (how != PCN_ATTACH_CLSACT)
		return 0;
	return nl_clsact_detach(ifindex, !egress);
}

int link_query(const char *pin_path, enum pcn_attach how, int ifindex,
	       bool egress, struct link_state *st)
{
	struct bpf_link_info info = {};
	__u32 len = sizeof(info);
	int fd, err = 0;

	memset(st, 0, sizeof(*st));
	if (how == PCN_ATTACH_CLSACT) {
		/* no link: pcn's filter on the hook is the attachment */
		err = nl_clsact_query(ifindex, !egress, &st->prog_id);
		if (err == -ENODEV) {
			st->present = true;	/* the interface is gone */
			return 0;
		}
		st->present = st->prog_id != 0;
		st->ifindex = st->present ? ifindex : 0;
		return err;
	}
	fd = bpf_obj_get(pin_path);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	st->present = true;
	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		err = -errno;
		goto out;
	}
	st->link_id = info.id;
	st->prog_id = info.prog_id;
	/* xdp and tcx link info both start with the ifindex */
	if (info.type == BPF_LINK_TYPE_XDP ||
	    info.type == PCN_BPF_LINK_TYPE_TCX)
		st->ifindex = info.xdp.ifindex;
out:
	close(fd);
	return err;
}

static const char *attach_hint(enum pcn_mode mode, int err)
{
	switch (-err) {
	case EOPNOTSUPP:
		if (mode == PCN_MODE_XDP)
			return "the interface has no native XDP; use mode xdpgeneric or tc";
		return "the interface does not support this hook";
	case EBUSY:
	case EEXIST:
		return "another XDP program is attached to the interface";
	case ERANGE:
		return "the MTU is too large for XDP on this interface";
	default:
		return NULL;
	}
}

int attach_fail(const char *what, const char *ifname, enum pcn_mode mode,
		int err)
{
	const char *hint = attach_hint(mode, err);
	const char *ext = nl_extack();

	if (hint)
		return pcn_fail(err, "cannot attach %s to %s: %s (%s)", what,
				ifname, strerror(-err), hint);
	if (*ext)
		return pcn_fail(err, "cannot attach %s to %s: %s (%s)", what,
				ifname, strerror(-err), ext);
	return pcn_fail_sys(err, "cannot attach %s to %s", what, ifname);
}
