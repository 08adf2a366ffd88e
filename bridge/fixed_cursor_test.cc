// FixedCursor against Rust's Cursor<&mut [u8]>: short writes at the end,
// then Ok(0); seeks past the end; checked seeks; reads past the end.
#include "bridge/fixed_cursor.h"

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

Result<size_t> WriteStr(FixedCursor& c, const std::string& s) {
  return c.write(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

std::string ReadStr(FixedCursor& c, size_t n) {
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

TEST(FixedCursorTest, CapacityConstructorZeroFills) {
  FixedCursor c(4);
  EXPECT_EQ(c.data(), std::vector<uint8_t>(4, 0));
  EXPECT_EQ(c.capacity(), 4u);
  EXPECT_EQ(c.position(), 0u);
}

TEST(FixedCursorTest, VectorConstructorKeepsContentsAsCapacity) {
  FixedCursor c(B("abcd"));
  EXPECT_EQ(c.capacity(), 4u);
  EXPECT_EQ(ReadStr(c, 2), "ab");
  EXPECT_EQ(c.position(), 2u);
}

TEST(FixedCursorTest, WritesAreShortAtTheEndThenZero) {
  FixedCursor c(5);
  Result<size_t> r = WriteStr(c, "abc");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value(), 3u);
  EXPECT_EQ(c.position(), 3u);
  r = WriteStr(c, "defg");  // Only 2 bytes of room.
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value(), 2u);
  EXPECT_EQ(c.position(), 5u);
  EXPECT_EQ(c.data(), B("abcde"));
  r = WriteStr(c, "x");  // Full: Ok(0), not an error.
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value(), 0u);
  EXPECT_EQ(c.position(), 5u);
  EXPECT_EQ(c.data(), B("abcde"));
}

TEST(FixedCursorTest, WriteAllOnAFullCursorIsWriteZero) {
  FixedCursor c(3);
  const std::string s = "abcdef";
  Status st = WriteAll(c, reinterpret_cast<const uint8_t*>(s.data()), s.size());
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().kind(), ErrorKind::kWriteZero);
  EXPECT_EQ(c.data(), B("abc"));
  EXPECT_EQ(c.position(), 3u);
}

TEST(FixedCursorTest, WritePastEndIsZeroAndKeepsPosition) {
  FixedCursor c(B("abc"));
  ASSERT_EQ(c.seek(SeekFrom::Start(10)).value(), 10u);
  Result<size_t> r = WriteStr(c, "xy");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value(), 0u);
  EXPECT_EQ(c.position(), 10u);
  EXPECT_EQ(c.data(), B("abc"));
  c.set_position(kU64Max);
  r = WriteStr(c, "xy");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value(), 0u);
  EXPECT_EQ(c.position(), kU64Max);
}

TEST(FixedCursorTest, OverwriteInTheMiddle) {
  FixedCursor c(B("abcdef"));
  c.set_position(1);
  ASSERT_EQ(WriteStr(c, "XYZ").value(), 3u);
  EXPECT_EQ(c.position(), 4u);
  EXPECT_EQ(c.data(), B("aXYZef"));
}

TEST(FixedCursorTest, ZeroCapacity) {
  FixedCursor c(0);
  Result<size_t> r = WriteStr(c, "a");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value(), 0u);
  EXPECT_EQ(ReadStr(c, 1), "");
  EXPECT_EQ(c.position(), 0u);
  EXPECT_EQ(c.seek(SeekFrom::End(0)).value(), 0u);
  ExpectInvalidInput(c.seek(SeekFrom::End(-1)));
  EXPECT_EQ(c.seek(SeekFrom::End(5)).value(), 5u);
}

TEST(FixedCursorTest, ZeroLengthOpsHaveNoEffect) {
  FixedCursor c(B("ab"));
  c.set_position(1);
  Result<size_t> r = c.write(nullptr, 0);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value(), 0u);
  r = c.read(nullptr, 0);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value(), 0u);
  EXPECT_EQ(c.position(), 1u);
  EXPECT_EQ(c.data(), B("ab"));
}

TEST(FixedCursorTest, ReadsAreShortAtTheEndThenZero) {
  FixedCursor c(B("abcde"));
  c.set_position(3);
  EXPECT_EQ(ReadStr(c, 10), "de");
  EXPECT_EQ(c.position(), 5u);
  EXPECT_EQ(ReadStr(c, 10), "");
  EXPECT_EQ(c.position(), 5u);
  c.set_position(99);
  EXPECT_EQ(ReadStr(c, 10), "");
  EXPECT_EQ(c.position(), 99u);
}

TEST(FixedCursorTest, SeeksFromEachBase) {
  FixedCursor c(8);
  EXPECT_EQ(c.seek(SeekFrom::Start(kU64Max)).value(), kU64Max);
  EXPECT_EQ(c.seek(SeekFrom::End(-3)).value(), 5u);
  EXPECT_EQ(c.seek(SeekFrom::Current(-5)).value(), 0u);
  EXPECT_EQ(c.seek(SeekFrom::Current(20)).value(), 20u);  // Past the end.
  EXPECT_EQ(c.seek(SeekFrom::End(kI64Max)).value(),
            static_cast<uint64_t>(kI64Max) + 8);
  EXPECT_EQ(c.stream_position().value(), static_cast<uint64_t>(kI64Max) + 8);
}

TEST(FixedCursorTest, NegativeOrOverflowingSeekIsInvalidInput) {
  FixedCursor c(8);
  c.set_position(4);
  ExpectInvalidInput(c.seek(SeekFrom::Current(-5)));
  EXPECT_EQ(c.position(), 4u);
  ExpectInvalidInput(c.seek(SeekFrom::End(-9)));
  EXPECT_EQ(c.position(), 4u);
  ExpectInvalidInput(c.seek(SeekFrom::Current(kI64Min)));
  EXPECT_EQ(c.position(), 4u);
  ExpectInvalidInput(c.seek(SeekFrom::End(kI64Min)));
  EXPECT_EQ(c.position(), 4u);
  c.set_position(kU64Max);
  ExpectInvalidInput(c.seek(SeekFrom::Current(1)));
  EXPECT_EQ(c.position(), kU64Max);
  c.set_position(kU64Max - 10);
  ExpectInvalidInput(c.seek(SeekFrom::Current(kI64Max)));
  EXPECT_EQ(c.position(), kU64Max - 10);
  EXPECT_EQ(c.seek(SeekFrom::Current(10)).value(), kU64Max);
}

TEST(FixedCursorTest, FlushIsOk) {
  FixedCursor c(2);
  EXPECT_TRUE(c.flush().ok());
}

}  // namespace
}  // namespace tsh
