"""tools/perf-history: the benchmarks' history across commits.

  run RANGE          measure each commit of RANGE ("main~30..main": first-parent
                     history) that is not stored yet, in a scratch worktree
  store              store this checkout's result files (CI: its own figures)
  changes [RANGE]    change points of every stored series
  bisect GOOD BAD    the first commit after GOOD whose --metric steps
  page [RANGE]       a static HTML page per LibTorch version
  export / import    every run as JSON lines, and back

Runs are keyed by commit, LibTorch version (--libtorch), compilation mode,
machine and kind (bench/history/store.py); the store is
.perf-history/history.sqlite unless --store names another. Exit status: 0
ok, 1 bisect found no step or a screenshot failed, 2 bad input.
"""

import argparse
import json
import os
import sys
import time

from bench import bench_compare
from bench.history import backfill
from bench.history import bisection
from bench.history import change_points
from bench.history import page as page_lib
from bench.history import store as store_lib

DEFAULT_DIR = os.path.join(backfill.ROOT, ".perf-history")
MODE = "opt"  # every figure here comes from --config=bench
MIN_STEP = 0.005


def _key(args, kind):
    return store_lib.Key(args.libtorch, MODE, args.machine, kind)


def cmd_run(args, store, repo):
    kinds = ["instructions"] + (["wall"] if args.wall else [])
    shas = repo.commits(args.range)
    if not shas:
        sys.stderr.write("perf-history: %s names no commits\n" % args.range)
        return 2
    start = time.time()
    for kind in kinds:
        measurer = backfill.Measurer(repo, args.worktree, _key(args, kind))
        runs = backfill.backfill(repo, store, measurer, shas, again=args.again,
                                 retry_failed=args.retry_failed)
        failed = [r for r in runs if r.status != "ok"]
        sys.stderr.write("perf-history: %s: %d ok, %d failed (%s)\n" % (
            kind, len(runs) - len(failed), len(failed),
            ", ".join("%s %s" % (r.sha[:10], r.status) for r in failed) or "none"))
    sys.stderr.write("perf-history: done in %.0f s\n" % (time.time() - start))
    return 0


def cmd_store(args, store, repo):
    sha = repo.resolve(args.commit)
    if args.commit == "HEAD" and not repo.is_clean():
        sys.stderr.write("perf-history: the checkout has changes that HEAD does not: its "
                         "figures are not HEAD's (commit them, or name --commit)\n")
        return 2
    files = [("instructions", args.instructions), ("wall", args.bench),
             ("large_memory", args.large_memory)]
    files = [(k, f) for k, f in files if f]
    if not files:
        sys.stderr.write("perf-history: store needs --instructions, --bench or --large-memory\n")
        return 2
    repo.add_commit(store, sha)
    status = 0
    for kind, path in files:
        run = backfill.result_run(sha, _key(args, kind), path, source=args.source)
        if run.status != "ok":
            sys.stderr.write("perf-history: %s: %s\n" % (path, run.detail))
            status = 2
            continue
        store.put(run)
        print("stored %s: %d figures of %s (%r)" % (path, len(run.results), sha[:10], run.key))
    return status


def cmd_export(args, store, repo):
    if args.out == "-":
        n = store.export(sys.stdout)
    else:
        with open(args.out, "w") as f:
            n = store.export(f)
    sys.stderr.write("perf-history: exported %d run(s)\n" % n)
    return 0


def cmd_import(args, store, repo):
    with open(args.file) as f:
        n = store.import_lines(f)
    print("imported %d run(s) from %s" % (n, args.file))
    return 0


def history(store, repo, spec, libtorch):
    """(shas, subjects, keys) of `spec` ("A..B", or None: HEAD's
    first-parent history), oldest first, kept to the commits with a run of
    LibTorch `libtorch`; keys are that version's."""
    keys = [k for k in store.keys() if k.libtorch == libtorch]
    if spec is None:
        wanted = repo.git("rev-list", "--first-parent", "--reverse", "HEAD").split()
    else:
        wanted = repo.commits(spec)
    stored = set().union(*(store.statuses(k) for k in keys))
    shas = [s for s in wanted if s in stored]
    return shas, [store.commit_info(s)[0] for s in shas], keys


def detect_all(store, key, shas, min_step, only=None):
    """({series id: points}, {series id: [ChangePoint]}) of one key."""
    series = store.series(key, shas)
    changes = {}
    for sid, points in sorted(series.items()):
        if only and only not in sid:
            continue
        found = change_points.detect(sid, points, min_step=min_step)
        if found:
            changes[sid] = found
    return series, changes


