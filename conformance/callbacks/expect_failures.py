#!/usr/bin/env python3
"""Runs a conformance suite binary built against a given implementation and
checks which of its cases fail, and which are skipped.

Usage: expect_failures.py [--skipped PATTERN]... [--failure-says TEXT]
                          SUITE_BINARY [PATTERN...]

Each PATTERN is an fnmatch pattern over gtest's full test names
("Suite.Test", "Prefix/Suite.Test/Param"). The expected failures are all the
tests the binary ran that match some PATTERN; each must match at least one
test. The failed tests (read from --gtest_output=json) must be exactly the
expected ones: a defect the suite misses, and a correct case the
implementation fails for another reason, both fail this check. With no
PATTERN the suite must pass (exit 0) and fail nothing; with some it must
exit non-zero.

--skipped PATTERN: the tests it matches (at least one) must be reported as
skipped, and no other test may be. Without it, skips (a case that needs a
CUDA device, say) are allowed and counted in the summary line. --failure-says TEXT: every failure's
message must contain TEXT (e.g. the signal a crashing case died of).
"""
import argparse
import fnmatch
import json
import os
import subprocess
import sys
import tempfile


def run_suite(binary):
    env = {k: v for k, v in os.environ.items()
           if not (k.startswith("GTEST_") or k.startswith("TEST_SHARD")
                   or k in ("XML_OUTPUT_FILE", "TEST_TOTAL_SHARDS",
                            "TEST_PREMATURE_EXIT_FILE"))}
    out_dir = os.environ.get("TEST_TMPDIR") or tempfile.mkdtemp()
    report = os.path.join(out_dir, os.path.basename(binary) + ".json")
    proc = subprocess.run([binary, "--gtest_output=json:" + report], env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    with open(report) as f:
        return proc, json.load(f)


def matching(names, patterns):
    return {t for t in names if any(fnmatch.fnmatchcase(t, p) for p in patterns)}


def main():
    parser = argparse.ArgumentParser(usage=__doc__)
    parser.add_argument("--skipped", action="append", default=[])
    parser.add_argument("--failure-says")
    parser.add_argument("binary")
    parser.add_argument("patterns", nargs="*")
    args = parser.parse_args()
    proc, results = run_suite(args.binary)
    ran, failed, skipped, messages = [], set(), set(), {}
    for suite in results["testsuites"]:
        for test in suite["testsuite"]:
            name = suite["name"] + "." + test["name"]
            ran.append(name)
            if test.get("failures"):
                failed.add(name)
                messages[name] = [f["failure"] for f in test["failures"]]
            if test.get("result") == "SKIPPED":
                skipped.add(name)
    problems = []
    if args.patterns and proc.returncode == 0:
        problems.append("the suite passed (exit 0)")
    if not args.patterns and proc.returncode != 0:
        problems.append("the suite failed (exit %d)" % proc.returncode)
    for p in args.patterns + args.skipped:
        if not matching(ran, [p]):
            problems.append("pattern matches no test: " + p)
    expected = matching(ran, args.patterns)
    problems += ["missed (should fail, passed): " + t for t in sorted(expected - failed)]
    problems += ["unexpected failure: " + t for t in sorted(failed - expected)]
    if args.skipped:
        expected_skips = matching(ran, args.skipped)
        problems += ["not skipped: " + t for t in sorted(expected_skips - skipped)]
        problems += ["unexpected skip: " + t for t in sorted(skipped - expected_skips)]
    if args.failure_says:
        problems += ["failure of %s does not say %r" % (t, args.failure_says)
                     for t in sorted(failed)
                     if not any(args.failure_says in m for m in messages[t])]
    print("%s: %d tests, %d failed as expected, %d skipped" %
          (args.binary, len(ran), len(failed & expected), len(skipped)))
    if problems:
        print(proc.stdout.decode(errors="replace")[-4000:])
        print("\n".join(problems))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
