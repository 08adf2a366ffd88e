#!/usr/bin/env python3
"""Fragments and the assembled report of tools/harness.

Each harness step writes OUT/steps/<step>.json (at least "step", "status"
pass|fail, "headline") and optionally OUT/steps/<step>.md; `assemble` joins
them, in the order given, into OUT/report.json and OUT/report.md. A step
run once per LibTorch is named <kind>@<version> (matrix@2.11): the report's
summary puts the versions of a kind side by side.

Subcommands (called by tools/harness):
  simple JSON STEP STATUS HEADLINE
  conformance TESTLOGS TARGETS RC JSON MD  counts cases per group from test.xml
  matrix MATRIX_DIR RC LOG FINDINGS_LOG FINDINGS_DIR JSON MD
  call_counts RAW_JSON RC LOG JSON MD
  fuzz RC FUZZ_JSON FUZZ_MD JSON MD
  bench RC COMPARE_RC COMPARE_TXT PNG JSON MD
  assemble OUT QUICK STEP...               exit 1 when a step failed
"""
import json
import pathlib
import re
import subprocess
import sys
import time
import xml.etree.ElementTree as ET


def write(path, data):
    pathlib.Path(path).write_text(data if isinstance(data, str) else json.dumps(data, indent=2) + "\n")


def step_of(out_json):
    """(step, kind, version) of a fragment, from its file name."""
    step = pathlib.Path(out_json).stem
    kind, _, version = step.partition("@")
    return step, kind, version


def heading(out_json, title):
    """A section heading naming the LibTorch version of the step."""
    _, _, version = step_of(out_json)
    return f"## {title}" + (f" (LibTorch {version})" if version else "")


def simple(path, step, status, headline):
    write(path, {"step": step, "status": status, "headline": headline})


# The packages whose tests the conformance step runs and reports: the suite
# (one group per conformance/ package), the bridge's unit tests and the
# shared test helpers'.
CONFORMANCE_PACKAGES = ("conformance", "bridge", "testing")


# A suite target over one implementation: <suite>_on_<implementation>
# (conformance/impl/suite_on_impl.bzl), the matrix's as
# fault_matrix_on_<implementation>_test; any other suite target runs over
# the twin, //conformance/impl:bridge.
ON_IMPLEMENTATION = re.compile(r"(?P<suite>.+)_on_(?P<impl>[a-z0-9_]+?)(?:_test)?")
# Targets of conformance/ that are not a suite over an implementation: the
# broken implementations' detectors and the python group (it uses the
# bridge's safe C++ API).
NOT_OVER_AN_IMPLEMENTATION = re.compile(r"//conformance/python:.*|.*_detects_.*")


def implementation_group(target):
    """(implementation, group) of a conformance suite target, or None:
    //conformance/callbacks:callbacks_test_on_stock -> (stock, callbacks)."""
    if not target.startswith("//conformance/") or NOT_OVER_AN_IMPLEMENTATION.fullmatch(target):
        return None
    name = target.partition(":")[2]
    m = re.fullmatch(r"(?P<impl>.+)_faithful_is_the_twins_test", name)
    if m:
        return m["impl"], "fault_matrix (faithful = the twin's pins)"
    m = ON_IMPLEMENTATION.fullmatch(name)
    impl, suite = (m["impl"], m["suite"]) if m else ("bridge", name)
    return impl, suite.removesuffix("_test")


