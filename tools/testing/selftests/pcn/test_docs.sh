#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The documentation keeps up with the code, as pcn's registry of objects
# and cube types has it (never a list kept here): man pages lint clean;
# every usage line of "pcn help" and "pcn OBJECT help" stands in the man
# page's SYNOPSIS and in the README; every cube type has its page, with
# its grammar; bash completion offers what the grammar says; "make
# install" installs all of it.

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

# the objects pcn knows, from "pcn help"
objects()
{
	"$PCN" help | sed -n '/^Objects:/,$s/^  \([a-z]*\) .*/\1/p'
}

# the cube types pcn knows, from "pcn cube help"
types()
{
	"$PCN" cube help | sed -n 's/.*TYPE := {\(.*\)}.*/\1/p' | tr -d '|' |
		tr ' ' '\n' | grep .
}

synopsis_sync()
{
	local obj page text line

	[ "$(objects | wc -l)" -ge 3 ]
	for obj in "" $(objects | grep -vx help); do
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
	local line readme link type

	readme=$(tr -s ' ' <"$TOP/README.md")
	while read -r line; do
		# the README writes the mode values out in full
		line=${line/\[ mode MODE \]/[ mode \{ xdp | xdpgeneric | tc \} ]}
		if [[ $readme != *"$line"* ]]; then
			echo "README.md lacks: $line"
			return 1
		fi
	done < <(for obj in $(objects | grep -vx help); do
			 usage_lines "$obj" help | grep -v ' help$'
		 done)
	[[ $readme == *"Documentation/pcn.8"* ]]
	for obj in $(objects | grep -vx help); do
		[[ $readme == *"Documentation/pcn-$obj.8"* ]] ||
			{ echo "README.md lacks a link to pcn-$obj(8)"; return 1; }
	done
	# the types it names are left to it (a type brings its own page, and
	# touches no shared file), but what it links to is there
	for link in $(grep -o '](Documentation/[^)]*)' "$TOP/README.md" |
		      sed 's/^](//; s/)$//'); do
		[ -e "$TOP/$link" ] ||
			{ echo "README.md links to $link, which is not there"; return 1; }
	done
	# a type's TYPE_ARGS it has (continued on lines indented further)
	# are the type's set grammar
	for type in $(types); do
		line=$(awk -v t="$type" '
			$1 == t && $2 == "TYPE_ARGS" { on = 1; sub(/.*:= /, ""); print; next }
			on && /^                            / { print; next }
			{ on = 0 }' "$TOP/README.md" | tr -s ' \n' '  ')
		[ -n "$line" ] || continue
		"$PCN" cube help | tr -s ' ' | grep -qxF " $type set: ${line% }" ||
			{ echo "README.md's $type TYPE_ARGS are not its set grammar: $line"; return 1; }
	done
	[[ $readme == *"Documentation/firewall.md"* ]]
	[[ $readme == *"make check"* ]]
	[[ $readme == *"make demo"* ]]
}

# Every cube type has its page, pcn-cube-TYPE(8), whose SYNOPSIS holds
# the type's grammar as "pcn cube help" prints it (add, set and the
# definitions of its words); every page pcn's pages name exists
type_pages()
{
	local type page text line ref

	[ "$(types | wc -l)" -ge 2 ]
	for type in $(types); do
		page=$DOC/pcn-cube-$type.8
		[ -f "$page" ] || { echo "no man page $page"; return 1; }
		text=$(man_text "$page")
		while read -r line; do
			if [[ $text != *"$line"* ]]; then
				echo "$page lacks: $line"
				return 1
			fi
		done < <("$PCN" cube help | tr -s ' ' |
			 sed -n "s/^ $type \(add\|set\): /$type \1: /p")
	done
	for page in "$DOC"/*.8; do
		for ref in $(man_text "$page" | grep -o 'pcn-[a-z-]*([0-9])' |
			     sed 's/(8)//' | sort -u); do
			[ -f "$DOC/$ref.8" ] ||
				{ echo "$page names $ref(8), which is not there"; return 1; }
		done
	done
}

# complete_words WORD... CUR: what completion offers for CUR after WORDs
complete_words()
{
	local COMPREPLY=() COMP_LINE COMP_POINT

	# shellcheck disable=SC1091
	source "$TOP/bash-completion/pcn"
	COMP_LINE="$*"
	COMP_POINT=${#COMP_LINE}
	_pcn
	printf '%s\n' "${COMPREPLY[@]}"
}

# offered WORDS OFFER...: each OFFER is one of the WORDS completion gave
offered()
{
	local words=$1 w

	shift
	for w in "$@"; do
		grep -qx -- "$w" <<<"$words" ||
			{ echo "\"$w\" not offered: $(tr '\n' ' ' <<<"$words")"; return 1; }
	done
}

# The verbs and keywords offered are those of the usage pcn prints, for
# every object and every cube type of its registry.
completion_sync()
{
	local words obj type verbs kws

	bash -n "$TOP/bash-completion/pcn"
	words=$(complete_words "$PCN" "")
	# shellcheck disable=SC2046
	offered "$words" $(objects) help
	for obj in $(objects | grep -vx help); do
		verbs=$("$PCN" "$obj" help 2>&1 |
			sed -n "s/^\(Usage:\)\? *pcn $obj \([a-z]*\|{ [a-z |]* }\).*/\2/p" |
			tr -d '{}|')
		[ -n "$verbs" ] || { echo "no verbs in \"pcn $obj help\""; return 1; }
		# shellcheck disable=SC2086
		offered "$(complete_words "$PCN" "$obj" "")" $verbs
	done
	words=$(complete_words "$PCN" cube add x type "")
	# shellcheck disable=SC2046
	offered "$words" $(types)
	offered "$(complete_words "$PCN" cube add x type "$(types | head -1)" mode "")" \
		xdp xdpgeneric tc
	# each type's add arguments: the first keyword of each group
	for type in $(types); do
		kws=$("$PCN" cube help | sed -n "s/^ *$type add: //p" |
		      { grep -o '\[ [a-z_]*' || true; } | tr -d '[ ')
		# shellcheck disable=SC2086
		offered "$(complete_words "$PCN" cube add x type "$type" "")" \
			mode $kws
	done
	words=$(complete_words "$PCN" -)
	offered "$words" -j -p -s -d -n -root -batch -force -V -h
	[ "$(complete_words "$PCN" -batch "")" = "$(compgen -f -- "")" ]
	# objects without verbs: their options; and file names
	[ "$(offers "$PCN" save "")" = "-all -n help " ]
	[ -z "$(complete_words "$PCN" save -all "")" ]
	[ "$(offers "$PCN" flush "")" = "-all help " ]
	[ "$(complete_words "$PCN" restore "")" = \
		"$(compgen -f -- ""; echo help)" ]
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
		"static vlan " ]
	"$PCN" -n "$R" fdb add 02:00:00:00:00:01 port bq:p1
	# (with what the bridge learned)
	offered "$(complete_words "${c[@]}" fdb del "")" 02:00:00:00:00:01
	[ "$(offers "${c[@]}" fdb del 02:00:00:00:00:01 "")" = "cube " ]
	# bash replaces what follows the last ':' only
	offered "$(complete_words "${c[@]}" fdb del 02:00:00:00:)" 00:01
	[ "$(offers "${c[@]}" link del bq:)" = "p1 " ]
	[ "$(offers "${c[@]}" link del dev v)" = "v1 v2 " ]

	# a router, its addresses, routes and neighbours
	[ "$(offers "${c[@]}" cube add rx type router "")" = \
		"fib mode neigh_timeout " ]
	[ "$(offers "${c[@]}" cube add rx type router fib "")" = \
		"kernel own " ]
	[ "$(offers "${c[@]}" cube set rq "")" = "neigh_timeout port " ]
	[ "$(offers "${c[@]}" cube set rq port "")" = "p1 " ]
	[ "$(offers "${c[@]}" cube set rq port p1 "")" = \
		"local mac mtu neigh_timeout port " ]
	[ "$(offers "${c[@]}" cube set rq port p1 local "")" = "drop pass " ]
	[ "$(offers "${c[@]}" cube set rq port p1 local pass "")" = \
		"mac mtu neigh_timeout port " ]
	[ "$(offers "${c[@]}" addr show cube "")" = "rq " ]
	[ "$(offers "${c[@]}" addr add 10.0.1.1/24 port "")" = "rq:p1 " ]
	[ "$(offers "${c[@]}" addr del "")" = "10.0.0.1/24 " ]
	[ "$(offers "${c[@]}" addr del 10.0.0.1/24 port "")" = "rq:p1 " ]
	# in the order the grammar gives
	[ "$(offers "${c[@]}" route add 10.8.0.0/16 "")" = "port via " ]
	[ "$(offers "${c[@]}" route add 10.8.0.0/16 port rq:p1 "")" = \
		"inactive metric proto " ]
	[ "$(offers "${c[@]}" route add 10.8.0.0/16 port rq:p1 proto "")" = \
		"connected static " ]
	[ "$(offers "${c[@]}" route add 10.8.0.0/16 via 10.0.0.3 cube "")" = \
		"rq " ]
	[ "$(offers "${c[@]}" route del "")" = "10.9.0.0/16 default " ]
	[ "$(offers "${c[@]}" route get 10.9.1.1 cube "")" = "rq " ]
	[ "$(offers "${c[@]}" route flush cube rq "")" = "port " ]
	[ "$(offers "${c[@]}" route flush cube rq port "")" = "p1 " ]
	[ "$(offers "${c[@]}" neigh show port "")" = "rq:p1 " ]
	[ "$(offers "${c[@]}" neigh add 10.0.0.3 "")" = "lladdr " ]
	[ "$(offers "${c[@]}" neigh del "")" = "10.0.0.2 " ]
	[ "$(offers "${c[@]}" neigh flush cube "")" = "rq " ]
	[ "$(offers "${c[@]}" neigh flush cube rq "")" = "dynamic port " ]

	# a firewall: its policies, its chains and rules
	"$PCN" -n "$R" cube add fq type firewall
	"$PCN" -n "$R" rule append fq ingress proto icmp action accept
	"$PCN" -n "$R" rule append fq ingress proto tcp dport 22 action drop
	[ "$(offers "${c[@]}" cube add fx type firewall "")" = \
		"conntrack egress ingress mode " ]
	[ "$(offers "${c[@]}" cube set fq "")" = "conntrack egress ingress " ]
	[ "$(offers "${c[@]}" cube set fq egress "")" = "accept drop " ]
	[ "$(offers "${c[@]}" cube set fq conntrack "")" = "off on " ]
	[ "$(offers "${c[@]}" cube set fq egress drop "")" = "conntrack ingress " ]
	[ "$(offers "${c[@]}" cube set fq conntrack on egress drop "")" = \
		"ingress " ]
	[ "$(offers "${c[@]}" rule show "")" = "fq " ]
	[ "$(offers "${c[@]}" rule append fq "")" = "egress ingress " ]
	[ "$(offers "${c[@]}" rule append fq ingress "")" = \
		"action dport dst hashlimit icmp-type limit mark proto sport src state tcp-flags " ]
	[ "$(offers "${c[@]}" rule append fq ingress proto "")" = \
		"icmp icmpv6 tcp udp " ]
	[ "$(offers "${c[@]}" rule append fq ingress proto icmp "")" = \
		"action dport dst hashlimit icmp-type limit mark sport src state tcp-flags " ]
	[ "$(offers "${c[@]}" rule append fq ingress proto udp dport 53 "")" = \
		"action dst hashlimit icmp-type limit mark sport src state tcp-flags " ]
	[ "$(offers "${c[@]}" rule append fq ingress state "")" = \
		"established invalid new related " ]
	[ "$(offers "${c[@]}" rule append fq ingress state new,related,"")" = \
		"new,related,established new,related,invalid " ]
	[ "$(offers "${c[@]}" rule append fq ingress state new "")" = \
		"action dport dst hashlimit icmp-type limit mark proto sport src tcp-flags " ]
	[ "$(offers "${c[@]}" rule append fq ingress src 10.0.0.0/8 action "")" = \
		"accept drop log reject " ]
	[ "$(offers "${c[@]}" rule insert fq ingress "")" = \
		"action dport dst hashlimit icmp-type index limit mark proto sport src state tcp-flags " ]
	[ "$(offers "${c[@]}" rule insert fq ingress index "")" = "1 2 3 " ]
	[ "$(offers "${c[@]}" rule replace fq ingress "")" = "1 2 " ]
	[ -z "$(complete_words "${c[@]}" rule replace fq egress "")" ]
	[ -z "$(complete_words "${c[@]}" rule delete fq ingress 2 "")" ]
	[ "$(offers "${c[@]}" rule delete fq ingress "")" = \
		"1 2 action dport dst hashlimit icmp-type limit mark proto sport src state tcp-flags " ]
	[ "$(offers "${c[@]}" rule flush fq "")" = "egress ingress " ]
	[ "$(offers "${c[@]}" ct "")" = "flush help show " ]
	[ "$(offers "${c[@]}" ct show "")" = "fq " ]
	[ "$(offers "${c[@]}" ct flush "")" = "fq " ]
	[ -z "$(complete_words "${c[@]}" ct flush fq "")" ]
}

