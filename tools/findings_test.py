"""FINDINGS.md's "Seen on, by replay" table says what the records say.

The records (each finding cell's "outcomes", each crash .txt's
`outcome[V]:` lines) are what every LibTorch version's own tests replay
(//conformance/matrix:fault_matrix_test, //fuzz:*_regression_test): with
this test, the table cannot disagree with a replay. It reads the source
tree, so it must never be cached (tag "external")."""
import importlib.machinery
import importlib.util
import os
import re
import sys
import unittest

# tools/findings is loaded from the source tree: leave no bytecode cache there.
sys.dont_write_bytecode = True

_PATH = os.path.join(os.path.dirname(os.path.realpath(__file__)), "findings")
_loader = importlib.machinery.SourceFileLoader("tools_findings", _PATH)
_spec = importlib.util.spec_from_loader("tools_findings", _loader)
findings = importlib.util.module_from_spec(_spec)
_loader.exec_module(findings)


class FindingsTableTest(unittest.TestCase):
    def test_table_is_made_from_the_records(self):
        current, _ = findings.table_in_findings_md()
        self.assertIsNotNone(current, "FINDINGS.md lost the table's markers")
        self.assertEqual(current, findings.table(findings.records(), findings.upstream_rows()),
                         "FINDINGS.md's table differs from the records: run tools/findings --write")

    def test_every_reproducer_is_replayed_on_every_version(self):
        rows = findings.records()
        versions = {v for _, _, seen in rows for v in seen}
        self.assertGreaterEqual(len(versions), 2, versions)
        for finding, path, seen in rows:
            self.assertEqual(set(seen), versions, f"{finding} {path}")

    def test_findings_marked_replayed_have_a_reproducer_in_the_table(self):
        with open(findings.FINDINGS_MD) as f:
            text = f.read()
        marked = set(re.findall(r"^\| (F\d+) \|[^\n]*\| replayed \|", text, re.M))
        self.assertTrue(marked)
        self.assertEqual(marked, {finding for finding, _, _ in findings.records()})


if __name__ == "__main__":
    unittest.main()
