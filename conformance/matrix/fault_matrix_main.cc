// The fault matrix: every entry point x mode x call k of each stream
// operation x fault kind, each in a child process, classified and reported.
//
//   fault_matrix [--out=DIR] [--quick] [--max_calls=N] [--jobs=N]
//                [--timeout_s=S] [--pin_dir=DIR] [--check_pins=DIR]
//   fault_matrix --replay=CELL.json [--in_process]
//
// --jobs: children at a time (default: the machine's cores).
// --out writes DIR/matrix.json and DIR/matrix.md. Pins are kept per
// implementation and LibTorch version: --pin_dir writes
// DIR/I/V/faithful.txt and DIR/I/V/hardened.txt, I the implementation's
// name (TSH_IMPL_NAME), V the LibTorch's major.minor (TSH_LIBTORCH_VERSION),
// first printing how outcomes moved from the pins already there; it
// refuses while a hardened guarantee is broken (report.h:
// HardenedViolations), so no pin can accept one. --check_pins compares
// the run with DIR/I/V's pins and prints every difference; pins made with
// another LibTorch or implementation are refused, and an implementation or
// version with no pins fails, saying how to make them. --quick samples 3 calls per
// operation instead of up to --max_calls (default 48): call indices are
// spread evenly, first and last included, and the report says so.
// --replay runs the one cell a JSON file describes (testdata/findings/);
// the file's "outcomes" names the outcome for each LibTorch version: a
// different one, or none for this version, fails. --in_process runs
// it in this process (for a debugger; a faithful write fault then aborts).
//
// Before any cell, each fault-free archive the save cells are judged
// against is loaded with LibTorch's own loader (run_cell.h:
// CheckCleanArchive), so an implementation that writes the same wrong
// bytes every time cannot score `roundtrip`.
//
// Every error an entry point leaves is checked against the promise of its
// first line (run_cell.h); a cell whose error breaks it fails the run, as
// a broken hardened guarantee does, in either mode.
//
// Exit status: 0; 1 when a hardened guarantee or an error's first line is
// broken, a pin differs, a clean run or archive fails, or a replay
// disagrees; 2 on bad flags.
#include <ATen/Parallel.h>
#include <torch/version.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "bridge/stream_failure.h"
#include "conformance/matrix/cell.h"
#include "conformance/matrix/child_runner.h"
#include "conformance/matrix/report.h"
#include "conformance/matrix/run_cell.h"
#include "libtorch_version.h"

// The implementation under test names itself through a define of its
// cc_library (conformance/impl/BUILD), which reaches every dependent.
#ifndef TSH_IMPL_NAME
#define TSH_IMPL_NAME unnamed
#endif
#define TSH_STRINGIFY_(x) #x
#define TSH_STRINGIFY(x) TSH_STRINGIFY_(x)

namespace tsh::matrix {
namespace {

using test::Entry;

const Provenance kProvenance{TORCH_VERSION, TSH_STRINGIFY(TSH_IMPL_NAME)};

// Where the pins of this implementation and LibTorch live under `root`.
std::string PinDir(const std::string& root) {
  return root + "/" + kProvenance.implementation + "/" + TSH_LIBTORCH_VERSION;
}

struct Flags {
  std::string out, pin_dir, check_pins, replay;
  bool quick = false, in_process = false;
  int max_calls = 48, timeout_s = 10;
  int jobs = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
};

bool ParseFlags(int argc, char** argv, Flags& f) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](const char* name, std::string& into) {
      std::string prefix = std::string("--") + name + "=";
      if (a.rfind(prefix, 0) != 0) return false;
      into = a.substr(prefix.size());
      return true;
    };
    std::string n;
    if (value("out", f.out) || value("pin_dir", f.pin_dir) ||
        value("check_pins", f.check_pins) || value("replay", f.replay)) {
      continue;
    }
    if (a == "--quick") {
      f.quick = true;
    } else if (a == "--in_process") {
      f.in_process = true;
    } else if (value("max_calls", n)) {
      f.max_calls = std::atoi(n.c_str());
    } else if (value("jobs", n)) {
      f.jobs = std::atoi(n.c_str());
    } else if (value("timeout_s", n)) {
      f.timeout_s = std::atoi(n.c_str());
    } else {
      std::cerr << "fault_matrix: unknown flag " << a << "\n";
      return false;
    }
  }
  return f.max_calls >= 1 && f.jobs >= 1 && f.timeout_s >= 1;
}

