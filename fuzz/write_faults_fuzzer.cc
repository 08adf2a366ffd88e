// Fuzzes the write side under stream faults: the input describes a tensor
// (dtype, shape, values, a view) or a set of named tensors, a sink (growable
// Cursor, fixed-capacity FixedCursor, BufWriter over a Cursor) and a fault
// schedule for write and flush (fault_schedule.h).
//
// Oracle, hardened save (Mode::kHardened):
// - success means the sink holds an archive that loads back (hardened
//   load) to exactly the tensors saved;
// - failure is reported as an Error; when every fault is absorbable, the
//   sink is unbounded and no name was refused, the save must succeed;
// - a name is refused (InvalidInput) or comes back exactly;
// - nothing aborts (a std::terminate would end the process: libFuzzer
//   reports it as a crash).
// The faithful save runs only into a fault-free Cursor: with a write fault
// it ends the process inside LibTorch 1.13 (FINDINGS.md F1-F4; README.md).
#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>

#include <ATen/ATen.h>

#include "bridge/buf_writer.h"
#include "bridge/by_ref.h"
#include "bridge/cursor.h"
#include "bridge/fault_stream.h"
#include "bridge/fixed_cursor.h"
#include "bridge/tensor_io.h"
#include "fuzz/fault_schedule.h"
#include "testing/tensors.h"

