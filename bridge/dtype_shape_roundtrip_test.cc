// Every dtype LibTorch 1.13 can save, in every shape class (0-d, empty, 1-d,
// 4-d), saved and loaded through the safe C++ API (bridge/tensor_io.h) in
// both modes, as one tensor and as named tensors: bit-exact values back.
#include <string>
#include <tuple>
#include <vector>

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include "bridge/cursor.h"
#include "bridge/tensor_io.h"
#include "testing/tensors.h"

namespace tsh {
namespace {

using test::BitEqual;
using test::NamedBitEqual;
using test::PatternTensor;
using Param = std::tuple<c10::ScalarType, Mode>;

const std::vector<std::vector<int64_t>> kShapes = {
    {}, {0}, {3, 0, 2}, {17}, {2, 3, 4, 5}};

std::string ShapeName(const std::vector<int64_t>& shape) {
  return c10::str(c10::IntArrayRef(shape));
}

class DtypeShapeRoundTrip : public ::testing::TestWithParam<Param> {
 protected:
  c10::ScalarType dtype() const { return std::get<0>(GetParam()); }
  Mode mode() const { return std::get<1>(GetParam()); }
};

TEST_P(DtypeShapeRoundTrip, OneTensorOfEachShapeIsBitExact) {
  uint64_t seed = 1;
  for (const auto& shape : kShapes) {
    SCOPED_TRACE(ShapeName(shape));
    at::Tensor t = PatternTensor(dtype(), shape, seed++);
    Cursor c;
    Status saved = SaveTensor(t, c, mode());
    ASSERT_TRUE(saved.ok()) << saved.error().ToString();
    c.set_position(0);
    Result<at::Tensor> got = LoadTensor(c, mode());
    ASSERT_TRUE(got.ok()) << got.error().ToString();
    std::string why;
    EXPECT_TRUE(BitEqual(t, got.value(), &why)) << why;
  }
}

TEST_P(DtypeShapeRoundTrip, NamedTensorsOfEveryShapeAreBitExact) {
  NamedTensors saved;
  uint64_t seed = 100;
  for (const auto& shape : kShapes) {
    saved.emplace_back("shape." + std::to_string(saved.size()) + ".t",
                       PatternTensor(dtype(), shape, seed++));
  }
  Cursor c;
  Status status = SaveNamedTensors(saved, c, mode());
  ASSERT_TRUE(status.ok()) << status.error().ToString();
  c.set_position(0);
  Result<NamedTensors> got = LoadNamedTensors(c, std::nullopt, mode());
  ASSERT_TRUE(got.ok()) << got.error().ToString();
  std::string why;
  EXPECT_TRUE(NamedBitEqual(saved, got.value(), &why)) << why;
}

std::string Name(const ::testing::TestParamInfo<Param>& info) {
  return std::string(c10::toString(std::get<0>(info.param))) +
         (std::get<1>(info.param) == Mode::kHardened ? "Hardened" : "Faithful");
}

INSTANTIATE_TEST_SUITE_P(AllSavableDtypes, DtypeShapeRoundTrip,
                         ::testing::Combine(::testing::ValuesIn(test::SavableDtypes()),
                                            ::testing::Values(Mode::kFaithful,
                                                              Mode::kHardened)),
                         Name);

}  // namespace
}  // namespace tsh
