// SPDX-License-Identifier: GPL-2.0
/*
 * pcn stp run BRIDGE: the spanning tree agent of one bridge cube, as
 * mstpd is for a Linux bridge. It speaks 802.1w (RST BPDUs), and 802.1D
 * (config BPDUs) on a port whose neighbour does, one tree per bridge.
 *
 * The datapath hands link-local frames (01:80:c2:00:00:0x) of every
 * interface port to the host whatever the port's state (bridge.bpf.c):
 * the agent reads the BPDUs there with a packet socket per port, and
 * sends its own out of the interface with the same socket.
 *
 * It keeps nothing that matters in memory. Every pass (on a BPDU, or
 * every 100 ms) takes the pin tree's lock, reads the bridge's br_stp,
 * br_stp_ports and br_ports, works out roles and states, writes back
 * what changed, and gives the lock back. So "pcn stp show" reads what
 * the agent found, "pcn stp set" takes effect at its next pass, and an
 * agent killed and started again finds the ports as they were, with
 * what they heard and since when: forwarding ports stay forwarding if
 * the tree still says so.
 *
 * Edge ports (set by hand, "edge on") forward at once and change no
 * topology, until they hear a BPDU: then they are ports like the others
 * until they go down. Towards an 802.1D root, a topology change goes up
 * the root port as TCN BPDUs until one is acknowledged; towards an RSTP
 * one, as BPDUs with the TC flag.
 *
 * What it leaves out of 802.1D-2004: detecting edge ports by themselves
 * (auto edge), point-to-point detection (every port is taken for point
 * to point, as on veth and switch links), ports linked to other cubes
 * (BPDUs go through interfaces only).
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>

#include "br.h"
#include "bpffs.h"
#include "map.h"

#define TICK_MS		100
#define MS		1000000ull	/* ns */

/* BPDU flags (802.1D-2004 9.3.3) */
#define F_TC		0x01
#define F_PROPOSAL	0x02
#define F_ROLE_SHIFT	2
#define F_ROLE_MASK	0x0c
#define F_LEARNING	0x10
#define F_FORWARDING	0x20
#define F_AGREEMENT	0x40
#define F_TCA		0x80

/* the role field */
enum { R_UNKNOWN = 0, R_ALT_BACKUP = 1, R_ROOT = 2, R_DESIGNATED = 3 };

#define BPDU_CONFIG	0x00
#define BPDU_RST	0x02
#define BPDU_TCN	0x80

struct bpdu {
	__u8 proto[2];
	__u8 version;
	__u8 type;
	__u8 flags;
	__u8 root[8];
	__u8 cost[4];
	__u8 bridge[8];
	__u8 port[2];
	__u8 msg_age[2];
	__u8 max_age[2];
	__u8 hello[2];
	__u8 fwd_delay[2];
	__u8 v1_len;			/* RST only */
} __attribute__((packed));

struct frame {
	__u8 dst[6];
	__u8 src[6];
	__be16 len;
	__u8 llc[3];
	struct bpdu b;
	__u8 pad[60 - 14 - 3 - sizeof(struct bpdu)];
} __attribute__((packed));

static const __u8 stp_group[6] = { 0x01, 0x80, 0xc2, 0, 0, 0 };

