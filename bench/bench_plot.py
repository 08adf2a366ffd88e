"""Plots throughput against tensor size from a //bench:stream_bench JSON.

Usage: bench_plot.py RESULTS.json OUT.png
Two panels, save and load of float32 tensors through a Cursor: the bridge
(faithful, hardened), LibTorch's own writer / read function over memory, and
memcpy of the same bytes (the limit); the file-backed bridge (BufWriter /
BufReader, hardened) and torch::save/load(path) dashed. Medians where the run
has aggregates. Needs matplotlib (Debian's python3-matplotlib: run it with
/usr/bin/python3).
"""

import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the backend)

import bench_compare  # noqa: E402

SERIES = [
    ("{op}/cursor/faithful/f32", "bridge faithful (Cursor)", "-", "o"),
    ("{op}/cursor/hardened/f32", "bridge hardened (Cursor)", "-", "s"),
    ("{op}/memory/torch/f32", "LibTorch writer/read fn (memory)", "-", "^"),
    ("copy/memory/memcpy/f32", "memcpy", ":", "x"),
    ("{op}/bufio/hardened/f32", "bridge hardened (Buf* over file)", "--", "s"),
    ("{op}/path/torch/f32", "LibTorch path", "--", "^"),
]


def series(run, prefix):
    points = []
    for name, v in run.values.items():
        head, _, size = name.rpartition("/")
        if head == prefix and size.isdigit() and "bps" in v:
            points.append((int(size), v["bps"] / 1e9))
    return sorted(points)


def main(argv):
    if len(argv) != 2:
        sys.stderr.write(__doc__)
        return 2
    with open(argv[0]) as f:
        run = bench_compare.Run(json.load(f))
    fig, axes = plt.subplots(1, 2, figsize=(13, 5), sharey=True)
    for ax, op in zip(axes, ("save", "load")):
        for pattern, label, style, marker in SERIES:
            pts = series(run, pattern.format(op=op))
            if pts:
                ax.plot([p[0] for p in pts], [p[1] for p in pts], style,
                        marker=marker, label=label)
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xlabel("tensor bytes (float32)")
        ax.set_title("%s throughput" % op)
        ax.grid(True, which="both", alpha=0.3)
    axes[0].set_ylabel("GB/s (median)")
    axes[1].legend(fontsize=8)
    ctx = run.context
    fig.suptitle("stream bridge, LibTorch %s, %s CPUs, %s" % (
        ctx.get("libtorch", "?"), ctx.get("num_cpus", "?"), ctx.get("date", "?")))
    fig.tight_layout()
    fig.savefig(argv[1], dpi=100)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
