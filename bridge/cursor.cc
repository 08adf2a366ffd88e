#include "bridge/cursor.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <new>
#include <stdexcept>

namespace tsh {
namespace {

// Rust's u64::checked_add_signed: false when the sum leaves [0, u64::MAX].
bool CheckedAddSigned(uint64_t base, int64_t offset, uint64_t* out) {
  if (offset >= 0) {
    uint64_t sum = base + static_cast<uint64_t>(offset);
    if (sum < base) return false;
    *out = sum;
    return true;
  }
  // -(offset + 1) + 1 avoids negating INT64_MIN.
  uint64_t magnitude = static_cast<uint64_t>(-(offset + 1)) + 1;
  if (magnitude > base) return false;
  *out = base - magnitude;
  return true;
}

}  // namespace

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
  if (n == 0 || pos_ >= data_.size()) return static_cast<size_t>(0);
  const size_t pos = static_cast<size_t>(pos_);
  const size_t avail = data_.size() - pos;
  const size_t got = n < avail ? n : avail;
  std::memcpy(buf, data_.data() + pos, got);
  pos_ += got;
  return got;
}

Result<uint64_t> Cursor::seek(SeekFrom pos) {
  uint64_t base;
  switch (pos.whence) {
    case SeekFrom::Whence::kStart:
      pos_ = pos.start;
      return pos_;
    case SeekFrom::Whence::kEnd:
      base = data_.size();
      break;
    case SeekFrom::Whence::kCurrent:
    default:
      base = pos_;
      break;
  }
  uint64_t next;
  if (!CheckedAddSigned(base, pos.offset, &next)) {
    return Error(ErrorKind::kInvalidInput,
                 "invalid seek to a negative or overflowing position");
  }
  pos_ = next;
  return pos_;
}

}  // namespace tsh
