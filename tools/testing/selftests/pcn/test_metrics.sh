#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# pcn metrics: the counters of pcn -j -s cube show, the same values, in
# the Prometheus text format and OpenMetrics (checked by promtool and by
# a strict checker of both grammars below), for one namespace, for every
# one (-all), and over HTTP (-http behind socat, scraped with curl).

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# check_exposition FORMAT FILE [SHOW_JSON NETNS]: FILE is a valid
# exposition in FORMAT (prometheus or openmetrics), strictly: names,
# labels and their escapes, HELP and TYPE once before each family's
# samples, families together, counters named as the format wants, no
# sample twice, "# EOF" last in OpenMetrics only. With SHOW_JSON (what
# pcn -j -s cube show printed) and NETNS (the label expected): its
# samples are exactly the counters of SHOW_JSON, value for value.
check_exposition()
{
	python3 - "$@" <<'EOF'
import json, re, sys

fmt, path = sys.argv[1], sys.argv[2]
text = open(path).read()
NAME = r'[a-zA-Z_:][a-zA-Z0-9_:]*'
LABEL = r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"'
errors = []

def err(n, msg):
    errors.append('line %d: %s' % (n, msg))

if text and not text.endswith('\n'):
    err(0, 'no newline at the end')
lines = text.split('\n')[:-1]
if fmt == 'openmetrics':
    if not lines or lines[-1] != '# EOF':
        err(len(lines), 'OpenMetrics must end with "# EOF"')
    else:
        lines = lines[:-1]
families = {}          # name -> {help, type, done}
order = []
cur = None
samples = {}
for n, line in enumerate(lines, 1):
    m = re.fullmatch(r'# (HELP|TYPE) (%s) (.*)' % NAME, line)
    if m:
        kind, name, rest = m.groups()
        f = families.setdefault(name, {})
        if kind in f:
            err(n, '%s of %s twice' % (kind, name))
        if f.get('samples'):
            err(n, '%s of %s after its samples' % (kind, name))
        if name in order and order[-1] != name:
            err(n, 'family %s is split' % name)
        if name not in order:
            order.append(name)
        if kind == 'TYPE' and rest not in ('counter', 'gauge'):
            err(n, 'type %r' % rest)
        if kind == 'HELP' and not rest.strip():
            err(n, 'empty help')
        f[kind] = rest
        cur = name
        continue
    if line.startswith('#'):
        err(n, 'stray comment %r' % line)
        continue
    m = re.fullmatch(r'(%s)\{(.*)\} (\d+)' % NAME, line)
    if not m:
        err(n, 'not a sample: %r' % line)
        continue
    name, labels, value = m.groups()
    pairs = re.findall(LABEL, labels)
    if ','.join('%s="%s"' % p for p in pairs) != labels:
        err(n, 'bad labels %r' % labels)
    names = [p[0] for p in pairs]
    if len(set(names)) != len(names):
        err(n, 'label twice')
    f = families.get(cur)
    if f is None or 'TYPE' not in f or 'HELP' not in f:
        err(n, 'sample before HELP and TYPE')
        continue
    if f['TYPE'] == 'counter':
        want = cur + '_total' if fmt == 'openmetrics' else cur
        if fmt == 'prometheus' and not cur.endswith('_total'):
            err(n, 'counter %s without _total' % cur)
    else:
        want = cur
    if name != want:
        err(n, 'sample %s in family %s' % (name, cur))
    f['samples'] = True
    key = (name, tuple(sorted(pairs)))
    if key in samples:
        err(n, 'sample twice: %r' % (key,))
    samples[key] = int(value)
for name, f in families.items():
    if not f.get('samples'):
        err(0, 'family %s has no sample' % name)

if len(sys.argv) > 3:
    show = json.load(open(sys.argv[3]))
    ns = sys.argv[4]
    sfx = '_total'
    want = {}
    for c in show:
        base = (('cube', c['name']), ('netns', ns), ('type', c['type']))
        want[('pcn_cube_info', tuple(sorted(base + (('mode', c['mode']),))))] = 1
        for g, kv in c.get('stats', {}).items():
            for k, v in kv.items():
                want[('pcn_cube_%s_%s%s' % (g, k, sfx), base)] = v
        for p in c.get('ports', []):
            lb = tuple(sorted(base + (('port', p['name']),)))
            for g, kv in p.get('stats', {}).items():
                for k, v in kv.items():
                    want[('pcn_port_%s_%s%s' % (g, k, sfx), lb)] = v
    for k in sorted(set(want) | set(samples)):
        if want.get(k) != samples.get(k):
            errors.append('%s: cube show %s, metrics %s' %
                          (k, want.get(k), samples.get(k)))
for e in errors:
    print(e)
sys.exit(1 if errors else 0)
EOF
}

need_promtool()
{
	command -v promtool >/dev/null ||
		skip "promtool is missing (Debian package prometheus, scripts/install-deps.sh test)"
}

