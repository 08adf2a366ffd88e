#include "bridge/hardened_write_adapter.h"

#include <cstring>
#include <new>
#include <string>
#include <utility>

#include "bridge/callbacks.h"
#include "bridge/stream_failure.h"

namespace tsh {

HardenedWriteAdapter::~HardenedWriteAdapter() {
  tch_write_stream_destructor(stream_ptr_);
}

void HardenedWriteAdapter::Latch(Error error) {
  if (!error_) error_ = std::move(error);
}

size_t HardenedWriteAdapter::save(const void* data, size_t size) noexcept {
  const auto* p = static_cast<const uint8_t*>(data);
  if (error_ || size == 0) return size;
  if (gathered_ == nullptr && size < kCoalesce) {
    // Without memory to gather in, chunks are written as they come.
    gathered_.reset(new (std::nothrow) uint8_t[kCoalesce]);
  }
  if (gathered_ != nullptr && gathered_size_ + size > kCoalesce) WriteGathered();
  if (gathered_ != nullptr && size < kCoalesce) {
    std::memcpy(gathered_.get() + gathered_size_, p, size);
    gathered_size_ += size;
  } else {
    WriteAll(p, size);
  }
  return size;
}

void HardenedWriteAdapter::WriteGathered() {
  WriteAll(gathered_.get(), gathered_size_);
  gathered_size_ = 0;
}

void HardenedWriteAdapter::WriteAll(const uint8_t* p, size_t size) {
  size_t left = size;
  auto last_error = [this] { return LastWriteStreamError(stream_ptr_); };
  while (!error_ && left > 0) {
    // Built only on failure: this loop is on the save's hot path.
    auto where = [this] { return "at offset " + std::to_string(offset_); };
    size_t n = 0;
    if (!RetryInterrupted(
            [&] { return tch_write_stream_write(stream_ptr_, p, left, &n); },
            last_error, kMaxInterruptedRetries, &retries_)) {
      Latch(CallbackError("tch_write_stream_write", where(), last_error()));
    } else if (n == 0) {
      Latch(Error(ErrorKind::kWriteZero,
                  "tch_write_stream_write wrote 0 of " + std::to_string(left) +
                      " bytes " + where()));
    } else if (n > left) {
      Latch(Error(ErrorKind::kInvalidData,
                  "tch_write_stream_write reported " + std::to_string(n) +
                      " bytes written of " + std::to_string(left) + " " + where()));
    } else {
      p += n;
      left -= n;
      offset_ += n;
    }
  }
}

Status HardenedWriteAdapter::Finish() {
  if (gathered_size_ > 0) WriteGathered();
  if (error_) return *error_;
  if (!HasFlushExtension()) return Ok();
  auto last_error = [this] { return LastWriteStreamError(stream_ptr_); };
  if (!RetryInterrupted([this] { return FlushWriteStream(stream_ptr_); },
                        last_error, kMaxInterruptedRetries, &retries_)) {
    return CallbackError("tsh_write_stream_flush",
                         "at the end of the save (offset " + std::to_string(offset_) + ")",
                         last_error());
  }
  flushed_ = true;
  return Ok();
}

}  // namespace tsh
