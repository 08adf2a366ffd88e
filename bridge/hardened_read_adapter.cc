#include "bridge/hardened_read_adapter.h"

#include "bridge/callbacks.h"
#include "bridge/stream_failure.h"

namespace tsh {
namespace {

std::string At(uint64_t offset, const char* what) {
  std::string s = "at offset " + std::to_string(offset);
  if (what != nullptr && *what != '\0') s += std::string(" (") + what + ")";
  return s;
}

}  // namespace

HardenedReadAdapter::~HardenedReadAdapter() {
  tch_read_stream_destructor(stream_ptr_);
}

void HardenedReadAdapter::Fail(const char* callback,
                               const std::string& where) const {
  position_.reset();  // After a failure the stream's position is unknown.
  throw StreamFailure(
      CallbackError(callback, where, LastReadStreamError(stream_ptr_)));
}

template <typename Call>
bool HardenedReadAdapter::Retry(Call&& call) const {
  return RetryInterrupted(call, [this] { return LastReadStreamError(stream_ptr_); },
                          kMaxInterruptedRetries, &retries_);
}

size_t HardenedReadAdapter::size() const {
  if (size_) return *size_;
  uint64_t current = 0;
  if (!Retry([&] { return tch_read_stream_stream_position(stream_ptr_, &current); })) {
    Fail("tch_read_stream_stream_position", "while sizing the archive");
  }
  uint64_t end = 0;
  if (!Retry([&] { return tch_read_stream_seek_end(stream_ptr_, 0, &end); })) {
    Fail("tch_read_stream_seek_end", "while sizing the archive");
  }
  position_ = end;
  SeekTo(current, "returning after sizing the archive");
  size_ = end;
  return end;
}

void HardenedReadAdapter::SeekTo(uint64_t pos, const char* what) const {
  if (position_ == pos) return;
  uint64_t reported = 0;
  if (!Retry([&] { return tch_read_stream_seek_start(stream_ptr_, pos, &reported); })) {
    Fail("tch_read_stream_seek_start", At(pos, what));
  }
  if (reported != pos) {
    position_.reset();
    throw StreamFailure(Error(
        ErrorKind::kInvalidData,
        "tch_read_stream_seek_start reported position " +
            std::to_string(reported) + " for a seek to " + At(pos, what)));
  }
  position_ = pos;
}

size_t HardenedReadAdapter::read(uint64_t pos, void* buf, size_t n,
                                 const char* what) const {
  SeekTo(pos, what);
  auto* p = static_cast<uint8_t*>(buf);
  size_t got = 0;
  while (got < n) {
    size_t count = 0;
    if (!Retry([&] { return tch_read_stream_read(stream_ptr_, p + got, n - got, &count); })) {
      Fail("tch_read_stream_read", At(pos + got, what));
    }
    if (count > n - got) {
      position_.reset();
      throw StreamFailure(Error(
          ErrorKind::kInvalidData,
          "tch_read_stream_read reported " + std::to_string(count) +
              " bytes read of " + std::to_string(n - got) + " " +
              At(pos + got, what)));
    }
    if (count == 0) break;
    got += count;
  }
  position_ = pos + got;
  if (got < n && (!size_ || pos + got < *size_)) {
    throw StreamFailure(Error(ErrorKind::kUnexpectedEof,
                              "unexpected end of stream " + At(pos + got, what) +
                                  ": tch_read_stream_read returned 0"));
  }
  return got;
}

}  // namespace tsh
