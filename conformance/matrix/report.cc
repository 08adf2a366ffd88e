#include "conformance/matrix/report.h"

#include <array>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <tuple>

namespace tsh::matrix {
namespace {

constexpr Outcome kOutcomes[] = {Outcome::kRoundtrip, Outcome::kCleanError, Outcome::kAbort,
                                 Outcome::kSilentLoss, Outcome::kHang, Outcome::kOwnership};
constexpr int kOutcomeCount = 6;
constexpr Mode kModes[] = {Mode::kFaithful, Mode::kHardened};

bool Broken(Outcome o) {
  return o == Outcome::kAbort || o == Outcome::kSilentLoss || o == Outcome::kHang ||
         o == Outcome::kOwnership;
}

using Tally = std::array<uint64_t, kOutcomeCount>;

bool WriteFile(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << text;
  f.close();
  if (!f) {
    std::cerr << "fault_matrix: cannot write " << path << "\n";
    return false;
  }
  return true;
}

// "stack entry fault": the Markdown table's row key, in first-seen order.
struct Group {
  std::string stack, entry, fault;
  std::array<Tally, 2> by_mode{};
};

}  // namespace

namespace {

// Why a hardened cell's outcome is a HardenedLimits one; nullopt if not.
std::optional<std::string> LimitReason(const Row& r, const Extensions& extensions) {
  const Outcome o = r.verdict.outcome;
  if (!extensions.flush && r.cell.stack == Stack::kBufWriter && o == Outcome::kSilentLoss) {
    return "no flush extension: the BufWriter's flush at drop reports to no one";
  }
  return std::nullopt;
}

}  // namespace

std::vector<std::string> HardenedLimits(const MatrixRun& run) {
  std::vector<std::string> out;
  for (const Row& r : run.rows) {
    if (r.cell.mode != Mode::kHardened) continue;
    if (std::optional<std::string> why = LimitReason(r, run.extensions)) {
      out.push_back(r.cell.Key() + " -> " + OutcomeName(r.verdict.outcome) + ": " + *why);
    }
  }
  return out;
}

std::vector<std::string> HardenedViolations(const MatrixRun& run) {
  std::vector<std::string> out;
  for (const Row& r : run.rows) {
    if (r.cell.mode != Mode::kHardened || LimitReason(r, run.extensions)) continue;
    const Outcome o = r.verdict.outcome;
    if (Broken(o)) {
      out.push_back(r.cell.Key() + " -> " + OutcomeName(o) + ": " + r.verdict.message);
    } else if (IsLegalTransient(r.cell.fault) && o != Outcome::kRoundtrip) {
      out.push_back(r.cell.Key() + " -> " + OutcomeName(o) +
                    " (a legal transient fault must round-trip): " + r.verdict.message);
    }
  }
  return out;
}

std::vector<std::string> ErrorLineViolations(const MatrixRun& run) {
  std::vector<std::string> out;
  for (const Row& r : run.rows) {
    if (r.verdict.error_line_problem.empty()) continue;
    out.push_back(std::string(ModeName(r.cell.mode)) + " " + r.cell.Key() + " -> " +
                  OutcomeName(r.verdict.outcome) + ": " + r.verdict.error_line_problem);
  }
  return out;
}

bool WriteJson(const MatrixRun& run, const std::string& path) {
  std::ostringstream j;
  std::array<Tally, 2> totals{};
  for (const Row& r : run.rows) {
    ++totals[static_cast<int>(r.cell.mode)][static_cast<int>(r.verdict.outcome)];
  }
  j << "{\n  \"seconds\": " << run.seconds << ",\n  \"totals\": {";
  for (Mode m : kModes) {
    j << (m == Mode::kHardened ? ", " : "") << JsonString(ModeName(m)) << ": {";
    for (int o = 0; o < kOutcomeCount; ++o) {
      j << (o ? ", " : "") << JsonString(OutcomeName(kOutcomes[o])) << ": "
        << totals[static_cast<int>(m)][o];
    }
    j << "}";
  }
  std::vector<std::string> violations = HardenedViolations(run);
  j << "},\n  \"hardened_guarantees_hold\": " << (violations.empty() ? "true" : "false");
  j << ",\n  \"error_lines_hold\": " << (ErrorLineViolations(run).empty() ? "true" : "false");
  j << ",\n  \"extensions\": {\"flush\": " << (run.extensions.flush ? "true" : "false")
    << ", \"last_error\": " << (run.extensions.last_error ? "true" : "false") << "}";
  j << ",\n  \"hardened_limits\": " << HardenedLimits(run).size();
  j << ",\n  \"notes\": [";
  for (size_t i = 0; i < run.notes.size(); ++i) {
    j << (i ? ", " : "") << JsonString(run.notes[i]);
  }
  j << "],\n  \"clean_runs\": [";
  for (size_t i = 0; i < run.clean.size(); ++i) {
    const CleanRun& c = run.clean[i];
    j << (i ? ",\n    " : "\n    ") << "{\"stack\": " << JsonString(StackName(c.stack))
      << ", \"entry\": " << JsonString(EntryName(c.entry))
      << ", \"mode\": " << JsonString(ModeName(c.mode)) << ", \"calls\": {";
    bool first = true;
    for (const auto& [op, n] : c.calls) {
      j << (first ? "" : ", ") << JsonString(op) << ": " << n;
      first = false;
    }
    j << "}, \"sampled\": {";
    first = true;
    for (const auto& [op, n] : c.sampled) {
      j << (first ? "" : ", ") << JsonString(op) << ": " << n;
      first = false;
    }
    j << "}}";
  }
  j << "\n  ],\n  \"cells\": [";
  for (size_t i = 0; i < run.rows.size(); ++i) {
    const Row& r = run.rows[i];
    const Cell& c = r.cell;
    j << (i ? ",\n    " : "\n    ") << "{\"stack\": " << JsonString(StackName(c.stack))
      << ", \"entry\": " << JsonString(EntryName(c.entry))
      << ", \"mode\": " << JsonString(ModeName(c.mode)) << ", \"op\": " << JsonString(c.op)
      << ", \"k\": " << c.k << ", \"fault\": " << JsonString(c.fault)
      << ", \"outcome\": " << JsonString(OutcomeName(r.verdict.outcome))
      << ", \"message\": " << JsonString(r.verdict.message) << "}";
  }
  j << "\n  ]\n}\n";
  return WriteFile(path, j.str());
}

bool WriteMarkdown(const MatrixRun& run, const std::string& path) {
  std::ostringstream md;
  std::array<Tally, 2> totals{};
  std::vector<Group> groups;
  std::map<std::tuple<std::string, std::string, std::string>, size_t> index;
  for (const Row& r : run.rows) {
    const int m = static_cast<int>(r.cell.mode);
    const int o = static_cast<int>(r.verdict.outcome);
    ++totals[m][o];
    auto key = std::make_tuple(std::string(StackName(r.cell.stack)),
                               std::string(EntryName(r.cell.entry)), r.cell.fault);
    auto [it, fresh] = index.emplace(key, groups.size());
    if (fresh) groups.push_back({std::get<0>(key), std::get<1>(key), std::get<2>(key), {}});
    ++groups[it->second].by_mode[m][o];
  }
  md << "# Fault matrix: faithful vs hardened\n\n"
     << "Each cell runs one entry point in a child process with one fault on one call "
        "(the k-th call of one stream operation seen in a fault-free run), or one "
        "whole-stream pattern. Outcomes: R roundtrip (bit-equal), E clean_error, "
        "A abort (signal), L silent_loss (success reported, data not back), H hang, "
        "O ownership (stream not dropped exactly once).\n\n";
  md << run.rows.size() << " cells in " << static_cast<int>(run.seconds + 0.5) << " s.\n\n";
  md << "| outcome | faithful | hardened |\n|---|---:|---:|\n";
  for (int o = 0; o < kOutcomeCount; ++o) {
    md << "| " << OutcomeName(kOutcomes[o]) << " | " << totals[0][o] << " | " << totals[1][o]
       << " |\n";
  }
  std::vector<std::string> violations = HardenedViolations(run);
  md << "\n**Hardened guarantees** (no abort, silent_loss, hang or ownership cell): "
     << (violations.empty() ? "HOLD" : "VIOLATED") << "\n";
  for (const std::string& v : violations) md << "- `" << v << "`\n";
  const std::vector<std::string> error_lines = ErrorLineViolations(run);
  md << "\n**Errors' first lines** (one line that names the entry point, and the callback "
        "where one failed): "
     << (error_lines.empty() ? "HOLD" : "BROKEN") << "\n";
  for (const std::string& v : error_lines) md << "- `" << v << "`\n";
  const std::vector<std::string> limits = HardenedLimits(run);
  if (!limits.empty()) {
    md << "\n**Limits of an implementation without the flush extension** (" << limits.size()
       << " hardened cells miss a guarantee that needs it):\n";
    for (const std::string& l : limits) md << "- `" << l << "`\n";
  }
  if (!run.notes.empty()) {
    md << "\nNotes:\n";
    for (const std::string& n : run.notes) md << "- " << n << "\n";
  }
  md << "\n## By stack, entry point and fault\n\n"
     << "| stack | entry | fault | faithful R/E/A/L/H/O | hardened R/E/A/L/H/O |\n"
     << "|---|---|---|---|---|\n";
  auto cells = [](const Tally& t) {
    std::string s;
    for (int o = 0; o < kOutcomeCount; ++o) s += (o ? "/" : "") + std::to_string(t[o]);
    return s;
  };
  for (const Group& g : groups) {
    md << "| " << g.stack << " | " << g.entry << " | `" << g.fault << "` | "
       << cells(g.by_mode[0]) << " | " << cells(g.by_mode[1]) << " |\n";
  }
  md << "\n## Faithful cells that abort, lose data or hang\n\n"
     << "One line per stack, entry, operation and fault; k lists the calls.\n\n";
  std::map<std::string, std::pair<std::string, std::string>> bad;  // key -> (ks, example)
  std::vector<std::string> order;
  for (const Row& r : run.rows) {
    if (r.cell.mode != Mode::kFaithful || !Broken(r.verdict.outcome)) continue;
    std::string key = std::string(StackName(r.cell.stack)) + " " + EntryName(r.cell.entry) +
                      " " + r.cell.op + " " + r.cell.fault + " -> " +
                      OutcomeName(r.verdict.outcome);
    auto [it, fresh] = bad.emplace(key, std::make_pair(std::string(), r.verdict.message));
    if (fresh) order.push_back(key);
    it->second.first += (it->second.first.empty() ? "" : ",") +
                        (r.cell.k < 0 ? std::string("*") : std::to_string(r.cell.k));
  }
  if (order.empty()) md << "None.\n";
  for (const std::string& key : order) {
    std::string example = bad[key].second;
    if (example.size() > 160) example = example.substr(0, 160) + "...";
    md << "- `" << key << "` k=" << bad[key].first << " — " << example << "\n";
  }
  md << "\n## Fault-free call counts (injecting stream)\n\n"
     << "| stack | entry | mode | write | read | seek | position | flush |\n"
     << "|---|---|---|---:|---:|---:|---:|---:|\n";
  for (const CleanRun& c : run.clean) {
    md << "| " << StackName(c.stack) << " | " << EntryName(c.entry) << " | "
       << ModeName(c.mode);
    for (const char* op : {"write", "read", "seek", "position", "flush"}) {
      auto it = c.calls.find(op);
      auto s = c.sampled.find(op);
      md << " | " << (it == c.calls.end() ? 0 : it->second);
      if (it != c.calls.end() && s != c.sampled.end() && s->second < it->second) {
        md << " (" << s->second << " sampled)";
      }
    }
    md << " |\n";
  }
  return WriteFile(path, md.str());
}

namespace {

constexpr char kLibTorchHeader[] = "# libtorch: ";
constexpr char kImplementationHeader[] = "# implementation: ";

struct PinFile {
  bool found = false;
  Provenance provenance;
  std::map<std::string, std::string> outcomes;  // key -> outcome
  std::vector<std::string> order;                // keys as pinned
};

PinFile ReadPins(const std::string& path) {
  PinFile pins;
  std::ifstream f(path);
  if (!f) return pins;
  pins.found = true;
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind(kLibTorchHeader, 0) == 0) {
      pins.provenance.libtorch = line.substr(sizeof(kLibTorchHeader) - 1);
    } else if (line.rfind(kImplementationHeader, 0) == 0) {
      pins.provenance.implementation = line.substr(sizeof(kImplementationHeader) - 1);
    }
    if (line.empty() || line[0] == '#') continue;
    size_t arrow = line.rfind(" -> ");
    if (arrow == std::string::npos) continue;
    std::string key = line.substr(0, arrow);
    if (pins.outcomes.emplace(key, line.substr(arrow + 4)).second) pins.order.push_back(key);
  }
  return pins;
}

}  // namespace

