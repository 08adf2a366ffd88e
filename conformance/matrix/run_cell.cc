#include "conformance/matrix/run_cell.h"

#include <algorithm>
#include <memory>
#include <optional>

#include <ATen/ATen.h>
#include <torch/serialize.h>

#include "bridge/buf_reader.h"
#include "bridge/buf_writer.h"
#include "bridge/by_ref.h"
#include "bridge/cursor.h"
#include "bridge/mode.h"
#include "bridge/torch_api.h"
#include "conformance/testing/error_line.h"
#include "conformance/testing/harness_stream.h"
#include "testing/tensors.h"

namespace tsh::matrix {
namespace {

using test::BitEqual;
using test::Entry;
using test::ErrorOrigin;
using test::HarnessStream;
using test::PatternTensor;
using Named = std::vector<std::pair<std::string, at::Tensor>>;

// tch-rs stores dots as '|'; loads report that form.
std::string Piped(std::string name) {
  std::replace(name.begin(), name.end(), '.', '|');
  return name;
}

CallCounts CountsOf(const FaultStream& s) {
  CallCounts c{};
  for (int i = 0; i < kOpCount; ++i) c[i] = s.calls(static_cast<Op>(i));
  return c;
}

std::optional<std::string> OwnershipProblem(const HarnessStream& h) {
  if (h.drops() == 1 && h.uses_after_drop() == 0) return std::nullopt;
  return "harness stream dropped " + std::to_string(h.drops()) + " times, used " +
         std::to_string(h.uses_after_drop()) + " times after drop";
}

// The error `entry` left, with what breaks its first line's promise.
Verdict Clean(Entry entry, ErrorOrigin origin, const Error& e) {
  return {Outcome::kCleanError, e.ToString(),
          test::ErrorLineProblem(e.message(), entry, origin).value_or("")};
}

Status SaveVia(Entry entry, Mode mode, void* ptr, const at::Tensor& one,
               const Named& named) {
  if (entry == Entry::kSaveOne) {
    tsh_save_to_stream(const_cast<at::Tensor*>(&one), ptr, CMode(mode));
  } else {
    std::vector<tensor> ts;
    std::vector<std::string> names;
    for (const auto& [name, t] : named) {
      ts.push_back(const_cast<at::Tensor*>(&t));
      names.push_back(name);
    }
    std::vector<char*> cnames;
    for (std::string& n : names) cnames.push_back(n.data());
    tsh_save_multi_to_stream(ts.data(), cnames.data(), static_cast<int>(ts.size()), ptr,
                             CMode(mode));
  }
  return TakeLastStatus();
}

// Loads through the entry point and compares with what was saved; an error
// is checked as from `origin`.
Verdict LoadVia(Entry entry, Mode mode, void* ptr, const at::Tensor& one, const Named& named,
                ErrorOrigin origin) {
  std::string why;
  if (entry == Entry::kLoadOne) {
    std::unique_ptr<at::Tensor> t(tsh_load_from_stream(ptr, CMode(mode)));
    Status s = TakeLastStatus();
    if (!s.ok()) return Clean(entry, origin, s.error());
    if (t == nullptr) return {Outcome::kSilentLoss, "no error and no tensor"};
    if (!BitEqual(one, *t, &why)) return {Outcome::kSilentLoss, "loaded tensor: " + why};
    return {Outcome::kRoundtrip, ""};
  }
  Named got;
  tsh_load_from_stream_callback(
      ptr, &got,
      [](void* data, char* name, tensor t) {
        std::unique_ptr<at::Tensor> owned(t);
        static_cast<Named*>(data)->emplace_back(name, std::move(*owned));
      },
      false, -1, CMode(mode));
  Status s = TakeLastStatus();
  if (!s.ok()) return Clean(entry, origin, s.error());
  if (got.size() != named.size()) {
    return {Outcome::kSilentLoss, "loaded " + std::to_string(got.size()) + " of " +
                                      std::to_string(named.size()) + " tensors"};
  }
  for (size_t i = 0; i < got.size(); ++i) {
    if (got[i].first != Piped(named[i].first)) {
      return {Outcome::kSilentLoss, "tensor " + std::to_string(i) + " named " + got[i].first};
    }
    if (!BitEqual(named[i].second, got[i].second, &why)) {
      return {Outcome::kSilentLoss, "tensor " + got[i].first + ": " + why};
    }
  }
  return {Outcome::kRoundtrip, ""};
}

Entry LoadEntryOf(Entry save) {
  return save == Entry::kSaveOne ? Entry::kLoadOne : Entry::kLoadNamed;
}

Entry SaveEntryOf(Entry load) {
  return load == Entry::kLoadOne ? Entry::kSaveOne : Entry::kSaveNamed;
}

}  // namespace

CellRunner::CellRunner()
    : one_(PatternTensor(at::kFloat, {1000}, 7)),
      named_{{"layer.weight", PatternTensor(at::kFloat, {4, 5}, 1)},
             {"layer.bias", PatternTensor(at::kFloat, {5}, 2)},
             {"head", PatternTensor(at::kLong, {3}, 3)}} {}

Verdict CellRunner::Run(const Cell& cell, CallCounts* injected) {
  std::optional<FaultPlan> plan = cell.Plan();
  if (!plan) return {Outcome::kCleanError, "bad cell: " + cell.Key()};
  return RunPlan(cell.stack, cell.entry, cell.mode, *plan,
                 FailsACall(cell.fault) ? ErrorOrigin::kCallback : ErrorOrigin::kAny, injected);
}

CallCounts CellRunner::CleanCounts(Stack stack, Entry entry, Mode mode, Verdict* bad) {
  CallCounts counts{};
  Verdict v = RunPlan(stack, entry, mode, FaultPlan(), ErrorOrigin::kAny, &counts);
  if (bad != nullptr) *bad = v;
  return counts;
}

const std::vector<uint8_t>& CellRunner::CleanArchive(Entry entry, Mode mode) {
  const Entry save = IsSave(entry) ? entry : SaveEntryOf(entry);
  auto key = std::make_pair(save == Entry::kSaveOne, mode);
  auto it = archives_.find(key);
  if (it != archives_.end()) return it->second;
  // A failed clean save leaves the archive empty: every cell over it then
  // fails its clean run, which the matrix reports.
  Cursor sink;
  HarnessStream harness(
      std::make_unique<FaultStream>(std::unique_ptr<Write>(new WriteRef(sink)), FaultPlan()));
  Status saved = SaveVia(save, mode, harness.NewWriteStream(), one_, named_);
  return archives_[key] = saved.ok() ? sink.data() : std::vector<uint8_t>();
}

Verdict CellRunner::CheckCleanArchive(Entry save, Mode mode) {
  const std::vector<uint8_t>& bytes = CleanArchive(save, mode);
  if (bytes.empty()) return {Outcome::kCleanError, "the fault-free save failed"};
  const char* data = reinterpret_cast<const char*>(bytes.data());
  std::string why;
  try {
    if (save == Entry::kSaveOne) {
      at::Tensor t;
      torch::load(t, data, bytes.size());
      if (!BitEqual(one_, t, &why)) return {Outcome::kSilentLoss, "tensor: " + why};
      return {Outcome::kRoundtrip, ""};
    }
    torch::serialize::InputArchive archive;
    archive.load_from(data, bytes.size());
    for (const auto& [name, want] : named_) {
      at::Tensor t;
      archive.read(Piped(name), t);
      if (!BitEqual(want, t, &why)) return {Outcome::kSilentLoss, name + ": " + why};
    }
    return {Outcome::kRoundtrip, ""};
  } catch (const std::exception& e) {
    return {Outcome::kCleanError, e.what()};
  }
}

Verdict CellRunner::RunPlan(Stack stack, Entry entry, Mode mode, const FaultPlan& plan,
                            ErrorOrigin origin, CallCounts* injected) {
  if (IsSave(entry)) return RunSave(stack, entry, mode, plan, origin, injected);
  return RunLoad(stack, entry, mode, plan, origin, injected);
}

Verdict CellRunner::RunSave(Stack stack, Entry entry, Mode mode, const FaultPlan& plan,
                            ErrorOrigin origin, CallCounts* injected) {
  Cursor sink;
  FaultStream injector(std::unique_ptr<Write>(new WriteRef(sink)), plan);
  std::unique_ptr<BufWriter> buffered;
  Write* top = &injector;
  if (stack == Stack::kBufWriter) {
    buffered = std::make_unique<BufWriter>(std::make_unique<WriteRef>(injector));
    top = buffered.get();
  }
  HarnessStream harness(
      std::make_unique<FaultStream>(std::unique_ptr<Write>(new WriteRef(*top)), FaultPlan()));
  Status saved = SaveVia(entry, mode, harness.NewWriteStream(), one_, named_);
  // The implementation has dropped the stream: Rust drops the BufWriter now.
  buffered.reset();
  if (injected != nullptr) *injected = CountsOf(injector);
  if (auto problem = OwnershipProblem(harness)) return {Outcome::kOwnership, *problem};
  if (!saved.ok()) return Clean(entry, origin, saved.error());
  return JudgeSaved(entry, mode, sink.data());
}

Verdict CellRunner::JudgeSaved(Entry entry, Mode mode, const std::vector<uint8_t>& bytes) {
  const std::vector<uint8_t>& clean = CleanArchive(entry, mode);
  if (bytes == clean) return {Outcome::kRoundtrip, ""};
  if (bytes.size() < clean.size() && std::equal(bytes.begin(), bytes.end(), clean.begin())) {
    return {Outcome::kSilentLoss, "save reported success; archive truncated to " +
                                      std::to_string(bytes.size()) + " of " +
                                      std::to_string(clean.size()) + " bytes"};
  }
  HarnessStream source(std::make_unique<Cursor>(bytes));
  Verdict back = LoadVia(LoadEntryOf(entry), Mode::kHardened, source.NewReadStream(), one_,
                         named_, ErrorOrigin::kAny);
  if (back.outcome == Outcome::kRoundtrip) return back;
  return {Outcome::kSilentLoss,
          "save reported success; " + std::to_string(bytes.size()) +
              " bytes differ from the clean archive; load back: " + back.message,
          back.error_line_problem};
}

Verdict CellRunner::RunLoad(Stack stack, Entry entry, Mode mode, const FaultPlan& plan,
                            ErrorOrigin origin, CallCounts* injected) {
  Cursor source(CleanArchive(entry, mode));
  FaultStream injector(std::unique_ptr<ReadStream>(new ReadStreamRef(source)), plan);
  std::unique_ptr<BufReader> buffered;
  ReadStream* top = &injector;
  if (stack == Stack::kBufReader) {
    buffered = std::make_unique<BufReader>(std::make_unique<ReadStreamRef>(injector));
    top = buffered.get();
  }
  HarnessStream harness(std::make_unique<FaultStream>(
      std::unique_ptr<ReadStream>(new ReadStreamRef(*top)), FaultPlan()));
  Verdict v = LoadVia(entry, mode, harness.NewReadStream(), one_, named_, origin);
  if (injected != nullptr) *injected = CountsOf(injector);
  if (auto problem = OwnershipProblem(harness)) return {Outcome::kOwnership, *problem};
  return v;
}

}  // namespace tsh::matrix
