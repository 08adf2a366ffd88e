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
bool HardenedReadAdapter::Retry(Call&& call, BareFalse bare_false) const {
  return RetryInterrupted(call, [this] { return LastReadStreamError(stream_ptr_); },
                          kMaxInterruptedRetries, &retries_, bare_false);
}

size_t HardenedReadAdapter::size() const {
  if (size_) return *size_;
  uint64_t base = 0;
  if (!Retry([&] { return tch_read_stream_stream_position(stream_ptr_, &base); })) {
    Fail("tch_read_stream_stream_position", "where the archive starts");
  }
  base_ = base;
  // LibTorch reads the archive's directory at its end first: one seek to a
  // window before the end both sizes the archive and reaches the directory.
  uint64_t tail = 0;
  if (Retry([&] { return tch_read_stream_seek_end(stream_ptr_, -int64_t{kWindow}, &tail); },
            BareFalse::kFinal)) {
    if (tail >= base) {
      position_ = tail - base;
      size_ = tail - base + kWindow;
      Fill(tail - base, kWindow, "archive end");
      return *size_;
    }
  } else {
    // A seek before byte 0 is refused (InvalidInput): the stream is smaller
    // than a window. Any other error is the stream's.
    std::optional<Error> e = LastReadStreamError(stream_ptr_);
    if (e && e->kind() != ErrorKind::kInvalidInput) {
      Fail("tch_read_stream_seek_end", "while sizing the archive");
    }
  }
  // The archive is smaller than a window.
  uint64_t end = 0;
  if (!Retry([&] { return tch_read_stream_seek_end(stream_ptr_, 0, &end); })) {
    Fail("tch_read_stream_seek_end", "while sizing the archive");
  }
  if (end < base) {
    position_.reset();
    throw StreamFailure(Error(ErrorKind::kInvalidData,
                              "tch_read_stream_seek_end reported the end at " +
                                  std::to_string(end) + ", before the archive's start at " +
                                  std::to_string(base)));
  }
  position_ = end - base;
  size_ = end - base;
  return *size_;
}

void HardenedReadAdapter::EndArchiveAt(uint64_t length) {
  if (!size_) size();
  size_ = std::min(*size_, length);
}

void HardenedReadAdapter::SeekPastArchive() {
  if (!size_) size();
  SeekTo(*size_, "after the archive");
}

void HardenedReadAdapter::SeekTo(uint64_t pos, const char* what) const {
  if (position_ == pos) return;
  const uint64_t target = *base_ + pos;
  uint64_t reported = 0;
  if (!Retry([&] { return tch_read_stream_seek_start(stream_ptr_, target, &reported); })) {
    Fail("tch_read_stream_seek_start", At(pos, what));
  }
  if (reported != target) {
    position_.reset();
    throw StreamFailure(Error(
        ErrorKind::kInvalidData,
        "tch_read_stream_seek_start reported position " + std::to_string(reported) +
            " for a seek to " + std::to_string(target) + " (archive " + At(pos, what) + ")"));
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
      const size_t c = std::min<uint64_t>(
          {n - got, hit->start + hit->bytes.size() - at, *size_ - std::min(*size_, at)});
      if (c == 0) break;
      std::memcpy(out + got, hit->bytes.data() + (at - hit->start), c);
      got += c;
      continue;
    }
    if (at >= *size_) break;
    if (n - got >= kWindow) {
      // Large reads (tensor data) go straight into LibTorch's buffer.
      const size_t want = static_cast<size_t>(std::min<uint64_t>(n - got, *size_ - at));
      const size_t c = ReadFully(at, out + got, want, what);
      got += c;
      if (c < want || got < n) break;
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
