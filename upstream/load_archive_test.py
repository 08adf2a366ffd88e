"""Replays every archive_fuzzer crash reproducer through the standalone
reproducers, LibTorch's C++ API (load_archive) and Python PyTorch
(load_archive.py) of the LibTorch this test is built against, and checks
each ends as its record says for that version (reproduce.py: agrees(), for
a wild read every way of failing alike).

Usage (from BUILD): load_archive_test.py LOAD_ARCHIVE PYTHON VERSION_TXT
                    LOAD_ARCHIVE_PY REPRODUCER.bin...
"""
import os
import sys
import unittest

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
import reproduce  # noqa: E402

BINARY, PYTHON, VERSION_TXT, SCRIPT, *DATA = sys.argv[1:]
REPRODUCERS = [p for p in DATA if p.endswith(".bin")]
del sys.argv[1:]
with open(VERSION_TXT) as f:
    VERSION = f.read().strip()


class LoadArchiveTest(unittest.TestCase):
    def check(self, key, run):
        self.assertTrue(REPRODUCERS)
        for bin_path in REPRODUCERS:
            with self.subTest(reproducer=os.path.basename(bin_path)):
                with open(bin_path[:-4] + ".txt") as f:
                    record = f.read()
                want = reproduce.recorded(record, key, VERSION)
                self.assertIsNotNone(want, f"no {key}[{VERSION}] line: tools/findings --write")
                got = run(bin_path)
                self.assertTrue(reproduce.agrees(got, want, record),
                                f"LibTorch {VERSION} gives\n  {got}\nrecorded\n  {want}")

    def test_cpp_api(self):
        self.check("upstream", lambda p: reproduce.cpp(BINARY, p))

    def test_python(self):
        self.check("upstream_python", lambda p: reproduce.python(PYTHON, SCRIPT, p))


if __name__ == "__main__":
    unittest.main()
