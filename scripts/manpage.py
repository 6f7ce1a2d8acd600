#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
# docs/<prog>.md -> the markdown of man page xdpkit-<prog>(7), which go-md2man turns into roff.
# docs/*.md stay plain GitHub markdown; this step gives the page a man page's shape:
#   NAME, SYNOPSIS (from the object's own sections), DESCRIPTION ("What it does"), MAPS, VERDICTS,
#   ATTACHING ("Attach"), the doc's other sections, SEE ALSO; "Tests" (about the source tree) is left out.
# Tables become definition lists: a man page is read at 80 columns, and tbl cannot wrap go-md2man's tables.
# Paths of the build tree become the installed ones (build/X.bpf.o -> PREFIX/lib/xdpkit/X.bpf.o).
# Usage (from the top of the tree): scripts/manpage.py DOC PREFIX VERSION OBJECT...
import glob
import os
import re
import subprocess
import sys

FIXED = {"what it does": "DESCRIPTION", "maps": "MAPS", "verdicts": "VERDICTS", "attach": "ATTACHING"}
ORDER = ["DESCRIPTION", "MAPS", "VERDICTS", "ATTACHING"]
SEE_ALSO = ["xdpkit(8)", "ip-link(8)", "tc-bpf(8)", "xdp-loader(8)", "bpftool-prog(8)", "bpftool-map(8)"]


def sections_of(obj):
    """The ELF section names of a BPF object (readelf, binutils)."""
    out = subprocess.run(["readelf", "-SW", obj], check=True, capture_output=True, text=True).stdout
    return set(re.findall(r"\]\s+(\S+)\s+PROGBITS", out))


def cells(line):
    return [c.strip() for c in line.strip().strip("|").split("|")]


def table_to_list(rows):
    """A markdown table as a definition list: the first cell is the term, the others 'header: cell'."""
    head = cells(rows[0])
    out = []
    for row in rows[2:]:
        c = cells(row)
        parts = ["%s: %s" % (h, v) if h else v for h, v in zip(head[1:], c[1:])]
        out += [c[0] or "(all)", ": " + "; ".join(parts), ""]
    return out


def installed_paths(text, prefix):
    text = re.sub(r"`progs/[^`]+` → ", "", text)
    text = re.sub(r"\bbuild/([\w-]+\.bpf\.o)", prefix + r"/lib/xdpkit/\1", text)
    return re.sub(r"`include/xdpkit/", "`" + prefix + "/include/xdpkit/", text)


def split_sections(lines):
    """(title line, intro lines, [(heading, lines)]) of a doc; fenced code is never a heading."""
    title, intro, secs = lines[0], [], []
    cur, fence = intro, False
    for line in lines[1:]:
        if line.startswith("```"):
            fence = not fence
        if not fence and line.startswith("## "):
            cur = []
            secs.append((line[3:].strip(), cur))
            continue
        cur.append(line)
    return title, intro, secs


def body(lines):
    """Tables to definition lists, ### to .SS (go-md2man: # and ## are .SH, ### is .SS)."""
    out, i, fence = [], 0, False
    while i < len(lines):
        line = lines[i]
        if line.startswith("```"):
            fence = not fence
        if not fence and line.startswith("|") and i + 1 < len(lines) and re.match(r"^\|[-|: ]+\|$",
                                                                                 lines[i + 1]):
            j = i
            while j < len(lines) and lines[j].startswith("|"):
                j += 1
            out += table_to_list(lines[i:j])
            i = j
            continue
        out.append(line)
        i += 1
    return out


def synopsis(name, objs, prefix):
    lib = prefix + "/lib/xdpkit"
    out = []
    for obj in objs:
        base = obj.rsplit("/", 1)[-1]
        secs = sections_of(obj)
        xdp = " | ".join(s for s in ("xdp", "xdp.frags") if s in secs)
        if xdp:
            out.append("`ip link set dev` *IFACE* `{ xdp | xdpgeneric | xdpdrv } obj %s/%s sec` "
                       "`{ %s }`" % (lib, base, xdp))
        if "tc" in secs:
            out.append("`tc filter add dev` *IFACE* `{ ingress | egress } bpf da obj %s/%s sec tc`"
                       % (lib, base))
        if xdp:
            out.append("`xdp-loader load` [`-m skb`] [`-p` *PINDIR*] *IFACE* `%s/%s`" % (lib, base))
        prog = base[:-len(".bpf.o")]
        out.append("`xdpkit attach` *IFACE* `%s`%s" % (prog, " [`--tc` { `ingress` | `egress` }]"
                                                      if "tc" in secs else ""))
    return [l + "  " if k < len(out) - 1 else l for k, l in enumerate(out)]


def main():
    if len(sys.argv) < 5:
        sys.exit("usage: manpage.py DOC PREFIX VERSION OBJECT...")
    doc, prefix, version, objs = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    name = doc.rsplit("/", 1)[-1][:-len(".md")]
    lines = installed_paths(open(doc, encoding="utf-8").read(), prefix).split("\n")
    title, intro, secs = split_sections(lines)
    m = re.match(r"^# (\S+) — (.+)$", title)
    if not m or m.group(1) != name:
        sys.exit("manpage.py: %s: the first line must be '# %s — what it does'" % (doc, name))
    fixed, other = {}, []
    for head, sec in secs:
        key = FIXED.get(head.lower())
        if key:
            fixed[key] = sec
        elif head.lower() != "tests":
            other.append((re.sub(r"`", "", head).upper(), sec))
    missing = [k for k in ORDER if k not in fixed]
    if missing:
        sys.exit("manpage.py: %s: no section for %s" % (doc, ", ".join(missing)))
    fixed["DESCRIPTION"] = intro + fixed["DESCRIPTION"]

    # The page's date: MAN_DATE (the Makefile's, from SOURCE_DATE_EPOCH or the last commit), else none.
    out = ['%% XDPKIT-%s 7 "%s" "xdpkit %s" "xdpkit"' % (name.upper(), os.environ.get("MAN_DATE", ""),
                                                      version), "",
           "# NAME", "xdpkit-%s - %s" % (name, m.group(2)), "", "# SYNOPSIS"]
    out += synopsis(name, objs, prefix) + [""]
    for key in ORDER:
        out += ["# " + key] + body(fixed[key])
    for head, sec in other:
        out += ["# " + head] + body(sec)
    # The other programs' pages: every docs/<prog>.md beside this one whose program is in progs/.
    docs = os.path.dirname(doc) or "."
    progs = sorted(os.path.basename(d)[:-len(".md")] for d in glob.glob(docs + "/*.md"))
    progs = [p for p in progs if p != name and os.path.exists("progs/%s.bpf.c" % p)]
    see = SEE_ALSO[:1] + ["xdpkit-%s(7)" % p for p in progs] + SEE_ALSO[1:]
    out += ["# SEE ALSO", ", ".join("**%s**(%s)" % tuple(s[:-1].split("(")) for s in see), ""]
    sys.stdout.write(re.sub(r"\n{3,}", "\n\n", "\n".join(out)))


main()
