// Cursor against Rust's Cursor<Vec<u8>>: overwrite-and-extend writes,
// zero-filled gaps, reads past the end, and checked seeks.
#include "bridge/cursor.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace tsh {
namespace {

constexpr int64_t kI64Max = std::numeric_limits<int64_t>::max();
constexpr int64_t kI64Min = std::numeric_limits<int64_t>::min();
constexpr uint64_t kU64Max = std::numeric_limits<uint64_t>::max();

std::vector<uint8_t> B(const std::string& s) {
  return std::vector<uint8_t>(s.begin(), s.end());
}

size_t WriteStr(Cursor& c, const std::string& s) {
  Result<size_t> r = c.write(reinterpret_cast<const uint8_t*>(s.data()), s.size());
  EXPECT_TRUE(r.ok()) << r.error().ToString();
  return r.ok() ? r.value() : 0;
}

// Reads up to n bytes once and returns them.
std::string ReadStr(Cursor& c, size_t n) {
  std::string out(n, '\0');
  Result<size_t> r = c.read(reinterpret_cast<uint8_t*>(&out[0]), n);
  EXPECT_TRUE(r.ok()) << r.error().ToString();
  out.resize(r.ok() ? r.value() : 0);
  return out;
}

void ExpectInvalidInput(const Result<uint64_t>& r) {
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind(), ErrorKind::kInvalidInput) << r.error().ToString();
}

TEST(CursorTest, StartsEmptyAtZero) {
  Cursor c;
  EXPECT_EQ(c.position(), 0u);
  EXPECT_TRUE(c.data().empty());
  EXPECT_EQ(ReadStr(c, 4), "");
  EXPECT_EQ(c.position(), 0u);
}

TEST(CursorTest, FromVectorStartsAtZeroAndReads) {
  Cursor c(B("hello"));
  EXPECT_EQ(c.position(), 0u);
  EXPECT_EQ(ReadStr(c, 2), "he");
  EXPECT_EQ(c.position(), 2u);
  EXPECT_EQ(ReadStr(c, 10), "llo");  // Short read at the end.
  EXPECT_EQ(c.position(), 5u);
  EXPECT_EQ(ReadStr(c, 10), "");     // Then Ok(0).
  EXPECT_EQ(c.position(), 5u);
}

TEST(CursorTest, WriteAppendsAndAdvances) {
  Cursor c;
  EXPECT_EQ(WriteStr(c, "abc"), 3u);
  EXPECT_EQ(c.position(), 3u);
  EXPECT_EQ(WriteStr(c, "de"), 2u);
  EXPECT_EQ(c.position(), 5u);
  EXPECT_EQ(c.data(), B("abcde"));
}

TEST(CursorTest, WriteOverwritesInTheMiddleAndExtends) {
  Cursor c(B("abcdef"));
  c.set_position(2);
  EXPECT_EQ(WriteStr(c, "XY"), 2u);
  EXPECT_EQ(c.position(), 4u);
  EXPECT_EQ(c.data(), B("abXYef"));
  // Straddling the end: overwrite two bytes, append two.
  EXPECT_EQ(WriteStr(c, "1234"), 4u);
  EXPECT_EQ(c.position(), 8u);
  EXPECT_EQ(c.data(), B("abXY1234"));
}

TEST(CursorTest, WritePastEndZeroFillsTheGap) {
  Cursor c(B("ab"));
  ASSERT_EQ(c.seek(SeekFrom::Start(5)).value(), 5u);
  EXPECT_EQ(WriteStr(c, "Z"), 1u);
  EXPECT_EQ(c.position(), 6u);
  EXPECT_EQ(c.data(), (std::vector<uint8_t>{'a', 'b', 0, 0, 0, 'Z'}));
}

