"""The history as static HTML: DIR/index.html links one page per stored
LibTorch version (DIR/libtorch-<version>.html); each page has, per kind
and machine, one small plot per series (inline SVG: a point per commit,
its commit and subject on hover, each change point a red line with its
step, the value of bench/baseline.json dashed where it has one), the
change points in a table and every commit in a table. Series that never
change are listed by name, not drawn. screenshot() renders a page to PNG
in Debian's headless Chromium.
Python 3 standard library only (Chromium for the screenshot).
"""

import html
import os
import shutil
import subprocess

# One plot, in CSS pixels: the frame spans the width; the value range is
# written above and below it, the range's first and last commits under it.
W, H = 330, 124
X0, X1, Y_TOP, Y_BOT = 8, W - 8, 16, H - 32


def _fmt(v):
    return "%.6g" % v


def plot(series, points, shas, subjects, changes, baseline=None):
    """One series' SVG. points: (value, lo, hi) or None per commit."""
    have = [(i, p) for i, p in enumerate(points) if p is not None]
    ys = [p[0] for _, p in have] + [b for _, p in have for b in p[1:] if b is not None]
    if baseline is not None:
        ys.append(baseline)
    lo, hi = min(ys), max(ys)
    if hi == lo:
        lo, hi = lo - abs(lo) * 0.01 - 1e-9, hi + abs(hi) * 0.01 + 1e-9
    n = max(len(points) - 1, 1)

    def x(i):
        return X0 + 4 + (X1 - X0 - 8) * i / n

    def y(v):
        return Y_BOT - 4 - (Y_BOT - Y_TOP - 8) * (v - lo) / (hi - lo)

    spread = ", %+.3g%% over min" % (100 * (hi / lo - 1)) if lo > 0 else ""
    out = ['<svg class="plot" width="%d" height="%d" viewBox="0 0 %d %d">' % (W, H, W, H),
           '<title>%s</title>' % html.escape(series),
           '<rect x="%d" y="%d" width="%d" height="%d" class="frame"/>' % (
               X0, Y_TOP, X1 - X0, Y_BOT - Y_TOP),
           '<text x="%d" y="%d" class="tick">max %s%s</text>' % (X0, Y_TOP - 4, _fmt(hi), spread),
           '<text x="%d" y="%d" class="tick">min %s</text>' % (X0, Y_BOT + 11, _fmt(lo))]
    if baseline is not None:
        out.append('<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" class="baseline">'
                   '<title>bench/baseline.json: %s</title></line>' % (
                       X0, X1, y(baseline), y(baseline), _fmt(baseline)))
    for cp in changes:
        cx = (x(cp.index - 1) + x(cp.index)) / 2 if cp.index else x(0)
        out.append('<line x1="%.1f" x2="%.1f" y1="%d" y2="%d" class="change"><title>change '
                   'point: %s %s, %+.2f%%</title></line>' % (
                       cx, cx, Y_TOP, Y_BOT, shas[cp.index][:10],
                       html.escape(subjects[cp.index]), 100 * cp.step))
        out.append('<text x="%.1f" y="%d" class="step">%+.1f%%</text>' % (
            cx + 2, Y_TOP - 4, 100 * cp.step))
    path = " ".join("%s%.1f,%.1f" % ("M" if k == 0 else "L", x(i), y(p[0]))
                    for k, (i, p) in enumerate(have))
    out.append('<path d="%s" class="line"/>' % path)
    for i, p in have:
        if p[1] is not None and p[2] is not None:
            out.append('<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" class="interval"/>' % (
                x(i), x(i), y(p[1]), y(p[2])))
        label = "%d %s %s: %s" % (i, shas[i][:10], subjects[i], _fmt(p[0]))
        if p[1] is not None and p[2] is not None:
            label += " [%s, %s]" % (_fmt(p[1]), _fmt(p[2]))
        out.append('<circle cx="%.1f" cy="%.1f" r="2.5"><title>%s</title></circle>' % (
            x(i), y(p[0]), html.escape(label)))
    for i, p in enumerate(points):
        if p is None:
            out.append('<text x="%.1f" y="%d" class="missing">x<title>%d %s: no figure'
                       '</title></text>' % (x(i) - 3, Y_BOT - 2, i, shas[i][:10]))
    out.append('<text x="%d" y="%d" class="tick">%s</text>' % (X0, H - 4, shas[0][:7]))
    out.append('<text x="%d" y="%d" class="tick" text-anchor="end">%s</text>' % (
        X1, H - 4, shas[-1][:7]))
    out.append("</svg>")
    return "\n".join(out)


STYLE = """
body { font: 13px sans-serif; margin: 16px; color: #222; }
h1 { font-size: 20px; } h2 { font-size: 16px; margin-top: 24px; } h3 { font-size: 14px; }
.grid { display: flex; flex-wrap: wrap; gap: 8px; }
figure { margin: 0; border: 1px solid #ddd; padding: 4px; }
figcaption { font: 11px monospace; width: 330px; overflow-wrap: anywhere; }
svg .frame { fill: #fafafa; stroke: #ccc; }
svg .line { fill: none; stroke: #1f77b4; stroke-width: 1.5; }
svg circle { fill: #1f77b4; }
svg .interval { stroke: #9ecae1; stroke-width: 3; }
svg .baseline { stroke: #2ca02c; stroke-dasharray: 4 3; }
svg .change { stroke: #d62728; stroke-width: 1.5; stroke-dasharray: 3 2; }
svg .step { fill: #d62728; font: 10px sans-serif; }
svg .tick { fill: #666; font: 10px monospace; }
svg .missing { fill: #999; font: 10px monospace; }
table { border-collapse: collapse; } td, th { border: 1px solid #ddd; padding: 2px 6px; }
td.sha { font-family: monospace; } tr.failed td { color: #999; }
"""


