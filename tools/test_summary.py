#!/usr/bin/env python3
"""Counts test cases from Bazel's test.xml files and prints one line per
failing case, then the plain closing line "N passed, N failed" (", N
skipped" after it when a case was skipped: a skip is never a pass).

Usage: tools/test_summary.py [TESTLOGS...]   (default: bazel-testlogs)
Each TESTLOGS is one configuration's bazel-testlogs folder (bazel info
[--config=X] bazel-testlogs); their cases are added up.
Exit status: 1 when a case failed or no case ran, else 0.
"""
import pathlib
import sys
import xml.etree.ElementTree as ET


def main() -> int:
    roots = [pathlib.Path(a) for a in sys.argv[1:] if a] or [pathlib.Path("bazel-testlogs")]
    passed = failed = skipped = 0
    for root, xml in ((r, x) for r in roots for x in sorted(r.rglob("test.xml"))):
        try:
            tree = ET.parse(xml)
        except ET.ParseError as e:
            print(f"FAILED {xml}: unreadable test.xml ({e})")
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
                print(f"FAILED {xml.parent.relative_to(root)}")
            continue
        for case in cases:
            name = f"{case.get('classname', '')}.{case.get('name', '')}"
            if case.find("failure") is not None or case.find("error") is not None:
                failed += 1
                print(f"FAILED {xml.parent.relative_to(root)}: {name}")
            elif case.find("skipped") is not None or case.get("result") == "suppressed":
                skipped += 1
            else:
                passed += 1
    line = f"{passed} passed, {failed} failed"
    if skipped:
        line += f", {skipped} skipped"
    print(line)
    return 1 if failed or passed == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
