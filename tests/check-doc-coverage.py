#!/usr/bin/python3
"""Checks that every public symbol of gtkloop has a doc block.

The public surface is read from the installed headers (gtkloop/*.h, the
version header's template and gtkloop-gtk.h): every GTKLOOP_AVAILABLE_IN_*
declaration, every macro, every typedef and every enum member. The doc
blocks are read from where they live: src/*.c and src/gtk/*.c above the
definitions, the headers for macros and types. `gi-docgen check` sees
only what the GIR holds; this also sees the calls (skip)ped for bindings
and the macros the scanner drops, and the rules the GIR cannot express:

- a description (not just @parameters and Returns:), every parameter and
  the return value of functions and callbacks, every enum member;
- `Since: X.Y` naming the release that brought the symbol: what the
  GTKLOOP_AVAILABLE_IN_X_Y macro says, the first release (0.1) for
  GTKLOOP_AVAILABLE_IN_ALL, never later than the project's version
  (docs/reference.md explains the scheme);
- for functions, the thread rule in one of the fixed phrases below, and
  what happens once the loop is closed (a sentence that says "close").

Usage: check-doc-coverage.py [--srcdir DIR] [--list]
       check-doc-coverage.py --srcdir DIR --macro-page GIR OUT
The second form writes the Markdown page of the macros that the GIR
leaves out (type macros, casts, the export macros), which the reference
built by -Ddocs=true includes beside the pages made from the GIR.
"""
import argparse
import glob
import os
import re
import sys

# The release that brought everything marked GTKLOOP_AVAILABLE_IN_ALL.
FIRST_RELEASE = "0.1"

# A function's doc block names its thread rule with one of these.
THREAD_RE = re.compile(r"\b(?:Loop[- ]thread only|Any thread|Inside a task only)\b")
# ... and says what happens once the loop is closed.
CLOSE_RE = re.compile(r"\bclos(?:e|ed|es|ing)\b", re.I)

# Defined by the umbrella headers around their includes and undefined
# again at their end: not part of what a program sees.
INTERNAL_MACROS = {"GTKLOOP_INSIDE", "GTKLOOP_GTK_INSIDE"}


class Symbol:
    def __init__(self, name, kind, header, line, **kw):
        self.name = name
        self.kind = kind            # function, macro, type, callback, enum, member
        self.header = header
        self.line = line
        self.params = kw.get("params", [])
        self.returns = kw.get("returns", False)
        self.available = kw.get("available")    # "ALL", "0_2" …; None: no macro
        self.decl = kw.get("decl", "")
        self.members = kw.get("members", [])


class DocBlock:
    def __init__(self, name, annotations, path, line):
        self.name = name
        self.annotations = annotations
        self.path = path
        self.line = line
        self.params = {}            # name -> text
        self.description = []
        self.tags = {}              # Returns, Since, Deprecated -> text

    def text(self):
        return " ".join([" ".join(self.description)] + list(self.params.values())
                        + list(self.tags.values()))


def strip_comments(text):
    """Comments become blanks of the same shape, so line numbers hold."""
    return re.sub(r"/\*.*?\*/|//[^\n]*",
                  lambda m: re.sub(r"[^\n]", " ", m.group(0)), text, flags=re.S)


def line_of(text, pos):
    return text.count("\n", 0, pos) + 1


def param_names(arglist):
    names = []
    for arg in arglist.split(","):
        arg = " ".join(arg.split())
        if arg in ("", "void", "..."):
            continue
        m = re.search(r"(\w+)\s*(?:\[[^\]]*\])?$", arg)
        if m:
            names.append(m.group(1))
    return names


def public_headers(srcdir):
    hdrs = sorted(glob.glob(os.path.join(srcdir, "gtkloop", "*.h")))
    hdrs.append(os.path.join(srcdir, "gtkloop", "gtkloop-version.h.in"))
    return hdrs


