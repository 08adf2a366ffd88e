// Every dtype LibTorch 1.13 can save, in every shape class (0-d, empty, 1-d,
// 4-d), saved and loaded through tch-rs's C entry points over the
// implementation under test (--//conformance/impl:impl), in both modes, as
// one tensor and as named tensors mapped to the CPU (device_id -1):
// bit-exact values back, each stream dropped exactly once.
#include <string>
#include <tuple>
#include <vector>

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include "conformance/roundtrip/abi_round_trip.h"
#include "conformance/testing/isolated_case.h"
#include "testing/tensors.h"

namespace tsh::test {
namespace {

using Param = std::tuple<c10::ScalarType, tsh_mode>;

const std::vector<std::vector<int64_t>> kShapes = {
    {}, {0}, {3, 0, 2}, {17}, {2, 3, 4, 5}};

class AbiDtypeShapeRoundTrip : public ::testing::TestWithParam<Param> {
 protected:
  c10::ScalarType dtype() const { return std::get<0>(GetParam()); }
  tsh_mode mode() const { return std::get<1>(GetParam()); }
};

TEST_P(AbiDtypeShapeRoundTrip, OneTensorOfEachShapeIsBitExact) {
  TSH_ISOLATED_CASE();
  uint64_t seed = 1;
  for (const auto& shape : kShapes) {
    SCOPED_TRACE(c10::str(c10::IntArrayRef(shape)));
    at::Tensor t = PatternTensor(dtype(), shape, seed++);
    Result<std::vector<uint8_t>> archive = AbiSave(t, mode());
    ASSERT_TRUE(archive.ok()) << archive.error().ToString();
    Result<at::Tensor> got = AbiLoad(std::move(archive).value(), mode());
    ASSERT_TRUE(got.ok()) << got.error().ToString();
    std::string why;
    EXPECT_TRUE(BitEqual(t, got.value(), &why)) << why;
  }
}

TEST_P(AbiDtypeShapeRoundTrip, NamedTensorsMappedToCpuAreBitExact) {
  TSH_ISOLATED_CASE();
  AbiNamedTensors saved;
  uint64_t seed = 100;
  for (const auto& shape : kShapes) {
    saved.emplace_back("shape." + std::to_string(saved.size()) + ".t",
                       PatternTensor(dtype(), shape, seed++));
  }
  Result<std::vector<uint8_t>> archive = AbiSaveNamed(saved, mode());
  ASSERT_TRUE(archive.ok()) << archive.error().ToString();
  Result<AbiNamedTensors> got = AbiLoadNamed(std::move(archive).value(), -1, mode());
  ASSERT_TRUE(got.ok()) << got.error().ToString();
  ASSERT_EQ(got.value().size(), saved.size());
  for (size_t i = 0; i < saved.size(); ++i) {
    // The C entry points report names as stored: tch-rs's `.` -> `|`.
    EXPECT_EQ(got.value()[i].first, "shape|" + std::to_string(i) + "|t");
    EXPECT_TRUE(got.value()[i].second.device().is_cpu());
    std::string why;
    EXPECT_TRUE(BitEqual(saved[i].second, got.value()[i].second, &why))
        << saved[i].first << ": " << why;
  }
}

std::string Name(const ::testing::TestParamInfo<Param>& info) {
  return std::string(c10::toString(std::get<0>(info.param))) +
         (std::get<1>(info.param) == TSH_HARDENED ? "Hardened" : "Faithful");
}

INSTANTIATE_TEST_SUITE_P(AllSavableDtypes, AbiDtypeShapeRoundTrip,
                         ::testing::Combine(::testing::ValuesIn(SavableDtypes()),
                                            ::testing::Values(TSH_FAITHFUL,
                                                              TSH_HARDENED)),
                         Name);

}  // namespace
}  // namespace tsh::test
