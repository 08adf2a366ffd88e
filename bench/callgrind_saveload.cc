// One save and one load per (size, mode) through a Cursor, for counting the
// bridge's instructions under callgrind (bench/instructions.py runs it).
//
// Run under `valgrind --tool=callgrind --instr-atstart=no`, each measured
// operation is the only code instrumented, and its counts are dumped as a
// part of their own, described `op/cursor/mode/bytes` (the names of
// //bench:stream_bench). Every operation first runs once uninstrumented, so
// that lazy initialisation (LibTorch's, the dynamic linker's) is not
// counted, and its result is checked: a wrong one exits 1.
// Without valgrind it runs the same operations (the client requests are
// no-ops) and checks them.
// It prints `compilation_mode MODE` (Bazel's, from -DTSH_COMPILATION_MODE)
// and `libtorch VERSION`: counts differ between an optimised build and
// another, and between LibTorch versions, so their baselines are kept apart.
// Built with -DTSH_BENCH_EXTRA_COPY (:callgrind_saveload_slowed), the saves
// go through ExtraCopyWrite: the deliberate regression of
// //bench:stream_bench_slowed, for testing the instruction gate only.
#include <valgrind/callgrind.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include <ATen/ATen.h>
#include <torch/version.h>

#include "bridge/cursor.h"
#include "bridge/tensor_io.h"

#ifdef TSH_BENCH_EXTRA_COPY
#include "bench/extra_copy_write.h"
#endif

#define TSH_STRINGIFY_(x) #x
#define TSH_STRINGIFY(x) TSH_STRINGIFY_(x)

namespace tsh::bench {
namespace {

constexpr int64_t kSizes[] = {64 * 1024, 1024 * 1024};

Status Save(const at::Tensor& t, Cursor& out, Mode mode) {
#ifdef TSH_BENCH_EXTRA_COPY
  ExtraCopyWrite slowed(out);
  return SaveTensor(t, slowed, mode);
#else
  return SaveTensor(t, out, mode);
#endif
}

// Writes the counts since the last CALLGRIND_ZERO_STATS as a part
// described "Client Request: <what>". (The macro hands the pointer over
// after the full expression that computed it has ended: no temporaries.)
void Dump(const std::string& what) { CALLGRIND_DUMP_STATS_AT(what.c_str()); }

bool Same(const Result<at::Tensor>& got, const at::Tensor& want) {
  return got.ok() && got.value().scalar_type() == want.scalar_type() &&
         at::equal(got.value(), want);
}

// Saves `t` and loads it back, instrumented when `label` is set (the counts
// go to dumps named `save/...` and `load/...`). Whether both were right.
bool SaveLoad(const at::Tensor& t, Mode mode, const std::string* label) {
  Cursor out;
  if (label != nullptr) {
    CALLGRIND_ZERO_STATS;
    CALLGRIND_START_INSTRUMENTATION;
  }
  Status saved = Save(t, out, mode);
  if (label != nullptr) {
    CALLGRIND_STOP_INSTRUMENTATION;
    Dump("save/" + *label);
  }
  if (!saved.ok()) return false;

  Cursor in(out.into_inner());
  if (label != nullptr) {
    CALLGRIND_ZERO_STATS;
    CALLGRIND_START_INSTRUMENTATION;
  }
  // The loaded tensor lives until the counts are dumped: freeing it is not
  // part of the load.
  Result<at::Tensor> loaded = LoadTensor(in, mode);
  if (label != nullptr) {
    CALLGRIND_STOP_INSTRUMENTATION;
    Dump("load/" + *label);
  }
  return Same(loaded, t);
}

}  // namespace
}  // namespace tsh::bench

int main() {
  using namespace tsh::bench;
  std::printf("compilation_mode %s\n", TSH_STRINGIFY(TSH_COMPILATION_MODE));
  std::printf("libtorch %s\n", TORCH_VERSION);
  int status = 0;
  for (int64_t bytes : kSizes) {
    // Small integers, exact in float32, as in //bench:stream_bench.
    const at::Tensor t = at::remainder(at::arange(bytes / 4, at::kLong), 1021).to(at::kFloat);
    for (const auto& [mode, name] : {std::pair{tsh::Mode::kFaithful, "faithful"},
                                     std::pair{tsh::Mode::kHardened, "hardened"}}) {
      const std::string label = std::string("cursor/") + name + "/f32/" + std::to_string(bytes);
      if (!SaveLoad(t, mode, nullptr) || !SaveLoad(t, mode, &label)) {
        std::fprintf(stderr, "callgrind_saveload: %s: wrong result\n", label.c_str());
        status = 1;
      }
    }
  }
  return status;
}
