#include "bridge/read_adapter.h"

#include <string>

#include "bridge/callbacks.h"
#include "bridge/stream_failure.h"

namespace tsh {

ReadAdapter::~ReadAdapter() { tch_read_stream_destructor(stream_ptr_); }

void ReadAdapter::Fail(const char* callback, const std::string& where) const {
  throw StreamFailure(
      CallbackError(callback, where, LastReadStreamError(stream_ptr_)));
}

size_t ReadAdapter::size() const {
  uint64_t current = 0;
  if (!tch_read_stream_stream_position(stream_ptr_, &current)) {
    Fail("tch_read_stream_stream_position", "while sizing the archive");
  }
  uint64_t end = 0;
  if (!tch_read_stream_seek_end(stream_ptr_, 0, &end)) {
    Fail("tch_read_stream_seek_end", "while sizing the archive");
  }
  uint64_t ignored = 0;
  if (!tch_read_stream_seek_start(stream_ptr_, current, &ignored)) {
    Fail("tch_read_stream_seek_start",
         "returning to offset " + std::to_string(current));
  }
  return end;
}

size_t ReadAdapter::read(uint64_t pos, void* buf, size_t n,
                         const char* what) const {
  uint64_t ignored = 0;
  if (!tch_read_stream_seek_start(stream_ptr_, pos, &ignored)) {
    Fail("tch_read_stream_seek_start",
         "at offset " + std::to_string(pos) + " (" + what + ")");
  }
  size_t read_size = 0;
  if (!tch_read_stream_read(stream_ptr_, static_cast<uint8_t*>(buf), n,
                            &read_size)) {
    Fail("tch_read_stream_read", "at offset " + std::to_string(pos) + " (" +
                                     std::to_string(n) + " bytes, " + what +
                                     ")");
  }
  return read_size;
}

}  // namespace tsh
