// Unit tests of bridge/zip_check.h: valid LibTorch archives pass, and each
// structural defect it promises to catch is refused with InvalidData.
#include "bridge/zip_check.h"

#include <gtest/gtest.h>

#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include <ATen/ATen.h>

#include "bridge/cursor.h"
#include "bridge/tensor_io.h"
#include "testing/fixed_archives.h"

namespace {

using Bytes = std::vector<uint8_t>;

tsh::ZipReadAt ReaderOf(const Bytes& b) {
  return [&b](uint64_t pos, void* buf, size_t n) -> size_t {
    if (pos >= b.size()) return 0;
    const size_t k = std::min<uint64_t>(n, b.size() - pos);
    memcpy(buf, b.data() + pos, k);
    return k;
  };
}

tsh::Status Check(const Bytes& b) { return tsh::CheckZipStructure(ReaderOf(b), b.size()); }

uint64_t Length(const Bytes& b) { return tsh::ZipArchiveLength(ReaderOf(b), b.size()); }

Bytes Concat(const Bytes& a, const Bytes& b) {
  Bytes c = a;
  c.insert(c.end(), b.begin(), b.end());
  return c;
}

uint32_t U32(const Bytes& b, size_t at) {
  return b[at] | b[at + 1] << 8 | b[at + 2] << 16 | static_cast<uint32_t>(b[at + 3]) << 24;
}
void Put16(Bytes& b, size_t at, uint16_t v) {
  b[at] = v & 0xFF;
  b[at + 1] = v >> 8;
}
void Put32(Bytes& b, size_t at, uint32_t v) {
  Put16(b, at, v & 0xFFFF);
  Put16(b, at + 2, v >> 16);
}

// Offset of the EOCD record of a LibTorch archive (no comment).
size_t Eocd(const Bytes& b) { return b.size() - 22; }

const Bytes& Archive() { return tsh::test::FixedArchives()[0].bytes; }

void ExpectRefused(const Bytes& b, const std::string& why) {
  tsh::Status s = Check(b);
  ASSERT_FALSE(s.ok()) << "accepted: " << why;
  EXPECT_EQ(s.error().kind(), tsh::ErrorKind::kInvalidData);
  EXPECT_NE(s.error().message().find(why), std::string::npos) << s.error().message();
}

// A one-entry stored zip made by hand: not LibTorch's writer.
Bytes TinyZip(const std::string& comment) {
  const std::string name = "a", body = "xyz";
  Bytes z(30, 0);
  Put32(z, 0, 0x04034b50);
  Put32(z, 18, 3);
  Put32(z, 22, 3);
  Put16(z, 26, 1);
  z.insert(z.end(), name.begin(), name.end());
  z.insert(z.end(), body.begin(), body.end());
  const size_t cd = z.size();
  Bytes c(46, 0);
  Put32(c, 0, 0x02014b50);
  Put32(c, 20, 3);
  Put32(c, 24, 3);
  Put16(c, 28, 1);
  c.insert(c.end(), name.begin(), name.end());
  z.insert(z.end(), c.begin(), c.end());
  Bytes e(22, 0);
  Put32(e, 0, 0x06054b50);
  Put16(e, 8, 1);
  Put16(e, 10, 1);
  Put32(e, 12, 47);
  Put32(e, 16, cd);
  Put16(e, 20, comment.size());
  z.insert(z.end(), e.begin(), e.end());
  z.insert(z.end(), comment.begin(), comment.end());
  return z;
}

TEST(ZipCheckTest, EveryArchiveLibTorchWritesPasses) {
  for (const auto& a : tsh::test::FixedArchives()) {
    tsh::Status s = Check(a.bytes);
    EXPECT_TRUE(s.ok()) << a.label << ": " << s.error().ToString();
  }
}

// 2,000 records make a directory larger than one read (kMaxRead, the
// end record and the longest comment): it is
// checked entry by entry, and a bad entry deep inside is still found.
TEST(ZipCheckTest, ADirectoryLargerThanOneReadIsCheckedEntryByEntry) {
  tsh::NamedTensors many;
  for (int i = 0; i < 2000; ++i) many.emplace_back("t" + std::to_string(i), at::ones({1}));
  tsh::Cursor out;
  ASSERT_TRUE(tsh::SaveNamedTensors(many, out, tsh::Mode::kHardened).ok());
  Bytes b = out.into_inner();
  const size_t eocd = Eocd(b);
  const uint32_t cd_size = U32(b, eocd + 12), cd_offset = U32(b, eocd + 16);
  ASSERT_GT(cd_size, 22u + 65535u);  // zip_check.cc's kMaxRead.
  EXPECT_TRUE(Check(b).ok());
  // The last entry's signature.
  size_t last = cd_offset + cd_size - 4;
  while (U32(b, last) != 0x02014b50) --last;
  Put32(b, last, 0x12345678);
  ExpectRefused(b, "bad central directory entry signature");
}

TEST(ZipCheckTest, HandMadeZipWithCommentPasses) {
  EXPECT_TRUE(Check(TinyZip("")).ok());
  EXPECT_TRUE(Check(TinyZip("a comment")).ok());
}

TEST(ZipCheckTest, TooSmallOrEmptyIsRefused) {
  ExpectRefused({}, "too small");
  ExpectRefused(Bytes(21, 0), "too small");
  ExpectRefused(Bytes(100, 0), "no end of central directory");
}

TEST(ZipCheckTest, TruncatedArchiveIsRefused) {
  Bytes b = Archive();
  b.pop_back();
  ExpectRefused(b, "no end of central directory");
}

TEST(ZipCheckTest, CommentPastTheEndIsRefused) {
  Bytes b = TinyZip("abc");
  b.pop_back();  // The stated comment no longer fits.
  ExpectRefused(b, "no end of central directory");
}

TEST(ZipCheckTest, DisagreeingOrInflatedCountsAreRefused) {
  Bytes b = Archive();
  Put16(b, Eocd(b) + 8, U32(b, Eocd(b) + 8) + 1);
  ExpectRefused(b, "counts disagree");
  b = Archive();
  const uint16_t n = (U32(b, Eocd(b) + 8) & 0xFFFF) + 1;
  Put16(b, Eocd(b) + 8, n);
  Put16(b, Eocd(b) + 10, n);
  ExpectRefused(b, "central directory entry out of bounds");
  b = Archive();
  Put16(b, Eocd(b) + 8, 0);
  Put16(b, Eocd(b) + 10, 0);
  ExpectRefused(b, "no entries");
}

TEST(ZipCheckTest, DirectoryOutOfBoundsIsRefused) {
  Bytes b = Archive();
  Put32(b, Eocd(b) + 16, U32(b, Eocd(b) + 16) + 1000000);
  ExpectRefused(b, "central directory out of bounds");
  b = Archive();
  Put32(b, Eocd(b) + 12, 0xFFFFFFF0);
  ExpectRefused(b, "central directory out of bounds");
}

TEST(ZipCheckTest, ShiftedDirectoryIsRefused) {
  Bytes b = Archive();
  Put32(b, Eocd(b) + 16, U32(b, Eocd(b) + 16) + 1);
  Put32(b, Eocd(b) + 12, U32(b, Eocd(b) + 12) - 1);
  ExpectRefused(b, "bad central directory entry signature");
}

TEST(ZipCheckTest, EntryFieldsOutOfBoundsAreRefused) {
  const Bytes a = TinyZip("");
  const size_t cd = U32(a, a.size() - 22 + 16);
  Bytes b = a;
  Put32(b, cd + 42, 1000);  // Local header offset past the directory.
  ExpectRefused(b, "local header out of bounds");
  b = a;
  Put32(b, cd + 20, 1000);  // Compressed size past the directory.
  Put32(b, cd + 24, 1000);
  ExpectRefused(b, "entry data out of bounds");
  b = a;
  Put32(b, cd + 20, 2);  // Stored, yet two sizes.
  ExpectRefused(b, "stored entry with two sizes");
  b = a;
  Put16(b, cd + 28, 0);
  ExpectRefused(b, "empty entry name");
}

TEST(ZipCheckTest, BadSignaturesAndMethodsAreRefused) {
  const Bytes a = TinyZip("");
  const size_t cd = U32(a, a.size() - 22 + 16);
  Bytes b = a;
  b[0] = 'Q';
  ExpectRefused(b, "bad local header signature");
  b = a;
  Put16(b, cd + 10, 99);
  ExpectRefused(b, "unsupported compression method");
  b = a;
  Put16(b, cd + 28, 40);  // The name runs past the directory.
  ExpectRefused(b, "overruns the directory");
}

TEST(ZipCheckTest, DeflatedSizeBeyondDeflateExpansionIsRefused) {
  Bytes b = TinyZip("");
  const size_t cd = U32(b, b.size() - 22 + 16);
  Put16(b, cd + 10, 8);
  Put32(b, cd + 24, 3 * 1032);  // The most 3 deflated bytes can give.
  EXPECT_TRUE(Check(b).ok());
  Put32(b, cd + 24, 4 * 1032);
  ExpectRefused(b, "larger than deflate can expand");
}

TEST(ZipCheckTest, SaturatedFieldWithoutZip64IsRefused) {
  Bytes b = TinyZip("");
  const size_t cd = U32(b, b.size() - 22 + 16);
  Put32(b, cd + 42, 0xFFFFFFFF);
  ExpectRefused(b, "without a zip64 extra field");
  b = TinyZip("");
  Put32(b, b.size() - 22 + 16, 0xFFFFFFFF);
  ExpectRefused(b, "zip64 locator");
}

TEST(ZipArchiveLengthTest, AnArchiveAloneIsTheWholeStream) {
  for (const auto& a : tsh::test::FixedArchives()) {
    EXPECT_EQ(Length(a.bytes), a.bytes.size()) << a.label;
  }
  EXPECT_EQ(Length(TinyZip("a comment")), TinyZip("a comment").size());
}

TEST(ZipArchiveLengthTest, AnArchiveFollowedByOthersOrBytesEndsWhereItEnds) {
  const auto& archives = tsh::test::FixedArchives();
  ASSERT_GE(archives.size(), 2u);
  const Bytes& first = archives[0].bytes;
  for (const Bytes& after : {archives[1].bytes, first, Bytes(100, 'x'), TinyZip("")}) {
    EXPECT_EQ(Length(Concat(first, after)), first.size());
  }
  EXPECT_EQ(Length(Concat(TinyZip("c"), first)), TinyZip("c").size());
}

TEST(ZipArchiveLengthTest, WithoutAnArchiveStartingHereItIsTheWholeStream) {
  // Nothing to cut: CheckZipStructure judges what is there.
  const Bytes& a = Archive();
  for (const Bytes& b : {Bytes(), Bytes(100, 'x'), Concat(Bytes(7, 'h'), a),
                         Bytes(a.begin(), a.end() - 1)}) {
    EXPECT_EQ(Length(b), b.size());
  }
}

TEST(ZipCheckTest, ReaderExceptionsPropagate) {
  const Bytes& a = Archive();
  EXPECT_THROW((void)tsh::CheckZipStructure(
                   [](uint64_t, void*, size_t) -> size_t { throw std::runtime_error("io"); },
                   a.size()),
               std::runtime_error);
}

}  // namespace
