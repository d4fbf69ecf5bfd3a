#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The documentation keeps up with the code: man pages lint clean; every
# usage line of "pcn help" and "pcn OBJECT help" stands in the man page's
# SYNOPSIS and in the README; bash completion knows every object, verb,
# option and cube type; "make install" installs all of it.

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../../.." && pwd)
DOC=$TOP/Documentation

man_lint()
{
	local page out

	for page in "$DOC"/*.8; do
		out=$(groff -t -man -ww -z "$page" 2>&1)
		if [ -n "$out" ]; then
			echo "$page: $out"
			return 1
		fi
		grep -q '^\.SH EXIT STATUS' "$page"
		grep -q '^\.SH EXAMPLES' "$page"
		grep -q '^\.SH SEE ALSO' "$page"
	done
}

# the usage lines of a help text, one per line, blanks squeezed
usage_lines()
{
	"$PCN" "$@" | sed -n 's/^Usage: //p; s/^       \(pcn .*\)/\1/p' |
		tr -s ' '
}

# rendered man page, blanks squeezed, line breaks folded
man_text()
{
	MANWIDTH=400 man -l "$1" 2>/dev/null | col -b | tr -s ' \n' '  '
}

synopsis_sync()
{
	local obj page text line

	for obj in "" cube link fdb addr route neigh rule ct; do
		page=$DOC/pcn${obj:+-$obj}.8
		text=$(man_text "$page")
		while read -r line; do
			if [[ $text != *"$line"* ]]; then
				echo "$page lacks: $line"
				return 1
			fi
		done < <(usage_lines $obj help)
	done
}

readme_sync()
{
	local line readme

	readme=$(tr -s ' ' <"$TOP/README.md")
	while read -r line; do
		# the README writes the mode values out in full
		line=${line/\[ mode MODE \]/[ mode \{ xdp | xdpgeneric | tc \} ]}
		if [[ $readme != *"$line"* ]]; then
			echo "README.md lacks: $line"
			return 1
		fi
	done < <(usage_lines cube help | grep -v ' help$'
		 usage_lines link help | grep -v ' help$'
		 usage_lines fdb help | grep -v ' help$'
		 usage_lines addr help | grep -v ' help$'
		 usage_lines route help | grep -v ' help$'
		 usage_lines neigh help | grep -v ' help$'
		 usage_lines rule help | grep -v ' help$'
		 usage_lines ct help | grep -v ' help$')
	[[ $readme == *"Documentation/pcn.8"* ]]
	[[ $readme == *"Documentation/pcn-rule.8"* ]]
	[[ $readme == *"Documentation/pcn-ct.8"* ]]
	[[ $readme == *"Documentation/firewall.md"* ]]
	[[ $readme == *"firewall TYPE_ARGS := [ ingress { accept | drop } ] [ egress { accept | drop } ]"* ]]
	[[ $readme == *"make check"* ]]
	[[ $readme == *"make demo"* ]]
}

# complete_words WORD... CUR: what completion offers for CUR after WORDs
complete_words()
{
	local COMP_WORDS COMP_CWORD COMPREPLY=() COMP_LINE COMP_POINT

	# shellcheck disable=SC1091
	source "$TOP/bash-completion/pcn"
	COMP_WORDS=("$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMP_LINE="$*"
	COMP_POINT=${#COMP_LINE}
	_pcn pcn "" "${COMP_WORDS[COMP_CWORD - 1]}"
	printf '%s\n' "${COMPREPLY[@]}"
}

completion_sync()
{
	local words verb type

	bash -n "$TOP/bash-completion/pcn"
	words=$(complete_words pcn "")
	for obj in cube link fdb addr route neigh rule ct help; do
		grep -qx "$obj" <<<"$words"
	done
	words=$(complete_words pcn rule "")
	for verb in show append insert replace delete flush reset help; do
		grep -qx "$verb" <<<"$words"
	done
	words=$(complete_words pcn fdb "")
	for verb in show add del flush help; do
		grep -qx "$verb" <<<"$words"
	done
	words=$(complete_words pcn addr "")
	for verb in show add del help; do
		grep -qx "$verb" <<<"$words"
	done
	words=$(complete_words pcn route "")
	for verb in show add replace del get flush help; do
		grep -qx "$verb" <<<"$words"
	done
	words=$(complete_words pcn neigh "")
	for verb in show add del flush help; do
		grep -qx "$verb" <<<"$words"
	done
	words=$(complete_words pcn ct "")
	for verb in show flush help; do
		grep -qx "$verb" <<<"$words"
	done
	words=$(complete_words pcn cube "")
	for verb in add del set show help; do
		grep -qx "$verb" <<<"$words"
	done
	words=$(complete_words pcn link "")
	for verb in add del show help; do
		grep -qx "$verb" <<<"$words"
	done
	words=$(complete_words pcn cube add x type "")
	for type in $("$PCN" cube help | sed -n 's/.*TYPE := {\(.*\)}/\1/p' | tr -d '|'); do
		grep -qx "$type" <<<"$words"
	done
	words=$(complete_words pcn cube add x type forwarder mode "")
	for m in xdp xdpgeneric tc; do
		grep -qx "$m" <<<"$words"
	done
	words=$(complete_words pcn -)
	for opt in -j -p -s -d -n -root -batch -force -V -h; do
		grep -qx -- "$opt" <<<"$words"
	done
}

# words offered for CUR after WORDs ($1...), one per line, sorted
offers()
{
	complete_words "$@" | sort | tr '\n' ' '
}

# completion reads the cubes and ports of a live tree
completion_live()
{
	setup_root
	add_ns R
	add_veth "$R" v1 "$R" v2
	"$PCN" -n "$R" cube add bq type bridge
	"$PCN" -n "$R" link add bq:p1 dev v1
	"$PCN" -n "$R" cube add rq type router
	"$PCN" -n "$R" link add rq:p1 dev v2
	"$PCN" -n "$R" addr add 10.0.0.1/24 port rq:p1
	"$PCN" -n "$R" neigh add 10.0.0.2 lladdr 02:00:00:00:00:02 port rq:p1
	"$PCN" -n "$R" route add 10.9.0.0/16 via 10.0.0.2 cube rq
	local c=("$PCN" -n "$R")

	[ "$(offers "${c[@]}" cube set bq "")" = "ageing_time port " ]
	[ "$(offers "${c[@]}" cube set bq port "")" = "p1 " ]
	[ "$(offers "${c[@]}" cube set bq port p1 "")" = \
		"ageing_time port state trunk vlan " ]
	[ "$(offers "${c[@]}" cube set bq port p1 trunk 10 "")" = \
		"ageing_time native port state " ]
	[ "$(offers "${c[@]}" cube set bq port p1 trunk 10 native "")" = \
		"none " ]
	[ "$(offers "${c[@]}" cube set bq port p1 vlan 5 state "")" = \
		"blocking disabled forwarding learning listening " ]
	[ "$(offers "${c[@]}" cube set bq port p1 vlan 5 "")" = \
		"ageing_time port state " ]
	[ "$(offers "${c[@]}" fdb flush cube "")" = "bq " ]
	[ "$(offers "${c[@]}" fdb flush cube bq "")" = "dynamic port vlan " ]
	[ "$(offers "${c[@]}" fdb show port "")" = "bq:p1 " ]
	[ "$(offers "${c[@]}" fdb add 02:00:00:00:00:01 port bq:p1 "")" = \
		"vlan " ]

	# a router, its addresses, routes and neighbours
	[ "$(offers "${c[@]}" cube add rx type router "")" = \
		"mode neigh_timeout " ]
	[ "$(offers "${c[@]}" cube set rq "")" = "neigh_timeout port " ]
	[ "$(offers "${c[@]}" cube set rq port "")" = "p1 " ]
	[ "$(offers "${c[@]}" cube set rq port p1 "")" = "local mac " ]
	[ "$(offers "${c[@]}" cube set rq port p1 local "")" = "drop pass " ]
	[ "$(offers "${c[@]}" cube set rq port p1 local pass "")" = \
		"mac neigh_timeout port " ]
	[ "$(offers "${c[@]}" addr show cube "")" = "rq " ]
	[ "$(offers "${c[@]}" addr add 10.0.1.1/24 port "")" = "rq:p1 " ]
	[ "$(offers "${c[@]}" addr del "")" = "10.0.0.1/24 " ]
	[ "$(offers "${c[@]}" addr del 10.0.0.1/24 port "")" = "rq:p1 " ]
	[ "$(offers "${c[@]}" route add 10.8.0.0/16 "")" = \
		"cube metric port via " ]
	[ "$(offers "${c[@]}" route add 10.8.0.0/16 via 10.0.0.3 cube "")" = \
		"rq " ]
	[ "$(offers "${c[@]}" route del "")" = "10.9.0.0/16 " ]
	[ "$(offers "${c[@]}" route get 10.9.1.1 cube "")" = "rq " ]
	[ "$(offers "${c[@]}" route flush cube rq "")" = "port " ]
	[ "$(offers "${c[@]}" route flush cube rq port "")" = "p1 " ]
	[ "$(offers "${c[@]}" neigh show port "")" = "rq:p1 " ]
	[ "$(offers "${c[@]}" neigh add 10.0.0.3 "")" = "lladdr port " ]
	[ "$(offers "${c[@]}" neigh del "")" = "10.0.0.2 " ]
	[ "$(offers "${c[@]}" neigh flush cube "")" = "rq " ]
	[ "$(offers "${c[@]}" neigh flush cube rq "")" = "dynamic port " ]

	# a firewall: its policies, its chains and rules
	"$PCN" -n "$R" cube add fq type firewall
	"$PCN" -n "$R" rule append fq ingress proto icmp action accept
	"$PCN" -n "$R" rule append fq ingress proto tcp dport 22 action drop
	[ "$(offers "${c[@]}" cube add fx type firewall "")" = \
		"egress ingress mode " ]
	[ "$(offers "${c[@]}" cube set fq "")" = "egress ingress " ]
	[ "$(offers "${c[@]}" cube set fq egress "")" = "accept drop " ]
	[ "$(offers "${c[@]}" cube set fq egress drop "")" = "ingress " ]
	[ "$(offers "${c[@]}" rule show "")" = "fq " ]
	[ "$(offers "${c[@]}" rule append fq "")" = "egress ingress " ]
	[ "$(offers "${c[@]}" rule append fq ingress "")" = \
		"action dport dst proto sport src state tcp-flags " ]
	[ "$(offers "${c[@]}" rule append fq ingress proto "")" = \
		"icmp icmpv6 tcp udp " ]
	[ "$(offers "${c[@]}" rule append fq ingress proto icmp "")" = \
		"action dst src state " ]
	[ "$(offers "${c[@]}" rule append fq ingress proto udp dport 53 "")" = \
		"action dst sport src state " ]
	[ "$(offers "${c[@]}" rule append fq ingress state "")" = \
		"established invalid new related " ]
	[ "$(offers "${c[@]}" rule append fq ingress state new,related,"")" = \
		"new,related,established new,related,invalid " ]
	[ "$(offers "${c[@]}" rule append fq ingress state new "")" = \
		"action dport dst proto sport src tcp-flags " ]
	[ "$(offers "${c[@]}" rule append fq ingress src 10.0.0.0/8 action "")" = \
		"accept drop " ]
	[ "$(offers "${c[@]}" rule insert fq ingress "")" = \
		"action dport dst index proto sport src state tcp-flags " ]
	[ "$(offers "${c[@]}" rule insert fq ingress index "")" = "1 2 3 " ]
	[ "$(offers "${c[@]}" rule replace fq ingress "")" = "1 2 " ]
	[ -z "$(complete_words "${c[@]}" rule replace fq egress "")" ]
	[ -z "$(complete_words "${c[@]}" rule delete fq ingress 2 "")" ]
	[ "$(offers "${c[@]}" rule flush fq "")" = "egress ingress " ]
	[ "$(offers "${c[@]}" ct "")" = "flush help show " ]
	[ "$(offers "${c[@]}" ct show "")" = "fq " ]
	[ "$(offers "${c[@]}" ct flush "")" = "fq " ]
	[ -z "$(complete_words "${c[@]}" ct flush fq "")" ]
}

install_tree()
{
	local d

	d=$(mktemp -d)
	defer "rm -rf $d"
	make -s -C "$TOP" install DESTDIR="$d" PREFIX=/usr >/dev/null
	[ -x "$d/usr/sbin/pcn" ]
	"$d/usr/sbin/pcn" -V | grep -q '^pcn '
	for page in "$DOC"/*.8; do
		[ -f "$d/usr/share/man/man8/$(basename "$page")" ]
	done
	[ -f "$d/usr/share/bash-completion/completions/pcn" ]
}

run_test man_pages_lint_clean man_lint
run_test man_synopsis_matches_usage synopsis_sync
run_test readme_grammar_matches_usage readme_sync
run_test bash_completion_knows_the_grammar completion_sync
run_test bash_completion_reads_the_tree completion_live
run_test make_install install_tree
tap_done