def read_public_symbols(srcdir):
    symbols = []
    for path in public_headers(srcdir):
        rel = os.path.relpath(path, srcdir)
        raw = open(path, encoding="utf-8").read()
        text = strip_comments(raw)

        for m in re.finditer(r"GTKLOOP_AVAILABLE_IN_(\w+)\s+([^;]*);", text):
            avail, decl = m.group(1), " ".join(m.group(2).split())
            line = line_of(text, m.start())
            d = re.match(r"G_DECLARE_\w+_TYPE\s*\(\s*(\w+)", decl)
            if d:
                # The type; its _get_type () is GType plumbing that the
                # type's own page and GTKLOOP_TYPE_* macro stand for.
                symbols.append(Symbol(d.group(1), "type", rel, line, available=avail))
                continue
            f = re.search(r"\b(gtkloop_\w+)\s*\(([^()]*)\)", decl)
            if not f:
                raise SystemExit(f"{rel}:{line}: cannot read the declaration: {decl}")
            name = f.group(1)
            if name.endswith("_get_type") and f.group(2).strip() == "void":
                continue
            ret = decl[:f.start()].strip()
            returns = re.sub(r"\b(const|G_GNUC_\w+)\b", "", ret).strip() != "void"
            symbols.append(Symbol(name, "function", rel, line, available=avail,
                                  params=param_names(f.group(2)), returns=returns,
                                  decl=decl))

        for m in re.finditer(r"^[ \t]*#[ \t]*define[ \t]+(\w+)(\([^)]*\))?", text, re.M):
            name = m.group(1)
            if name in INTERNAL_MACROS:
                continue
            params = param_names(m.group(2)[1:-1]) if m.group(2) else []
            kind = "function-macro" if m.group(2) else "macro"
            end = text.find("\n", m.end())
            while text[end - 1] == "\\":
                end = text.find("\n", end + 1)
            symbols.append(Symbol(name, kind, rel, line_of(text, m.start()),
                                  params=params, decl=text[m.start():end].strip()))

        for m in re.finditer(r"typedef\s+(struct|enum|union)\s*(\w*)\s*\{(.*?)\}\s*(\w+)\s*;",
                             text, re.S):
            kind = "enum" if m.group(1) == "enum" else "type"
            members = []
            if kind == "enum":
                members = re.findall(r"^\s*(\w+)\s*(?:=[^,]*)?,?\s*$", m.group(3), re.M)
            symbols.append(Symbol(m.group(4), kind, rel, line_of(text, m.start()),
                                  members=members))
        for m in re.finditer(r"typedef\s+struct\s+_\w+\s+(\w+)\s*;", text):
            symbols.append(Symbol(m.group(1), "type", rel, line_of(text, m.start())))
        for m in re.finditer(r"typedef\s+([^;{}]*?)\(\s*\*\s*(\w+)\s*\)\s*\(([^;]*?)\)\s*;",
                             text, re.S):
            ret = " ".join(m.group(1).split())
            symbols.append(Symbol(m.group(2), "callback", rel, line_of(text, m.start()),
                                  params=param_names(m.group(3)), returns=ret != "void",
                                  decl=" ".join(m.group(0).split())))
    return symbols


DOC_RE = re.compile(r"/\*\*[ \t]*\n(.*?)\*/", re.S)
TAG_RE = re.compile(r"^(Returns|Return value|Since|Deprecated|Stability):\s*(.*)$")


def parse_block(body, path, line):
    lines = []
    for raw in body.split("\n"):
        raw = raw.rstrip()
        raw = re.sub(r"^\s*\*( |$)?", "", raw, count=1)
        lines.append(raw)
    while lines and not lines[0].strip():
        lines.pop(0)
    if not lines:
        return None
    head = re.match(r"^\s*([\w:]+?):\s*(.*)$", lines[0])
    if not head:
        return None
    block = DocBlock(head.group(1), head.group(2), path, line)
    current = None          # (dict, key) being continued
    for ln in lines[1:]:
        p = re.match(r"^@(\w+):\s*(.*)$", ln)
        t = TAG_RE.match(ln)
        if p:
            block.params[p.group(1)] = p.group(2)
            current = (block.params, p.group(1))
        elif t:
            key = "Returns" if t.group(1).startswith("Return") else t.group(1)
            block.tags[key] = t.group(2)
            current = (block.tags, key)
        elif not ln.strip():
            current = None
            if block.description and block.description[-1] != "":
                block.description.append("")
        elif current and ln.startswith(" "):
            d, k = current
            d[k] = (d[k] + " " + ln.strip()).strip()
        else:
            current = None
            block.description.append(ln)
    while block.description and block.description[-1] == "":
        block.description.pop()
    return block


