#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
# The maps of a BPF object as its BTF declares them: one line per map, "name<TAB>key type<TAB>value type
# <TAB>key members<TAB>value members" (a struct's member names, comma-separated; "-" for other types,
# and for a map declared by sizes only).
# tests/manpages.sh checks each program page's MAPS table against this, so a page cannot drift from the object.
# Usage: scripts/btf-maps.py OBJECT   (reads `bpftool -j btf dump file OBJECT`)
import json
import subprocess
import sys


def type_name(types, tid):
    if tid == 0:
        return "void"
    t = types[tid]
    kind = t["kind"]
    if kind in ("CONST", "VOLATILE", "RESTRICT", "TYPE_TAG"):
        return type_name(types, t["type_id"])
    if kind in ("STRUCT", "UNION", "ENUM", "ENUM64"):
        return kind.lower().replace("64", "") + " " + t["name"]
    if kind == "ARRAY":
        return "%s[%d]" % (type_name(types, t["type_id"]), t["nr_elems"])
    return t.get("name") or kind.lower()


def members(types, tid):
    t = types[tid]
    while t["kind"] in ("CONST", "VOLATILE", "RESTRICT", "TYPE_TAG", "TYPEDEF"):
        t = types[t["type_id"]]
    if t["kind"] not in ("STRUCT", "UNION"):
        return "-"
    return ",".join(m["name"] for m in t["members"])


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: btf-maps.py OBJECT")
    out = subprocess.run(["bpftool", "-j", "btf", "dump", "file", sys.argv[1]], check=True,
                         capture_output=True, text=True).stdout
    types = {t["id"]: t for t in json.loads(out)["types"]}
    for sec in types.values():
        if sec["kind"] != "DATASEC" or sec["name"] != ".maps":
            continue
        for v in sec["vars"]:
            var = types[v["type_id"]]
            fields = {m["name"]: m["type_id"] for m in types[var["type_id"]]["members"]}
            # BTF-defined maps declare key and value as pointers to the types (__type(key, T)).
            # A map declared by key_size/value_size (a perf event array) has no types: "-".
            kv = [types[fields[f]]["type_id"] if f in fields else None for f in ("key", "value")]
            print("\t".join([var["name"]] + [type_name(types, t) if t else "-" for t in kv] +
                             [members(types, t) if t else "-" for t in kv]))


main()
