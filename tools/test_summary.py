#!/usr/bin/env python3
"""Counts test cases from Bazel's test.xml files and prints one line per
failing case, one line of counts per configuration, then the plain closing
line "N passed, N failed" (", N skipped" after it when a case was skipped:
a skip is never a pass).

Usage: tools/test_summary.py [[NAME=]TESTLOGS...]   (default: bazel-testlogs)
Each TESTLOGS is one configuration's bazel-testlogs folder (bazel info
[--config=X] bazel-testlogs), NAME what to call it; their cases are added
up.
Exit status: 1 when a case failed or no case ran, else 0.
"""
import pathlib
import sys
import xml.etree.ElementTree as ET


def count(root: pathlib.Path, label: str):
    """(passed, failed, skipped) of one configuration's test.xml files,
    printing each failing case."""
    passed = failed = skipped = 0
    for xml in sorted(root.rglob("test.xml")):
        try:
            tree = ET.parse(xml)
        except ET.ParseError as e:
            print(f"FAILED {label}: {xml}: unreadable test.xml ({e})")
            failed += 1
            continue
        cases = list(tree.iter("testcase"))
        if not cases:
            # A target that wrote no case of its own (a shell test): Bazel's
            # test.xml records it as one suite.
            suites = list(tree.iter("testsuite"))
            bad = any(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
            failed += bad
            passed += not bad
            if bad:
                print(f"FAILED {label}: {xml.parent.relative_to(root)}")
            continue
        for case in cases:
            name = f"{case.get('classname', '')}.{case.get('name', '')}"
            if case.find("failure") is not None or case.find("error") is not None:
                failed += 1
                print(f"FAILED {label}: {xml.parent.relative_to(root)}: {name}")
            elif case.find("skipped") is not None or case.get("result") == "suppressed":
                skipped += 1
            else:
                passed += 1
    return passed, failed, skipped


def line(passed: int, failed: int, skipped: int) -> str:
    return f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else "")


def main() -> int:
    args = [a for a in sys.argv[1:] if a] or ["bazel-testlogs"]
    totals = [0, 0, 0]
    for arg in args:
        label, _, path = arg.rpartition("=")
        counts = count(pathlib.Path(path), label or path)
        print(f"{label or path}: {line(*counts)}")
        totals = [t + c for t, c in zip(totals, counts)]
    print(line(*totals))
    return 1 if totals[1] or totals[0] == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
