#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""ClassBench rule sets as pcn rules.

    classbench.py rules FILE FIREWALL CHAIN [N]   "rule append" lines
    classbench.py trace FILE [N]                  the trace as
                                                  "src dst sport dport proto flags"

A rule's action is drop for an even line number, accept for an odd
one. The protocol's value/mask becomes "proto" when the mask is 0xFF;
ports become sport/dport unless they span 0-65535; the high byte of the
16-bit flags field is the TCP flags (ClassBench models them so) and
becomes "tcp-flags" for TCP rules; other flag conditions (ICMP types)
are left out, as pcn does not match them.
"""
import sys

FLAGS = ["fin", "syn", "rst", "psh", "ack", "urg", "ece", "cwr"]


def flag_list(v):
    return ",".join(f for i, f in enumerate(FLAGS) if v & (1 << i))


def rule_words(line):
    f = line.rstrip("\t\n").split("\t")
    w = []
    src, dst = f[0].lstrip("@"), f[1]
    if not src.endswith("/0"):
        w += ["src", src]
    if not dst.endswith("/0"):
        w += ["dst", dst]
    pv, pm = (int(x, 16) for x in f[4].split("/"))
    if pm == 0xFF:
        w += ["proto", str(pv)]
    for kw, r in (("sport", f[2]), ("dport", f[3])):
        lo, hi = (int(x) for x in r.split(":"))
        if (lo, hi) != (0, 65535):
            w += [kw, str(lo) if lo == hi else "%d-%d" % (lo, hi)]
    fv, fm = (int(x, 16) for x in f[5].split("/"))
    if pm == 0xFF and pv == 6 and fm >> 8:
        mask = fm >> 8
        w += ["tcp-flags", "%s/%s" % (flag_list((fv >> 8) & mask) or "none",
                                     flag_list(mask))]
    return w


def main():
    what, path = sys.argv[1], sys.argv[2]
    if what == "rules":
        fw, chain = sys.argv[3], sys.argv[4]
        n = int(sys.argv[5]) if len(sys.argv) > 5 else None
        for i, line in enumerate(open(path)):
            if n is not None and i >= n:
                break
            act = "drop" if i % 2 == 0 else "accept"
            print(" ".join(["rule", "append", fw, chain] + rule_words(line) +
                           ["action", act]))
    elif what == "trace":
        n = int(sys.argv[3]) if len(sys.argv) > 3 else None
        for i, line in enumerate(open(path)):
            if n is not None and i >= n:
                break
            print(" ".join(line.split()[:6]))
    else:
        sys.exit("Usage: classbench.py { rules FILE FW CHAIN [N] | trace FILE [N] }")


if __name__ == "__main__":
    main()
