// Seek semantics through the read callbacks of the implementation under
// test, over a 10-byte stream "0123456789": Rust's Cursor rules as tch-rs's
// LibTorch side relies on them (seek from start and end, past the end,
// refusal of a negative position, stream_position after reads and after a
// failed seek).
#include <cstdint>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "bridge/callbacks.h"
#include "bridge/fault_stream.h"
#include "conformance/callbacks/rig.h"
#include "conformance/testing/isolated_case.h"

namespace tsh::test {
namespace {

// Reads up to n bytes at the position as a string; "<fail>" on false.
std::string ReadUpTo(void* p, size_t n) {
  std::string buf(n, '\0');
  size_t got = 0;
  if (!tch_read_stream_read(p, reinterpret_cast<uint8_t*>(buf.data()), n, &got)) {
    return "<fail>";
  }
  return buf.substr(0, got);
}

uint64_t Position(void* p) {
  uint64_t pos = 0;
  EXPECT_TRUE(tch_read_stream_stream_position(p, &pos));
  return pos;
}

// The stream is made in the body, not the fixture: a fixture's members are
// built in the parent process, before the case moves to its child.
class Seek : public ::testing::Test {
 protected:
  Rig& r() {
    if (rig_ == nullptr) rig_ = std::make_unique<Rig>(Side::kRead, Digits(10));
    return *rig_;
  }

 private:
  std::unique_ptr<Rig> rig_;
};

TEST_F(Seek, FromStartThenRead) {
  TSH_ISOLATED_CASE();
  uint64_t pos = 0;
  ASSERT_TRUE(tch_read_stream_seek_start(r().ptr(), 6, &pos));
  EXPECT_EQ(pos, 6u);
  EXPECT_EQ(ReadUpTo(r().ptr(), 3), "678");
  EXPECT_EQ(Position(r().ptr()), 9u);
}

TEST_F(Seek, FromEndNegativeThenRead) {
  TSH_ISOLATED_CASE();
  uint64_t pos = 0;
  ASSERT_TRUE(tch_read_stream_seek_end(r().ptr(), -3, &pos));
  EXPECT_EQ(pos, 7u);
  EXPECT_EQ(ReadUpTo(r().ptr(), 8), "789");
}

TEST_F(Seek, FromEndZeroIsTheSizeAndReadsNothing) {
  TSH_ISOLATED_CASE();
  uint64_t pos = 0;
  ASSERT_TRUE(tch_read_stream_seek_end(r().ptr(), 0, &pos));
  EXPECT_EQ(pos, 10u);
  EXPECT_EQ(ReadUpTo(r().ptr(), 4), "");
  EXPECT_EQ(Position(r().ptr()), 10u);
}

TEST_F(Seek, FromEndPositiveGoesPastTheEnd) {
  TSH_ISOLATED_CASE();
  uint64_t pos = 0;
  ASSERT_TRUE(tch_read_stream_seek_end(r().ptr(), 5, &pos));
  EXPECT_EQ(pos, 15u);
  EXPECT_EQ(ReadUpTo(r().ptr(), 4), "");
  EXPECT_EQ(Position(r().ptr()), 15u);
}

TEST_F(Seek, FromStartPastTheEndReadsZero) {
  TSH_ISOLATED_CASE();
  uint64_t pos = 0;
  ASSERT_TRUE(tch_read_stream_seek_start(r().ptr(), 100, &pos));
  EXPECT_EQ(pos, 100u);
  EXPECT_EQ(ReadUpTo(r().ptr(), 4), "");
  EXPECT_EQ(Position(r().ptr()), 100u);
  // And back again: the stream still reads.
  ASSERT_TRUE(tch_read_stream_seek_start(r().ptr(), 1, &pos));
  EXPECT_EQ(ReadUpTo(r().ptr(), 2), "12");
}

TEST_F(Seek, ToANegativePositionFailsAndKeepsThePosition) {
  TSH_ISOLATED_CASE();
  uint64_t pos = 0;
  ASSERT_TRUE(tch_read_stream_seek_start(r().ptr(), 4, &pos));
  pos = 12345;
  EXPECT_FALSE(tch_read_stream_seek_end(r().ptr(), -11, &pos));
  EXPECT_EQ(pos, 12345u);
  EXPECT_EQ(Position(r().ptr()), 4u);
  EXPECT_EQ(ReadUpTo(r().ptr(), 2), "45");
}

TEST_F(Seek, StreamPositionFollowsReads) {
  TSH_ISOLATED_CASE();
  EXPECT_EQ(Position(r().ptr()), 0u);
  EXPECT_EQ(ReadUpTo(r().ptr(), 3), "012");
  EXPECT_EQ(Position(r().ptr()), 3u);
  EXPECT_EQ(ReadUpTo(r().ptr(), 4), "3456");
  EXPECT_EQ(Position(r().ptr()), 7u);
  EXPECT_EQ(ReadUpTo(r().ptr(), 9), "789");
  EXPECT_EQ(Position(r().ptr()), 10u);
}

TEST(SeekWithFaults, StreamPositionUnchangedByAFailedSeek) {
  TSH_ISOLATED_CASE();
  Rig r(Side::kRead, Digits(10), FaultPlan().At(Op::kSeek, 1, Fault::Err(ErrorKind::kOther)));
  uint64_t pos = 0;
  ASSERT_TRUE(tch_read_stream_seek_start(r.ptr(), 5, &pos));
  EXPECT_FALSE(tch_read_stream_seek_start(r.ptr(), 2, &pos));
  EXPECT_EQ(pos, 5u);
  EXPECT_EQ(Position(r.ptr()), 5u);
  EXPECT_EQ(ReadUpTo(r.ptr(), 1), "5");
}

TEST(SeekWithFaults, ShortReadAdvancesOnlyByItsCount) {
  TSH_ISOLATED_CASE();
  Rig r(Side::kRead, Digits(10), FaultPlan().At(Op::kRead, 0, Fault::Limit(2)));
  EXPECT_EQ(ReadUpTo(r.ptr(), 6), "01");
  EXPECT_EQ(Position(r.ptr()), 2u);
}

}  // namespace
}  // namespace tsh::test