/* what the agent keeps between passes: sockets, and nothing of the tree */
struct agent {
	const char *name;
	int fd[PCN_MAX_PORTS];		/* packet socket, -1: none */
	__u32 ifindex[PCN_MAX_PORTS];
	__u8 hw[PCN_MAX_PORTS][6];
	__u64 tx_ns[PCN_MAX_PORTS];	/* last BPDU sent */
	__u64 tc_ns[PCN_MAX_PORTS];	/* send TC on the port until then */
	__u64 flush_ns;			/* fdb last flushed */
	int ioc;			/* a socket for interface ioctls */
	/* this pass */
	struct br_stp st;
	struct br_stp_port sp[PCN_MAX_PORTS];
	struct br_port bp[PCN_MAX_PORTS];
	struct pcn_port pp[PCN_MAX_PORTS];
	bool up[PCN_MAX_PORTS];
	bool proposed[PCN_MAX_PORTS];	/* a proposal came on the port */
	bool tx_now[PCN_MAX_PORTS];
	bool agree[PCN_MAX_PORTS];	/* answer with an agreement */
	bool tc;			/* a topology change: flush the fdb */
	bool flush_due;			/* one came within a second of a flush */
	bool rerooted;			/* a new root port, the old one discards */
	bool started;			/* the first pass is done */
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static __u64 get_be(const __u8 *p, int n)
{
	__u64 v = 0;
	int i;

	for (i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

static void put_be(__u8 *p, int n, __u64 v)
{
	int i;

	for (i = n - 1; i >= 0; i--, v >>= 8)
		p[i] = v & 0xff;
}

/* BPDU times are in 1/256 s */
static __u64 t256_ns(__u32 t)
{
	return (__u64)t * NSEC_PER_SEC / 256;
}

static bool stp_port(const struct agent *a, int i)
{
	return a->pp[i].name[0] && a->pp[i].peer == PCN_PEER_IFACE;
}

/* an edge port that has heard no BPDU since it came up */
static bool oper_edge(const struct br_stp_port *sp)
{
	return (sp->flags & (BR_STP_P_EDGE | BR_STP_P_EDGE_LOST)) ==
	       BR_STP_P_EDGE;
}

static __u16 port_id(const struct agent *a, int i)
{
	return (a->sp[i].priority >> 4) << 12 | (i + 1);
}

/* an 802.1D priority vector, compared field by field */
struct vec {
	__u64 root;
	__u32 cost;
	__u64 bridge;
	__u16 port;
};

static int vec_cmp(const struct vec *x, const struct vec *y)
{
	if (x->root != y->root)
		return x->root < y->root ? -1 : 1;
	if (x->cost != y->cost)
		return x->cost < y->cost ? -1 : 1;
	if (x->bridge != y->bridge)
		return x->bridge < y->bridge ? -1 : 1;
	if (x->port != y->port)
		return x->port < y->port ? -1 : 1;
	return 0;
}

static struct vec heard(const struct br_stp_port *sp)
{
	return (struct vec){ sp->d_root, sp->d_cost, sp->d_bridge, sp->d_port };
}

/* what port @i sends as designated port */
static struct vec designated(const struct agent *a, int i)
{
	return (struct vec){ a->st.root_id, a->st.root_cost,
			     br_stp_bridge_id(&a->st), port_id(a, i) };
}

/* how long what a port heard holds: 802.1D's max age less the message's
 * age, or 802.1w's three hello times */
static __u64 info_life(const struct br_stp_port *sp)
{
	if (sp->flags & BR_STP_P_MODE_STP)
		return t256_ns(sp->d_max_age > sp->d_msg_age
				       ? sp->d_max_age - sp->d_msg_age
				       : 0);
	return 3 * t256_ns(sp->d_hello ?: 256);
}

/*
 * An agent starting: what the ports heard may have run out while no
 * agent listened, which says nothing of the neighbours. It holds for
 * one more lifetime from now; a neighbour really gone is found then
 * (a link down at once, by its carrier).
 */
static void info_resume(struct agent *a, __u64 now)
{
	int i;

	for (i = 0; i < PCN_MAX_PORTS; i++)
		if (a->sp[i].flags & BR_STP_P_INFO &&
		    a->sp[i].info_until_ns < now + info_life(&a->sp[i]))
			a->sp[i].info_until_ns = now + info_life(&a->sp[i]);
}

static bool info_valid(const struct br_stp_port *sp, __u64 now)
{
	return (sp->flags & BR_STP_P_INFO) && now < sp->info_until_ns;
}

/* --- sockets --- */

static void port_close(struct agent *a, int i)
{
	if (a->fd[i] >= 0)
		close(a->fd[i]);
	a->fd[i] = -1;
	a->ifindex[i] = 0;
}

static int port_open(struct agent *a, int i, __u32 ifindex)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_802_2),
		.sll_ifindex = ifindex,
	};
	struct packet_mreq mr = {
		.mr_ifindex = ifindex,
		.mr_type = PACKET_MR_MULTICAST,
		.mr_alen = 6,
	};
	struct ifreq ifr = {};
	int fd;

