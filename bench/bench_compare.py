"""Checks a run of //bench:stream_bench against the committed baseline.

Reads Google Benchmark JSON (--benchmark_out_format=json, ideally with
--benchmark_repetitions and aggregates: medians are used; without them, the
median of the repeated iteration entries), computes the ratios that
bench/README.md defines, and compares each with
  - its goal (a floor that every size in the ratio's range must reach), and
  - bench/baseline.json: the geometric mean, over the sizes both have, of
    current / baseline must not fall below 1 - tolerance. Only ratios with a
    goal (or "gate": true in the baseline) fail the check; the others are
    reported as drift.
A ratio with a goal that the suite also measured interleaved (a case
ratio/<id>/<bytes>: median and 95% interval of per-round ratios) takes its
value from there, and regresses only when the geometric mean of the upper
ends of the intervals falls below 1 - tolerance as well.

Cases whose error starts with "skipped: no CUDA device" are SKIPPED, never
measured; any other error is a wrong result or a failed operation.
--instructions FILE (bench/instructions.py output) checks the bridge's
instructions per byte against the baseline's "instructions" section for
the build's compilation mode: a rise over its tolerance (1%; 5% for an
operation under 1 MiB, where fixed costs weigh) regresses.
Ratios and instruction counts are kept per LibTorch version (the baseline's
"libtorch" object, keyed by major.minor of the run's context "libtorch");
tolerances are shared. A version with no baseline is bad input (2).

Exit status:
  0  nothing regressed;
  1  a regression: a gating ratio (unless --advisory-ratios, which reports
     wall-clock ratio regressions as "REGRESSED (advisory)"; call counts
     always gate) or instructions per byte; with --enforce-goals, also a
     missed goal;
  2  bad input;
  3  a correctness failure, never advisory: a case reported an error other
     than the no-CUDA skip, or a ratio with a goal (or an operation of the
     instruction baseline) has no measurement in the run, unless all of its
     cases were skipped.
3 wins over 1. --write-baseline FILE writes what this run measured (its
ratios, or its instructions for their compilation mode) into a copy of the
baseline, keeping its tolerances and the rest. --ratio ID limits the ratios
checked, for a run filtered with --benchmark_filter.
Python 3 standard library only.
"""

import argparse
import copy
import json
import math
import os
import re
import statistics
import sys

MIB = 1 << 20
NO_CUDA = "skipped: no CUDA device"
INSTRUCTIONS_TOLERANCE = 0.01
# Below 1 MiB an operation's fixed costs weigh: the allocator's paths through
# libc (counted as the bridge's) move its count by up to 2% between
# environments (checkout path, output base), the same binary otherwise.
INSTRUCTIONS_SMALL_TOLERANCE = 0.05

