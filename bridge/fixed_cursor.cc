#include "bridge/fixed_cursor.h"

#include <cstring>

namespace tsh {

Result<size_t> FixedCursor::write(const uint8_t* buf, size_t n) {
  // A position at or past the end has no room: Ok(0), position unchanged.
  if (n == 0 || pos_ >= data_.size()) return static_cast<size_t>(0);
  const size_t pos = static_cast<size_t>(pos_);
  const size_t room = data_.size() - pos;
  const size_t put = n < room ? n : room;
  std::memcpy(data_.data() + pos, buf, put);
  pos_ += put;
  return put;
}

Result<size_t> FixedCursor::read(uint8_t* buf, size_t n) {
  return ReadAt(data_.data(), data_.size(), &pos_, buf, n);
}

Result<uint64_t> FixedCursor::seek(SeekFrom pos) {
  Result<uint64_t> target = SeekTarget(pos, pos_, data_.size());
  if (target.ok()) pos_ = target.value();
  return target;
}

}  // namespace tsh
