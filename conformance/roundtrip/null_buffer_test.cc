// What a Rust stream would be handed (FINDINGS.md F21): saving a tensor
// with no elements, LibTorch gives its writer function (nullptr, 0), and
// tch-rs's write callback would make a Rust slice of that null pointer,
// which is undefined behaviour (a debug build of Rust >= 1.78 aborts the
// save). The harness stream counts every read or write it is handed with
// a null buffer (harness_stream.h); this test counts them for each save
// entry point and mode over the implementation under test.
//
// Faithful (tch-rs's at_* and the tsh_* faithful mode): the call reaches
// the stream, as under tch-rs; the count is recorded (property
// null_buffer_calls, in the harness report) and must be non-zero while
// LibTorch still makes the call. Hardened: never, an invariant: a
// zero-length write is not passed on, so no implementation of the seven is
// handed one. Every save must still round-trip.
#include <string>
#include <utility>
#include <vector>

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include "conformance/roundtrip/abi_round_trip.h"
#include "conformance/testing/isolated_case.h"
#include "libtorch_version.h"

namespace tsh::test {
namespace {

class NullBuffer : public ::testing::TestWithParam<tsh_mode> {
 protected:
  // Checks the count for this mode and records it.
  void Expect(int null_buffers) {
    ::testing::Test::RecordProperty("null_buffer_calls", null_buffers);
    if (GetParam() == TSH_HARDENED) {
      EXPECT_EQ(null_buffers, 0) << "the hardened side handed the stream a null buffer";
    } else {
      EXPECT_GT(null_buffers, 0) << "F21 no longer reproduces on LibTorch " << TSH_LIBTORCH_VERSION
                                 << ": update FINDINGS.md";
    }
  }
};

TEST_P(NullBuffer, SavingAnEmptyTensor) {
  TSH_ISOLATED_CASE();
  int null_buffers = -1;
  Result<std::vector<uint8_t>> archive = AbiSave(at::empty({0}), GetParam(), &null_buffers);
  ASSERT_TRUE(archive.ok()) << archive.error().ToString();
  Expect(null_buffers);
  Result<at::Tensor> back = AbiLoad(std::move(archive).value(), TSH_HARDENED);
  ASSERT_TRUE(back.ok()) << back.error().ToString();
  EXPECT_EQ(back.value().numel(), 0);
}

TEST_P(NullBuffer, SavingNamedTensorsWithAnEmptyOne) {
  TSH_ISOLATED_CASE();
  const AbiNamedTensors tensors = {{"empty", at::empty({0})}, {"full", at::arange(100)}};
  int null_buffers = -1;
  Result<std::vector<uint8_t>> archive = AbiSaveNamed(tensors, GetParam(), &null_buffers);
  ASSERT_TRUE(archive.ok()) << archive.error().ToString();
  Expect(null_buffers);
  Result<AbiNamedTensors> back = AbiLoadNamed(std::move(archive).value(), -1, TSH_HARDENED);
  ASSERT_TRUE(back.ok()) << back.error().ToString();
  ASSERT_EQ(back.value().size(), 2u);
  EXPECT_EQ(back.value()[0].second.numel(), 0);
  EXPECT_TRUE(back.value()[1].second.equal(tensors[1].second));
}

INSTANTIATE_TEST_SUITE_P(BothModes, NullBuffer, ::testing::Values(TSH_FAITHFUL, TSH_HARDENED),
                         [](const ::testing::TestParamInfo<tsh_mode>& info) {
                           return std::string(info.param == TSH_FAITHFUL ? "faithful" : "hardened");
                         });

}  // namespace
}  // namespace tsh::test