// Up to `cap` call indices in [0, n), spread evenly, first and last included.
std::vector<int64_t> SampleCalls(uint64_t n, int cap) {
  std::vector<int64_t> ks;
  if (n <= static_cast<uint64_t>(cap)) {
    for (uint64_t k = 0; k < n; ++k) ks.push_back(static_cast<int64_t>(k));
    return ks;
  }
  for (int i = 0; i < cap; ++i) {
    int64_t k = cap == 1 ? 0 : static_cast<int64_t>((n - 1) * i / (cap - 1));
    if (ks.empty() || ks.back() != k) ks.push_back(k);
  }
  return ks;
}

// The outcome `text` (a finding's cell description) records for LibTorch
// `version`: the value of `version` in its object "outcomes".
std::optional<std::string> RecordedOutcome(const std::string& text, const std::string& version) {
  const std::string::size_type outcomes = text.find("\"outcomes\"");
  if (outcomes == std::string::npos) return std::nullopt;
  const std::string::size_type end = text.find('}', outcomes);
  const std::string::size_type key = text.find("\"" + version + "\"", outcomes);
  if (key == std::string::npos || key > end) return std::nullopt;
  const std::string::size_type open = text.find('"', text.find(':', key));
  const std::string::size_type close = text.find('"', open + 1);
  if (open == std::string::npos || close == std::string::npos || close > end) return std::nullopt;
  return text.substr(open + 1, close - open - 1);
}

int Replay(const Flags& flags) {
  std::ifstream in(flags.replay);
  std::stringstream text;
  text << in.rdbuf();
  std::optional<Cell> cell = Cell::FromJson(text.str());
  if (!in || !cell) {
    std::cerr << "fault_matrix: " << flags.replay << " is not a cell description\n";
    return 2;
  }
  CellRunner runner;
  runner.CleanArchive(cell->entry, cell->mode);
  Verdict v;
  if (flags.in_process) {
    v = runner.Run(*cell);
  } else {
    ChildOptions options;
    options.parallel = 1;
    options.timeout_s = flags.timeout_s;
    v = RunInChildren(1, [&](size_t) { return runner.Run(*cell); }, options)[0];
  }
  std::cout << ModeName(cell->mode) << " " << cell->Key() << " -> " << OutcomeName(v.outcome)
            << (v.message.empty() ? "" : ": " + v.message) << "\n";
  if (!v.error_line_problem.empty()) {
    std::cout << "ERROR LINE BROKEN: " << v.error_line_problem << "\n";
    return 1;
  }
  const std::optional<std::string> recorded = RecordedOutcome(text.str(), TSH_LIBTORCH_VERSION);
  if (!recorded) {
    std::cout << "replay: " << flags.replay << " records no outcome for LibTorch "
              << TSH_LIBTORCH_VERSION << ": replay and record it with tools/findings --write\n";
    return 1;
  }
  if (*recorded != OutcomeName(v.outcome)) {
    std::cout << "replay: LibTorch " << TSH_LIBTORCH_VERSION << " gives " << OutcomeName(v.outcome)
              << ", " << flags.replay << " records " << *recorded << "\n";
    return 1;
  }
  return 0;
}

