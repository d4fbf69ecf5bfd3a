#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# snapshot.py ROOT: every pin under a pcn root, one line each, with what
# the kernel holds behind it: directories; maps (type, id, name and a
# digest of their content); programs (id, name); links (id, program).
# Two snapshots are equal when nothing changed. It talks to the bpf
# syscall itself, reading maps in batches where the kernel allows (a
# firewall's tables hold ~262,000 entries: bpftool, an element at a
# time, takes ~10 s for each). Fails loudly if a pin cannot be read.

import ctypes, hashlib, os, platform, struct, sys

NR_BPF = {"x86_64": 321, "aarch64": 280}[platform.machine()]
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long

def bpf(cmd, attr):
    r = libc.syscall(ctypes.c_long(NR_BPF), ctypes.c_long(cmd), attr,
                     ctypes.c_uint(ctypes.sizeof(attr)))
    return r, (ctypes.get_errno() if r < 0 else 0)

def addr(buf):
    return ctypes.addressof(buf)

def obj_get(path):
    p = ctypes.create_string_buffer(os.fsencode(path))
    attr = ctypes.create_string_buffer(128)
    struct.pack_into("=QII", attr, 0, addr(p), 0, 0)
    fd, err = bpf(7, attr)			# BPF_OBJ_GET
    if fd < 0:
        raise OSError(err, "BPF_OBJ_GET " + path)
    return fd

def info(fd, size):
    buf = ctypes.create_string_buffer(size)
    attr = ctypes.create_string_buffer(128)
    struct.pack_into("=IIQ", attr, 0, fd, size, addr(buf))
    r, err = bpf(15, attr)			# BPF_OBJ_GET_INFO_BY_FD
    if r < 0:
        raise OSError(err, "BPF_OBJ_GET_INFO_BY_FD")
    return buf.raw

def ncpus():
    n = 0
    for part in open("/sys/devices/system/cpu/possible").read().strip().split(","):
        a, _, b = part.partition("-")
        n += int(b or a) - int(a) + 1
    return n

# per-CPU map types: a value per possible CPU, each rounded up to 8 bytes
PERCPU = {5, 6, 10, 21}

def content(fd, mtype, ksize, vsize):
    h = hashlib.md5()
    if mtype in PERCPU:
        vsize = (vsize + 7) // 8 * 8 * ncpus()
    if try_batch(fd, ksize, vsize, h):
        return h.hexdigest()
    h = hashlib.md5()
    # no batches (an LPM trie; an fd array with empty slots): one element
    # at a time
    key = ctypes.create_string_buffer(max(ksize, 1))
    nxt = ctypes.create_string_buffer(max(ksize, 1))
    val = ctypes.create_string_buffer(max(vsize, 1))
    attr = ctypes.create_string_buffer(128)
    first = True
    while True:
        struct.pack_into("=IIQQQ", attr, 0, fd, 0, 0 if first else addr(key),
                         addr(nxt), 0)
        r, err = bpf(4, attr)		# BPF_MAP_GET_NEXT_KEY
        if r < 0:
            h.update(b"end %d" % err)
            break
        first = False
        ctypes.memmove(key, nxt, ksize)
        struct.pack_into("=IIQQQ", attr, 0, fd, 0, addr(key), addr(val), 0)
        r, err = bpf(1, attr)		# BPF_MAP_LOOKUP_ELEM
        h.update(key.raw[:ksize])
        h.update(val.raw[:vsize] if r == 0 else b"error %d" % err)
    return h.hexdigest()

def try_batch(fd, ksize, vsize, h):
    n = 4096
    keys = ctypes.create_string_buffer(max(ksize, 1) * n)
    vals = ctypes.create_string_buffer(max(vsize, 1) * n)
    tin = ctypes.create_string_buffer(max(ksize, 8))
    tout = ctypes.create_string_buffer(max(ksize, 8))
    attr = ctypes.create_string_buffer(128)
    first = True
    while True:
        struct.pack_into("=QQQQIIQQ", attr, 0, 0 if first else addr(tin),
                         addr(tout), addr(keys), addr(vals), n, fd, 0, 0)
        r, err = bpf(24, attr)			# BPF_MAP_LOOKUP_BATCH
        if r < 0 and err != 2:			# not ENOENT: cannot batch
            return False
        count = struct.unpack_from("=I", attr, 32)[0]
        h.update(keys.raw[:count * ksize])
        h.update(vals.raw[:count * vsize])
        if r < 0:
            return True			# ENOENT: done
        first = False
        ctypes.memmove(tin, tout, len(tout))

def line(path):
    fd = obj_get(path)
    try:
        kind = os.readlink("/proc/self/fd/%d" % fd)
        if kind == "anon_inode:bpf-map":
            b = info(fd, 40)
            t, i, ks, vs, me, fl = struct.unpack_from("=6I", b, 0)
            name = b[24:40].split(b"\0")[0].decode()
            return "map %s type %d id %d name %s content %s" % (
                path, t, i, name, content(fd, t, ks, vs))
        if kind == "anon_inode:bpf-prog":
            b = info(fd, 80)
            t, i = struct.unpack_from("=II", b, 0)
            name = b[64:80].split(b"\0")[0].decode()
            return "prog %s id %d name %s" % (path, i, name)
        b = info(fd, 12)
        t, i, p = struct.unpack_from("=III", b, 0)
        return "link %s id %d prog_id %d" % (path, i, p)
    finally:
        os.close(fd)

root = sys.argv[1]
if not os.path.isdir(root):
    print("(no root)")
    sys.exit(0)
paths = [root]
for d, dirs, files in os.walk(root):
    paths += [os.path.join(d, x) for x in dirs + files]
for p in sorted(paths, key=os.fsencode):
    print("dir " + p if os.path.isdir(p) else line(p))
