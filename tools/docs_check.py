#!/usr/bin/env python3
"""Checks that the project's docs and comments say only what is true.

Rules, over every Markdown file and every code comment of the tree:
  1. a repository path (bridge/..., testdata/..., tools/..., README.md, ...)
     names a file or folder that exists; a glob matches something;
     {a,b} alternatives are expanded; paths with a placeholder (<name>,
     NAME, $VAR, %s) and output folders (out/, bazel-*) are not checked;
  2. a Bazel label (//PKG:TARGET, //PKG, //PKG/...) names a package that
     exists and, for //PKG:TARGET, a target declared in PKG/BUILD (a
     rule's name, a generated name that starts with one, or a file of the
     package);
  3. no Markdown heading repeats within a file;
  In a report draft for another project (upstream/reports/F<n>.md), a bare
  file name names that project's file or one its reproducer creates, so
  rule 1 skips bare names there.
  4. the commands under README.md's "The two commands" heading are lines
     of .ci/run (alone, or followed by "||"), so the README's test command
     is the one CI runs.

Usage: tools/docs_check.py [--root DIR]    (default: the tree this file is in)
Run by the top-level docs_test. Exit status 0 when every rule holds, else 1 with one
line per problem: FILE:LINE: what is wrong.
"""
import argparse
import glob
import os
import re
import sys

# Top-level folders and files whose names, in prose, are repository paths.
TOP = ("bridge", "conformance", "fuzz", "bench", "testdata", "tools", "testing",
       "third_party", ".ci", ".clusterfuzzlite")
TOP_FILES = ("README.md", "FINDINGS.md", "WORKSPACE", ".bazelrc")
SKIP_DIRS = {".git", "out", ".whl", ".perf-history"}
CODE_EXT = {".cc", ".h", ".c", ".py", ".sh", ".bzl"}
HASH_COMMENT_FILES = {"BUILD", "WORKSPACE", ".bazelrc", "run", "Dockerfile", "project.yaml"}

PATH = re.compile(r"(?:(?<![\w./$-])|(?<=\$PWD/))((?:%s)/[\w./*{},<>$%%-]*|(?:%s)\b)" % (
    "|".join(re.escape(t) for t in TOP), "|".join(re.escape(f) for f in TOP_FILES)))
LABEL = re.compile(r"(?<![\w@/:])//(?=[\w:])([\w./-]*[\w.])?(?::([\w./+-]*[\w+-]))?")
# A source file named without its folder (a .bzl in a BUILD comment): some
# file of the tree has that name. Not an all-caps placeholder (FILE.cc) nor a
# dunder name (__torch__.py, a member of an archive).
BARE = re.compile(r"(?<![\w./$-])((?!__)[\w-]*[a-z][\w-]*\.(?:bzl|cc|h|py|sh|supp|dict|options))\b(?![/\w])")
PLACEHOLDER = re.compile(r"<|>|\$|%|\b[A-Z][A-Z0-9_]{1,}\b(?!\.)")
STRING = re.compile(r'"(?:\\.|[^"\\\n])*"' + r"|'(?:\\.|[^'\\\n])*'")
RULE_NAME = re.compile(r'\bname\s*=\s*"([^"]+)"')
DRAFT = re.compile(r"upstream/reports/F\d+\.md$")


def tree_files(root):
    for d, dirs, files in os.walk(root):
        dirs[:] = sorted(x for x in dirs if x not in SKIP_DIRS and not x.startswith("bazel-"))
        for f in sorted(files):
            yield os.path.relpath(os.path.join(d, f), root)


def is_code(rel):
    base = os.path.basename(rel)
    if os.path.splitext(base)[1] in CODE_EXT or base in HASH_COMMENT_FILES:
        return True
    return rel.startswith("tools/") and "." not in base  # tools/setup, tools/fuzz ...


def comment_lines(rel, text):
    """(line number, comment text) of a code file's comments and docstrings."""
    ext = os.path.splitext(rel)[1]
    c_like = ext in (".cc", ".h", ".c")
    in_block = False
    in_doc = None
    for n, line in enumerate(text.splitlines(), 1):
        if c_like:
            if in_block:
                end = line.find("*/")
                yield n, line if end < 0 else line[:end]
                in_block = end < 0
                continue
            code = STRING.sub('""', line)
            at = code.find("//")
            block = code.find("/*")
            if block >= 0 and (at < 0 or block < at):
                end = code.find("*/", block + 2)
                yield n, code[block + 2:] if end < 0 else code[block + 2:end]
                in_block = end < 0
            elif at >= 0:
                yield n, code[at + 2:]
            continue
        if ext == ".py":
            if in_doc:
                yield n, line
                if in_doc in line:
                    in_doc = None
                continue
            stripped = line.strip()
            for q in ('"""', "'''"):
                if stripped.startswith(q) or stripped.startswith("r" + q):
                    yield n, line
                    if stripped.count(q) == 1:
                        in_doc = q
                    break
            else:
                code = STRING.sub('""', line)
                if "#" in code:
                    yield n, code[code.index("#") + 1:]
            continue
        code = STRING.sub('""', line)
        if "#" in code and not code.lstrip().startswith("#!"):
            yield n, code[code.index("#") + 1:]


# A block a tool makes from records (FINDINGS.md's replay table, whose
# outcomes quote LibTorch's messages and their source lines) is checked by
# that tool's own test, not read as prose.
GENERATED = re.compile(r"<!-- (begin|end): made by ")


