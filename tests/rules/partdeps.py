#!/usr/bin/env python3
"""The part rules held against the real build (not probes).

partdeps.py MODE --src DIR --build DIR

  headers  every source compiled into a part's library (compile_commands.json)
           is compiled again with its exact command plus -M; every header it
           depends on that lies in the source tree must belong to its own part
           or a part it may use. A relative include ("../capture/x.h"), a
           per-source -I or an include from a parent directory cannot hide.
  symbols  every object of every part's library (the same objects the static
           libraries hold, plus sbreadcmds' and the executable's): each
           undefined symbol (nm -u) that a part defines (nm --defined-only) must
           be defined by its own part or one it may use; symbols no part
           defines are the system's (libc, jansson...). A hand-written
           prototype cannot hide.
  table    the probes of tests/rules/CMakeLists.txt agree with the table.

The table is docs/ARCHITECTURE.md's, between its two 'parts' markers. Exit 0
when the rules hold, 1 with one line per broken rule.
"""
import json
import os
import re
import shlex
import subprocess
import sys


def die(msg):
    print(f"partdeps: {msg}", file=sys.stderr)
    sys.exit(2)


class Parts:
    def __init__(self, src, table_path):
        self.src = src
        self.rows = {}          # part -> (library, [files], [may use])
        self.private = set()    # files only their own part may use
        text = open(table_path).read()
        m = re.search(r"<!-- parts: begin.*?-->\n(.*?)<!-- parts: end -->", text, re.S)
        if not m:
            die(f"{table_path}: no '<!-- parts: begin' ... '<!-- parts: end -->' table")
        for line in m.group(1).splitlines():
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if len(cells) != 4 or cells[0] in ("part", "") or set(cells[0]) <= set("-"):
                continue
            part, lib, files, uses = cells
            private = re.findall(r"`([^`]+)` \(private\)", files)
            files = re.findall(r"`([^`]+)`", files)
            if not files:
                die(f"{table_path}: part {part} names no files")
            uses = [u.strip() for u in uses.split(",") if u.strip()]
            self.private.update(private)
            self.rows[part] = (None if lib.startswith("(") else lib, files, uses)
        if len(self.rows) < 2:
            die(f"{table_path}: the parts table has {len(self.rows)} rows")
        for part, (_, _, uses) in self.rows.items():
            for u in uses:
                if u not in self.rows and u not in ("nothing", "everything"):
                    die(f"{table_path}: part {part} may use '{u}', which is no part")
        self.by_lib = {lib: p for p, (lib, _, _) in self.rows.items() if lib}
        self.allowed = {p: self._closure(p) for p in self.rows}

    def _closure(self, part):
        seen, todo = {part}, [part]
        while todo:
            for u in self.rows[todo.pop()][2]:
                if u == "everything":
                    return set(self.rows)
                if u != "nothing" and u not in seen:
                    seen.add(u)
                    todo.append(u)
        return seen

    def owner(self, path):
        """(part, private) of a file (absolute path); part None outside every part."""
        rel = os.path.relpath(os.path.realpath(path), self.src)
        best, best_f = None, ""
        for part, (_, files, _) in self.rows.items():
            for f in files:
                hit = rel.startswith(f) if f.endswith("/") else rel == f
                if hit and len(f) > len(best_f):
                    best, best_f = part, f
        return best, best_f in self.private

    def part_of(self, path):
        return self.owner(path)[0]

    def may_use(self, part, path):
        """(may part use the file at path, the file's part)"""
        hp, private = self.owner(path)
        return hp == part or (not private and hp in self.allowed[part]), hp


def compile_entries(parts, build):
    """(part, library, source, argv, directory, object) of every source of a part's library."""
    path = os.path.join(build, "compile_commands.json")
    try:
        entries = json.load(open(path))
    except OSError as e:
        die(f"{path}: {e.strerror} (CMAKE_EXPORT_COMPILE_COMMANDS in the top CMakeLists.txt)")
    out = []
    for e in entries:
        argv = e["arguments"] if "arguments" in e else shlex.split(e["command"])
        obj = argv[argv.index("-o") + 1] if "-o" in argv else None
        m = re.search(r"CMakeFiles/([^/]+)\.dir/", obj or "")
        if not m or m.group(1) not in parts.by_lib:
            continue        # tests, probes, bench/perf: no part's library
        lib = m.group(1)
        src = os.path.join(e["directory"], e["file"])
        out.append((parts.by_lib[lib], lib, src, argv, e["directory"],
                    os.path.join(e["directory"], obj)))
    found = {lib for _, lib, _, _, _, _ in out}
    for lib in parts.by_lib:
        if lib not in found:
            die(f"{path}: no source of {lib} (a part's library the table names)")
    return out