namespace {

constexpr c10::ScalarType kDtypes[] = {
    at::kFloat, at::kDouble, at::kHalf, at::kBFloat16, at::kLong, at::kInt,
    at::kShort, at::kChar,   at::kByte, at::kBool,     at::kComplexFloat};

// Distinct names, some with dots (stored with `|`, tch-rs's convention).
constexpr const char* kNames[] = {"w", "layer.weight", "a.b.c", "x_1"};

// Tensor i's name: kNames[i], or any bytes but NUL (a name crosses the C
// ABI as a C string), which the hardened save keeps or refuses
// (tensor_names.h).
std::string ConsumeName(FuzzedDataProvider& in, size_t i) {
  if (in.ConsumeBool()) return kNames[i];
  std::string name = in.ConsumeRandomLengthString(24);
  name.erase(std::remove(name.begin(), name.end(), '\0'), name.end());
  return name;
}

// Whether the hardened save refused a name that would not come back
// (tensor_names.h), before writing anything.
bool RefusedName(const tsh::Status& s) {
  return !s.ok() && s.error().kind() == tsh::ErrorKind::kInvalidInput &&
         s.error().message().find("tensor name") != std::string::npos;
}

at::Tensor ConsumeTensor(FuzzedDataProvider& in) {
  const c10::ScalarType dtype = in.PickValueInArray(kDtypes);
  std::vector<int64_t> shape(in.ConsumeIntegralInRange<size_t>(0, 3));
  for (int64_t& d : shape) d = in.ConsumeIntegralInRange<int64_t>(0, 6);
  at::Tensor t = at::empty(shape, at::TensorOptions().dtype(dtype));
  std::vector<uint8_t> bytes = in.ConsumeBytes<uint8_t>(t.nbytes());
  bytes.resize(t.nbytes(), 0);
  if (dtype == at::kBool) {
    for (uint8_t& b : bytes) b &= 1;  // A bool byte other than 0 or 1 is UB.
  }
  if (!bytes.empty()) memcpy(t.data_ptr(), bytes.data(), bytes.size());
  switch (in.ConsumeIntegralInRange<int>(0, 3)) {  // Views share storage.
    case 1: return t.dim() >= 2 ? t.transpose(0, 1) : t;
    case 2: return t.dim() >= 1 ? t.slice(0, 0, t.size(0), 2) : t;
    case 3: return t.dim() >= 1 && t.size(0) > 1 ? t.narrow(0, 1, t.size(0) - 1) : t;
    default: return t;
  }
}

[[noreturn]] void Violation(const char* what, const tsh::fuzz::FaultSchedule& s,
                            const std::string& detail) {
  fprintf(stderr, "write_faults_fuzzer: %s: faults [%s]: %s\n", what,
          s.description.c_str(), detail.c_str());
  abort();
}

// Loads `bytes` back (hardened) and compares with what was saved.
void CheckLoadsBack(const std::vector<uint8_t>& bytes, bool named,
                    const tsh::NamedTensors& saved, const tsh::fuzz::FaultSchedule& s) {
  tsh::Cursor in(bytes);
  tsh::NamedTensors got;
  if (named) {
    auto r = tsh::LoadNamedTensors(in, std::nullopt, tsh::Mode::kHardened);
    if (!r.ok()) Violation("saved archive does not load", s, r.error().ToString());
    got = std::move(r).value();
  } else {
    auto r = tsh::LoadTensor(in, tsh::Mode::kHardened);
    if (!r.ok()) Violation("saved archive does not load", s, r.error().ToString());
    got = {{"", std::move(r).value()}};
  }
  std::string why;
  if (!tsh::test::NamedBitEqual(saved, got, &why)) {
    Violation("archive loads to other tensors", s, why);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  const bool named = in.ConsumeBool();
  tsh::NamedTensors tensors;
  const size_t count = named ? in.ConsumeIntegralInRange<size_t>(0, 4) : 1;
  for (size_t i = 0; i < count; ++i) {
    std::string name = named ? ConsumeName(in, i) : "";
    tensors.emplace_back(std::move(name), ConsumeTensor(in));
  }
  const int sink_kind = in.ConsumeIntegralInRange<int>(0, 2);
  const size_t capacity = in.ConsumeIntegralInRange<size_t>(0, 4096);
  const bool faithful_too = in.ConsumeBool();
  tsh::fuzz::FaultSchedule s =
      tsh::fuzz::ConsumeSchedule(in, {tsh::Op::kWrite, tsh::Op::kFlush});

  tsh::Cursor cursor;
  std::optional<tsh::FixedCursor> fixed;
  std::unique_ptr<tsh::Write> inner;
  if (sink_kind == 0) {
    inner = std::make_unique<tsh::WriteRef>(cursor);
  } else if (sink_kind == 1) {
    fixed.emplace(capacity);
    inner = std::make_unique<tsh::WriteRef>(*fixed);
  } else {
    inner = std::make_unique<tsh::BufWriter>(std::make_unique<tsh::WriteRef>(cursor), capacity);
  }
  tsh::FaultStream out(std::move(inner), s.plan);
  tsh::Status saved = named ? tsh::SaveNamedTensors(tensors, out, tsh::Mode::kHardened)
                            : tsh::SaveTensor(tensors[0].second, out, tsh::Mode::kHardened);
  const bool refused_name = RefusedName(saved);
  if (saved.ok()) {
    std::vector<uint8_t> bytes;
    if (fixed) {
      // The archive is the prefix the stream wrote; FaultStream counted it.
      bytes.assign(fixed->data().begin(), fixed->data().begin() + fixed->position());
    } else {
      bytes = cursor.data();
    }
    CheckLoadsBack(bytes, named, tensors, s);
  } else if (s.recoverable && sink_kind != 1 && !refused_name) {
    Violation("hardened save failed on absorbable faults into an unbounded sink", s,
              saved.error().ToString());
  }

  // Fault-free (a write failure would abort), and over names that come back
  // (the faithful save keeps the others: FINDINGS.md F24).
  if (faithful_too && !refused_name) {
    tsh::Cursor clean;
    tsh::Status f = named ? tsh::SaveNamedTensors(tensors, clean, tsh::Mode::kFaithful)
                          : tsh::SaveTensor(tensors[0].second, clean, tsh::Mode::kFaithful);
    if (!f.ok()) Violation("faithful save into a Cursor failed", s, f.error().ToString());
    CheckLoadsBack(clean.data(), named, tensors, s);
  }
  return 0;
}
