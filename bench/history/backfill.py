"""Measures commits of this repository after the fact, in a scratch worktree.

Each commit is checked out (detached) into one git worktree kept between
runs (default .perf-history/worktree, ignored by git and Bazel), so Bazel's
output base there rebuilds only what changed from the commit measured
before. A commit's own sources are built; the measuring is this checkout's:
  instructions  //bench:callgrind_saveload built with --config=bench and
                counted by this checkout's bench/instructions.py;
  wall          //bench:stream_bench built with --config=bench and run with
                CI's smoke flags (bench/README.md), read by this checkout's
                bench/bench_compare.py.
A commit that does not build is stored as build_failed, one whose program
fails as run_failed, each with the last lines of its log; either is a
result, and a later run does not retry it unless told to (--retry-failed,
or --again for every commit).
"""

import json
import os
import subprocess
import sys
import tempfile
import time

from bench import bench_compare
from bench.history import store as store_lib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

# Bazel flags per LibTorch version, as .ci/run builds the benchmarks.
LIBTORCH_FLAGS = {
    "1.13": ["--config=bench"],
    "2.11": ["--config=bench", "--config=torch2", "--platform_suffix=bench-torch2"],
}
TARGETS = {"instructions": "//bench:callgrind_saveload", "wall": "//bench:stream_bench"}
SMOKE_FLAGS = ["--tsh_max_bytes=4194304", "--benchmark_min_time=0.05",
               "--benchmark_repetitions=5", "--benchmark_report_aggregates_only=true",
               "--benchmark_out_format=json"]
# The scratch worktree's Bazel server goes away when a backfill is done.
BAZEL = ["bazel", "--max_idle_secs=300"]
LOG_TAIL = 20


class GitError(Exception):
    pass


class Repo:
    """git in one checkout."""

    def __init__(self, root=ROOT):
        self.root = root

    def git(self, *args, cwd=None):
        out = subprocess.run(["git"] + list(args), cwd=cwd or self.root,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             universal_newlines=True)
        if out.returncode != 0:
            raise GitError("git %s: %s" % (" ".join(args), out.stderr.strip()))
        return out.stdout

    def commits(self, spec):
        """Full shas of `spec`, oldest first: "A..B" is B's first-parent
        history after A; anything else names one commit."""
        if ".." in spec:
            return self.git("rev-list", "--first-parent", "--reverse", spec).split()
        return [self.resolve(spec)]

    def resolve(self, rev):
        return self.git("rev-parse", "--verify", rev + "^{commit}").strip()

    def describe(self, sha):
        """(subject, committer time in seconds since the epoch)."""
        t, _, subject = self.git("show", "-s", "--format=%ct %s", sha).strip().partition(" ")
        return subject, int(t)

    def is_clean(self):
        return not self.git("status", "--porcelain", "--untracked-files=no").strip()

    def add_commit(self, store, sha):
        store.add_commit(sha, *self.describe(sha))


def _tail(text, n=LOG_TAIL):
    return "\n".join(text.rstrip().splitlines()[-n:])


