#include "conformance/callbacks/rig.h"

#include <utility>

#include "bridge/callbacks.h"

namespace tsh::test {

Rig::Rig(Side side, std::vector<uint8_t> data, FaultPlan plan) : side_(side) {
  auto cursor = std::make_unique<Cursor>(std::move(data));
  cursor_ = cursor.get();
  auto faults = std::make_unique<FaultStream>(std::unique_ptr<Stream>(std::move(cursor)),
                                              std::move(plan));
  faults_ = faults.get();
  auto probe = std::make_unique<ProbeStream>(std::move(faults));
  probe_ = probe.get();
  harness_ = std::make_unique<HarnessStream>(std::move(probe));
  ptr_ = side == Side::kWrite ? harness_->NewWriteStream() : harness_->NewReadStream();
}

Rig::~Rig() { Destroy(); }

void Rig::Destroy() {
  if (ptr_ == nullptr) return;
  if (side_ == Side::kWrite) {
    tch_write_stream_destructor(ptr_);
  } else {
    tch_read_stream_destructor(ptr_);
  }
  ptr_ = nullptr;
}

void* Rig::Release() {
  void* p = ptr_;
  ptr_ = nullptr;
  return p;
}

Op PositionCallOp() {
  Rig r(Side::kRead, Digits(4));
  uint64_t out = 0;
  tch_read_stream_stream_position(r.ptr(), &out);
  return r.probed().empty() ? Op::kPosition : r.probed()[0].op;
}

std::vector<uint8_t> Digits(size_t n) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>('0' + i % 10);
  return v;
}

std::string AsString(const uint8_t* p, size_t n) {
  return std::string(reinterpret_cast<const char*>(p), n);
}

}  // namespace tsh::test
