// SPDX-License-Identifier: GPL-2.0
/*
 * capture: writing pcapng (the default) and classic pcap, both with
 * nanosecond timestamps, and the clock that makes them wall-clock time.
 *
 * pcapng (draft-ietf-opsawg-pcapng): a Section Header Block, then one
 * Interface Description Block per capture point, if_name saying which
 * ("dev eth1 ingress"), if_tsresol 9 (ns); then an Enhanced Packet
 * Block per packet, its flags saying the direction. Blocks are written
 * in the host's byte order, which the section's magic tells readers.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "cap.h"

#define PCAPNG_SHB		0x0a0d0d0au
#define PCAPNG_IDB		0x00000001u
#define PCAPNG_EPB		0x00000006u
#define PCAPNG_MAGIC		0x1a2b3c4du
#define OPT_END			0
#define OPT_SHB_USERAPPL	4
#define OPT_IF_NAME		2
#define OPT_IF_TSRESOL		9
#define OPT_EPB_FLAGS		2
#define EPB_INBOUND		1
#define EPB_OUTBOUND		2

#define PCAP_MAGIC_NS		0xa1b23c4du

static inline __u32 pad4(__u32 n)
{
	return (n + 3) & ~3u;
}

static int put(struct cap_writer *w, const void *p, size_t n)
{
	if (n && fwrite_unlocked(p, n, 1, w->f) != 1)
		return errno ? -errno : -EIO;
	return 0;
}

/* An option: code, length, value padded to 4 bytes, into @buf at @off. */
static __u32 opt(__u8 *buf, __u32 off, __u16 code, const void *v, __u16 len)
{
	memcpy(buf + off, &code, 2);
	memcpy(buf + off + 2, &len, 2);
	memset(buf + off + 4, 0, pad4(len));
	memcpy(buf + off + 4, v, len);
	return off + 4 + pad4(len);
}

/* A block of @type with @body (@off bytes of it, options included). */
static int block(struct cap_writer *w, __u32 type, __u8 *body, __u32 off)
{
	__u32 total = 12 + off, hdr[2] = { type, total };
	int err;

	err = put(w, hdr, sizeof(hdr));
	if (!err)
		err = put(w, body, off);
	if (!err)
		err = put(w, &total, 4);
	return err;
}

static int pcapng_header(struct cap_writer *w, const char *const *names,
			 int n)
{
	static const char app[] = "pcn capture " PCN_VERSION;
	__u8 body[256];
	__u32 magic = PCAPNG_MAGIC, off;
	__u16 ver[2] = { 1, 0 };
	__s64 len = -1;		/* section length not given */
	__u8 tsresol = 9;
	__u16 link[2] = { CAP_LINKTYPE_ETHERNET, 0 };
	__u16 end[2] = { OPT_END, 0 };
	int i, err;

	memcpy(body, &magic, 4);
	memcpy(body + 4, ver, 4);
	memcpy(body + 8, &len, 8);
	off = opt(body, 16, OPT_SHB_USERAPPL, app, strlen(app));
	memcpy(body + off, end, 4);
	err = block(w, PCAPNG_SHB, body, off + 4);
	for (i = 0; i < n && !err; i++) {
		memcpy(body, link, 4);
		memcpy(body + 4, &w->snaplen, 4);
		off = opt(body, 8, OPT_IF_NAME, names[i],
			  strnlen(names[i], 128));
		off = opt(body, off, OPT_IF_TSRESOL, &tsresol, 1);
		memcpy(body + off, end, 4);
		err = block(w, PCAPNG_IDB, body, off + 4);
	}
	return err;
}

static int pcap_header(struct cap_writer *w)
{
	struct {
		__u32 magic;
		__u16 major, minor;
		__s32 thiszone;
		__u32 sigfigs, snaplen, linktype;
	} h = { PCAP_MAGIC_NS, 2, 4, 0, 0, w->snaplen, CAP_LINKTYPE_ETHERNET };

	return put(w, &h, sizeof(h));
}

int cap_write_header(struct cap_writer *w, const char *const *names, int n)
{
	int err = w->pcapng ? pcapng_header(w, names, n) : pcap_header(w);

	return err ?: (fflush(w->f) ? -errno : 0);
}

int cap_write_packet(struct cap_writer *w, __u32 ifid, __u64 ts_ns,
		     const void *data, __u32 caplen, __u32 len, bool egress)
{
	static const __u8 zeros[4];
	int err;

	if (!w->pcapng) {
		__u32 h[4] = { ts_ns / 1000000000u, ts_ns % 1000000000u,
			       caplen, len };

		err = put(w, h, sizeof(h));
		return err ?: put(w, data, caplen);
	}
	/* head, data, padding, the flags option and its end, total */
	{
		__u32 opts = 12, total = 28 + pad4(caplen) + opts + 4;
		__u32 head[7] = { PCAPNG_EPB, total, ifid, ts_ns >> 32,
				  (__u32)ts_ns, caplen, len };
		__u16 flags_opt[2] = { OPT_EPB_FLAGS, 4 };
		__u32 tail[4] = { 0, egress ? EPB_OUTBOUND : EPB_INBOUND,
				  OPT_END, total };

		memcpy(&tail[0], flags_opt, 4);
		err = put(w, head, sizeof(head));
		if (!err)
			err = put(w, data, caplen);
		if (!err)
			err = put(w, zeros, pad4(caplen) - caplen);
		return err ?: put(w, tail, sizeof(tail));
	}
}

static __s64 ts_ns(clockid_t id)
{
	struct timespec t;

	clock_gettime(id, &t);
	return (__s64)t.tv_sec * 1000000000 + t.tv_nsec;
}

__s64 cap_boot_to_real(void)
{
	__s64 best = -1, off = 0, b1, r, b2;
	int i;

	for (i = 0; i < 3; i++) {
		b1 = ts_ns(CLOCK_BOOTTIME);
		r = ts_ns(CLOCK_REALTIME);
		b2 = ts_ns(CLOCK_BOOTTIME);
		if (best < 0 || b2 - b1 < best) {
			best = b2 - b1;
			off = r - (b1 + (b2 - b1) / 2);
		}
	}
	return off;
}
