#include "bridge/cursor.h"

#include <algorithm>
#include <cstring>
#include <new>
#include <stdexcept>

namespace tsh {

Result<size_t> Cursor::write(const uint8_t* buf, size_t n) {
  if (n == 0) return static_cast<size_t>(0);
  // Compare in u64 first: the position may not even fit a size_t.
  const uint64_t max = data_.max_size();
  if (pos_ > max || n > max - pos_) {
    return Error(ErrorKind::kOutOfMemory,
                 "Cursor: write would grow the vector past its maximum size");
  }
  const size_t pos = static_cast<size_t>(pos_);
  const size_t size = data_.size();
  // Overwrite what exists, append the rest: no byte is zero-filled only to
  // be overwritten (a save appends every chunk, on its hot path).
  const size_t overlap = pos < size ? std::min(n, size - pos) : 0;
  try {
    if (pos > size) data_.resize(pos);  // Zero-fills the gap, as Rust does.
    data_.insert(data_.end(), buf + overlap, buf + n);
  } catch (const std::bad_alloc&) {
    return Error(ErrorKind::kOutOfMemory, "Cursor: out of memory");
  } catch (const std::length_error&) {
    return Error(ErrorKind::kOutOfMemory, "Cursor: vector length exceeded");
  }
  std::memcpy(data_.data() + pos, buf, overlap);
  pos_ += n;
  return n;
}

Result<size_t> Cursor::read(uint8_t* buf, size_t n) {
  return ReadAt(data_.data(), data_.size(), &pos_, buf, n);
}

Result<uint64_t> Cursor::seek(SeekFrom pos) {
  Result<uint64_t> target = SeekTarget(pos, pos_, data_.size());
  if (target.ok()) pos_ = target.value();
  return target;
}

}  // namespace tsh
