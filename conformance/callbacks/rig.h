// Rig: one implementation stream under test, built over a HarnessStream
// that forwards to a ProbeStream, a FaultStream and a Cursor, in that
// order, with handles on each layer for the test's assertions.
//
// The implementation is reached only through the C ABI (impl_abi.h's
// factories and callbacks.h's callbacks), so the tests that use a Rig run
// against whatever //conformance/impl:impl names. The Rig calls the side's
// destructor callback when it goes away, unless the test already did
// (Destroy) or gave the pointer away (Release).
#ifndef TSH_CONFORMANCE_CALLBACKS_RIG_H_
#define TSH_CONFORMANCE_CALLBACKS_RIG_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "bridge/cursor.h"
#include "bridge/fault_stream.h"
#include "conformance/callbacks/probe_stream.h"
#include "conformance/testing/harness_stream.h"

namespace tsh::test {

enum class Side { kWrite, kRead };

class Rig {
 public:
  // A stream of `side` over a Cursor holding `data` at position 0, with
  // `plan`'s faults.
  explicit Rig(Side side, std::vector<uint8_t> data = {}, FaultPlan plan = {});
  ~Rig();
  Rig(const Rig&) = delete;
  Rig& operator=(const Rig&) = delete;

  // The implementation's opaque pointer (null after Destroy).
  void* ptr() const { return ptr_; }
  // Calls the side's destructor callback on ptr().
  void Destroy();
  // Gives ptr() up (to an entry point that takes ownership); the Rig will
  // not destroy it.
  void* Release();

  HarnessStream& harness() { return *harness_; }
  Cursor& cursor() { return *cursor_; }
  FaultStream& faults() { return *faults_; }
  const std::vector<ProbedCall>& probed() const { return probe_->calls(); }

 private:
  Side side_;
  Cursor* cursor_;
  FaultStream* faults_;
  ProbeStream* probe_;
  std::unique_ptr<HarnessStream> harness_;
  void* ptr_;
};

// The harness operation a stream_position callback reaches: kPosition, or
// kSeek (seek(CURRENT, 0)) where the implementation boxes streams as
// tch-rs's API does (impl_abi.h). Measured on a fresh stream;
// StreamPosition.IsOneCallOfPositionOrSeekCurrentZero checks the shape.
Op PositionCallOp();

// "0123456789"-style bytes: byte i is '0' + i % 10.
std::vector<uint8_t> Digits(size_t n);

// A buffer's bytes as a string, for readable comparisons.
std::string AsString(const uint8_t* p, size_t n);

}  // namespace tsh::test

#endif  // TSH_CONFORMANCE_CALLBACKS_RIG_H_
