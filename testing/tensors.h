// Tensors for round-trip tests, and the one bit-exact comparison every test,
// fuzzer and the fault matrix judge tensors by.
#ifndef TSH_TESTING_TENSORS_H_
#define TSH_TESTING_TENSORS_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <ATen/core/Tensor.h>

namespace tsh::test {

// Same dtype, shape and bytes. NaN-aware because it compares bits, not
// values: a NaN equals a NaN with the same bits, and -0.0 differs from +0.0
// (== and at::equal say the opposite of both), which is what a round trip
// must preserve. Strides and storage sharing are not compared. On a
// mismatch, `why` (if given) says what differs.
bool BitEqual(const at::Tensor& a, const at::Tensor& b, std::string* why = nullptr);

// The same names in the same order, each with a BitEqual tensor.
bool NamedBitEqual(const std::vector<std::pair<std::string, at::Tensor>>& want,
                   const std::vector<std::pair<std::string, at::Tensor>>& got,
                   std::string* why = nullptr);

// A tensor of `dtype` and `shape` whose bytes come from a seeded generator,
// so that every bit pattern (NaNs, denormals, negative zero) can occur.
at::Tensor PatternTensor(c10::ScalarType dtype, const std::vector<int64_t>& shape,
                         uint64_t seed = 1);

// Every dtype LibTorch 1.13 can save and load.
std::vector<c10::ScalarType> SavableDtypes();

}  // namespace tsh::test

#endif  // TSH_TESTING_TENSORS_H_