# id -> (numerator, denominator, measure, smallest size, goal, what).
# Names are op/stream/impl/dtype/bytes with "{n}" for the size; a measure is
# "bps" (bytes_per_second) or a counter. Every ratio is numerator over
# denominator and is named so that higher is better (for a call count the
# numerator is the side expected to make more calls). The time ratios with
# a goal are also measured interleaved (kGatedRatios, kGatedModelRatios in
# stream_bench.cc).
RATIOS = {
    "save_faithful_over_torch_writer": (
        "save/cursor/faithful/f32/{n}", "save/memory/torch/f32/{n}", "bps", MIB, 0.97,
        "bridge save (faithful, Cursor) / LibTorch writer function into a vector"),
    "load_faithful_over_torch_readfn": (
        "load/cursor/faithful/f32/{n}", "load/memory/torch/f32/{n}", "bps", MIB, 0.97,
        "bridge load (faithful, Cursor) / LibTorch read function over a vector"),
    "save_hardened_over_faithful_cursor": (
        "save/cursor/hardened/f32/{n}", "save/cursor/faithful/f32/{n}", "bps", MIB, 0.97,
        "hardened / faithful save, Cursor"),
    "load_hardened_over_faithful_cursor": (
        "load/cursor/hardened/f32/{n}", "load/cursor/faithful/f32/{n}", "bps", MIB, 0.97,
        "hardened / faithful load, Cursor"),
    "load_hardened_over_faithful_bufio": (
        "load/bufio/hardened/f32/{n}", "load/bufio/faithful/f32/{n}", "bps", MIB, 1.0,
        "hardened / faithful load, BufReader over a file"),
    "load_seek_calls_faithful_over_hardened_bufio": (
        "load/bufio/faithful/f32/{n}", "load/bufio/hardened/f32/{n}", "seek_calls", MIB, 5.0,
        "seek callbacks, faithful / hardened, BufReader over a file"),
    "load_bufio_hardened_over_torch_path": (
        "load/bufio/hardened/f32/{n}", "load/path/torch/f32/{n}", "bps", MIB, 1.0,
        "bridge load (hardened, BufReader over a file) / torch::load(path)"),
    "load_file_faithful_over_torch_path": (
        "load/file/faithful/f32/{n}", "load/path/torch/f32/{n}", "bps", MIB, None,
        "bridge load (faithful, FileStream) / torch::load(path)"),
    "save_file_faithful_over_torch_path": (
        "save/file/faithful/f32/{n}", "save/path/torch/f32/{n}", "bps", MIB, None,
        "bridge save (faithful, FileStream) / torch::save(path): no goal, tch-rs's "
        "write calls (FINDINGS.md F26)"),
    "save_file_hardened_over_torch_path": (
        "save/file/hardened/f32/{n}", "save/path/torch/f32/{n}", "bps", MIB, 0.97,
        "bridge save (hardened, FileStream) / torch::save(path)"),
    "save_faithful_over_memcpy": (
        "save/cursor/faithful/f32/{n}", "copy/memory/memcpy/f32/{n}", "bps", 0, None,
        "bridge save (faithful, Cursor) as a fraction of memcpy"),
    "load_faithful_over_memcpy": (
        "load/cursor/faithful/f32/{n}", "copy/memory/memcpy/f32/{n}", "bps", 0, None,
        "bridge load (faithful, Cursor) as a fraction of memcpy"),
    "save_torch_over_memcpy": (
        "save/memory/torch/f32/{n}", "copy/memory/memcpy/f32/{n}", "bps", 0, None,
        "LibTorch writer-function save as a fraction of memcpy"),
    "load_torch_over_memcpy": (
        "load/memory/torch/f32/{n}", "copy/memory/memcpy/f32/{n}", "bps", 0, None,
        "LibTorch read-function load as a fraction of memcpy"),
    "save_model_faithful_over_torch": (
        "save/cursor/faithful/model200", "save/memory/torch/model200", "bps", 0, 0.97,
        "200 named tensors: bridge save (faithful) / LibTorch OutputArchive"),
    "save_model_hardened_over_torch": (
        "save/cursor/hardened/model200", "save/memory/torch/model200", "bps", 0, 0.97,
        "200 named tensors: bridge save (hardened) / LibTorch OutputArchive"),
    "load_model_faithful_over_torch": (
        "load/cursor/faithful/model200", "load/memory/torch/model200", "bps", 0, None,
        "200 named tensors: bridge load (faithful) / LibTorch InputArchive"),
    "save_gpu_faithful_over_torch": (
        "save/gpu/faithful/f32/{n}", "save/gpu/torch/f32/{n}", "bps", 0, None,
        "CUDA tensor: bridge save / torch::save writer function"),
    "load_gpu_named_faithful_over_torch": (
        "load/gpu/faithful-named/f32/{n}", "load/gpu/torch-named/f32/{n}", "bps", 0, None,
        "load mapped to cuda:0: LoadNamedTensors / InputArchive(device)"),
    "load_gpu_to_faithful_over_torch": (
        "load/gpu/faithful-to/f32/{n}", "load/gpu/torch-to/f32/{n}", "bps", 0, None,
        "load then .to(cuda): bridge / torch::load"),
}
for _dt in ("f16", "bf16", "i64", "f32view"):
    for _op in ("save", "load"):
        RATIOS["%s_faithful_over_torch_%s" % (_op, _dt)] = (
            "%s/cursor/faithful/%s/{n}" % (_op, _dt), "%s/memory/torch/%s/{n}" % (_op, _dt),
            "bps", 0, None, "%s, %s: bridge (faithful, Cursor) / LibTorch" % (_op, _dt))


