#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Send probe packets through a router and say which ones it forwarded.

    probe.py SENDNS IFNAME SRCMAC DSTMAC OUTIF PROBES
    probe.py gen RULES DST N SEED     N probes for an iptables-save file
    probe.py trace TRACE N            the first N of a ClassBench trace

Run in the router's network namespace. PROBES is a file of lines
"PROTO SRC DST SPORT DPORT [TCPFLAGS]" (IPv4; PROTO tcp, udp, icmp or a
number; for icmp SPORT is the echo id and DPORT is ignored; TCPFLAGS a
number, default 2: SYN). Each is sent once out of IFNAME of network
namespace SENDNS (a path, /var/run/netns/NAME) as an Ethernet frame from
SRCMAC to DSTMAC, towards the router; the frames the router sends out of
its OUTIF are read until none came for half a second. Prints, per probe in
order, "1" if the router forwarded it, "0" if not: the verdicts of the
filter in front of its forwarding.
"""
import ctypes
import os
import select
import socket
import struct
import sys
import time

ETH_P_ALL = 3
PACKET_OUTGOING = 4


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def mac(s):
    return bytes(int(x, 16) for x in s.split(":"))


PROTOS = {"tcp": 6, "udp": 17, "icmp": 1}


def build(p, smac, dmac, ident):
    proto, src, dst, sport, dport, flags = p
    s, d = socket.inet_aton(src), socket.inet_aton(dst)
    if proto == 6:
        l4 = struct.pack("!HHIIBBHHH", sport, dport, 1000 + ident, 0,
                         5 << 4, flags, 8192, 0, 0)
    elif proto == 17:
        l4 = struct.pack("!HHHH", sport, dport, 8 + 4, 0) + b"ping"
    elif proto == 1:
        l4 = struct.pack("!BBHHH", 8, 0, 0, sport, 1) + b"ping"
        l4 = l4[:2] + struct.pack("!H", csum(l4)) + l4[4:]
    else:
        l4 = b"\0" * 8
    if proto in (6, 17):
        pseudo = s + d + struct.pack("!BBH", 0, proto, len(l4))
        c = csum(pseudo + l4)
        off = 16 if proto == 6 else 6
        l4 = l4[:off] + struct.pack("!H", c or 0xFFFF) + l4[off + 2:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), ident & 0xFFFF,
                     0, 64, proto, 0, s, d)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return dmac + smac + b"\x08\x00" + ip + l4


def key_of(proto, src, dst, sport, dport):
    return (proto, src, dst, sport, dport)


def sent_key(frame):
    """The probe key of @frame, as it was sent, or None."""
    if len(frame) < 34 or frame[12:14] != b"\x08\x00":
        return None
    ip = frame[14:]
    ihl = (ip[0] & 15) * 4
    proto = ip[9]
    src, dst = socket.inet_ntoa(ip[12:16]), socket.inet_ntoa(ip[16:20])
    l4 = ip[ihl:]
    if proto in (6, 17) and len(l4) >= 4:
        sp, dp = struct.unpack("!HH", l4[:4])
        return key_of(proto, src, dst, sp, dp)
    if proto == 1 and len(l4) >= 8:
        return key_of(1, src, dst, struct.unpack("!H", l4[4:6])[0], 0)
    return key_of(proto, src, dst, 0, 0)


def gen(path, dst, n, seed):
    """Probes made from the rules: for each "-A" line, packets that match
    it and packets just beside it (an address or port one off, another
    protocol), then random ones; the edges are where a translation
    would go wrong."""
    import ipaddress
    import random
    rnd = random.Random(seed)
    dst_a = int(ipaddress.IPv4Address(dst))

    def span(v):
        if "-" in v:
            a, b = v.split("-")
            return (int(ipaddress.IPv4Address(a)), int(ipaddress.IPv4Address(b)))
        net = ipaddress.IPv4Network(v if "/" in v else v + "/32", strict=False)
        return (int(net.network_address), int(net.broadcast_address))

    def ports_of(v):
        out = []
        for item in v.split(","):
            lo, _, hi = item.partition(":")
            lo = int(lo or 0)
            hi = int(hi or 65535) if ":" in item else lo
            out.append((lo, hi))
        return out

    rules = []
    for line in open(path):
        w = line.split()
        if not w or w[0] != "-A":
            continue
        r = {}
        for k, v in zip(w, w[1:] + [""]):
            if k in ("-s", "--src-range"):
                r["src"] = span(v)
            elif k in ("-d", "--dst-range"):
                r["dst"] = span(v)
            elif k == "-p":
                r["proto"] = v
            elif k in ("--dport", "--dports"):
                r["dport"] = ports_of(v)
            elif k in ("--sport", "--sports"):
                r["sport"] = ports_of(v)
        rules.append(r)

    def pick(rng, edge):
        a, b = rng
        if edge:
            return rnd.choice([a - 1, b + 1])
        return rnd.choice([a, b, rnd.randint(a, b)])

    def ip(x):
        return str(ipaddress.IPv4Address(x & 0xFFFFFFFF))

    seen, out = set(), []
    tries = 0
    while len(out) < n and tries < 100 * n:
        tries += 1
        r = rnd.choice(rules) if rules and rnd.random() < 0.85 else {}
        edge = rnd.random() < 0.3
        which = rnd.choice(["src", "dst", "sport", "dport", "proto"])
        src = ip(pick(r["src"], edge and which == "src")) if "src" in r \
            else ip(rnd.randint(0x0B000000, 0xDF000000))
        d = ip(pick(r["dst"], edge and which == "dst")) if "dst" in r \
            else dst
        proto = r.get("proto") or rnd.choice(["tcp", "udp", "icmp", "47"])
        if edge and which == "proto":
            proto = rnd.choice(["tcp", "udp", "icmp", "47"])
        sp = pick(rnd.choice(r["sport"]), edge and which == "sport") \
            if "sport" in r else rnd.randint(1024, 65535)
        dp = pick(rnd.choice(r["dport"]), edge and which == "dport") \
            if "dport" in r else rnd.randint(1, 65535)
        sp, dp = max(0, min(65535, sp)), max(0, min(65535, dp))
        if proto == "icmp":
            k = (proto, src, d, rnd.randint(1, 65535), 0)
        elif proto in ("tcp", "udp"):
            k = (proto, src, d, sp, dp)
        else:
            k = (proto, src, d, 0, 0)
        if k in seen or src == d or src.startswith("10.231.0."):
            continue
        seen.add(k)
        # TCP: mostly SYN, some of what scans send
        f = rnd.choice([2, 2, 2, 2, 0x10, 0x12, 0x01, 0x03, 0x00, 0x29, 0x06])
        out.append(" ".join(str(x) for x in k) + (" %d" % f if proto == "tcp" else ""))
    print("\n".join(out))


def trace(path, n):
    import ipaddress
    names = {6: "tcp", 17: "udp", 1: "icmp"}
    seen = set()
    for i, line in enumerate(open(path)):
        if i >= n:
            break
        src, dst, sp, dp, proto, flags = (int(x) for x in line.split()[:6])
        tcpf = (flags >> 24) & 0xFF
        k = (names.get(proto, str(proto)), str(ipaddress.IPv4Address(src)),
             str(ipaddress.IPv4Address(dst)), sp, dp)
        if k in seen:
            continue
        seen.add(k)
        print(" ".join(str(x) for x in k), tcpf if proto == 6 else "")


def main():
    if sys.argv[1:2] == ["gen"]:
        return gen(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
    if sys.argv[1:2] == ["trace"]:
        return trace(sys.argv[2], int(sys.argv[3]))
    if len(sys.argv) != 7:
        sys.exit(__doc__)
    sendns, ifname, smac, dmac, outif, path = sys.argv[1:]
    smac, dmac = mac(smac), mac(dmac)
    probes = []
    for line in open(path):
        w = line.split()
        if not w or w[0].startswith("#"):
            continue
        proto = PROTOS.get(w[0])
        proto = int(w[0]) if proto is None else proto
        sport, dport = int(w[3]), int(w[4])
        if proto not in (6, 17):
            dport = 0
        if proto not in (6, 17, 1):
            sport = 0
        flags = int(w[5], 0) if len(w) > 5 else 2
        probes.append((proto, w[1], w[2], sport, dport, flags))
    cap = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                        socket.htons(ETH_P_ALL))
    cap.bind((outif, 0))
    cap.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
    # the sender lives in the other namespace: a socket keeps the one
    # it was made in
    libc = ctypes.CDLL(None, use_errno=True)
    fd = os.open(sendns, os.O_RDONLY)
    if libc.setns(fd, 0x40000000) != 0:        # CLONE_NEWNET
        sys.exit("setns %s: %s" % (sendns, os.strerror(ctypes.get_errno())))
    os.close(fd)
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((ifname, 0))
    got = set()

    def drain(wait):
        end = time.monotonic() + wait
        while True:
            left = end - time.monotonic()
            if left <= 0:
                return
            r, _, _ = select.select([cap], [], [], left)
            if not r:
                return
            frame, addr = cap.recvfrom(65535)
            k = sent_key(frame)
            if k:
                got.add(k)
                end = time.monotonic() + wait

    for i, p in enumerate(probes):
        s.send(build(p, smac, dmac, i + 1))
        if i % 20 == 19:
            drain(0.005)
    drain(0.5)
    print("".join("1" if key_of(*p[:5]) in got else "0" for p in probes))


if __name__ == "__main__":
    main()
