// Fuzzes the read side under stream faults: a valid archive (testing/fixed_archives.h)
// read through a FaultStream whose schedule the input picks (pass, short
// counts of any length, zero, Interrupted, errors, seek failures, wrong
// positions), optionally behind a BufReader.
//
// Oracle:
// - hardened load (Mode::kHardened): the exact tensors, or a clean error;
//   and when every fault is one the hardened adapter promises to absorb
//   (fault_schedule.h), the exact tensors. Anything else abort()s.
// - faithful load (tch-rs's adapter): may fail cleanly; if it succeeds, the
//   tensors must be exact (a silent corruption would abort too).
// A crash inside our code is caught by the sanitizers.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdio>
#include <cstdlib>
#include <memory>

#include "bridge/buf_reader.h"
#include "bridge/cursor.h"
#include "bridge/fault_stream.h"
#include "bridge/tensor_io.h"
#include "fuzz/fault_schedule.h"
#include "testing/fixed_archives.h"
#include "testing/tensors.h"

namespace {

using tsh::test::FixedArchive;

[[noreturn]] void Violation(const char* what, const FixedArchive& a, bool hardened,
                            const tsh::fuzz::FaultSchedule& s, const std::string& detail) {
  fprintf(stderr, "read_faults_fuzzer: %s: archive %s, %s load, faults [%s]: %s\n", what,
          a.label.c_str(), hardened ? "hardened" : "faithful", s.description.c_str(),
          detail.c_str());
  abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto& archives = tsh::test::FixedArchives();
  FuzzedDataProvider in(data, size);
  const FixedArchive& a = archives[in.ConsumeIntegralInRange<size_t>(0, archives.size() - 1)];
  const bool hardened = in.ConsumeBool();
  const bool buffered = in.ConsumeBool();
  const size_t capacity = in.ConsumeIntegralInRange<size_t>(0, 512);
  tsh::fuzz::FaultSchedule s =
      tsh::fuzz::ConsumeSchedule(in, {tsh::Op::kRead, tsh::Op::kSeek, tsh::Op::kPosition});

  std::unique_ptr<tsh::ReadStream> stream = std::make_unique<tsh::FaultStream>(
      std::unique_ptr<tsh::ReadStream>(std::make_unique<tsh::Cursor>(a.bytes)), s.plan);
  if (buffered) stream = std::make_unique<tsh::BufReader>(std::move(stream), capacity);
  // A BufReader turns one faulted read into a short one, not more: the
  // promise to absorb holds through it too.
  const tsh::Mode mode = hardened ? tsh::Mode::kHardened : tsh::Mode::kFaithful;

  tsh::NamedTensors got;
  std::string error;
  if (a.named) {
    tsh::Result<tsh::NamedTensors> r = tsh::LoadNamedTensors(*stream, std::nullopt, mode);
    if (r.ok()) got = std::move(r).value(); else error = r.error().ToString();
  } else {
    tsh::Result<at::Tensor> r = tsh::LoadTensor(*stream, mode);
    if (r.ok()) got = {{"", std::move(r).value()}}; else error = r.error().ToString();
  }
  const bool ok = error.empty();
  std::string why;
  if (ok && !tsh::test::NamedBitEqual(a.tensors, got, &why)) {
    Violation("loaded tensors differ from the saved ones", a, hardened, s, why);
  }
  if (!ok && hardened && s.recoverable) {
    Violation("hardened load failed on absorbable faults", a, hardened, s, error);
  }
  return 0;
}
