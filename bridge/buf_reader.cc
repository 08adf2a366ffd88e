#include "bridge/buf_reader.h"

#include <cstring>
#include <limits>
#include <new>
#include <stdexcept>

namespace tsh {

Result<size_t> BufReader::read(uint8_t* buf, size_t n) {
  if (n == 0) return static_cast<size_t>(0);
  if (pos_ == filled_ && n >= capacity_) {
    // Buffering would only add a copy: read straight into the caller's buf.
    discard_buffer();
    return inner_->read(buf, n);
  }
  if (pos_ == filled_) {
    // Allocated lazily so the constructor cannot fail.
    if (buf_.size() < capacity_) {
      try {
        buf_.resize(capacity_);
      } catch (const std::bad_alloc&) {
        return Error(ErrorKind::kOutOfMemory, "BufReader: out of memory");
      } catch (const std::length_error&) {
        return Error(ErrorKind::kOutOfMemory, "BufReader: capacity too large");
      }
    }
    Result<size_t> got = inner_->read(buf_.data(), capacity_);
    if (!got.ok()) return got.error();
    pos_ = 0;
    // Clamp a count beyond what was offered (a broken inner) to the buffer.
    filled_ = got.value() < capacity_ ? got.value() : capacity_;
  }
  const size_t avail = filled_ - pos_;
  const size_t out = n < avail ? n : avail;
  std::memcpy(buf, buf_.data() + pos_, out);
  pos_ += out;
  return out;
}

Result<uint64_t> BufReader::seek(SeekFrom pos) {
  Result<uint64_t> result = static_cast<uint64_t>(0);
  if (pos.whence == SeekFrom::Whence::kCurrent) {
    // The inner stream is `remainder` bytes ahead of this reader. A buffer
    // cannot hold 2^63 bytes, so the cast is exact.
    const int64_t remainder = static_cast<int64_t>(filled_ - pos_);
    const int64_t k = pos.offset;
    if (k >= std::numeric_limits<int64_t>::min() + remainder) {
      result = inner_->seek(SeekFrom::Current(k - remainder));
    } else {
      // k - remainder would underflow: step back to the logical position
      // first, then apply k.
      Result<uint64_t> back = inner_->seek(SeekFrom::Current(-remainder));
      if (!back.ok()) return back.error();
      discard_buffer();
      result = inner_->seek(SeekFrom::Current(k));
    }
  } else {
    result = inner_->seek(pos);
  }
  // On failure the inner position is unchanged, so the buffer still matches
  // it and is kept (Rust returns through `?` before discarding).
  if (!result.ok()) return result.error();
  discard_buffer();
  return result;
}

Result<uint64_t> BufReader::stream_position() {
  const uint64_t remainder = filled_ - pos_;
  Result<uint64_t> inner = inner_->stream_position();
  if (!inner.ok()) return inner.error();
  if (inner.value() < remainder) {
    return Error(ErrorKind::kOther,
                 "overflow when subtracting remaining buffer size from inner "
                 "stream position");
  }
  return inner.value() - remainder;
}

}  // namespace tsh
