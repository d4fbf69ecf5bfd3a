#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# pcn-cni driven exactly as a container runtime drives a CNI plugin:
# CNI_COMMAND, CNI_CONTAINERID, CNI_NETNS, CNI_IFNAME, CNI_PATH in the
# environment, the network configuration on stdin, the plugin run in the
# node's netns (nsenter --net: bpffs stays visible). Pods and nodes are
# network namespaces; IPAM is host-local from containernetworking-plugins.

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

CNI_BIN=/usr/lib/cni

cni_ready()
{
	[ -x "$CNI_BIN/host-local" ] ||
		skip "no host-local IPAM plugin in $CNI_BIN (containernetworking-plugins)"
	setup_root
	CNI_DIR=$(mktemp -d "${TMPDIR:-/tmp}/pcn-cni.XXXXXX")
	defer "rm -rf $CNI_DIR"
	ln -s "$PCN" "$CNI_DIR/pcn-cni"
}

# conf NAME SUBNET MODE [EXTRA]: a network configuration
conf()
{
	printf '{"cniVersion":"1.0.0","name":"%s","type":"pcn-cni","cube":"cni0","isGateway":true,"mode":"%s"%s,"ipam":{"type":"host-local","subnet":"%s","dataDir":"%s/ipam-%s","routes":[{"dst":"0.0.0.0/0"}]}}' \
		"$1" "$3" "${4:-}" "$2" "$CNI_DIR" "$1"
}

# cni NODE COMMAND CONTAINER POD_NS CONF: the plugin's stdout; its status
cni()
{
	printf '%s' "$5" | CNI_COMMAND=$2 CNI_CONTAINERID=$3 \
		CNI_NETNS=${4:+/run/netns/$4} CNI_IFNAME=pod0 CNI_PATH=$CNI_BIN \
		nsenter --net="/run/netns/$1" "$CNI_DIR/pcn-cni"
}

# type_conf TYPE: the configuration's member choosing the cube type
type_conf()
{
	[ "$1" = router ] && printf ',"cubeType":"router"'
	return 0
}

# pods_of TYPE N: the ports of a node's cube with N pods (a bridge has
# one more: the gateway's)
pods_of()
{
	if [ "$1" = router ]; then echo "$2"; else echo "$(($2 + 1))"; fi
}

# router_forwarded NODE: packets the router cube forwarded in its
# datapath (not handed to the node's stack)
router_forwarded()
{
	"$PCN" -n "$1" -j -s cube show cni0 | jq -e '.[0].fib == "kernel" and .[0].stats.router.forwarded > 0'
}

pod_addr()
{
	ip -n "$1" -j addr show dev pod0 |
		jq -r '.[0].addr_info[] | select(.family == "inet") | .local'
}

# pod NODE NAME CONF: a pod netns added to NODE's network; sets $NAME
pod()
{
	local out

	add_ns "$2"
	out=$(cni "$1" ADD "ctr-${!2}" "${!2}" "$3")
	jq -e '.cniVersion == "1.0.0" and (.ips | length) == 1 and
	       .interfaces[1].name == "pod0" and .ips[0].interface == 1' <<<"$out"
	defer "cni $1 DEL ctr-${!2} ${!2} '$3' >/dev/null"
}

one_node()
{
	local mode=$1 type=${2:-bridge} c out a2

	cni_ready
	add_ns N
	c=$(conf n1 10.61.0.0/24 "$mode" "$(type_conf "$type")")
	pod "$N" P1 "$c"
	pod "$N" P2 "$c"
	a2=$(pod_addr "$P2")
	ping_ok "$P1" "$a2"
	ping_ok "$P1" 10.61.0.1		# the gateway, on the node
	tcp_transfer "$P1" "$P2" "$a2" 500000
	"$PCN" -n "$N" -j cube show cni0 | jq -e --arg t "$type" \
		--argjson n "$(pods_of "$type" 2)" \
		'.[0].type == $t and (.[0].ports | length) == $n'
	[ "$type" = bridge ] || router_forwarded "$N"
	cni "$N" CHECK "ctr-$P1" "$P1" "$c"

	# the pod's interface removed: CHECK says so, in the spec's JSON
	ip -n "$P1" link del pod0
	out=$(cni "$N" CHECK "ctr-$P1" "$P1" "$c") && return 1
	jq -e '.code == 5 and (.msg | length) > 0' <<<"$out"

	# DEL twice, then the last pod: the node is as it was
	cni "$N" DEL "ctr-$P1" "$P1" "$c"
	cni "$N" DEL "ctr-$P1" "$P1" "$c"
	# a router's gateway address is on every pod's host end: it stays
	# with the pods that stay
	ping_ok "$P2" 10.61.0.1
	cni "$N" DEL "ctr-$P2" "$P2" "$c"
	"$PCN" -n "$N" -j cube show | jq -e 'length == 0'
	# no route, address or neighbour left behind
	[ -z "$(ip -n "$N" route show)" ]
	[ -z "$(ip -n "$N" -4 -o addr show | grep -v ' lo ')" ]
	[ "$(ip -n "$N" -o link show | wc -l)" -eq 1 ]	# lo only
	# and a DEL of a pod whose netns is gone (a reboot) succeeds
	cni "$N" DEL ctr-gone "" "$c"
}

