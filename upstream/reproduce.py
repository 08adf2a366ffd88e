"""Runs the standalone reproducers (load_archive and load_archive.py) on a
crash reproducer and names how each ended, as the records keep it.

Used by //upstream:load_archive_test (which compares with the records) and
by tools/findings --write (which makes them). A record is the .txt beside a
reproducer: `upstream[V]: ...` for the C++ program and
`upstream_python[V]: ...` for the Python script, V the LibTorch's
major.minor. Address randomization is off, as in the crash replays: whether
LibTorch's wild reads fault depends on the address layout. Even so the
layout differs between a run from the source tree and one inside a Bazel
sandbox (paths, environment), so for a reproducer of a wild read (record
line `wild_read: yes`) a load that crashed in one may fail with an error,
or allocate what a garbage size says, in the other: agrees() takes every
way of failing as one, and only a load that returns as different.
"""
import os
import re
import signal
import subprocess

# The archive_fuzzer's reproducers carry the fuzzer's flags in byte 0.
SKIP = "1"
NO_ASLR = ["setarch", os.uname().machine, "--addr-no-randomize"]


def _ended(r):
    lines = [l for l in r.stdout.splitlines() if l.strip()]
    if r.returncode < 0:
        lines.append("killed by " + signal.Signals(-r.returncode).name)
    elif r.returncode != 0:
        lines.append(f"exit {r.returncode}")
    return "; ".join(lines)


def cpp(binary, reproducer):
    """How load_archive ends on `reproducer`."""
    return _ended(subprocess.run([*NO_ASLR, binary, reproducer, "--skip", SKIP],
                                 capture_output=True, text=True, timeout=600,
                                 env=dict(os.environ, OMP_NUM_THREADS="1")))


def python(interpreter, script, reproducer):
    """How load_archive.py, run by `interpreter`, ends on `reproducer`."""
    return _ended(subprocess.run([*NO_ASLR, interpreter, script, reproducer, "--skip", SKIP],
                                 capture_output=True, text=True, timeout=600,
                                 env=dict(os.environ, OMP_NUM_THREADS="1",
                                          PYTHONDONTWRITEBYTECODE="1")))


def _kinds(outcome, wild_read):
    """Each load's outcome of a reproducer's line; for a wild read, every
    outcome but "returned" as one kind."""
    kinds = []
    for part in outcome.split("; "):
        api, _, what = part.partition(": ")
        if wild_read and what != "returned":
            what = "failed (crash, error or blowup, by the address layout)"
        kinds.append((api, what))
    return kinds


def agrees(got, want, record):
    """Whether outcome line `got` agrees with `want` of `record` (a .txt)."""
    wild_read = re.search(r"^wild_read: yes", record, re.M) is not None
    return _kinds(got, wild_read) == _kinds(want, wild_read)


def recorded(text, key, version):
    """The value of the line `key[version]:` in a record, or None."""
    m = re.search(r"^%s\[%s\]:[ \t]*(.*)$" % (re.escape(key), re.escape(version)), text, re.M)
    return m.group(1) if m else None
