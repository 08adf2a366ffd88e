"""Tests of the performance history's store (bench/history/store.py): runs
stored, replaced and read back as series, the schema version, the JSON-lines
export and its import, and the figures read from each kind of result file
(the synthetic files of bench/testdata/)."""

import io
import json
import os
import sqlite3
import tempfile
import unittest

from bench.history import store as store_lib

DATA = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "testdata")
KEY = store_lib.Key("1.13", "opt", "test CPU, 2 cores", "instructions")


def load(name):
    with open(os.path.join(DATA, name)) as f:
        return json.load(f)


def run(sha, value, status="ok"):
    results = {} if status != "ok" else {("save/x", "bridge_per_byte"): (value, None, None)}
    return store_lib.Run(sha, KEY, status, results, detail="" if status == "ok" else "why")


class StoreTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(dir=os.environ.get("TEST_TMPDIR"))
        self.path = os.path.join(self.dir, "sub", "history.sqlite")
        self.store = store_lib.Store(self.path)
        for i, sha in enumerate("abc"):
            self.store.add_commit(sha, "subject %s" % sha, 1000 + i)

    def tearDown(self):
        self.store.close()

    def test_put_get_replace(self):
        self.store.put(run("a", 2.0))
        self.assertEqual(self.store.get("a", KEY).results,
                         {("save/x", "bridge_per_byte"): (2.0, None, None)})
        self.store.put(run("a", 3.0))
        self.assertEqual(self.store.get("a", KEY).results[("save/x", "bridge_per_byte")][0], 3.0)
        self.assertEqual(len(self.store.keys()), 1)
        self.assertIsNone(self.store.get("a", KEY.with_kind("wall")))
        self.assertIsNone(self.store.get("b", KEY))

    def test_a_run_needs_its_commit(self):
        with self.assertRaises(store_lib.StoreError):
            self.store.put(run("zzz", 1.0))

    def test_series_leave_gaps_for_failed_and_missing_commits(self):
        self.store.put(run("a", 2.0))
        self.store.put(run("b", 0.0, status="build_failed"))
        self.assertEqual(self.store.series(KEY, ["a", "b", "c"]),
                         {"save/x:bridge_per_byte": [(2.0, None, None), None, None]})
        self.assertEqual(self.store.get("b", KEY).status, "build_failed")

    def test_other_schema_versions_are_refused(self):
        self.store.close()
        db = sqlite3.connect(self.path)
        with db:
            db.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
        db.close()
        with self.assertRaisesRegex(store_lib.StoreError, "schema version 99"):
            store_lib.Store(self.path)
        self.store = store_lib.Store(":memory:")

    def test_a_file_that_is_not_a_store_is_refused(self):
        path = os.path.join(self.dir, "not.sqlite")
        with open(path, "w") as f:
            f.write("not a database, but long enough to have a header" * 20)
        with self.assertRaises(store_lib.StoreError):
            store_lib.Store(path)

    def test_export_import_round_trip(self):
        self.store.put(run("a", 2.0))
        self.store.put(run("b", 0.0, status="run_failed"))
        wall = store_lib.Run("c", KEY.with_kind("wall"), "ok",
                             {("ratio/r/1048576", "ratio"): (0.98, 0.95, 1.01)}, seconds=12.5)
        self.store.put(wall)
        out = io.StringIO()
        self.assertEqual(self.store.export(out), 3)
        lines = out.getvalue().splitlines()
        self.assertEqual([json.loads(line)["schema"] for line in lines],
                         [store_lib.EXPORT_SCHEMA] * 3)
        other = store_lib.Store(":memory:")
        self.assertEqual(other.import_lines(lines), 3)
        again = io.StringIO()
        other.export(again)
        self.assertEqual(again.getvalue(), out.getvalue())
        self.assertEqual(other.get("c", KEY.with_kind("wall")).results,
                         {("ratio/r/1048576", "ratio"): (0.98, 0.95, 1.01)})

    def test_import_refuses_another_schema(self):
        with self.assertRaisesRegex(store_lib.StoreError, "line 1 has schema"):
            self.store.import_lines(['{"schema": "tsh-perf-history/0"}'])
        with self.assertRaisesRegex(store_lib.StoreError, "line 2 is not a run"):
            self.store.import_lines(["", '{"schema": "%s"}' % store_lib.EXPORT_SCHEMA])

    def test_unknown_kind_and_status(self):
        with self.assertRaises(store_lib.StoreError):
            store_lib.Key("1.13", "opt", "m", "seconds")
        with self.assertRaises(store_lib.StoreError):
            store_lib.Run("a", KEY, "fine")


class ResultsTest(unittest.TestCase):
    def test_instructions(self):
        got = store_lib.instructions_results(load("instructions.json"))
        doc = load("instructions.json")
        name = sorted(doc["operations"])[0]
        self.assertEqual(got[(name, "bridge_per_byte")][0],
                         doc["operations"][name]["bridge_per_byte"])
        self.assertEqual(len(got), 4 * len(doc["operations"]))

    def test_wall_ratios_with_intervals_and_call_counts(self):
        doc = load("normal.json")
        doc["benchmarks"].append({
            "name": "ratio/load_hardened_over_faithful_cursor/1048576/real_time",
            "run_type": "aggregate", "aggregate_name": "median",
            "ratio_median": 0.95, "ratio_lo": 0.93, "ratio_hi": 0.97})
        got = store_lib.wall_results(doc)
        self.assertEqual(got[("ratio/load_hardened_over_faithful_cursor/1048576", "ratio")],
                         (0.95, 0.93, 0.97))
        plain = [v for (b, m), v in got.items() if m == "ratio" and v[1] is None]
        self.assertTrue(plain, "no ratio of two separate cases")
        self.assertTrue(any(m == "seek_calls" for _, m in got))

    def test_a_wall_run_with_errors_is_not_a_measurement(self):
        doc = load("normal.json")
        doc["benchmarks"][0] = dict(doc["benchmarks"][0], error_occurred=True,
                                    error_message="save failed")
        with self.assertRaisesRegex(store_lib.StoreError, "save failed"):
            store_lib.wall_results(doc)

    def test_large_memory(self):
        doc = {"mib": 2304,
               "operations": {"save/torch": {"ok": True, "seconds": 2.0, "peak_kib": 10}},
               "ratios": {"save_peak_hardened_over_torch_path": {"value": 1.01}}}
        got = store_lib.large_memory_results(doc)
        self.assertEqual(got[("large/save/torch", "seconds")][0], 2.0)
        self.assertEqual(got[("large/save_peak_hardened_over_torch_path", "ratio")][0], 1.01)
        doc["operations"]["save/torch"]["ok"] = False
        with self.assertRaises(store_lib.StoreError):
            store_lib.large_memory_results(doc)

    def test_kind_of(self):
        self.assertEqual(store_lib.kind_of("save/cursor/faithful/f32/65536:bridge_per_byte"),
                         "instructions")
        self.assertEqual(store_lib.kind_of("ratio/load_x/1048576:ratio"), "wall")
        self.assertEqual(store_lib.kind_of("load/bufio/hardened/f32/1048576:seek_calls"), "wall")
        self.assertEqual(store_lib.kind_of("large/save_peak:ratio"), "large_memory")


if __name__ == "__main__":
    unittest.main()
