// WriteRef and ReadStreamRef against Rust's `&mut W`: every call forwarded
// unchanged, and the referent survives the wrapper.
#include "bridge/by_ref.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "bridge/buf_reader.h"
#include "bridge/buf_writer.h"
#include "bridge/cursor.h"

namespace tsh {
namespace {

std::vector<uint8_t> B(const std::string& s) {
  return std::vector<uint8_t>(s.begin(), s.end());
}

// A Write that counts calls and fails when told to.
class CountingWrite : public Write {
 public:
  Result<size_t> write(const uint8_t* buf, size_t n) override {
    ++writes;
    if (fail) return Error(ErrorKind::kBrokenPipe, "scripted");
    data.insert(data.end(), buf, buf + n);
    return n;
  }
  Status flush() override {
    ++flushes;
    if (fail) return Error(ErrorKind::kBrokenPipe, "scripted");
    return Ok();
  }
  std::vector<uint8_t> data;
  int writes = 0;
  int flushes = 0;
  bool fail = false;
};

// A ReadStream whose stream_position is distinguishable from seek(Current(0)).
class PositionProbe : public ReadStream {
 public:
  Result<size_t> read(uint8_t*, size_t) override {
    ++reads;
    return static_cast<size_t>(0);
  }
  Result<uint64_t> seek(SeekFrom) override {
    ++seeks;
    return static_cast<uint64_t>(111);
  }
  Result<uint64_t> stream_position() override {
    ++positions;
    return static_cast<uint64_t>(222);
  }
  int reads = 0, seeks = 0, positions = 0;
};

TEST(WriteRefTest, ForwardsWriteAndFlush) {
  CountingWrite w;
  WriteRef ref(w);
  const std::string s = "abc";
  Result<size_t> r = ref.write(reinterpret_cast<const uint8_t*>(s.data()), 3);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value(), 3u);
  EXPECT_TRUE(ref.flush().ok());
  EXPECT_EQ(w.writes, 1);
  EXPECT_EQ(w.flushes, 1);
  EXPECT_EQ(w.data, B("abc"));
  EXPECT_EQ(&ref.get_ref(), &w);
}

TEST(WriteRefTest, ForwardsErrors) {
  CountingWrite w;
  w.fail = true;
  WriteRef ref(w);
  const uint8_t b = 0;
  Result<size_t> r = ref.write(&b, 1);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind(), ErrorKind::kBrokenPipe);
  Status s = ref.flush();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().kind(), ErrorKind::kBrokenPipe);
}

TEST(WriteRefTest, DestroyingTheRefLeavesTheReferentUsable) {
  Cursor c;
  {
    auto ref = std::make_unique<WriteRef>(c);
    const std::string s = "xy";
    ASSERT_TRUE(WriteAll(*ref, reinterpret_cast<const uint8_t*>(s.data()), 2).ok());
  }
  EXPECT_EQ(c.data(), B("xy"));
  const uint8_t z = 'z';
  ASSERT_TRUE(c.write(&z, 1).ok());
  EXPECT_EQ(c.data(), B("xyz"));
}

TEST(WriteRefTest, LendsAStreamToABufWriter) {
  Cursor c;
  {
    BufWriter bw(std::make_unique<WriteRef>(c), 16);
    const std::string s = "buffered";
    ASSERT_TRUE(bw.write(reinterpret_cast<const uint8_t*>(s.data()), s.size()).ok());
    EXPECT_TRUE(c.data().empty());
  }  // The BufWriter's drop delivers into the borrowed cursor.
  EXPECT_EQ(c.data(), B("buffered"));
  EXPECT_EQ(c.position(), 8u);
}

TEST(ReadStreamRefTest, ForwardsReadSeekAndPosition) {
  Cursor c(B("abcdef"));
  ReadStreamRef ref(c);
  uint8_t buf[3];
  Result<size_t> r = ref.read(buf, 3);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value(), 3u);
  EXPECT_EQ(std::string(buf, buf + 3), "abc");
  EXPECT_EQ(c.position(), 3u);
  EXPECT_EQ(ref.seek(SeekFrom::End(-1)).value(), 5u);
  EXPECT_EQ(c.position(), 5u);
  EXPECT_EQ(ref.stream_position().value(), 5u);
  Result<uint64_t> bad = ref.seek(SeekFrom::Current(-6));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().kind(), ErrorKind::kInvalidInput);
  EXPECT_EQ(c.position(), 5u);
  EXPECT_EQ(&ref.get_ref(), &c);
}

TEST(ReadStreamRefTest, ForwardsStreamPositionAsStreamPosition) {
  PositionProbe p;
  ReadStreamRef ref(p);
  EXPECT_EQ(ref.stream_position().value(), 222u);  // Not seek's 111.
  EXPECT_EQ(p.positions, 1);
  EXPECT_EQ(p.seeks, 0);
  EXPECT_EQ(ref.seek(SeekFrom::Start(0)).value(), 111u);
  EXPECT_EQ(p.seeks, 1);
  uint8_t b;
  EXPECT_EQ(ref.read(&b, 1).value(), 0u);
  EXPECT_EQ(p.reads, 1);
}

TEST(ReadStreamRefTest, BorrowedBufReaderKeepsItsBufferOnStreamPosition) {
  BufReader br(std::make_unique<Cursor>(B("abcdefghij")), 4);
  uint8_t b[2];
  ASSERT_EQ(br.read(b, 2).value(), 2u);
  ASSERT_EQ(br.buffered(), 2u);
  {
    ReadStreamRef ref(br);
    EXPECT_EQ(ref.stream_position().value(), 2u);
    EXPECT_EQ(br.buffered(), 2u);  // Forwarded as stream_position, not seek.
    ASSERT_EQ(ref.read(b, 2).value(), 2u);
    EXPECT_EQ(std::string(b, b + 2), "cd");
  }
  // The referent is intact after the ref is gone.
  EXPECT_EQ(br.stream_position().value(), 4u);
  ASSERT_EQ(br.read(b, 2).value(), 2u);
  EXPECT_EQ(std::string(b, b + 2), "ef");
}

}  // namespace
}  // namespace tsh
