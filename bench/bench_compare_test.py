"""Tests of tools/bench-compare (bench/bench_compare.py) and of the
callgrind parser of bench/instructions.py, on the synthetic files of
bench/testdata/ and variants of them made here."""

import contextlib
import io
import json
import os
import tempfile
import unittest

from bench import bench_compare
from bench import instructions

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "testdata")


def run(*args):
    """(exit status, stdout) of bench-compare with the test baseline."""
    argv = [a if os.path.isabs(a) or not a.endswith(".json") else os.path.join(DATA, a)
            for a in args]
    if "--baseline" not in argv:
        argv += ["--baseline", os.path.join(DATA, "baseline.json")]
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = bench_compare.main(argv)
    return status, out.getvalue() + err.getvalue()


def load(name):
    with open(os.path.join(DATA, name)) as f:
        return json.load(f)


class Variant:
    """A variant of a testdata JSON, as a temporary file: `edit` changes
    the loaded document in place. Use: with Variant(...) as path."""

    def __init__(self, name, edit):
        self.doc = load(name)
        edit(self.doc)

    def __enter__(self):
        self.dir = tempfile.TemporaryDirectory()
        path = os.path.join(self.dir.name, "variant.json")
        with open(path, "w") as f:
            json.dump(self.doc, f)
        return path

    def __exit__(self, *exc):
        self.dir.cleanup()


def entry(doc, case):
    """The median entry of `case` (a name without suffixes) in `doc`."""
    for b in doc["benchmarks"]:
        if bench_compare._base(b["run_name"]) == case:
            return b
    raise AssertionError("no case " + case)


def errored(case, message):
    """An edit: `case` reported `message` as its error."""
    def edit(doc):
        b = entry(doc, case)
        b.clear()
        b.update({"name": case + "/real_time", "run_name": case + "/real_time",
                  "run_type": "iteration", "error_occurred": True,
                  "error_message": message})
    return edit


def interleaved(rid, n, median, lo, hi):
    """An edit: the interleaved case of ratio `rid` at size `n`, as
    stream_bench writes it."""
    def edit(doc):
        name = "ratio/%s/%d/iterations:1/repeats:1/real_time" % (rid, n)
        doc["benchmarks"].append({
            "name": name, "run_name": name, "run_type": "iteration", "repetitions": 1,
            "iterations": 1, "real_time": 500.0, "cpu_time": 500.0, "time_unit": "ms",
            "ratio_median": median, "ratio_lo": lo, "ratio_hi": hi, "rounds": 31.0,
            "batch": 10.0})
    return edit


def edits(*fns):
    def edit(doc):
        for fn in fns:
            fn(doc)
    return edit


def row(table, ratio_id):
    for line in table.splitlines():
        if line.split(" ", 1)[0] == ratio_id:
            return line
    raise AssertionError("no row %s in\n%s" % (ratio_id, table))


