#include "testing/tensors.h"

#include <cstring>

#include <ATen/ATen.h>

namespace tsh::test {

bool BitEqual(const at::Tensor& a, const at::Tensor& b, std::string* why) {
  auto fail = [why](std::string s) {
    if (why != nullptr) *why = std::move(s);
    return false;
  };
  if (a.scalar_type() != b.scalar_type()) {
    return fail(std::string("dtype ") + c10::toString(a.scalar_type()) + " vs " +
                c10::toString(b.scalar_type()));
  }
  if (a.sizes() != b.sizes()) return fail("shapes differ");
  at::Tensor ca = a.detach().cpu().contiguous();
  at::Tensor cb = b.detach().cpu().contiguous();
  size_t nbytes = ca.numel() * ca.element_size();
  if (nbytes != 0 && std::memcmp(ca.data_ptr(), cb.data_ptr(), nbytes) != 0) {
    return fail("bytes differ");
  }
  return true;
}

bool NamedBitEqual(const std::vector<std::pair<std::string, at::Tensor>>& want,
                   const std::vector<std::pair<std::string, at::Tensor>>& got,
                   std::string* why) {
  if (want.size() != got.size()) {
    if (why != nullptr) {
      *why = std::to_string(got.size()) + " tensors, expected " + std::to_string(want.size());
    }
    return false;
  }
  for (size_t i = 0; i < want.size(); ++i) {
    std::string detail;
    if (got[i].first != want[i].first) {
      detail = "name \"" + got[i].first + "\", expected \"" + want[i].first + "\"";
    } else if (!BitEqual(want[i].second, got[i].second, &detail)) {
      detail = want[i].first + ": " + detail;
    } else {
      continue;
    }
    if (why != nullptr) *why = "tensor " + std::to_string(i) + ": " + detail;
    return false;
  }
  return true;
}

at::Tensor PatternTensor(c10::ScalarType dtype, const std::vector<int64_t>& shape,
                         uint64_t seed) {
  at::Tensor t = at::empty(shape, at::TensorOptions().dtype(dtype));
  auto* p = static_cast<uint8_t*>(t.data_ptr());
  size_t nbytes = t.numel() * t.element_size();
  uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1;
  for (size_t i = 0; i < nbytes; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    p[i] = static_cast<uint8_t>(x);
    if (dtype == at::kBool) p[i] &= 1;  // Only 0 and 1 are bools.
  }
  return t;
}

std::vector<c10::ScalarType> SavableDtypes() {
  return {at::kHalf,  at::kFloat, at::kDouble,        at::kBFloat16,
          at::kComplexFloat,      at::kComplexDouble, at::kChar,
          at::kShort, at::kInt,   at::kLong,          at::kByte,
          at::kBool};
}

}  // namespace tsh::test
