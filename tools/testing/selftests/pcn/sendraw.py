#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# sendraw.py IFNAME DST SRC [COUNT] [ETHERTYPE] [LENGTH] [HEX]
#
# Send COUNT raw Ethernet frames (default 1) out of IFNAME, from MAC SRC to
# MAC DST, of type ETHERTYPE (hex, default 88b5, "local experimental"),
# LENGTH bytes long with the header (default 60; shorter makes a runt),
# the bytes after the EtherType being HEX (hex digits, zeros after them).
# For tests that need frames no protocol stack would send.
import socket
import sys


def mac(s):
    return bytes(int(b, 16) for b in s.split(":"))


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__ if __doc__ else "usage: sendraw.py IFNAME DST SRC")
    ifname, dst, src = sys.argv[1:4]
    count = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    etype = int(sys.argv[5], 16) if len(sys.argv) > 5 else 0x88B5
    length = int(sys.argv[6]) if len(sys.argv) > 6 else 60
    body = bytes.fromhex(sys.argv[7]) if len(sys.argv) > 7 else b""
    frame = mac(dst) + mac(src) + etype.to_bytes(2, "big") + body
    frame = (frame + bytes(max(0, length - len(frame))))[:length]
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((ifname, 0))
    for _ in range(count):
        s.send(frame)


if __name__ == "__main__":
    main()