TEST(CursorTest, ZeroLengthWriteAndReadHaveNoEffect) {
  Cursor c(B("ab"));
  c.set_position(10);
  Result<size_t> w = c.write(nullptr, 0);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w.value(), 0u);
  EXPECT_EQ(c.data(), B("ab"));  // No zero-fill for an empty write.
  EXPECT_EQ(c.position(), 10u);
  Result<size_t> r = c.read(nullptr, 0);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value(), 0u);
  EXPECT_EQ(c.position(), 10u);
  c.set_position(0);
  r = c.read(nullptr, 0);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value(), 0u);
  EXPECT_EQ(c.position(), 0u);
}

TEST(CursorTest, ReadPastEndGivesZeroAndKeepsPosition) {
  Cursor c(B("abc"));
  c.set_position(100);
  EXPECT_EQ(ReadStr(c, 3), "");
  EXPECT_EQ(c.position(), 100u);
  c.set_position(kU64Max);
  EXPECT_EQ(ReadStr(c, 3), "");
  EXPECT_EQ(c.position(), kU64Max);
}

TEST(CursorTest, SeekStartAcceptsAnyU64) {
  Cursor c(B("abc"));
  EXPECT_EQ(c.seek(SeekFrom::Start(2)).value(), 2u);
  EXPECT_EQ(c.position(), 2u);
  EXPECT_EQ(c.seek(SeekFrom::Start(1000)).value(), 1000u);
  EXPECT_EQ(c.position(), 1000u);
  EXPECT_EQ(c.seek(SeekFrom::Start(kU64Max)).value(), kU64Max);
  EXPECT_EQ(c.position(), kU64Max);
  EXPECT_EQ(c.data().size(), 3u);  // Seeking never grows the buffer.
}

TEST(CursorTest, SeekEndIsRelativeToLength) {
  Cursor c(B("abcdef"));
  EXPECT_EQ(c.seek(SeekFrom::End(0)).value(), 6u);
  EXPECT_EQ(c.seek(SeekFrom::End(-2)).value(), 4u);
  EXPECT_EQ(ReadStr(c, 10), "ef");
  EXPECT_EQ(c.seek(SeekFrom::End(3)).value(), 9u);
  EXPECT_EQ(c.position(), 9u);
  EXPECT_EQ(c.seek(SeekFrom::End(-6)).value(), 0u);
}

TEST(CursorTest, SeekCurrentIsRelativeToPosition) {
  Cursor c(B("abcdef"));
  c.set_position(3);
  EXPECT_EQ(c.seek(SeekFrom::Current(0)).value(), 3u);
  EXPECT_EQ(c.seek(SeekFrom::Current(2)).value(), 5u);
  EXPECT_EQ(c.seek(SeekFrom::Current(-5)).value(), 0u);
  EXPECT_EQ(c.seek(SeekFrom::Current(kI64Max)).value(),
            static_cast<uint64_t>(kI64Max));
}

TEST(CursorTest, NegativeSeekIsInvalidInputAndKeepsPosition) {
  Cursor c(B("abcdef"));
  c.set_position(2);
  ExpectInvalidInput(c.seek(SeekFrom::Current(-3)));
  EXPECT_EQ(c.position(), 2u);
  ExpectInvalidInput(c.seek(SeekFrom::End(-7)));
  EXPECT_EQ(c.position(), 2u);
  ExpectInvalidInput(c.seek(SeekFrom::Current(kI64Min)));
  EXPECT_EQ(c.position(), 2u);
  ExpectInvalidInput(c.seek(SeekFrom::End(kI64Min)));
  EXPECT_EQ(c.position(), 2u);
}

TEST(CursorTest, SeekAtI64MinFromExactlyItsMagnitudeReachesZero) {
  Cursor c;
  c.set_position(static_cast<uint64_t>(kI64Max) + 1);  // 2^63.
  EXPECT_EQ(c.seek(SeekFrom::Current(kI64Min)).value(), 0u);
  EXPECT_EQ(c.position(), 0u);
}