def cmd_changes(args, store, repo):
    shas, subjects, keys = history(store, repo, args.range, args.libtorch)
    if not shas:
        sys.stderr.write("perf-history: no stored runs of LibTorch %s in %s\n" % (
            args.libtorch, args.range or "HEAD's history"))
        return 2
    rows = []
    for key in keys:
        _, changes = detect_all(store, key, shas, args.min_step, args.series)
        for cp in sorted((c for cs in changes.values() for c in cs),
                         key=lambda c: (c.index, c.series)):
            rows.append({"kind": key.kind, "mode": key.mode, "machine": key.machine,
                         "libtorch": key.libtorch, "series": cp.series,
                         "commit": shas[cp.index], "subject": subjects[cp.index],
                         "position": cp.index, "before": cp.before, "after": cp.after,
                         "step": cp.step, "p_value": cp.p_value})
    if args.json:
        json.dump(rows, sys.stdout, indent=1)
        sys.stdout.write("\n")
        return 0
    print("%d commits (%s .. %s), LibTorch %s: %d change point(s) of at least %g%%" % (
        len(shas), shas[0][:10], shas[-1][:10], args.libtorch, len(rows), 100 * args.min_step))
    for r in rows:
        print("%-12s %-10s %+8.2f%%  %-48s %s -> %s  p=%.3f  %s" % (
            r["kind"], r["commit"][:10], 100 * r["step"], r["series"], "%.6g" % r["before"],
            "%.6g" % r["after"], r["p_value"], r["subject"][:60]))
    return 0


def _measure_value(store, measurer, series):
    """measure(sha) for bisection: the stored figure, else a new
    measurement (stored too); None when the commit has none."""
    benchmark, _, metric = series.rpartition(":")
    built = []

    def measure(sha):
        run = store.get(sha, measurer.key)
        if run is None:
            measurer.repo.add_commit(store, sha)
            sys.stderr.write("perf-history: measuring %s\n" % sha[:10])
            run = measurer.measure(sha)
            store.put(run)
            built.append(sha)
        got = run.results.get((benchmark, metric))
        sys.stderr.write("perf-history: %s %s: %s\n" % (
            sha[:10], series, run.status if got is None else "%.6g" % got[0]))
        return None if got is None else got[0]

    return measure, built


def cmd_bisect(args, store, repo):
    kind = store_lib.kind_of(args.metric)
    if kind not in backfill.TARGETS:
        sys.stderr.write("perf-history: %s is a %s figure; bisect measures %s\n" % (
            args.metric, kind, " and ".join(backfill.TARGETS)))
        return 2
    good, bad = repo.resolve(args.good), repo.resolve(args.bad)
    if good not in repo.git("rev-list", "--first-parent", bad).split():
        sys.stderr.write("perf-history: GOOD %s is not in BAD %s's first-parent history\n" % (
            args.good, args.bad))
        return 2
    shas = [good] + repo.commits("%s..%s" % (good, bad))
    measurer = backfill.Measurer(repo, args.worktree, _key(args, kind))
    measure, built = _measure_value(store, measurer, args.metric)
    try:
        result = bisection.bisect(shas, measure, args.threshold)
    except bisection.NoStep as e:
        sys.stderr.write("perf-history: %s\n" % e)
        return 1
    print("%s: GOOD %s = %.6g, BAD %s = %.6g; %d commits, %d measured here, %d from the store" % (
        args.metric, good[:10], result.good, bad[:10], result.bad, len(shas), len(built),
        len(result.measured) - len(built)))
    if result.first is None:
        print("the step is after %s and at or before %s: the commits between have no figure" % (
            result.after[:10], result.upper[:10]))
        return 1
    subject = store.commit_info(result.first)[0]
    print("first commit that steps by more than %g%%: %s %s" % (
        100 * args.threshold, result.first, subject))
    return 0


def cmd_page(args, store, repo):
    try:
        with open(os.path.join(backfill.ROOT, "bench", "baseline.json")) as f:
            baseline_doc = json.load(f)
    except (OSError, ValueError) as e:
        sys.stderr.write("perf-history: bench/baseline.json: %s\n" % e)
        baseline_doc = {}
    os.makedirs(args.out, exist_ok=True)
    versions, status = [], 0
    for version in sorted({k.libtorch for k in store.keys()}):
        shas, subjects, keys = history(store, repo, args.range, version)
        if not shas:
            continue
        baseline = bench_compare.for_version(baseline_doc, version) or {}
        sections = []
        for key in keys:
            series, changes = detect_all(store, key, shas, args.min_step)
            sections.append(page_lib.Section(key, series, changes,
                                             baseline_values(baseline, key), store.statuses(key)))
        path = os.path.join(args.out, page_lib.page_name(version))
        with open(path, "w") as f:
            f.write(page_lib.version_page(version, shas, subjects, sections))
        versions.append((version, len(shas)))
        print("wrote %s (%d commits)" % (path, len(shas)))
        if args.screenshot:
            png = path[:-len(".html")] + ".png"
            why = page_lib.screenshot(path, png)
            print("screenshot %s" % png if why is None else "no screenshot: %s" % why)
            status = status or (1 if why else 0)
    if not versions:
        sys.stderr.write("perf-history: the store has no runs in %s\n" % (
            args.range or "HEAD's history"))
        return 2
    with open(os.path.join(args.out, "index.html"), "w") as f:
        f.write(page_lib.index_page(versions))
    print("wrote %s" % os.path.join(args.out, "index.html"))
    return status