	if (!if_indextoname(ifindex, ifr.ifr_name))
		return -errno;
	if (ioctl(a->ioc, SIOCGIFHWADDR, &ifr))
		return -errno;
	memcpy(a->hw[i], ifr.ifr_hwaddr.sa_data, 6);
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    htons(ETH_P_802_2));
	if (fd < 0)
		return -errno;
	memcpy(mr.mr_address, stp_group, 6);
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) ||
	    setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof(mr))) {
		close(fd);
		return -errno;
	}
	a->fd[i] = fd;
	a->ifindex[i] = ifindex;
	return 0;
}

/* sockets follow the ports; up: the interface is up with a carrier */
static void ports_sync(struct agent *a)
{
	struct ifreq ifr;
	int i;

	for (i = 0; i < PCN_MAX_PORTS; i++) {
		a->up[i] = false;
		if (!stp_port(a, i)) {
			port_close(a, i);
			continue;
		}
		if (a->fd[i] >= 0 && a->ifindex[i] != a->pp[i].ifindex)
			port_close(a, i);
		if (a->fd[i] < 0 && port_open(a, i, a->pp[i].ifindex))
			continue;
		memset(&ifr, 0, sizeof(ifr));
		if (!if_indextoname(a->ifindex[i], ifr.ifr_name) ||
		    ioctl(a->ioc, SIOCGIFFLAGS, &ifr))
			continue;
		a->up[i] = (ifr.ifr_flags & IFF_UP) &&
			   (ifr.ifr_flags & IFF_RUNNING);
	}
}

/* --- receive --- */

static void topology_change(struct agent *a, int except, __u64 now)
{
	__u64 until = now + 2ull * a->st.root_hello * NSEC_PER_SEC;
	__u32 rp = a->st.root_port;
	int i;

	for (i = 0; i < PCN_MAX_PORTS; i++)
		if (i != except && stp_port(a, i))
			a->tc_ns[i] = until;
	/* an 802.1D root learns of it by TCNs (a TC from it needs none) */
	if (rp < PCN_MAX_PORTS && (int)rp != except &&
	    (a->sp[rp].flags & BR_STP_P_MODE_STP))
		a->sp[rp].flags |= BR_STP_P_TCN;
	/* one change counted, however many BPDUs carry it */
	if (now >= a->st.tc_until_ns)
		a->st.tc_count++;
	a->st.tc_until_ns = until;
	a->tc = true;
}

static void bpdu_rx(struct agent *a, int i, const struct bpdu *b, int len,
		    __u64 now)
{
	struct br_stp_port *sp = &a->sp[i];
	struct vec r, mine;
	__u32 msg_age, max_age;
	bool rst = b->type == BPDU_RST && b->version >= 2 && len >= 36;
	int role;

	sp->rx_bpdus++;
	/* a bridge behind an edge port: it takes part in the tree now */
	if (sp->flags & BR_STP_P_EDGE)
		sp->flags |= BR_STP_P_EDGE_LOST;
	if (b->type == BPDU_TCN) {
		/* from an 802.1D bridge below: acknowledge, pass it on */
		sp->flags |= BR_STP_P_MODE_STP | BR_STP_P_TCA;
		a->tx_now[i] = true;
		topology_change(a, i, now);
		return;
	}
	if (!rst && !(b->type == BPDU_CONFIG && len >= 35))
		return;
	if (!rst && !(sp->flags & BR_STP_P_MODE_STP)) {
		/* an 802.1D neighbour: talk its language on this port */
		sp->flags |= BR_STP_P_MODE_STP;
		sp->flags &= ~(BR_STP_P_PROPOSING | BR_STP_P_AGREED);
	}
	r = (struct vec){ get_be(b->root, 8), get_be(b->cost, 4),
			  get_be(b->bridge, 8), get_be(b->port, 2) };
	msg_age = get_be(b->msg_age, 2);
	max_age = get_be(b->max_age, 2);
	role = rst ? (b->flags & F_ROLE_MASK) >> F_ROLE_SHIFT : R_DESIGNATED;
	if (role != R_DESIGNATED) {
		/* a root or alternate port's: its agreement to ours */
		if ((b->flags & F_AGREEMENT) && sp->role == BR_ROLE_DESIGNATED &&
		    r.root == a->st.root_id)
			sp->flags |= BR_STP_P_AGREED;
		/* a change below, on its way up to the root */
		if ((b->flags & F_TC) && sp->role == BR_ROLE_DESIGNATED &&
		    now >= a->tc_ns[i])
			topology_change(a, i, now);
		return;
	}
	if (msg_age >= max_age)
		return;
	mine = sp->role == BR_ROLE_DESIGNATED || !info_valid(sp, now)
		       ? designated(a, i)
		       : heard(sp);
	if (vec_cmp(&r, &mine) < 0 ||
	    (info_valid(sp, now) && r.bridge == sp->d_bridge &&
	     r.port == sp->d_port)) {
		if (!info_valid(sp, now) || vec_cmp(&r, &mine))
			a->tx_now[i] = true;
		sp->d_root = r.root;
		sp->d_cost = r.cost;
		sp->d_bridge = r.bridge;
		sp->d_port = r.port;
		sp->d_msg_age = msg_age;
		sp->d_max_age = max_age;
		sp->d_hello = get_be(b->hello, 2);
		sp->d_fwd_delay = get_be(b->fwd_delay, 2);
		sp->flags |= BR_STP_P_INFO;
		sp->info_until_ns = now + info_life(sp);
		if (rst && (b->flags & F_PROPOSAL))
			a->proposed[i] = true;
	} else {
		/* worse than ours: tell it at once */
		a->tx_now[i] = true;
	}
	if ((b->flags & F_TCA) && (sp->flags & BR_STP_P_MODE_STP))
		sp->flags &= ~(BR_STP_P_TCA | BR_STP_P_TCN);
	if ((b->flags & F_TC) && sp->role != BR_ROLE_ALTERNATE &&
	    sp->role != BR_ROLE_BACKUP && now >= a->tc_ns[i])
		topology_change(a, i, now);
}