std::string PinCommand(const Provenance& provenance) {
  std::string command = "bazel run";
  if (provenance.libtorch.rfind("1.", 0) != 0) command += " --config=torch2";
  if (provenance.implementation != "bridge") {
    command += " --//conformance/impl:impl=<the cc_library of " + provenance.implementation + ">";
  }
  return command + " //conformance/matrix:fault_matrix -- --pin_dir=$PWD/testdata/fault_matrix";
}

bool WritePins(const MatrixRun& run, Mode mode, const Provenance& provenance,
               const std::string& path) {
  std::ostringstream out;
  out << "# Fault matrix outcomes, " << ModeName(mode)
      << " mode: stack entry op k fault -> outcome.\n"
      << kLibTorchHeader << provenance.libtorch << "\n"
      << kImplementationHeader << provenance.implementation << "\n"
      << "# Regenerate, in the configuration of this LibTorch and implementation:\n"
      << "#   " << PinCommand(provenance) << "\n";
  for (const Row& r : run.rows) {
    if (r.cell.mode == mode) out << r.cell.Key() << " -> " << OutcomeName(r.verdict.outcome) << "\n";
  }
  return WriteFile(path, out.str());
}

std::vector<std::string> DiffPins(const MatrixRun& run, Mode mode,
                                  const Provenance& provenance, const std::string& path,
                                  bool subset) {
  PinFile pins = ReadPins(path);
  if (!pins.found) return {"missing pin file " + path};
  if (pins.provenance.libtorch != provenance.libtorch ||
      pins.provenance.implementation != provenance.implementation) {
    return {path + " was made with LibTorch '" + pins.provenance.libtorch +
            "' and implementation '" + pins.provenance.implementation + "'; this run is LibTorch '" +
            provenance.libtorch + "', implementation '" + provenance.implementation +
            "': make pins for it with --pin_dir, never compare across them"};
  }
  std::vector<std::string> diffs;
  std::map<std::string, bool> seen;
  for (const Row& r : run.rows) {
    if (r.cell.mode != mode) continue;
    const std::string key = r.cell.Key();
    const std::string now = OutcomeName(r.verdict.outcome);
    seen[key] = true;
    auto it = pins.outcomes.find(key);
    if (it == pins.outcomes.end()) {
      // A subset samples other calls than the full run where an operation
      // has more calls than the cap: such a cell has no pin to compare with
      // (the hardened guarantees still judge it).
      if (!subset) diffs.push_back(std::string(ModeName(mode)) + " new: " + key + " -> " + now);
    } else if (it->second != now) {
      diffs.push_back(std::string(ModeName(mode)) + " changed: " + key + ": pinned " +
                      it->second + ", now " + now + " (" + r.verdict.message + ")");
    }
  }
  if (!subset) {
    for (const std::string& key : pins.order) {
      if (!seen.count(key)) {
        diffs.push_back(std::string(ModeName(mode)) + " missing: " + key + " (pinned " +
                        pins.outcomes[key] + ")");
      }
    }
  }
  return diffs;
}

std::vector<std::string> PinMoves(const MatrixRun& run, Mode mode,
                                  const std::string& path) {
  PinFile pins = ReadPins(path);
  if (!pins.found) return {};
  std::map<std::pair<std::string, std::string>, int> moves;  // (was, now) -> cells
  std::map<std::string, bool> seen;
  for (const Row& r : run.rows) {
    if (r.cell.mode != mode) continue;
    const std::string key = r.cell.Key();
    seen[key] = true;
    auto it = pins.outcomes.find(key);
    const std::string was = it == pins.outcomes.end() ? "(new cell)" : it->second;
    const std::string now = OutcomeName(r.verdict.outcome);
    if (was != now) ++moves[{was, now}];
  }
  for (const std::string& key : pins.order) {
    if (!seen.count(key)) ++moves[{pins.outcomes[key], "(cell gone)"}];
  }
  std::vector<std::string> out;
  for (const auto& [move, cells] : moves) {
    out.push_back(std::string(ModeName(mode)) + ": " + move.first + " -> " + move.second + ": " +
                  std::to_string(cells) + (cells == 1 ? " cell" : " cells"));
  }
  return out;
}

}  // namespace tsh::matrix
