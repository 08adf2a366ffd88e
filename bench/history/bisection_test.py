"""Tests of the halving search for the first commit that steps
(bench/history/bisection.py), over synthetic histories: how many commits
it measures, commits without a figure, and ranges with nothing to find."""

import math
import unittest

from bench.history import bisection

SHAS = ["c%02d" % i for i in range(64)]


def history(first_bad, good=2.0, bad=2.9, missing=()):
    """measure(sha) over SHAS stepping at `first_bad`; the calls it got."""
    calls = []

    def measure(sha):
        calls.append(sha)
        i = SHAS.index(sha)
        if i in missing:
            return None
        return bad if i >= first_bad else good
    return measure, calls


class BisectTest(unittest.TestCase):
    def test_finds_the_first_step_measuring_log_n(self):
        for first_bad in (1, 2, 31, 37, 63):
            measure, calls = history(first_bad)
            result = bisection.bisect(SHAS, measure, 0.01)
            self.assertEqual(result.first, SHAS[first_bad])
            self.assertEqual(result.after, SHAS[first_bad - 1])
            self.assertLessEqual(len(calls), math.ceil(math.log2(len(SHAS))) + 2, calls)
            self.assertEqual(len(calls), len(set(calls)), "a commit measured twice")

    def test_a_fall_is_a_step_too(self):
        measure, _ = history(20, good=2.9, bad=2.0)
        self.assertEqual(bisection.bisect(SHAS, measure, 0.01).first, SHAS[20])

    def test_steps_within_the_threshold_are_not_steps(self):
        measure, _ = history(20, bad=2.01)
        with self.assertRaisesRegex(bisection.NoStep, "nothing to find"):
            bisection.bisect(SHAS, measure, 0.01)
        self.assertEqual(bisection.bisect(SHAS, measure, 0.001).first, SHAS[20])

    def test_commits_without_a_figure_are_skipped(self):
        measure, calls = history(37, missing={31, 32, 38})
        result = bisection.bisect(SHAS, measure, 0.01)
        self.assertEqual(result.first, SHAS[37])
        self.assertIn(SHAS[31], calls)

    def test_a_step_hidden_by_skipped_commits_is_a_range(self):
        measure, _ = history(37, missing={35, 36})
        result = bisection.bisect(SHAS, measure, 0.01)
        self.assertIsNone(result.first)
        self.assertEqual((result.after, result.upper), (SHAS[34], SHAS[37]))

    def test_good_or_bad_without_a_figure(self):
        measure, _ = history(37, missing={0})
        with self.assertRaisesRegex(bisection.NoStep, "c00 has no value"):
            bisection.bisect(SHAS, measure, 0.01)
        with self.assertRaises(bisection.NoStep):
            bisection.bisect(SHAS[:1], measure, 0.01)


if __name__ == "__main__":
    unittest.main()