class BenchCompareTest(unittest.TestCase):
    def test_normal_run_passes(self):
        status, table = run("normal.json")
        self.assertEqual(status, 0, table)
        self.assertIn("ok x1.000", row(table, "save_faithful_over_torch_writer"))
        self.assertIn("met", row(table, "save_faithful_over_torch_writer"))
        self.assertIn("0 regression(s)", table)

    def test_slowed_run_fails(self):
        status, table = run("slowed.json")
        self.assertEqual(status, 1, table)
        line = row(table, "save_faithful_over_torch_writer")
        self.assertIn("REGRESSED x0.700", line)
        self.assertIn("MISSED", line)
        # Only the slowed ratio regressed.
        self.assertIn("ok x1.000", row(table, "load_faithful_over_torch_readfn"))

    def test_skipped_cases_are_not_measurements(self):
        status, table = run("normal.json")
        line = row(table, "save_gpu_faithful_over_torch")
        self.assertIn("SKIPPED", line)
        self.assertIn("skipped: no CUDA device", line)
        self.assertNotIn("met", line)
        self.assertNotIn("ok", line)
        self.assertIn("2 case(s) skipped", table)
        self.assertIn("0 case(s) with errors", table)

    def test_errored_case_fails(self):
        case = "save/cursor/hardened/f32/1048576"
        with Variant("normal.json", errored(case, "saved archive is wrong")) as path:
            status, table = run(path)
            self.assertEqual(status, 3, table)
            self.assertIn("ERROR", row(table, "save_hardened_over_faithful_cursor"))
            self.assertIn("ERROR %s: saved archive is wrong" % case, table)
            # Never advisory.
            status, _ = run(path, "--advisory-ratios")
            self.assertEqual(status, 3)

    def test_error_that_only_mentions_cuda_fails(self):
        # Only the exact skip prefix is a skip: a CUDA failure is an error.
        case = "save/gpu/faithful/f32/4194304"
        with Variant("normal.json", errored(case, "CUDA error: out of memory")) as path:
            status, table = run(path)
        self.assertEqual(status, 3, table)

    def test_ratio_with_a_goal_skipped_for_no_cuda_passes(self):
        edit = edits(errored("load/path/torch/f32/1048576", "skipped: no CUDA device"),
                     errored("load/path/torch/f32/4194304", "skipped: no CUDA device"),
                     errored("load/bufio/hardened/f32/1048576", "skipped: no CUDA device"),
                     errored("load/bufio/hardened/f32/4194304", "skipped: no CUDA device"),
                     errored("load/bufio/faithful/f32/1048576", "skipped: no CUDA device"),
                     errored("load/bufio/faithful/f32/4194304", "skipped: no CUDA device"))
        with Variant("normal.json", edit) as path:
            status, table = run(path)
        self.assertEqual(status, 0, table)
        line = row(table, "load_bufio_hardened_over_torch_path")
        self.assertIn("SKIPPED", line)
        self.assertIn("skipped: no CUDA device", line)

    def test_missing_ratio_fails(self):
        def drop_torch_path(doc):
            doc["benchmarks"] = [b for b in doc["benchmarks"]
                                 if not b["name"].startswith("load/path/torch/")]
        with Variant("normal.json", drop_torch_path) as path:
            status, table = run(path)
            self.assertEqual(status, 3, table)
            self.assertIn("MISSING", row(table, "load_bufio_hardened_over_torch_path"))
            self.assertIn("1 missing", table)
            status, _ = run(path, "--advisory-ratios")
            self.assertEqual(status, 3)
            # Unless the check is limited to the ratios the run has.
            status, _ = run(path, "--ratio", "save_faithful_over_torch_writer")
            self.assertEqual(status, 0)

    def test_unknown_ratio_is_bad_input(self):
        status, text = run("normal.json", "--ratio", "no_such_ratio")
        self.assertEqual(status, 2)
        self.assertIn("unknown ratio", text)

    def test_advisory_regression_passes_but_is_printed(self):
        status, table = run("slowed.json", "--advisory-ratios")
        self.assertEqual(status, 0, table)
        self.assertIn("REGRESSED (advisory) x0.700",
                      row(table, "save_faithful_over_torch_writer"))
        self.assertIn("0 regression(s), 1 advisory", table)

    def test_call_count_regression_is_never_advisory(self):
        def fewer_seeks(doc):
            entry(doc, "load/bufio/faithful/f32/1048576")["seek_calls"] = 4.0
            entry(doc, "load/bufio/faithful/f32/4194304")["seek_calls"] = 4.0
        with Variant("normal.json", fewer_seeks) as path:
            status, table = run(path, "--advisory-ratios")
        self.assertEqual(status, 1, table)
        self.assertIn("REGRESSED x0.190",
                      row(table, "load_seek_calls_faithful_over_hardened_bufio"))

    def test_interleaved_ratio_regresses_only_when_its_interval_does(self):
        rid = "save_faithful_over_torch_writer"
        # Whole intervals below 0.9 (baseline 1.0, tolerance 0.1): regressed,
        # although the separate cases say 1.0.
        low = edits(interleaved(rid, 1048576, 0.70, 0.65, 0.74),
                    interleaved(rid, 4194304, 0.70, 0.66, 0.73))
        with Variant("normal.json", low) as path:
            status, table = run(path)
        self.assertEqual(status, 1, table)
        line = row(table, rid)
        self.assertIn("REGRESSED x0.700", line)
        self.assertIn("1MiB:0.700[0.650,0.740]", line)
        # Medians below 0.9, intervals reaching above it: not a regression.
        wide = edits(interleaved(rid, 1048576, 0.85, 0.60, 1.10),
                     interleaved(rid, 4194304, 0.85, 0.60, 1.10))
        with Variant("normal.json", wide) as path:
            status, table = run(path)
        self.assertEqual(status, 0, table)
        self.assertIn("ok x0.850", row(table, rid))

    def test_missed_goal_fails_only_when_enforced(self):
        status, table = run("goal_missed.json")
        self.assertEqual(status, 0, table)
        self.assertIn("MISSED (<0.97)", row(table, "save_faithful_over_torch_writer"))
        self.assertIn("ok x0.900", row(table, "save_faithful_over_torch_writer"))
        status, _ = run("goal_missed.json", "--enforce-goals")
        self.assertEqual(status, 1)

    def test_a_goal_is_missed_only_when_the_interval_is_below_it(self):
        rid = "save_faithful_over_torch_writer"
        reaches = edits(interleaved(rid, 1048576, 0.95, 0.93, 0.98),
                        interleaved(rid, 4194304, 1.00, 0.99, 1.01))
        with Variant("normal.json", reaches) as path:
            status, table = run(path, "--enforce-goals")
        self.assertEqual(status, 0, table)
        self.assertIn("unsure (>=0.97?)", row(table, rid))
        below = edits(interleaved(rid, 1048576, 0.95, 0.93, 0.96),
                      interleaved(rid, 4194304, 1.00, 0.99, 1.01))
        with Variant("normal.json", below) as path:
            status, table = run(path, "--enforce-goals")
        self.assertEqual(status, 1, table)
        self.assertIn("MISSED (<0.97)", row(table, rid))

    def test_counter_ratio(self):
        _, table = run("normal.json")
        line = row(table, "load_seek_calls_faithful_over_hardened_bufio")
        self.assertIn("1MiB:10.500", line)
        self.assertIn("met (>=5)", line)

    def test_medians_of_iterations_without_aggregates(self):
        status, table = run("iterations.json", "--ratio", "save_faithful_over_torch_writer")
        self.assertEqual(status, 0, table)
        self.assertIn("1MiB:1.000", row(table, "save_faithful_over_torch_writer"))

    def test_bad_input_is_a_clean_error(self):
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            f.write("{not json")
        try:
            status, text = run(f.name)
        finally:
            os.unlink(f.name)
        self.assertEqual(status, 2)
        self.assertIn("bench-compare:", text)
        status, _ = run(os.path.join(DATA, "missing.json"))
        self.assertEqual(status, 2)

    def test_written_baseline_accepts_its_own_run(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "b.json")
            status, _ = run("slowed.json", "--write-baseline", path)
            self.assertEqual(status, 1)
            with open(path) as f:
                written = json.load(f)
            ratios = written["libtorch"]["1.13"]["ratios"]
            self.assertEqual(ratios["save_faithful_over_torch_writer"]["values"]["1048576"], 0.7)
            # The tolerance of the old baseline is kept.
            self.assertEqual(ratios["load_seek_calls_faithful_over_hardened_bufio"]["tolerance"], 0.0)
            status, table = run("slowed.json", "--baseline", path)
            self.assertEqual(status, 0, table)
            # Nothing else of the old baseline is lost.
            old = load("baseline.json")
            self.assertEqual(written["instructions"], old["instructions"])
            self.assertEqual(written["libtorch"]["1.13"]["instructions"],
                             old["libtorch"]["1.13"]["instructions"])

    def test_each_libtorch_version_has_its_own_baseline(self):
        def other_version(doc):
            doc["context"]["libtorch"] = "2.11.0"
        with Variant("normal.json", other_version) as path:
            status, text = run(path)
            self.assertEqual(status, 2, text)
            self.assertIn("no baseline for LibTorch 2.11", text)
            with tempfile.TemporaryDirectory() as d:
                written = os.path.join(d, "b.json")
                status, _ = run(path, "--write-baseline", written)
                self.assertEqual(status, 0)
                status, text = run(path, "--baseline", written)
                self.assertEqual(status, 0, text)
                with open(written) as f:
                    doc = json.load(f)
        # Added beside 1.13's, with the tolerances 1.13's ratios carry.
        old = load("baseline.json")
        self.assertEqual(doc["libtorch"]["1.13"], old["libtorch"]["1.13"])
        rid = "load_seek_calls_faithful_over_hardened_bufio"
        self.assertEqual(doc["libtorch"]["2.11"]["ratios"][rid]["tolerance"], 0.0)