def conformance(testlogs, targets, rc, out_json, out_md):
    """Cases per group (a package: conformance/callbacks, bridge, ...), of
    the test targets the file `targets` lists (bazel query): testlogs keep
    the results of targets that no longer exist."""
    logs = pathlib.Path(testlogs)
    current = set(pathlib.Path(targets).read_text().split())
    groups, implementations, failures, null_buffer_calls = {}, {}, [], []
    xmls = sorted(x for p in CONFORMANCE_PACKAGES for x in (logs / p).rglob("test.xml"))
    for xml in xmls:
        package = str(xml.parent.relative_to(logs).parent)
        target = f"//{package}:{xml.parent.name}"
        if target not in current:
            continue
        group = package
        g = groups.setdefault(group, {"targets": 0, "passed": 0, "failed": 0, "skipped": 0})
        g["targets"] += 1
        over = implementation_group(target)
        cell = None
        if over:
            cell = implementations.setdefault(over[0], {}).setdefault(
                over[1], {"passed": 0, "failed": 0, "skipped": 0, "pinned": 0})
        tally = [g] + ([cell] if cell else [])
        try:
            cases = list(ET.parse(xml).iter("testcase"))
            suites = list(ET.parse(xml).iter("testsuite"))
        except ET.ParseError:
            for t in tally:
                t["failed"] += 1
            failures.append(f"{target}: unreadable test.xml")
            continue
        if not cases:  # A shell test: one suite, pass or fail.
            bad = any(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
            for t in tally:
                t["failed" if bad else "passed"] += 1
            if bad:
                failures.append(target)
            continue
        for c in cases:
            null_buffers = case_property(c, "null_buffer_calls")
            if null_buffers is not None:
                null_buffer_calls.append((f"{c.get('classname', '')}.{c.get('name', '')}",
                                          int(null_buffers)))
            if c.find("failure") is not None or c.find("error") is not None:
                outcome = "failed"
                failures.append(f"{target}: {c.get('classname', '')}.{c.get('name', '')}")
            elif c.find("skipped") is not None or c.get("result") == "suppressed":
                outcome = "skipped"
            else:
                outcome = "passed"
            for t in tally:
                t[outcome] += 1
            # A case that failed as its BUILD file pins it (expect_failures.py).
            if cell and outcome == "passed" and case_property(c, "pinned_failure") is not None:
                cell["pinned"] += 1
    total = {k: sum(g[k] for g in groups.values()) for k in ("targets", "passed", "failed", "skipped")}
    ok = int(rc) == 0 and total["failed"] == 0 and total["passed"] > 0
    headline = f"{total['passed']} cases passed, {total['failed']} failed, {total['skipped']} skipped in {total['targets']} targets"
    if int(rc) != 0 and total["failed"] == 0:
        headline += (f" (bazel test exited {rc}: a target failed to build or timed out; "
                     f"see steps/{step_of(out_json)[0]}.log)")
    write(out_json, {"step": step_of(out_json)[0], "status": "pass" if ok else "fail",
                     "headline": headline, "groups": groups, "total": total, "failures": failures,
                     "implementations": implementations,
                     "null_buffer_calls": dict(null_buffer_calls)})
    md = [heading(out_json, "Conformance suite and bridge unit tests") +
          " (`bazel test //conformance/... //bridge/... //testing/...`)", "", headline, "",
          "| group | targets | passed | failed | skipped |", "|---|---:|---:|---:|---:|"]
    for name, g in sorted(groups.items()):
        md.append(f"| {name} | {g['targets']} | {g['passed']} | {g['failed']} | {g['skipped']} |")
    md += implementation_table(implementations)
    if null_buffer_calls:
        md += ["", "Null-buffer calls the harness stream was handed, per save entry point "
               "(FINDINGS.md F21: a Rust stream under tch-rs would get a slice of a null "
               "pointer):", "", "| case | calls |", "|---|---:|"]
        md += [f"| {name} | {n} |" for name, n in null_buffer_calls]
    if failures:
        md += ["", "Failing:"] + [f"- `{f}`" for f in failures]
    write(out_md, "\n".join(md) + "\n")


def implementation_table(implementations):
    """Markdown lines: each group's cases over each implementation."""
    if not implementations:
        return []
    impls = sorted(implementations, key=lambda i: (i != "bridge", i))
    rows = sorted({g for groups in implementations.values() for g in groups})
    md = ["", "Every suite over every implementation (conformance/README.md): cases "
          "passed / failed / skipped, and of the passed how many are a pinned failure "
          "(stock_debug's aborts). A skip names the extra the implementation lacks.", "",
          "| group | " + " | ".join(impls) + " |", "|---|" + "---:|" * len(impls)]
    for group in rows:
        cells = []
        for impl in impls:
            c = implementations[impl].get(group)
            if c is None:
                cells.append("")
                continue
            text = f"{c['passed']} / {c['failed']} / {c['skipped']}"
            cells.append(text + (f" ({c['pinned']} pinned)" if c["pinned"] else ""))
        md.append(f"| {group} | " + " | ".join(cells) + " |")
    return md


def case_property(case, name):
    """A gtest test case's recorded property: a <property> element, or an
    attribute in older GoogleTest XML; None if absent."""
    for prop in case.iter("property"):
        if prop.get("name") == name:
            return prop.get("value")
    return case.get(name)


def matrix(matrix_dir, rc, log, findings_log, replay_failures, findings_dir, out_json, out_md):
    """The fault matrix: fails on a hardened guarantee broken, a pin changed,
    or a finding whose replay failed or no longer shows the outcome it
    records for this LibTorch version."""
    step, _, version = step_of(out_json)
    mdir = pathlib.Path(matrix_dir)
    log_text = pathlib.Path(log).read_text() if pathlib.Path(log).exists() else ""
    try:
        data = json.loads((mdir / "matrix.json").read_text())
    except (OSError, ValueError):
        write(out_json, {"step": step, "status": "fail",
                         "headline": f"the fault matrix wrote no report (exit {rc})"})
        write(out_md, f"{heading(out_json, 'Fault matrix')}\n\nNo report (exit {rc}). Log:\n\n"
                      f"```\n{log_text[-3000:]}\n```\n")
        return
    pin_diffs = [l for l in log_text.splitlines() if l.startswith("PIN DIFF")]
    replays = [l for l in pathlib.Path(findings_log).read_text().splitlines() if l.strip()] \
        if pathlib.Path(findings_log).exists() else []
    findings = []
    for f in sorted(pathlib.Path(findings_dir).glob("*.json")):
        d = json.loads(f.read_text())
        key = f"{d['mode']} {d['stack']} {d['entry']} {d['op']} {'*' if d['k'] < 0 else d['k']} {d['fault']} -> "
        shown = next((r for r in replays if r.startswith(key)), None)
        recorded = d.get("outcomes", {}).get(version, "not recorded")
        still = shown is not None and shown[len(key):].split(":")[0] == recorded
        findings.append({"id": d.get("finding", f.stem), "title": d.get("title", ""), "file": f"testdata/findings/{f.name}",
                         "recorded": recorded, "reproduces": still, "replay": shown or "(not replayed)"})
    t = data["totals"]
    lost = [f["id"] for f in findings if not f["reproduces"]]
    ok = (int(rc) == 0 and data["hardened_guarantees_hold"] and not pin_diffs
          and int(replay_failures) == 0 and not lost)
    headline = (f"{len(data['cells'])} cells; faithful {t['faithful']['abort']} abort / "
                f"{t['faithful']['silent_loss']} silent_loss; hardened {t['hardened']['abort']} abort / "
                f"{t['hardened']['silent_loss']} silent_loss / {t['hardened']['hang']} hang; "
                f"{len(pin_diffs)} pin differences")
    if lost or int(replay_failures):
        headline += (f"; {int(replay_failures)} replay(s) failed, findings no longer shown: "
                     f"{', '.join(lost) or 'none'}")
    write(out_json, {"step": step, "status": "pass" if ok else "fail", "headline": headline,
                     "totals": t, "hardened_guarantees_hold": data["hardened_guarantees_hold"],
                     "pin_diffs": pin_diffs, "notes": data["notes"], "findings": findings,
                     "cells_json": str(mdir / "matrix.json")})
    body = (mdir / "matrix.md").read_text().replace("# Fault matrix", heading(out_json, "Fault matrix"), 1)
    body = body.replace("\n## ", "\n### ")
    md = [body.rstrip(), "", "### Pins", "",
          f"{len(pin_diffs)} differences from testdata/fault_matrix." if not pin_diffs else
          f"{len(pin_diffs)} differences from testdata/fault_matrix:"]
    md += [f"- `{d}`" for d in pin_diffs[:50]]
    md += ["", "### Known findings (faithful bridge; replayed from testdata/findings)", "",
           "| id | finding | outcome | still reproduces | reproducer |", "|---|---|---|---|---|"]
    for f in findings:
        md.append(f"| {f['id']} | {f['title']} | {f['recorded']} | {'yes' if f['reproduces'] else 'NO'} | `{f['file']}` |")
    write(out_md, "\n".join(md) + "\n")


def call_counts(raw, rc, log, out_json, out_md):
    try:
        data = json.loads(pathlib.Path(raw).read_text())
    except (OSError, ValueError):
        data = None
    ok = int(rc) == 0 and data is not None
    table = pathlib.Path(log).read_text() if pathlib.Path(log).exists() else ""
    if data:
        f, h = data["faithful"], data["hardened"]
        headline = (f"{data['tensor_mib']} MiB load via BufReader: bridge asks faithful "
                    f"{f['above']['read']} reads/{f['above']['seek']} seeks/{f['above']['position']} positions, "
                    f"hardened {h['above']['read']}/{h['above']['seek']}/{h['above']['position']}; "
                    f"file sees faithful {f['below']['read']}/{f['below']['seek']}, hardened "
                    f"{h['below']['read']}/{h['below']['seek']}")
    else:
        headline = f"call_counts failed (exit {rc})"
    write(out_json, {"step": step_of(out_json)[0], "status": "pass" if ok else "fail",
                     "headline": headline, "counts": data})
    write(out_md, heading(out_json, "Callback counts of one load (BufReader over a file)") + "\n\n"
                  "`above`: what the bridge asks of the BufReader; `below`: what the file sees.\n\n"
                  f"```\n{table.rstrip()}\n```\n")


def fuzz(rc, replay_rc, fuzz_json, fuzz_md, out_json, out_md):
    """tools/fuzz's report: fails on a crash not recorded under
    testdata/crashes, and when a recorded crash no longer replays as
    recorded (replay_rc: bazel test //fuzz/...)."""
    try:
        report = json.loads(pathlib.Path(fuzz_json).read_text())
    except (OSError, ValueError):
        report = {"fuzzers": {}}
    fuzzers = report.get("fuzzers", {})
    new = sum(f.get("new_crashes", 0) for f in fuzzers.values())
    rates = ", ".join(f"{n} {f.get('exec_per_s', 0)}/s" for n, f in fuzzers.items())
    headline = (f"{len(fuzzers)} fuzzers, {report.get('budget_s', '?')} s each: {rates}; "
                f"{new} new crash(es)")
    if not fuzzers:
        headline = f"tools/fuzz wrote no report (exit {rc})"
    if replay_rc != "0":
        headline += "; REPLAYS FAILED (bazel test //fuzz/...: an outcome changed or a corpus is gone)"
    lt = report.get("coverage", {}).get("libtorch")
    if lt:
        headline += f"; LibTorch's readers {lt['percent']}% of lines ({lt['covered']}/{lt['count']})"
    # The blind-vs-instrumented A/B, where it ran (tools/fuzz --ab, beside).
    ab_md = pathlib.Path(fuzz_md).with_name("ab.md")
    try:
        ab = json.loads(pathlib.Path(fuzz_json).with_name("ab.json").read_text())
    except (OSError, ValueError):
        ab = None
    ok = rc == "0" and replay_rc == "0" and fuzzers
    write(out_json, {"step": step_of(out_json)[0], "status": "pass" if ok else "fail",
                     "headline": headline, "report": report, "ab": ab})
    md = pathlib.Path(fuzz_md)
    text = md.read_text().split("\n", 1)[-1] if md.exists() else headline + "\n"
    if ab_md.exists():
        text += "\n" + ab_md.read_text().split("\n", 1)[-1]
    write(out_md, heading(out_json, "Fuzzing") + "\n\n" + text)


def bench(rc, compare_rc, compare_txt, png, out_json, out_md):
    """The benchmark: bench-compare's table (ratios, goals, baseline) and the plot.

    The step fails on a failed run or a regression against the baseline
    (bench-compare's exit status); a missed goal is reported, not failed:
    goals are targets measured on a shared machine, regressions are changes.
    """
    table = pathlib.Path(compare_txt).read_text() if pathlib.Path(compare_txt).exists() else ""
    summary = next((l for l in reversed(table.splitlines()) if "regression(s)" in l), "no comparison")
    ok = rc == "0" and compare_rc == "0"
    headline = summary if rc == "0" else f"benchmark run failed (exit {rc}); {summary}"
    write(out_json, {"step": step_of(out_json)[0], "status": "pass" if ok else "fail",
                     "headline": headline, "compare": table.splitlines()})
    plot = pathlib.Path(png)
    md = f"{heading(out_json, 'Benchmarks')}\n\n{headline}.\n\n```\n{table.rstrip()}\n```\n"
    if plot.exists():
        md += f"\n![throughput against tensor size]({plot.name})\n"
    write(out_md, md)


def tool_output(path, tool, rc, out_json):
    """The JSON `tool` wrote at `path`; None, after writing a failed
    fragment that says so, when it wrote none."""
    p = pathlib.Path(path)
    if p.exists():
        return json.loads(p.read_text())
    write(out_json, {"step": step_of(out_json)[0], "status": "fail",
                     "headline": f"{tool} wrote no result (exit {rc})"})
    return None


def large_memory(result_json, rc, out_json, out_md):
    """Peak memory and throughput at 2.25 GiB, hardened bridge against
    LibTorch's own path: fails on a failed operation; a missed goal is
    reported (one run on a shared machine)."""
    result = tool_output(result_json, "large_memory", rc, out_json)
    if result is None:
        return
    ratios = result["ratios"]
    headline = ", ".join(f"{name.replace('_hardened_over_torch_path', '')} {r['value']:.3f}"
                         f"{'' if r['met'] else ' (goal missed)'}" for name, r in ratios.items())
    write(out_json, {"step": step_of(out_json)[0], "status": "pass" if rc == "0" else "fail",
                     "headline": f"{result['mib']} MiB, hardened / torch path: {headline}",
                     **result})
    md = [heading(out_json, f"A {result['mib']} MiB tensor through a file") +
          " (`//bench:large_memory`)", "",
          "| operation | ok | seconds | peak above start (MiB) |", "|---|---|---:|---:|"]
    md += [f"| {name} | {op['ok']} | {op['seconds']:.2f} | {op['peak_kib'] // 1024} |"
           for name, op in result["operations"].items()]
    md += ["", "| ratio | value | goal | met |", "|---|---:|---:|---|"]
    md += [f"| {name} | {r['value']:.3f} | {r['goal']} | {r['met']} |" for name, r in ratios.items()]
    write(out_md, "\n".join(md) + "\n")


def mutants(report_json, rc, out_json, out_md):
    """The suite's strength: tools/mutants' kill rate over the twin's
    mutants, and each survivor. The step fails when a valid, non-equivalent
    mutant survives (tools/mutants' exit status)."""
    report = tool_output(report_json, "tools/mutants", rc, out_json)
    if report is None:
        return
    t = report["totals"]
    rate = "n/a" if report["kill_rate"] is None else f"{100 * report['kill_rate']:.1f}%"
    survivors = [m for m in report["mutants"] if m["status"] == "survived"]
    headline = (f"kill rate {rate}: {t['killed']} killed, {t['survived']} survived, "
                f"{t['equivalent']} equivalent, {t['invalid']} invalid of {t['total']} mutants")
    write(out_json, {"step": step_of(out_json)[0], "status": "pass" if rc == "0" else "fail",
                     "headline": headline, "totals": t, "kill_rate": report["kill_rate"],
                     "survivors": [m["id"] for m in survivors]})
    md = [heading(out_json, "Mutants of the faithful twin") +
          " (`tools/mutants`, testdata/mutants/twin.txt)", "", headline + "."]
    if survivors:
        md += ["", "Survivors (the suite misses them):", ""]
        md += [f"- `{m['id']}` ({m['file']}): {m['description']}" for m in survivors]
    write(out_md, "\n".join(md) + "\n")


def history(rc, log, changes, out_json, out_md):
    """The benchmarks' history: tools/perf-history page's exit status and
    log ("wrote FILE (N commits)" per LibTorch), and its change points. An
    empty store passes, saying so; a page that failed otherwise fails."""
    text = pathlib.Path(log).read_text() if pathlib.Path(log).exists() else ""
    pages = re.findall(r"^wrote .*/(libtorch-[\d.]+\.html) \((\d+) commits\)$", text, re.M)
    if rc == "0":
        status = "pass"
        headline = ", ".join(f"{name} ({n} commits)" for name, n in pages) + \
            ": [history/index.html](history/index.html)"
    elif "the store has no runs" in text:
        status, headline = "pass", "nothing stored yet (tools/perf-history run main~30..main)"
    else:
        status = "fail"
        headline = f"tools/perf-history page failed (exit {rc}): {text.strip().splitlines()[-1:]}"
    simple(out_json, "history", status, headline)
    found = pathlib.Path(changes).read_text().strip() if pathlib.Path(changes).exists() else ""
    write(out_md, "\n".join([heading(out_json, "Benchmark history"), "",
                             f"{headline}. Change points (tools/perf-history changes):", "",
                             "```", found or "(none)", "```", ""]))


def assemble(out, quick, steps):
    out = pathlib.Path(out)
    frags, md = [], []
    for step in steps:
        p = out / "steps" / f"{step}.json"
        try:
            frag = json.loads(p.read_text())
        except (OSError, ValueError):
            frag = {"step": step, "status": "fail", "headline": "the step wrote no fragment"}
        frags.append(frag)
        m = out / "steps" / f"{step}.md"
        if m.exists():
            md.append(m.read_text().rstrip())
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    except OSError:
        commit = ""
    passed = all(f["status"] == "pass" for f in frags)
    report = {"generated": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "commit": commit, "quick": quick == "1",
              "status": "pass" if passed else "fail", "steps": frags}
    write(out / "report.json", report)
    head = [f"# Harness report ({'quick' if quick == '1' else 'full'})", "",
            f"Commit `{commit}`, {report['generated']}. Overall: **{report['status'].upper()}**.", ""]
    # One row a kind of step, one column a LibTorch version: side by side.
    versions = sorted({step_of(f["step"] + ".json")[2] for f in frags} - {""},
                      key=lambda v: tuple(int(x) for x in v.split(".")))
    kinds = list(dict.fromkeys(step_of(f["step"] + ".json")[1] for f in frags))
    by_step = {f["step"]: f for f in frags}
    columns = versions or [""]
    head += ["| step | " + " | ".join(f"LibTorch {v}" if v else "summary" for v in columns) + " |",
             "|---|" + "---|" * len(columns)]
    for kind in kinds:
        cells = []
        for v in columns:
            f = by_step.get(f"{kind}@{v}") or (by_step.get(kind) if v == columns[0] else None)
            cells.append(f"**{f['status']}**: {f['headline']}" if f else "")
        head.append(f"| {kind} | " + " | ".join(cells) + " |")
    write(out / "report.md", "\n".join(head) + "\n\n" + "\n\n".join(md) + "\n")
    return 0 if passed else 1


def main(argv):
    cmd, args = argv[1], argv[2:]
    if cmd == "simple":
        simple(*args)
    elif cmd == "conformance":
        conformance(*args)
    elif cmd == "matrix":
        matrix(*args)
    elif cmd == "call_counts":
        call_counts(*args)
    elif cmd == "fuzz":
        fuzz(*args)
    elif cmd == "bench":
        bench(*args)
    elif cmd == "mutants":
        mutants(*args)
    elif cmd == "large_memory":
        large_memory(*args)
    elif cmd == "history":
        history(*args)
    elif cmd == "assemble":
        return assemble(args[0], args[1], args[2:])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