static void bpdus_rx(struct agent *a, __u64 now)
{
	struct sockaddr_ll from;
	socklen_t flen;
	struct frame f;
	ssize_t n;
	int i;

	for (i = 0; i < PCN_MAX_PORTS; i++) {
		while (a->fd[i] >= 0) {
			flen = sizeof(from);
			n = recvfrom(a->fd[i], &f, sizeof(f), MSG_TRUNC,
				     (struct sockaddr *)&from, &flen);
			if (n < 0)
				break;
			if (from.sll_pkttype == PACKET_OUTGOING ||
			    n < 14 + 3 + 4 || n > (ssize_t)sizeof(f) + 1500 ||
			    memcmp(f.dst, stp_group, 6) ||
			    f.llc[0] != 0x42 || f.llc[1] != 0x42 ||
			    f.llc[2] != 0x03 || f.b.proto[0] || f.b.proto[1])
				continue;
			/* a port that is down hears nothing */
			if (!a->up[i])
				continue;
			n = n > (ssize_t)sizeof(f) ? (ssize_t)sizeof(f) : n;
			bpdu_rx(a, i, &f.b, n - 17, now);
		}
	}
}

/* --- roles (802.1D-2004 17.19-17.21, without the state machines) --- */

static void roles_update(struct agent *a, __u64 now)
{
	__u64 me = br_stp_bridge_id(&a->st), old_root = a->st.root_id;
	__u32 old_rp = a->st.root_port;
	struct vec best = { me, 0, me, 0 }, cand, h, d;
	__u16 best_rx = 0;
	int rp = PCN_MAX_PORTS, i;
	__u8 role;

	for (i = 0; i < PCN_MAX_PORTS; i++) {
		struct br_stp_port *sp = &a->sp[i];

		if (!stp_port(a, i))
			continue;
		if (!a->up[i]) {
			/* a port down forgets, and may meet a new neighbour */
			sp->flags &= ~(BR_STP_P_INFO | BR_STP_P_MODE_STP |
				       BR_STP_P_AGREED | BR_STP_P_PROPOSING |
				       BR_STP_P_TCA | BR_STP_P_TCN |
				       BR_STP_P_EDGE_LOST);
			continue;
		}
		if ((sp->flags & BR_STP_P_INFO) && !info_valid(sp, now)) {
			sp->flags &= ~BR_STP_P_INFO;
			a->tx_now[i] = true;
		}
		if (a->st.version == BR_STP_STP)
			sp->flags |= BR_STP_P_MODE_STP;
		if (!info_valid(sp, now) || sp->d_bridge == me)
			continue;
		cand = heard(sp);
		cand.cost += sp->cost;
		if (vec_cmp(&cand, &best) < 0 ||
		    (!vec_cmp(&cand, &best) && port_id(a, i) < best_rx)) {
			best = cand;
			best_rx = port_id(a, i);
			rp = i;
		}
	}
	a->st.root_id = best.root;
	a->st.root_cost = rp < PCN_MAX_PORTS ? best.cost : 0;
	a->st.root_port = rp;
	if (rp < PCN_MAX_PORTS) {
		/* the root's times, as its BPDUs carry them */
		a->st.root_max_age = (a->sp[rp].d_max_age + 128) / 256 ?: 1;
		a->st.root_hello = (a->sp[rp].d_hello + 128) / 256 ?: 1;
		a->st.root_fwd_delay = (a->sp[rp].d_fwd_delay + 128) / 256 ?: 1;
	} else {
		a->st.root_max_age = a->st.max_age;
		a->st.root_hello = a->st.hello;
		a->st.root_fwd_delay = a->st.fwd_delay;
	}
	for (i = 0; i < PCN_MAX_PORTS; i++) {
		struct br_stp_port *sp = &a->sp[i];

		if (!stp_port(a, i) || !a->up[i]) {
			role = BR_ROLE_DISABLED;
		} else if (i == rp) {
			role = BR_ROLE_ROOT;
		} else {
			d = designated(a, i);
			h = heard(sp);
			if (!info_valid(sp, now) || vec_cmp(&d, &h) <= 0)
				role = BR_ROLE_DESIGNATED;
			else if (sp->d_bridge == me)
				role = BR_ROLE_BACKUP;
			else
				role = BR_ROLE_ALTERNATE;
		}
		if (role != sp->role || a->st.root_id != old_root ||
		    a->st.root_port != old_rp) {
			/* an agreement holds for the role and root it was for */
			sp->flags &= ~BR_STP_P_AGREED;
			if (role == BR_ROLE_DESIGNATED || role == BR_ROLE_ROOT)
				a->tx_now[i] = true;
		}
		sp->role = role;
		if (role != BR_ROLE_ROOT)
			sp->flags &= ~BR_STP_P_TCN;
	}
	/*
	 * A new root port may forward at once when no other port that
	 * was root still forwards (802.1D-2004 17.29.2, reRooted): the
	 * old one went down or lost to another bridge's better offer.
	 */
	a->rerooted = a->st.root_port != old_rp && rp < PCN_MAX_PORTS &&
		      (old_rp >= PCN_MAX_PORTS ||
		       a->sp[old_rp].role == BR_ROLE_DISABLED ||
		       a->sp[old_rp].role == BR_ROLE_ALTERNATE ||
		       a->sp[old_rp].role == BR_ROLE_BACKUP);
}

