// The layout cases of layout_roundtrip_test.cc (views, shared storage,
// requires_grad, many dotted names, device mapping) through tch-rs's C entry
// points over the implementation under test (--//conformance/impl:impl), in
// both modes: values bit-exact, the rest as LibTorch 1.13 gives it.
#include <string>
#include <vector>

#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <torch/cuda.h>

#include "conformance/roundtrip/abi_round_trip.h"
#include "conformance/testing/isolated_case.h"
#include "testing/tensors.h"

namespace tsh::test {
namespace {

class AbiLayoutRoundTrip : public ::testing::TestWithParam<tsh_mode> {
 protected:
  Result<at::Tensor> RoundTrip(const at::Tensor& t) {
    Result<std::vector<uint8_t>> archive = AbiSave(t, GetParam());
    if (!archive.ok()) return archive.error();
    return AbiLoad(std::move(archive).value(), GetParam());
  }

  Result<AbiNamedTensors> RoundTripNamed(const AbiNamedTensors& tensors,
                                         std::optional<int> device_id = std::nullopt) {
    Result<std::vector<uint8_t>> archive = AbiSaveNamed(tensors, GetParam());
    if (!archive.ok()) return archive.error();
    return AbiLoadNamed(std::move(archive).value(), device_id, GetParam());
  }
};

std::string Stored(std::string name) {
  for (char& c : name) {
    if (c == '.') c = '|';
  }
  return name;
}

TEST_P(AbiLayoutRoundTrip, NonContiguousViewsLoadWithTheirValues) {
  TSH_ISOLATED_CASE();
  at::Tensor base = PatternTensor(at::kComplexFloat, {6, 8});
  const std::vector<std::pair<const char*, at::Tensor>> views = {
      {"transposed", base.t()},
      {"sliced", base.narrow(0, 2, 3)},
      {"strided", base.slice(1, 1, 8, 3)},
      {"expanded", PatternTensor(at::kComplexFloat, {1, 5}).expand({4, 5})},
  };
  for (const auto& [what, view] : views) {
    SCOPED_TRACE(what);
    Result<at::Tensor> got = RoundTrip(view);
    ASSERT_TRUE(got.ok()) << got.error().ToString();
    std::string why;
    EXPECT_TRUE(BitEqual(view, got.value(), &why)) << why;
    EXPECT_EQ(got.value().strides(), view.strides());
  }
}

TEST_P(AbiLayoutRoundTrip, ViewsOfOneStorageLoadExactAndStillShareIt) {
  TSH_ISOLATED_CASE();
  at::Tensor base = PatternTensor(at::kInt, {4, 6});
  AbiNamedTensors saved = {{"rows.top", base.narrow(0, 0, 2)}, {"cols.t", base.t()}};
  Result<AbiNamedTensors> got = RoundTripNamed(saved);
  ASSERT_TRUE(got.ok()) << got.error().ToString();
  ASSERT_EQ(got.value().size(), saved.size());
  for (size_t i = 0; i < saved.size(); ++i) {
    EXPECT_EQ(got.value()[i].first, Stored(saved[i].first));
    std::string why;
    EXPECT_TRUE(BitEqual(saved[i].second, got.value()[i].second, &why)) << why;
  }
  // Observed: one storage written once, loaded once, shared again.
  EXPECT_TRUE(got.value()[0].second.storage().is_alias_of(got.value()[1].second.storage()));
}

TEST_P(AbiLayoutRoundTrip, RequiresGradComesBackAsSaved) {
  TSH_ISOLATED_CASE();
  at::Tensor t = PatternTensor(at::kDouble, {3}).set_requires_grad(true);
  Result<at::Tensor> one = RoundTrip(t);
  ASSERT_TRUE(one.ok()) << one.error().ToString();
  std::string why;
  EXPECT_TRUE(BitEqual(t, one.value(), &why)) << why;
  // Observed: the archive keeps the flag; NoGradGuard at load does not clear it.
  EXPECT_TRUE(one.value().requires_grad());
  Result<AbiNamedTensors> named = RoundTripNamed({{"w.grad", t}});
  ASSERT_TRUE(named.ok()) << named.error().ToString();
  ASSERT_EQ(named.value().size(), 1u);
  EXPECT_TRUE(named.value()[0].second.requires_grad());
}

TEST_P(AbiLayoutRoundTrip, TwoHundredDottedNamesKeepNamesOrderAndValues) {
  TSH_ISOLATED_CASE();
  const std::vector<c10::ScalarType> dtypes = SavableDtypes();
  AbiNamedTensors saved;
  for (int i = 0; i < 200; ++i) {
    saved.emplace_back("model.layers." + std::to_string(i) + ".block.w",
                       PatternTensor(dtypes[i % dtypes.size()], {i % 5, 3}, i));
  }
  Result<AbiNamedTensors> got = RoundTripNamed(saved, -1);
  ASSERT_TRUE(got.ok()) << got.error().ToString();
  ASSERT_EQ(got.value().size(), saved.size());
  for (size_t i = 0; i < saved.size(); ++i) {
    EXPECT_EQ(got.value()[i].first, Stored(saved[i].first));
    EXPECT_TRUE(got.value()[i].second.device().is_cpu());
    std::string why;
    EXPECT_TRUE(BitEqual(saved[i].second, got.value()[i].second, &why))
        << saved[i].first << ": " << why;
  }
}

// Device id 0 is cuda:0: the tensors load there, and where there is no
// CUDA device the load fails (it never falls back to the CPU).
TEST_P(AbiLayoutRoundTrip, DeviceZeroIsCudaZero) {
  TSH_ISOLATED_CASE();
  AbiNamedTensors saved = {{"a.b", PatternTensor(at::kFloat, {5, 2})}};
  Result<AbiNamedTensors> got = RoundTripNamed(saved, 0);
  if (!torch::cuda::is_available()) {
    EXPECT_FALSE(got.ok()) << "mapped to device 0 without a CUDA device: loaded elsewhere";
    return;
  }
  ASSERT_TRUE(got.ok()) << got.error().ToString();
  ASSERT_EQ(got.value().size(), 1u);
  EXPECT_TRUE(got.value()[0].second.device().is_cuda());
  std::string why;
  EXPECT_TRUE(BitEqual(saved[0].second, got.value()[0].second, &why)) << why;
}

INSTANTIATE_TEST_SUITE_P(BothModes, AbiLayoutRoundTrip,
                         ::testing::Values(TSH_FAITHFUL, TSH_HARDENED),
                         [](const ::testing::TestParamInfo<tsh_mode>& info) {
                           return info.param == TSH_HARDENED ? "Hardened" : "Faithful";
                         });

}  // namespace
}  // namespace tsh::test
