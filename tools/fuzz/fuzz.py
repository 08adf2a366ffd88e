#!/usr/bin/env python3
"""Runs every fuzzer of //fuzz for a time budget and reports on it.

For each fuzzer: builds it (bazel build --config=fuzz), runs libFuzzer in
fork mode on a scratch copy of its committed corpus (testdata/<name>/corpus)
with its dictionary and options, using --jobs worker processes and going on
past crashes (-ignore_crashes: a LibTorch crash must not end the campaign),
then
  - merges the new inputs with minimization (-merge=1) into the scratch
    corpus, and with --update-testdata into testdata/<name>/corpus;
  - collects crashes, deduplicates them by the top frames of their stack,
    minimizes each new one (-minimize_crash=1) and records it (input, stack,
    LibTorch version, outcome in the default and the fuzz build) under
    OUT/crashes/<name>/, and with --update-testdata under
    testdata/crashes/<name>/, where the regression tests replay it;
  - measures line coverage of the bridge's own code (bridge/*.cc) from the
    corpus, with a clang source-based coverage build (-fprofile-instr-generate
    -fcoverage-mapping, its own platform_suffix so no other build is thrown
    away) and llvm-profdata-14 / llvm-cov-14.
Writes OUT/fuzz.json and OUT/fuzz.md (default OUT: out/report/fuzz).

Usage: tools/fuzz/fuzz.py [--budget SECONDS] [--jobs N] [--out DIR]
                          [--fuzzers a,b] [--no-coverage] [--update-testdata]
Exit status: 0 when no fuzzer found a crash that is not already recorded
under testdata/crashes (known LibTorch crashes are expected), else 1.
"""
import argparse
import datetime
import glob
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

FUZZERS = ["callbacks_fuzzer", "read_faults_fuzzer", "write_faults_fuzzer", "archive_fuzzer"]
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COV_FLAGS = ["--platform_suffix=fuzzcov", "--copt=-fprofile-instr-generate",
             "--copt=-fcoverage-mapping", "--linkopt=-fprofile-instr-generate"]
# Frames that say where a crash was reported, not where it happened.
NOISE = re.compile(r"__asan|__sanitizer|__interceptor|__ubsan|\babort\b|\braise\b|"
                   r"pthread_kill|gsignal|fuzzer::|libc\.so|__libc|_start\b|"
                   r"LLVMFuzzerTestOneInput|\bmain\b")
FRAME = re.compile(r"^\s*#(\d+) 0x[0-9a-f]+ (?:in )?(.*)$")


def log(msg):
    print(f"[fuzz] {msg}", file=sys.stderr, flush=True)


def run(cmd, **kw):
    return subprocess.run(cmd, cwd=ROOT, text=True, capture_output=True, **kw)


def bazel(*args):
    r = run(["bazel", *args])
    if r.returncode != 0:
        sys.exit(f"bazel {' '.join(args)} failed:\n{r.stderr[-4000:]}")
    return r.stdout.strip()


def env():
    e = dict(os.environ)
    e["OMP_NUM_THREADS"] = "1"
    e["LSAN_OPTIONS"] = f"suppressions={ROOT}/testdata/lsan.supp:print_suppressions=0"
    # Crash reports must be complete for the stack dedup.
    e["ASAN_OPTIONS"] = "symbolize=1:detect_leaks=1"
    return e


def options(name):
    """The [libfuzzer] options of testdata/<name>/<name>.options as flags."""
    path = os.path.join(ROOT, "testdata", name, name + ".options")
    flags = []
    section = None
    if os.path.exists(path):
        for line in open(path):
            line = line.strip()
            if line.startswith("["):
                section = line
            elif section == "[libfuzzer]" and "=" in line and not line.startswith("#"):
                k, v = (s.strip() for s in line.split("=", 1))
                flags.append(f"-{k}={v}")
    return flags


def libtorch_version():
    r = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "libtorch-dev"],
                       text=True, capture_output=True)
    return r.stdout.strip() or "unknown"