# nodes K MODE: K nodes on one underlay segment (a Linux bridge in its
# own netns), each owning pod subnet 10.62.I.0/24 and routing the others'
# via their underlay addresses; a pod on each node reaches every other
nodes()
{
	local k=$1 mode=$2 type=${3:-bridge} i j c c1 ns u a

	cni_ready
	add_ns U
	ip -n "$U" link add ul type bridge
	ip -n "$U" link set ul up
	for ((i = 1; i <= k; i++)); do
		add_ns "N$i"
		ns=N$i
		add_veth "${!ns}" u0 "$U" "un$i"
		ip -n "$U" link set "un$i" master ul
		addr "${!ns}" u0 "192.0.2.$i/24"
	done
	for ((i = 1; i <= k; i++)); do
		ns=N$i
		for ((j = 1; j <= k; j++)); do
			[ "$i" -eq "$j" ] ||
				ip -n "${!ns}" route add "10.62.$j.0/24" via "192.0.2.$j"
		done
		c=$(conf "k8s$i" "10.62.$i.0/24" "$mode" "$(type_conf "$type")")
		[ "$i" -eq 1 ] && c1=$c
		pod "${!ns}" "P$i" "$c"
	done
	for ((i = 1; i <= k; i++)); do
		u=P$i
		for ((j = 1; j <= k; j++)); do
			[ "$i" -eq "$j" ] && continue
			ns=P$j
			a=$(pod_addr "${!ns}")
			ping_ok "${!u}" "$a"
		done
	done
	ns=P$k
	tcp_transfer "$P1" "${!ns}" "$(pod_addr "${!ns}")" 500000
	if [ "$type" = router ]; then
		# a second pod on node 1: pod to pod on a node is the cube's
		pod "$N1" Q1 "$c1"
		ping_ok "$Q1" "$(pod_addr "$P1")"
		router_forwarded "$N1"
	fi
}

# portmap NODE COMMAND CONTAINER POD_NS PREV_RESULT: the portmap plugin
# chained after pcn-cni, as a runtime runs a conflist: the main plugin's
# result is portmap's prevResult, the mapping comes as runtimeConfig
portmap()
{
	jq -c --argjson prev "$5" '{cniVersion: "1.0.0", name: "pm",
	    type: "portmap", capabilities: {portMappings: true},
	    runtimeConfig: {portMappings: [{hostPort: 8080,
	        containerPort: 80, protocol: "tcp"}]},
	    prevResult: $prev}' <<<'{}' |
		CNI_COMMAND=$2 CNI_CONTAINERID=$3 CNI_NETNS=/run/netns/$4 		CNI_IFNAME=pod0 CNI_PATH=$CNI_BIN 		nsenter --net="/run/netns/$1" "$CNI_BIN/portmap"
}

# the node's port 8080 reaches a pod's port 80 through portmap's DNAT:
# pcn-cni's result is enough for a chained plugin, and the node's stack
# and the cube agree on the way back
chained_portmap()
{
	local mode=$1 c out dir

	[ -x "$CNI_BIN/portmap" ] || skip "no portmap plugin in $CNI_BIN"
	command -v iptables >/dev/null || skip "portmap needs iptables"
	cni_ready
	add_ns N
	add_ns O
	add_veth "$O" o1 "$N" n1
	addr "$O" o1 192.0.2.2/24
	addr "$N" n1 192.0.2.1/24
	c=$(conf pm 10.65.0.0/24 "$mode")
	add_ns P
	out=$(cni "$N" ADD ctr-pm "$P" "$c")
	defer "cni $N DEL ctr-pm $P '$c' >/dev/null"
	portmap "$N" ADD ctr-pm "$P" "$out"
	defer "portmap $N DEL ctr-pm $P '$out'"
	ip -n "$O" route add 10.65.0.0/24 via 192.0.2.1

	dir=$(mktemp -d "${TMPDIR:-/tmp}/pcn-pm.XXXXXX")
	defer "rm -rf $dir"
	head -c 200000 /dev/urandom >"$dir/send"
	ip netns exec "$P" socat -u TCP-LISTEN:80,reuseaddr \
		CREATE:"$dir/recv" &
	defer "kill $! 2>/dev/null"
	wait_for 5 listening "$P" 80
	ip netns exec "$O" timeout 20 socat -u FILE:"$dir/send" \
		TCP:192.0.2.1:8080
	wait_for 10 cmp -s "$dir/send" "$dir/recv"

	# (no portmap CHECK: 1.1.1's looks for an IPv6 chain it never made
	# for an IPv4-only pod, whatever the main plugin)
	portmap "$N" DEL ctr-pm "$P" "$out"
	cni "$N" DEL ctr-pm "$P" "$c"
	"$PCN" -n "$N" -j cube show | jq -e 'length == 0'
	fails ip netns exec "$N" sh -c 'iptables-save | grep -q 8080'
}

