// Archives that do not start at byte 0 of their stream: after a header, one
// after another in one file, followed by other bytes. A save writes the
// archive from the stream's position on (nothing seeks) and leaves what is
// before it alone, in both modes. A hardened load reads the archive that
// starts at the stream's position and leaves the stream right after it
// (hardened_read_adapter.h); a faithful one does what tch-rs does, seek to
// absolute positions and take the stream's end as the archive's, and finds
// no archive there: pinned below.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include "bridge/cursor.h"
#include "bridge/file_stream.h"
#include "bridge/tensor_io.h"
#include "testing/temp_files.h"
#include "testing/tensors.h"

namespace tsh {
namespace {

using test::BitEqual;
using test::NamedBitEqual;
using test::PatternTensor;

const std::string kHeader = "MYCHECKPOINT v1\n(any bytes an application puts first)\n";

void WriteHeader(Write& out) {
  ASSERT_TRUE(WriteAll(out, reinterpret_cast<const uint8_t*>(kHeader.data()), kHeader.size()).ok());
}

at::Tensor Tensor(int i) { return PatternTensor(at::kFloat, {3, 5 + i}, /*seed=*/i); }

NamedTensors Named(int i) {
  return {{"layer.weight", Tensor(i)}, {"layer.bias", PatternTensor(at::kDouble, {4}, i + 100)}};
}

TEST(ArchiveOffset, SaveAfterAHeaderLeavesItIntactInBothModes) {
  for (Mode mode : {Mode::kFaithful, Mode::kHardened}) {
    Cursor c;
    WriteHeader(c);
    ASSERT_TRUE(SaveTensor(Tensor(0), c, mode).ok());
    const std::vector<uint8_t>& bytes = c.data();
    EXPECT_EQ(std::string(bytes.begin(), bytes.begin() + kHeader.size()), kHeader);
    // The archive after the header is the one a save at byte 0 writes.
    Cursor alone;
    ASSERT_TRUE(SaveTensor(Tensor(0), alone, mode).ok());
    EXPECT_EQ(std::vector<uint8_t>(bytes.begin() + kHeader.size(), bytes.end()), alone.data());
  }
}

TEST(ArchiveOffset, HardenedLoadReadsTheArchiveAfterAHeaderAndLeavesTheStreamAfterIt) {
  Cursor c;
  WriteHeader(c);
  ASSERT_TRUE(SaveTensor(Tensor(0), c, Mode::kHardened).ok());
  const uint64_t end = c.data().size();
  c.set_position(kHeader.size());
  Result<at::Tensor> back = LoadTensor(c, Mode::kHardened);
  ASSERT_TRUE(back.ok()) << back.error().ToString();
  EXPECT_TRUE(BitEqual(Tensor(0), back.value()));
  EXPECT_EQ(c.position(), end);
}

TEST(ArchiveOffset, FaithfulLoadAfterAHeaderFindsNoArchiveAsTchRs) {
  // Pinned: tch-rs's adapter seeks to absolute positions, so LibTorch reads
  // the header where the archive should begin; the stream's end is the
  // archive's end, so the directory LibTorch finds points before it.
  Cursor c;
  WriteHeader(c);
  ASSERT_TRUE(SaveTensor(Tensor(0), c, Mode::kFaithful).ok());
  c.set_position(kHeader.size());
  Result<at::Tensor> back = LoadTensor(c, Mode::kFaithful);
  ASSERT_FALSE(back.ok());
  EXPECT_EQ(back.error().kind(), ErrorKind::kInvalidData) << back.error().ToString();
}

TEST(ArchiveOffset, TrailingBytesAfterAnArchiveAreLeftUnread) {
  Cursor c;
  ASSERT_TRUE(SaveNamedTensors(Named(0), c, Mode::kHardened).ok());
  const uint64_t end = c.data().size();
  WriteHeader(c);  // Anything after the archive: the next record of a file.
  c.set_position(0);
  Result<NamedTensors> back = LoadNamedTensors(c, std::nullopt, Mode::kHardened);
  ASSERT_TRUE(back.ok()) << back.error().ToString();
  EXPECT_TRUE(NamedBitEqual(Named(0), back.value()));
  EXPECT_EQ(c.position(), end);
}

// A file with a header, then N archives in a row, each loaded in turn.
TEST(ArchiveOffset, ArchivesInARowInOneFileLoadOneAfterAnother) {
  const std::string path = test::TempPath("archives_in_a_row.bin");
  constexpr int kArchives = 4;
  {
    auto file = FileStream::Create(path);
    ASSERT_TRUE(file.ok()) << file.error().ToString();
    WriteHeader(*file.value());
    for (int i = 0; i < kArchives; ++i) {
      Status saved = i % 2 == 0 ? SaveTensor(Tensor(i), *file.value(), Mode::kHardened)
                                : SaveNamedTensors(Named(i), *file.value(), Mode::kHardened);
      ASSERT_TRUE(saved.ok()) << saved.error().ToString();
    }
  }
  auto file = FileStream::Open(path);
  ASSERT_TRUE(file.ok()) << file.error().ToString();
  ASSERT_EQ(file.value()->seek(SeekFrom::Start(kHeader.size())).value(), kHeader.size());
  for (int i = 0; i < kArchives; ++i) {
    SCOPED_TRACE("archive " + std::to_string(i));
    if (i % 2 == 0) {
      Result<at::Tensor> back = LoadTensor(*file.value(), Mode::kHardened);
      ASSERT_TRUE(back.ok()) << back.error().ToString();
      EXPECT_TRUE(BitEqual(Tensor(i), back.value()));
    } else {
      Result<NamedTensors> back = LoadNamedTensors(*file.value(), std::nullopt, Mode::kHardened);
      ASSERT_TRUE(back.ok()) << back.error().ToString();
      EXPECT_TRUE(NamedBitEqual(Named(i), back.value()));
    }
  }
  const uint64_t at = file.value()->stream_position().value();
  EXPECT_EQ(file.value()->seek(SeekFrom::End(0)).value(), at) << "not all archives were read";
}

}  // namespace
}  // namespace tsh
