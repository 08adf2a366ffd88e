"""Checks a run of //bench:stream_bench against the committed ratio baseline.

Reads Google Benchmark JSON (--benchmark_out_format=json, ideally with
--benchmark_repetitions and aggregates: medians are used; without them, the
median of the repeated iteration entries), computes the ratios that
bench/README.md defines, and compares each with
  - its goal (a floor that every size in the ratio's range must reach), and
  - bench/baseline.json: the geometric mean, over the sizes both have, of
    current / baseline must not fall below 1 - tolerance. Only ratios with a
    goal (or "gate": true in the baseline) fail the check; the others are
    reported as drift.
Cases that reported an error (e.g. "no CUDA") are SKIPPED, never measured.

Exit status: 0 when nothing regressed, 1 on a regression (or, with
--enforce-goals, a missed goal), 2 on bad input. --write-baseline FILE writes
the ratios of this run as a new baseline, keeping FILE's tolerances.
Python 3 standard library only.
"""

import argparse
import json
import math
import os
import statistics
import sys

MIB = 1 << 20

# id -> (numerator, denominator, measure, smallest size, goal, what).
# Names are op/stream/impl/dtype/bytes with "{n}" for the size; a measure is
# "bps" (bytes_per_second) or a counter. Every ratio is numerator over
# denominator and is named so that higher is better (for a call count the
# numerator is the side expected to make more calls).
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
        "load/bufio/faithful/f32/{n}", "load/bufio/hardened/f32/{n}", "seek_calls", MIB, 10.0,
        "seek callbacks, faithful / hardened, BufReader over a file"),
    "load_bufio_hardened_over_torch_path": (
        "load/bufio/hardened/f32/{n}", "load/path/torch/f32/{n}", "bps", MIB, 1.0,
        "bridge load (hardened, BufReader over a file) / torch::load(path)"),
    "load_file_faithful_over_torch_path": (
        "load/file/faithful/f32/{n}", "load/path/torch/f32/{n}", "bps", MIB, None,
        "bridge load (faithful, FileStream) / torch::load(path)"),
    "save_file_faithful_over_torch_path": (
        "save/file/faithful/f32/{n}", "save/path/torch/f32/{n}", "bps", MIB, None,
        "bridge save (faithful, FileStream) / torch::save(path)"),
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
        "save/cursor/faithful/model200", "save/memory/torch/model200", "bps", 0, None,
        "200 named tensors: bridge save (faithful) / LibTorch OutputArchive"),
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
        self.skipped = {}  # name -> error message
        repeats = {}
        for b in doc.get("benchmarks", []):
            name = _base(b.get("run_name") or b.get("name", ""))
            if b.get("error_occurred"):
                self.skipped[name] = b.get("error_message", "error")
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


