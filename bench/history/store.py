"""The performance history: measured figures per commit, in one SQLite file.

A run is one measurement of one commit, keyed by
  (commit, LibTorch major.minor, compilation mode, machine, kind),
where kind is "instructions" (bench/instructions.py output), "wall"
(//bench:stream_bench JSON: its ratios, with intervals where they were
measured interleaved, and its call counts) or "large_memory"
(//bench:large_memory JSON). A run's status is "ok", "build_failed" or
"run_failed"; a failed run has no results and says why in its detail, so a
backfill does not try that commit again. A run also records who measured
it (source: "backfill", "ci"), when, and in how many seconds. Each result is one figure of one
benchmark: (benchmark, metric, value, lo, hi). A series is the values of
one (benchmark, metric) over commits, named "benchmark:metric" (for example
"save/cursor/faithful/f32/1048576:bridge_per_byte").

Storing a run of a key that is already stored replaces it. The schema has a
version (meta.schema_version); a store of another version is refused, never
migrated silently. export() writes every run as one JSON object per line
(schema "tsh-perf-history/1"); import_lines() reads that back, so a CI
system can keep the history as an artifact between runs.
Python 3 standard library only.
"""

import datetime
import json
import os
import sqlite3

SCHEMA_VERSION = 1
EXPORT_SCHEMA = "tsh-perf-history/%d" % SCHEMA_VERSION
KINDS = ("instructions", "wall", "large_memory")
STATUSES = ("ok", "build_failed", "run_failed")

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE commits (
  sha TEXT PRIMARY KEY,
  subject TEXT NOT NULL,
  committed_at INTEGER NOT NULL);
CREATE TABLE runs (
  id INTEGER PRIMARY KEY,
  sha TEXT NOT NULL REFERENCES commits(sha),
  libtorch TEXT NOT NULL,
  mode TEXT NOT NULL,
  machine TEXT NOT NULL,
  kind TEXT NOT NULL,
  status TEXT NOT NULL,
  detail TEXT NOT NULL,
  source TEXT NOT NULL,
  measured_at TEXT NOT NULL,
  seconds REAL,
  UNIQUE (sha, libtorch, mode, machine, kind));
CREATE TABLE results (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  benchmark TEXT NOT NULL,
  metric TEXT NOT NULL,
  value REAL NOT NULL,
  lo REAL,
  hi REAL,
  PRIMARY KEY (run_id, benchmark, metric));