class Run:
    """The medians of one benchmark JSON, by case name without suffixes."""

    def __init__(self, doc):
        self.context = doc.get("context", {})
        self.values = {}   # name -> {measure: median}
        self.skipped = {}  # name -> reason: no CUDA device
        self.errors = {}   # name -> error message: anything else
        repeats = {}
        for b in doc.get("benchmarks", []):
            name = _base(b.get("run_name") or b.get("name", ""))
            if b.get("error_occurred"):
                message = b.get("error_message", "error")
                if message.startswith(NO_CUDA):
                    self.skipped[name] = message
                else:
                    self.errors[name] = message
                continue
            if b.get("run_type") == "aggregate":
                if b.get("aggregate_name") == "median":
                    self.values[name] = _measures(b)
            else:
                repeats.setdefault(name, []).append(_measures(b))
        for name, runs in repeats.items():
            if name in self.values:
                continue
            keys = set.intersection(*(set(r) for r in runs))
            self.values[name] = {k: statistics.median(r[k] for r in runs) for k in keys}


# Google Benchmark's additions to a case's name.
_SUFFIX = re.compile(r"/(real_time|process_time|iterations:\d+|repeats:\d+)$")


def _base(name):
    while _SUFFIX.search(name):
        name = _SUFFIX.sub("", name)
    return name


def _measures(entry):
    out = {}
    if "bytes_per_second" in entry:
        out["bps"] = float(entry["bytes_per_second"])
    for key in ("seek_calls", "read_calls", "write_calls",
                "ratio_median", "ratio_lo", "ratio_hi"):
        if key in entry:
            out[key] = float(entry[key])
    return out


def interleaved_name(rid, n):
    """The interleaved case of ratio `rid` at size n ("-": a ratio over one
    set, such as the model's)."""
    return "ratio/%s" % rid if n == "-" else "ratio/%s/%s" % (rid, n)


def _sizes(run, *patterns):
    if "{n}" not in patterns[0]:
        return ["-"]
    sizes = set()
    for pattern in patterns:
        prefix = pattern.split("{n}")[0]
        for name in list(run.values) + list(run.skipped) + list(run.errors):
            rest = name[len(prefix):] if name.startswith(prefix) else ""
            if rest.isdigit():
                sizes.add(rest)
    return sorted(sizes, key=int)


def _ratio(num, den, measure):
    a, b = num.get(measure), den.get(measure)
    if a is None or b is None or b == 0:
        return None
    return a / b


def compute(run, ids=None):
    """id -> {"values": {size: ratio}, "intervals": {size: (lo, hi)} for the
    sizes measured interleaved, "skipped": reason when every case of the
    ratio was skipped, "error": an error of one of its cases, or None}."""
    out = {}
    for rid, (num_p, den_p, measure, smallest, _goal, _what) in RATIOS.items():
        if ids is not None and rid not in ids:
            continue
        values, intervals, skipped, error = {}, {}, [], None
        cases = 0
        for n in _sizes(run, num_p, interleaved_name(rid, "{n}")):
            if n != "-" and int(n) < smallest:
                continue
            inter = run.values.get(interleaved_name(rid, n), {})
            if "ratio_median" in inter:
                values[n] = inter["ratio_median"]
                intervals[n] = (inter["ratio_lo"], inter["ratio_hi"])
            num_name, den_name = num_p.replace("{n}", n), den_p.replace("{n}", n)
            for name in (num_name, den_name, interleaved_name(rid, n)):
                if name in run.skipped:
                    skipped.append(run.skipped[name])
                if name in run.errors:
                    error = error or "%s: %s" % (name, run.errors[name])
                cases += name in run.values or name in run.skipped or name in run.errors
            if n not in values and num_name in run.values and den_name in run.values:
                r = _ratio(run.values[num_name], run.values[den_name], measure)
                if r is not None:
                    values[n] = r
        all_skipped = bool(skipped) and len(skipped) == cases and not values
        out[rid] = {"values": values, "intervals": intervals,
                    "skipped": skipped[0] if all_skipped else None, "error": error}
    return out