# same_as_show NS CUBE...: pcn metrics equals pcn -j -s cube show, read
# while nothing moved (show before and after the same)
same_as_show()
{
	local ns=$1 d=$WORK

	shift
	pcn -n "$ns" -j -s cube show "$@" >"$d/show1" || return 1
	pcn -n "$ns" metrics "$@" >"$d/metrics" || return 1
	pcn -n "$ns" -j -s cube show "$@" >"$d/show2" || return 1
	cmp -s "$d/show1" "$d/show2" || return 1
	check_exposition prometheus "$d/metrics" "$d/show1" "$ns"
}

# a forwarder between H1 and H2, firewalls on its port and on r1
chain()
{
	local mode=$1

	pcn -n "$R" cube add f type forwarder mode "$mode"
	pcn -n "$R" link add f:p1 dev r1
	pcn -n "$R" link add f:p2 dev r2
	pcn -n "$R" cube set f port p1 action forward p2 port p2 action forward p1
	pcn -n "$R" cube add fw type firewall mode "$mode"
	pcn -n "$R" link add fw port f:p2 egress
	pcn -n "$R" cube add fw2 type firewall mode "$mode"
	pcn -n "$R" link add fw2 dev r1 ingress
	pcn -n "$R" rule append fw2 ingress proto udp dport 9 action drop
}

values()
{
	local mode=$1

	need_type forwarder
	need_type firewall
	setup_root
	WORK=$(mktemp -d)
	defer "rm -rf $WORK"
	topo_pair
	quiet_ns "$R"
	quiet_ns "$H1"
	quiet_ns "$H2"
	chain "$mode"
	ping_ok "$H1" 10.201.1.2 5
	# dropped by fw2's rule: 3 datagrams to the discard port
	ip netns exec "$H1" socat -u - UDP:10.201.1.2:9 <<<"x"
	ip netns exec "$H1" socat -u - UDP:10.201.1.2:9 <<<"y"
	ip netns exec "$H1" socat -u - UDP:10.201.1.2:9 <<<"z"
	wait_for 10 same_as_show "$R"
	# the traffic is there, not only zeros equal to zeros
	grep -q '^pcn_port_rx_packets_total{netns="'"$R"'",cube="f",type="forwarder",port="p1"} [1-9]' "$WORK/metrics"
	grep -q '^pcn_cube_egress_accepted_total{netns="'"$R"'",cube="fw",type="firewall"} [1-9]' "$WORK/metrics"
	grep -qx 'pcn_cube_ingress_dropped_total{netns="'"$R"'",cube="fw2",type="firewall"} 3' "$WORK/metrics"
	grep -qx 'pcn_cube_info{netns="'"$R"'",cube="fw",type="firewall",mode="'"$mode"'"} 1' "$WORK/metrics"
	# the cubes named, only them
	wait_for 10 same_as_show "$R" fw2
	fails grep -q 'cube="f"' "$WORK/metrics"
}

formats()
{
	need_type forwarder
	need_type firewall
	need_promtool
	setup_root
	WORK=$(mktemp -d)
	defer "rm -rf $WORK"
	topo_pair
	chain xdp
	ping_ok "$H1" 10.201.1.2 2
	pcn -n "$R" metrics >"$WORK/p"
	promtool check metrics <"$WORK/p"
	check_exposition prometheus "$WORK/p"
	pcn -n "$R" metrics -openmetrics >"$WORK/o"
	check_exposition openmetrics "$WORK/o"
	# the checker is not blind: each format fails the other's rules
	fails check_exposition openmetrics "$WORK/p" >/dev/null
	fails check_exposition prometheus "$WORK/o" >/dev/null
	# promtool catches a counter left without its family's help
	sed '/^# HELP pcn_cube_ingress_dropped_total/d' "$WORK/p" >"$WORK/bad"
	fails promtool check metrics <"$WORK/bad" >/dev/null 2>&1
	fails check_exposition prometheus "$WORK/bad" >/dev/null
	# no cube: an empty exposition, still valid
	pcn -n "$H1" metrics >"$WORK/empty"
	[ ! -s "$WORK/empty" ]
	pcn -n "$H1" metrics -openmetrics >"$WORK/empty"
	[ "$(cat "$WORK/empty")" = "# EOF" ]
}

# -all: every namespace, each under its own name
all_ns()
{
	need_type forwarder
	setup_root
	WORK=$(mktemp -d)
	defer "rm -rf $WORK"
	add_ns A
	add_ns B
	pcn -n "$A" cube add fa type forwarder
	pcn -n "$B" cube add fb type forwarder mode tc
	pcn metrics -all >"$WORK/all"
	check_exposition prometheus "$WORK/all"
	grep -qx 'pcn_cube_info{netns="'"$A"'",cube="fa",type="forwarder",mode="xdp"} 1' "$WORK/all"
	grep -qx 'pcn_cube_info{netns="'"$B"'",cube="fb",type="forwarder",mode="tc"} 1' "$WORK/all"
	[ "$(grep -c '^pcn_cube_info' "$WORK/all")" = 2 ]
}