int Main(int argc, char** argv) {
  Flags flags;
  if (!ParseFlags(argc, argv, flags)) return 2;
  // One LibTorch thread: children are forked from this one, and the matrix
  // keeps to the machine's cores through --jobs.
  at::set_num_threads(1);
  if (!flags.replay.empty()) return Replay(flags);

  const auto start = std::chrono::steady_clock::now();
  const int cap = flags.quick ? 3 : flags.max_calls;
  CellRunner runner;
  MatrixRun run;
  run.extensions = Extensions{HasFlushExtension(), HasLastErrorExtension()};
  bool clean_failed = false;
  const Entry entries[] = {Entry::kSaveOne, Entry::kSaveNamed, Entry::kLoadOne, Entry::kLoadNamed};
  const Mode modes[] = {Mode::kFaithful, Mode::kHardened};
  for (Entry e : entries) {
    for (Mode m : modes) {
      runner.CleanArchive(e, m);
      if (!IsSave(e)) continue;
      Verdict reference = runner.CheckCleanArchive(e, m);
      if (reference.outcome != Outcome::kRoundtrip) {
        clean_failed = true;
        run.notes.push_back(std::string("clean archive of ") + EntryName(e) + " " + ModeName(m) +
                            " does not load with LibTorch's own loader: " + reference.message);
      }
    }
  }
  for (Entry e : entries) {
    for (Stack s : {Stack::kDirect, IsSave(e) ? Stack::kBufWriter : Stack::kBufReader}) {
      for (Mode m : modes) {
        Verdict clean;
        CallCounts counts = runner.CleanCounts(s, e, m, &clean);
        CleanRun cr{s, e, m, {}, {}};
        if (clean.outcome != Outcome::kRoundtrip) {
          clean_failed = true;
          run.notes.push_back(std::string("clean run failed: ") + StackName(s) + " " +
                              EntryName(e) + " " + ModeName(m) + ": " + clean.message);
        }
        for (int i = 0; i < kOpCount; ++i) {
          const Op op = static_cast<Op>(i);
          if (counts[i] == 0) continue;
          std::vector<int64_t> ks = SampleCalls(counts[i], cap);
          cr.calls[OpName(op)] = counts[i];
          cr.sampled[OpName(op)] = ks.size();
          if (ks.size() < counts[i]) {
            run.notes.push_back(std::string(StackName(s)) + " " + EntryName(e) + " " +
                                ModeName(m) + ": " + std::to_string(ks.size()) + " of " +
                                std::to_string(counts[i]) + " " + OpName(op) +
                                " calls sampled (cap " + std::to_string(cap) + ")");
          }
          for (int64_t k : ks) {
            for (const std::string& fault : FaultNamesFor(s, op)) {
              run.rows.push_back({Cell{s, e, m, OpName(op), k, fault}, {}});
            }
          }
        }
        for (const std::string& p : PatternNames()) {
          run.rows.push_back({Cell{s, e, m, "*", -1, p}, {}});
        }
        run.clean.push_back(std::move(cr));
      }
    }
  }
  std::cerr << "fault_matrix: " << run.rows.size() << " cells, " << flags.jobs
            << " at a time\n";
  ChildOptions options;
  options.parallel = flags.jobs;
  options.timeout_s = flags.timeout_s;
  size_t step = run.rows.size() / 10 + 1;
  options.progress = [&](size_t done, size_t total) {
    if (done % step == 0 || done == total) {
      double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      std::cerr << "fault_matrix: " << done << "/" << total << " cells (" << static_cast<int>(s)
                << " s)\n";
    }
  };
  std::vector<Verdict> verdicts = RunInChildren(
      run.rows.size(), [&](size_t i) { return runner.Run(run.rows[i].cell); }, options);
  for (size_t i = 0; i < verdicts.size(); ++i) run.rows[i].verdict = std::move(verdicts[i]);
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  int status = clean_failed ? 1 : 0;
  if (!flags.out.empty()) {
    std::error_code ignored;  // A folder that cannot be made fails the writes below.
    std::filesystem::create_directories(flags.out, ignored);
    if (!WriteJson(run, flags.out + "/matrix.json") ||
        !WriteMarkdown(run, flags.out + "/matrix.md")) {
      status = 1;
    }
  }
  std::vector<std::string> violations = HardenedViolations(run);
  for (const std::string& v : violations) std::cout << "HARDENED GUARANTEE BROKEN: " << v << "\n";
  const size_t limits = HardenedLimits(run).size();
  if (limits != 0) {
    std::cout << "fault_matrix: " << limits << " hardened cells miss a guarantee that needs an "
              << "extension the implementation lacks (flush: "
              << (run.extensions.flush ? "yes" : "no")
              << ", last_error: " << (run.extensions.last_error ? "yes" : "no")
              << "); matrix.md lists them\n";
  }
  const std::vector<std::string> error_lines = ErrorLineViolations(run);
  for (const std::string& v : error_lines) std::cout << "ERROR LINE BROKEN: " << v << "\n";
  if (!violations.empty() || !error_lines.empty()) status = 1;
  if (!flags.pin_dir.empty()) {
    if (!violations.empty() || !error_lines.empty() || clean_failed) {
      std::cout << "fault_matrix: refusing to write pins: " << violations.size()
                << " hardened guarantee(s) broken, " << error_lines.size()
                << " error line(s) broken" << (clean_failed ? ", a clean run failed" : "")
                << "\n";
    } else {
      const std::string dir = PinDir(flags.pin_dir);
      std::cout << "fault_matrix: pins for LibTorch " << kProvenance.libtorch << ", implementation "
                << kProvenance.implementation << "; outcomes moved from the pins in " << dir
                << ":\n";
      size_t moved = 0;
      std::error_code ignored;  // A folder that cannot be made fails WritePins.
      std::filesystem::create_directories(dir, ignored);
      for (Mode m : modes) {
        const std::string path = dir + "/" + ModeName(m) + ".txt";
        for (const std::string& line : PinMoves(run, m, path)) {
          std::cout << "  " << line << "\n";
          ++moved;
        }
        if (!WritePins(run, m, kProvenance, path)) status = 1;
      }
      if (moved == 0) std::cout << "  none\n";
    }
  }
  if (!flags.check_pins.empty()) {
    const std::string dir = PinDir(flags.check_pins);
    if (!std::filesystem::is_directory(dir)) {
      std::cout << "fault_matrix: no pins for implementation " << kProvenance.implementation
                << " on LibTorch " << TSH_LIBTORCH_VERSION << " (" << dir
                << "); make them in the configuration of this build:\n  "
                << PinCommand(kProvenance) << "\n";
      return 1;
    }
    size_t ndiff = 0;
    for (Mode m : modes) {
      for (const std::string& d : DiffPins(run, m, kProvenance, dir + "/" + ModeName(m) + ".txt",
                                           flags.quick)) {
        std::cout << "PIN DIFF " << d << "\n";
        ++ndiff;
      }
    }
    std::cout << "fault_matrix: " << ndiff << " pin differences\n";
    if (ndiff != 0) status = 1;
  }
  std::array<std::array<int, 6>, 2> totals{};
  for (const Row& r : run.rows) {
    ++totals[static_cast<int>(r.cell.mode)][static_cast<int>(r.verdict.outcome)];
  }
  for (Mode m : modes) {
    const auto& t = totals[static_cast<int>(m)];
    std::cout << "fault_matrix: " << ModeName(m) << ": " << t[0] << " roundtrip, " << t[1]
              << " clean_error, " << t[2] << " abort, " << t[3] << " silent_loss, " << t[4]
              << " hang, " << t[5] << " ownership\n";
  }
  for (const std::string& n : run.notes) std::cout << "note: " << n << "\n";
  std::cout << "fault_matrix: " << run.rows.size() << " cells in " << static_cast<int>(run.seconds)
            << " s\n";
  return status;
}

}  // namespace
}  // namespace tsh::matrix

int main(int argc, char** argv) { return tsh::matrix::Main(argc, argv); }
