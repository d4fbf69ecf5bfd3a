// SPDX-License-Identifier: GPL-2.0
/* rtnetlink through libmnl, with the kernel's extack messages kept. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_arp.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/veth.h>
#include <linux/net_namespace.h>
#include <linux/netlink.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <arpa/inet.h>

#include "netlink.h"

#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif
#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NLM_F_CAPPED
#define NLM_F_CAPPED 0x100
#endif
#ifndef NLM_F_ACK_TLVS
#define NLM_F_ACK_TLVS 0x200
#endif

/* room for a dump batch (libmnl 1.0.4 has no MNL_SOCKET_DUMP_SIZE) */
#define NL_BUF_SIZE 32768

static char extack_msg[256];

const char *nl_extack(void)
{
	return extack_msg;
}

struct nl_req {
	struct mnl_socket *nl;
	unsigned int seq;
	unsigned int portid;
	char *buf;
};

static int nl_open(struct nl_req *r)
{
	int one = 1;

	extack_msg[0] = '\0';
	r->buf = malloc(NL_BUF_SIZE);
	if (!r->buf)
		return -ENOMEM;
	r->nl = mnl_socket_open(NETLINK_ROUTE);
	if (!r->nl) {
		free(r->buf);
		return -errno;
	}
	mnl_socket_setsockopt(r->nl, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(r->nl, NETLINK_CAP_ACK, &one, sizeof(one));
	if (mnl_socket_bind(r->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		int err = -errno;

		mnl_socket_close(r->nl);
		free(r->buf);
		return err;
	}
	r->portid = mnl_socket_get_portid(r->nl);
	r->seq = time(NULL);
	return 0;
}

static void nl_close(struct nl_req *r)
{
	mnl_socket_close(r->nl);
	free(r->buf);
}

static int extack_attr_cb(const struct nlattr *attr, void *data)
{
	if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
	    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
		snprintf(extack_msg, sizeof(extack_msg), "%s",
			 mnl_attr_get_str(attr));
	return MNL_CB_OK;
}

static int error_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	unsigned int off;

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*err))) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
		off = sizeof(*err);
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			off += err->msg.nlmsg_len - sizeof(err->msg);
		mnl_attr_parse(nlh, off, extack_attr_cb, NULL);
	}
	if (err->error == 0)
		return MNL_CB_STOP;
	errno = -err->error;
	return MNL_CB_ERROR;
}

static int done_cb(const struct nlmsghdr *nlh, void *data)
{
	return MNL_CB_STOP;
}

static mnl_cb_t ctl_cbs[NLMSG_MIN_TYPE] = {
	[NLMSG_ERROR] = error_cb,
	[NLMSG_DONE] = done_cb,
};