def _fmt_sizes(values, intervals):
    parts = []
    for n, v in values.items():
        label = n if n == "-" else _human(int(n))
        if n in intervals:
            parts.append("%s:%.3f[%.3f,%.3f]" % ((label, v) + intervals[n]))
        else:
            parts.append("%s:%.3f" % (label, v))
    return " ".join(parts)


def _human(n):
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= size:
            return "%g%s" % (n / size, unit)
    return str(n)


class Counts:
    """What check() found, by kind."""

    def __init__(self):
        self.regressions = 0  # gating
        self.advisory = 0     # wall-clock regressions under --advisory-ratios
        self.missed = 0       # goals
        self.missing = 0      # ratios with a goal and no measurement


def check(ratios, baseline, advisory=False):
    """Rows of (id, goal status, regression status, detail), and Counts.
    With `advisory`, regressions of wall-clock ratios do not count as
    regressions."""
    default_tol = baseline.get("default_tolerance", 0.10)
    rows, counts = [], Counts()
    for rid, got in ratios.items():
        goal, measure = RATIOS[rid][4], RATIOS[rid][2]
        spec = baseline.get("ratios", {}).get(rid, {})
        tol = spec.get("tolerance", default_tol)
        if got["error"] is not None:
            rows.append((rid, "ERROR", "ERROR", got["error"]))
            continue
        if got["skipped"] is not None:
            rows.append((rid, "SKIPPED", "SKIPPED", got["skipped"]))
            continue
        values = got["values"]
        if not values:
            if goal is None:
                rows.append((rid, "n/a", "n/a", "not run"))
            else:
                counts.missing += 1
                rows.append((rid, "MISSING", "MISSING", "a ratio with a goal, not run"))
            continue
        # An interleaved size misses its goal only when its whole interval
        # lies below it: a median below the goal with an interval that
        # reaches it is not shown to miss (the regression check reads the
        # intervals the same way).
        below = [n for n, v in values.items() if v < goal] if goal is not None else []
        shown = [n for n in below
                 if n not in got["intervals"] or got["intervals"][n][1] < goal]
        if goal is None:
            goal_status = "-"
        elif not below:
            goal_status = "met (>=%g)" % goal
        elif not shown:
            goal_status = "unsure (>=%g?)" % goal
        else:
            goal_status = "MISSED (<%g)" % goal
            counts.missed += 1
        base = spec.get("values", {})
        common = [n for n in values if n in base and base[n] > 0]
        # Ratios with a goal gate; the others are reported, as drift.
        gating = goal is not None or spec.get("gate", False)
        if not common:
            reg_status = "no baseline"
        else:
            rel = _geomean(values[n] / base[n] for n in common)
            # With intervals for every size, even their upper ends must be low.
            upper = rel
            if all(n in got["intervals"] for n in common):
                upper = _geomean(got["intervals"][n][1] / base[n] for n in common)
            if upper >= 1.0 - tol:
                reg_status = "ok x%.3f" % rel
            elif not gating:
                reg_status = "drift x%.3f" % rel
            elif advisory and measure == "bps":
                reg_status = "REGRESSED (advisory) x%.3f" % rel
                counts.advisory += 1
            else:
                reg_status = "REGRESSED x%.3f" % rel
                counts.regressions += 1
        rows.append((rid, goal_status, reg_status,
                     _fmt_sizes(values, got["intervals"])))
    return rows, counts


def _geomean(xs):
    xs = list(xs)
    return math.exp(sum(math.log(x) for x in xs) / len(xs))


