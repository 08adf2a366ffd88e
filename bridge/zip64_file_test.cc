// An archive past 4 GiB through a plain file: three named tensors of
// 1.5 GiB each, 4.5 GiB in all, so the zip needs its ZIP64 records (offsets
// and the directory past 4 GiB) while no single record reaches the
// kernel's 2 GiB per-call limit (large_file_test.cc covers that one). The
// hardened bridge round-trips it value for value, its zip check reading the
// ZIP64 records of a real archive; the faithful outcome is pinned.
//
// Needs about 5 GiB of memory (the tensors are made for the save and freed
// before the load) and 4.6 GB of disk under the test's temp folder: tagged
// "large" and "exclusive" (bridge/BUILD).
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include "bridge/file_stream.h"
#include "bridge/tensor_io.h"
#include "testing/temp_files.h"

namespace tsh {
namespace {

using test::FileSize;
using test::TempPath;

// 1.5 GiB of float32 per tensor.
constexpr int64_t kFloats = int64_t{3} << 27;
constexpr int kTensors = 3;
constexpr uint64_t k4GiB = uint64_t{1} << 32;

std::string Name(int i) { return "block." + std::to_string(i); }
float Value(int i) { return 1.0f + static_cast<float>(i); }

NamedTensors Tensors() {
  NamedTensors named;
  for (int i = 0; i < kTensors; ++i) {
    named.emplace_back(Name(i), at::full({kFloats}, Value(i), at::kFloat));
  }
  return named;
}

class Zip64FileTest : public ::testing::TestWithParam<Mode> {};

// Hardened: the invariant. Faithful: pinned, and measured to round-trip
// too on 1.13 and 2.11 (no record is past the per-call limit).
TEST_P(Zip64FileTest, FourAndAHalfGibibytesRoundTrip) {
  const std::string path = TempPath("zip64.pt");
  {
    const NamedTensors tensors = Tensors();
    auto file = FileStream::Create(path);
    ASSERT_TRUE(file.ok()) << file.error().ToString();
    Status s = SaveNamedTensors(tensors, *file.value(), GetParam());
    ASSERT_TRUE(s.ok()) << s.error().ToString();
  }
  const uint64_t size = FileSize(path);
  EXPECT_GT(size, k4GiB);
  RecordProperty("archive_bytes", std::to_string(size));
  auto file = FileStream::Open(path);
  ASSERT_TRUE(file.ok()) << file.error().ToString();
  Result<NamedTensors> back = LoadNamedTensors(*file.value(), std::nullopt, GetParam());
  ::unlink(path.c_str());
  ASSERT_TRUE(back.ok()) << back.error().ToString();
  ASSERT_EQ(back.value().size(), static_cast<size_t>(kTensors));
  for (int i = 0; i < kTensors; ++i) {
    const auto& [name, t] = back.value()[i];
    EXPECT_EQ(name, Name(i));
    EXPECT_EQ(t.scalar_type(), at::kFloat);
    EXPECT_EQ(t.numel(), kFloats);
    EXPECT_TRUE(t.eq(Value(i)).all().item<bool>()) << name << " is not all " << Value(i);
  }
}

INSTANTIATE_TEST_SUITE_P(BothModes, Zip64FileTest,
                         ::testing::Values(Mode::kHardened, Mode::kFaithful),
                         [](const ::testing::TestParamInfo<Mode>& info) {
                           return std::string(info.param == Mode::kHardened ? "Hardened"
                                                                            : "Faithful");
                         });

}  // namespace
}  // namespace tsh
