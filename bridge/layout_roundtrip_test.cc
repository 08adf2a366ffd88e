// What a round trip through the safe C++ API (bridge/tensor_io.h) does to
// what is not a tensor's values: non-contiguous views, storage shared between
// saved tensors, requires_grad, many dotted names, and device mapping. Each
// mode is its own case. Values must be bit-exact; the rest is pinned as
// LibTorch 1.13 behaves, with the reason beside each expectation.
#include <string>
#include <vector>

#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <torch/cuda.h>

#include "bridge/cursor.h"
#include "bridge/tensor_io.h"
#include "testing/tensors.h"

namespace tsh {
namespace {

using test::BitEqual;
using test::NamedBitEqual;
using test::PatternTensor;

class LayoutRoundTrip : public ::testing::TestWithParam<Mode> {
 protected:
  Result<at::Tensor> RoundTrip(const at::Tensor& t) {
    Cursor c;
    Status saved = SaveTensor(t, c, GetParam());
    if (!saved.ok()) return saved.error();
    c.set_position(0);
    return LoadTensor(c, GetParam());
  }

  Result<NamedTensors> RoundTripNamed(const NamedTensors& tensors,
                                      std::optional<int> device_id = std::nullopt) {
    Cursor c;
    Status saved = SaveNamedTensors(tensors, c, GetParam());
    if (!saved.ok()) return saved.error();
    c.set_position(0);
    return LoadNamedTensors(c, device_id, GetParam());
  }
};

TEST_P(LayoutRoundTrip, NonContiguousViewsLoadWithTheirValues) {
  at::Tensor base = PatternTensor(at::kDouble, {6, 8});
  const std::vector<std::pair<const char*, at::Tensor>> views = {
      {"transposed", base.t()},
      {"sliced", base.narrow(0, 2, 3)},
      {"strided", base.slice(1, 1, 8, 3)},
      {"expanded", PatternTensor(at::kDouble, {1, 5}).expand({4, 5})},
  };
  for (const auto& [what, view] : views) {
    SCOPED_TRACE(what);
    ASSERT_FALSE(view.is_contiguous() && view.storage_offset() == 0 &&
                 static_cast<size_t>(view.numel() * view.element_size()) ==
                     view.storage().nbytes())
        << "not a view that differs from its storage";
    Result<at::Tensor> got = RoundTrip(view);
    ASSERT_TRUE(got.ok()) << got.error().ToString();
    std::string why;
    EXPECT_TRUE(BitEqual(view, got.value(), &why)) << why;
    // Observed: LibTorch writes the view's whole storage with its offset and
    // strides, and the load rebuilds the same view over a copy of it.
    EXPECT_EQ(got.value().strides(), view.strides());
    EXPECT_EQ(got.value().storage_offset(), view.storage_offset());
    EXPECT_EQ(got.value().storage().nbytes(), view.storage().nbytes());
  }
}

TEST_P(LayoutRoundTrip, SavingASliceWritesItsWholeStorage) {
  at::Tensor big = PatternTensor(at::kFloat, {1 << 18});  // 1 MiB.
  Cursor c;
  ASSERT_TRUE(SaveTensor(big.narrow(0, 7, 1), c, GetParam()).ok());
  // One float saved costs more than the 1 MiB storage it is a view of.
  EXPECT_GT(c.data().size(), size_t{1} << 20);
}

TEST_P(LayoutRoundTrip, ViewsOfOneStorageLoadExactAndStillShareIt) {
  at::Tensor base = PatternTensor(at::kFloat, {4, 6});
  NamedTensors saved = {{"rows.top", base.narrow(0, 0, 2)},
                        {"cols.t", base.t()},
                        {"rows.again", base.narrow(0, 0, 2)}};
  Result<NamedTensors> got = RoundTripNamed(saved);
  ASSERT_TRUE(got.ok()) << got.error().ToString();
  std::string why;
  EXPECT_TRUE(NamedBitEqual(saved, got.value(), &why)) << why;
  // Observed: TorchScript's pickler writes each storage once, so the loaded
  // tensors are views of one new storage, as the saved ones were of `base`.
  const at::Tensor& top = got.value()[0].second;
  const at::Tensor& cols = got.value()[1].second;
  EXPECT_TRUE(top.storage().is_alias_of(cols.storage()));
  EXPECT_TRUE(top.storage().is_alias_of(got.value()[2].second.storage()));
  EXPECT_NE(top.data_ptr(), base.data_ptr());
  // A write through one is seen through the other, as before the save.
  top.select(0, 1).select(0, 0).fill_(42.0f);
  EXPECT_EQ(cols.select(0, 0).select(0, 1).item<float>(), 42.0f);  // base[1][0].
}

TEST_P(LayoutRoundTrip, RequiresGradComesBackAsSaved) {
  at::Tensor t = PatternTensor(at::kFloat, {3, 4}).set_requires_grad(true);
  Result<at::Tensor> one = RoundTrip(t);
  ASSERT_TRUE(one.ok()) << one.error().ToString();
  std::string why;
  EXPECT_TRUE(BitEqual(t, one.value(), &why)) << why;
  // Observed: the flag is part of the archive (the pickler stores it with
  // the tensor); the NoGradGuard around torch::load does not clear it.
  EXPECT_TRUE(one.value().requires_grad());

  NamedTensors saved = {{"with.grad", t},
                        {"without.grad", PatternTensor(at::kFloat, {2}, 2)}};
  Result<NamedTensors> named = RoundTripNamed(saved);
  ASSERT_TRUE(named.ok()) << named.error().ToString();
  ASSERT_EQ(named.value().size(), 2u);
  EXPECT_TRUE(BitEqual(t, named.value()[0].second, &why)) << why;
  EXPECT_TRUE(named.value()[0].second.requires_grad());
  EXPECT_FALSE(named.value()[1].second.requires_grad());
}

TEST_P(LayoutRoundTrip, TwoHundredDottedNamesKeepNamesOrderAndValues) {
  const std::vector<c10::ScalarType> dtypes = test::SavableDtypes();
  NamedTensors saved;
  for (int i = 0; i < 200; ++i) {
    saved.emplace_back("model.layers." + std::to_string(i) + ".block.w",
                       PatternTensor(dtypes[i % dtypes.size()], {i % 5, 3}, i));
  }
  Result<NamedTensors> got = RoundTripNamed(saved);
  ASSERT_TRUE(got.ok()) << got.error().ToString();
  std::string why;
  EXPECT_TRUE(NamedBitEqual(saved, got.value(), &why)) << why;
}

TEST_P(LayoutRoundTrip, DeviceMinusOneLoadsOnCpu) {
  NamedTensors saved = {{"a.b", PatternTensor(at::kHalf, {5, 2})},
                        {"c", PatternTensor(at::kLong, {})}};
  Result<NamedTensors> got = RoundTripNamed(saved, -1);
  ASSERT_TRUE(got.ok()) << got.error().ToString();
  ASSERT_EQ(got.value().size(), saved.size());
  for (size_t i = 0; i < saved.size(); ++i) {
    EXPECT_TRUE(got.value()[i].second.device().is_cpu());
    std::string why;
    EXPECT_TRUE(BitEqual(saved[i].second, got.value()[i].second, &why)) << why;
  }
}

TEST_P(LayoutRoundTrip, DeviceZeroLoadsOnCuda) {
  if (!torch::cuda::is_available()) {
    GTEST_SKIP() << "no CUDA device (this LibTorch build or machine has none): "
                    "mapping to device 0 is not exercised";
  }
  NamedTensors saved = {{"a.b", PatternTensor(at::kFloat, {5, 2})}};
  Result<NamedTensors> got = RoundTripNamed(saved, 0);
  ASSERT_TRUE(got.ok()) << got.error().ToString();
  ASSERT_EQ(got.value().size(), 1u);
  EXPECT_TRUE(got.value()[0].second.device().is_cuda());
  EXPECT_EQ(got.value()[0].second.device().index(), 0);
  std::string why;
  EXPECT_TRUE(BitEqual(saved[0].second, got.value()[0].second, &why)) << why;
}

INSTANTIATE_TEST_SUITE_P(BothModes, LayoutRoundTrip,
                         ::testing::Values(Mode::kFaithful, Mode::kHardened),
                         [](const ::testing::TestParamInfo<Mode>& info) {
                           return info.param == Mode::kHardened ? "Hardened"
                                                                : "Faithful";
                         });

}  // namespace
}  // namespace tsh