def baseline_values(baseline, key):
    """{series id: bench/baseline.json's value} for one key."""
    out = {}
    if key.kind == "instructions":
        for op, v in baseline.get("instructions", {}).get(key.mode, {}).items():
            out[store_lib.series_id(op, "bridge_per_byte")] = v
    elif key.kind == "wall":
        for rid, spec in baseline.get("ratios", {}).items():
            for n, v in spec.get("values", {}).items():
                name = "ratio/%s" % rid if n == "-" else "ratio/%s/%s" % (rid, n)
                out[store_lib.series_id(name, "ratio")] = v
    return out


COMMANDS = {"run": cmd_run, "store": cmd_store, "changes": cmd_changes, "bisect": cmd_bisect,
            "page": cmd_page, "export": cmd_export, "import": cmd_import}


def parser():
    p = argparse.ArgumentParser(prog="tools/perf-history", description=__doc__.splitlines()[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog="\n".join(__doc__.splitlines()[2:]))
    p.add_argument("--store", default=os.path.join(DEFAULT_DIR, "history.sqlite"))
    p.add_argument("--libtorch", default="1.13", help="LibTorch major.minor (default 1.13)")
    p.add_argument("--machine", default=store_lib.machine_name(),
                   help="the machine a run belongs to (default: this one's CPU and cores)")
    sub = p.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="measure the commits of a range")
    run.add_argument("range", help='"A..B" (first-parent history after A up to B) or a commit')
    run.add_argument("--wall", action="store_true",
                     help="also run the smoke benchmark (wall-clock ratios, call counts)")
    run.add_argument("--again", action="store_true", help="measure stored commits again")
    run.add_argument("--retry-failed", action="store_true",
                     help="measure again the commits stored as failed to build or run")
    run.add_argument("--worktree", default=os.path.join(DEFAULT_DIR, "worktree"))

    st = sub.add_parser("store", help="store result files as a commit's figures")
    st.add_argument("--commit", default="HEAD")
    st.add_argument("--instructions", metavar="FILE", help="bench/instructions.py output")
    st.add_argument("--bench", metavar="FILE", help="//bench:stream_bench JSON")
    st.add_argument("--large-memory", metavar="FILE", help="//bench:large_memory JSON")
    st.add_argument("--source", default="ci", help="who measured it (default ci)")

    ch = sub.add_parser("changes", help="change points of every stored series")
    ch.add_argument("range", nargs="?", help="default: HEAD's first-parent history")
    ch.add_argument("--min-step", type=float, default=MIN_STEP,
                    help="smallest step reported, a fraction (default %g)" % MIN_STEP)
    ch.add_argument("--series", metavar="TEXT", help="only series whose id contains TEXT")
    ch.add_argument("--json", action="store_true", help="a JSON list instead of a table")

    bi = sub.add_parser("bisect", help="the first commit whose figure steps")
    bi.add_argument("good")
    bi.add_argument("bad")
    bi.add_argument("--metric", required=True, metavar="SERIES",
                    help='a series id, "benchmark:metric" (tools/perf-history changes shows them)')
    bi.add_argument("--threshold", type=float, default=0.01,
                    help="a step is a change of more than this fraction (default 0.01)")
    bi.add_argument("--worktree", default=os.path.join(DEFAULT_DIR, "worktree"))

    pg = sub.add_parser("page", help="static HTML, one page per LibTorch version")
    pg.add_argument("range", nargs="?", help="default: HEAD's first-parent history")
    pg.add_argument("--out", default=os.path.join(backfill.ROOT, "out", "perf-history"))
    pg.add_argument("--min-step", type=float, default=MIN_STEP)
    pg.add_argument("--screenshot", action="store_true",
                    help="also render each page to PNG in headless Chromium")

    ex = sub.add_parser("export", help="every run as JSON lines")
    ex.add_argument("--out", default="-", help="file to write (default stdout)")
    im = sub.add_parser("import", help="store the runs of an export")
    im.add_argument("file")
    return p


def main(argv, repo=None):
    """The command line; `repo` is the checkout (default: this one)."""
    args = parser().parse_args(argv)
    try:
        store = store_lib.Store(args.store)
    except store_lib.StoreError as e:
        sys.stderr.write("perf-history: %s\n" % e)
        return 2
    try:
        return COMMANDS[args.command](args, store, repo or backfill.Repo())
    except (store_lib.StoreError, backfill.GitError, OSError) as e:
        sys.stderr.write("perf-history: %s\n" % e)
        return 2
    finally:
        store.close()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