TEST(CursorTest, OverflowingSeekIsInvalidInputAndKeepsPosition) {
  Cursor c(B("abc"));
  c.set_position(kU64Max);
  ExpectInvalidInput(c.seek(SeekFrom::Current(1)));
  EXPECT_EQ(c.position(), kU64Max);
  c.set_position(kU64Max - static_cast<uint64_t>(kI64Max) + 1);
  ExpectInvalidInput(c.seek(SeekFrom::Current(kI64Max)));
  EXPECT_EQ(c.position(), kU64Max - static_cast<uint64_t>(kI64Max) + 1);
  // Exactly reaching u64::MAX is fine.
  c.set_position(kU64Max - static_cast<uint64_t>(kI64Max));
  EXPECT_EQ(c.seek(SeekFrom::Current(kI64Max)).value(), kU64Max);
  // From a small end, End(i64::MAX) fits.
  EXPECT_EQ(c.seek(SeekFrom::End(kI64Max)).value(),
            static_cast<uint64_t>(kI64Max) + 3);
}

TEST(CursorTest, StreamPositionMatchesPosition) {
  Cursor c(B("abc"));
  c.set_position(7);
  EXPECT_EQ(c.stream_position().value(), 7u);
  EXPECT_EQ(c.position(), 7u);
}

TEST(CursorTest, WriteBeyondMaximumVectorSizeIsOutOfMemory) {
  Cursor c(B("abc"));
  const uint8_t byte = 'x';
  for (uint64_t pos : {kU64Max, kU64Max - 1, static_cast<uint64_t>(kI64Max)}) {
    c.set_position(pos);
    Result<size_t> r = c.write(&byte, 1);
    ASSERT_FALSE(r.ok()) << pos;
    EXPECT_EQ(r.error().kind(), ErrorKind::kOutOfMemory) << r.error().ToString();
    EXPECT_EQ(c.position(), pos);
    EXPECT_EQ(c.data(), B("abc"));
  }
}

TEST(CursorTest, WriteWhoseAllocationFailsIsOutOfMemory) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "ASan aborts on oversized allocations instead of throwing";
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
  GTEST_SKIP() << "ASan aborts on oversized allocations instead of throwing";
#endif
#endif
  Cursor c(B("abc"));
  const uint64_t pos = uint64_t{1} << 56;  // 64 PiB: below max_size().
  c.set_position(pos);
  const uint8_t byte = 'x';
  Result<size_t> r = c.write(&byte, 1);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind(), ErrorKind::kOutOfMemory) << r.error().ToString();
  EXPECT_EQ(c.position(), pos);
  EXPECT_EQ(c.data(), B("abc"));
}

TEST(CursorTest, FlushIsOk) {
  Cursor c(B("abc"));
  EXPECT_TRUE(c.flush().ok());
  EXPECT_EQ(c.data(), B("abc"));
}

TEST(CursorTest, IntoInnerMovesTheBufferOut) {
  Cursor c;
  WriteStr(c, "payload");
  std::vector<uint8_t> out = c.into_inner();
  EXPECT_EQ(out, B("payload"));
  EXPECT_TRUE(c.data().empty());
}

TEST(CursorTest, WriteAllAndReadExactRoundTrip) {
  Cursor c;
  std::vector<uint8_t> in(10000);
  for (size_t i = 0; i < in.size(); ++i) in[i] = static_cast<uint8_t>(i * 7);
  ASSERT_TRUE(WriteAll(c, in.data(), in.size()).ok());
  EXPECT_EQ(c.position(), in.size());
  ASSERT_EQ(c.seek(SeekFrom::Start(0)).value(), 0u);
  std::vector<uint8_t> out(in.size());
  ASSERT_TRUE(ReadExact(c, out.data(), out.size()).ok());
  EXPECT_EQ(out, in);
  uint8_t extra;
  Status s = ReadExact(c, &extra, 1);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().kind(), ErrorKind::kUnexpectedEof);
}

}  // namespace
}  // namespace tsh
