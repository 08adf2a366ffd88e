"""tools/perf-history end to end over a synthetic store: a git history of
30 commits whose 15th turns on the slowed build's extra copy of every saved
chunk (saves +45% bridge instructions, loads unchanged, as
//bench:callgrind_saveload_slowed measures), one commit that does not
build. The change points must land on the planted commit, bisect must name
it from the store without building anything, and the page and the store
command must work on that history."""

import contextlib
import io
import json
import os
import subprocess
import tempfile
import unittest

from bench.history import backfill
from bench.history import perf_history
from bench.history import store as store_lib

DATA = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "testdata")
PLANTED, BROKEN, COMMITS = 15, 7, 30
MACHINE = "test CPU, 2 cores"


def git(root, *args):
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com",
               GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.com")
    return subprocess.run(["git", "-C", root] + list(args), env=env, check=True,
                          stdout=subprocess.PIPE, universal_newlines=True).stdout.strip()


class PlantedRegressionTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(dir=os.environ.get("TEST_TMPDIR"))
        cls.root = os.path.join(cls.dir, "repo")
        os.makedirs(cls.root)
        git(cls.root, "init", "--quiet", "--initial-branch=main")
        cls.shas = []
        for i in range(COMMITS):
            subject = ("bench: saves go through ExtraCopyWrite <planted>" if i == PLANTED
                       else "commit %d" % i)
            with open(os.path.join(cls.root, "file"), "w") as f:
                f.write("%d\n" % i)
            git(cls.root, "add", "file")
            os.environ["GIT_COMMITTER_DATE"] = "%d +0000" % (1700000000 + i)
            git(cls.root, "commit", "--quiet", "-m", subject)
            cls.shas.append(git(cls.root, "rev-parse", "HEAD"))
        del os.environ["GIT_COMMITTER_DATE"]
        cls.repo = backfill.Repo(cls.root)
        cls.path = os.path.join(cls.dir, "history.sqlite")
        with open(os.path.join(DATA, "instructions.json")) as f:
            cls.doc = json.load(f)
        store = store_lib.Store(cls.path)
        key = store_lib.Key("1.13", "opt", MACHINE, "instructions")
        for i, sha in enumerate(cls.shas):
            cls.repo.add_commit(store, sha)
            if i == BROKEN:
                store.put(store_lib.Run(sha, key, "build_failed", detail="error: planted"))
                continue
            results = {}
            for (name, metric), (v, _, _) in store_lib.instructions_results(cls.doc).items():
                slowed = i >= PLANTED and name.startswith("save/") and metric in (
                    "bridge", "bridge_per_byte")
                results[(name, metric)] = (v * 1.45 if slowed else v, None, None)
            store.put(store_lib.Run(sha, key, "ok", results))
        store.close()

    def cli(self, *argv):
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = perf_history.main(["--store", self.path, "--machine", MACHINE] + list(argv),
                                       repo=self.repo)
        return status, out.getvalue(), err.getvalue()

    def test_change_points_land_on_the_planted_commit(self):
        status, out, err = self.cli("changes", "--json")
        self.assertEqual(status, 0, err)
        rows = json.loads(out)
        saves = {n for n in self.doc["operations"] if n.startswith("save/")}
        self.assertEqual({(r["series"], r["commit"]) for r in rows},
                         {("%s:%s" % (n, m), self.shas[PLANTED])
                          for n in saves for m in ("bridge", "bridge_per_byte")})
        for r in rows:
            self.assertAlmostEqual(r["step"], 0.45)
            self.assertIn("<planted>", r["subject"])

    def test_bisect_names_the_planted_commit_from_the_store(self):
        series = "%s:bridge_per_byte" % sorted(
            n for n in self.doc["operations"] if n.startswith("save/"))[0]
        status, out, err = self.cli("bisect", self.shas[0], self.shas[-1], "--metric", series,
                                    "--worktree", os.path.join(self.dir, "never-built"))
        self.assertEqual(status, 0, err)
        self.assertIn("first commit that steps by more than 1%%: %s" % self.shas[PLANTED], out)
        self.assertIn("0 measured here", out)
        self.assertFalse(os.path.exists(os.path.join(self.dir, "never-built")))
        stored = int(out.split(" from the store")[0].rsplit(" ", 1)[1])
        self.assertLessEqual(stored, 8)  # log2(30) rounded up, GOOD and BAD, a skip

    def test_bisect_of_a_load_finds_nothing(self):
        series = "%s:bridge_per_byte" % sorted(
            n for n in self.doc["operations"] if n.startswith("load/"))[0]
        status, _, err = self.cli("bisect", self.shas[0], self.shas[-1], "--metric", series)
        self.assertEqual(status, 1)
        self.assertIn("nothing to find", err)

    def test_bisect_refuses_a_good_after_bad(self):
        status, _, err = self.cli("bisect", self.shas[-1], self.shas[0], "--metric", "x:bridge")
        self.assertEqual(status, 2)
        self.assertIn("not in BAD", err)

    def test_page(self):
        out_dir = os.path.join(self.dir, "page")
        status, out, err = self.cli("page", "--out", out_dir)
        self.assertEqual(status, 0, err)
        with open(os.path.join(out_dir, "index.html")) as f:
            self.assertIn('href="libtorch-1.13.html"', f.read())
        with open(os.path.join(out_dir, "libtorch-1.13.html")) as f:
            page = f.read()
        self.assertIn("&lt;planted&gt;", page)
        self.assertIn("build_failed", page)
        saves = [n for n in self.doc["operations"] if n.startswith("save/")]
        self.assertEqual(page.count('class="change"'), 2 * len(saves))  # bridge, per byte

    def test_store_refuses_figures_of_another_build(self):
        doc = dict(self.doc, context=dict(self.doc["context"], compilation_mode="fastbuild"))
        path = os.path.join(self.dir, "fastbuild.json")
        with open(path, "w") as f:
            json.dump(doc, f)
        status, _, err = self.cli("--store", os.path.join(self.dir, "mode.sqlite"), "store",
                                  "--instructions", path)
        self.assertEqual(status, 2)
        self.assertIn("measured in a fastbuild build, not opt", err)

    def test_store_refuses_a_dirty_checkout_and_stores_a_clean_one(self):
        with open(os.path.join(self.root, "file"), "w") as f:
            f.write("changed\n")
        try:
            status, _, err = self.cli("--store", os.path.join(self.dir, "ci.sqlite"), "store",
                                      "--instructions", os.path.join(DATA, "instructions.json"))
            self.assertEqual(status, 2)
            self.assertIn("changes that HEAD does not", err)
        finally:
            git(self.root, "checkout", "--quiet", "file")
        status, out, err = self.cli("--store", os.path.join(self.dir, "ci.sqlite"), "store",
                                    "--instructions", os.path.join(DATA, "instructions.json"))
        self.assertEqual(status, 0, err)
        self.assertIn("stored", out)
        status, out, err = self.cli("--store", os.path.join(self.dir, "ci.sqlite"), "export")
        self.assertEqual(status, 0, err)
        self.assertEqual(json.loads(out)["commit"], self.shas[-1])


if __name__ == "__main__":
    unittest.main()