"""


class StoreError(Exception):
    """A store that cannot be used: another schema version, bad input."""


def machine_name():
    """The machine a measurement belongs to: CPU model and core count."""
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return "%s, %d cores" % (model, os.cpu_count() or 0)


def series_id(benchmark, metric):
    return "%s:%s" % (benchmark, metric)


class Key:
    """What a run is of, besides its commit."""

    def __init__(self, libtorch, mode, machine, kind):
        if kind not in KINDS:
            raise StoreError("unknown kind %r (one of %s)" % (kind, ", ".join(KINDS)))
        self.libtorch, self.mode, self.machine, self.kind = libtorch, mode, machine, kind

    def with_kind(self, kind):
        return Key(self.libtorch, self.mode, self.machine, kind)

    def __repr__(self):
        return "LibTorch %s, %s, %s, %s" % (self.libtorch, self.mode, self.kind, self.machine)


class Run:
    """One stored measurement: its key, commit, status and results
    ({(benchmark, metric): (value, lo, hi)})."""

    def __init__(self, sha, key, status, results=None, detail="", source="store",
                 measured_at=None, seconds=None):
        if status not in STATUSES:
            raise StoreError("unknown status %r" % status)
        self.sha, self.key, self.status = sha, key, status
        self.results = dict(results or {})
        self.detail, self.source, self.seconds = detail, source, seconds
        self.measured_at = measured_at or datetime.datetime.now(
            datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class Store:
    """An open store; creates the file (and its folder) when missing."""

    def __init__(self, path):
        self.path = path
        if path != ":memory:":
            os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        self.db = sqlite3.connect(path)
        self.db.execute("PRAGMA foreign_keys = ON")
        try:
            tables = {r[0] for r in self.db.execute(
                "SELECT name FROM sqlite_master WHERE type='table'")}
        except sqlite3.DatabaseError as e:
            raise StoreError("%s is not a performance history: %s" % (path, e))
        if not tables:
            with self.db:
                self.db.executescript(_SCHEMA)
                self.db.execute("INSERT INTO meta VALUES ('schema_version', ?)",
                                (str(SCHEMA_VERSION),))
        version = self._meta("schema_version")
        if version != str(SCHEMA_VERSION):
            raise StoreError("%s has schema version %s; this tool reads version %d" % (
                path, version, SCHEMA_VERSION))

    def _meta(self, key):
        try:
            row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        except sqlite3.DatabaseError as e:
            raise StoreError("%s is not a performance history: %s" % (self.path, e))
        return row[0] if row else None

    def close(self):
        self.db.close()

    def add_commit(self, sha, subject, committed_at):
        with self.db:
            self.db.execute("INSERT OR REPLACE INTO commits VALUES (?, ?, ?)",
                            (sha, subject, int(committed_at)))

    def commit_info(self, sha):
        """(subject, committed_at) of a stored commit, or None."""
        return self.db.execute("SELECT subject, committed_at FROM commits WHERE sha = ?",
                               (sha,)).fetchone()

    def put(self, run):
        """Stores `run`, replacing a stored run of the same commit and key.
        The commit must have been added."""
        if self.commit_info(run.sha) is None:
            raise StoreError("commit %s is not in the store (add_commit first)" % run.sha)
        k = run.key
        with self.db:
            self.db.execute(
                "DELETE FROM runs WHERE sha=? AND libtorch=? AND mode=? AND machine=? AND kind=?",
                (run.sha, k.libtorch, k.mode, k.machine, k.kind))
            cur = self.db.execute(
                "INSERT INTO runs (sha, libtorch, mode, machine, kind, status, detail, source,"
                " measured_at, seconds) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (run.sha, k.libtorch, k.mode, k.machine, k.kind, run.status, run.detail,
                 run.source, run.measured_at, run.seconds))
            self.db.executemany(
                "INSERT INTO results VALUES (?, ?, ?, ?, ?, ?)",
                [(cur.lastrowid, b, m, v, lo, hi)
                 for (b, m), (v, lo, hi) in sorted(run.results.items())])

    def get(self, sha, key):
        """The stored Run of `sha` under `key`, or None."""
        row = self.db.execute(
            "SELECT id, status, detail, source, measured_at, seconds FROM runs"
            " WHERE sha=? AND libtorch=? AND mode=? AND machine=? AND kind=?",
            (sha, key.libtorch, key.mode, key.machine, key.kind)).fetchone()
        if row is None:
            return None
        results = {(b, m): (v, lo, hi) for b, m, v, lo, hi in self.db.execute(
            "SELECT benchmark, metric, value, lo, hi FROM results WHERE run_id = ?", (row[0],))}
        return Run(sha, key, row[1], results, detail=row[2], source=row[3],
                   measured_at=row[4], seconds=row[5])

    def statuses(self, key):
        """{sha: status} of every run stored under `key`, without their
        results."""
        return dict(self.db.execute(
            "SELECT sha, status FROM runs WHERE libtorch=? AND mode=? AND machine=? AND kind=?",
            (key.libtorch, key.mode, key.machine, key.kind)))

    def keys(self):
        """Every Key that has a stored run."""
        return [Key(*r) for r in self.db.execute(
            "SELECT DISTINCT libtorch, mode, machine, kind FROM runs ORDER BY 1, 2, 3, 4")]

    def shas(self):
        return [r[0] for r in self.db.execute("SELECT sha FROM commits ORDER BY committed_at, sha")]

    def series(self, key, shas):
        """{series id: [(value, lo, hi) or None for each of `shas`]} of the
        runs stored under `key`; None where a commit has no ok run or no
        such figure."""
        index = {sha: i for i, sha in enumerate(shas)}
        out = {}
        for sha, b, m, v, lo, hi in self.db.execute(
                "SELECT runs.sha, benchmark, metric, value, lo, hi FROM results"
                " JOIN runs ON runs.id = results.run_id WHERE runs.status = 'ok' AND"
                " libtorch=? AND mode=? AND machine=? AND kind=?",
                (key.libtorch, key.mode, key.machine, key.kind)):
            if sha in index:
                out.setdefault(series_id(b, m), [None] * len(shas))[index[sha]] = (v, lo, hi)
        return out

    def export(self, out):
        """Writes every run as one JSON line to the file object `out`;
        returns how many."""
        n = 0
        for run_id, sha, lt, mode, machine, kind, status, detail, source, at, secs, subject, \
                committed_at in self.db.execute(
                    "SELECT runs.id, runs.sha, libtorch, mode, machine, kind, status, detail,"
                    " source, measured_at, seconds, subject, committed_at FROM runs"
                    " JOIN commits ON commits.sha = runs.sha ORDER BY committed_at, runs.sha,"
                    " libtorch, mode, machine, kind"):
            results = [{"benchmark": b, "metric": m, "value": v, "lo": lo, "hi": hi}
                       for b, m, v, lo, hi in self.db.execute(
                           "SELECT benchmark, metric, value, lo, hi FROM results"
                           " WHERE run_id = ? ORDER BY benchmark, metric", (run_id,))]
            out.write(json.dumps({
                "schema": EXPORT_SCHEMA, "commit": sha, "subject": subject,
                "committed_at": committed_at, "libtorch": lt, "mode": mode, "machine": machine,
                "kind": kind, "status": status, "detail": detail, "source": source,
                "measured_at": at, "seconds": secs, "results": results}, sort_keys=True) + "\n")
            n += 1
        return n

    def import_lines(self, lines):
        """Stores the runs of an export (an iterable of its lines); returns
        how many. A line of another schema is a StoreError."""
        n = 0
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                doc = json.loads(line)
                if doc.get("schema") != EXPORT_SCHEMA:
                    raise StoreError("line %d has schema %r, not %s" % (
                        number, doc.get("schema"), EXPORT_SCHEMA))
                self.add_commit(doc["commit"], doc["subject"], doc["committed_at"])
                key = Key(doc["libtorch"], doc["mode"], doc["machine"], doc["kind"])
                results = {(r["benchmark"], r["metric"]): (r["value"], r["lo"], r["hi"])
                           for r in doc["results"]}
                self.put(Run(doc["commit"], key, doc["status"], results, detail=doc["detail"],
                             source=doc["source"], measured_at=doc["measured_at"],
                             seconds=doc["seconds"]))
            except (ValueError, KeyError, TypeError) as e:
                raise StoreError("line %d is not a run of %s: %s" % (number, EXPORT_SCHEMA, e))
            n += 1
        return n


def instructions_results(doc):
    """Results of a bench/instructions.py JSON: each operation's bridge,
    torch and rest instructions and bridge_per_byte."""
    out = {}
    for name, op in doc.get("operations", {}).items():
        for metric in ("bridge", "torch", "rest", "bridge_per_byte"):
            if metric in op:
                out[(name, metric)] = (float(op[metric]), None, None)
    return out


def wall_results(doc):
    """Results of a //bench:stream_bench JSON: every ratio of
    bench/bench_compare.py per size (benchmark "ratio/<id>/<bytes>", metric
    "ratio", with lo and hi where measured interleaved), and each case's call
    counts (read_calls, write_calls, seek_calls). A run with errors is not a
    measurement: StoreError."""
    from bench import bench_compare
    run = bench_compare.Run(doc)
    if run.errors:
        name, message = sorted(run.errors.items())[0]
        raise StoreError("the run has %d case(s) with errors, first %s: %s" % (
            len(run.errors), name, message))
    out = {}
    for rid, got in bench_compare.compute(run).items():
        for n, v in got["values"].items():
            lo, hi = got["intervals"].get(n, (None, None))
            out[("ratio/%s" % rid if n == "-" else "ratio/%s/%s" % (rid, n), "ratio")] = (v, lo, hi)
    for name, measures in run.values.items():
        for metric in ("read_calls", "write_calls", "seek_calls"):
            if metric in measures:
                out[(name, metric)] = (measures[metric], None, None)
    return out


def large_memory_results(doc):
    """Results of a //bench:large_memory JSON: each operation's seconds and
    peak_kib, each ratio's value (benchmark "large/<name>")."""
    out = {}
    for name, op in doc.get("operations", {}).items():
        if not op.get("ok"):
            raise StoreError("the 2.25 GiB operation %s failed" % name)
        for metric in ("seconds", "peak_kib"):
            out[("large/%s" % name, metric)] = (float(op[metric]), None, None)
    for name, r in doc.get("ratios", {}).items():
        out[("large/%s" % name, "ratio")] = (float(r["value"]), None, None)
    return out


RESULTS_OF = {"instructions": instructions_results, "wall": wall_results,
              "large_memory": large_memory_results}


def kind_of(series):
    """The kind of run a series id comes from."""
    benchmark, _, metric = series.rpartition(":")
    if benchmark.startswith("large/"):
        return "large_memory"
    if metric in ("bridge", "torch", "rest", "bridge_per_byte"):
        return "instructions"
    return "wall"
