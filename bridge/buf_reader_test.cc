// BufReader against Rust's BufReader<R: Read + Seek>: how many inner reads
// happen and of what size, when the buffer is discarded, and how positions
// account for buffered bytes.
#include "bridge/buf_reader.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "bridge/cursor.h"

namespace tsh {
namespace {

constexpr int64_t kI64Max = std::numeric_limits<int64_t>::max();
constexpr int64_t kI64Min = std::numeric_limits<int64_t>::min();

bool SameSeek(const SeekFrom& a, const SeekFrom& b) {
  if (a.whence != b.whence) return false;
  return a.whence == SeekFrom::Whence::kStart ? a.start == b.start
                                              : a.offset == b.offset;
}

// A Cursor that records the calls made on it and can be told to fail.
class RecordingStream : public ReadStream {
 public:
  explicit RecordingStream(const std::string& s)
      : cursor_(std::vector<uint8_t>(s.begin(), s.end())) {}

  Result<size_t> read(uint8_t* buf, size_t n) override {
    read_sizes.push_back(n);
    if (fail_reads > 0) {
      --fail_reads;
      return Error(ErrorKind::kInterrupted, "scripted read failure");
    }
    return cursor_.read(buf, n < max_read ? n : max_read);
  }
  Result<uint64_t> seek(SeekFrom pos) override {
    seeks.push_back(pos);
    if (fail_seeks > 0) {
      --fail_seeks;
      return Error(ErrorKind::kOther, "scripted seek failure");
    }
    return cursor_.seek(pos);
  }
  Result<uint64_t> stream_position() override {
    ++position_queries;
    return cursor_.stream_position();
  }

  uint64_t position() const { return cursor_.position(); }
  void set_position(uint64_t p) { cursor_.set_position(p); }

  std::vector<size_t> read_sizes;  // n of every read call.
  std::vector<SeekFrom> seeks;     // Every seek call.
  int position_queries = 0;
  int fail_reads = 0;              // Fail this many next reads.
  int fail_seeks = 0;              // Fail this many next seeks.
  size_t max_read = SIZE_MAX;      // Cap on bytes per read (short reads).