/* --- states --- */

static void state_set(struct agent *a, int i, __u32 state, __u64 now)
{
	__u32 was = a->bp[i].state;

	if (was == state)
		return;
	/* a port starting or stopping to forward changes the topology;
	 * hosts coming and going on edge ports do not */
	if ((state == BR_FORWARDING || was == BR_FORWARDING) &&
	    !oper_edge(&a->sp[i]))
		topology_change(a, -1, now);
	a->bp[i].state = state;
	a->sp[i].state_ns = now;
	a->tx_now[i] = true;
}

static bool rapid(const struct agent *a, int i)
{
	return !(a->sp[i].flags & BR_STP_P_MODE_STP);
}

static void states_update(struct agent *a, __u64 now)
{
	__u64 delay = (__u64)a->st.root_fwd_delay * NSEC_PER_SEC;
	int i, k;

	for (i = 0; i < PCN_MAX_PORTS; i++) {
		struct br_stp_port *sp = &a->sp[i];
		__u32 st = a->bp[i].state;

		if (!stp_port(a, i))
			continue;
		if (sp->role == BR_ROLE_DISABLED) {
			state_set(a, i, BR_DISABLED, now);
			continue;
		}
		if (sp->role == BR_ROLE_ALTERNATE || sp->role == BR_ROLE_BACKUP) {
			state_set(a, i, BR_BLOCKING, now);
			continue;
		}
		if (sp->role == BR_ROLE_ROOT && rapid(a, i) &&
		    (a->proposed[i] || a->rerooted)) {
			/*
			 * sync: every other designated port that forwards
			 * without its neighbour's agreement discards first
			 * (and proposes in turn); then this root port may
			 * forward at once, and agrees upstream
			 */
			for (k = 0; k < PCN_MAX_PORTS; k++)
				if (k != i && stp_port(a, k) &&
				    a->sp[k].role == BR_ROLE_DESIGNATED &&
				    !oper_edge(&a->sp[k]) &&
				    !(a->sp[k].flags & BR_STP_P_AGREED) &&
				    (a->bp[k].state == BR_FORWARDING ||
				     a->bp[k].state == BR_LEARNING))
					state_set(a, k, BR_LISTENING, now);
			state_set(a, i, BR_FORWARDING, now);
			a->agree[i] = a->proposed[i];
			continue;
		}
		/* nothing but hosts behind it: no loop to wait for */
		if (sp->role == BR_ROLE_DESIGNATED && oper_edge(sp)) {
			sp->flags &= ~BR_STP_P_PROPOSING;
			state_set(a, i, BR_FORWARDING, now);
			continue;
		}
		if (sp->role == BR_ROLE_DESIGNATED &&
		    (sp->flags & BR_STP_P_AGREED) && rapid(a, i)) {
			sp->flags &= ~BR_STP_P_PROPOSING;
			state_set(a, i, BR_FORWARDING, now);
			continue;
		}
		/* the slow way: forward_delay discarding, forward_delay learning */
		if (st == BR_BLOCKING || st == BR_DISABLED)
			state_set(a, i, BR_LISTENING, now);
		else if (st == BR_LISTENING && now - sp->state_ns >= delay)
			state_set(a, i, BR_LEARNING, now);
		else if (st == BR_LEARNING && now - sp->state_ns >= delay)
			state_set(a, i, BR_FORWARDING, now);
		if (sp->role == BR_ROLE_DESIGNATED && rapid(a, i) &&
		    a->bp[i].state != BR_FORWARDING) {
			if (!(sp->flags & BR_STP_P_PROPOSING))
				a->tx_now[i] = true;
			sp->flags |= BR_STP_P_PROPOSING;
		} else {
			sp->flags &= ~BR_STP_P_PROPOSING;
		}
	}
}

