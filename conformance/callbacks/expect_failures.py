#!/usr/bin/env python3
"""Runs a conformance suite binary built against a given implementation and
checks which of its cases fail, and which are skipped.

Usage: expect_failures.py [--skipped PATTERN]... [--failure-says TEXT]
                          SUITE_BINARY [PATTERN...]

Each PATTERN is an fnmatch pattern over gtest's full test names
("Suite.Test", "Prefix/Suite.Test/Param"). The expected failures are all the
tests the binary ran that match some PATTERN; each must match at least one
test. The failed tests (read from --gtest_output=xml) must be exactly the
expected ones: a defect the suite misses, and a correct case the
implementation fails for another reason, both fail this check. With no
PATTERN the suite must pass (exit 0) and fail nothing; with some it must
exit non-zero.

--skipped PATTERN: the tests it matches (at least one) must be reported as
skipped, and no other test may be. Without it, skips (a case that needs a
CUDA device, say) are allowed and counted in the summary line.
--failure-says TEXT: every failure's message must contain TEXT (e.g. the
signal a crashing case died of).

Under Bazel it writes the suite's cases as the test's own result
(XML_OUTPUT_FILE), so that they are counted one by one: a case that passed
or failed as expected passes (an expected failure carries the property
`pinned_failure`, the last line of its first message), a skipped one is skipped with
its reason, and every problem above is a failed case.
"""
import argparse
import fnmatch
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET


def run_suite(binary):
    """The suite's exit and its cases: (proc, [(full name, failure messages,
    skip message or None)]), from its --gtest_output=xml report."""
    env = {k: v for k, v in os.environ.items()
           if not (k.startswith("GTEST_") or k.startswith("TEST_SHARD")
                   or k in ("XML_OUTPUT_FILE", "TEST_TOTAL_SHARDS",
                            "TEST_PREMATURE_EXIT_FILE"))}
    out_dir = os.environ.get("TEST_TMPDIR") or tempfile.mkdtemp()
    report = os.path.join(out_dir, os.path.basename(binary) + ".xml")
    proc = subprocess.run([binary, "--gtest_output=xml:" + report], env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    cases = []
    for test in ET.parse(report).iter("testcase"):
        skip = test.find("skipped")
        cases.append((test.get("classname") + "." + test.get("name"),
                      [f.get("message", "") for f in test.iter("failure")],
                      None if skip is None else skip.get("message", "")))
    return proc, cases


def write_xml(path, binary, ran, expected, messages, skip_reasons, other_problems):
    """The suite's cases as JUnit XML, judged as main() judges them:
    `messages` holds the failed cases' failures, `skip_reasons` the skipped
    ones' reasons, `other_problems` what no single case's outcome says."""
    suite = ET.Element("testsuite", name=os.path.basename(binary))
    counts = {"tests": 0, "failures": 0, "skipped": 0}

    def case(name, failure=None):
        classname, _, test = name.rpartition(".")
        c = ET.SubElement(suite, "testcase", classname=classname, name=test)
        counts["tests"] += 1
        if failure is not None:
            first_line = failure.splitlines()[0] if failure else ""
            ET.SubElement(c, "failure", message=first_line).text = failure
            counts["failures"] += 1
        return c

    for name in ran:
        if name in messages and name not in expected:
            case(name, "\n".join(messages[name]))
        elif name in expected and name not in messages:
            case(name, "expected to fail (a pinned outcome), passed")
        else:
            c = case(name)
            if name in skip_reasons:
                ET.SubElement(c, "skipped", message=skip_reasons[name])
                counts["skipped"] += 1
            elif name in messages:
                # gtest's message starts with file:line; its last line says how it failed.
                lines = [l for l in messages[name][0].splitlines() if l.strip()]
                props = ET.SubElement(c, "properties")
                ET.SubElement(props, "property", name="pinned_failure",
                              value=lines[-1] if lines else "")
    for problem in other_problems:
        case("expect_failures." + problem.split(":")[0].replace(" ", "_"), problem)
    for k, v in counts.items():
        suite.set(k, str(v))
    root = ET.Element("testsuites")
    root.append(suite)
    ET.ElementTree(root).write(path, encoding="unicode", xml_declaration=True)


def matching(names, patterns):
    return {t for t in names if any(fnmatch.fnmatchcase(t, p) for p in patterns)}


def main():
    parser = argparse.ArgumentParser(usage=__doc__)
    parser.add_argument("--skipped", action="append", default=[])
    parser.add_argument("--failure-says")
    parser.add_argument("binary")
    parser.add_argument("patterns", nargs="*")
    args = parser.parse_args()
    proc, cases = run_suite(args.binary)
    ran = [name for name, _, _ in cases]
    messages = {name: failures for name, failures, _ in cases if failures}
    skip_reasons = {name: skip for name, _, skip in cases if skip is not None}
    failed, skipped = set(messages), set(skip_reasons)
    expected = matching(ran, args.patterns)
    # Problems a case's own outcome shows (written as that case's failure),
    # then the others.
    case_problems = (["missed (should fail, passed): " + t for t in sorted(expected - failed)] +
                     ["unexpected failure: " + t for t in sorted(failed - expected)])
    problems = []
    if args.patterns and proc.returncode == 0:
        problems.append("the suite passed (exit 0)")
    if not args.patterns and proc.returncode != 0:
        problems.append("the suite failed (exit %d)" % proc.returncode)
    for p in args.patterns + args.skipped:
        if not matching(ran, [p]):
            problems.append("pattern matches no test: " + p)
    if args.skipped:
        expected_skips = matching(ran, args.skipped)
        problems += ["not skipped: " + t for t in sorted(expected_skips - skipped)]
        problems += ["unexpected skip: " + t for t in sorted(skipped - expected_skips)]
    if args.failure_says:
        problems += ["failure of %s does not say %r" % (t, args.failure_says)
                     for t in sorted(failed)
                     if not any(args.failure_says in m for m in messages[t])]
    if os.environ.get("XML_OUTPUT_FILE"):
        write_xml(os.environ["XML_OUTPUT_FILE"], args.binary, ran, expected, messages,
                  skip_reasons, problems)
    problems = case_problems + problems
    print("%s: %d tests, %d failed as expected, %d skipped" %
          (args.binary, len(ran), len(failed & expected), len(skipped)))
    if problems:
        print(proc.stdout.decode(errors="replace")[-4000:])
        print("\n".join(problems))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