def stack_of(report):
    """The top frames of the first stack in a sanitizer report."""
    frames = []
    for line in report.splitlines():
        m = FRAME.match(line)
        if not m:
            if frames:
                break
            continue
        rest = re.sub(r" \(BuildId: [0-9a-f]+\)", "", m.group(2))
        if rest.startswith("(/"):  # No symbol: the module stands for the frame.
            func, where = os.path.basename(rest.strip("()").split("+")[0]), rest
        else:
            cut = re.search(r" \(?/", rest)
            func, where = (rest[:cut.start()], rest[cut.start():]) if cut else (rest, "")
        func = func.strip() or os.path.basename(where.strip(" ()").split("+")[0])
        if NOISE.search(func) or NOISE.search(where):
            continue
        frames.append(func.strip())
    return frames


def outcome(returncode):
    if returncode < 0:
        import signal
        return signal.Signals(-returncode).name
    return "returned" if returncode == 0 else f"exit({returncode})"


def known_keys(name):
    keys = {}
    for txt in glob.glob(os.path.join(ROOT, "testdata", "crashes", name, "*.txt")):
        for line in open(txt):
            if line.startswith("stack_key:"):
                keys[line.split(":", 1)[1].strip()] = os.path.basename(txt)
    return keys


def record_crash(name, fuzz_bin, replay_bin, artifact, out_dir, update_testdata, seen):
    """Reproduces, dedups, minimizes and records one crash; returns its entry,
    or None when a crash with the same top frames was handled this run."""
    e = env()
    first = run([fuzz_bin, artifact], env=e, timeout=300)
    frames = stack_of(first.stderr)
    top = frames[:3]
    key = hashlib.sha1("|".join(top).encode()).hexdigest()[:12]
    if key in seen:
        return None
    seen.add(key)
    entry = {"stack_key": key, "top_frames": top, "artifact": artifact}
    known = known_keys(name)
    if key in known:
        entry["known"] = known[key]
        return entry
    minimized = os.path.join(out_dir, "crashes", name, key + ".bin")
    os.makedirs(os.path.dirname(minimized), exist_ok=True)
    run([fuzz_bin, "-minimize_crash=1", "-max_total_time=30",
         f"-exact_artifact_path={minimized}", artifact], env=e, timeout=600)
    if not os.path.exists(minimized):
        shutil.copy(artifact, minimized)
    plain = run([replay_bin, minimized], env=e, timeout=300)
    # As a plain ASan build would replay it: without libFuzzer's memory limits.
    asan = run([fuzz_bin, "-rss_limit_mb=0", "-malloc_limit_mb=0", minimized], env=e, timeout=300)
    lines = [
        f"fuzzer: {name}",
        f"stack_key: {key}",
        f"libtorch: {libtorch_version()}",
        f"found: {datetime.date.today().isoformat()} by tools/fuzz/fuzz.py",
        f"outcome: {outcome(plain.returncode)}",
        f"outcome_asan: {outcome(asan.returncode)}",
        "top_frames:",
        *[f"  {f}" for f in frames[:8]],
    ]
    txt = minimized[:-4] + ".txt"
    with open(txt, "w") as f:
        f.write("\n".join(lines) + "\n")
    entry.update({"new": True, "reproducer": minimized, "outcome": outcome(plain.returncode)})
    if update_testdata:
        dest = os.path.join(ROOT, "testdata", "crashes", name)
        os.makedirs(dest, exist_ok=True)
        shutil.copy(minimized, dest)
        shutil.copy(txt, dest)
    return entry


