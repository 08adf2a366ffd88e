// Cursor: an in-memory, growable stream over a byte vector; Rust's
// std::io::Cursor<Vec<u8>>.
//
// What it is for: a stream with no I/O underneath, so tests and fuzzers can
// write a tensor, seek around and read it back with Rust's exact semantics.
//
// What it promises:
// - The Cursor owns its vector and a u64 position, independent of the
//   vector's length; the position may lie past the end.
// - write() writes all n bytes at the position, overwriting what is there and
//   growing the vector as needed; a gap between the old end and the position
//   is zero-filled. It returns Ok(n) and advances the position by n. If the
//   end of the write would exceed what a vector can hold, or memory runs out,
//   it returns Err(OutOfMemory) and nothing changes.
// - read() copies from the position and advances it; at or past the end it
//   returns Ok(0).
// - seek(Start(n)) accepts any u64. seek(End(k)) and seek(Current(k)) add k
//   to the length or position with overflow checks; a negative or overflowing
//   result is Err(InvalidInput) and leaves the position unchanged.
// - flush() does nothing and returns Ok().
// - n == 0 reads and writes return Ok(0) without effect (io.h's contract;
//   Rust would zero-pad up to a past-the-end position even for an empty
//   write).
// No method throws. Not thread-safe: one user at a time, as io.h says.
#ifndef TSH_BRIDGE_CURSOR_H_
#define TSH_BRIDGE_CURSOR_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "bridge/io.h"

namespace tsh {

class Cursor : public Stream {
 public:
  // An empty cursor at position 0.
  Cursor() = default;
  // A cursor over `data` at position 0 (Rust's Cursor::new(vec)).
  explicit Cursor(std::vector<uint8_t> data) : data_(std::move(data)) {}

  Result<size_t> write(const uint8_t* buf, size_t n) override;
  Status flush() override { return Ok(); }
  Result<size_t> read(uint8_t* buf, size_t n) override;
  Result<uint64_t> seek(SeekFrom pos) override;
  // The position as is; never fails (Rust's Cursor overrides it likewise).
  Result<uint64_t> stream_position() override { return pos_; }

  const std::vector<uint8_t>& data() const { return data_; }
  // Moves the buffer out; the cursor is left empty, its position unchanged.
  std::vector<uint8_t> into_inner() { return std::move(data_); }
  uint64_t position() const { return pos_; }
  // Any value is allowed, as in Rust; past the end reads give 0 bytes.
  void set_position(uint64_t pos) { pos_ = pos; }

 private:
  std::vector<uint8_t> data_;
  uint64_t pos_ = 0;
};

}  // namespace tsh

#endif  // TSH_BRIDGE_CURSOR_H_
