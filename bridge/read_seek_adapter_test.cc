#include "bridge/read_seek_adapter.h"

#include <cstdint>
#include <memory>
#include <vector>

#include <gtest/gtest.h>

#include "bridge/buf_reader.h"
#include "bridge/cursor.h"
#include "bridge/fault_stream.h"

namespace tsh {
namespace {

std::vector<uint8_t> Digits(size_t n) {
  std::vector<uint8_t> d(n);
  for (size_t i = 0; i < n; ++i) d[i] = static_cast<uint8_t>('0' + i % 10);
  return d;
}

// An adapter over a counting FaultStream over a Cursor of 100 digits.
struct Counted {
  Counted() {
    auto f = std::make_unique<FaultStream>(
        std::unique_ptr<ReadStream>(std::make_unique<Cursor>(Digits(100))), FaultPlan());
    faults = f.get();
    adapter = std::make_unique<ReadSeekAdapter>(std::move(f));
  }
  FaultStream* faults;
  std::unique_ptr<ReadSeekAdapter> adapter;
};

TEST(ReadSeekAdapter, StreamPositionReachesTheStreamAsSeekCurrentZero) {
  Counted c;
  uint8_t b[7];
  ASSERT_EQ(c.adapter->read(b, 7).value(), 7u);
  EXPECT_EQ(c.adapter->stream_position().value(), 7u);
  EXPECT_EQ(c.faults->calls(Op::kPosition), 0u);
  EXPECT_EQ(c.faults->calls(Op::kSeek), 1u);
}

TEST(ReadSeekAdapter, ReadAndSeekAreForwardedWithTheirResults) {
  Counted c;
  EXPECT_EQ(c.adapter->seek(SeekFrom::End(-3)).value(), 97u);
  uint8_t b[8];
  EXPECT_EQ(c.adapter->read(b, 8).value(), 3u);
  EXPECT_EQ(b[0], '7');
  EXPECT_EQ(c.adapter->seek(SeekFrom::Current(-200)).error().kind(), ErrorKind::kInvalidInput);
  EXPECT_EQ(c.faults->calls(Op::kRead), 1u);
  EXPECT_EQ(c.faults->calls(Op::kSeek), 2u);
}

TEST(ReadSeekAdapter, AskingABufReaderItsPositionThrowsItsBufferAway) {
  // What a tch-rs user's BufReader goes through: the position query is a
  // seek, and the next read refills the buffer from the inner stream.
  auto f = std::make_unique<FaultStream>(
      std::unique_ptr<ReadStream>(std::make_unique<Cursor>(Digits(100))), FaultPlan());
  FaultStream* faults = f.get();
  ReadSeekAdapter adapter(std::make_unique<BufReader>(std::move(f), 16));
  uint8_t b[4];
  ASSERT_EQ(adapter.read(b, 4).value(), 4u);
  EXPECT_EQ(adapter.stream_position().value(), 4u);
  ASSERT_EQ(adapter.read(b, 4).value(), 4u);
  EXPECT_EQ(b[0], '4');
  EXPECT_EQ(faults->calls(Op::kRead), 2u);  // A BufReader on its own: 1.
  EXPECT_EQ(faults->calls(Op::kPosition), 0u);
}

}  // namespace
}  // namespace tsh
