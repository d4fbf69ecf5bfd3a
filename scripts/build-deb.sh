#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the Debian package from a copy of the tree, as a packager would:
#
#   scripts/build-deb.sh [--check]
#
# The tracked files are copied to build-deb/pcn-VERSION/ (a developer's
# build/ never reaches the package), dpkg-buildpackage -us -uc -b builds
# it there and leaves pcn_VERSION_ARCH.deb (and the -dbgsym package) in
# build-deb/. With --check, lintian must report no error or warning
# tag, the installed binary must carry the hardening flags
# (hardening-check), the files of "make install" must be those of the
# package (dh_compress gzips the pages and documents: compared unzipped), and pcn -V must run from the package unpacked in a scratch
# root (dpkg -x). The sizes are printed at the end.

set -euo pipefail
cd "$(dirname "$0")/.."

check=0
case "${1:-}" in
--check) check=1 ;;
"") ;;
*)
	echo "Usage: $0 [--check]" >&2
	exit 1
	;;
esac

version=$(sed -n 's/^VERSION := //p' Makefile)
arch=$(dpkg --print-architecture)
out=build-deb
src=$out/pcn-$version
deb=$out/pcn_${version}_$arch.deb

rm -rf "$out"
mkdir -p "$src"
if git rev-parse --git-dir >/dev/null 2>&1; then
	git ls-files -z --cached --others --exclude-standard |
		xargs -0 cp --parents -t "$src" 2>/dev/null || true
else
	tar -c --exclude='./build*' --exclude=./.git . | tar -x -C "$src"
fi
# a file listed but deleted in the work tree is not copied: fine

echo "  DEB     $deb"
(cd "$src" && dpkg-buildpackage -us -uc -b >../dpkg-buildpackage.log 2>&1) || {
	tail -30 "$out/dpkg-buildpackage.log" >&2
	echo "Error: dpkg-buildpackage failed (see $out/dpkg-buildpackage.log)" >&2
	exit 1
}
[ -f "$deb" ] || {
	echo "Error: no $deb after dpkg-buildpackage" >&2
	exit 1
}

fail=0
if [ "$check" = 1 ]; then
	# lintian: E: and W: tags fail; I:/P: are shown
	lintian --info "$deb" >"$out/lintian.log" 2>&1 || true
	cat "$out/lintian.log"
	if grep -Eq '^[EW]: ' "$out/lintian.log"; then
		echo "Error: lintian reports errors or warnings on $deb" >&2
		fail=1
	fi

	root=$out/root
	dpkg -x "$deb" "$root"
	if ! "$root/usr/sbin/pcn" -V; then
		echo "Error: pcn -V fails from the unpacked package" >&2
		fail=1
	fi
	# hardening-check exits non-zero when a protection is missing;
	# Debian 12's dpkg-buildflags (1.21) has no stack-clash or
	# control-flow protection to give (dpkg 1.22 adds both)
	if ! hardening-check --nocfprotection \
		"$root/usr/sbin/pcn"; then
		echo "Error: the packaged pcn lacks a hardening flag" >&2
		fail=1
	fi

	# make install's layout is the package's (the package adds only
	# what debhelper makes: changelog, copyright, md5sums)
	inst=$out/install
	make --no-print-directory -C "$src" O=debian/build WERROR=0 \
		PREFIX=/usr SYSTEMDUNITDIR=/lib/systemd/system \
		DESTDIR="$(pwd)/$inst" install >/dev/null
	(cd "$inst" && find . ! -type d | sort) >"$out/install.list"
	dpkg-deb -c "$deb" | awk '$1 !~ /^d/ { print $6 }' |
		grep -Ev '^\./usr/share/doc/pcn/(changelog|copyright)' |
		sed 's/\.gz$//' | sort >"$out/deb.list"
	if ! diff -u "$out/install.list" "$out/deb.list"; then
		echo "Error: make install and the package install different files" >&2
		fail=1
	fi
fi

kb=$(($(stat -c %s "$deb") / 1024))
isize=$(dpkg-deb -f "$deb" Installed-Size)
deps=$(dpkg-deb -f "$deb" Depends)
echo "  $deb: ${kb} KiB, installed ${isize} KiB"
echo "  Depends: $deps"
exit $fail
