#include "bridge/buf_writer.h"

#include <new>
#include <stdexcept>

namespace tsh {
namespace {

Error Detached() {
  return Error(ErrorKind::kOther, "BufWriter: inner writer was taken by into_inner");
}

}  // namespace

BufWriter::~BufWriter() {
  // As Rust's Drop: a last attempt to deliver, errors dropped on the floor.
  if (inner_) (void)flush_buf();
}

Result<size_t> BufWriter::write(const uint8_t* buf, size_t n) {
  if (n == 0) return static_cast<size_t>(0);
  if (!inner_) return Detached();
  if (n > capacity_ - buf_.size()) {
    Status s = flush_buf();
    if (!s.ok()) return s.error();
  }
  if (n >= capacity_) {
    // Too big to gain from buffering: one inner write, its answer as is.
    return inner_->write(buf, n);
  }
  try {
    // Reserve the whole capacity once, so later appends never reallocate.
    if (buf_.capacity() < capacity_) buf_.reserve(capacity_);
    buf_.insert(buf_.end(), buf, buf + n);
  } catch (const std::bad_alloc&) {
    return Error(ErrorKind::kOutOfMemory, "BufWriter: out of memory");
  } catch (const std::length_error&) {
    return Error(ErrorKind::kOutOfMemory, "BufWriter: capacity too large");
  }
  return n;
}

Status BufWriter::flush_buf() {
  if (!inner_) return Detached();
  size_t written = 0;
  Status result = Ok();
  while (written < buf_.size()) {
    Result<size_t> r = inner_->write(buf_.data() + written, buf_.size() - written);
    if (!r.ok()) {
      if (r.error().kind() == ErrorKind::kInterrupted) continue;
      result = r.error();
      break;
    }
    if (r.value() == 0) {
      result = Error(ErrorKind::kWriteZero, "failed to write the buffered data");
      break;
    }
    // A count above what was offered breaks the Write contract; clamp it
    // rather than index past the buffer (Rust would panic here).
    const size_t rest = buf_.size() - written;
    written += r.value() < rest ? r.value() : rest;
  }
  // Drop what the inner Write took, keep the rest (Rust's BufGuard).
  buf_.erase(buf_.begin(), buf_.begin() + written);
  return result;
}

Status BufWriter::flush() {
  Status s = flush_buf();
  if (!s.ok()) return s;
  return inner_->flush();
}

Result<std::unique_ptr<Write>> BufWriter::into_inner() {
  Status s = flush_buf();
  if (!s.ok()) return s.error();
  return std::move(inner_);
}

}  // namespace tsh
