#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# layers.py OBJDIR SRCDIR
#
# Check, from the symbols of pcn's object files (nm), that calls run one
# way through its layers:
#
#   pcn/cubes/TYPE/*.o   cube types: each its own folder, none calling
#                        another type
#   pcn/*.o              the command
#   lib/*.o              the engine
#
# A file may use a symbol defined in its own layer or below, never above,
# and the files that call each other must form no cycle (a chain of
# calls that comes back to a file it started from). Symbols no object
# defines (libc, libbpf, the linker's) are not pcn's and not checked.
#
# Prints the dependency graph as "file -> file" lines (LAYERS_VERBOSE=1),
# every offence as one line, and exits 1 if there is one.
import os
import subprocess
import sys


def layer(path):
    """(rank, group) of an object's source path: lower ranks lie below."""
    parts = path.split(os.sep)
    if parts[0] == "lib":
        return 0, "lib"
    if parts[0] == "pcn" and len(parts) > 2 and parts[1] == "cubes":
        return 2, "cubes/" + parts[2]
    if parts[0] == "pcn":
        return 1, "pcn"
    return None


def symbols(obj):
    out = subprocess.run(["nm", "--defined-only", obj], capture_output=True,
                         text=True, check=True).stdout
    defined = {l.split()[2] for l in out.splitlines()
               if len(l.split()) == 3 and l.split()[1] in "TDRBVW"}
    out = subprocess.run(["nm", "--undefined-only", obj],
                         capture_output=True, text=True, check=True).stdout
    used = {l.split()[-1] for l in out.splitlines() if l.split()}
    return defined, used


def sccs(nodes, edges):
    """Tarjan's strongly connected components, iteratively."""
    index, low, on, stack, out, counter = {}, {}, set(), [], [], [0]

    def visit(root):
        work = [(root, iter(sorted(edges.get(root, ()))))]
        index[root] = low[root] = counter[0]
        counter[0] += 1
        stack.append(root)
        on.add(root)
        while work:
            node, it = work[-1]
            nxt = next(it, None)
            if nxt is not None:
                if nxt not in index:
                    index[nxt] = low[nxt] = counter[0]
                    counter[0] += 1
                    stack.append(nxt)
                    on.add(nxt)
                    work.append((nxt, iter(sorted(edges.get(nxt, ())))))
                elif nxt in on:
                    low[node] = min(low[node], index[nxt])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                comp = []
                while True:
                    n = stack.pop()
                    on.discard(n)
                    comp.append(n)
                    if n == node:
                        break
                out.append(sorted(comp))

    for n in sorted(nodes):
        if n not in index:
            visit(n)
    return out


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: layers.py OBJDIR SRCDIR")
    top, srcdir = sys.argv[1], sys.argv[2]
    files = {}
    for d, _, names in os.walk(top):
        for n in names:
            if not n.endswith(".o"):
                continue
            src = os.path.relpath(os.path.join(d, n), top)[:-2] + ".c"
            # an object left by a source that is gone is not the tree's
            if layer(src) and os.path.exists(os.path.join(srcdir, src)):
                files[src] = symbols(os.path.join(d, n))
    if not any(layer(f)[0] == 0 for f in files) or \
       not any(layer(f)[0] == 2 for f in files):
        sys.exit("layers.py: no objects of lib/ or of pcn/cubes/ under " +
                 top)
    owner = {}
    for f, (defined, _) in files.items():
        for s in defined:
            owner.setdefault(s, f)
    edges, bad = {}, []
    for f, (_, used) in files.items():
        rank, group = layer(f)
        for s in sorted(used):
            g = owner.get(s)
            if not g or g == f:
                continue
            edges.setdefault(f, set()).add(g)
            grank, ggroup = layer(g)
            if grank > rank:
                bad.append("%s calls up into %s (%s)" % (f, g, s))
            elif grank == 2 and ggroup != group:
                bad.append("%s calls another cube type, %s (%s)" %
                           (f, g, s))
    for comp in sccs(files, edges):
        if len(comp) > 1:
            bad.append("a cycle of calls: " + ", ".join(comp))
    if os.environ.get("LAYERS_VERBOSE"):
        for f in sorted(edges):
            for g in sorted(edges[f]):
                print("%s -> %s" % (f, g))
    for b in bad:
        print(b)
    print("%d files, %d dependencies between them, %d offences" %
          (len(files), sum(len(e) for e in edges.values()), len(bad)))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
