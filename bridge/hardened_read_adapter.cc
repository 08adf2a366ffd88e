#include "bridge/hardened_read_adapter.h"

#include <algorithm>
#include <cstring>

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
  // LibTorch reads the archive's directory at its end first: one seek to a
  // window before the end both sizes the archive and reaches the directory.
  uint64_t tail = 0;
  if (Retry([&] { return tch_read_stream_seek_end(stream_ptr_, -int64_t{kWindow}, &tail); })) {
    position_ = tail;
    size_ = tail + kWindow;
    Fill(tail, kWindow, "archive end");
    return *size_;
  }
  // A seek before byte 0 is refused (InvalidInput): the archive is smaller
  // than a window. Any other error is the stream's.
  std::optional<Error> e = LastReadStreamError(stream_ptr_);
  if (e && e->kind() != ErrorKind::kInvalidInput) {
    Fail("tch_read_stream_seek_end", "while sizing the archive");
  }
  uint64_t end = 0;
  if (!Retry([&] { return tch_read_stream_seek_end(stream_ptr_, 0, &end); })) {
    Fail("tch_read_stream_seek_end", "while sizing the archive");
  }
  position_ = end;
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

size_t HardenedReadAdapter::ReadFully(uint64_t pos, uint8_t* buf, size_t n,
                                      const char* what) const {
  SeekTo(pos, what);
  size_t got = 0;
  while (got < n) {
    size_t count = 0;
    if (!Retry([&] { return tch_read_stream_read(stream_ptr_, buf + got, n - got, &count); })) {
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
  return got;
}

const HardenedReadAdapter::Window& HardenedReadAdapter::Fill(uint64_t pos, size_t n,
                                                             const char* what) const {
  if (position_ && *position_ < pos && pos - *position_ < kWindow) {
    pos = *position_;  // A short gap ahead is read rather than sought over.
  } else if (size_ && *size_ - std::min(*size_, pos) < n) {
    pos = *size_ > n ? *size_ - n : 0;  // Near the end: end the window there.
  }
  if (size_) n = static_cast<size_t>(std::min<uint64_t>(n, *size_ > pos ? *size_ - pos : 0));
  Window& w = windows_[1 - last_used_];
  last_used_ = 1 - last_used_;
  w.bytes.resize(n);
  w.start = pos;
  w.bytes.resize(ReadFully(pos, w.bytes.data(), n, what));
  return w;
}

size_t HardenedReadAdapter::read(uint64_t pos, void* buf, size_t n,
                                 const char* what) const {
  if (!size_) size();
  auto* out = static_cast<uint8_t*>(buf);
  size_t got = 0;
  while (got < n) {
    const uint64_t at = pos + got;
    const Window* hit = nullptr;
    for (int i = 0; i < 2; ++i) {
      if (windows_[i].Holds(at)) {
        hit = &windows_[i];
        last_used_ = i;
      }
    }
    if (hit != nullptr) {
      const size_t c = std::min<uint64_t>(n - got, hit->start + hit->bytes.size() - at);
      std::memcpy(out + got, hit->bytes.data() + (at - hit->start), c);
      got += c;
      continue;
    }
    if (at >= *size_) break;
    if (n - got >= kWindow) {
      // Large reads (tensor data) go straight into LibTorch's buffer.
      const size_t c = ReadFully(at, out + got, n - got, what);
      got += c;
      if (c == 0 || got < n) break;
    } else if (!Fill(at, kWindow, what).Holds(at)) {
      break;  // The stream ended before `at`.
    }
  }
  if (got < n && pos + got < *size_) {
    throw StreamFailure(Error(ErrorKind::kUnexpectedEof,
                              "unexpected end of stream " + At(pos + got, what) +
                                  ": tch_read_stream_read returned 0"));
  }
  return got;
}

}  // namespace tsh
