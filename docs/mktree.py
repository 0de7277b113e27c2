#!/usr/bin/env python3
"""Regenerate docs/ARCHITECTURE.md's tree block (between the "tree" markers):
each folder of bench/ and workloads/ with its C sources and headers and their
line counts. Usage: docs/mktree.py (from anywhere; rewrites the file);
docs/mktree.py --check: exit 1, saying so, when the block names other folders or
files than the tree has (its line counts may lag: they are not compared)."""
import os
import re
import subprocess
import sys
import textwrap

top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
files = subprocess.run(["git", "-C", top, "ls-files", "bench", "workloads"],
                       capture_output=True, text=True, check=True).stdout.split()
files = [f for f in files if re.search(r"\.[ch]$", f)]
folders = {}
for f in files:
    with open(os.path.join(top, f), "rb") as fh:
        n = fh.read().count(b"\n")
    folders.setdefault(os.path.dirname(f) + "/", []).append((os.path.basename(f), n))
out, total, big = [], 0, ("", -1)
for d in sorted(folders):
    fs = sorted(folders[d])
    s = sum(n for _, n in fs)
    total += s
    for name, n in fs:
        if n > big[1]:
            big = (d + name, n)
    out.append("%-22s %6d lines, %d files" % (d, s, len(fs)))
    # (a name and its count never split over two lines)
    out += [l.replace("\xa0", " ") for l in
            textwrap.wrap(" ".join("%s\xa0%d" % x for x in fs), 94,
                          initial_indent="    ", subsequent_indent="    ")]
out.append("%-22s %6d lines, %d files (the largest: %s)" % ("all", total, len(files), big[0]))
p = os.path.join(top, "docs", "ARCHITECTURE.md")
doc = open(p).read()
new = re.sub(r"(<!-- tree: begin[^\n]*-->\n```\n).*?(```\n<!-- tree: end -->)",
             lambda m: m.group(1) + "\n".join(out) + "\n" + m.group(2), doc, flags=re.S)
if sys.argv[1:] == ["--check"]:
    names = lambda t: re.sub(r"\s+", " ", re.sub(r"\d+", "#", t)).strip()
    if names(new) != names(doc):
        print("docs/ARCHITECTURE.md: the tree block names other files than the tree: run docs/mktree.py")
        sys.exit(1)
    print("docs/ARCHITECTURE.md: the tree block names the tree's files")
    sys.exit(0)
if new != doc:
    open(p + ".new", "w").write(new)
    os.replace(p + ".new", p)