def bump(factor, op="save/cursor/faithful/f32/65536"):
    """An edit: `op`'s bridge instructions per byte times `factor`."""
    def edit(doc):
        doc["operations"][op]["bridge_per_byte"] *= factor
    return edit


class InstructionGateTest(unittest.TestCase):
    def test_same_counts_pass(self):
        status, table = run("--instructions", "instructions.json")
        self.assertEqual(status, 0, table)
        self.assertIn("ok x1.0000", table)
        self.assertIn("0 instruction regression(s)", table)

    def test_rise_over_one_percent_fails(self):
        big = "save/cursor/faithful/f32/1048576"
        with Variant("instructions.json", bump(1.02, big)) as path:
            status, table = run("--instructions", path)
            self.assertEqual(status, 1, table)
            self.assertIn("REGRESSED x1.0200", table)
            # Not a wall-clock ratio: never advisory.
            status, _ = run("--instructions", path, "--advisory-ratios")
            self.assertEqual(status, 1)
        with Variant("instructions.json", bump(1.005, big)) as path:
            status, table = run("--instructions", path)
        self.assertEqual(status, 0, table)

    def test_below_one_mib_the_margin_is_five_percent(self):
        with Variant("instructions.json", bump(1.02)) as path:
            status, table = run("--instructions", path)
        self.assertEqual(status, 0, table)
        with Variant("instructions.json", bump(1.06)) as path:
            status, table = run("--instructions", path)
        self.assertEqual(status, 1, table)
        self.assertIn("REGRESSED x1.0600", table)

    def test_fall_passes(self):
        with Variant("instructions.json", bump(0.5)) as path:
            status, table = run("--instructions", path)
        self.assertEqual(status, 0, table)

    def test_missing_operation_fails(self):
        def drop(doc):
            del doc["operations"]["load/cursor/faithful/f32/65536"]
        with Variant("instructions.json", drop) as path:
            status, table = run("--instructions", path)
        self.assertEqual(status, 3, table)
        self.assertIn("MISSING", table)

    def test_other_compilation_mode_has_no_baseline(self):
        def fastbuild(doc):
            doc["context"]["compilation_mode"] = "fastbuild"
        with Variant("instructions.json", fastbuild) as path:
            status, text = run("--instructions", path)
            self.assertEqual(status, 2, text)
            self.assertIn("no instruction baseline for compilation mode fastbuild", text)
            # --write-baseline adds one, next to the others.
            with tempfile.TemporaryDirectory() as d:
                written = os.path.join(d, "b.json")
                status, _ = run("--instructions", path, "--write-baseline", written)
                self.assertEqual(status, 0)
                status, text = run("--instructions", path, "--baseline", written)
                self.assertEqual(status, 0, text)
                with open(written) as f:
                    doc = json.load(f)
        self.assertEqual(set(doc["libtorch"]["1.13"]["instructions"]), {"opt", "fastbuild"})
        self.assertEqual(doc["libtorch"]["1.13"]["ratios"],
                         load("baseline.json")["libtorch"]["1.13"]["ratios"])

    def test_callgrind_dump_is_split_by_object(self):
        with open(os.path.join(DATA, "callgrind.out")) as f:
            label, totals = instructions.parse_dump(f.readlines(), "callgrind_saveload")
        self.assertEqual(label, "save/cursor/faithful/f32/65536")
        # The executable's own 165, plus the memcpy it called (400); LibTorch's
        # own 300 plus its memcpy (40); the dynamic linker's 20 is nobody's.
        # Calls within an object, or from LibTorch into the executable, move
        # nothing.
        self.assertEqual(totals, {"bridge": 565, "torch": 340, "rest": 20})


if __name__ == "__main__":
    unittest.main()
