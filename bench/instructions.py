"""Counts the instructions of one save and one load under callgrind.

Runs //bench:callgrind_saveload (or another build of it) under
`valgrind --tool=callgrind --instr-atstart=no`: the program instruments only
each measured operation and dumps its counts as a part of their own,
described by the operation's name (op/cursor/mode/f32/bytes). Each dump's
instructions (Ir) are split by the ELF object that executes them:
  bridge  the executable's own code (it links //bridge statically), plus what
          it calls outside LibTorch (libc's memcpy, malloc, libstdc++): the
          cost of the bridge's choices, such as copying a chunk;
  torch   libtorch*.so and libc10*.so, plus what they call outside the
          executable;
  rest    the remainder (code reached from neither, e.g. the dynamic linker).
Instruction counts do not depend on load or timing: they can gate where
wall-clock cannot (tools/bench-compare --instructions).

Output JSON: {"context": {"binary", "compilation_mode", "libtorch", "valgrind"},
"operations": {name: {"bytes", "bridge", "torch", "rest",
"bridge_per_byte"}}}. Exit status 0, or 2 when valgrind or the program
fails. Python 3 standard library only.
"""

import argparse
import glob
import json
import os
import subprocess
import sys
import tempfile

TRIGGER = "desc: Trigger: Client Request: "


def category(obj, exe):
    """bridge, torch or rest: who owns the code of ELF object `obj`."""
    base = os.path.basename(obj)
    if base == exe:
        return "bridge"
    if base.startswith("libtorch") or base.startswith("libc10"):
        return "torch"
    return "rest"


def parse_dump(lines, exe):
    """(label, {bridge, torch, rest}) of one callgrind dump (its raw format,
    valgrind's docs/cl-format): self costs per object, then the inclusive
    cost of each call from bridge or torch into "rest" moved to the caller."""
    names = {}  # compressed "(n)" -> object name

    def obj_name(spec):
        num, _, name = spec.partition(")")
        if not spec.startswith("("):
            return spec
        if name.strip():
            names[num] = name.strip()
        return names.get(num, "???")

    label, npos = None, 1
    own = {"bridge": 0, "torch": 0, "rest": 0}
    calls_into_rest = {"bridge": 0, "torch": 0, "rest": 0}
    ob = callee = None
    in_call = False
    for line in lines:
        line = line.rstrip("\n")
        if line.startswith(TRIGGER):
            label = line[len(TRIGGER):]
        elif line.startswith("positions:"):
            npos = len(line.split()) - 1
        elif line.startswith("ob="):
            ob = category(obj_name(line[3:]), exe)
        elif line.startswith("cob="):
            callee = category(obj_name(line[4:]), exe)
        elif line.startswith("calls="):
            in_call = True
        elif line and (line[0].isdigit() or line[0] in "+-*"):
            fields = line.split()
            ir = int(fields[npos]) if len(fields) > npos else 0
            if not in_call:
                own[ob] += ir
                continue
            # The cost line of a call; without cob= the callee is in the
            # caller's object.
            if (callee or ob) == "rest":
                calls_into_rest[ob] += ir
            in_call, callee = False, None
    return label, {
        "bridge": own["bridge"] + calls_into_rest["bridge"],
        "torch": own["torch"] + calls_into_rest["torch"],
        "rest": own["rest"] - calls_into_rest["bridge"] - calls_into_rest["torch"],
    }


def count(binary, workdir):
    """Runs `binary` under callgrind in `workdir`; (context, {label: totals}),
    context naming the build's compilation mode and LibTorch version."""
    env = dict(os.environ, OMP_NUM_THREADS="1")
    out = subprocess.run(
        ["valgrind", "--tool=callgrind", "--instr-atstart=no",
         "--callgrind-out-file=" + os.path.join(workdir, "callgrind.out.%p"), binary],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    if out.returncode != 0:
        raise RuntimeError("%s under callgrind exited %d:\n%s" % (
            binary, out.returncode, out.stderr[-2000:]))
    context = {"compilation_mode": "unknown", "libtorch": "unknown"}
    for line in out.stdout.splitlines():
        words = line.split()
        if len(words) == 2 and words[0] in context:
            context[words[0]] = words[1]
    exe = os.path.basename(os.path.realpath(binary))
    parts = {}
    for path in glob.glob(os.path.join(workdir, "callgrind.out.*")):
        with open(path, errors="replace") as f:
            label, totals = parse_dump(f.readlines(), exe)
        if label:
            parts[label] = totals
    return context, parts


def valgrind_version():
    try:
        return subprocess.run(["valgrind", "--version"], stdout=subprocess.PIPE,
                              universal_newlines=True).stdout.strip()
    except OSError:
        return None


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("binary", help="//bench:callgrind_saveload or a build of it")
    p.add_argument("--out", required=True, help="JSON to write")
    args = p.parse_args(argv)
    # Under `bazel run`, relative paths are the caller's.
    cwd = os.environ.get("BUILD_WORKING_DIRECTORY", "")
    out_path = os.path.join(cwd, args.out)
    version = valgrind_version()
    if version is None:
        sys.stderr.write("instructions: valgrind is not installed (tools/setup)\n")
        return 2
    with tempfile.TemporaryDirectory() as workdir:
        try:
            context, parts = count(args.binary, workdir)
        except (OSError, RuntimeError) as e:
            sys.stderr.write("instructions: %s\n" % e)
            return 2
    ops = {}
    for label, t in sorted(parts.items()):
        nbytes = int(label.rsplit("/", 1)[1])
        ops[label] = dict(t, bytes=nbytes, bridge_per_byte=round(t["bridge"] / nbytes, 6))
        print("%-32s bridge %10d (%.4f/byte)  torch %10d  rest %8d" % (
            label, t["bridge"], t["bridge"] / nbytes, t["torch"], t["rest"]))
    doc = {"context": dict(context, binary=os.path.basename(args.binary), valgrind=version),
           "operations": ops}
    with open(out_path, "w") as f:
        json.dump(doc, f, indent=1, sort_keys=True)
        f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