install_tree()
{
	local d unit

	d=$(mktemp -d)
	defer "rm -rf $d"
	make -s -C "$TOP" install DESTDIR="$d" PREFIX=/usr >/dev/null
	[ -x "$d/usr/sbin/pcn" ]
	"$d/usr/sbin/pcn" -V | grep -q '^pcn '
	for page in "$DOC"/*.8; do
		[ -f "$d/usr/share/man/man8/$(basename "$page")" ]
	done
	[ -f "$d/usr/share/bash-completion/completions/pcn" ]
	# the boot unit, naming the pcn installed and the files it restores
	unit=$d/usr/lib/systemd/system/pcn-restore.service
	grep -qx "ExecStart=.*/usr/sbin/pcn restore .*" "$unit"
	grep -q "/etc/pcn/\*\.batch" "$unit"
	[ -d "$d/etc/pcn" ]
	if command -v systemd-analyze >/dev/null; then
		systemd-analyze verify --man=no "$unit"
	fi
}

run_test man_pages_lint_clean man_lint
run_test man_synopsis_matches_usage synopsis_sync
run_test readme_grammar_matches_usage readme_sync
run_test type_pages_hold_their_grammar type_pages
run_test bash_completion_knows_the_grammar completion_sync
run_test bash_completion_reads_the_tree completion_live
run_test make_install install_tree
tap_done