class Measurer:
    """Builds and measures commits in a scratch worktree; measure() returns
    a store Run."""

    def __init__(self, repo, worktree, key):
        if key.libtorch not in LIBTORCH_FLAGS:
            raise store_lib.StoreError("no build flags for LibTorch %s (one of %s)" % (
                key.libtorch, ", ".join(sorted(LIBTORCH_FLAGS))))
        if key.kind not in TARGETS:
            raise store_lib.StoreError("a backfill measures %s, not %s" % (
                " and ".join(TARGETS), key.kind))
        self.repo, self.worktree, self.key = repo, worktree, key
        self.flags = LIBTORCH_FLAGS[key.libtorch]

    def _checkout(self, sha):
        if not os.path.exists(os.path.join(self.worktree, ".git")):
            self.repo.git("worktree", "prune")
            os.makedirs(os.path.dirname(os.path.abspath(self.worktree)), exist_ok=True)
            self.repo.git("worktree", "add", "--detach", self.worktree, sha)
        else:
            self.repo.git("checkout", "--quiet", "--force", "--detach", sha, cwd=self.worktree)

    def _bazel(self, *args):
        return subprocess.run(BAZEL + list(args), cwd=self.worktree, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, universal_newlines=True)

    def measure(self, sha):
        start = time.time()
        run = self._measure(sha)
        run.seconds = round(time.time() - start, 1)
        return run

    def _measure(self, sha):
        kind = self.key.kind
        self._checkout(sha)
        target = TARGETS[kind]
        built = self._bazel("build", *self.flags, target)
        if built.returncode != 0:
            return store_lib.Run(sha, self.key, "build_failed", source="backfill",
                                 detail="bazel build %s exited %d:\n%s" % (
                                     target, built.returncode, _tail(built.stdout)))
        info = self._bazel("info", *self.flags, "bazel-bin")
        binary = os.path.join(info.stdout.strip().splitlines()[-1], target[2:].replace(":", "/"))
        with tempfile.TemporaryDirectory() as tmp:
            out_json = os.path.join(tmp, "result.json")
            if kind == "instructions":
                cmd = [sys.executable, os.path.join(ROOT, "bench", "instructions.py"),
                       binary, "--out", out_json]
            else:
                cmd = [binary] + SMOKE_FLAGS + ["--benchmark_out=" + out_json]
            ran = subprocess.run(cmd, cwd=self.worktree, stdout=subprocess.PIPE,
                                 stderr=subprocess.STDOUT, universal_newlines=True)
            if ran.returncode != 0 or not os.path.exists(out_json):
                return store_lib.Run(sha, self.key, "run_failed", source="backfill",
                                     detail="%s exited %d:\n%s" % (
                                         os.path.basename(cmd[0 if kind == "wall" else 1]),
                                         ran.returncode, _tail(ran.stdout)))
            return result_run(sha, self.key, out_json, source="backfill")


def result_run(sha, key, path, source):
    """The Run of one result file of `key.kind`, checked against the key's
    LibTorch version: a run_failed Run when it cannot be read."""
    try:
        with open(path) as f:
            doc = json.load(f)
        context = doc.get("context", {})
        # Programs older than their context lines say "unknown".
        if context.get("libtorch", "unknown") != "unknown" and \
                bench_compare.version_of(context) != key.libtorch:
            raise store_lib.StoreError("%s was measured on LibTorch %s, not %s" % (
                path, context["libtorch"], key.libtorch))
        if context.get("compilation_mode", "unknown") not in ("unknown", key.mode):
            raise store_lib.StoreError("%s was measured in a %s build, not %s" % (
                path, context["compilation_mode"], key.mode))
        return store_lib.Run(sha, key, "ok", store_lib.RESULTS_OF[key.kind](doc), source=source)
    except (OSError, ValueError, store_lib.StoreError) as e:
        return store_lib.Run(sha, key, "run_failed", detail=str(e), source=source)


def backfill(repo, store, measurer, shas, again=False, retry_failed=False, log=sys.stderr):
    """Measures each of `shas` (oldest first) not yet stored under the
    measurer's key (`again`: every one; `retry_failed`: also those stored
    as failed), with progress and an ETA on `log`; returns the Runs."""
    def wanted(sha):
        stored = store.get(sha, measurer.key)
        return again or stored is None or (retry_failed and stored.status != "ok")
    todo = [s for s in shas if wanted(s)]
    log.write("perf-history: %d commit(s), %d stored, %d to measure (%r)\n" % (
        len(shas), len(shas) - len(todo), len(todo), measurer.key))
    runs, spent, measured = [], 0.0, 0
    for i, sha in enumerate(shas, 1):
        stored = None if sha in todo else store.get(sha, measurer.key)
        repo.add_commit(store, sha)
        subject = store.commit_info(sha)[0]
        if stored is not None:
            log.write("[%d/%d] %s stored (%s)  %s\n" % (i, len(shas), sha[:10], stored.status,
                                                         subject[:60]))
            runs.append(stored)
            continue
        log.write("[%d/%d] %s measuring  %s\n" % (i, len(shas), sha[:10], subject[:60]))
        log.flush()
        run = measurer.measure(sha)
        store.put(run)
        runs.append(run)
        spent += run.seconds
        measured += 1
        left = len(todo) - measured
        log.write("        %s in %.0f s; %d left, ETA %.0f min\n" % (
            run.status, run.seconds, left, left * spent / measured / 60))
        if run.status != "ok":
            log.write("        " + run.detail.replace("\n", "\n        ") + "\n")
        log.flush()
    return runs
