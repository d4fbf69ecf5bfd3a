#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# capture_send.py ADDR PORT COUNT SIZE [TIMES]: send COUNT UDP datagrams
# of SIZE bytes to ADDR:PORT, each beginning with "pcnseq NNNNNN ", and
# write "SEQ NS" lines to TIMES: the wall-clock time (CLOCK_REALTIME, in
# ns) read right before each was handed to the kernel. For the capture
# test, which compares those times with the ones in the file.
import socket
import sys
import time

addr, port, count, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
times = open(sys.argv[5], "w") if len(sys.argv) > 5 else None
fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
s = socket.socket(fam, socket.SOCK_DGRAM)
for i in range(count):
    head = b"pcnseq %06d " % i
    payload = head + b"x" * max(0, size - len(head))
    t = time.time_ns()
    s.sendto(payload, (addr, port))
    if times:
        times.write("%d %d\n" % (i, t))
    # room for the receiving side: no loss on a busy machine
    time.sleep(0.002)
if times:
    times.close()