/* --- transmit --- */

static void bpdu_tx(struct agent *a, int i, __u64 now)
{
	struct br_stp_port *sp = &a->sp[i];
	bool stp = sp->flags & BR_STP_P_MODE_STP;
	__u32 state = a->bp[i].state, msg_age = 0;
	struct vec d = designated(a, i);
	struct frame f = {};
	int len, role;

	memcpy(f.dst, stp_group, 6);
	memcpy(f.src, a->hw[i], 6);
	f.llc[0] = 0x42;
	f.llc[1] = 0x42;
	f.llc[2] = 0x03;
	f.b.version = stp ? 0 : 2;
	f.b.type = stp ? BPDU_CONFIG : BPDU_RST;
	put_be(f.b.root, 8, d.root);
	put_be(f.b.cost, 4, d.cost);
	put_be(f.b.bridge, 8, d.bridge);
	put_be(f.b.port, 2, d.port);
	if (a->st.root_port < PCN_MAX_PORTS)
		msg_age = a->sp[a->st.root_port].d_msg_age + 256;
	put_be(f.b.msg_age, 2, msg_age);
	put_be(f.b.max_age, 2, a->st.root_max_age * 256);
	put_be(f.b.hello, 2, a->st.root_hello * 256);
	put_be(f.b.fwd_delay, 2, a->st.root_fwd_delay * 256);
	if (now < a->tc_ns[i])
		f.b.flags |= F_TC;
	if (stp) {
		if (sp->flags & BR_STP_P_TCA)
			f.b.flags |= F_TCA;
		sp->flags &= ~BR_STP_P_TCA;
		len = 14 + 3 + 35;
	} else {
		role = sp->role == BR_ROLE_ROOT	      ? R_ROOT
		       : sp->role == BR_ROLE_DESIGNATED ? R_DESIGNATED
							: R_ALT_BACKUP;
		f.b.flags |= role << F_ROLE_SHIFT;
		if (state == BR_LEARNING || state == BR_FORWARDING)
			f.b.flags |= F_LEARNING;
		if (state == BR_FORWARDING)
			f.b.flags |= F_FORWARDING;
		if (sp->flags & BR_STP_P_PROPOSING)
			f.b.flags |= F_PROPOSAL;
		if (a->agree[i])
			f.b.flags |= F_AGREEMENT;
		len = 14 + 3 + 36;
	}
	f.len = htons(len - 14);
	if (send(a->fd[i], &f, sizeof(f), 0) == (ssize_t)sizeof(f))
		sp->tx_bpdus++;
	a->tx_ns[i] = now;
}