def check_headers(parts, build):
    bad = 0
    rel = lambda p: os.path.relpath(os.path.realpath(p), parts.src)
    buildreal = os.path.realpath(build)
    entries = compile_entries(parts, build)
    for part, lib, src, argv, cwd, _ in entries:
        if parts.part_of(src) != part:
            print(f"{rel(src)}: compiled into {lib} ({part}) but it lies in "
                  f"{parts.part_of(src) or 'no part'}'s files")
            bad += 1
        # the exact command, its output sent to stdout as a dependency list
        cmd, skip = [], False
        for a in argv:
            if skip:
                skip = False
            elif a == "-o":
                skip = True
            elif a not in ("-MD", "-MMD") and not a.startswith(("-MF", "-MT", "-MQ")):
                cmd.append(a)
        r = subprocess.run(cmd + ["-M"], cwd=cwd, capture_output=True, text=True)
        if r.returncode != 0:
            print(f"{rel(src)}: {shlex.join(cmd)} -M failed:\n{r.stderr}")
            bad += 1
            continue
        deps = r.stdout.replace("\\\n", " ").split(":", 1)[1].split()
        for d in deps[1:]:
            real = os.path.realpath(os.path.join(cwd, d))
            if not real.startswith(parts.src + os.sep) or real.startswith(buildreal + os.sep):
                continue    # the system's headers, generated files
            may, hp = parts.may_use(part, real)
            if hp is None:
                print(f"{rel(src)} ({part}) depends on {rel(real)}, which is in no part")
                bad += 1
            elif not may:
                what = "private headers" if hp in parts.allowed[part] else "headers"
                print(f"{rel(src)} ({part}) depends on {rel(real)}: "
                      f"{part} never uses {hp}'s {what}")
                bad += 1
    print(f"partdeps headers: {len(entries)} sources, {bad} broken rules")
    return bad


def nm(args, obj):
    r = subprocess.run(["nm"] + args + [obj], capture_output=True, text=True)
    if r.returncode != 0:
        die(f"nm {' '.join(args)} {obj}: {r.stderr.strip()} (is the build done?)")
    return r.stdout.splitlines()


def check_symbols(parts, build):
    objs = {}               # object -> (part, source)
    for part, _, src, _, _, obj in compile_entries(parts, build):
        objs[obj] = (part, src)
    defined = {}            # symbol -> {part: object}
    for obj, (part, _) in objs.items():
        for line in nm(["--defined-only", "--extern-only"], obj):
            f = line.split()
            if len(f) >= 3:
                defined.setdefault(f[2], {})[part] = obj
    bad = 0
    rel = lambda p: os.path.relpath(os.path.realpath(p), parts.src)
    for sym, where in sorted(defined.items()):
        if len(where) > 1:
            print(f"{sym} is defined by several parts: "
                  + ", ".join(f"{p} ({rel(o)})" for p, o in sorted(where.items())))
            bad += 1
    nundef = 0
    for obj, (part, src) in sorted(objs.items()):
        for line in nm(["-u"], obj):
            f = line.split()
            if not f:
                continue
            sym = f[-1]
            nundef += 1
            for dp in defined.get(sym, {}):
                if dp not in parts.allowed[part]:
                    print(f"{rel(src)} ({part}) uses {sym}, defined by {dp}: "
                          f"{part} never uses {dp}")
                    bad += 1
    print(f"partdeps symbols: {len(objs)} objects, {nundef} undefined symbols, "
          f"{len(defined)} defined, {bad} broken rules")
    return bad


def check_table(parts, probes_path):
    """tests/rules' probes: a '_not' probe's header lies in a part the probed
    one never uses, an allowed probe's in one it may use."""
    headers = {}
    for top in ("bench", "workloads"):
        for d, _, fs in os.walk(os.path.join(parts.src, top)):
            for f in fs:
                if f.endswith(".h"):
                    headers.setdefault(f, []).append(os.path.join(d, f))
    bad = n = 0
    for m in re.finditer(r"^sb_probe\((\S+) (\S+) (\S+)\)", open(probes_path).read(), re.M):
        lib, header, must = m.groups()
        n += 1
        part = parts.by_lib.get(lib)
        paths = headers.get(header, [])
        if part is None or len(paths) != 1:
            print(f"probe {m.group(0)}: {lib} is no part's library or {header} is not "
                  f"one header of the tree ({len(paths)} found)")
            bad += 1
            continue
        may, hp = parts.may_use(part, paths[0])
        if may != (must == '""'):
            print(f"probe {m.group(0)}: the table says {part} "
                  f"{'may' if may else 'never'} use{'' if may else 's'} {hp}")
            bad += 1
    if n == 0:
        die(f"{probes_path}: no sb_probe() lines")
    print(f"partdeps table: {n} probes, {bad} disagree with the table")
    return bad


def main():
    a = sys.argv[1:]
    if len(a) != 5 or a[0] not in ("headers", "symbols", "table") or a[1] != "--src" \
            or a[3] != "--build":
        die("usage: partdeps.py headers|symbols|table --src DIR --build DIR")
    mode, src, build = a[0], os.path.realpath(a[2]), os.path.realpath(a[4])
    parts = Parts(src, os.path.join(src, "docs", "ARCHITECTURE.md"))
    if mode == "headers":
        bad = check_headers(parts, build)
    elif mode == "symbols":
        bad = check_symbols(parts, build)
    else:
        bad = check_table(parts, os.path.join(src, "tests", "rules", "CMakeLists.txt"))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
