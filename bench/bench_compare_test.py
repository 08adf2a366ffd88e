"""Tests of tools/bench-compare (bench/bench_compare.py) on the synthetic
Google Benchmark JSON files of bench/testdata/."""

import contextlib
import io
import json
import os
import tempfile
import unittest

from bench import bench_compare

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "testdata")


def run(*args):
    """(exit status, stdout) of bench-compare with the test baseline."""
    argv = [os.path.join(DATA, a) if a.endswith(".json") else a for a in args]
    if "--baseline" not in argv:
        argv += ["--baseline", os.path.join(DATA, "baseline.json")]
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = bench_compare.main(argv)
    return status, out.getvalue() + err.getvalue()


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
        self.assertIn("no CUDA", line)
        self.assertNotIn("met", line)
        self.assertNotIn("ok", line)
        self.assertIn("2 case(s) skipped", table)

    def test_missed_goal_fails_only_when_enforced(self):
        status, table = run("goal_missed.json")
        self.assertEqual(status, 0, table)
        self.assertIn("MISSED (<0.97)", row(table, "save_faithful_over_torch_writer"))
        self.assertIn("ok x0.900", row(table, "save_faithful_over_torch_writer"))
        status, _ = run("goal_missed.json", "--enforce-goals")
        self.assertEqual(status, 1)

    def test_counter_ratio(self):
        _, table = run("normal.json")
        line = row(table, "load_seek_calls_faithful_over_hardened_bufio")
        self.assertIn("1MiB:10.500", line)
        self.assertIn("met (>=10)", line)

    def test_medians_of_iterations_without_aggregates(self):
        status, table = run("iterations.json")
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
            self.assertEqual(
                written["ratios"]["save_faithful_over_torch_writer"]["values"]["1048576"], 0.7)
            # The tolerance of the old baseline is kept.
            self.assertEqual(
                written["ratios"]["load_seek_calls_faithful_over_hardened_bufio"]["tolerance"], 0.0)
            status, table = run("slowed.json", "--baseline", path)
            self.assertEqual(status, 0, table)


if __name__ == "__main__":
    unittest.main()
