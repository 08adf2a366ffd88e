// A C++ model of Rust's std::io traits as the tch-rs stream bridge sees them.
//
// The seven C callbacks of tch-rs call exactly these operations on a Rust
// `Box<dyn Write>` or `Box<dyn ReadStream>`; the contracts below are Rust's,
// so that a stream written against them behaves as the Rust one would.
//
// Ownership: these are interfaces. Who owns a stream is said where it is
// handed over (see callbacks.h for the opaque pointers LibTorch holds).
// Threading: a stream is used by one thread at a time.
// Errors: every operation returns an Error instead of throwing; a stream
// implementation must not let an exception escape.
#ifndef TSH_BRIDGE_IO_H_
#define TSH_BRIDGE_IO_H_

#include <cstddef>
#include <cstdint>

#include "bridge/result.h"

namespace tsh {

// A sink of bytes: Rust's std::io::Write.
class Write {
 public:
  virtual ~Write() = default;

  // Writes some prefix of buf[0, n) and returns how many bytes it took.
  // - A count smaller than n is legal (a "short write"): the caller must
  //   write the rest again. tch-rs's bridge does not; see FINDINGS.md.
  // - Ok(0) for n > 0 means the sink accepts no more (Rust turns that into
  //   WriteZero in write_all).
  // - Err(Interrupted) means nothing was written and the call may be retried.
  // - On any Err, no byte of buf was consumed.
  // - n == 0 returns Ok(0) without effect; buf may be null only then.
  virtual Result<size_t> write(const uint8_t* buf, size_t n) = 0;

  // Pushes buffered bytes to their destination. Streams that buffer nothing
  // return Ok(). An Err means some written bytes may not have arrived.
  virtual Status flush() = 0;
};

// A source of bytes: Rust's std::io::Read.
class Read {
 public:
  virtual ~Read() = default;

  // Reads up to n bytes into buf and returns how many it placed there.
  // - Ok(0) with n > 0 means end of file (for now: a file may grow).
  // - A count smaller than n is legal and says nothing about end of file
  //   (a "short read"): callers that need n bytes must loop.
  // - Err(Interrupted) means nothing was read and the call may be retried.
  // - On Err, the contents of buf are unspecified and no byte was consumed.
  // - n == 0 returns Ok(0) without effect; buf may be null only then.
  virtual Result<size_t> read(uint8_t* buf, size_t n) = 0;
};

// Where a seek measures from: Rust's std::io::SeekFrom.
struct SeekFrom {
  enum class Whence { kStart, kEnd, kCurrent };

  static SeekFrom Start(uint64_t offset) {
    return SeekFrom{Whence::kStart, static_cast<int64_t>(0), offset};
  }
  static SeekFrom End(int64_t offset) { return SeekFrom{Whence::kEnd, offset, 0}; }
  static SeekFrom Current(int64_t offset) {
    return SeekFrom{Whence::kCurrent, offset, 0};
  }

  Whence whence;
  int64_t offset;  // For kEnd and kCurrent.
  uint64_t start;  // For kStart: the full u64 range, as in Rust.
};

// A movable position: Rust's std::io::Seek.
class Seek {
 public:
  virtual ~Seek() = default;

  // Moves the position and returns the new position from the start.
  // - Seeking beyond the end is allowed; what a later read or write does
  //   there is the stream's business (cursors read 0 bytes, files too).
  // - A resulting position before byte 0 (or past u64) is Err(InvalidInput)
  //   and the position is unchanged.
  virtual Result<uint64_t> seek(SeekFrom pos) = 0;

  // The current position. Equivalent to seek(Current(0)) but, as in Rust,
  // a stream may answer it without side effects (BufReader keeps its buffer).
  virtual Result<uint64_t> stream_position() { return seek(SeekFrom::Current(0)); }
};

// What LibTorch's reader needs: random access built from Read + Seek.
// tch-rs's `trait ReadStream: Read + Seek {}`.
class ReadStream : public Read, public Seek {};

// A stream that reads, writes and seeks (cursors and files).
class Stream : public ReadStream, public Write {};

// Rust's Write::write_all: loops over short writes, retries Interrupted,
// and turns Ok(0) into WriteZero. On Err, an unknown prefix was written.
Status WriteAll(Write& w, const uint8_t* buf, size_t n);

// Rust's Read::read_exact: loops over short reads, retries Interrupted, and
// fails with UnexpectedEof if the stream ends first.
Status ReadExact(Read& r, uint8_t* buf, size_t n);

// For in-memory streams (Cursor, FixedCursor), Rust's Cursor arithmetic:
// where a seek from `pos` lands for a stream at `current` whose end is
// `end`; Err(InvalidInput) for a negative or overflowing result.
Result<uint64_t> SeekTarget(SeekFrom pos, uint64_t current, uint64_t end);

// Copies min(n, size - *pos) bytes of data[0, size) at *pos into buf (none
// at or past the end) and advances *pos by that count, which it returns.
size_t ReadAt(const uint8_t* data, size_t size, uint64_t* pos, uint8_t* buf, size_t n);

}  // namespace tsh

#endif  // TSH_BRIDGE_IO_H_