 private:
  Cursor cursor_;
};

struct Fixture {
  Fixture(const std::string& s, size_t capacity) {
    auto owned = std::make_unique<RecordingStream>(s);
    rec = owned.get();
    br = std::make_unique<BufReader>(std::move(owned), capacity);
  }
  RecordingStream* rec;  // Owned by br.
  std::unique_ptr<BufReader> br;
};

std::string ReadStr(ReadStream& r, size_t n) {
  std::string out(n, '\0');
  Result<size_t> got = r.read(reinterpret_cast<uint8_t*>(&out[0]), n);
  EXPECT_TRUE(got.ok()) << got.error().ToString();
  out.resize(got.ok() ? got.value() : 0);
  return out;
}

uint64_t Pos(ReadStream& r) {
  Result<uint64_t> p = r.stream_position();
  EXPECT_TRUE(p.ok()) << p.error().ToString();
  return p.ok() ? p.value() : std::numeric_limits<uint64_t>::max();
}

const std::string kAlphabet = "abcdefghijklmnopqrstuvwxyz";

TEST(BufReaderTest, DefaultCapacityIs8192) {
  BufReader br(std::make_unique<Cursor>());
  EXPECT_EQ(br.capacity(), 8192u);
  EXPECT_EQ(br.buffered(), 0u);
}

TEST(BufReaderTest, SmallReadsShareOneInnerRead) {
  Fixture f(kAlphabet, 8);
  EXPECT_EQ(ReadStr(*f.br, 3), "abc");
  EXPECT_EQ(f.rec->read_sizes, std::vector<size_t>{8});  // Filled to capacity.
  EXPECT_EQ(f.br->buffered(), 5u);
  EXPECT_EQ(f.rec->position(), 8u);  // The inner is ahead by the buffer.
  EXPECT_EQ(ReadStr(*f.br, 3), "def");
  EXPECT_EQ(ReadStr(*f.br, 3), "gh");  // Only what is buffered: short.
  EXPECT_EQ(f.rec->read_sizes, std::vector<size_t>{8});
  EXPECT_EQ(f.br->buffered(), 0u);
  EXPECT_EQ(ReadStr(*f.br, 3), "ijk");  // Empty again: one refill.
  EXPECT_EQ(f.rec->read_sizes, (std::vector<size_t>{8, 8}));
}

TEST(BufReaderTest, LargeReadOnEmptyBufferBypasses) {
  Fixture f(kAlphabet, 8);
  EXPECT_EQ(ReadStr(*f.br, 8), "abcdefgh");  // n == capacity.
  EXPECT_EQ(f.rec->read_sizes, std::vector<size_t>{8});
  EXPECT_EQ(f.br->buffered(), 0u);
  EXPECT_EQ(ReadStr(*f.br, 10), "ijklmnopqr");
  EXPECT_EQ(f.rec->read_sizes, (std::vector<size_t>{8, 10}));
  EXPECT_EQ(f.br->buffered(), 0u);
}

TEST(BufReaderTest, LargeReadWithBufferedBytesDrainsOnlyTheBuffer) {
  Fixture f(kAlphabet, 8);
  EXPECT_EQ(ReadStr(*f.br, 2), "ab");
  EXPECT_EQ(ReadStr(*f.br, 20), "cdefgh");  // No top-up read.
  EXPECT_EQ(f.rec->read_sizes, std::vector<size_t>{8});
  EXPECT_EQ(ReadStr(*f.br, 20), "ijklmnopqrstuvwxyz");  // Then bypass.
  EXPECT_EQ(f.rec->read_sizes, (std::vector<size_t>{8, 20}));
}

TEST(BufReaderTest, ShortInnerReadFillsPartly) {
  Fixture f(kAlphabet, 8);
  f.rec->max_read = 3;
  EXPECT_EQ(ReadStr(*f.br, 5), "abc");
  EXPECT_EQ(f.rec->read_sizes, std::vector<size_t>{8});
  EXPECT_EQ(f.br->buffered(), 0u);
}

TEST(BufReaderTest, EndOfStream) {
  Fixture f("abc", 8);
  EXPECT_EQ(ReadStr(*f.br, 2), "ab");
  EXPECT_EQ(ReadStr(*f.br, 2), "c");
  EXPECT_EQ(ReadStr(*f.br, 2), "");
  EXPECT_EQ(f.rec->read_sizes, (std::vector<size_t>{8, 8}));
  uint8_t b[4];
  Status s = ReadExact(*f.br, b, 1);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().kind(), ErrorKind::kUnexpectedEof);
}

TEST(BufReaderTest, InnerReadErrorIsReturnedAndNothingBuffered) {
  Fixture f(kAlphabet, 8);
  f.rec->fail_reads = 1;
  uint8_t b[4];
  Result<size_t> r = f.br->read(b, 4);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind(), ErrorKind::kInterrupted);
  EXPECT_EQ(f.br->buffered(), 0u);
  EXPECT_EQ(Pos(*f.br), 0u);
  EXPECT_EQ(ReadStr(*f.br, 4), "abcd");  // Retry works.
  EXPECT_EQ(f.rec->read_sizes, (std::vector<size_t>{8, 8}));
}

TEST(BufReaderTest, ReadExactRetriesInterruptedInnerReads) {
  Fixture f(kAlphabet, 8);
  f.rec->fail_reads = 2;
  uint8_t b[5];
  ASSERT_TRUE(ReadExact(*f.br, b, 5).ok());
  EXPECT_EQ(std::string(b, b + 5), "abcde");
}

TEST(BufReaderTest, ZeroLengthReadHasNoEffect) {
  Fixture f(kAlphabet, 8);
  Result<size_t> r = f.br->read(nullptr, 0);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value(), 0u);
  EXPECT_TRUE(f.rec->read_sizes.empty());
  EXPECT_EQ(f.br->buffered(), 0u);
}

TEST(BufReaderTest, ZeroCapacityReadsStraightThrough) {
  Fixture f(kAlphabet, 0);
  EXPECT_EQ(ReadStr(*f.br, 1), "a");
  EXPECT_EQ(ReadStr(*f.br, 2), "bc");
  EXPECT_EQ(f.rec->read_sizes, (std::vector<size_t>{1, 2}));
  EXPECT_EQ(f.br->buffered(), 0u);
  EXPECT_EQ(Pos(*f.br), 3u);
}

TEST(BufReaderTest, StreamPositionKeepsTheBuffer) {
  Fixture f(kAlphabet, 8);
  EXPECT_EQ(ReadStr(*f.br, 3), "abc");
  EXPECT_EQ(Pos(*f.br), 3u);  // Inner 8 minus 5 buffered.
  EXPECT_EQ(f.rec->position_queries, 1);
  EXPECT_TRUE(f.rec->seeks.empty());
  EXPECT_EQ(f.br->buffered(), 5u);
  EXPECT_EQ(ReadStr(*f.br, 2), "de");
  EXPECT_EQ(f.rec->read_sizes, std::vector<size_t>{8});  // No new read.
  EXPECT_EQ(Pos(*f.br), 5u);
}