def print_table(rows, run, out=None):
    out = out or sys.stdout
    ctx = run.context
    out.write("run: %s, %s CPUs, build %s, libtorch %s, cuda %s, max bytes %s\n" % (
        ctx.get("date", "?"), ctx.get("num_cpus", "?"), ctx.get("tsh_build", "?"),
        ctx.get("libtorch", "?"), ctx.get("cuda", "?"), ctx.get("tsh_max_bytes", "?")))
    if not rows:
        return
    w = max(len(r[0]) for r in rows)
    out.write("%-*s  %-14s  %-26s  %s\n" % (w, "ratio", "goal", "vs baseline",
                                            "per size: median[95% interval] if interleaved"))
    for rid, goal, reg, detail in rows:
        out.write("%-*s  %-14s  %-26s  %s\n" % (w, rid, goal, reg, detail))
    for name, message in sorted(run.errors.items()):
        out.write("ERROR %s: %s\n" % (name, message))


def check_instructions(doc, baseline):
    """Rows of (operation, status, detail), regressions, missing: each
    operation of the baseline's section for the run's compilation mode
    against the run. None when the baseline has no such section."""
    section = baseline.get("instructions", {})
    mode = doc.get("context", {}).get("compilation_mode", "?")
    base = section.get(mode)
    if base is None:
        return None
    tol = section.get("tolerance", INSTRUCTIONS_TOLERANCE)
    small_tol = section.get("small_tolerance", INSTRUCTIONS_SMALL_TOLERANCE)
    ops = doc.get("operations", {})
    rows, regressions, missing = [], 0, 0
    for name in sorted(set(base) | set(ops)):
        got = ops.get(name)
        if got is None:
            missing += 1
            rows.append((name, "MISSING", "in the baseline, not in the run"))
            continue
        now = got["bridge_per_byte"]
        detail = "bridge %.4f/byte (torch %d, rest %d)" % (now, got["torch"], got["rest"])
        if name not in base:
            rows.append((name, "no baseline", detail))
            continue
        rel = now / base[name]
        if rel > 1.0 + (tol if got.get("bytes", MIB) >= MIB else small_tol):
            regressions += 1
            rows.append((name, "REGRESSED x%.4f" % rel, detail))
        else:
            rows.append((name, "ok x%.4f" % rel, detail))
    return rows, regressions, missing


def version_of(context):
    """The LibTorch major.minor a run's context names ("2.11.0" -> "2.11")."""
    return ".".join(context.get("libtorch", "?").split(".")[:2])


def for_version(baseline, version):
    """The baseline of one LibTorch version, tolerances included, in the
    shape check() and check_instructions() read; None if it has none."""
    own = baseline.get("libtorch", {}).get(version)
    if own is None:
        return None
    view = {k: v for k, v in baseline.items() if k not in ("libtorch", "instructions")}
    view["ratios"] = own.get("ratios", {})
    view["instructions"] = dict(baseline.get("instructions", {}), **own.get("instructions", {}))
    return view


