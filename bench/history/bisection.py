"""The first commit whose figure steps, found by halving, as `asv find`
does: O(log n) commits measured for n in the range.

The commits run oldest first from GOOD to BAD (first-parent history). A
commit "steps" when its value differs from GOOD's by more than `threshold`
(a fraction: 0.01 is 1%) in either direction; BAD must step, GOOD's value
is the reference. A commit that yields no value (it does not build, or
lacks the figure) is skipped like `git bisect skip`: the nearest other
commit between the current bounds is measured instead, and when none is
left the answer is the range between the bounds.
"""


class NoStep(Exception):
    """BAD does not step from GOOD, or GOOD has no value."""


class Result:
    """first: the first commit that steps (None when skipped commits leave a
    range: then `after` is the last that does not step and `first` is
    unknown between it and `upper`); measured: [(sha, value or None)] in the
    order measured."""

    def __init__(self, first, after, upper, good, bad, measured):
        self.first, self.after, self.upper = first, after, upper
        self.good, self.bad, self.measured = good, bad, measured


def steps(value, good, threshold):
    return abs(value / good - 1.0) > threshold if good else value != good


def bisect(shas, measure, threshold):
    """Halves `shas` (GOOD first, BAD last) with measure(sha) -> value or
    None; returns a Result."""
    if len(shas) < 2:
        raise NoStep("GOOD and BAD must be two commits, GOOD an ancestor of BAD")
    measured, known = [], {}

    def value(i):
        if i not in known:
            known[i] = measure(shas[i])
            measured.append((shas[i], known[i]))
        return known[i]

    good, bad = value(0), value(len(shas) - 1)
    if good is None or bad is None:
        raise NoStep("%s has no value" % (shas[0] if good is None else shas[-1]))
    if not steps(bad, good, threshold):
        raise NoStep("%s (%g) is within %g%% of %s (%g): nothing to find" % (
            shas[-1], bad, 100 * threshold, shas[0], good))
    lo, hi = 0, len(shas) - 1
    while hi - lo > 1:
        mid = (lo + hi) // 2
        # Nearest first, alternating above and below the middle.
        order = sorted(range(lo + 1, hi), key=lambda i: (abs(i - mid), i))
        probe = next((i for i in order if known.get(i, 0) is not None and value(i) is not None),
                     None)
        if probe is None:
            return Result(None, shas[lo], shas[hi], good, bad, measured)
        if steps(known[probe], good, threshold):
            hi = probe
        else:
            lo = probe
    return Result(shas[hi], shas[lo], shas[hi], good, bad, measured)