def read_doc_blocks(srcdir):
    files = (sorted(glob.glob(os.path.join(srcdir, "src", "*.c")))
             + sorted(glob.glob(os.path.join(srcdir, "src", "gtk", "*.c")))
             + public_headers(srcdir))
    blocks = {}
    dups = []
    for path in files:
        rel = os.path.relpath(path, srcdir)
        text = open(path, encoding="utf-8").read()
        for m in DOC_RE.finditer(text):
            b = parse_block(m.group(1), rel, line_of(text, m.start()))
            if b is None:
                continue
            if b.name in blocks:
                dups.append(b)
            else:
                blocks[b.name] = b
    return blocks, dups


def project_version(srcdir):
    text = open(os.path.join(srcdir, "meson.build"), encoding="utf-8").read()
    m = re.search(r"version:\s*'(\d+)\.(\d+)\.(\d+)'", text)
    return (int(m.group(1)), int(m.group(2)))


def check(srcdir, listing):
    symbols = read_public_symbols(srcdir)
    blocks, dups = read_doc_blocks(srcdir)
    version = project_version(srcdir)
    problems = []           # (symbol, where, what)
    undocumented = set()

    def problem(sym, what, where=None):
        problems.append((sym.name, where or f"{sym.header}:{sym.line}", what))

    seen = set()
    for sym in symbols:
        if sym.name in seen:
            continue
        seen.add(sym.name)
        b = blocks.get(sym.name)
        if b is None:
            undocumented.add(sym.name)
            problem(sym, f"{sym.kind} with no doc block")
            continue
        where = f"{b.path}:{b.line}"
        if not "".join(b.description).strip():
            undocumented.add(sym.name)
            problem(sym, "doc block has no description", where)
        elif re.match(r"[a-z]\w*[_(]", b.description[0]):
            # gi-docgen capitalises a description's first letter.
            problem(sym, "description starts with an identifier in lower "
                         "case, which gi-docgen would capitalise", where)

        since = b.tags.get("Since")
        if since is None:
            problem(sym, "no Since: tag", where)
        elif not re.fullmatch(r"\d+\.\d+", since):
            problem(sym, f"Since: {since} is not a MAJOR.MINOR release", where)
        else:
            major, minor = (int(x) for x in since.split("."))
            if (major, minor) > version:
                problem(sym, f"Since: {since} is later than the project's "
                             f"version {version[0]}.{version[1]}", where)
            if sym.available == "ALL" and since != FIRST_RELEASE:
                problem(sym, f"Since: {since}, but GTKLOOP_AVAILABLE_IN_ALL "
                             f"means the first release, {FIRST_RELEASE}", where)
            elif sym.available and sym.available != "ALL" \
                    and since != sym.available.replace("_", "."):
                problem(sym, f"Since: {since}, but declared "
                             f"GTKLOOP_AVAILABLE_IN_{sym.available}", where)

        if sym.kind in ("function", "callback", "function-macro"):
            for p in sym.params:
                if p not in b.params:
                    problem(sym, f"parameter @{p} not documented", where)
            for p in b.params:
                if p not in sym.params:
                    problem(sym, f"documents @{p}, which it does not have", where)
            if sym.returns and "Returns" not in b.tags:
                problem(sym, "return value not documented", where)
        if sym.kind == "enum":
            for mem in sym.members:
                if mem not in b.params:
                    problem(sym, f"member {mem} not documented", where)
        if sym.kind == "function":
            if not THREAD_RE.search(b.text()):
                problem(sym, "no thread rule (\"Loop thread only.\", "
                             "\"Any thread.\", \"Inside a task only.\")", where)
            if not CLOSE_RE.search(b.text()):
                problem(sym, "does not say what happens once the loop is closed", where)

    for b in dups:
        if b.name in seen:
            problems.append((b.name, f"{b.path}:{b.line}",
                             f"second doc block (first at {blocks[b.name].path}:"
                             f"{blocks[b.name].line})"))

    for name, where, what in sorted(problems, key=lambda p: p[1]):
        print(f"{where}: {name}: {what}")
    if listing:
        for sym in symbols:
            print(f"{sym.kind:15} {sym.name}")
    n = len(seen)
    print(f"{n} public symbols; {len(undocumented)} undocumented; "
          f"{len(problems)} problems")
    print(f"{0 if problems else 1} passed, {1 if problems else 0} failed")
    return 1 if problems else 0