/* Send one request and run @cb on every answer until the ack or done. */
static int nl_talk(struct nl_req *r, struct nlmsghdr *nlh, mnl_cb_t cb,
		   void *data)
{
	int ret;

	nlh->nlmsg_seq = ++r->seq;
	/*
	 * A dump ends with NLMSG_DONE, anything else with an ack. (The
	 * NLM_F_DUMP bits mean CREATE/EXCL in a "new" request.)
	 */
	if (!(nlh->nlmsg_type % 4 == 2 &&
	      (nlh->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP))
		nlh->nlmsg_flags |= NLM_F_ACK;
	if (mnl_socket_sendto(r->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		ret = mnl_socket_recvfrom(r->nl, r->buf, NL_BUF_SIZE);
		if (ret < 0)
			return -errno;
		ret = mnl_cb_run2(r->buf, ret, r->seq, r->portid, cb, data,
				  ctl_cbs, MNL_ARRAY_SIZE(ctl_cbs));
	} while (ret > 0);
	return ret < 0 ? -errno : 0;
}

/* Attributes by type, for mnl_attr_parse(): tb[type], types 0..max. */
struct attr_tb {
	const struct nlattr **tb;
	unsigned int max;
};

static int attr_tb_cb(const struct nlattr *attr, void *data)
{
	const struct attr_tb *t = data;

	if (mnl_attr_type_valid(attr, t->max) > 0)
		t->tb[mnl_attr_get_type(attr)] = attr;
	return MNL_CB_OK;
}

static void parse_attrs(const struct nlmsghdr *nlh, unsigned int offset,
			const struct nlattr **tb, unsigned int max)
{
	struct attr_tb t = { tb, max };

	mnl_attr_parse(nlh, offset, attr_tb_cb, &t);
}

static void parse_nested(const struct nlattr *nest, const struct nlattr **tb,
			 unsigned int max)
{
	struct attr_tb t = { tb, max };

	mnl_attr_parse_nested(nest, attr_tb_cb, &t);
}

static int link_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct ifinfomsg *ifm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[IFLA_MAX + 1] = {};
	const struct nlattr *info[IFLA_INFO_MAX + 1] = {};
	const struct nlattr *xdp[IFLA_XDP_MAX + 1] = {};
	struct nl_link *link = data;

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return MNL_CB_OK;
	parse_attrs(nlh, sizeof(*ifm), tb, IFLA_MAX);
	link->ifindex = ifm->ifi_index;
	link->flags = ifm->ifi_flags;
	link->link_netnsid = -1;
	if (tb[IFLA_LINK])
		link->link = mnl_attr_get_u32(tb[IFLA_LINK]);
	if (tb[IFLA_LINK_NETNSID])
		link->link_netnsid = (int)mnl_attr_get_u32(tb[IFLA_LINK_NETNSID]);
	if (tb[IFLA_XDP]) {
		parse_nested(tb[IFLA_XDP], xdp, IFLA_XDP_MAX);
		link->xdp = xdp[IFLA_XDP_ATTACHED] &&
			    mnl_attr_get_u8(xdp[IFLA_XDP_ATTACHED]);
	}
	if (tb[IFLA_IFNAME])
		snprintf(link->name, sizeof(link->name), "%s",
			 mnl_attr_get_str(tb[IFLA_IFNAME]));
	if (tb[IFLA_MTU])
		link->mtu = mnl_attr_get_u32(tb[IFLA_MTU]);
	if (tb[IFLA_ADDRESS] &&
	    mnl_attr_get_payload_len(tb[IFLA_ADDRESS]) == ETH_ALEN &&
	    ifm->ifi_type == ARPHRD_ETHER) {
		memcpy(link->addr, mnl_attr_get_payload(tb[IFLA_ADDRESS]),
		       ETH_ALEN);
		link->has_addr = true;
	}
	if (tb[IFLA_LINKINFO]) {
		parse_nested(tb[IFLA_LINKINFO], info, IFLA_INFO_MAX);
		if (info[IFLA_INFO_KIND])
			snprintf(link->kind, sizeof(link->kind), "%s",
				 mnl_attr_get_str(info[IFLA_INFO_KIND]));
	}
	return MNL_CB_OK;
}

int nl_link_get(const char *name, int ifindex, struct nl_link *link)
{
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifm;
	struct nl_req r;
	int err;

	memset(link, 0, sizeof(*link));
	if (name && (!*name || strlen(name) >= NL_IFNAMSIZ))
		return -ENODEV;
	err = nl_open(&r);
	if (err)
		return err;
	nlh = mnl_nlmsg_put_header(r.buf);
	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = name ? 0 : ifindex;
	if (name)
		mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	err = nl_talk(&r, nlh, link_cb, link);
	nl_close(&r);
	if (err == -ENODEV || (!err && !link->ifindex))
		return -ENODEV;
	return err;
}

static int nsid_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[NETNSA_MAX + 1] = {};
	int *id = data;

	if (nlh->nlmsg_type != RTM_NEWNSID)
		return MNL_CB_OK;
	parse_attrs(nlh, sizeof(struct rtgenmsg), tb, NETNSA_MAX);
	if (tb[NETNSA_NSID])
		*id = (int)mnl_attr_get_u32(tb[NETNSA_NSID]);
	return MNL_CB_OK;
}

int nl_netns_id(int fd)
{
	struct nlmsghdr *nlh;
	struct rtgenmsg *g;
	struct nl_req r;
	int err, id = -1;

	err = nl_open(&r);
	if (err)
		return err;
	nlh = mnl_nlmsg_put_header(r.buf);
	nlh->nlmsg_type = RTM_GETNSID;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->rtgen_family = AF_UNSPEC;
	mnl_attr_put_u32(nlh, NETNSA_FD, fd);
	err = nl_talk(&r, nlh, nsid_cb, &id);
	nl_close(&r);
	if (err)
		return err;
	return id < 0 ? -ENOENT : id;
}

/* an RTM_*LINK request with its ifinfomsg */
static struct nlmsghdr *link_msg(struct nl_req *r, int type, int flags,
				 int ifindex)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(r->buf);
	struct ifinfomsg *ifm;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = ifindex;
	return nlh;
}

/* a veth pair: @name with @flags here, @peer with @pflags in @peer_ns_fd */
static int veth_new(struct nl_req *r, const char *name, unsigned int flags,
		    const char *peer, unsigned int pflags, int peer_ns_fd)
{
	struct nlattr *info, *data, *pinfo;
	struct ifinfomsg *pifm;
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifm;

	nlh = link_msg(r, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0);
	ifm = mnl_nlmsg_get_payload(nlh);
	ifm->ifi_flags = ifm->ifi_change = flags;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	pinfo = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
	pifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*pifm));
	pifm->ifi_family = AF_UNSPEC;
	pifm->ifi_flags = pifm->ifi_change = pflags;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, peer);
	if (peer_ns_fd >= 0)
		mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, peer_ns_fd);
	mnl_attr_nest_end(nlh, pinfo);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, info);
	return nl_talk(r, nlh, NULL, NULL);
}