def markdown_lines(text):
    generated = False
    for n, line in enumerate(text.splitlines(), 1):
        m = GENERATED.match(line)
        if m:
            generated = m.group(1) == "begin"
        elif not generated:
            yield n, line


def expand_braces(p):
    m = re.search(r"\{([^{}]*)\}", p)
    if not m:
        return [p]
    out = []
    for alt in m.group(1).split(","):
        out += expand_braces(p[:m.start()] + alt + p[m.end():])
    return out


def path_exists(root, p):
    p = p.rstrip(".,:;)'`")
    if p.endswith("/..."):
        p = p[:-4]
    for alt in expand_braces(p):
        if "*" in alt:
            if not glob.glob(os.path.join(root, alt)):
                return False
        elif not os.path.exists(os.path.join(root, alt)):
            return False
    return True


class Labels:
    def __init__(self, root):
        self.root = root
        self.cache = {}

    def names(self, pkg):
        if pkg not in self.cache:
            build = os.path.join(self.root, pkg, "BUILD")
            if not os.path.isfile(build):
                self.cache[pkg] = None
            else:
                self.cache[pkg] = set(RULE_NAME.findall(open(build).read()))
        return self.cache[pkg]

    def problem(self, pkg, target):
        pkg = (pkg or "").rstrip("/")
        if pkg.endswith("/...") or pkg == "...":
            base = pkg[:-3].rstrip("/")
            return None if os.path.isdir(os.path.join(self.root, base)) else "no folder " + base
        names = self.names(pkg)
        if names is None:
            return "no package //%s (no %s/BUILD)" % (pkg, pkg or ".")
        if target is None:
            return None  # //PKG in prose names the package
        if target in ("all", "*") or target in names:
            return None
        if any(target.startswith(n if n.endswith("_") else n + "_") for n in names):
            return None  # generated: "broken_" + defect, or a macro's <name>_run
        if os.path.exists(os.path.join(self.root, pkg, target)):
            return None
        return "no target %s in //%s" % (target, pkg)


def check_text(root, rel, lines, labels, basenames, problems):
    for n, line in lines:
        for m in PATH.finditer(line):
            p = m.group(1)
            if PLACEHOLDER.search(p) or p.rstrip("/") in TOP:
                continue
            if not path_exists(root, p):
                problems.append("%s:%d: names %s, which does not exist" % (rel, n, p))
        for m in BARE.finditer(line) if not DRAFT.match(rel) else ():
            if m.group(1) not in basenames and not PLACEHOLDER.search(m.group(1)):
                problems.append("%s:%d: names %s, which no file of the tree is called" % (rel, n, m.group(1)))
        for m in LABEL.finditer(line):
            pkg, target = m.group(1), m.group(2)
            if PLACEHOLDER.search(m.group(0)) or line[m.end():m.end() + 1] in "<$":
                continue
            why = labels.problem(pkg, target)
            if why:
                problems.append("%s:%d: label %s: %s" % (rel, n, m.group(0), why))


def check_headings(rel, text, problems):
    seen = {}
    fence = False
    for n, line in enumerate(text.splitlines(), 1):
        if line.startswith("```"):
            fence = not fence
        if fence or not re.match(r"#{1,6} ", line):
            continue
        title = line.strip()
        if title in seen:
            problems.append("%s:%d: heading %r repeats (first at line %d)" % (rel, n, title, seen[title]))
        else:
            seen[title] = n


def two_commands(root):
    """The command lines of README.md's "The two commands" code block."""
    text = open(os.path.join(root, "README.md")).read()
    m = re.search(r"^## The two commands\n(.*?)(?=^## )", text, re.S | re.M)
    if not m:
        return None
    block = re.search(r"```sh\n(.*?)```", m.group(1), re.S)
    if not block:
        return None
    return [l.split("#")[0].strip() for l in block.group(1).splitlines() if l.split("#")[0].strip()]


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--root", default=os.path.dirname(os.path.dirname(os.path.realpath(__file__))))
    args = p.parse_args(argv)
    root = os.path.realpath(args.root)
    labels = Labels(root)
    problems = []
    checked = 0
    files = list(tree_files(root))
    basenames = {os.path.basename(f) for f in files}
    for rel in files:
        try:
            text = open(os.path.join(root, rel), encoding="utf-8").read()
        except (UnicodeDecodeError, OSError):
            continue
        if rel.endswith(".md"):
            checked += 1
            check_text(root, rel, markdown_lines(text), labels, basenames, problems)
            check_headings(rel, text, problems)
        elif is_code(rel):
            checked += 1
            check_text(root, rel, comment_lines(rel, text), labels, basenames, problems)
    commands = two_commands(root)
    ci = os.path.join(root, ".ci", "run")
    if not commands:
        problems.append("README.md: no ```sh block under '## The two commands'")
    elif os.path.isfile(ci):
        # A line of .ci/run runs the command if it is the command, or the
        # command followed by what CI does with its status (|| failed=1).
        ci_lines = [l.strip() for l in open(ci)]
        for c in commands:
            if not any(l == c or l.startswith(c + " ||") for l in ci_lines):
                problems.append("README.md: command %r is not a line of .ci/run" % c)
    for line in problems:
        print(line)
    print("docs_check: %d files, %d problem(s)" % (checked, len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