def fuzz_workers(name, base, corpus, args):
    """Runs `args.jobs` libFuzzer processes on one shared corpus until the
    budget is spent, restarting a worker after each crash (the crash is kept
    in the artifact folder): LibTorch's crashes must not end the campaign,
    and libFuzzer's fork mode would pay LibTorch's ~1 s start-up per job."""
    deadline = time.time() + args.budget
    latest = {}  # worker -> (runs, exec/s, cov, ft) of its current process
    done = {"runs": 0, "crashes": 0}
    lock = threading.Lock()

    def worker(w):
        while (left := int(deadline - time.time())) > 0:
            proc = subprocess.Popen(base + [f"-max_total_time={left}", f"-seed={w * 7919 + int(time.time())}", corpus],
                                    cwd=ROOT, env=env(), stderr=subprocess.PIPE, text=True)
            for line in proc.stderr:
                m = re.match(r"#(\d+)\s+\w+\s+cov: (\d+) ft: (\d+).*?exec/s: (\d+)", line)
                if m:
                    with lock:
                        latest[w] = tuple(int(g) for g in m.groups())
            proc.wait()
            with lock:
                done["runs"] += latest.pop(w, (0, 0, 0, 0))[0]
                if proc.returncode != 0:
                    done["crashes"] += 1

    threads = [threading.Thread(target=worker, args=(w,)) for w in range(args.jobs)]
    for t in threads:
        t.start()
    start = time.time()
    while any(t.is_alive() for t in threads):
        time.sleep(2)
        with lock:
            runs = done["runs"] + sum(v[0] for v in latest.values())
            cov = max([v[1] for v in latest.values()] or [0])
            crashes = done["crashes"]
        print(f"\r[fuzz] {name}: {int(time.time() - start)}s runs {runs} "
              f"exec/s {int(runs / max(time.time() - start, 1))} cov {cov} crashes {crashes}   ",
              end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    elapsed = max(time.time() - start, 1)
    runs = done["runs"]
    crashes = done["crashes"]
    return {"runs": runs, "exec_per_s": int(runs / elapsed), "cov": cov,
            "crashes_seen": crashes, "seconds": int(elapsed)}


def fuzz_one(name, bins, replay_bins, args, work):
    corpus = os.path.join(work, name, "corpus")
    artifacts = os.path.join(work, name, "artifacts") + "/"
    os.makedirs(corpus, exist_ok=True)
    os.makedirs(artifacts, exist_ok=True)
    committed = os.path.join(ROOT, "testdata", name, "corpus")
    for f in glob.glob(os.path.join(committed, "*")):
        shutil.copy(f, corpus)
    before = len(os.listdir(corpus))
    dict_path = os.path.join(ROOT, "testdata", name, name + ".dict")
    base = [bins[name], f"-artifact_prefix={artifacts}", *options(name)]
    if os.path.exists(dict_path):
        base.append(f"-dict={dict_path}")
    log(f"{name}: {args.budget}s on {args.jobs} worker(s)")
    stats = fuzz_workers(name, base, corpus, args)
    # Minimizing merge: only inputs that add coverage join the corpus.
    merged = os.path.join(work, name, "merged")
    os.makedirs(merged, exist_ok=True)
    for f in glob.glob(os.path.join(committed, "*")):
        shutil.copy(f, merged)
    run([bins[name], "-merge=1", *options(name), merged, corpus], env=env(),
        timeout=args.budget * 4 + 600)
    added = sorted(set(os.listdir(merged)) - set(os.listdir(committed)))
    if args.update_testdata:
        for f in added:
            shutil.copy(os.path.join(merged, f), committed)
    crashes = []
    seen = set()
    for a in sorted(glob.glob(artifacts + "crash-*") + glob.glob(artifacts + "oom-*")
                    + glob.glob(artifacts + "leak-*")):
        c = record_crash(name, bins[name], replay_bins[name], a, args.out,
                         args.update_testdata, seen)
        if c:
            crashes.append(c)
    stats.update(corpus_before=before, corpus_merged=len(os.listdir(merged)),
                 corpus_bytes=sum(os.path.getsize(os.path.join(merged, f))
                                  for f in os.listdir(merged)),
                 new_inputs=len(added), crashes=crashes,
                 new_crashes=sum(1 for c in crashes if c.get("new")))
    return stats, merged


def coverage(names, corpora, work):
    """Line coverage of bridge/*.cc from each fuzzer's corpus, and overall."""
    targets = [f"//fuzz:{n}" for n in names]
    bazel("build", *COV_FLAGS, *targets)
    bin_dir = bazel("info", *COV_FLAGS, "bazel-bin")
    result, raws, objects = {}, [], []
    for n in names:
        binary = os.path.join(bin_dir, "fuzz", n)
        raw = os.path.join(work, f"{n}.profraw")
        e = env()
        e["LLVM_PROFILE_FILE"] = raw
        r = subprocess.run([binary, corpora[n]], cwd=ROOT, env=e, capture_output=True, text=True)
        if r.returncode != 0:
            log(f"{n}: coverage replay ended with {outcome(r.returncode)}")
        if not os.path.exists(raw):
            continue
        raws.append(raw)
        objects.append(binary)
        result[n] = bridge_lines(work, [raw], [binary])
    if raws:
        result["all"] = bridge_lines(work, raws, objects)
    return result


def bridge_lines(work, raws, objects):
    data = os.path.join(work, "cov.profdata")
    subprocess.run(["llvm-profdata-14", "merge", "-sparse", "-o", data, *raws], check=True)
    cmd = ["llvm-cov-14", "export", "-summary-only", f"-instr-profile={data}", objects[0]]
    for o in objects[1:]:
        cmd += ["-object", o]
    export = json.loads(subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True,
                                       text=True).stdout)
    files = {}
    for f in export["data"][0]["files"]:
        m = re.search(r"(?:^|/)(bridge/[^/]+\.cc)$", f["filename"])
        if m:
            lines = f["summary"]["lines"]
            files[m.group(1)] = {"covered": lines["covered"], "count": lines["count"]}
    covered = sum(v["covered"] for v in files.values())
    count = sum(v["count"] for v in files.values())
    return {"covered": covered, "count": count,
            "percent": round(100.0 * covered / count, 1) if count else 0.0, "files": files}