int nl_veth_add(const char *name, const char *peer)
{
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifm;
	struct nl_req r;
	int err;

	err = nl_open(&r);
	if (err)
		return err;
	/* the peer up only once the pair is made: a veth opens with it */
	err = veth_new(&r, name, IFF_UP | IFF_NOARP, peer, IFF_NOARP, -1);
	if (!err) {
		nlh = link_msg(&r, RTM_NEWLINK, 0, 0);
		ifm = mnl_nlmsg_get_payload(nlh);
		ifm->ifi_flags = ifm->ifi_change = IFF_UP;
		mnl_attr_put_strz(nlh, IFLA_IFNAME, peer);
		err = nl_talk(&r, nlh, NULL, NULL);
	}
	nl_close(&r);
	return err;
}

int nl_veth_pair(const char *name, const char *peer, int peer_ns_fd)
{
	struct nl_req r;
	int err;

	err = nl_open(&r);
	if (err)
		return err;
	err = veth_new(&r, name, IFF_UP, peer, 0, peer_ns_fd);
	nl_close(&r);
	return err;
}

int nl_link_up(int ifindex)
{
	struct ifinfomsg *ifm;
	struct nlmsghdr *nlh;
	struct nl_req r;
	int err;

	err = nl_open(&r);
	if (err)
		return err;
	nlh = link_msg(&r, RTM_NEWLINK, 0, ifindex);
	ifm = mnl_nlmsg_get_payload(nlh);
	ifm->ifi_flags = ifm->ifi_change = IFF_UP;
	err = nl_talk(&r, nlh, NULL, NULL);
	nl_close(&r);
	return err;
}

/*
 * A new-object request about an @family prefix of @plen bits: checked,
 * the socket opened, the header put. Return: the message, or NULL with
 * *@err set.
 */
static struct nlmsghdr *prefix_req(struct nl_req *r, int type, int family,
				   int plen, int *alen, int *err)
{
	struct nlmsghdr *nlh;

	*alen = family == AF_INET ? 4 : family == AF_INET6 ? 16 : -1;
	if (*alen < 0 || plen < 0 || plen > *alen * 8) {
		*err = -EINVAL;
		return NULL;
	}
	*err = nl_open(r);
	if (*err)
		return NULL;
	nlh = mnl_nlmsg_put_header(r->buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL;
	return nlh;
}

/* send the request, close the socket */
static int req_done(struct nl_req *r, struct nlmsghdr *nlh)
{
	int err = nl_talk(r, nlh, NULL, NULL);

	nl_close(r);
	return err;
}

int nl_addr_add(int ifindex, int family, const void *addr, int plen)
{
	struct nlmsghdr *nlh;
	struct ifaddrmsg *ifa;
	struct nl_req r;
	int err, alen;

	nlh = prefix_req(&r, RTM_NEWADDR, family, plen, &alen, &err);
	if (!nlh)
		return err;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = family;
	ifa->ifa_prefixlen = plen;
	ifa->ifa_index = ifindex;
	mnl_attr_put(nlh, IFA_LOCAL, alen, addr);
	mnl_attr_put(nlh, IFA_ADDRESS, alen, addr);
	return req_done(&r, nlh);
}

int nl_route_add(int family, const void *dst, int plen, const void *gw,
		 int ifindex)
{
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;
	struct nl_req r;
	int err, alen;

	nlh = prefix_req(&r, RTM_NEWROUTE, family, plen, &alen, &err);
	if (!nlh)
		return err;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = family;
	rtm->rtm_dst_len = plen;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_BOOT;
	rtm->rtm_scope = gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
	rtm->rtm_type = RTN_UNICAST;
	if (plen)
		mnl_attr_put(nlh, RTA_DST, alen, dst);
	if (gw)
		mnl_attr_put(nlh, RTA_GATEWAY, alen, gw);
	if (ifindex)
		mnl_attr_put_u32(nlh, RTA_OIF, ifindex);
	return req_done(&r, nlh);
}

int nl_link_del(int ifindex)
{
	struct nl_req r;
	int err;

	err = nl_open(&r);
	if (err)
		return err;
	err = nl_talk(&r, link_msg(&r, RTM_DELLINK, 0, ifindex), NULL, NULL);
	nl_close(&r);
	return err;
}

static struct nlmsghdr *tc_msg(struct nl_req *r, int type, int flags,
			       int ifindex, __u32 parent, __u32 handle,
			       __u32 info)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(r->buf);
	struct tcmsg *tcm;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	tcm = mnl_nlmsg_put_extra_header(nlh, sizeof(*tcm));
	tcm->tcm_family = AF_UNSPEC;
	tcm->tcm_ifindex = ifindex;
	tcm->tcm_parent = parent;
	tcm->tcm_handle = handle;
	tcm->tcm_info = info;
	return nlh;
}

