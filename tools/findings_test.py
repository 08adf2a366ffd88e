"""FINDINGS.md's "Seen on, by replay" table says what the records say, and
so does each report draft of upstream/reports/; every finding has a draft,
complete, and one that the replays show security-relevant is drafted for
PyTorch's private channel (upstream/reports/README.md).

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


PROJECTS = ("PyTorch", "tch-rs")
CHANNEL = re.compile(r"public issue|comment on [\w.-]+/[\w.-]+#\d+|private security report")
SECTIONS = {
    "comment": ("What this adds", "Reproducer"),
    "other": ("Title", "Reproducer", "Expected", "Actual", "Impact", "Suggested fix"),
}
# Outcomes of Python's safe loader that make a finding security-relevant.
UNSAFE = re.compile(r"torch\.load\(weights_only=True\): (killed by|memory_blowup)")


def all_findings():
    with open(findings.FINDINGS_MD) as f:
        return re.findall(r"^\| (F\d+) \|", f.read(), re.M)


def drafts(text):
    """[(project, channel)] of a report's **Drafts:** line."""
    m = re.search(r"^- \*\*Drafts:\*\* (.+)$", text, re.M)
    if not m:
        return []
    return [tuple(part.strip().split(": ", 1)) for part in m.group(1).split(";")]


def section(text, heading):
    """The text of `## heading` up to the next `## `, or None."""
    m = re.search(r"^## %s\n(.*?)(?=^## |\Z)" % re.escape(heading), text, re.M | re.S)
    return m.group(1) if m else None


class ReportDraftsTest(unittest.TestCase):
    def test_every_finding_has_a_draft(self):
        self.assertEqual(set(findings.reports()), set(all_findings()),
                         "upstream/reports/ must hold one F<n>.md per finding of FINDINGS.md")

    def test_drafts_are_complete(self):
        crashes = {finding for finding, _, seen in findings.records()
                   if any("SIG" in outcome for outcome in seen.values())}
        for finding, path in findings.reports().items():
            with open(path) as f:
                text = f.read()
            with self.subTest(finding):
                self.assertTrue(text.startswith(f"# {finding}: "), "title line")
                self.assertRegex(text, r"(?m)^- \*\*Finding:\*\* %s\b" % finding)
                related = re.search(r"(?m)^- \*\*Related upstream:\*\* (.+)$", text)
                self.assertIsNotNone(related, "no Related upstream line")
                targets = drafts(text)
                self.assertTrue(targets, "no Drafts line")
                # Several drafts in one file: each subsection names its
                # project, so that no heading of the file repeats.
                tag = (lambda project: f" ({project})") if len(targets) > 1 else (lambda _: "")
                for target in targets:
                    self.assertEqual(len(target), 2, target)
                    project, channel = target
                    self.assertIn(project, PROJECTS)
                    self.assertTrue(CHANNEL.fullmatch(channel), f"channel {channel!r}")
                    body = section(text, f"Draft for {project}: {channel}")
                    self.assertIsNotNone(body, f"no section for {project}: {channel}")
                    kind = "comment" if channel.startswith("comment on ") else "other"
                    for sub in SECTIONS[kind]:
                        self.assertRegex(body, r"(?m)^### %s$" % re.escape(sub + tag(project)),
                                         f"{project}: {channel} lacks ### {sub}")
                    if kind == "comment":
                        self.assertIn(channel[len("comment on "):], related.group(1))
                    elif finding in crashes:
                        self.assertRegex(body, r"(?m)^### %s$" % re.escape("Stack" + tag(project)),
                                         f"{finding} crashes")

    def test_tables_are_made_from_the_records(self):
        rows, upstream = findings.records(), findings.upstream_rows()
        for finding, path in findings.reports().items():
            current, _ = findings.table_in(path)
            self.assertEqual(current, findings.report_table(finding, rows, upstream),
                             f"{finding}'s table differs from the records: run "
                             "tools/findings --write --libtorch=")

    def test_security_relevant_findings_go_to_the_private_channel(self):
        unsafe = {finding for finding, _, version, _, python in findings.upstream_rows()
                  if findings.version_key(version) >= (2, 0) and UNSAFE.search(python)}
        self.assertTrue(unsafe <= set(findings.reports()), unsafe)
        for finding, path in findings.reports().items():
            with open(path) as f:
                private = ("PyTorch", "private security report") in drafts(f.read())
            self.assertEqual(private, finding in unsafe,
                             f"{finding}: a private security report exactly when "
                             "torch.load(weights_only=True) crashes or blows up on 2.x")


if __name__ == "__main__":
    unittest.main()
