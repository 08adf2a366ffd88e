#include "bridge/write_adapter.h"

#include <string>

#include "bridge/callbacks.h"
#include "bridge/stream_failure.h"

namespace tsh {

WriteAdapter::~WriteAdapter() { tch_write_stream_destructor(stream_ptr_); }

size_t WriteAdapter::save(const void* data, size_t size) {
  size_t out_size = 0;
  if (!tch_write_stream_write(stream_ptr_, static_cast<const uint8_t*>(data),
                              size, &out_size)) {
    throw StreamFailure(CallbackError(
        "tch_write_stream_write",
        "at offset " + std::to_string(offset_) + " (" + std::to_string(size) +
            " bytes)",
        LastWriteStreamError(stream_ptr_)));
  }
  offset_ += out_size;
  return out_size;
}

}  // namespace tsh
