#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
# tests/doc_maps.py DOC OBJECT...: the "Maps" table of a program's doc (and so of its man page) against the
# objects' BTF: every map of the objects has a row, every row names a map of the objects (or of their global
# data, `X.bss`), and each row's key and value types are the BTF's (the first `type` on each side of the
# arrow; the members in braces, when given, are the struct's members in order). Prints one line per problem;
# exit 1 if there is one.
import re
import subprocess
import sys
import os

HERE = os.path.dirname(os.path.abspath(__file__))


def btf_maps(obj):
    out = subprocess.run([sys.executable, os.path.join(HERE, "..", "scripts", "btf-maps.py"), obj],
                         check=True, capture_output=True, text=True).stdout
    maps = {}
    for line in out.splitlines():
        name, key, value, kmem, vmem = line.split("\t")
        maps[name] = (key, value, kmem, vmem)
    return maps


def doc_rows(doc):
    """{map: key → value cell} of the table under "## Maps"."""
    rows, inside = {}, False
    for line in open(doc, encoding="utf-8"):
        if line.startswith("## "):
            inside = line.strip() == "## Maps"
            continue
        if inside and line.startswith("| `"):
            c = [x.strip() for x in line.strip().strip("|").split("|")]
            rows[c[0].strip("`")] = c[2]
    return rows


def side(text):
    """The first `code` of one side of the arrow: (type, [member names] or None)."""
    m = re.search(r"`([^`]+)`", text)
    if not m:
        return None, None
    t = m.group(1)
    b = re.match(r"^(.*?)\s*\{(.*)\}$", t)
    if not b:
        return t, None
    return b.group(1), [re.split(r"\s+", f.strip())[-1] for f in re.split(r"[;,]", b.group(2)) if f.strip()]


def main():
    doc, objs = sys.argv[1], sys.argv[2:]
    maps = {}
    for o in objs:
        maps.update(btf_maps(o))
    rows = doc_rows(doc)
    bad = []
    for name in sorted(maps):
        if name not in rows:
            bad.append("%s: map %s (in the object) has no row in Maps" % (doc, name))
    for name, cell in sorted(rows.items()):
        if name.endswith(".bss"):
            continue
        if name not in maps:
            bad.append("%s: row %s names no map of %s" % (doc, name, " ".join(objs)))
            continue
        if "→" not in cell:
            bad.append("%s: row %s: no 'key → value'" % (doc, name))
            continue
        key, value = cell.split("→", 1)
        btf = maps[name]
        for what, (t, members), want, want_members in (("key", side(key), btf[0], btf[2]),
                                                       ("value", side(value), btf[1], btf[3])):
            if want == "-":
                continue  # declared by sizes (a perf event array): no BTF type to compare
            if t != want:
                bad.append("%s: %s: %s type is %s in BTF, the doc says %s" % (doc, name, what, want, t))
            if members is not None and ",".join(members) != want_members:
                bad.append("%s: %s: %s members are {%s} in BTF, the doc says {%s}"
                           % (doc, name, what, want_members, ",".join(members)))
    for b in bad:
        print(b)
    sys.exit(1 if bad else 0)


main()
