#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""ClassBench rule sets as pcn rules.

    classbench.py rules FILE FIREWALL CHAIN [N]   "rule append" lines
    classbench.py iptables FILE [N]               iptables-restore input
                                                  (FORWARD chain)
    classbench.py nft FILE [N]                    nft -f input (table ip
                                                  pcnbench, forward hook)
    classbench.py trace FILE [N]                  the trace as
                                                  "src dst sport dport proto flags"

A rule's action is drop for an even line number, accept for an odd
one. The protocol's value/mask becomes "proto" when the mask is 0xFF;
ports become sport/dport unless they span 0-65535; the high byte of the
16-bit flags field is the TCP flags (ClassBench models them so) and
becomes "tcp-flags" for TCP rules; other flag conditions (ICMP types)
are left out, as pcn does not match them.

ClassBench gives every packet ports; on the wire only TCP and UDP have
them. A rule on ports with any protocol becomes two, one for TCP and
one for UDP (the packets it can match); a rule on ports with another
protocol can match no packet and is left out. Every mode translates
the same way, so pcn, nft and iptables are compared on the same rules.
"""
import sys

FLAGS = ["fin", "syn", "rst", "psh", "ack", "urg", "ece", "cwr"]


def flag_list(v):
    return ",".join(f for i, f in enumerate(FLAGS) if v & (1 << i))


def rule_words(line):
    """The pcn rules (lists of words) of a ClassBench line: 0, 1 or 2."""
    f = line.rstrip("\t\n").split("\t")
    w = []
    src, dst = f[0].lstrip("@"), f[1]
    if not src.endswith("/0"):
        w += ["src", src]
    if not dst.endswith("/0"):
        w += ["dst", dst]
    pv, pm = (int(x, 16) for x in f[4].split("/"))
    ports = []
    for kw, r in (("sport", f[2]), ("dport", f[3])):
        lo, hi = (int(x) for x in r.split(":"))
        if (lo, hi) != (0, 65535):
            ports += [kw, str(lo) if lo == hi else "%d-%d" % (lo, hi)]
    if pm == 0xFF:
        protos = [pv]
    elif ports:
        protos = [6, 17]
    else:
        protos = [None]
    fv, fm = (int(x, 16) for x in f[5].split("/"))
    out = []
    for p in protos:
        if ports and p not in (6, 17):
            continue
        r = list(w)
        if p is not None:
            r += ["proto", str(p)]
        r += ports
        if p == 6 and pm == 0xFF and fm >> 8:
            mask = fm >> 8
            r += ["tcp-flags", "%s/%s" % (
                flag_list((fv >> 8) & mask) or "none", flag_list(mask))]
        out.append(r)
    return out


def linux_rule(words, act, nft):
    """The same rule for iptables (-A FORWARD ...) or nft."""
    kw = dict(zip(words[::2], words[1::2]))
    proto = {"6": "tcp", "17": "udp", "1": "icmp"}.get(kw.get("proto"),
                                                        kw.get("proto"))
    out = []
    if nft:
        if "src" in kw:
            out += ["ip saddr", kw["src"]]
        if "dst" in kw:
            out += ["ip daddr", kw["dst"]]
        if proto and proto in ("tcp", "udp"):
            for p in ("sport", "dport"):
                if p in kw:
                    out += [proto, p, kw[p]]
            if "sport" not in kw and "dport" not in kw:
                out += ["meta l4proto", proto]
        elif proto:
            out += ["meta l4proto", proto]
        if "tcp-flags" in kw:
            v, m = kw["tcp-flags"].split("/")
            v = "0" if v == "none" else "|".join(v.split(","))
            out += ["tcp flags & (%s) == %s" % ("|".join(m.split(",")), v)]
        return " ".join(out + [act])
    if "src" in kw:
        out += ["-s", kw["src"]]
    if "dst" in kw:
        out += ["-d", kw["dst"]]
    if proto:
        out += ["-p", proto]
    for p in ("sport", "dport"):
        if p in kw:
            out += ["--" + p, kw[p].replace("-", ":")]
    if "tcp-flags" in kw:
        v, m = kw["tcp-flags"].split("/")
        out += ["--tcp-flags", m.upper(), "NONE" if v == "none" else v.upper()]
    return " ".join(["-A FORWARD"] + out + ["-j", act.upper()])


def main():
    what, path = sys.argv[1], sys.argv[2]
    if what in ("iptables", "nft"):
        n = int(sys.argv[3]) if len(sys.argv) > 3 else None
        if what == "iptables":
            print("*filter")
        else:
            print("table ip pcnbench {\n chain filter {\n"
                  "  type filter hook forward priority 0; policy accept;")
        for i, line in enumerate(open(path)):
            if n is not None and i >= n:
                break
            act = "drop" if i % 2 == 0 else "accept"
            for words in rule_words(line):
                print(linux_rule(words, act, what == "nft"))
        print("COMMIT" if what == "iptables" else " }\n}")
        return
    if what == "rules":
        fw, chain = sys.argv[3], sys.argv[4]
        n = int(sys.argv[5]) if len(sys.argv) > 5 else None
        for i, line in enumerate(open(path)):
            if n is not None and i >= n:
                break
            act = "drop" if i % 2 == 0 else "accept"
            for words in rule_words(line):
                print(" ".join(["rule", "append", fw, chain] + words +
                               ["action", act]))
    elif what == "trace":
        n = int(sys.argv[3]) if len(sys.argv) > 3 else None
        for i, line in enumerate(open(path)):
            if n is not None and i >= n:
                break
            print(" ".join(line.split()[:6]))
    else:
        sys.exit("Usage: classbench.py { rules FILE FW CHAIN [N] | "
                 "{ iptables | nft | trace } FILE [N] }")


if __name__ == "__main__":
    main()
