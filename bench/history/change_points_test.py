"""Tests of E-divisive means change-point detection
(bench/history/change_points.py) on synthetic series: exact instruction
counts with planted steps, noisy wall-clock ratios with and without a
shift, and intervals that decide whether a step is reported."""

import random
import unittest

from bench.history import change_points as cp


def exact(*segments):
    """[(value, None, None)]: `segments` of (value, length)."""
    return [(v, None, None) for v, n in segments for _ in range(n)]


def noisy(seed, *segments, sd=0.03, width=0.04):
    """Ratios with noise, each with an interval of +-width around it."""
    rng = random.Random(seed)
    out = []
    for v, n in segments:
        for _ in range(n):
            x = v + rng.gauss(0, sd)
            out.append((x, x - width, x + width))
    return out


class ExactTest(unittest.TestCase):
    def test_one_planted_step(self):
        found = cp.detect("s", exact((2.0, 15), (2.9, 15)))
        self.assertEqual([(c.index, round(c.step, 4)) for c in found], [(15, 0.45)])
        self.assertLessEqual(found[0].p_value, cp.ALPHA)

    def test_a_step_and_its_return(self):
        found = cp.detect("s", exact((2.0, 10), (2.05, 10), (2.0, 10)))
        self.assertEqual([c.index for c in found], [10, 20])
        self.assertAlmostEqual(found[0].step, 0.025)
        self.assertAlmostEqual(found[1].step, 2.0 / 2.05 - 1)

    def test_constant_has_none(self):
        self.assertEqual(cp.detect("s", exact((2.0, 30))), [])

    def test_min_step_hides_small_steps(self):
        points = exact((2.0, 15), (2.002, 15))
        self.assertEqual([c.index for c in cp.detect("s", points)], [15])
        self.assertEqual(cp.detect("s", points, min_step=0.005), [])

    def test_a_step_needs_two_commits_after_it(self):
        # One point after a step is as likely at the end by chance (2 of 30
        # places) as the permutation test allows: not significant. Two are.
        self.assertEqual(cp.detect("s", exact((2.0, 29), (2.5, 1))), [])
        self.assertEqual([c.index for c in cp.detect("s", exact((2.0, 28), (2.5, 2)))], [28])

    def test_gaps_keep_commit_positions(self):
        points = exact((2.0, 12), (2.9, 12))
        points[5] = points[13] = None
        self.assertEqual([c.index for c in cp.detect("s", points)], [12])
        points[12] = None
        self.assertEqual([c.index for c in cp.detect("s", points)], [14])

    def test_q_is_highest_at_the_step(self):
        qs = cp.q_values([1.0] * 6 + [2.0] * 4)
        self.assertEqual(max(range(len(qs)), key=qs.__getitem__) + 1, 6)


class NoisyTest(unittest.TestCase):
    def test_a_shift_is_found_near_it(self):
        found = cp.detect("r", noisy(1, (1.0, 20), (0.85, 20)))
        self.assertEqual(len(found), 1)
        self.assertLessEqual(abs(found[0].index - 20), 1)
        self.assertAlmostEqual(found[0].step, -0.15, delta=0.03)

    def test_noise_alone_has_none(self):
        for seed in range(5):
            self.assertEqual(cp.detect("r", noisy(seed, (1.0, 40))), [], seed)

    def test_overlapping_intervals_are_not_a_step(self):
        # The same shift, but each figure only known to +-0.2: the medians
        # move, the intervals do not separate.
        points = noisy(1, (1.0, 20), (0.85, 20), width=0.2)
        self.assertEqual(cp.detect("r", points), [])
        self.assertEqual(len(cp.detect("r", [(p[0], None, None) for p in points])), 1)

    def test_the_same_series_gives_the_same_answer(self):
        points = noisy(3, (1.0, 15), (1.1, 15), (0.95, 15))
        first = [(c.index, c.p_value) for c in cp.detect("r", points)]
        self.assertEqual(first, [(c.index, c.p_value) for c in cp.detect("r", points)])
        self.assertEqual(len(first), 2)


if __name__ == "__main__":
    unittest.main()