static __u32 clsact_parent(bool ingress)
{
	return TC_H_MAKE(TC_H_CLSACT,
			 ingress ? TC_H_MIN_INGRESS : TC_H_MIN_EGRESS);
}

#define PCN_TC_HANDLE 1

int nl_clsact_attach(int ifindex, bool ingress, int prog_fd, const char *name)
{
	struct nlmsghdr *nlh;
	struct nlattr *opts;
	struct nl_req r;
	int err;

	err = nl_open(&r);
	if (err)
		return err;
	/* the clsact qdisc: shared with other users, so EEXIST is fine */
	nlh = tc_msg(&r, RTM_NEWQDISC, NLM_F_CREATE | NLM_F_EXCL, ifindex,
		     TC_H_CLSACT, TC_H_MAKE(TC_H_CLSACT, 0), 0);
	mnl_attr_put_strz(nlh, TCA_KIND, "clsact");
	err = nl_talk(&r, nlh, NULL, NULL);
	if (err && err != -EEXIST)
		goto out;
	extack_msg[0] = '\0';

	nlh = tc_msg(&r, RTM_NEWTFILTER, NLM_F_CREATE | NLM_F_EXCL, ifindex,
		     clsact_parent(ingress), PCN_TC_HANDLE,
		     TC_H_MAKE(PCN_TC_PRIO << 16, htons(ETH_P_ALL)));
	mnl_attr_put_strz(nlh, TCA_KIND, "bpf");
	opts = mnl_attr_nest_start(nlh, TCA_OPTIONS);
	mnl_attr_put_u32(nlh, TCA_BPF_FD, prog_fd);
	mnl_attr_put_strz(nlh, TCA_BPF_NAME, name);
	mnl_attr_put_u32(nlh, TCA_BPF_FLAGS, TCA_BPF_FLAG_ACT_DIRECT);
	mnl_attr_nest_end(nlh, opts);
	err = nl_talk(&r, nlh, NULL, NULL);
out:
	nl_close(&r);
	return err;
}

int nl_clsact_detach(int ifindex, bool ingress)
{
	struct nlmsghdr *nlh;
	struct nl_req r;
	int err;

	err = nl_open(&r);
	if (err)
		return err;
	nlh = tc_msg(&r, RTM_DELTFILTER, 0, ifindex, clsact_parent(ingress),
		     PCN_TC_HANDLE,
		     TC_H_MAKE(PCN_TC_PRIO << 16, htons(ETH_P_ALL)));
	mnl_attr_put_strz(nlh, TCA_KIND, "bpf");
	err = nl_talk(&r, nlh, NULL, NULL);
	nl_close(&r);
	return err;
}

static int filter_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct tcmsg *tcm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[TCA_MAX + 1] = {};
	const struct nlattr *opt[TCA_BPF_MAX + 1] = {};
	__u32 *prog_id = data;

	if (nlh->nlmsg_type != RTM_NEWTFILTER ||
	    TC_H_MAJ(tcm->tcm_info) >> 16 != PCN_TC_PRIO ||
	    tcm->tcm_handle != PCN_TC_HANDLE)
		return MNL_CB_OK;
	parse_attrs(nlh, sizeof(*tcm), tb, TCA_MAX);
	if (!tb[TCA_KIND] || strcmp(mnl_attr_get_str(tb[TCA_KIND]), "bpf") ||
	    !tb[TCA_OPTIONS])
		return MNL_CB_OK;
	parse_nested(tb[TCA_OPTIONS], opt, TCA_BPF_MAX);
	if (opt[TCA_BPF_ID])
		*prog_id = mnl_attr_get_u32(opt[TCA_BPF_ID]);
	return MNL_CB_OK;
}

int nl_clsact_query(int ifindex, bool ingress, __u32 *prog_id)
{
	struct nlmsghdr *nlh;
	struct nl_req r;
	int err;

	*prog_id = 0;
	err = nl_open(&r);
	if (err)
		return err;
	nlh = tc_msg(&r, RTM_GETTFILTER, NLM_F_DUMP, ifindex,
		     clsact_parent(ingress), 0, 0);
	err = nl_talk(&r, nlh, filter_cb, prog_id);
	nl_close(&r);
	/* no clsact qdisc at all: nothing of ours is there */
	return err == -EINVAL || err == -ENOENT ? 0 : err;
}
