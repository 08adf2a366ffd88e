// FixedCursor: an in-memory stream over a buffer whose capacity never
// changes; Rust's std::io::Cursor<&mut [u8]> (or Cursor<Box<[u8]>>).
//
// What it is for: a sink that fills up, so callers see short writes and
// then Ok(0) (which Rust's write_all turns into WriteZero) exactly where a
// real bounded buffer would produce them.
//
// What it promises:
// - The FixedCursor owns its buffer; its size is the capacity, fixed at
//   construction. The u64 position may lie past the end.
// - write() copies min(n, capacity - position) bytes at the position and
//   advances it by that much; at or past the end it returns Ok(0) and the
//   position stays where it is (Rust clamps the start to the end).
// - read() copies from the position and advances it; at or past the end it
//   returns Ok(0).
// - seek(Start(n)) accepts any u64. seek(End(k)) (from the capacity) and
//   seek(Current(k)) are overflow-checked; a negative or overflowing result
//   is Err(InvalidInput) and leaves the position unchanged.
// - flush() does nothing and returns Ok().
// - n == 0 reads and writes return Ok(0) without effect.
// The capacity constructor allocates (and, like any C++ allocation, throws
// std::bad_alloc if it cannot); no method throws. One user at a time.
#ifndef TSH_BRIDGE_FIXED_CURSOR_H_
#define TSH_BRIDGE_FIXED_CURSOR_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "bridge/io.h"

namespace tsh {

class FixedCursor : public Stream {
 public:
  // `capacity` zero bytes, position 0.
  explicit FixedCursor(size_t capacity) : data_(capacity, 0) {}
  // Over `data`, whose size becomes the capacity; position 0.
  explicit FixedCursor(std::vector<uint8_t> data) : data_(std::move(data)) {}

  Result<size_t> write(const uint8_t* buf, size_t n) override;
  Status flush() override { return Ok(); }
  Result<size_t> read(uint8_t* buf, size_t n) override;
  Result<uint64_t> seek(SeekFrom pos) override;
  Result<uint64_t> stream_position() override { return pos_; }

  // The whole buffer (its size is the capacity), written or not.
  const std::vector<uint8_t>& data() const { return data_; }
  size_t capacity() const { return data_.size(); }
  uint64_t position() const { return pos_; }
  void set_position(uint64_t pos) { pos_ = pos; }

 private:
  std::vector<uint8_t> data_;  // Never resized: its size is the capacity.
  uint64_t pos_ = 0;
};

}  // namespace tsh

#endif  // TSH_BRIDGE_FIXED_CURSOR_H_
