"""The benchmark's gates on deliberately broken builds, end to end:
- //bench:stream_bench_wrong (one byte of what the bridge saved flipped)
  exits 1 naming the case, and tools/bench-compare fails its JSON (3), where
  //bench:stream_bench on the same cases passes;
- //bench:stream_bench_slowed (an extra copy of every saved chunk) regresses
  the interleaved ratio that the copy slows, save_faithful_over_torch_writer,
  against bench/baseline.json (about 0.4 where the baseline is about 1 and
  the threshold 0.75 of it), where //bench:stream_bench does not.
Usage (bench/BUILD passes these): stream_bench_gates_test.py NORMAL SLOWED
WRONG BASELINE.
"""

import contextlib
import io
import os
import subprocess
import sys
import unittest

from bench import bench_compare

NORMAL, SLOWED, WRONG, BASELINE = sys.argv[1:5]
TMP = os.environ.get("TEST_TMPDIR", "/tmp")


def bench(binary, name, *flags):
    """(exit status, stderr, JSON path) of a run of `binary`."""
    out = os.path.join(TMP, name + ".json")
    proc = subprocess.run(
        [binary, "--benchmark_out_format=json", "--benchmark_out=" + out] + list(flags),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    return proc.returncode, proc.stderr, out


def compare(*args):
    """(exit status, output) of bench-compare against the committed baseline."""
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(buf):
        status = bench_compare.main(list(args) + ["--baseline", BASELINE])
    return status, buf.getvalue()


# The save cases of small f32 tensors: quick, and the corruption hits them.
SMALL_SAVES = ["--tsh_max_bytes=65536", "--benchmark_filter=^save/cursor/faithful/f32/",
               "--benchmark_min_time=0.01"]
RATIO = "save_faithful_over_torch_writer"
# Only the interleaved measurement of the ratio, at 1 MiB.
ONE_RATIO = ["--tsh_max_bytes=1048576", "--benchmark_filter=^ratio/%s/" % RATIO]


class WrongResultTest(unittest.TestCase):
    def test_wrong_bytes_fail_the_run_and_the_compare(self):
        status, stderr, out = bench(WRONG, "wrong", *SMALL_SAVES)
        self.assertEqual(status, 1, stderr)
        self.assertIn("stream_bench: FAILED", stderr)
        self.assertIn("save/cursor/faithful/f32/4096", stderr)
        status, table = compare(out)
        self.assertEqual(status, 3, table)
        self.assertIn("ERROR save/cursor/faithful/f32/4096: saved archive is wrong", table)

    def test_right_bytes_pass(self):
        status, stderr, _ = bench(NORMAL, "right", *SMALL_SAVES)
        self.assertEqual(status, 0, stderr)


class SlowedBuildTest(unittest.TestCase):
    def test_slowed_build_regresses_the_ratio_it_slows(self):
        status, stderr, out = bench(SLOWED, "slowed", *ONE_RATIO)
        self.assertEqual(status, 0, stderr)
        status, table = compare(out, "--ratio", RATIO)
        self.assertEqual(status, 1, table)
        self.assertIn("REGRESSED", table)
        # Advisory, it is still reported.
        status, table = compare(out, "--ratio", RATIO, "--advisory-ratios")
        self.assertEqual(status, 0, table)
        self.assertIn("REGRESSED (advisory)", table)

    def test_normal_build_does_not(self):
        status, stderr, out = bench(NORMAL, "normal", *ONE_RATIO)
        self.assertEqual(status, 0, stderr)
        status, table = compare(out, "--ratio", RATIO)
        self.assertEqual(status, 0, table)


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1])