def write_baseline(path, old, version, ratios=None, instructions=None):
    """A copy of `old` with what this run measured as `version`'s baseline.
    A ratio's tolerance and gate come from its entry in `version`, else in
    any other version."""
    doc = copy.deepcopy(old)
    own = doc.setdefault("libtorch", {}).setdefault(version, {})
    settings = {}
    versions = old.get("libtorch", {})
    for other in [v for v in versions if v != version] + [version]:
        for rid, spec in versions.get(other, {}).get("ratios", {}).items():
            kept = {k: spec[k] for k in ("tolerance", "gate") if k in spec}
            if kept:
                settings[rid] = kept
    doc.setdefault("comment", "Ratios (not times) and instructions per byte measured by "
                   "tools/bench-compare --write-baseline; see bench/README.md.")
    doc.setdefault("default_tolerance", 0.10)
    if ratios is not None:
        own["ratios"] = {}
        for rid, got in ratios.items():
            if not got["values"]:
                continue
            entry = {"values": {n: round(v, 4) for n, v in got["values"].items()}}
            entry.update(settings.get(rid, {}))
            own["ratios"][rid] = entry
    if instructions is not None:
        doc.setdefault("instructions", {"tolerance": INSTRUCTIONS_TOLERANCE})
        own.setdefault("instructions", {})[instructions["context"]["compilation_mode"]] = {
            name: op["bridge_per_byte"] for name, op in instructions["operations"].items()}
    with open(path, "w") as f:
        json.dump(doc, f, indent=1, sort_keys=True)
        f.write("\n")


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("json", nargs="?", help="Google Benchmark JSON output")
    p.add_argument("--baseline",
                   default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                        "baseline.json"))
    p.add_argument("--enforce-goals", action="store_true",
                   help="also fail when a goal is missed")
    p.add_argument("--advisory-ratios", action="store_true",
                   help="report wall-clock ratio regressions without failing")
    p.add_argument("--ratio", action="append", metavar="ID",
                   help="check only this ratio (repeatable)")
    p.add_argument("--instructions", metavar="FILE",
                   help="bench/instructions.py output to check")
    p.add_argument("--write-baseline", metavar="FILE")
    args = p.parse_args(argv)
    if args.json is None and args.instructions is None:
        p.print_usage(sys.stderr)
        sys.stderr.write("bench-compare: give a benchmark JSON, --instructions FILE or both\n")
        return 2
    unknown = sorted(set(args.ratio or ()) - set(RATIOS))
    if unknown:
        sys.stderr.write("bench-compare: unknown ratio %s\n" % ", ".join(unknown))
        return 2
    try:
        with open(args.baseline) as f:
            baseline = json.load(f)
        run = instr = None
        if args.json is not None:
            with open(args.json) as f:
                run = Run(json.load(f))
        if args.instructions is not None:
            with open(args.instructions) as f:
                instr = json.load(f)
    except (OSError, ValueError) as e:
        sys.stderr.write("bench-compare: %s\n" % e)
        return 2
    if run is not None and not run.values and not run.skipped and not run.errors:
        sys.stderr.write("bench-compare: %s has no benchmark results\n" % args.json)
        return 2

    contexts = ([run.context] if run is not None else []) + \
        ([instr.get("context", {})] if instr is not None else [])
    versions = sorted({version_of(c) for c in contexts})
    if len(versions) != 1:
        sys.stderr.write("bench-compare: the runs name LibTorch %s: check one version at a time\n"
                         % " and ".join(versions))
        return 2
    version = versions[0]
    full_baseline = baseline
    baseline = for_version(full_baseline, version)
    if baseline is None and not args.write_baseline:
        sys.stderr.write("bench-compare: %s has no baseline for LibTorch %s; measure one with "
                         "--write-baseline (bench/README.md)\n" % (args.baseline, version))
        return 2
    baseline = baseline or for_version(dict(full_baseline, libtorch={version: {}}), version)

    failed = regressed = False
    ratios = None
    if run is not None:
        ratios = compute(run, set(args.ratio) if args.ratio else None)
        rows, counts = check(ratios, baseline, advisory=args.advisory_ratios)
        print_table(rows, run)
        print("%d regression(s), %d advisory, %d goal(s) missed, %d missing, "
              "%d case(s) with errors, %d case(s) skipped" % (
                  counts.regressions, counts.advisory, counts.missed, counts.missing,
                  len(run.errors), len(run.skipped)))
        failed = bool(run.errors or counts.missing)
        regressed = bool(counts.regressions or (args.enforce_goals and counts.missed))
    if instr is not None:
        result = check_instructions(instr, baseline)
        mode = instr.get("context", {}).get("compilation_mode", "?")
        if result is None and not args.write_baseline:
            sys.stderr.write("bench-compare: %s has no instruction baseline for compilation "
                             "mode %s\n" % (args.baseline, mode))
            return 2
        if result is not None:
            rows, regressions, missing = result
            print("instructions (%s build), bridge per byte vs baseline:" % mode)
            w = max(len(r[0]) for r in rows)
            for name, status, detail in rows:
                print("%-*s  %-18s  %s" % (w, name, status, detail))
            print("%d instruction regression(s), %d missing" % (regressions, missing))
            failed = failed or bool(missing)
            regressed = regressed or bool(regressions)
    if args.write_baseline:
        write_baseline(args.write_baseline, full_baseline, version, ratios, instr)
    if failed:
        return 3
    return 1 if regressed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