# GET URL [CURL_ARGS...] from inside netns $R
http_get()
{
	local url=$1

	shift
	nsenter --net="/run/netns/$R" curl -sS -m 10 "$@" "$url"
}

http()
{
	need_type forwarder
	command -v curl >/dev/null || skip "curl is missing"
	setup_root
	WORK=$(mktemp -d)
	defer "rm -rf $WORK"
	add_ns R
	pcn -n "$R" cube add f type forwarder
	nsenter --net="/run/netns/$R" socat \
		TCP-LISTEN:9412,bind=127.0.0.1,reuseaddr,fork \
		EXEC:"$PCN metrics -http" 2>"$WORK/socat.err" &
	defer "kill $!"
	wait_for 10 http_get http://127.0.0.1:9412/metrics -o /dev/null
	http_get http://127.0.0.1:9412/metrics -D "$WORK/h" -o "$WORK/p"
	grep -qi '^content-type: text/plain; version=0.0.4' "$WORK/h"
	pcn -n "$R" metrics | cmp - "$WORK/p"
	# a scraper that prefers OpenMetrics gets it
	http_get http://127.0.0.1:9412/metrics -D "$WORK/h" -o "$WORK/o" \
		-H 'Accept: application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5'
	grep -qi '^content-type: application/openmetrics-text; version=1.0.0' "$WORK/h"
	pcn -n "$R" metrics -openmetrics | cmp - "$WORK/o"
	check_exposition openmetrics "$WORK/o"
	# what is not a scrape is refused, with the right status
	[ "$(http_get http://127.0.0.1:9412/other -o /dev/null -w '%{http_code}')" = 404 ]
	[ "$(http_get http://127.0.0.1:9412/metrics -X POST -o /dev/null -w '%{http_code}')" = 405 ]
	# the same with a pipe, no server
	printf 'HEAD /metrics HTTP/1.0\r\n\r\n' | pcn -n "$R" metrics -http >"$WORK/head"
	grep -q '^HTTP/1.1 200 OK' "$WORK/head"
	fails grep -q '^pcn_' "$WORK/head"
	# no request: answered 400, and said so on stderr
	"$PCN" -n "$R" metrics -http </dev/null >"$WORK/none" 2>"$WORK/err"
	grep -q '^HTTP/1.1 400 Bad Request' "$WORK/none"
	grep -q '^Warning: HTTP request refused (400 Bad Request)' "$WORK/err"
}

bad_input()
{
	need_type forwarder
	setup_root
	add_ns R
	pcn -n "$R" cube add f type forwarder
	expect_err 2 "$PCN" -n "$R" metrics nosuch
	expect_err 2 "$PCN" -n "$R" metrics f nosuch
	expect_err 1 "$PCN" -n "$R" metrics f f
	expect_err 1 "$PCN" -n "$R" metrics -all f
	expect_err 1 "$PCN" -n "$R" metrics -bogus
	expect_err 1 "$PCN" -n "$R" metrics -http -http
	expect_err 1 "$PCN" -n "$R" metrics 'bad name'
	# -j: the error is JSON on stdout, nothing on stderr
	[ "$("$PCN" -n "$R" -j metrics 2>/dev/null | jq -r .error)" != null ]
	# an error prints no partial exposition
	[ -z "$("$PCN" -n "$R" metrics f nosuch 2>/dev/null)" ]
}

# make install puts the socket-activation units in place, naming the
# pcn installed
units()
{
	local d top

	top=$(cd "$SELFTEST_DIR/../../../.." && pwd)
	[ -f "$top/Makefile" ] || skip "not run from a source tree"
	d=$(mktemp -d)
	defer "rm -rf $d"
	make -s -C "$top" install DESTDIR="$d" PREFIX=/usr >/dev/null
	grep -qx 'ListenStream=9412' "$d/usr/lib/systemd/system/pcn-metrics.socket"
	grep -qx 'Accept=yes' "$d/usr/lib/systemd/system/pcn-metrics.socket"
	grep -qx 'ExecStart=/usr/sbin/pcn metrics -all -http' \
		"$d/usr/lib/systemd/system/pcn-metrics@.service"
	grep -qx 'StandardInput=socket' "$d/usr/lib/systemd/system/pcn-metrics@.service"
	# verify checks that ExecStart's program is there: the one installed
	if command -v systemd-analyze >/dev/null; then
		mkdir "$d/v"
		cp "$d/usr/lib/systemd/system/pcn-metrics.socket" "$d/v/"
		sed "s|/usr/sbin/pcn|$d/usr/sbin/pcn|" \
			"$d/usr/lib/systemd/system/pcn-metrics@.service" \
			>"$d/v/pcn-metrics@.service"
		systemd-analyze verify --man=no "$d/v/pcn-metrics.socket" \
			"$d/v/pcn-metrics@.service"
	fi
}

for m in xdp tc; do
	run_test "metrics_equal_cube_show_$m" values $m
done
run_test metrics_formats formats
run_test metrics_all_namespaces all_ns
run_test metrics_http http
run_test metrics_bad_input bad_input
run_test metrics_systemd_units units
tap_done
