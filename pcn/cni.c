// SPDX-License-Identifier: GPL-2.0
/*
 * pcn-cni: pcn as a CNI plugin. The same binary, called by that name
 * (a symlink in the runtime's plugin directory): a CNI plugin is a
 * short-lived command given a JSON configuration on stdin and the
 * container in its environment, which is pcn's daemonless model, and
 * every step below is a pcn command or an engine call pcn already has.
 *
 * ADD: an address from the IPAM plugin (delegated, as every reference
 * plugin does); a veth pair, the pod's end in the pod's netns with the
 * address and routes, the host's end a port of the node's bridge cube,
 * made on the first ADD (with, for "isGateway", a veth to the host
 * stack holding the gateway address), or of a router cube that is the
 * fast path of the node's own routing (host_routes()). DEL undoes it,
 * and removes a cube after its last pod; a second DEL succeeds. CHECK verifies the
 * pod's interface, the host's end and the port. VERSION lists what is
 * spoken. Errors are the spec's JSON on stdout, with its codes.
 *
 * pcn's own lock makes a node's ADDs and DELs take turns (state_open()).
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "pcn.h"
#include "cube.h"
#include "json.h"
#include "json_writer.h"
#include "netlink.h"
#include "parse.h"
#include "utils.h"
#include "veth.h"

#define CNI_SPEC "1.0.0"

/* the spec's error codes */
enum {
	CNI_ERR_VERSION = 1,		/* incompatible CNI version */
	CNI_ERR_FIELD = 2,		/* unsupported field */
	CNI_ERR_CONTAINER = 3,		/* container unknown or missing */
	CNI_ERR_ENV = 4,		/* invalid environment variables */
	CNI_ERR_IO = 5,			/* I/O failure */
	CNI_ERR_DECODE = 6,		/* failed to decode content */
	CNI_ERR_CONFIG = 7,		/* invalid network config */
	CNI_ERR_AGAIN = 11,		/* try again later */
};

static const char *const cni_versions[] = {
	"0.3.0", "0.3.1", "0.4.0", "1.0.0", NULL,
};

struct cni {
	const char *command;
	const char *container;
	const char *netns;
	const char *ifname;
	const char *path;		/* CNI_PATH: where IPAM plugins are */
	char *text;			/* the configuration, as read */
	size_t len;
	struct json *conf;
	const char *version;		/* its cniVersion */
	char cube[PCN_NAME_LEN];
	char port_cube[PCN_NAME_LEN];	/* ADD: the cube the pod goes to */
	const char *mode;		/* "xdp" or "tc" */
	bool router;			/* cubeType router, else bridge */
	bool foreign;			/* the cube is of the other type */
	bool gateway;			/* isGateway */
	char host_if[PCN_NAME_LEN];	/* the pod's veth, host end = port */
	char gw_if[PCN_NAME_LEN];	/* host stack end of the gateway veth */
	char gp_if[PCN_NAME_LEN];	/* its cube end */
	int host_ns;			/* this netns (the node's) */
};

static int cni_fail(const struct cni *c, int code, const char *details,
		    const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* The spec's error JSON on stdout; the exit code. */
static int cni_fail(const struct cni *c, int code, const char *details,
		    const char *fmt, ...)
{
	json_writer_t *w = jsonw_new(stdout);
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!w)
		return 1;
	jsonw_pretty(w, true);
	jsonw_start_object(w);
	jsonw_string_field(w, "cniVersion",
			   c && c->version ? c->version : CNI_SPEC);
	jsonw_uint_field(w, "code", code);
	jsonw_string_field(w, "msg", msg);
	if (details && *details)
		jsonw_string_field(w, "details", details);
	jsonw_end_object(w);
	jsonw_destroy(&w);
	return 1;
}

static bool version_known(const char *v)
{
	int i;

	for (i = 0; cni_versions[i]; i++)
		if (!strcmp(v, cni_versions[i]))
			return true;
	return false;
}

static char *read_all(FILE *f, size_t *len)
{
	size_t cap = 4096, n = 0, got;
	char *buf = malloc(cap), *nb;

	while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap) {
			nb = realloc(buf, cap * 2);
			if (!nb)
				break;
			buf = nb;
			cap *= 2;
		}
	}
	if (buf && n == cap) {
		free(buf);
		return NULL;
	}
	*len = n;
	return buf;
}

