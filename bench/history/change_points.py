"""Change points of a series: E-divisive means, as MongoDB's and Apache
Otava's performance tooling use it (Matteson & James, "A nonparametric
approach for multiple change point analysis of multivariate data", 2014).

For a segment x[0:n] and a split at t, with alpha = 1,
  E(t) = 2/(m k) sum|x_i - x_j| (i left, j right)
         - 1/C(m,2) sum|x_i - x_j| (both left) - 1/C(k,2) sum|x_i - x_j| (both right)
  Q(t) = m k / n * E(t),            m = t, k = n - t,
the divergence of the two sides' distributions, weighted by their sizes.
The best split of all segments is kept when a permutation test finds it
significant: among PERMUTATIONS shuffles of its segment, the share whose
best Q reaches the observed one, p = (1 + ties or more) / (1 + shuffles),
is at most ALPHA; then its two halves are searched again. The shuffles come
from a generator seeded per series, so the same series gives the same
answer on every run.

Then, per change point, the step: the median of the segment after it over
the median of the segment before, minus one. A point is reported when its
step is at least `min_step` in size and, where the series carries
intervals (the interleaved wall-clock ratios' 95% intervals), when the two
segments' intervals separate: the median upper end on the low side is
below the median lower end on the high side. Instruction counts carry no
intervals: they are exact, and any significant step is real.
Python 3 standard library only.
"""

import random
import statistics
import zlib

PERMUTATIONS = 199
ALPHA = 0.05


class ChangePoint:
    """A step in series `series` at position `index`: the first point of
    the new segment, so the commit at `index` is the first one after it."""

    def __init__(self, series, index, before, after, p_value, separated):
        self.series, self.index = series, index
        self.before, self.after = before, after
        self.p_value, self.separated = p_value, separated

    @property
    def step(self):
        return self.after / self.before - 1.0 if self.before else float("inf")

    def __repr__(self):
        return "ChangePoint(%s @%d %+.2f%%)" % (self.series, self.index, 100 * self.step)


def q_values(x):
    """[Q(t) for t in 1 .. len(x) - 1]: O(n^2) with running sums."""
    n = len(x)
    dist = [[abs(a - b) for b in x] for a in x]
    left = [0.0] * (n + 1)   # left[t]: sum over pairs in x[0:t]
    for t in range(2, n + 1):
        left[t] = left[t - 1] + sum(dist[t - 1][:t - 1])
    right = [0.0] * (n + 1)  # right[t]: sum over pairs in x[t:n]
    for t in range(n - 2, -1, -1):
        right[t] = right[t + 1] + sum(dist[t][t + 1:])
    total = left[n]
    out = []
    for t in range(1, n):
        m, k = t, n - t
        cross = total - left[t] - right[t]
        e = 2.0 * cross / (m * k)
        if m > 1:
            e -= left[t] / (m * (m - 1) / 2)
        if k > 1:
            e -= right[t] / (k * (k - 1) / 2)
        out.append(m * k / n * e)
    return out


def _best(x):
    """(t, Q) of the best split of x, or None when x cannot be split or is
    constant."""
    if len(x) < 2 or min(x) == max(x):
        return None
    qs = q_values(x)
    i = max(range(len(qs)), key=lambda j: (qs[j], -j))
    return i + 1, qs[i]


def _p_value(x, q, rng):
    reached = 0
    y = list(x)
    for done in range(1, PERMUTATIONS + 1):
        rng.shuffle(y)
        best = _best(y)
        if best is not None and best[1] >= q * (1 - 1e-12):
            reached += 1
            # Already beyond ALPHA whatever the remaining shuffles give.
            if (1 + reached) / (1 + PERMUTATIONS) > ALPHA:
                return (1 + reached) / (1 + done)
    return (1 + reached) / (1 + PERMUTATIONS)


def splits(x, seed=0):
    """Sorted [(index, p value)] of the significant splits of x."""
    rng = random.Random(seed)
    bounds = [0, len(x)]
    found = []
    rejected = set()  # segments whose best split was not significant
    while True:
        candidates = []
        for a, b in zip(bounds, bounds[1:]):
            if (a, b) in rejected:
                continue
            best = _best(x[a:b])
            if best is not None:
                candidates.append((best[1], a, b, best[0]))
        if not candidates:
            break
        q, a, b, t = max(candidates, key=lambda c: (c[0], -c[1]))
        p = _p_value(x[a:b], q, rng)
        if p > ALPHA:
            rejected.add((a, b))
            continue
        found.append((a + t, p))
        bounds = sorted(bounds + [a + t])
    return sorted(found)


def detect(series, points, min_step=0.0):
    """Change points of one series. `points` is a list of (value, lo, hi)
    or None (a commit without a figure), one per commit in order; indexes
    in the result are positions in `points`."""
    kept = [(i, p) for i, p in enumerate(points) if p is not None]
    values = [p[0] for _, p in kept]
    cuts = splits(values, seed=zlib.crc32(series.encode()))
    bounds = [0] + [c for c, _ in cuts] + [len(kept)]
    out = []
    for (cut, p_value), a, b in zip(cuts, bounds, bounds[2:]):
        before, after = kept[a:cut], kept[cut:b]
        med_before = statistics.median(p[0] for _, p in before)
        med_after = statistics.median(p[0] for _, p in after)
        separated = _separated([p for _, p in before], [p for _, p in after],
                               med_after > med_before)
        cp = ChangePoint(series, kept[cut][0], med_before, med_after, p_value, separated)
        if abs(cp.step) >= min_step and separated:
            out.append(cp)
    return out


def _separated(before, after, rising):
    """Whether the intervals of two segments separate; True when either
    has none."""
    if any(p[1] is None or p[2] is None for p in before + after):
        return True
    low, high = (before, after) if rising else (after, before)
    return statistics.median(p[2] for p in low) < statistics.median(p[1] for p in high)
