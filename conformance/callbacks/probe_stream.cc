#include "conformance/callbacks/probe_stream.h"

namespace tsh::test {

Result<size_t> ProbeStream::read(uint8_t* buf, size_t n) {
  calls_.push_back({Op::kRead, n});
  return inner_->read(buf, n);
}

Result<size_t> ProbeStream::write(const uint8_t* buf, size_t n) {
  calls_.push_back({Op::kWrite, n});
  return inner_->write(buf, n);
}

Status ProbeStream::flush() {
  calls_.push_back({Op::kFlush});
  return inner_->flush();
}

Result<uint64_t> ProbeStream::seek(SeekFrom pos) {
  calls_.push_back({Op::kSeek, 0, pos});
  return inner_->seek(pos);
}

Result<uint64_t> ProbeStream::stream_position() {
  calls_.push_back({Op::kPosition});
  return inner_->stream_position();
}

}  // namespace tsh::test