# the addresses host-local holds for network $1
ipam_held()
{
	find "$CNI_DIR/ipam-$1/$1" -name '10.*' 2>/dev/null | wc -l
}

# pods_del N: the pod namespaces of parallel() gone
pods_del()
{
	local k

	for ((k = 0; k < $1; k++)); do
		ip netns del "pcnt-$TEST_ID-p$k" 2>/dev/null
	done
	return 0
}

# host_end NODE POD_NS: the name of the node's end of the pod's veth
host_end()
{
	local i

	i=$(ip -n "$2" -j link show dev pod0 | jq '.[0].link_index')
	ip -n "$1" -j link show | jq -r --argjson i "$i" \
		'.[] | select(.ifindex == $i) | .ifname'
}

# cube_of NODE PORT: the cube of the node's with that port
cube_of()
{
	"$PCN" -n "$1" -j cube show |
		jq -r --arg p "$2" '.[] | select(any(.ports[]; .name == $p)) | .name'
}

# Kubernetes' default of 110 pods on one node: a router node's pods fill
# cube cni0 (64 ports) and go on in cni0-2; a pod reaches pods of its
# own cube and of the other
many_pods()
{
	local n=$1 a b ca k

	"$PCN" -n "$N" -j cube show |
		jq -e --argjson n "$n" 'length == 2 and
			([.[].ports | length] | add) == $n and
			([.[] | select(.name == "cni0")][0].ports | length) == 64'
	a=$(host_end "$N" "pcnt-$TEST_ID-p0")
	ca=$(cube_of "$N" "$a")
	for ((k = 1; k < n; k++)); do
		b=$(host_end "$N" "pcnt-$TEST_ID-p$k")
		[ "$(cube_of "$N" "$b")" != "$ca" ] && break
	done
	[ "$k" -lt "$n" ]
	ping_ok "pcnt-$TEST_ID-p0" "$(pod_addr "pcnt-$TEST_ID-p$k")"
	# the pod's CHECK finds it in whichever cube it is
	cni "$N" CHECK "c$k" "pcnt-$TEST_ID-p$k" "$c"
}

parallel()
{
	local type=${1:-bridge} n=${2:-50} c i out pids=()

	cni_ready
	add_ns N
	c=$(conf par 10.63.0.0/24 tc "$(type_conf "$type")")
	for ((i = 0; i < n; i++)); do
		ip netns add "pcnt-$TEST_ID-p$i"
	done
	defer "pods_del $((n + 1))"	# and the one refused below
	for ((i = 0; i < n; i++)); do
		cni "$N" ADD "c$i" "pcnt-$TEST_ID-p$i" "$c" >/dev/null &
		pids+=($!)
	done
	for i in "${pids[@]}"; do wait "$i"; done
	if [ "$n" -gt 63 ]; then
		many_pods "$n"
	else
		"$PCN" -n "$N" -j cube show cni0 |
			jq -e ".[0].ports | length == $(pods_of "$type" $n)"
	fi
	if [ "$(pods_of "$type" "$n")" -eq 64 ]; then
		# a full bridge: the next pod is told to try again later,
		# and nothing changes
		ip netns add "pcnt-$TEST_ID-p$n"
		out=$(cni "$N" ADD "c$n" "pcnt-$TEST_ID-p$n" "$c") && return 1
		jq -e '.code == 11 and (.msg | length) > 0' <<<"$out"
		"$PCN" -n "$N" -j cube show cni0 | jq -e '.[0].ports | length == 64'
		[ "$(ip -n "pcnt-$TEST_ID-p$n" -o link show | wc -l)" -eq 1 ]
		ip netns del "pcnt-$TEST_ID-p$n"
	fi
	[ "$(ipam_held par)" -eq "$n" ]
	ping_ok "pcnt-$TEST_ID-p0" "$(pod_addr "pcnt-$TEST_ID-p$((n - 1))")"
	pids=()
	for ((i = 0; i < n; i++)); do
		cni "$N" DEL "c$i" "pcnt-$TEST_ID-p$i" "$c" &
		pids+=($!)
	done
	for i in "${pids[@]}"; do wait "$i"; done
	"$PCN" -n "$N" -j cube show | jq -e 'length == 0'
	[ "$(ipam_held par)" -eq 0 ]
	[ -z "$(ip -n "$N" route show)" ]
	[ "$(ip -n "$N" -o link show | wc -l)" -eq 1 ]	# lo only
}