/* the host end's name: the same for a container's interface on every call */
static void host_if_name(struct cni *c)
{
	unsigned int h = 2166136261u;	/* FNV-1a */
	const char *s;

	for (s = c->container; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	h = (h ^ '/') * 16777619u;
	for (s = c->ifname; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	snprintf(c->host_if, sizeof(c->host_if), "pcn%08x", h);
}

static int conf_read(struct cni *c)
{
	const struct json *v;
	const char *s;
	size_t where = 0;

	c->text = read_all(stdin, &c->len);
	if (!c->text)
		return cni_fail(c, CNI_ERR_IO, strerror(errno),
				"cannot read the network configuration");
	c->conf = json_parse(c->text, c->len, &where);
	if (!c->conf || c->conf->type != JSON_OBJECT) {
		char d[64];

		snprintf(d, sizeof(d), "at byte %zu", where);
		return cni_fail(c, CNI_ERR_DECODE, d,
				"the network configuration is not a JSON object");
	}
	c->version = json_str(c->conf, "cniVersion");
	if (!c->version)
		return cni_fail(c, CNI_ERR_CONFIG, NULL,
				"the network configuration has no cniVersion");
	if (!version_known(c->version)) {
		s = c->version;
		c->version = NULL;
		return cni_fail(c, CNI_ERR_VERSION, "0.3.0 0.3.1 0.4.0 1.0.0",
				"CNI version %s is not supported", s);
	}
	if (!json_str(c->conf, "name"))
		return cni_fail(c, CNI_ERR_CONFIG, NULL,
				"the network configuration has no name");
	s = json_str(c->conf, "cube") ?: "cni0";
	/* room for the gateway's "-gw"/"-gp" */
	if (!name_is_valid(s) || strlen(s) > PCN_NAME_LEN - 4)
		return cni_fail(c, CNI_ERR_CONFIG, s,
				"\"cube\" must be a pcn name of at most %d characters",
				PCN_NAME_LEN - 4);
	name_copy(c->cube, s);
	snprintf(c->gw_if, sizeof(c->gw_if), "%s-gw", c->cube);
	snprintf(c->gp_if, sizeof(c->gp_if), "%s-gp", c->cube);
	v = json_get(c->conf, "cubeType");
	s = json_str(c->conf, "cubeType");
	if (v && !s)
		return cni_fail(c, CNI_ERR_CONFIG, NULL,
				"\"cubeType\" must be a string");
	c->router = s && !strcmp(s, "router");
	if (s && !c->router && strcmp(s, "bridge"))
		return cni_fail(c, CNI_ERR_FIELD, s,
				"\"cubeType\" %s is not supported (bridge or router)",
				s);
	c->mode = json_str(c->conf, "mode") ?: "tc";
	if (strcmp(c->mode, "xdp") && strcmp(c->mode, "tc"))
		return cni_fail(c, CNI_ERR_CONFIG, c->mode,
				"\"mode\" must be xdp or tc");
	v = json_get(c->conf, "isGateway");
	if (v && v->type != JSON_TRUE && v->type != JSON_FALSE)
		return cni_fail(c, CNI_ERR_CONFIG, NULL,
				"\"isGateway\" must be true or false");
	c->gateway = v && v->type == JSON_TRUE;
	v = json_get(c->conf, "ipam");
	if (!v || !json_str(v, "type"))
		return cni_fail(c, CNI_ERR_CONFIG, NULL,
				"the network configuration has no ipam type");
	s = json_str(v, "type");
	if (strchr(s, '/') || !*s)
		return cni_fail(c, CNI_ERR_CONFIG, s, "bad ipam type");
	return 0;
}

static int env_read(struct cni *c, bool need_netns)
{
	c->container = getenv("CNI_CONTAINERID");
	c->netns = getenv("CNI_NETNS");
	c->ifname = getenv("CNI_IFNAME");
	c->path = getenv("CNI_PATH");
	if (!c->container || !*c->container)
		return cni_fail(c, CNI_ERR_ENV, NULL, "CNI_CONTAINERID is not set");
	if (!c->ifname || !*c->ifname || strlen(c->ifname) >= PCN_NAME_LEN)
		return cni_fail(c, CNI_ERR_ENV, NULL,
				"CNI_IFNAME is not an interface name");
	if (need_netns && (!c->netns || !*c->netns))
		return cni_fail(c, CNI_ERR_ENV, NULL, "CNI_NETNS is not set");
	if (!c->path || !*c->path)
		return cni_fail(c, CNI_ERR_ENV, NULL, "CNI_PATH is not set");
	host_if_name(c);
	return 0;
}

/*
 * Run the IPAM plugin with our environment and configuration.
 * Return: 0 with its stdout in *@out (NUL-ended), or an exit code after
 * reporting (its own error JSON passed on when it gave one).
 */
static int ipam_run(struct cni *c, const char *command, char **out)
{
	const char *type = json_str(json_get(c->conf, "ipam"), "type");
	char exe[PATH_MAX] = "", *dirs, *dir, *save;
	int in[2], outp[2], status;
	size_t len;
	FILE *f;
	pid_t pid;

	dirs = strdup(c->path);
	for (dir = dirs ? strtok_r(dirs, ":", &save) : NULL; dir;
	     dir = strtok_r(NULL, ":", &save)) {
		snprintf(exe, sizeof(exe), "%s/%s", dir, type);
		if (!access(exe, X_OK))
			break;
		exe[0] = '\0';
	}
	free(dirs);
	if (!exe[0])
		return cni_fail(c, CNI_ERR_CONFIG, c->path,
				"no IPAM plugin \"%s\" in CNI_PATH", type);
	if (pipe2(in, O_CLOEXEC) || pipe2(outp, O_CLOEXEC))
		return cni_fail(c, CNI_ERR_IO, strerror(errno), "pipe");
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return cni_fail(c, CNI_ERR_IO, strerror(errno), "fork");
	if (!pid) {
		dup2(in[0], 0);
		dup2(outp[1], 1);
		setenv("CNI_COMMAND", command, 1);
		execl(exe, type, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(outp[1]);
	if (write(in[1], c->text, c->len) != (ssize_t)c->len)
		status = -1;
	close(in[1]);
	f = fdopen(outp[0], "r");
	*out = f ? read_all(f, &len) : NULL;
	if (f)
		fclose(f);
	else
		close(outp[0]);
	if (*out)
		(*out)[len] = '\0';	/* read_all() leaves room */
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status)) {
		if (*out && **out) {
			/* the delegate's error is the spec's JSON already */
			fputs(*out, stdout);
			free(*out);
			return 1;
		}
		free(*out);
		return cni_fail(c, CNI_ERR_IO, exe, "the IPAM plugin failed");
	}
	if (!*out)
		return cni_fail(c, CNI_ERR_IO, exe,
				"cannot read the IPAM plugin's result");
	return 0;
}

/*
 * stdout sent to @fd until stdout_back(): what runs meanwhile must not
 * print into the plugin's one answer. Return: the saved stdout.
 */
static int stdout_to(int fd)
{
	int saved;

	fflush(stdout);
	saved = dup(1);
	if (fd >= 0)
		dup2(fd, 1);
	return saved;
}

static void stdout_back(int saved)
{
	fflush(stdout);
	if (saved >= 0) {
		dup2(saved, 1);
		close(saved);
	}
}

/* a pcn command, its output kept off stdout (the result goes there) */
static int pcn_cmd(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int pcn_cmd(const char *fmt, ...)
{
	char line[256], *argv[16], *save, *w;
	int argc = 0, out, rc;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	for (w = strtok_r(line, " ", &save); w && argc < 15;
	     w = strtok_r(NULL, " ", &save))
		argv[argc++] = w;
	argv[argc] = NULL;
	out = stdout_to(2);
	rc = pcn_dispatch(argc, argv);
	stdout_back(out);
	return rc;
}

/*
 * pcn's state of this netns, under its exclusive lock until the plugin
 * exits: the node's pods take turns, so the first ADD's cube add and
 * the last DEL's cube del never meet another pod's port.
 */
static int state_open(struct cni *c, enum pcn_access access)
{
	bool none;

	if (tree_open(access, access == PCN_READ ? &none : NULL))
		return cni_fail(c, CNI_ERR_AGAIN, pcn_root(),
				"cannot open pcn's state (see stderr)");
	return 0;
}

/* An address "A/P" (v4 or v6). Return: 0, or -EINVAL. */
static int cidr_parse(const char *s, int *family, unsigned char *addr,
		      int *plen)
{
	char buf[64], *slash;
	unsigned int p;

	snprintf(buf, sizeof(buf), "%s", s);
	slash = strchr(buf, '/');
	if (slash)
		*slash++ = '\0';
	*family = strchr(buf, ':') ? AF_INET6 : AF_INET;
	if (inet_pton(*family, buf, addr) != 1)
		return -EINVAL;
	if (!slash) {
		*plen = *family == AF_INET ? 32 : 128;
		return 0;
	}
	if (pcn_parse_u32(slash, 10, &p) ||
	    p > (*family == AF_INET ? 32u : 128u))
		return -EINVAL;
	*plen = p;
	return 0;
}

/* /proc/sys/net/ipv4/@dir/@ifname/@leaf (or @dir alone) set to @val */
static int sysctl_put(const char *dir, const char *ifname, const char *leaf,
		      const char *val)
{
	char path[PATH_MAX];
	FILE *f;
	int err = 0;

	if (ifname)
		snprintf(path, sizeof(path), "/proc/sys/net/ipv4/%s/%s/%s",
			 dir, ifname, leaf);
	else
		snprintf(path, sizeof(path), "/proc/sys/net/ipv4/%s", dir);
	f = fopen(path, "w");
	if (!f)
		return -errno;
	if (fputs(val, f) < 0)
		err = -EIO;
	if (fclose(f) && !err)
		err = -errno;
	return err;
}

/* the node forwards between its pods and the rest, as a gateway must */
static void ip_forward_on(void)
{
	sysctl_put("ip_forward", NULL, NULL, "1\n");
}

/*
 * A router node's pods go to cubes CUBE, CUBE-2 ... CUBE-16, each the
 * fast path of its own pods (a cube has PCN_MAX_PORTS ports, see
 * cni.md); pods of two cubes meet in the node's stack, which routes
 * them all. A bridge node has one cube.
 */
#define CNI_ROUTER_CUBES 16

static int cube_count(const struct cni *c)
{
	return c->router ? CNI_ROUTER_CUBES : 1;
}

static void cube_name_at(const struct cni *c, int i, char *name)
{
	if (i)
		snprintf(name, PCN_NAME_LEN, "%s-%d", c->cube, i + 1);
	else
		name_copy(name, c->cube);
}

/*
 * The cube with the pod's port, named in @name.
 * Return: 0; -ENOENT if no cube of the node's is there; -ESRCH if none
 * has the port.
 */
static int pod_cube(const struct cni *c, char *name)
{
	struct pcn_port ports[PCN_MAX_PORTS];
	struct pcn_cube cube;
	int i, err = -ENOENT;

	for (i = 0; i < cube_count(c); i++) {
		cube_name_at(c, i, name);
		if (cube_open(name, &cube))
			continue;
		err = -ESRCH;
		if (!cube_ports_read(&cube, ports) &&
		    cube_port_find(ports, PCN_MAX_PORTS, c->host_if) >= 0) {
			cube_close(&cube);
			return 0;
		}
		cube_close(&cube);
	}
	return err;
}

/* The first of the node's cubes with a free port, made if missing. */
static int cube_pick(struct cni *c)
{
	const char *type = c->router ? "router" : "bridge";
	struct pcn_port ports[PCN_MAX_PORTS];
	char name[PCN_NAME_LEN];
	struct pcn_cube cube;
	unsigned int j, used;
	int i, err;

	for (i = 0; i < cube_count(c); i++) {
		cube_name_at(c, i, name);
		if (cube_open(name, &cube)) {
			/* a router forwards by the node's FIB: host_routes() */
			if (pcn_cmd("cube add %s type %s mode %s%s", name, type,
				    c->mode, c->router ? " fib kernel" : ""))
				return cni_fail(c, CNI_ERR_IO, NULL,
						"cannot add cube %s", name);
			name_copy(c->port_cube, name);
			return 0;
		}
		err = strcmp(cube.meta.type, type) ? -EEXIST :
		      cube_ports_read(&cube, ports);
		for (j = used = 0; !err && j < PCN_MAX_PORTS; j++)
			used += !!ports[j].name[0];
		if (!err && used < cube.meta.max_ports)
			name_copy(c->port_cube, name);
		cube_close(&cube);
		if (err == -EEXIST) {
			c->foreign = true;
			return cni_fail(c, CNI_ERR_CONFIG, name,
					"cube %s is not a %s", name, type);
		}
		if (err)
			return cni_fail(c, CNI_ERR_IO, strerror(-err),
					"cannot read the ports of cube %s", name);
		if (c->port_cube[0])
			return 0;
	}
	/* a DEL frees one: "try again later" */
	return cni_fail(c, CNI_ERR_AGAIN, c->cube,
			"no free port on the node's %d %s cube(s)",
			cube_count(c), type);
}

/* The cube, and for isGateway its way to the host stack, made if missing. */
static int cube_ensure(struct cni *c, const struct json *ipam)
{
	const struct json *ip;
	struct nl_link l;
	unsigned char a[16];
	int fam, plen, err;

	err = cube_pick(c);
	if (err)
		return err;
	/* a router's gateway is on every pod's host end (host_routes()) */
	if (!c->gateway || c->router)
		return 0;
	if (nl_link_get(c->gw_if, 0, &l)) {
		err = nl_veth_pair(c->gw_if, c->gp_if, -1);
		if (!err && !nl_link_get(c->gp_if, 0, &l))
			err = nl_link_up(l.ifindex);
		if (err)
			return cni_fail(c, CNI_ERR_IO, strerror(-err),
					"cannot make the gateway veth %s",
					c->gw_if);
		if (!strcmp(c->mode, "xdp"))
			veth_redirect_ready(c->gw_if);
		if (pcn_cmd("link add %s:gw dev %s", c->cube, c->gp_if))
			return cni_fail(c, CNI_ERR_IO, NULL,
					"cannot link the gateway to %s", c->cube);
		ip_forward_on();
	}
	if (nl_link_get(c->gw_if, 0, &l))
		return cni_fail(c, CNI_ERR_IO, NULL, "no gateway veth %s",
				c->gw_if);
	for (ip = json_get(ipam, "ips") ? json_get(ipam, "ips")->kids : NULL;
	     ip; ip = ip->next) {
		const char *gw = json_str(ip, "gateway");
		const char *addr = json_str(ip, "address");
		unsigned char g[16];
		int gfam;

		if (!gw || !addr || cidr_parse(addr, &fam, a, &plen))
			continue;
		gfam = strchr(gw, ':') ? AF_INET6 : AF_INET;
		if (gfam != fam || inet_pton(fam, gw, g) != 1)
			continue;
		err = nl_addr_add(l.ifindex, fam, g, plen);
		if (err && err != -EEXIST)
			return cni_fail(c, CNI_ERR_IO, strerror(-err),
					"cannot set the gateway address %s", gw);
	}
	return 0;
}

/*
 * cubeType router: the node's stack is the pods' router, and the cube
 * (fib kernel) its fast path. Each pod's host end holds the gateway
 * address as a /32 (the same address on every host end: an anycast
 * gateway, answered by the kernel's ARP on each), answers ARP for the
 * other addresses of the pod's subnet (proxy ARP, at once: no
 * proxy_delay), and the node has a /32 route to the pod through it. The
 * cube's programs on the host ends forward pod to pod by that FIB and
 * the kernel's neighbour cache (bpf_fib_lookup()); what it cannot
 * resolve goes to the stack, which resolves it and forwards.
 */
static int host_routes(struct cni *c, const struct json *ipam, int ifindex)
{
	const struct json *ip;
	unsigned char a[16], g[4];
	int fam, plen, err;

	err = sysctl_put("conf", c->host_if, "proxy_arp", "1\n") ?:
	      sysctl_put("neigh", c->host_if, "proxy_delay", "0\n");
	for (ip = json_get(ipam, "ips")->kids; !err && ip; ip = ip->next) {
		const char *gw = json_str(ip, "gateway");
		const char *addr = json_str(ip, "address");

		if (!addr || cidr_parse(addr, &fam, a, &plen))
			return -EINVAL;
		if (gw && inet_pton(AF_INET, gw, g) == 1) {
			err = nl_addr_add(ifindex, AF_INET, g, 32);
			if (err == -EEXIST)
				err = 0;
		}
		if (!err)
			err = nl_route_add(AF_INET, a, 32, NULL, ifindex);
	}
	if (!err)
		ip_forward_on();
	return err;
}

/* router mode: IPv4 only (IPv6 pods would need proxy NDP per address) */
static int router_ips_check(struct cni *c, const struct json *ipam)
{
	const struct json *ip;

	for (ip = json_get(ipam, "ips")->kids; ip; ip = ip->next) {
		const char *addr = json_str(ip, "address");

		if (addr && strchr(addr, ':'))
			return cni_fail(c, CNI_ERR_FIELD, addr,
					"a router cube takes IPv4 pods only");
	}
	return 0;
}

/* In the pod's netns: its interface up with the addresses and routes. */
static int pod_configure(struct cni *c, int pod_ns, const struct json *ipam,
			 unsigned char *mac)
{
	const struct json *ip, *rt, *routes;
	unsigned char a[16], g[16];
	struct nl_link l;
	int fam, plen, err;

	if (setns(pod_ns, CLONE_NEWNET))
		return -errno;
	err = nl_link_get(c->ifname, 0, &l);
	for (ip = json_get(ipam, "ips") ? json_get(ipam, "ips")->kids : NULL;
	     !err && ip; ip = ip->next) {
		const char *addr = json_str(ip, "address");

		if (!addr || cidr_parse(addr, &fam, a, &plen))
			err = -EINVAL;
		else
			err = nl_addr_add(l.ifindex, fam, a, plen);
	}
	if (!err)
		err = nl_link_up(l.ifindex);
	/* GRO asked for on a veth that is down gives it no NAPI: after up */
	if (!err && !strcmp(c->mode, "xdp"))
		err = veth_redirect_ready(c->ifname);
	routes = json_get(ipam, "routes");
	for (rt = routes ? routes->kids : NULL; !err && rt; rt = rt->next) {
		const char *dst = json_str(rt, "dst");
		const char *gw = json_str(rt, "gw");
		int gfam;

		if (!dst || cidr_parse(dst, &fam, a, &plen)) {
			err = -EINVAL;
			break;
		}
		/* no gw: the first of the IPs' gateways of the family */
		if (!gw)
			for (ip = json_get(ipam, "ips")->kids; ip; ip = ip->next) {
				gw = json_str(ip, "gateway");
				if (gw && (strchr(gw, ':') != NULL) ==
					  (fam == AF_INET6))
					break;
				gw = NULL;
			}
		gfam = gw && strchr(gw, ':') ? AF_INET6 : AF_INET;
		if (gw && (gfam != fam || inet_pton(fam, gw, g) != 1)) {
			err = -EINVAL;
			break;
		}
		err = nl_route_add(fam, a, plen, gw ? g : NULL, l.ifindex);
		if (err == -EEXIST)
			err = 0;
	}
	if (!err)
		memcpy(mac, l.addr, 6);
	if (setns(c->host_ns, CLONE_NEWNET) && !err)
		err = -errno;
	return err;
}

/* the IPAM result's members copied into ours */
static void json_copy(json_writer_t *w, const struct json *v)
{
	const struct json *k;

	switch (v->type) {
	case JSON_NULL: jsonw_null(w); break;
	case JSON_FALSE: jsonw_bool(w, false); break;
	case JSON_TRUE: jsonw_bool(w, true); break;
	case JSON_STRING: jsonw_string(w, v->str); break;
	case JSON_NUMBER:
		/* what a result holds: interface indexes, priorities */
		jsonw_int(w, (int64_t)v->num);
		break;
	case JSON_ARRAY:
		jsonw_start_array(w);
		for (k = v->kids; k; k = k->next)
			json_copy(w, k);
		jsonw_end_array(w);
		break;
	case JSON_OBJECT:
		jsonw_start_object(w);
		for (k = v->kids; k; k = k->next) {
			jsonw_name(w, k->key);
			json_copy(w, k);
		}
		jsonw_end_object(w);
		break;
	}
}

static void result_print(const struct cni *c, const struct json *ipam,
			 const unsigned char *host_mac,
			 const unsigned char *pod_mac)
{
	json_writer_t *w = jsonw_new(stdout);
	const struct json *ip, *k;
	char mac[PCN_MAC_STRLEN];
	bool old = strcmp(c->version, "1.0.0") != 0;

	if (!w)
		return;
	jsonw_pretty(w, true);
	jsonw_start_object(w);
	jsonw_string_field(w, "cniVersion", c->version);
	jsonw_name(w, "interfaces");
	jsonw_start_array(w);
	jsonw_start_object(w);
	jsonw_string_field(w, "name", c->host_if);
	jsonw_string_field(w, "mac", pcn_mac_str(host_mac, mac));
	jsonw_end_object(w);
	jsonw_start_object(w);
	jsonw_string_field(w, "name", c->ifname);
	jsonw_string_field(w, "mac", pcn_mac_str(pod_mac, mac));
	jsonw_string_field(w, "sandbox", c->netns);
	jsonw_end_object(w);
	jsonw_end_array(w);
	jsonw_name(w, "ips");
	jsonw_start_array(w);
	for (ip = json_get(ipam, "ips") ? json_get(ipam, "ips")->kids : NULL;
	     ip; ip = ip->next) {
		const char *addr = json_str(ip, "address");

		jsonw_start_object(w);
		for (k = ip->kids; k; k = k->next) {
			if (!strcmp(k->key, "interface") ||
			    !strcmp(k->key, "version"))
				continue;
			jsonw_name(w, k->key);
			json_copy(w, k);
		}
		/* 0.3.x/0.4.0 results name the family; 1.0.0 dropped it */
		if (old && addr)
			jsonw_string_field(w, "version",
					   strchr(addr, ':') ? "6" : "4");
		jsonw_uint_field(w, "interface", 1);
		jsonw_end_object(w);
	}
	jsonw_end_array(w);
	if (json_get(ipam, "routes")) {
		jsonw_name(w, "routes");
		json_copy(w, json_get(ipam, "routes"));
	}
	jsonw_name(w, "dns");
	if (json_get(ipam, "dns"))
		json_copy(w, json_get(ipam, "dns"));
	else {
		jsonw_start_object(w);
		jsonw_end_object(w);
	}
	jsonw_end_object(w);
	jsonw_destroy(&w);
}

/* the pod's port and veth gone (each may be gone already) */
static void pod_unwire(struct cni *c)
{
	char name[PCN_NAME_LEN];
	struct nl_link l;

	if (!pod_cube(c, name))
		pcn_cmd("link del %s:%s", name, c->host_if);
	if (!nl_link_get(c->host_if, 0, &l))
		nl_link_del(l.ifindex);
}

/* Cubes without pods go; with the first, the bridge's gateway pair. */
static void cube_gc(struct cni *c)
{
	struct pcn_port ports[PCN_MAX_PORTS];
	char name[PCN_NAME_LEN];
	struct pcn_cube cube;
	struct nl_link l;
	int i, j, n, err;

	for (i = 0; i < cube_count(c); i++) {
		cube_name_at(c, i, name);
		if (cube_open(name, &cube))
			continue;
		err = cube_ports_read(&cube, ports);
		cube_close(&cube);
		for (j = n = 0; !err && j < PCN_MAX_PORTS; j++)
			if (ports[j].name[0] && strcmp(ports[j].name, "gw"))
				n++;
		if (err || n || pcn_cmd("cube del %s", name))
			continue;
		if (!i && !nl_link_get(c->gw_if, 0, &l))
			nl_link_del(l.ifindex);
	}
}

static int cni_add(struct cni *c)
{
	unsigned char host_mac[6] = {}, pod_mac[6] = {};
	struct json *ipam = NULL;
	struct nl_link l;
	char *out = NULL;
	int pod_ns, rc, err;

	rc = env_read(c, true);
	if (rc)
		return rc;
	pod_ns = open(c->netns, O_RDONLY | O_CLOEXEC);
	if (pod_ns < 0)
		return cni_fail(c, CNI_ERR_CONTAINER, c->netns,
				"cannot open the pod's netns: %s", strerror(errno));
	rc = ipam_run(c, "ADD", &out);
	if (rc)
		goto out;
	ipam = json_parse(out, strlen(out), NULL);
	if (!ipam || !json_get(ipam, "ips") ||
	    json_get(ipam, "ips")->type != JSON_ARRAY) {
		rc = cni_fail(c, CNI_ERR_DECODE, NULL,
			      "the IPAM plugin's result has no ips");
		goto undo_ipam;
	}
	if (c->router) {
		rc = router_ips_check(c, ipam);
		if (rc)
			goto undo_ipam;
	}
	rc = state_open(c, PCN_WRITE);
	if (rc)
		goto undo_ipam;
	rc = cube_ensure(c, ipam);
	if (rc && c->foreign)
		goto undo_ipam;
	if (rc)
		goto undo_cube;
	err = nl_veth_pair(c->host_if, c->ifname, pod_ns);
	if (err) {
		rc = cni_fail(c, err == -EEXIST ? CNI_ERR_CONFIG : CNI_ERR_IO,
			      strerror(-err), "cannot make veth %s - %s",
			      c->host_if, c->ifname);
		goto undo_cube;
	}
	err = pod_configure(c, pod_ns, ipam, pod_mac);
	if (err) {
		rc = cni_fail(c, CNI_ERR_IO, strerror(-err),
			      "cannot set up %s in the pod", c->ifname);
		goto undo_pod;
	}
	err = nl_link_get(c->host_if, 0, &l);
	if (!err)
		memcpy(host_mac, l.addr, 6);
	if (!err && c->router)
		err = host_routes(c, ipam, l.ifindex);
	if (err) {
		rc = cni_fail(c, CNI_ERR_IO, strerror(-err),
			      "cannot route to the pod by %s", c->host_if);
		goto undo_pod;
	}
	if (pcn_fault_err("cni-add-link") ||
	    pcn_cmd("link add %s:%s dev %s", c->port_cube, c->host_if,
		    c->host_if)) {
		rc = cni_fail(c, CNI_ERR_IO, NULL, "cannot link %s to cube %s",
			      c->host_if, c->port_cube);
		goto undo_pod;
	}
	result_print(c, ipam, host_mac, pod_mac);
	goto out;
undo_pod:
	pod_unwire(c);
undo_cube:
	cube_gc(c);
undo_ipam:
	free(out);
	out = NULL;
	{
		/* keep the error printed above the only stdout */
		int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
		int keep = stdout_to(null);

		if (null >= 0)
			close(null);
		if (!ipam_run(c, "DEL", &out))
			free(out);
		out = NULL;
		stdout_back(keep);
	}
out:
	json_free(ipam);
	free(out);
	close(pod_ns);
	return rc;
}

static int cni_del(struct cni *c)
{
	char *out = NULL;
	int rc;

	rc = env_read(c, false);
	if (rc)
		return rc;
	rc = state_open(c, PCN_WRITE);
	if (rc)
		return rc;
	pod_unwire(c);
	cube_gc(c);
	/* the pod's end went with the host's: a veth takes its peer */
	rc = ipam_run(c, "DEL", &out);
	free(out);
	return rc;
}

static int cni_check(struct cni *c)
{
	char name[PCN_NAME_LEN];
	struct nl_link l;
	int pod_ns, rc, err;

	rc = env_read(c, true) ?: state_open(c, PCN_READ);
	if (rc)
		return rc;
	if (nl_link_get(c->host_if, 0, &l))
		return cni_fail(c, CNI_ERR_IO, c->host_if,
				"the pod's veth is missing on the node");
	err = pod_cube(c, name);
	if (err == -ENOENT)
		return cni_fail(c, CNI_ERR_IO, c->cube, "cube %s is missing",
				c->cube);
	if (err)
		return cni_fail(c, CNI_ERR_IO, c->host_if,
				"the pod is not a port of cube %s", c->cube);
	pod_ns = open(c->netns, O_RDONLY | O_CLOEXEC);
	if (pod_ns < 0)
		return cni_fail(c, CNI_ERR_CONTAINER, c->netns,
				"cannot open the pod's netns: %s", strerror(errno));
	err = setns(pod_ns, CLONE_NEWNET) ? -errno : 0;
	if (!err) {
		err = nl_link_get(c->ifname, 0, &l);
		if (setns(c->host_ns, CLONE_NEWNET) && !err)
			err = -errno;
	}
	close(pod_ns);
	if (err)
		return cni_fail(c, CNI_ERR_IO, c->ifname,
				"interface %s is missing in the pod", c->ifname);
	if (!(l.flags & IFF_UP))
		return cni_fail(c, CNI_ERR_IO, c->ifname,
				"interface %s is down in the pod", c->ifname);
	return 0;
}

static int cni_version(struct cni *c)
{
	json_writer_t *w = jsonw_new(stdout);
	int i;

	if (!w)
		return 1;
	jsonw_start_object(w);
	jsonw_string_field(w, "cniVersion", CNI_SPEC);
	jsonw_name(w, "supportedVersions");
	jsonw_start_array(w);
	for (i = 0; cni_versions[i]; i++)
		jsonw_string(w, cni_versions[i]);
	jsonw_end_array(w);
	jsonw_end_object(w);
	jsonw_destroy(&w);
	return 0;
}

int cni_main(void)
{
	struct cni c = { .host_ns = -1 };
	int rc;

	c.command = getenv("CNI_COMMAND");
	if (!c.command || !*c.command)
		return cni_fail(NULL, CNI_ERR_ENV, NULL,
				"CNI_COMMAND is not set (pcn-cni is a CNI plugin)");
	if (!strcmp(c.command, "VERSION"))
		return cni_version(&c);
	c.host_ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (c.host_ns < 0)
		return cni_fail(NULL, CNI_ERR_IO, strerror(errno),
				"cannot open this netns");
	rc = conf_read(&c);
	if (!rc) {
		if (!strcmp(c.command, "ADD"))
			rc = cni_add(&c);
		else if (!strcmp(c.command, "DEL"))
			rc = cni_del(&c);
		else if (!strcmp(c.command, "CHECK"))
			rc = cni_check(&c);
		else
			rc = cni_fail(&c, CNI_ERR_ENV, c.command,
				      "unknown CNI_COMMAND %s", c.command);
	}
	json_free(c.conf);
	free(c.text);
	close(c.host_ns);
	fflush(stdout);
	return rc;
}