/* 802.1D 9.3.2: a TCN is the header and its type, nothing else */
static void tcn_tx(struct agent *a, int i, __u64 now)
{
	struct frame f = {};

	memcpy(f.dst, stp_group, 6);
	memcpy(f.src, a->hw[i], 6);
	f.llc[0] = 0x42;
	f.llc[1] = 0x42;
	f.llc[2] = 0x03;
	f.b.type = BPDU_TCN;
	f.len = htons(3 + 4);
	if (send(a->fd[i], &f, sizeof(f), 0) == (ssize_t)sizeof(f))
		a->sp[i].tx_bpdus++;
	a->tx_ns[i] = now;
}

static void bpdus_tx(struct agent *a, __u64 now)
{
	__u64 hello = (__u64)a->st.hello * NSEC_PER_SEC;
	int i;

	for (i = 0; i < PCN_MAX_PORTS; i++) {
		const struct br_stp_port *sp = &a->sp[i];
		bool due;

		if (!stp_port(a, i) || a->fd[i] < 0 || !a->up[i])
			continue;
		if (sp->role == BR_ROLE_ROOT && (sp->flags & BR_STP_P_TCN) &&
		    !rapid(a, i)) {
			/* 802.1D: again every hello time, until acknowledged */
			if (now - a->tx_ns[i] >= hello)
				tcn_tx(a, i, now);
			continue;
		}
		if (sp->role == BR_ROLE_DESIGNATED)
			due = now - a->tx_ns[i] >= hello ||
			      (a->tx_now[i] && now - a->tx_ns[i] >= 50 * MS);
		else
			/* root ports speak to agree, and to pass a topology
			 * change up (802.1w); in 802.1D, by TCNs only */
			due = rapid(a, i) &&
			      (a->agree[i] ||
			       (sp->role == BR_ROLE_ROOT && now < a->tc_ns[i] &&
				now - a->tx_ns[i] >= hello));
		if (due || (a->sp[i].flags & BR_STP_P_TCA))
			bpdu_tx(a, i, now);
	}
}

/* --- one pass --- */

/* a per-port map of the bridge, all of it */
static int ports_map_read(struct pcn_cube *c, const char *map, size_t vsize,
			  void *vals)
{
	int fd, err;

	fd = cube_obj_fd(c, map);
	if (fd < 0)
		return -errno;
	err = map_array_read(fd, PCN_MAX_PORTS, vsize, vals);
	close(fd);
	return err;
}

/* what changed, written back: ports that stop forwarding first */
static int state_write(struct agent *a, struct pcn_cube *c,
		       const struct br_stp *st0, const struct br_stp_port *sp0,
		       const struct br_port *bp0)
{
	__u32 zero = 0, i;
	int err = 0, fwd;

	for (fwd = 0; fwd < 2; fwd++)
		for (i = 0; !err && i < PCN_MAX_PORTS; i++)
			if ((a->bp[i].state == BR_FORWARDING) == fwd &&
			    memcmp(&a->bp[i], &bp0[i], sizeof(bp0[i])))
				err = cube_map_put(c, "br_ports", &i, &a->bp[i]);
	for (i = 0; !err && i < PCN_MAX_PORTS; i++)
		if (memcmp(&a->sp[i], &sp0[i], sizeof(sp0[i])))
			err = cube_map_put(c, "br_stp_ports", &i, &a->sp[i]);
	if (!err && memcmp(&a->st, st0, sizeof(*st0)))
		err = cube_map_put(c, "br_stp", &zero, &a->st);
	return err;
}

/*
 * One pass under the lock. Return: 0; 1 when the tree is off (the agent
 * stops); -errno, with a reason where the engine left one.
 */