# An ADD that fails after IPAM gave an address and the pod was set up
# (the last step, linking the pod to the cube, made to fail): everything
# it made is undone: the address released, the veth gone from both
# netns, and the cube too when no other pod has a port on it
add_undone()
{
	local c out

	cni_ready
	add_ns N
	add_ns P
	add_ns Q
	c=$(conf undo 10.66.0.0/24 tc)
	out=$(PCN_FAULT=cni-add-link cni "$N" ADD ctr-p "$P" "$c") && return 1
	jq -e '.code == 5 and (.msg | length) > 0' <<<"$out"
	[ "$(ipam_held undo)" -eq 0 ]
	"$PCN" -n "$N" -j cube show | jq -e 'length == 0'
	[ "$(ip -n "$N" -o link show | wc -l)" -eq 1 ]	# lo only
	[ "$(ip -n "$P" -o link show | wc -l)" -eq 1 ]
	# with another pod there, the cube and the gateway stay
	pod "$N" Q "$c"
	out=$(PCN_FAULT=cni-add-link cni "$N" ADD ctr-p "$P" "$c") && return 1
	[ "$(ipam_held undo)" -eq 1 ]
	"$PCN" -n "$N" -j cube show cni0 | jq -e '.[0].ports | length == 2'
	[ "$(ip -n "$P" -o link show | wc -l)" -eq 1 ]
	ping_ok "$Q" 10.66.0.1
}

# bad_conf EXPECTED_CODE CONF: the spec's error JSON, exit not 0
bad_conf()
{
	local out rc=0

	out=$(cni "$N" ADD c-bad "$P" "$2") || rc=$?
	[ "$rc" -ne 0 ] || { echo "accepted: $2"; return 1; }
	jq -e --argjson code "$1" '.code == $code and (.msg | length) > 0' <<<"$out"
}

bad_input()
{
	local out

	cni_ready
	add_ns N
	add_ns P
	out=$(CNI_COMMAND=VERSION "$CNI_DIR/pcn-cni" </dev/null)
	jq -e '.supportedVersions | index("1.0.0") and index("0.4.0")' <<<"$out"
	bad_conf 6 'not json'
	bad_conf 1 '{"cniVersion":"9.9.9","name":"x","ipam":{"type":"host-local"}}'
	bad_conf 7 '{"cniVersion":"1.0.0","name":"x"}'
	bad_conf 7 "$(conf x 10.64.0.0/24 fast)"
	bad_conf 7 '{"cniVersion":"1.0.0","name":"x","cube":"much-too-long-a-name","ipam":{"type":"host-local"}}'
	bad_conf 2 '{"cniVersion":"1.0.0","name":"x","cubeType":"switch","ipam":{"type":"host-local"}}'
	bad_conf 7 '{"cniVersion":"1.0.0","name":"x","cubeType":5,"ipam":{"type":"host-local"}}'
	# a router takes IPv4 pods only
	bad_conf 2 "$(conf x fd00:64::/64 tc "$(type_conf router)")"
	# the node's cube is of the other type
	"$PCN" -n "$N" cube add cni0 type bridge
	bad_conf 7 "$(conf x 10.64.0.0/24 tc "$(type_conf router)")"
	"$PCN" -n "$N" cube del cni0	# and it is left alone
	bad_conf 7 '{"cniVersion":"1.0.0","name":"x","ipam":{"type":"no-such-ipam"}}'
	out=$(printf '%s' "$(conf x 10.64.0.0/24 tc)" |
	      CNI_COMMAND=ADD nsenter --net="/run/netns/$N" "$CNI_DIR/pcn-cni") &&
		return 1
	jq -e '.code == 4' <<<"$out"
	# nothing was made
	"$PCN" -n "$N" -j cube show | jq -e 'length == 0'
	[ "$(ip -n "$N" -o link show | wc -l)" -eq 1 ]
}

for m in xdp tc; do
	run_test "cni_one_node_$m" one_node $m
	run_test "cni_two_nodes_$m" nodes 2 $m
	run_test "cni_three_nodes_$m" nodes 3 $m
	run_test "cni_chained_portmap_$m" chained_portmap $m
done
run_test cni_parallel_adds_and_dels parallel bridge 63
run_test cni_router_one_node_xdp one_node xdp router
run_test cni_router_one_node_tc one_node tc router
run_test cni_router_two_nodes_xdp nodes 2 xdp router
run_test cni_router_three_nodes_tc nodes 3 tc router
run_test cni_router_110_parallel_adds_and_dels parallel router 110
run_test cni_bad_input bad_input
run_test cni_add_undone_after_ipam add_undone
tap_done
