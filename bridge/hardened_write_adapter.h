// The LibTorch side of a save, hardened: the same callbacks as tch-rs, used
// so that every legal stream behaviour ends in a complete save or a clean
// error, and no failure reaches LibTorch (whose write path aborts on one:
// FINDINGS.md F1-F4).
//
// Promises, given a stream that keeps the callbacks' contract:
// - short counts are written again until the chunk is through;
// - Interrupted is retried, on writes and on the final flush, at most
//   kMaxInterruptedRetries times in a row;
// - the first failure (an error, a zero count = WriteZero, a count larger
//   than asked = InvalidData, or retries exhausted) is latched; from then on
//   every chunk is reported to LibTorch as fully written and dropped, so the
//   save runs to its end without an exception;
// - Finish() then returns the latched error, or flushes the stream and
//   returns the flush's outcome: success means every byte reached the stream
//   and the flush succeeded.
// Errors name the callback, the archive offset and the stream's error kind
// and message.
//
// Without the last_error extension (callbacks.h) a `false` cannot be told
// apart from Interrupted: it is retried once (a failed write consumed
// nothing: stream_failure.h, BareFalse), and its message says only which
// callback failed; without the flush extension Finish() cannot flush and
// says so in flushed().
//
// Ownership: as WriteAdapter, the opaque pointer is freed on destruction.
#ifndef TSH_BRIDGE_HARDENED_WRITE_ADAPTER_H_
#define TSH_BRIDGE_HARDENED_WRITE_ADAPTER_H_

#include <cstddef>
#include <cstdint>
#include <optional>

#include "bridge/result.h"

namespace tsh {

class HardenedWriteAdapter {
 public:
  static constexpr int kMaxInterruptedRetries = 64;

  explicit HardenedWriteAdapter(void* stream_ptr) : stream_ptr_(stream_ptr) {}
  ~HardenedWriteAdapter();
  HardenedWriteAdapter(const HardenedWriteAdapter&) = delete;
  HardenedWriteAdapter& operator=(const HardenedWriteAdapter&) = delete;

  // LibTorch's writer function. Never throws; always returns `size`.
  size_t save(const void* data, size_t size) noexcept;

  // Call once LibTorch has returned: the latched error, or the flush.
  Status Finish();

  // Write and flush callbacks that failed with Interrupted and were retried.
  uint64_t retries() const { return retries_; }
  // Bytes that reached the stream.
  uint64_t written() const { return offset_; }
  // Whether Finish() flushed the stream (false without the extension).
  bool flushed() const { return flushed_; }

 private:
  void Latch(Error error);

  void* stream_ptr_;
  uint64_t offset_ = 0;
  uint64_t retries_ = 0;
  bool flushed_ = false;
  std::optional<Error> error_;
};

}  // namespace tsh

#endif  // TSH_BRIDGE_HARDENED_WRITE_ADAPTER_H_