def markdown(report):
    out = ["# Fuzzing report", "",
           f"Budget {report['budget_s']} s a fuzzer, {report['jobs']} worker(s); "
           f"LibTorch {report['libtorch']}; {report['date']}.", "",
           "| fuzzer | exec/s | runs | corpus (merged) | new inputs | crashes (new) | bridge lines |",
           "|---|---:|---:|---:|---:|---:|---:|"]
    cov = report.get("coverage", {})
    for n, s in report["fuzzers"].items():
        c = cov.get(n)
        cell = f"{c['percent']}% ({c['covered']}/{c['count']})" if c else "-"
        out.append(f"| {n} | {s['exec_per_s']} | {s['runs']} | {s['corpus_merged']} | "
                   f"{s['new_inputs']} | {len(s['crashes'])} ({s['new_crashes']}) | {cell} |")
    if "all" in cov:
        a = cov["all"]
        out += ["", f"All corpora together: {a['percent']}% of the lines of bridge/*.cc "
                f"({a['covered']}/{a['count']})."]
    for n, s in report["fuzzers"].items():
        for c in s["crashes"]:
            state = f"new, {c['reproducer']}, outcome {c['outcome']}" if c.get("new") \
                else f"known ({c['known']})"
            out.append(f"- {n}: `{' < '.join(c['top_frames'])}`: {state}")
    return "\n".join(out) + "\n"


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--budget", type=int, default=60, help="seconds a fuzzer (default 60)")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                   help="libFuzzer worker processes a fuzzer (default: the cores)")
    p.add_argument("--out", default=os.path.join(ROOT, "out", "report", "fuzz"))
    p.add_argument("--fuzzers", default=",".join(FUZZERS))
    p.add_argument("--no-coverage", action="store_true")
    p.add_argument("--update-testdata", action="store_true",
                   help="merge new inputs and new crashes into testdata/")
    args = p.parse_args()
    args.out = os.path.abspath(args.out)
    names = args.fuzzers.split(",")
    os.makedirs(args.out, exist_ok=True)
    log("building the fuzzers (--config=fuzz) and their replay builds")
    bazel("build", "--config=fuzz", *[f"//fuzz:{n}" for n in names])
    fuzz_dir = os.path.join(bazel("info", "--config=fuzz", "bazel-bin"), "fuzz")
    bazel("build", *[f"//fuzz:{n}" for n in names])
    replay_dir = os.path.join(bazel("info", "bazel-bin"), "fuzz")
    bins = {n: os.path.join(fuzz_dir, n) for n in names}
    replay_bins = {n: os.path.join(replay_dir, n) for n in names}
    work = tempfile.mkdtemp(prefix="tsh-fuzz-")
    report = {"budget_s": args.budget, "jobs": args.jobs, "libtorch": libtorch_version(),
              "date": datetime.datetime.now().isoformat(timespec="seconds"), "fuzzers": {}}
    corpora = {}
    for n in names:
        report["fuzzers"][n], corpora[n] = fuzz_one(n, bins, replay_bins, args, work)
    if not args.no_coverage:
        log("coverage build (-fprofile-instr-generate -fcoverage-mapping)")
        report["coverage"] = coverage(names, corpora, work)
    with open(os.path.join(args.out, "fuzz.json"), "w") as f:
        json.dump(report, f, indent=2)
    with open(os.path.join(args.out, "fuzz.md"), "w") as f:
        f.write(markdown(report))
    log(f"report: {args.out}/fuzz.md, work files: {work}")
    sys.stdout.write(markdown(report))
    return 1 if any(s["new_crashes"] for s in report["fuzzers"].values()) else 0


if __name__ == "__main__":
    sys.exit(main())
