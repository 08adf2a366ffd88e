// One 64 MiB float32 tensor saved and loaded through tch-rs's C entry points
// over the implementation under test, in both modes: bit-exact back. Large
// archives cross LibTorch's chunking and the stream's growth paths that
// small ones never reach.
#include <string>

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include "conformance/roundtrip/abi_round_trip.h"
#include "conformance/testing/isolated_case.h"
#include "testing/tensors.h"

namespace tsh::test {
namespace {

class LargeTensorRoundTrip : public ::testing::TestWithParam<tsh_mode> {};

TEST_P(LargeTensorRoundTrip, SixtyFourMebibyteFloatTensorIsBitExact) {
  TSH_ISOLATED_CASE();
  at::Tensor t = PatternTensor(at::kFloat, {4096, 4096}, 7);
  ASSERT_EQ(t.numel() * t.element_size(), int64_t{64} << 20);
  Result<std::vector<uint8_t>> archive = AbiSave(t, GetParam());
  ASSERT_TRUE(archive.ok()) << archive.error().ToString();
  EXPECT_GT(archive.value().size(), size_t{64} << 20);
  Result<at::Tensor> got = AbiLoad(std::move(archive).value(), GetParam());
  ASSERT_TRUE(got.ok()) << got.error().ToString();
  std::string why;
  EXPECT_TRUE(BitEqual(t, got.value(), &why)) << why;
}

INSTANTIATE_TEST_SUITE_P(BothModes, LargeTensorRoundTrip,
                         ::testing::Values(TSH_FAITHFUL, TSH_HARDENED),
                         [](const ::testing::TestParamInfo<tsh_mode>& info) {
                           return info.param == TSH_HARDENED ? "Hardened" : "Faithful";
                         });

}  // namespace
}  // namespace tsh::test
