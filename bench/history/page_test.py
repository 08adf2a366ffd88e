"""Tests of the history page (bench/history/page.py) on a synthetic
section: what each plot carries (a point per commit with its subject, the
change points, the baseline, intervals, commits without a figure), the
series listed rather than drawn, and the commit table."""

import re
import unittest

from bench.history import change_points
from bench.history import page
from bench.history import store as store_lib

SHAS = ["%040x" % i for i in range(6)]
SUBJECTS = ["commit %d" % i for i in range(5)] + ["a <b> & c"]
KEY = store_lib.Key("1.13", "opt", "test CPU, 2 cores", "wall")


def section():
    stepped = [(1.0, 0.98, 1.02)] * 3 + [(0.8, 0.78, 0.82)] * 3
    stepped[1] = None
    series = {"ratio/x/1048576:ratio": stepped,
              "load/bufio/hardened/f32/1048576:seek_calls": [(4.0, None, None)] * 6}
    changes = {"ratio/x/1048576:ratio": [change_points.ChangePoint(
        "ratio/x/1048576:ratio", 3, 1.0, 0.8, 0.01, True)]}
    statuses = dict.fromkeys(SHAS, "ok")
    statuses[SHAS[1]] = "build_failed"
    return page.Section(KEY, series, changes, {"ratio/x/1048576:ratio": 0.97}, statuses)


class PageTest(unittest.TestCase):
    def setUp(self):
        self.html = page.version_page("1.13", SHAS, SUBJECTS, [section()])

    def test_one_plot_per_changing_series(self):
        self.assertEqual(self.html.count("<svg"), 1)
        self.assertIn("Constant over these commits (1): <code>load/bufio/hardened/f32/1048576"
                      ":seek_calls</code>", self.html)

    def test_points_carry_commit_and_subject(self):
        titles = re.findall(r"<circle [^>]*><title>([^<]*)</title>", self.html)
        self.assertEqual(len(titles), 5)
        self.assertIn("5 %s a &lt;b&gt; &amp; c: 0.8 [0.78, 0.82]" % SHAS[5][:10], titles)
        self.assertIn("1 %s: no figure" % SHAS[1][:10], self.html)
        self.assertEqual(self.html.count('class="interval"'), 5)

    def test_change_point_and_baseline(self):
        self.assertIn("change point: %s commit 3, -20.00%%" % SHAS[3][:10], self.html)
        self.assertIn("bench/baseline.json: 0.97", self.html)
        self.assertRegex(self.html, r"<td class=sha>%s</td><td>commit 3</td><td>ratio/x/1048576"
                         r":ratio</td><td>1</td><td>0.8</td><td>-20.00%%</td>" % SHAS[3][:10])

    def test_commit_table_marks_failed_builds(self):
        self.assertIn('<tr class="failed"><td>1</td><td class=sha>%s</td><td>commit 1</td>'
                      '<td>build_failed</td></tr>' % SHAS[1][:10], self.html)
        self.assertNotIn("<b>", self.html)

    def test_index_links_each_version(self):
        index = page.index_page([("1.13", 6), ("2.11", 3)])
        self.assertIn('<a href="libtorch-2.11.html">LibTorch 2.11</a>: 3 commits', index)


if __name__ == "__main__":
    unittest.main()
