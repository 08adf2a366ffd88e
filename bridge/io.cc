#include "bridge/io.h"

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

}  // namespace tsh