def without_annotations(text):
    """A parameter's or return value's text without its leading GI
    annotations ("(transfer full): …"), as gi-docgen shows GIR docs;
    gi-docgen turns the gtk-doc sigils (@param, %CONST, #Type) into code."""
    return re.sub(r"^(?:\s*\([^()]*(?:\([^()]*\)[^()]*)*\))+\s*:?\s*", "", text)


def macro_page(srcdir, gir, out):
    """The macros of the core's headers that the GIR leaves out or keeps
    only as not introspectable, which gi-docgen then shows nowhere: type
    macros, casts, the error domain, the export macros."""
    import xml.etree.ElementTree as ET
    core = "{http://www.gtk.org/introspection/core/1.0}"
    c_ident = "{http://www.gtk.org/introspection/c/1.0}identifier"
    c_type = "{http://www.gtk.org/introspection/c/1.0}type"
    root = ET.parse(gir).getroot()
    types = {el.get("name") for el in root.iter()
             if el.tag in (core + "record", core + "class", core + "interface")}
    shown = {el.get(c_type) for el in root.iter(core + "constant")}
    for el in root.iter(core + "function-macro"):
        # gi-docgen's rule: function macros named like a type (casts) or
        # with IS or GET in their names are GObject boilerplate, not shown.
        parts = el.get("name").split("_")
        as_type = "".join(x.capitalize() if len(x) > 2 else x for x in parts)
        if "IS" not in parts and "GET" not in parts and as_type not in types:
            shown.add(el.get(c_ident))
    blocks, _ = read_doc_blocks(srcdir)
    picked = [s for s in read_public_symbols(srcdir)
              if s.kind in ("macro", "function-macro") and s.name not in shown
              and s.header != "gtkloop/gtkloop-gtk.h"]
    lines = ["Title: C macros", "",
             "# C macros", "",
             "The macros of `<gtkloop/gtkloop.h>` that GObject Introspection does",
             "not carry (type macros, casts, the error domain, the export macros),",
             "so the other pages of this reference cannot show them. This page is",
             "generated from their doc blocks in the headers.", ""]
    for sym in sorted(picked, key=lambda s: s.name):
        b = blocks.get(sym.name)
        lines += [f"## {sym.name}", "", "```c", sym.decl, "```", ""]
        if b is None:
            lines += ["Not documented.", ""]
            continue
        lines += b.description + [""]
        if b.params:
            lines += ["Parameters:", ""]
            lines += [f"- `{k}`: {without_annotations(v)}" for k, v in b.params.items()]
            lines.append("")
        if "Returns" in b.tags:
            lines += [f"Returns: {without_annotations(b.tags['Returns'])}", ""]
        if "Since" in b.tags:
            lines += [f"Available since: {b.tags['Since']}", ""]
    with open(out, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--srcdir", default=os.path.join(os.path.dirname(__file__), ".."))
    ap.add_argument("--list", action="store_true", help="also list the public symbols")
    ap.add_argument("--macro-page", nargs=2, metavar=("GIR", "OUT"),
                    help="write the Markdown page of the macros GIR leaves out")
    args = ap.parse_args()
    if args.macro_page:
        macro_page(args.srcdir, *args.macro_page)
        return 0
    return check(args.srcdir, args.list)


if __name__ == "__main__":
    sys.exit(main())