def _base(name):
    for suffix in ("/real_time", "/process_time"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
    return name


def _measures(entry):
    out = {}
    if "bytes_per_second" in entry:
        out["bps"] = float(entry["bytes_per_second"])
    for key in ("seek_calls", "read_calls", "write_calls"):
        if key in entry:
            out[key] = float(entry[key])
    return out


def _sizes(run, pattern):
    if "{n}" not in pattern:
        return ["-"]
    prefix = pattern.split("{n}")[0]
    sizes = set()
    for name in list(run.values) + list(run.skipped):
        rest = name[len(prefix):] if name.startswith(prefix) else ""
        if rest.isdigit():
            sizes.add(rest)
    return sorted(sizes, key=int)


def _ratio(num, den, measure):
    a, b = num.get(measure), den.get(measure)
    if a is None or b is None or b == 0:
        return None
    return a / b


def compute(run):
    """id -> {"values": {size: ratio}, "skipped": reason or None}."""
    out = {}
    for rid, (num_p, den_p, measure, smallest, _goal, _what) in RATIOS.items():
        values, skipped = {}, None
        for n in _sizes(run, num_p):
            if n != "-" and int(n) < smallest:
                continue
            num_name, den_name = num_p.replace("{n}", n), den_p.replace("{n}", n)
            for name in (num_name, den_name):
                if name in run.skipped:
                    skipped = run.skipped[name]
            if num_name in run.values and den_name in run.values:
                r = _ratio(run.values[num_name], run.values[den_name], measure)
                if r is not None:
                    values[n] = r
        out[rid] = {"values": values, "skipped": None if values else skipped}
    return out


def _fmt_sizes(values):
    parts = []
    for n, v in values.items():
        label = n if n == "-" else _human(int(n))
        parts.append("%s:%.3f" % (label, v))
    return " ".join(parts)


def _human(n):
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= size:
            return "%g%s" % (n / size, unit)
    return str(n)


def check(ratios, baseline):
    """Rows of (id, goal status, regression status, detail) and the counts."""
    default_tol = baseline.get("default_tolerance", 0.10)
    rows, regressions, missed = [], 0, 0
    for rid, got in ratios.items():
        goal = RATIOS[rid][4]
        spec = baseline.get("ratios", {}).get(rid, {})
        tol = spec.get("tolerance", default_tol)
        if got["skipped"] is not None:
            rows.append((rid, "SKIPPED", "SKIPPED", "skipped: " + got["skipped"]))
            continue
        values = got["values"]
        if not values:
            rows.append((rid, "n/a", "n/a", "not run"))
            continue
        if goal is None:
            goal_status = "-"
        elif min(values.values()) >= goal:
            goal_status = "met (>=%g)" % goal
        else:
            goal_status = "MISSED (<%g)" % goal
            missed += 1
        base = spec.get("values", {})
        common = [n for n in values if n in base and base[n] > 0]
        # Ratios with a goal gate; the others are reported, as drift.
        gating = goal is not None or spec.get("gate", False)
        if not common:
            reg_status = "no baseline"
        else:
            rel = math.exp(sum(math.log(values[n] / base[n]) for n in common) / len(common))
            if rel >= 1.0 - tol:
                reg_status = "ok x%.3f" % rel
            elif gating:
                reg_status = "REGRESSED x%.3f" % rel
                regressions += 1
            else:
                reg_status = "drift x%.3f" % rel
        rows.append((rid, goal_status, reg_status, _fmt_sizes(values)))
    return rows, regressions, missed


def print_table(rows, run, out=None):
    out = out or sys.stdout
    ctx = run.context
    out.write("run: %s, %s CPUs, build %s, libtorch %s, cuda %s, max bytes %s\n" % (
        ctx.get("date", "?"), ctx.get("num_cpus", "?"), ctx.get("tsh_build", "?"),
        ctx.get("libtorch", "?"), ctx.get("cuda", "?"), ctx.get("tsh_max_bytes", "?")))
    w = max(len(r[0]) for r in rows)
    out.write("%-*s  %-14s  %-16s  %s\n" % (w, "ratio", "goal", "vs baseline", "per size"))
    for rid, goal, reg, detail in rows:
        out.write("%-*s  %-14s  %-16s  %s\n" % (w, rid, goal, reg, detail))


def write_baseline(path, ratios, old):
    doc = {
        "comment": old.get("comment", "Ratios (not times) measured by tools/bench-compare "
                           "--write-baseline; see bench/README.md."),
        "default_tolerance": old.get("default_tolerance", 0.10),
        "ratios": {},
    }
    for rid, got in ratios.items():
        if not got["values"]:
            continue
        entry = {"values": {n: round(v, 4) for n, v in got["values"].items()}}
        for key in ("tolerance", "gate"):
            if key in old.get("ratios", {}).get(rid, {}):
                entry[key] = old["ratios"][rid][key]
        doc["ratios"][rid] = entry
    with open(path, "w") as f:
        json.dump(doc, f, indent=1, sort_keys=True)
        f.write("\n")


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("json", help="Google Benchmark JSON output")
    p.add_argument("--baseline",
                   default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                        "baseline.json"))
    p.add_argument("--enforce-goals", action="store_true",
                   help="also fail when a goal is missed")
    p.add_argument("--write-baseline", metavar="FILE")
    args = p.parse_args(argv)
    try:
        with open(args.json) as f:
            run = Run(json.load(f))
        with open(args.baseline) as f:
            baseline = json.load(f)
    except (OSError, ValueError) as e:
        sys.stderr.write("bench-compare: %s\n" % e)
        return 2
    if not run.values and not run.skipped:
        sys.stderr.write("bench-compare: %s has no benchmark results\n" % args.json)
        return 2
    ratios = compute(run)
    if args.write_baseline:
        write_baseline(args.write_baseline, ratios, baseline)
    rows, regressions, missed = check(ratios, baseline)
    print_table(rows, run)
    print("%d regression(s), %d goal(s) missed, %d case(s) skipped" % (
        regressions, missed, len(run.skipped)))
    if regressions or (args.enforce_goals and missed):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
