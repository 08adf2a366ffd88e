// The LibTorch side of a save, hardened: the same callbacks as tch-rs, used
// so that every legal stream behaviour ends in a complete save or a clean
// error, and no failure reaches LibTorch (whose write path aborts on one:
// FINDINGS.md F1-F4).
//
// Promises, given a stream that keeps the callbacks' contract:
// - chunks under kCoalesce bytes are gathered and written together, up to
//   kCoalesce at a time (LibTorch hands over each record's header, padding
//   and directory entry apart: a 1 MiB save was 34 write callbacks, 1,029
//   for 200 tensors); a larger chunk is written as it comes, after what was
//   gathered. Gathered bytes reach the stream by the next write or by
//   Finish(): a save that never reaches Finish() has failed anyway;
// - short counts are written again until the chunk is through;
// - Interrupted is retried, on writes and on the final flush, at most
//   kMaxInterruptedRetries times in a row;
// - the first failure (an error, a zero count = WriteZero, a count larger
//   than asked = InvalidData, or retries exhausted) is latched; from then on
//   every chunk is reported to LibTorch as fully written and dropped, so the
//   save runs to its end without an exception;
// - Finish() writes what is gathered, then returns the latched error, or
//   flushes the stream and returns the flush's outcome: success means every byte reached the stream
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
#include <memory>
#include <optional>

#include "bridge/result.h"

namespace tsh {

class HardenedWriteAdapter {
 public:
  static constexpr int kMaxInterruptedRetries = 64;
  // Chunks under this size are gathered before they are written.
  static constexpr size_t kCoalesce = 16 * 1024;

  explicit HardenedWriteAdapter(void* stream_ptr) : stream_ptr_(stream_ptr) {}
  ~HardenedWriteAdapter();
  HardenedWriteAdapter(const HardenedWriteAdapter&) = delete;
  HardenedWriteAdapter& operator=(const HardenedWriteAdapter&) = delete;

  // LibTorch's writer function. Never throws; always returns `size`.
  size_t save(const void* data, size_t size) noexcept;

  // Call once LibTorch has returned: writes what is gathered, then returns
  // the latched error, or the flush's outcome.
  Status Finish();

  // Write and flush callbacks that failed with Interrupted and were retried.
  uint64_t retries() const { return retries_; }
  // Bytes that reached the stream.
  uint64_t written() const { return offset_; }
  // Whether Finish() flushed the stream (false without the extension).
  bool flushed() const { return flushed_; }

 private:
  void Latch(Error error);
  // Writes [p, p + size) to the stream, looping over short counts, unless
  // an error is latched (then drops it).
  void WriteAll(const uint8_t* p, size_t size);
  // Writes the gathered bytes.
  void WriteGathered();

  void* stream_ptr_;
  // Bytes gathered and not yet written: [0, gathered_size_) of gathered_,
  // which holds kCoalesce (allocated at the first small chunk, not zeroed).
  std::unique_ptr<uint8_t[]> gathered_;
  size_t gathered_size_ = 0;
  uint64_t offset_ = 0;
  uint64_t retries_ = 0;
  bool flushed_ = false;
  std::optional<Error> error_;
};

}  // namespace tsh

#endif  // TSH_BRIDGE_HARDENED_WRITE_ADAPTER_H_
