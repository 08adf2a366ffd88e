#!/usr/bin/env python3
"""Runs a conformance suite binary built against a broken implementation and
checks that it fails, and fails exactly the expected cases.

Usage: expect_failures.py SUITE_BINARY PATTERN...

Each PATTERN is an fnmatch pattern over gtest's full test names
("Suite.Test", "Prefix/Suite.Test/Param"). The expected failures are all the
tests the binary ran that match some pattern; each pattern must match at
least one test. The binary must exit non-zero and its failed tests (read
from --gtest_output=json) must be exactly the expected ones: a defect the
suite misses, and a correct case the broken implementation fails for
another reason, both fail this check.
"""
import fnmatch
import json
import os
import subprocess
import sys
import tempfile


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    binary, patterns = argv[1], argv[2:]
    env = {k: v for k, v in os.environ.items()
           if not (k.startswith("GTEST_") or k.startswith("TEST_SHARD")
                   or k in ("XML_OUTPUT_FILE", "TEST_TOTAL_SHARDS",
                            "TEST_PREMATURE_EXIT_FILE"))}
    out_dir = os.environ.get("TEST_TMPDIR") or tempfile.mkdtemp()
    report = os.path.join(out_dir, os.path.basename(binary) + ".json")
    proc = subprocess.run([binary, "--gtest_output=json:" + report], env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    with open(report) as f:
        results = json.load(f)
    ran, failed = [], set()
    for suite in results["testsuites"]:
        for test in suite["testsuite"]:
            name = suite["name"] + "." + test["name"]
            ran.append(name)
            if test.get("failures"):
                failed.add(name)
    expected = {t for t in ran if any(fnmatch.fnmatchcase(t, p) for p in patterns)}
    problems = []
    if proc.returncode == 0:
        problems.append("the suite passed (exit 0)")
    for p in patterns:
        if not any(fnmatch.fnmatchcase(t, p) for t in ran):
            problems.append("pattern matches no test: " + p)
    problems += ["missed (should fail, passed): " + t for t in sorted(expected - failed)]
    problems += ["unexpected failure: " + t for t in sorted(failed - expected)]
    print("%s: %d tests, %d failed as expected" % (binary, len(ran), len(failed & expected)))
    if problems:
        print(proc.stdout.decode(errors="replace")[-4000:])
        print("\n".join(problems))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
