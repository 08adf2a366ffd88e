"""The instruction gate end to end: //bench:callgrind_saveload under
callgrind passes the "instructions" of bench/baseline.json for this build's
compilation mode, and :callgrind_saveload_slowed (the extra copy of every
saved chunk of //bench:stream_bench_slowed) regresses every save and no load.
Usage (bench/BUILD passes these): instructions_test.py NORMAL SLOWED BASELINE.
"""

import contextlib
import io
import os
import sys
import unittest

from bench import bench_compare
from bench import instructions

NORMAL, SLOWED, BASELINE = sys.argv[1:4]
TMP = os.environ.get("TEST_TMPDIR", "/tmp")


def gate(binary, name):
    """(exit status of bench-compare --instructions, its output)."""
    out = os.path.join(TMP, name + ".json")
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(buf):
        status = instructions.main([binary, "--out", out])
        if status == 0:
            status = bench_compare.main(["--instructions", out, "--baseline", BASELINE])
    return status, buf.getvalue()


class InstructionGateTest(unittest.TestCase):
    def test_this_build_passes(self):
        status, table = gate(NORMAL, "normal")
        self.assertEqual(status, 0, table)
        self.assertIn("0 instruction regression(s), 0 missing", table)

    def test_extra_copy_regresses_every_save(self):
        status, table = gate(SLOWED, "slowed")
        self.assertEqual(status, 1, table)
        # The gate's rows: operation, status, ...
        rows = [line.split() for line in table.splitlines()
                if line.startswith(("save/", "load/")) and line.split()[1] in ("ok", "REGRESSED")]
        self.assertEqual(len(rows), 8, table)
        for row in rows:
            self.assertEqual(row[1] == "REGRESSED", row[0].startswith("save/"), table)


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1])
