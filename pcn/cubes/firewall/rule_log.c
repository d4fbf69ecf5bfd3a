// SPDX-License-Identifier: GPL-2.0
/*
 * pcn rule log FIREWALL [ follow ]: the events of a firewall's rules of
 * action log, from its ring buffer (fw_log, pinned with the cube), as
 * lines in the form of the kernel's LOG target ("PREFIX IN=... SRC=...
 * DST=... LEN=... PROTO=... SPT=... DPT=..."), or objects with -j.
 * Reading takes the events: each is read once. Without follow, what is
 * there; with follow, until interrupted.
 */
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "fw.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static const char *proto_word(__u8 p, char *buf)
{
	switch (p) {
	case IPPROTO_TCP: return "TCP";
	case IPPROTO_UDP: return "UDP";
	case IPPROTO_ICMP: return "ICMP";
	case IPPROTO_ICMPV6: return "ICMPv6";
	}
	sprintf(buf, "%u", p);
	return buf;
}

static int print_event(void *ctx, void *data, size_t size)
{
	static const char *const flags[] = { "FIN", "SYN", "RST", "PSH",
					     "ACK", "URG", "ECE", "CWR" };
	const struct fw_log_event *ev = data;
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
	char dev[IF_NAMESIZE] = "", pbuf[8], prefix[33], when[32];
	bool icmp;
	int af, i;

	(void)ctx;
	if (size < sizeof(*ev))
		return 0;
	af = ev->family == 4 ? AF_INET : AF_INET6;
	inet_ntop(af, ev->src, src, sizeof(src));
	inet_ntop(af, ev->dst, dst, sizeof(dst));
	if (!if_indextoname(ev->ifindex, dev))
		snprintf(dev, sizeof(dev), "%u", ev->ifindex);
	memcpy(prefix, ev->prefix, 32);
	prefix[32] = '\0';
	icmp = ev->proto == IPPROTO_ICMP || ev->proto == IPPROTO_ICMPV6;

	open_json_object(NULL);
	snprintf(when, sizeof(when), "%llu.%06llu",
		 (unsigned long long)(ev->ns / 1000000000ull),
		 (unsigned long long)(ev->ns % 1000000000ull / 1000));
	print_string(PRINT_ANY, "time", "[%s] ", when);
	print_string(PRINT_JSON, "prefix", NULL, prefix);
	print_string(PRINT_FP, NULL, "%s", prefix);
	print_uint(PRINT_JSON, "level", NULL, ev->level);
	print_string(PRINT_JSON, "chain", NULL, fw_chain_name(ev->chain));
	print_uint(PRINT_JSON, "rule_id", NULL, ev->id);
	print_string(PRINT_ANY, ev->chain ? "out" : "in",
		     ev->chain ? "IN= OUT=%s" : "IN=%s OUT=", dev);
	print_string(PRINT_ANY, "src", " SRC=%s", src);
	print_string(PRINT_ANY, "dst", " DST=%s", dst);
	print_uint(PRINT_ANY, "len", " LEN=%u", ev->len);
	print_string(PRINT_ANY, "proto", " PROTO=%s",
		     proto_word(ev->proto, pbuf));
	if (ev->l4 >= 2 && icmp) {
		print_uint(PRINT_ANY, "icmp_type", " TYPE=%u", ev->sport);
		print_uint(PRINT_ANY, "icmp_code", " CODE=%u", ev->dport);
	} else if (ev->l4 >= 2) {
		print_uint(PRINT_ANY, "sport", " SPT=%u", ev->sport);
		print_uint(PRINT_ANY, "dport", " DPT=%u", ev->dport);
	} else if (!ev->l4) {
		print_string(PRINT_FP, NULL, "%s", " FRAG");
	}
	if (ev->l4 == 3)
		for (i = 0; i < 8; i++)
			if (ev->flags & (1u << i))
				print_string(PRINT_FP, NULL, " %s", flags[i]);
	if (ev->l4 == 3)
		print_uint(PRINT_JSON, "tcp_flags", NULL, ev->flags);
	if (ev->mark)
		print_uint(PRINT_ANY, "mark", " MARK=0x%x", ev->mark);
	close_json_object();
	print_nl();
	fflush(stdout);
	return 0;
}

int fw_rule_log_cmd(int argc, char **argv)
{
	struct ring_buffer *rb;
	struct pcn_cube c;
	bool follow = false;
	int fd, err;

	if (argc < 1)
		return pcn_err(PCN_EXIT_USAGE, "FIREWALL missing");
	if (argc > 2 || (argc == 2 && !is_kw(argv[1], "follow")))
		return pcn_err(PCN_EXIT_USAGE, "unexpected \"%s\": FIREWALL [ follow ]",
			       argv[argc > 2 ? 2 : 1]);
	follow = argc == 2;
	err = check_name("cube", argv[0]);
	if (err)
		return err;
	err = cube_open_type(argv[0], "firewall", &c, true);
	if (err)
		return err;
	fd = cube_obj_fd(&c, "fw_log");
	err = fd < 0 ? -errno : 0;
	cube_close(&c);
	if (err)
		return pcn_err_kernel(err, "cannot open the log of \"%s\"", argv[0]);
	rb = ring_buffer__new(fd, print_event, NULL, NULL);
	if (!rb) {
		err = -errno;
		close(fd);
		return pcn_err_kernel(err, "cannot read the log of \"%s\"", argv[0]);
	}
	new_json_obj(json, pretty);
	open_json_array(PRINT_JSON, NULL);
	if (follow) {
		signal(SIGINT, on_signal);
		signal(SIGTERM, on_signal);
		while (!stop) {
			err = ring_buffer__poll(rb, 200);
			if (err < 0 && err != -EINTR)
				break;
			err = 0;
		}
	} else {
		err = ring_buffer__consume(rb);
		err = err < 0 ? err : 0;
	}
	close_json_array(PRINT_JSON, NULL);
	delete_json_obj();
	ring_buffer__free(rb);
	close(fd);
	return err ? pcn_err_kernel(err, "cannot read the log of \"%s\"", argv[0]) : 0;
}
