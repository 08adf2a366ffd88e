"""tools/mutants' table fits the tree: every mutant's snippet occurs exactly
once in its file and its replacement differs, so a change to the twin that
makes a mutant stale fails here, loudly, rather than as an invalid mutant in
a long run. Also the table parser and the reading of Bazel's output, on
small inputs. No Bazel build. It reads the source tree, so it must never be
cached (tag "external")."""
import importlib.machinery
import importlib.util
import os
import sys
import unittest

# tools/mutants is loaded from the source tree: leave no bytecode cache there.
sys.dont_write_bytecode = True

_PATH = os.path.join(os.path.dirname(os.path.realpath(__file__)), "mutants")
_loader = importlib.machinery.SourceFileLoader("tools_mutants", _PATH)
_spec = importlib.util.spec_from_loader("tools_mutants", _loader)
mutants = importlib.util.module_from_spec(_spec)
_loader.exec_module(mutants)

# The files tools/mutants may mutate: the faithful twin.
TWIN = {
    "bridge/callbacks.cc",
    "bridge/read_adapter.cc",
    "bridge/write_adapter.cc",
    "bridge/torch_api.cc",
    "bridge/hardened_read_adapter.cc",
    "bridge/hardened_write_adapter.cc",
}


class TableTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.table = mutants.load_table(mutants.TABLE)

    def test_every_snippet_occurs_exactly_once(self):
        problems = [p for p in (mutants.snippet_problem(m, mutants.ROOT) for m in self.table) if p]
        self.assertEqual(problems, [], "stale mutants: update testdata/mutants/twin.txt")

    def test_every_replacement_differs(self):
        for m in self.table:
            self.assertNotEqual(m.snippet, m.replacement_text, m.id)

    def test_only_the_twin_is_mutated(self):
        for m in self.table:
            self.assertIn(m.file, TWIN, m.id)

    def test_enough_mutants_in_every_file(self):
        self.assertGreaterEqual(len(self.table), 45)
        for f in TWIN:
            self.assertGreaterEqual(sum(m.file == f for m in self.table), 3, f)

    def test_kill_targets_are_labels(self):
        for m in self.table:
            self.assertTrue(m.targets(), m.id)
            for t in m.targets():
                self.assertRegex(t, r"^//[a-z0-9_/]*:[a-z0-9_]+$", m.id)


class ParserTest(unittest.TestCase):
    TEXT = """\
# a comment
== a.b
file: bridge/x.cc
what: one line
kill: contract extras //bridge:hardened_test
-   foo();
-
+   bar();

== a.c
file: bridge/x.cc
what: deleted
equivalent: because
- baz();
"""

    def test_blocks(self):
        a, c = mutants.parse_table(self.TEXT)
        self.assertEqual(a.snippet, "  foo();\n")
        self.assertEqual(a.replacement_text, "  bar();")
        self.assertEqual(a.targets(), mutants.CONTRACT_TARGETS + mutants.EXTRAS_TARGETS
                         + ["//bridge:hardened_test"])
        self.assertEqual(c.replacement_text, "")
        self.assertEqual(c.equivalent, "because")
        self.assertEqual(c.targets(), mutants.CONTRACT_TARGETS)

    def test_malformed_tables_are_refused(self):
        for text in [
            "file: x\n",  # before any mutant
            "== a.b\nfile: x\nwhat: w\n",  # no snippet
            "== a.b\nfile: x\nwhat: w\n- same\n+ same\n",  # no change
            "== a.b\nfile: x\nwhat: w\n- a\n== a.b\nfile: x\nwhat: w\n- b\n",  # duplicate
            "== a.b\nfile: x\n- a\n",  # no what:
            "== a.b\nfile: x\nwhat: w\nwhom: z\n- a\n",  # unknown key
        ]:
            with self.assertRaises(mutants.UsageError, msg=text):
                mutants.parse_table(text)

    def test_select(self):
        table = mutants.parse_table(self.TEXT)
        self.assertEqual([m.id for m in mutants.select(table, "a.c")], ["a.c"])
        with self.assertRaises(mutants.UsageError):
            mutants.select(table, "a.c,nope")


class BazelOutputTest(unittest.TestCase):
    OUTPUT = """\
[==========] Running 3 tests from 1 test suite.
[  FAILED  ] Write.ShortCountPassedThroughExactly (0 ms)
[  FAILED  ] AllKinds/ErrorKinds.WriteFailsAndLeavesOutSize/Other, where GetParam() = 11 (0 ms)
[  FAILED  ] Write.ShortCountPassedThroughExactly
//conformance/callbacks:callbacks_test                                   FAILED in 0.1s
//conformance/ownership:ownership_test                                   TIMEOUT in 300.0s
//bridge:hardened_test                                                   PASSED in 9.0s
//conformance/roundtrip:abi_layout_roundtrip_test                        FAILED TO BUILD
"""

    def test_failed_targets(self):
        self.assertEqual(mutants.failed_targets(self.OUTPUT),
                         ["//conformance/callbacks:callbacks_test",
                          "//conformance/ownership:ownership_test"])

    def test_failed_cases(self):
        self.assertEqual(mutants.failed_cases(self.OUTPUT),
                         ["AllKinds/ErrorKinds.WriteFailsAndLeavesOutSize/Other",
                          "Write.ShortCountPassedThroughExactly"])

    def test_kill_rate_leaves_out_invalid_and_equivalent(self):
        results = [{"status": s, "outcome": o} for s, o in [
            ("killed", "killed"), ("killed", "killed"), ("survived", "survived"),
            ("invalid", "invalid"), ("equivalent", "survived"), ("equivalent", "killed")]]
        t = mutants.totals(results)
        self.assertEqual(t["kill_rate"], round(2 / 3, 4))
        self.assertEqual(t["equivalent_killed"], 1)


if __name__ == "__main__":
    unittest.main()
