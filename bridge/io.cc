#include "bridge/io.h"

#include <cstring>

namespace tsh {

Status WriteAll(Write& w, const uint8_t* buf, size_t n) {
  while (n > 0) {
    Result<size_t> r = w.write(buf, n);
    if (!r.ok()) {
      if (r.error().kind() == ErrorKind::kInterrupted) continue;
      return r.error();
    }
    if (r.value() == 0) {
      return Error(ErrorKind::kWriteZero, "failed to write whole buffer");
    }
    buf += r.value();
    n -= r.value();
  }
  return Ok();
}

Status ReadExact(Read& r, uint8_t* buf, size_t n) {
  while (n > 0) {
    Result<size_t> got = r.read(buf, n);
    if (!got.ok()) {
      if (got.error().kind() == ErrorKind::kInterrupted) continue;
      return got.error();
    }
    if (got.value() == 0) {
      return Error(ErrorKind::kUnexpectedEof, "failed to fill whole buffer");
    }
    buf += got.value();
    n -= got.value();
  }
  return Ok();
}

Result<uint64_t> SeekTarget(SeekFrom pos, uint64_t current, uint64_t end) {
  if (pos.whence == SeekFrom::Whence::kStart) return pos.start;
  const uint64_t base = pos.whence == SeekFrom::Whence::kEnd ? end : current;
  if (pos.offset >= 0) {
    const uint64_t sum = base + static_cast<uint64_t>(pos.offset);
    if (sum >= base) return sum;
  } else {
    // -(offset + 1) + 1 avoids negating INT64_MIN.
    const uint64_t magnitude = static_cast<uint64_t>(-(pos.offset + 1)) + 1;
    if (magnitude <= base) return base - magnitude;
  }
  return Error(ErrorKind::kInvalidInput, "invalid seek to a negative or overflowing position");
}

size_t ReadAt(const uint8_t* data, size_t size, uint64_t* pos, uint8_t* buf, size_t n) {
  if (n == 0 || *pos >= size) return 0;
  const size_t at = static_cast<size_t>(*pos);
  const size_t got = n < size - at ? n : size - at;
  std::memcpy(buf, data + at, got);
  *pos += got;
  return got;
}

}  // namespace tsh
