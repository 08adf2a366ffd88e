#include "bridge/hardened_read_adapter.h"

#include <algorithm>
#include <cstring>
#include <utility>

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

thread_local HardenedReadAdapter::Buffer HardenedReadAdapter::spare_buffers_[kWindows];

HardenedReadAdapter::HardenedReadAdapter(void* stream_ptr) : stream_ptr_(stream_ptr) {
  for (int i = 0; i < kWindows; ++i) windows_[i].buffer = std::exchange(spare_buffers_[i], Buffer{});
}

HardenedReadAdapter::~HardenedReadAdapter() {
  tch_read_stream_destructor(stream_ptr_);
  for (int i = 0; i < kWindows; ++i) {
    if (spare_buffers_[i].capacity < windows_[i].buffer.capacity) {
      spare_buffers_[i] = std::exchange(windows_[i].buffer, Buffer{});
    }
  }
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
  // LibTorch reads the archive's directory at its end first: one seek to
  // the tail before the end both sizes the archive and reaches the directory.
  uint64_t tail = 0;
  if (Retry([&] { return tch_read_stream_seek_end(stream_ptr_, -int64_t{kTail}, &tail); },
            BareFalse::kFinal)) {
    if (tail >= base) {
      position_ = tail - base;
      size_ = tail - base + kTail;
      Fill(tail - base, kTail, "archive end");
      return *size_;
    }
  } else {
    // A seek before byte 0 is refused (InvalidInput): the stream is smaller
    // than the tail. Any other error is the stream's.
    std::optional<Error> e = LastReadStreamError(stream_ptr_);
    if (e && e->kind() != ErrorKind::kInvalidInput) {
      Fail("tch_read_stream_seek_end", "while sizing the archive");
    }
  }
  // The archive is smaller than the tail.
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

bool HardenedReadAdapter::ShortGapTo(uint64_t pos) const {
  return position_ && *position_ < pos && pos - *position_ < kSmall;
}

const HardenedReadAdapter::Window& HardenedReadAdapter::Fill(uint64_t pos, size_t n,
                                                             const char* what) const {
  uint64_t start = pos;
  size_t len = n;
  if (ShortGapTo(pos)) {
    len += static_cast<size_t>(pos - *position_);
    start = *position_;
  }
  len = static_cast<size_t>(std::min<uint64_t>(len, *size_ > start ? *size_ - start : 0));
  Window& w = windows_[1 - last_used_];
  last_used_ = 1 - last_used_;
  if (w.buffer.capacity < len) {
    w.buffer.bytes.reset(new uint8_t[len]);
    w.buffer.capacity = len;
  }
  w.start = start;
  w.size = 0;  // Holds nothing if the read fails.
  w.size = ReadFully(start, w.buffer.bytes.get(), len, what);
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
    for (int i = 0; i < kWindows; ++i) {
      if (windows_[i].Holds(at)) {
        hit = &windows_[i];
        last_used_ = i;
      }
    }
    if (hit != nullptr) {
      const size_t c = std::min<uint64_t>(
          {n - got, hit->start + hit->size - at, *size_ - std::min(*size_, at)});
      if (c == 0) break;
      std::memcpy(out + got, hit->data() + (at - hit->start), c);
      got += c;
      continue;
    }
    if (at >= *size_) break;
    if (n - got >= kSmall) {
      // Tensor data goes straight into LibTorch's buffer, in one piece; a
      // short gap before it (the rest of a record's header) is read into
      // that buffer first.
      if (ShortGapTo(at)) {
        ReadFully(*position_, out + got, static_cast<size_t>(at - *position_), what);
      }
      const size_t want = static_cast<size_t>(std::min<uint64_t>(n - got, *size_ - at));
      const size_t c = ReadFully(at, out + got, want, what);
      got += c;
      if (c < want || got < n) break;
    } else if (!Fill(at, n - got, what).Holds(at)) {
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
