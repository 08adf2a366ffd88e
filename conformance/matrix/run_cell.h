// Runs one cell of the fault matrix in THIS process, through the
// implementation ABI (conformance/impl/impl_abi.h) and the tsh_* entry points.
//
// The stack a cell builds, from the entry point down:
//   HarnessStream (the C stream handed to the implementation)
//   -> FaultStream "above" (empty plan: counts what the bridge asks)
//   -> BufWriter / BufReader (stacks kBufWriter / kBufReader only; 8 KiB)
//   -> FaultStream "injector" (the cell's plan; its call counts are the k's)
//   -> Cursor (test-owned: the archive written, or the clean archive read).
// A save stack's BufWriter is destroyed right after the entry point returns,
// i.e. when the implementation has dropped the stream, so its drop flush
// (errors ignored, as in Rust) happens where tch-rs's would.
//
// Classification: a save that reports success is judged by its bytes: equal
// to the clean archive -> roundtrip; a strict prefix of it -> silent_loss;
// else it is loaded back (hardened, no faults) and compared bit for bit. A
// load is judged by the tensors it returns. A harness stream not dropped
// exactly once, or used after its drop, is `ownership`. Every error an
// entry point leaves is checked against the promise of its first line
// (conformance/testing/error_line.h; where the cell's fault FailsACall, it
// names the callback): the verdict's error_line_problem says how it broke.
//
// Faithful write faults end the process (LibTorch 1.13's std::terminate):
// run such cells in a child (child_runner.h). Not thread-safe.
#ifndef TSH_CONFORMANCE_MATRIX_RUN_CELL_H_
#define TSH_CONFORMANCE_MATRIX_RUN_CELL_H_

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <ATen/core/Tensor.h>

#include "bridge/fault_stream.h"
#include "conformance/matrix/cell.h"
#include "conformance/testing/error_line.h"

namespace tsh::matrix {

using CallCounts = std::array<uint64_t, kOpCount>;

class CellRunner {
 public:
  // The matrix's tensors: 1,000 floats; three small named tensors.
  CellRunner();

  // Runs `cell` (whose Plan() must be valid). `injected`, if given, receives
  // the injector's call counts per operation.
  Verdict Run(const Cell& cell, CallCounts* injected = nullptr);

  // The injector's call counts of a fault-free run of (stack, entry, mode).
  // The clean run must round-trip; if not, its verdict is returned in `bad`.
  CallCounts CleanCounts(Stack stack, test::Entry entry, Mode mode, Verdict* bad);

  // The fault-free archive of the save entry matching `entry` in `mode`
  // (computed once; call before forking so children share it).
  const std::vector<uint8_t>& CleanArchive(test::Entry entry, Mode mode);

  // Whether CleanArchive(save entry, mode) holds the saved tensors, bit for
  // bit, as LibTorch's own loader (torch::load, InputArchive) reads it from
  // memory: the reference every save cell is judged against must itself be
  // right, not merely repeatable.
  Verdict CheckCleanArchive(test::Entry save, Mode mode);

 private:
  // `origin`: where the error of a run that fails comes from.
  Verdict RunPlan(Stack stack, test::Entry entry, Mode mode, const FaultPlan& plan,
                  test::ErrorOrigin origin, CallCounts* injected);
  Verdict RunSave(Stack stack, test::Entry entry, Mode mode, const FaultPlan& plan,
                  test::ErrorOrigin origin, CallCounts* injected);
  Verdict RunLoad(Stack stack, test::Entry entry, Mode mode, const FaultPlan& plan,
                  test::ErrorOrigin origin, CallCounts* injected);
  // Whether `bytes` load back (hardened, no faults) to the saved tensors.
  Verdict JudgeSaved(test::Entry entry, Mode mode, const std::vector<uint8_t>& bytes);

  at::Tensor one_;
  std::vector<std::pair<std::string, at::Tensor>> named_;
  std::map<std::pair<bool, Mode>, std::vector<uint8_t>> archives_;
};

}  // namespace tsh::matrix

#endif  // TSH_CONFORMANCE_MATRIX_RUN_CELL_H_