TEST(BufReaderTest, StreamPositionBehindTheBufferIsAnError) {
  Fixture f(kAlphabet, 8);
  EXPECT_EQ(ReadStr(*f.br, 3), "abc");
  f.rec->set_position(2);  // Moved behind the reader's back: 2 < 5 buffered.
  Result<uint64_t> p = f.br->stream_position();
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().kind(), ErrorKind::kOther);
}

TEST(BufReaderTest, SeekStartDiscardsTheBuffer) {
  Fixture f(kAlphabet, 8);
  EXPECT_EQ(ReadStr(*f.br, 3), "abc");
  Result<uint64_t> r = f.br->seek(SeekFrom::Start(4));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value(), 4u);
  ASSERT_EQ(f.rec->seeks.size(), 1u);
  EXPECT_TRUE(SameSeek(f.rec->seeks[0], SeekFrom::Start(4)));
  EXPECT_EQ(f.br->buffered(), 0u);
  EXPECT_EQ(ReadStr(*f.br, 2), "ef");  // Needs a new inner read.
  EXPECT_EQ(f.rec->read_sizes, (std::vector<size_t>{8, 8}));
}

TEST(BufReaderTest, SeekEndDiscardsTheBuffer) {
  Fixture f(kAlphabet, 8);
  EXPECT_EQ(ReadStr(*f.br, 1), "a");
  EXPECT_EQ(f.br->seek(SeekFrom::End(-2)).value(), 24u);
  ASSERT_EQ(f.rec->seeks.size(), 1u);
  EXPECT_TRUE(SameSeek(f.rec->seeks[0], SeekFrom::End(-2)));
  EXPECT_EQ(f.br->buffered(), 0u);
  EXPECT_EQ(ReadStr(*f.br, 5), "yz");
}

TEST(BufReaderTest, SeekCurrentAccountsForTheBuffer) {
  Fixture f(kAlphabet, 8);
  EXPECT_EQ(ReadStr(*f.br, 3), "abc");  // Logical 3, inner 8, remainder 5.
  EXPECT_EQ(f.br->seek(SeekFrom::Current(2)).value(), 5u);
  ASSERT_EQ(f.rec->seeks.size(), 1u);
  EXPECT_TRUE(SameSeek(f.rec->seeks[0], SeekFrom::Current(-3)));  // 2 - 5.
  EXPECT_EQ(f.br->buffered(), 0u);
  EXPECT_EQ(ReadStr(*f.br, 1), "f");
  EXPECT_EQ(f.rec->read_sizes, (std::vector<size_t>{8, 8}));
}

TEST(BufReaderTest, SeekCurrentZeroDiscardsButKeepsThePosition) {
  Fixture f(kAlphabet, 8);
  EXPECT_EQ(ReadStr(*f.br, 3), "abc");
  EXPECT_EQ(f.br->seek(SeekFrom::Current(0)).value(), 3u);
  EXPECT_TRUE(SameSeek(f.rec->seeks.at(0), SeekFrom::Current(-5)));
  EXPECT_EQ(f.br->buffered(), 0u);
  EXPECT_EQ(f.rec->position(), 3u);
  EXPECT_EQ(ReadStr(*f.br, 1), "d");
}

TEST(BufReaderTest, SeekCurrentBackwardsBeforeZeroIsInvalidInput) {
  Fixture f(kAlphabet, 8);
  EXPECT_EQ(ReadStr(*f.br, 3), "abc");
  Result<uint64_t> r = f.br->seek(SeekFrom::Current(-4));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind(), ErrorKind::kInvalidInput);
  EXPECT_TRUE(SameSeek(f.rec->seeks.at(0), SeekFrom::Current(-9)));
  // The inner did not move, so the buffer still matches it: kept, and the
  // logical position is unchanged.
  EXPECT_EQ(f.br->buffered(), 5u);
  EXPECT_EQ(Pos(*f.br), 3u);
  EXPECT_EQ(ReadStr(*f.br, 1), "d");
  EXPECT_EQ(f.rec->read_sizes, std::vector<size_t>{8});
}

