#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Install the Debian packages pcn needs, only those that are missing.
#
#   scripts/install-deps.sh [build|test|bench|deb|all]
#
# build: compile pcn and its eBPF programs; test: also run `make check`;
# bench: also run `make bench`; deb: build and check the Debian package
# (`make deb`). Packages come from Debian's archive only.
# Exits 0 when everything is present, 1 when something is missing and
# cannot be installed (not root, no apt-get, or apt-get failed).

set -eu

BUILD_PKGS="make gcc libc6-dev pkg-config clang llvm libbpf-dev libelf-dev
zlib1g-dev libmnl-dev bpftool linux-libc-dev libpcap-dev"
TEST_PKGS="iproute2 iputils-ping socat jq procps util-linux groff-base
ethtool python3 traceroute containernetworking-plugins bird2 iptables curl prometheus tcpdump tshark"
BENCH_PKGS="iptables nftables iperf3 linux-perf conntrack"
# make deb: the package's build dependencies and its checks
DEB_PKGS="debhelper dpkg-dev lintian devscripts"

what=${1:-all}
case "$what" in
build) pkgs="$BUILD_PKGS" ;;
test) pkgs="$BUILD_PKGS $TEST_PKGS" ;;
bench) pkgs="$BUILD_PKGS $TEST_PKGS $BENCH_PKGS" ;;
deb) pkgs="$BUILD_PKGS $DEB_PKGS" ;;
all) pkgs="$BUILD_PKGS $TEST_PKGS $BENCH_PKGS $DEB_PKGS" ;;
*)
	echo "Usage: $0 [build|test|bench|deb|all]" >&2
	exit 1
	;;
esac

missing=""
for p in $pkgs; do
	st=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
	case "$st" in
	ii*) ;;
	*) missing="$missing $p" ;;
	esac
done

[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
	echo "Error: missing packages:$missing (run this script as root on Debian)" >&2
	exit 1
fi

echo "  DEPS    installing:$missing"
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086
if ! apt-get install -y -q --no-install-recommends $missing >/dev/null; then
	apt-get update -q >/dev/null
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $missing >/dev/null
fi

# The tests run bird in namespaces of their own; the package's own daemon
# (enabled and started by its postinst) is not wanted on the machine.
case " $missing " in
*" bird2 "*)
	if command -v systemctl >/dev/null 2>&1; then
		systemctl disable --now bird.service >/dev/null 2>&1 || true
	fi ;;
esac
