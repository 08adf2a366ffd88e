// The contract group: tch-rs's seven callbacks of the implementation under
// test, one at a time, through the C ABI only: results and out-values on
// success, every error kind, zero-length and huge sizes, extreme seek
// offsets, short counts, and the drop of the harness stream. Nothing here
// passes a null pointer or needs an extension (extras_test.cc tests those,
// where declared). Every case runs in a child process of its own.
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "bridge/callbacks.h"
#include "bridge/fault_stream.h"
#include "conformance/callbacks/rig.h"
#include "conformance/impl/impl_abi.h"
#include "conformance/testing/isolated_case.h"

namespace tsh::test {
namespace {

constexpr size_t kSizeSentinel = 0x5EE5EE5u;
constexpr uint64_t kPosSentinel = 0xDEADBEEFCAFEull;
constexpr int64_t kI64Min = std::numeric_limits<int64_t>::min();
constexpr int64_t kI64Max = std::numeric_limits<int64_t>::max();
constexpr uint64_t kU64Max = std::numeric_limits<uint64_t>::max();
constexpr size_t kSizeMax = std::numeric_limits<size_t>::max();

// --- Factories and destructors -------------------------------------------

TEST(Factories, MakeNoHarnessCall) {
  TSH_ISOLATED_CASE();
  Rig w(Side::kWrite);
  Rig r(Side::kRead, Digits(4));
  EXPECT_NE(w.ptr(), nullptr);
  EXPECT_NE(r.ptr(), nullptr);
  EXPECT_EQ(w.harness().calls(), 0);
  EXPECT_EQ(r.harness().calls(), 0);
  EXPECT_EQ(w.harness().drops(), 0);
  EXPECT_EQ(r.harness().drops(), 0);
}

TEST(Destructors, WriteDestructorDropsOnceAndNothingAfter) {
  TSH_ISOLATED_CASE();
  Rig w(Side::kWrite);
  size_t out = 0;
  const uint8_t b[3] = {1, 2, 3};
  ASSERT_TRUE(tch_write_stream_write(w.ptr(), b, 3, &out));
  w.Destroy();
  EXPECT_EQ(w.harness().drops(), 1);
  EXPECT_EQ(w.harness().uses_after_drop(), 0);
  EXPECT_EQ(w.harness().calls(), 1);
}

TEST(Destructors, ReadDestructorDropsOnceAndNothingAfter) {
  TSH_ISOLATED_CASE();
  Rig r(Side::kRead, Digits(4));
  uint8_t b[4];
  size_t out = 0;
  ASSERT_TRUE(tch_read_stream_read(r.ptr(), b, 4, &out));
  r.Destroy();
  EXPECT_EQ(r.harness().drops(), 1);
  EXPECT_EQ(r.harness().uses_after_drop(), 0);
  EXPECT_EQ(r.harness().calls(), 1);
}

TEST(Destructors, UnusedStreamsDropOnce) {
  TSH_ISOLATED_CASE();
  Rig w(Side::kWrite);
  Rig r(Side::kRead);
  w.Destroy();
  r.Destroy();
  EXPECT_EQ(w.harness().drops(), 1);
  EXPECT_EQ(r.harness().drops(), 1);
  EXPECT_EQ(w.harness().calls() + r.harness().calls(), 0);
}

// --- Every error kind, on every callback ---------------------------------

std::vector<ErrorKind> AllErrorKinds() {
  std::vector<ErrorKind> kinds;
  for (int k = 0; k <= static_cast<int>(ErrorKind::kOther); ++k) {
    kinds.push_back(static_cast<ErrorKind>(k));
  }
  return kinds;
}

// The first call of `op` fails with the parameter's kind: the callback must
// return false in that one harness call and leave its out-parameter alone;
// the stream stays usable (the second call succeeds), so an Interrupted
// caller may retry.
class ErrorKinds : public ::testing::TestWithParam<ErrorKind> {
 protected:
  FaultPlan FirstCallFails(Op op) {
    return FaultPlan().At(op, 0, Fault::Err(GetParam()));
  }
};

TEST_P(ErrorKinds, WriteFailsAndLeavesOutSize) {
  TSH_ISOLATED_CASE();
  Rig w(Side::kWrite, {}, FirstCallFails(Op::kWrite));
  const uint8_t b[5] = {1, 2, 3, 4, 5};
  size_t out = kSizeSentinel;
  EXPECT_FALSE(tch_write_stream_write(w.ptr(), b, 5, &out));
  EXPECT_EQ(out, kSizeSentinel);
  EXPECT_EQ(w.harness().calls(), 1);
  EXPECT_TRUE(w.cursor().data().empty());
  ASSERT_TRUE(tch_write_stream_write(w.ptr(), b, 5, &out));
  EXPECT_EQ(out, 5u);
  EXPECT_EQ(w.cursor().data().size(), 5u);
}

TEST_P(ErrorKinds, ReadFailsAndLeavesOutSize) {
  TSH_ISOLATED_CASE();
  Rig r(Side::kRead, Digits(6), FirstCallFails(Op::kRead));
  uint8_t b[4] = {};
  size_t out = kSizeSentinel;
  EXPECT_FALSE(tch_read_stream_read(r.ptr(), b, 4, &out));
  EXPECT_EQ(out, kSizeSentinel);
  EXPECT_EQ(r.harness().calls(), 1);
  EXPECT_EQ(r.cursor().position(), 0u);
  ASSERT_TRUE(tch_read_stream_read(r.ptr(), b, 4, &out));
  EXPECT_EQ(out, 4u);
  EXPECT_EQ(AsString(b, 4), "0123");
}

TEST_P(ErrorKinds, StreamPositionFailsAndLeavesCurrent) {
  TSH_ISOLATED_CASE();
  Rig r(Side::kRead, Digits(6), FirstCallFails(PositionCallOp()));
  r.cursor().set_position(3);
  uint64_t out = kPosSentinel;
  EXPECT_FALSE(tch_read_stream_stream_position(r.ptr(), &out));
  EXPECT_EQ(out, kPosSentinel);
  EXPECT_EQ(r.harness().calls(), 1);
  ASSERT_TRUE(tch_read_stream_stream_position(r.ptr(), &out));
  EXPECT_EQ(out, 3u);
}

TEST_P(ErrorKinds, SeekStartFailsAndLeavesNewPos) {
  TSH_ISOLATED_CASE();
  Rig r(Side::kRead, Digits(6), FirstCallFails(Op::kSeek));
  uint64_t out = kPosSentinel;
  EXPECT_FALSE(tch_read_stream_seek_start(r.ptr(), 2, &out));
  EXPECT_EQ(out, kPosSentinel);
  EXPECT_EQ(r.harness().calls(), 1);
  EXPECT_EQ(r.cursor().position(), 0u);
  ASSERT_TRUE(tch_read_stream_seek_start(r.ptr(), 2, &out));
  EXPECT_EQ(out, 2u);
}

TEST_P(ErrorKinds, SeekEndFailsAndLeavesNewPos) {
  TSH_ISOLATED_CASE();
  Rig r(Side::kRead, Digits(6), FirstCallFails(Op::kSeek));
  uint64_t out = kPosSentinel;
  EXPECT_FALSE(tch_read_stream_seek_end(r.ptr(), -1, &out));
  EXPECT_EQ(out, kPosSentinel);
  EXPECT_EQ(r.harness().calls(), 1);
  EXPECT_EQ(r.cursor().position(), 0u);
  ASSERT_TRUE(tch_read_stream_seek_end(r.ptr(), -1, &out));
  EXPECT_EQ(out, 5u);
}

INSTANTIATE_TEST_SUITE_P(AllKinds, ErrorKinds, ::testing::ValuesIn(AllErrorKinds()),
                         [](const ::testing::TestParamInfo<ErrorKind>& info) {
                           return std::string(ErrorKindName(info.param));
                         });

// --- write ----------------------------------------------------------------

TEST(Write, SuccessReportsFullCountAndBytes) {
  TSH_ISOLATED_CASE();
  Rig w(Side::kWrite);
  const std::vector<uint8_t> b = Digits(11);
  size_t out = kSizeSentinel;
  ASSERT_TRUE(tch_write_stream_write(w.ptr(), b.data(), b.size(), &out));
  EXPECT_EQ(out, 11u);
  EXPECT_EQ(w.cursor().data(), b);
  ASSERT_EQ(w.probed().size(), 1u);
  EXPECT_EQ(w.probed()[0].op, Op::kWrite);
  EXPECT_EQ(w.probed()[0].size, 11u);
}

TEST(Write, ShortCountPassedThroughExactly) {
  TSH_ISOLATED_CASE();
  Rig w(Side::kWrite, {}, FaultPlan().At(Op::kWrite, 0, Fault::Limit(3)));
  const std::vector<uint8_t> b = Digits(10);
  size_t out = kSizeSentinel;
  ASSERT_TRUE(tch_write_stream_write(w.ptr(), b.data(), b.size(), &out));
  EXPECT_EQ(out, 3u);
  EXPECT_EQ(AsString(w.cursor().data().data(), w.cursor().data().size()), "012");
  EXPECT_EQ(w.harness().calls(), 1);
}

TEST(Write, ZeroCountPassedThroughAsSuccess) {
  TSH_ISOLATED_CASE();
  Rig w(Side::kWrite, {}, FaultPlan().At(Op::kWrite, 0, Fault::Zero()));
  const uint8_t b[4] = {9, 9, 9, 9};
  size_t out = kSizeSentinel;
  ASSERT_TRUE(tch_write_stream_write(w.ptr(), b, 4, &out));
  EXPECT_EQ(out, 0u);
  EXPECT_EQ(w.harness().calls(), 1);
}

TEST(Write, ZeroLengthBuffer) {
  TSH_ISOLATED_CASE();
  Rig w(Side::kWrite);
  const uint8_t b[1] = {7};
  size_t out = kSizeSentinel;
  ASSERT_TRUE(tch_write_stream_write(w.ptr(), b, 0, &out));
  EXPECT_EQ(out, 0u);
  EXPECT_TRUE(w.cursor().data().empty());
}

TEST(Write, SizeNearMaxPassedThroughNotPerformed) {
  TSH_ISOLATED_CASE();
  // The harness cuts the write to the 8 bytes the buffer holds; the size
  // the implementation asked for must arrive unchanged.
  for (size_t size : {kSizeMax, kSizeMax - 1, kSizeMax / 2 + 1}) {
    Rig w(Side::kWrite, {}, FaultPlan().Always(Op::kWrite, Fault::Limit(8)));
    const std::vector<uint8_t> b = Digits(8);
    size_t out = kSizeSentinel;
    ASSERT_TRUE(tch_write_stream_write(w.ptr(), b.data(), size, &out)) << size;
    EXPECT_EQ(out, 8u);
    EXPECT_EQ(w.cursor().data(), b);
    ASSERT_EQ(w.probed().size(), 1u);
    EXPECT_EQ(w.probed()[0].size, size);
  }
}

// --- read -----------------------------------------------------------------

TEST(Read, SuccessReportsCountsThenEndOfFile) {
  TSH_ISOLATED_CASE();
  Rig r(Side::kRead, Digits(6));
  uint8_t b[4] = {};
  size_t out = kSizeSentinel;
  ASSERT_TRUE(tch_read_stream_read(r.ptr(), b, 4, &out));
  EXPECT_EQ(out, 4u);
  EXPECT_EQ(AsString(b, 4), "0123");
  ASSERT_TRUE(tch_read_stream_read(r.ptr(), b, 4, &out));
  EXPECT_EQ(out, 2u);
  EXPECT_EQ(AsString(b, 2), "45");
  out = kSizeSentinel;
  ASSERT_TRUE(tch_read_stream_read(r.ptr(), b, 4, &out));
  EXPECT_EQ(out, 0u);
  EXPECT_EQ(r.harness().calls(), 3);
}

TEST(Read, ShortCountPassedThroughExactly) {
  TSH_ISOLATED_CASE();
  Rig r(Side::kRead, Digits(10), FaultPlan().At(Op::kRead, 0, Fault::Limit(3)));
  uint8_t b[10] = {};
  size_t out = kSizeSentinel;
  ASSERT_TRUE(tch_read_stream_read(r.ptr(), b, 10, &out));
  EXPECT_EQ(out, 3u);
  EXPECT_EQ(AsString(b, 3), "012");
  EXPECT_EQ(r.harness().calls(), 1);
}

TEST(Read, PrematureZeroPassedThroughAsSuccess) {
  TSH_ISOLATED_CASE();
  Rig r(Side::kRead, Digits(10), FaultPlan().At(Op::kRead, 0, Fault::Zero()));
  uint8_t b[4] = {};
  size_t out = kSizeSentinel;
  ASSERT_TRUE(tch_read_stream_read(r.ptr(), b, 4, &out));
  EXPECT_EQ(out, 0u);
  EXPECT_EQ(r.harness().calls(), 1);
}

TEST(Read, ZeroLengthBuffer) {
  TSH_ISOLATED_CASE();
  Rig r(Side::kRead, Digits(4));
  uint8_t b[1] = {};
  size_t out = kSizeSentinel;
  ASSERT_TRUE(tch_read_stream_read(r.ptr(), b, 0, &out));
  EXPECT_EQ(out, 0u);
  EXPECT_EQ(r.cursor().position(), 0u);
}

TEST(Read, SizeNearMaxPassedThroughNotPerformed) {
  TSH_ISOLATED_CASE();
  for (size_t size : {kSizeMax, kSizeMax - 1, kSizeMax / 2 + 1}) {
    Rig r(Side::kRead, Digits(20), FaultPlan().Always(Op::kRead, Fault::Limit(8)));
    uint8_t b[8] = {};
    size_t out = kSizeSentinel;
    ASSERT_TRUE(tch_read_stream_read(r.ptr(), b, size, &out)) << size;
    EXPECT_EQ(out, 8u);
    EXPECT_EQ(AsString(b, 8), "01234567");
    ASSERT_EQ(r.probed().size(), 1u);
    EXPECT_EQ(r.probed()[0].size, size);
  }
}

// --- stream_position ------------------------------------------------------

TEST(StreamPosition, IsOneCallOfPositionOrSeekCurrentZero) {
  TSH_ISOLATED_CASE();
  Rig r(Side::kRead, Digits(10));
  r.cursor().set_position(3);
  uint64_t out = kPosSentinel;
  ASSERT_TRUE(tch_read_stream_stream_position(r.ptr(), &out));
  ASSERT_EQ(r.probed().size(), 1u);
  const ProbedCall& call = r.probed()[0];
  if (call.op == Op::kSeek) {
    EXPECT_EQ(call.seek.whence, SeekFrom::Whence::kCurrent);
    EXPECT_EQ(call.seek.offset, 0);
  } else {
    EXPECT_EQ(call.op, Op::kPosition);
  }
  EXPECT_EQ(r.cursor().position(), 3u);
}

TEST(StreamPosition, ReportsTheHarnessAnswer) {
  TSH_ISOLATED_CASE();
  Rig r(Side::kRead, Digits(10));
  r.cursor().set_position(7);
  uint64_t out = kPosSentinel;
  ASSERT_TRUE(tch_read_stream_stream_position(r.ptr(), &out));
  EXPECT_EQ(out, 7u);
  EXPECT_EQ(r.harness().calls(), 1);
}

TEST(StreamPosition, PassesAWrongAnswerThroughUnchanged) {
  TSH_ISOLATED_CASE();
  // The implementation reports what its stream says, not what it thinks.
  Rig r(Side::kRead, Digits(10),
        FaultPlan().At(PositionCallOp(), 0, Fault::WrongPosition(5)));
  r.cursor().set_position(2);
  uint64_t out = kPosSentinel;
  ASSERT_TRUE(tch_read_stream_stream_position(r.ptr(), &out));
  EXPECT_EQ(out, 7u);
}

// --- seek_start -----------------------------------------------------------

TEST(SeekStart, ExtremeOffsetsPassedThroughExactly) {
  TSH_ISOLATED_CASE();
  for (uint64_t pos : {uint64_t{0}, uint64_t{3}, static_cast<uint64_t>(kI64Max),
                       static_cast<uint64_t>(kI64Max) + 1, kU64Max - 1, kU64Max}) {
    Rig r(Side::kRead, Digits(10));
    uint64_t out = kPosSentinel;
    ASSERT_TRUE(tch_read_stream_seek_start(r.ptr(), pos, &out)) << pos;
    EXPECT_EQ(out, pos);
    EXPECT_EQ(r.cursor().position(), pos);
    ASSERT_EQ(r.probed().size(), 1u);
    EXPECT_EQ(r.probed()[0].op, Op::kSeek);
    EXPECT_EQ(r.probed()[0].seek.whence, SeekFrom::Whence::kStart);
    EXPECT_EQ(r.probed()[0].seek.start, pos);
  }
}

// --- seek_end -------------------------------------------------------------

TEST(SeekEnd, ExtremeOffsetsPassedThroughExactly) {
  TSH_ISOLATED_CASE();
  struct Case {
    int64_t offset;
    bool ok;
    uint64_t pos;
  };
  const uint64_t len = 10;
  for (const Case& c : {Case{kI64Min, false, 0}, Case{kI64Min + 1, false, 0},
                        Case{-11, false, 0}, Case{-10, true, 0}, Case{0, true, len},
                        Case{kI64Max - 1, true, len + kI64Max - 1},
                        Case{kI64Max, true, len + kI64Max}}) {
    Rig r(Side::kRead, Digits(len));
    r.cursor().set_position(4);
    uint64_t out = kPosSentinel;
    EXPECT_EQ(tch_read_stream_seek_end(r.ptr(), c.offset, &out), c.ok) << c.offset;
    EXPECT_EQ(out, c.ok ? c.pos : kPosSentinel) << c.offset;
    EXPECT_EQ(r.cursor().position(), c.ok ? c.pos : 4u) << c.offset;
    ASSERT_EQ(r.probed().size(), 1u);
    EXPECT_EQ(r.probed()[0].seek.whence, SeekFrom::Whence::kEnd);
    EXPECT_EQ(r.probed()[0].seek.offset, c.offset);
  }
}

}  // namespace
}  // namespace tsh::test
