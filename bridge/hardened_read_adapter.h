// The LibTorch side of a load, hardened: the same callbacks as tch-rs, used
// so that every legal stream behaviour ends in the archive's exact bytes or
// a clean error.
//
// The archive starts where the stream is when the load starts (one
// stream_position callback, the load's first) and ends at the stream's end,
// or where EndArchiveAt says: a Read + Seek positioned at an archive after a
// header, or at one of several archives in a row, loads that archive, as a
// user would expect (tch-rs's own adapter seeks to absolute positions and
// takes the stream's end as the size, so it finds no archive there). Every
// offset below is the archive's, not the stream's.
//
// Promises, given a stream that keeps the callbacks' contract:
// - read(pos, n) returns n bytes, looping over short reads, unless the
//   archive ends first; a 0 before the size found by size() is an error
//   ("unexpected end of stream at offset X"), not a short result;
// - Interrupted is retried on every callback (read, seek, position), at most
//   kMaxInterruptedRetries times in a row; WouldBlock and every other error
//   fail at once (no spinning);
// - few seeks, and tensor data copied once: LibTorch reads the archive's
//   directory at its end first, then each record's header and its data.
//   Sizing lands one seek_end(-kTail) before the end (that sizes the
//   archive) and reads the tail there. A read under kSmall bytes is served
//   from one of two windows (the tail, and the last small read, which
//   reads just what it asks); a larger one goes straight to LibTorch's
//   buffer, in one piece. A gap under kSmall bytes ahead of the stream's
//   position is read rather than sought over (into that buffer, which the
//   data then overwrites), and a seek is skipped when the stream is already
//   there (a BufReader keeps its buffer). One load of one tensor makes two
//   seek callbacks (three below the tail's size), plus the stream_position
//   that finds the archive's start and the seek that leaves the stream
//   after it, where tch-rs's adapter makes one per read, plus three to size
//   the archive;
// - a seek that reports a position other than the one asked for is an
//   error;
// - a count larger than asked is an error (InvalidData).
// Every failure is thrown as StreamFailure naming the callback, the offset
// and the stream's error kind and message. Without the last_error extension
// a `false` cannot be told from other errors: each call is retried once
// (stream_failure.h: BareFalse), the first sizing seek excepted, whose
// failure on a small stream is expected.
//
// Ownership: as ReadAdapter, the opaque pointer is freed on destruction.
#ifndef TSH_BRIDGE_HARDENED_READ_ADAPTER_H_
#define TSH_BRIDGE_HARDENED_READ_ADAPTER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "bridge/stream_failure.h"
#include "caffe2/serialize/read_adapter_interface.h"

namespace tsh {

class HardenedReadAdapter : public caffe2::serialize::ReadAdapterInterface {
 public:
  static constexpr int kMaxInterruptedRetries = 64;
  // Read at the archive's end when sizing it: the end records and the
  // central directory of an archive of up to about a hundred records.
  static constexpr size_t kTail = 8 * 1024;
  // Reads under this size are served from a window; gaps under it ahead of
  // the stream are read rather than sought over.
  static constexpr size_t kSmall = 4 * 1024;

  explicit HardenedReadAdapter(void* stream_ptr);
  ~HardenedReadAdapter() override;
  HardenedReadAdapter(const HardenedReadAdapter&) = delete;
  HardenedReadAdapter& operator=(const HardenedReadAdapter&) = delete;

  size_t size() const override;
  size_t read(uint64_t pos, void* buf, size_t n,
              const char* what = "") const override;

  // Where the archive ends (<= size()), when the stream goes on after it
  // (zip_check.h: ZipArchiveLength); reads stop there.
  void EndArchiveAt(uint64_t length);
  // Leaves the stream right after the archive, where the next one may
  // start: call once the load has succeeded.
  void SeekPastArchive();

  // Callbacks that failed with Interrupted and were retried.
  uint64_t retries() const { return retries_; }

 private:
  // Memory for a window's bytes, never zeroed: a window keeps only bytes
  // read.
  struct Buffer {
    std::unique_ptr<uint8_t[]> bytes;
    size_t capacity = 0;
  };
  // Bytes of the stream read ahead: [start, start + size).
  struct Window {
    bool Holds(uint64_t at) const { return at >= start && at - start < size; }
    const uint8_t* data() const { return buffer.bytes.get(); }

    uint64_t start = 0;
    size_t size = 0;
    Buffer buffer;
  };

  [[noreturn]] void Fail(const char* callback, const std::string& where) const;
  void SeekTo(uint64_t pos, const char* what) const;
  // Whether pos is a short gap (under kSmall) ahead of the stream.
  bool ShortGapTo(uint64_t pos) const;
  // Reads n bytes at pos (fewer only at the end of the stream).
  size_t ReadFully(uint64_t pos, uint8_t* buf, size_t n, const char* what) const;
  // Reads [pos, pos + n) (less only at the archive's end) into the window
  // used least recently; from the stream's position instead, if that is a
  // short gap before pos.
  const Window& Fill(uint64_t pos, size_t n, const char* what) const;
  // One callback call, with Interrupted (and, without the last_error
  // extension, a bare `false`) retried as stream_failure.h says.
  template <typename Call>
  bool Retry(Call&& call, BareFalse bare_false = BareFalse::kRetryOnce) const;

  void* stream_ptr_;
  // LibTorch's interface is const; the cache and the tracked position are
  // bookkeeping, not observable state. base_ is the stream position of the
  // archive's byte 0; the others are archive offsets.
  mutable std::optional<uint64_t> base_;
  mutable std::optional<uint64_t> size_;
  mutable std::optional<uint64_t> position_;
  static constexpr int kWindows = 2;
  // The window buffers of this thread's last load, taken by its next one:
  // a thread's loads after its first allocate no window (allocating a few
  // KiB made the allocator consolidate its free lists: 2% of a 1 MiB load).
  static thread_local Buffer spare_buffers_[kWindows];
  mutable Window windows_[kWindows];
  mutable int last_used_ = 0;
  mutable uint64_t retries_ = 0;
};

}  // namespace tsh

#endif  // TSH_BRIDGE_HARDENED_READ_ADAPTER_H_
