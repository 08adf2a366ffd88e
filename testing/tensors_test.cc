// BitEqual compares bits, not values: what a round trip must preserve.
#include "testing/tensors.h"

#include <cmath>
#include <limits>
#include <string>

#include <ATen/ATen.h>
#include <gtest/gtest.h>

namespace tsh::test {
namespace {

TEST(BitEqual, NanEqualsTheSameNanBits) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  EXPECT_TRUE(BitEqual(at::full({3}, nan), at::full({3}, nan)));
}

TEST(BitEqual, NansWithOtherPayloadsDiffer) {
  at::Tensor a = at::full({1}, std::numeric_limits<float>::quiet_NaN());
  at::Tensor b = a.clone();
  *static_cast<uint32_t*>(b.data_ptr()) ^= 1;  // Another NaN: payload bit 0.
  ASSERT_TRUE(std::isnan(b.item<float>()));
  std::string why;
  EXPECT_FALSE(BitEqual(a, b, &why));
  EXPECT_EQ(why, "bytes differ");
}

TEST(BitEqual, SignedZerosDiffer) {
  EXPECT_FALSE(BitEqual(at::full({2}, 0.0), at::full({2}, -0.0)));
}

TEST(BitEqual, DtypeAndShapeAreCompared) {
  std::string why;
  EXPECT_FALSE(BitEqual(at::zeros({4}, at::kInt), at::zeros({4}, at::kFloat), &why));
  EXPECT_EQ(why, "dtype Int vs Float");
  EXPECT_FALSE(BitEqual(at::zeros({4}), at::zeros({2, 2}), &why));
  EXPECT_EQ(why, "shapes differ");
}

TEST(BitEqual, StridesAreNot) {
  at::Tensor t = PatternTensor(at::kDouble, {3, 5}, 9);
  EXPECT_TRUE(BitEqual(t.t(), t.t().contiguous()));
  EXPECT_TRUE(BitEqual(at::empty({0, 3}), at::empty({0, 3})));
}

TEST(NamedBitEqual, NamesOrderAndTensorsAreCompared) {
  const at::Tensor x = PatternTensor(at::kFloat, {2}, 1);
  const at::Tensor y = PatternTensor(at::kFloat, {2}, 2);
  std::string why;
  EXPECT_TRUE(NamedBitEqual({{"x", x}, {"y", y}}, {{"x", x.clone()}, {"y", y.clone()}}));
  EXPECT_FALSE(NamedBitEqual({{"x", x}, {"y", y}}, {{"y", y}, {"x", x}}, &why));
  EXPECT_EQ(why, "tensor 0: name \"y\", expected \"x\"");
  EXPECT_FALSE(NamedBitEqual({{"x", x}}, {{"x", y}}, &why));
  EXPECT_EQ(why, "tensor 0: x: bytes differ");
  EXPECT_FALSE(NamedBitEqual({{"x", x}}, {}, &why));
  EXPECT_EQ(why, "0 tensors, expected 1");
}

TEST(PatternTensor, SameSeedSameBitsOtherSeedOtherBits) {
  for (c10::ScalarType dtype : SavableDtypes()) {
    SCOPED_TRACE(c10::toString(dtype));
    EXPECT_TRUE(BitEqual(PatternTensor(dtype, {64}, 3), PatternTensor(dtype, {64}, 3)));
    EXPECT_FALSE(BitEqual(PatternTensor(dtype, {64}, 3), PatternTensor(dtype, {64}, 4)));
  }
}

}  // namespace
}  // namespace tsh::test