static int pass(struct agent *a, bool last)
{
	static struct br_stp_port sp0[PCN_MAX_PORTS];
	static struct br_port bp0[PCN_MAX_PORTS];
	struct br_stp st0;
	struct pcn_cube c;
	__u64 now;
	int err;

	err = pcn_state_open(PCN_WRITE_EXISTING);
	if (err)
		goto unlock;
	err = cube_open(a->name, &c);
	if (err)
		goto unlock;
	err = strcmp(c.meta.type, "bridge") ? -EINVAL : 0;
	if (!err)
		err = br_stp_get(&c, &a->st);
	if (!err)
		err = ports_map_read(&c, "br_stp_ports", sizeof(a->sp[0]), a->sp);
	if (!err)
		err = ports_map_read(&c, "br_ports", sizeof(a->bp[0]), a->bp);
	if (!err)
		err = cube_ports_read(&c, a->pp);
	if (err)
		goto close;
	if (!a->st.enabled) {
		err = 1;
		goto close;
	}
	st0 = a->st;
	memcpy(sp0, a->sp, sizeof(sp0));
	memcpy(bp0, a->bp, sizeof(bp0));
	now = pcn_now_ns();
	memset(a->proposed, 0, sizeof(a->proposed));
	memset(a->tx_now, 0, sizeof(a->tx_now));
	memset(a->agree, 0, sizeof(a->agree));
	a->tc = false;
	if (!a->started) {
		a->started = true;
		info_resume(a, now);
	}
	if (last) {
		/* the tree stays as it is; show says no agent looks after it */
		a->st.agent_pid = 0;
	} else {
		ports_sync(a);
		bpdus_rx(a, now);
		roles_update(a, now);
		states_update(a, now);
		bpdus_tx(a, now);
		a->st.agent_pid = getpid();
		if (now - a->st.agent_ns >= NSEC_PER_SEC / 2)
			a->st.agent_ns = now;
	}
	err = state_write(a, &c, &st0, sp0, bp0);
	/* stations may be behind another port now: learn them again */
	a->flush_due |= a->tc;
	if (!err && a->flush_due && now - a->flush_ns >= NSEC_PER_SEC) {
		a->flush_ns = now;
		a->flush_due = false;
		err = br_fdb_flush(&c, -1, true, -1, NULL);
	}
close:
	cube_close(&c);
unlock:
	pcn_state_unlock();
	return err;
}

int br_stp_run(const char *name)
{
	struct pollfd pfd[PCN_MAX_PORTS];
	struct agent a = { .name = name };
	struct sigaction sa = { .sa_handler = on_signal };
	struct pcn_cube c;
	int err, i, n;

	err = cube_open_type(name, "bridge", &c, false);
	if (err)
		return err;
	err = br_stp_get(&c, &a.st);
	if (err || !a.st.enabled) {
		cube_close(&c);
		return err ? pcn_err_kernel(err, "cannot read the tree of \"%s\"",
					    name)
			   : pcn_err(PCN_EXIT_KERNEL,
				     "spanning tree is off for \"%s\": \"pcn stp add %s\" turns it on",
				     name, name);
	}
	/* two agents would answer every BPDU twice */
	if (br_stp_agent_alive(&a.st, pcn_now_ns())) {
		cube_close(&c);
		return pcn_err(PCN_EXIT_KERNEL,
			       "an agent (pid %u) already runs for \"%s\"",
			       a.st.agent_pid, name);
	}
	cube_close(&c);
	pcn_state_unlock();
	for (i = 0; i < PCN_MAX_PORTS; i++)
		a.fd[i] = -1;
	a.ioc = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (a.ioc < 0)
		return pcn_err_kernel(-errno, "cannot open a socket");
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	while (!stop) {
		err = pass(&a, false);
		if (err)
			break;
		for (i = n = 0; i < PCN_MAX_PORTS; i++)
			if (a.fd[i] >= 0)
				pfd[n++] = (struct pollfd){ a.fd[i], POLLIN, 0 };
		if (poll(pfd, n, TICK_MS) < 0 && errno != EINTR) {
			err = -errno;
			break;
		}
	}
	if (!err)
		pass(&a, true);
	for (i = 0; i < PCN_MAX_PORTS; i++)
		port_close(&a, i);
	close(a.ioc);
	if (err == 1)
		return 0;	/* "pcn stp del": nothing left to do */
	if (err == -ENOENT)
		return pcn_err(PCN_EXIT_KERNEL, "bridge \"%s\" is gone", name);
	if (err)
		return pcn_err_kernel(err, "spanning tree agent of \"%s\"",
				      name);
	return 0;
}