def _subject(text, width=90):
    """A subject cut to `width` characters, whole on hover."""
    if len(text) <= width:
        return html.escape(text)
    return '<span title="%s">%s...</span>' % (html.escape(text), html.escape(text[:width]))


def _doc(title, body):
    return ('<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>%s</title>'
            '<style>%s</style></head><body>\n%s\n</body></html>\n' % (
                html.escape(title), STYLE, body))


class Section:
    """One key's figures for a page: the store Key, its series
    ({id: points}), change points ({id: [ChangePoint]}), baseline values
    ({id: value}) and each commit's status (None when not measured)."""

    def __init__(self, key, series, changes, baselines, statuses):
        self.key, self.series, self.changes = key, series, changes
        self.baselines, self.statuses = baselines, statuses


def version_page(version, shas, subjects, sections):
    body = ["<h1>Benchmark history, LibTorch %s</h1>" % html.escape(version),
            "<p>%d commits, %s .. %s (first-parent, oldest first). Hover a point for its "
            "commit; red lines are change points (E-divisive means), green dashes the value "
            "in bench/baseline.json.</p>" % (len(shas), shas[0][:10], shas[-1][:10])]
    for sec in sections:
        body.append("<h2>%s: %s build, %s</h2>" % (
            html.escape(sec.key.kind), html.escape(sec.key.mode), html.escape(sec.key.machine)))
        found = sorted((cp for cps in sec.changes.values() for cp in cps),
                       key=lambda cp: (cp.index, cp.series))
        if found:
            body.append("<table><tr><th>commit after</th><th>subject</th><th>series</th>"
                        "<th>before</th><th>after</th><th>step</th></tr>")
            for cp in found:
                body.append("<tr><td class=sha>%s</td><td>%s</td><td>%s</td><td>%s</td>"
                            "<td>%s</td><td>%+.2f%%</td></tr>" % (
                                shas[cp.index][:10], _subject(subjects[cp.index]),
                                html.escape(cp.series), _fmt(cp.before), _fmt(cp.after),
                                100 * cp.step))
            body.append("</table>")
        else:
            body.append("<p>No change points.</p>")
        constant, drawn = [], []
        for sid in sorted(sec.series):
            values = {p[0] for p in sec.series[sid] if p is not None}
            (constant if len(values) <= 1 else drawn).append(sid)
        # Instructions per byte first: the figure the gate reads.
        drawn.sort(key=lambda s: (not s.endswith(":bridge_per_byte"), s))
        body.append('<div class="grid">')
        for sid in drawn:
            body.append("<figure>%s<figcaption>%s</figcaption></figure>" % (
                plot(sid, sec.series[sid], shas, subjects, sec.changes.get(sid, []),
                     sec.baselines.get(sid)), html.escape(sid)))
        body.append("</div>")
        if constant:
            body.append("<p>Constant over these commits (%d): %s</p>" % (
                len(constant), ", ".join("<code>%s</code>" % html.escape(s) for s in constant)))
    body.append("<h2>Commits</h2><table><tr><th>#</th><th>commit</th><th>subject</th>%s</tr>" % (
        "".join("<th>%s</th>" % html.escape(s.key.kind) for s in sections)))
    for i, sha in enumerate(shas):
        cells = [s.statuses.get(sha) or "-" for s in sections]
        body.append('<tr%s><td>%d</td><td class=sha>%s</td><td>%s</td>%s</tr>' % (
            ' class="failed"' if any(c not in ("ok", "-") for c in cells) else "", i, sha[:10],
            html.escape(subjects[i]), "".join("<td>%s</td>" % c for c in cells)))
    body.append("</table>")
    return _doc("Benchmark history, LibTorch %s" % version, "\n".join(body))


def index_page(versions):
    items = "".join('<li><a href="%s">LibTorch %s</a>: %d commits</li>' % (
        html.escape(page_name(v)), html.escape(v), n) for v, n in versions)
    return _doc("Benchmark history", "<h1>Benchmark history</h1><ul>%s</ul>" % items)


def page_name(version):
    return "libtorch-%s.html" % version


CHROMIUM = ("chromium", "chromium-headless-shell")


def screenshot(page, png, width=1400, height=2400):
    """Renders `page` to `png` in headless Chromium; None, or why not."""
    binary = next((shutil.which(b) for b in CHROMIUM if shutil.which(b)), None)
    if binary is None:
        return "Chromium is not installed (tools/setup installs Debian's chromium)"
    out = subprocess.run(
        [binary, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
         "--window-size=%d,%d" % (width, height), "--screenshot=" + os.path.abspath(png),
         "file://" + os.path.abspath(page)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, timeout=120)
    if out.returncode != 0 or not os.path.exists(png):
        return "%s exited %d: %s" % (binary, out.returncode, out.stdout[-1000:])
    return None