TEST(BufReaderTest, FailedSeekKeepsBufferAndPosition) {
  Fixture f(kAlphabet, 8);
  EXPECT_EQ(ReadStr(*f.br, 3), "abc");
  f.rec->fail_seeks = 1;
  Result<uint64_t> r = f.br->seek(SeekFrom::Start(0));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(), "scripted seek failure");
  EXPECT_EQ(f.br->buffered(), 5u);
  EXPECT_EQ(Pos(*f.br), 3u);
}

TEST(BufReaderTest, SeekCurrentI64MinWithBufferSeeksInTwoSteps) {
  Fixture f(kAlphabet, 8);
  EXPECT_EQ(ReadStr(*f.br, 3), "abc");  // Remainder 5.
  // i64::MIN - 5 overflows: back by 5 first, then i64::MIN (which fails).
  Result<uint64_t> r = f.br->seek(SeekFrom::Current(kI64Min));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind(), ErrorKind::kInvalidInput);
  ASSERT_EQ(f.rec->seeks.size(), 2u);
  EXPECT_TRUE(SameSeek(f.rec->seeks[0], SeekFrom::Current(-5)));
  EXPECT_TRUE(SameSeek(f.rec->seeks[1], SeekFrom::Current(kI64Min)));
  // The first seek succeeded, so the buffer was discarded then; the logical
  // position is still 3.
  EXPECT_EQ(f.br->buffered(), 0u);
  EXPECT_EQ(Pos(*f.br), 3u);
  EXPECT_EQ(ReadStr(*f.br, 1), "d");
}

TEST(BufReaderTest, SeekCurrentI64MinSucceedsFromFarEnough) {
  Fixture f(kAlphabet, 8);
  EXPECT_EQ(ReadStr(*f.br, 3), "abc");
  // Make the inner stream's position huge so the second step succeeds:
  // logical = 2^63 + 3 - 5 + ... set inner to 2^63 + 5 (logical 2^63).
  f.rec->set_position(static_cast<uint64_t>(kI64Max) + 1 + 5);
  Result<uint64_t> r = f.br->seek(SeekFrom::Current(kI64Min));
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(r.value(), 0u);
  EXPECT_EQ(f.rec->seeks.size(), 2u);
  EXPECT_EQ(ReadStr(*f.br, 2), "ab");
}

TEST(BufReaderTest, SeekCurrentI64MinWithEmptyBufferIsOneSeek) {
  Fixture f(kAlphabet, 8);
  Result<uint64_t> r = f.br->seek(SeekFrom::Current(kI64Min));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind(), ErrorKind::kInvalidInput);
  ASSERT_EQ(f.rec->seeks.size(), 1u);
  EXPECT_TRUE(SameSeek(f.rec->seeks[0], SeekFrom::Current(kI64Min)));
}

TEST(BufReaderTest, SeekCurrentI64MaxWithBuffer) {
  Fixture f(kAlphabet, 8);
  EXPECT_EQ(ReadStr(*f.br, 3), "abc");
  Result<uint64_t> r = f.br->seek(SeekFrom::Current(kI64Max));
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_TRUE(SameSeek(f.rec->seeks.at(0), SeekFrom::Current(kI64Max - 5)));
  EXPECT_EQ(r.value(), 3u + static_cast<uint64_t>(kI64Max));
  EXPECT_EQ(ReadStr(*f.br, 4), "");  // Past the end.
}

TEST(BufReaderTest, PositionsAfterEveryOperation) {
  Fixture f(kAlphabet, 4);
  EXPECT_EQ(Pos(*f.br), 0u);
  ReadStr(*f.br, 1);
  EXPECT_EQ(Pos(*f.br), 1u);
  ReadStr(*f.br, 10);  // Drains "bcd".
  EXPECT_EQ(Pos(*f.br), 4u);
  ReadStr(*f.br, 10);  // Bypass.
  EXPECT_EQ(Pos(*f.br), 14u);
  EXPECT_EQ(f.br->seek(SeekFrom::Current(-10)).value(), 4u);
  EXPECT_EQ(Pos(*f.br), 4u);
  EXPECT_EQ(ReadStr(*f.br, 2), "ef");
  EXPECT_EQ(Pos(*f.br), 6u);
  EXPECT_EQ(f.br->seek(SeekFrom::End(0)).value(), 26u);
  EXPECT_EQ(Pos(*f.br), 26u);
  EXPECT_EQ(ReadStr(*f.br, 2), "");
  EXPECT_EQ(Pos(*f.br), 26u);
}

TEST(BufReaderTest, GetRefIsTheInner) {
  Fixture f(kAlphabet, 8);
  EXPECT_EQ(&f.br->get_ref(), f.rec);
}

}  // namespace
}  // namespace tsh
