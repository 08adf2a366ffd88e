// BufWriter against Rust's BufWriter<W>: what reaches the inner writer and
// when, how errors of the inner writer surface (or are dropped on
// destruction).
#include "bridge/buf_writer.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "bridge/by_ref.h"

namespace tsh {
namespace {

// A Write that records every call and replays scripted answers: each write
// takes the next scripted outcome (an error, or a cap on bytes accepted);
// with no script left it accepts everything.
class RecordingWrite : public Write {
 public:
  struct Outcome {
    bool fail = false;
    ErrorKind kind = ErrorKind::kOther;
    size_t max_accept = SIZE_MAX;  // When not failing.
  };
  static Outcome Fail(ErrorKind k) { return Outcome{true, k, 0}; }
  static Outcome Accept(size_t n) { return Outcome{false, ErrorKind::kOther, n}; }

  Result<size_t> write(const uint8_t* buf, size_t n) override {
    write_sizes.push_back(n);
    Outcome o;
    if (!script.empty()) {
      o = script.front();
      script.pop_front();
    }
    if (o.fail) return Error(o.kind, "scripted failure");
    size_t take = n < o.max_accept ? n : o.max_accept;
    data.insert(data.end(), buf, buf + take);
    return take;
  }
  Status flush() override {
    ++flushes;
    if (fail_flush) return Error(ErrorKind::kOther, "scripted flush failure");
    return Ok();
  }

  std::string str() const { return std::string(data.begin(), data.end()); }

  std::vector<uint8_t> data;          // Bytes accepted, in order.
  std::vector<size_t> write_sizes;    // n of every write call.
  std::deque<Outcome> script;
  int flushes = 0;
  bool fail_flush = false;
};

// A BufWriter over a RecordingWrite that the test keeps looking at, even
// after the BufWriter is gone.
struct Fixture {
  explicit Fixture(size_t capacity)
      : bw(std::make_unique<WriteRef>(rec), capacity) {}
  RecordingWrite rec;
  BufWriter bw;
};

Result<size_t> WriteStr(Write& w, const std::string& s) {
  return w.write(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

std::string Buffered(const BufWriter& bw) {
  return std::string(bw.buffer().begin(), bw.buffer().end());
}

TEST(BufWriterTest, DefaultCapacityIs8192) {
  BufWriter bw(std::make_unique<RecordingWrite>());
  EXPECT_EQ(bw.capacity(), 8192u);
  EXPECT_TRUE(bw.buffer().empty());
}

TEST(BufWriterTest, SmallWritesAreBufferedUntilFlush) {
  Fixture f(8);
  ASSERT_EQ(WriteStr(f.bw, "abc").value(), 3u);
  ASSERT_EQ(WriteStr(f.bw, "de").value(), 2u);
  EXPECT_TRUE(f.rec.write_sizes.empty());  // The inner saw nothing.
  EXPECT_EQ(Buffered(f.bw), "abcde");
  ASSERT_TRUE(f.bw.flush().ok());
  EXPECT_EQ(f.rec.write_sizes, std::vector<size_t>{5});
  EXPECT_EQ(f.rec.str(), "abcde");
  EXPECT_EQ(f.rec.flushes, 1);  // flush() reaches the inner flush.
  EXPECT_TRUE(f.bw.buffer().empty());
}

TEST(BufWriterTest, WriteThatFitsExactlyStaysBuffered) {
  Fixture f(8);
  ASSERT_EQ(WriteStr(f.bw, "abc").value(), 3u);
  ASSERT_EQ(WriteStr(f.bw, "defgh").value(), 5u);  // n == spare: no flush.
  EXPECT_TRUE(f.rec.write_sizes.empty());
  EXPECT_EQ(Buffered(f.bw), "abcdefgh");
  // Buffer full: even one byte is more than the spare room.
  ASSERT_EQ(WriteStr(f.bw, "i").value(), 1u);
  EXPECT_EQ(f.rec.write_sizes, std::vector<size_t>{8});
  EXPECT_EQ(Buffered(f.bw), "i");
}

TEST(BufWriterTest, OverflowingWriteFlushesThenBuffers) {
  Fixture f(8);
  ASSERT_EQ(WriteStr(f.bw, "abcde").value(), 5u);
  ASSERT_EQ(WriteStr(f.bw, "fghi").value(), 4u);  // 4 > 3 spare.
  EXPECT_EQ(f.rec.write_sizes, std::vector<size_t>{5});
  EXPECT_EQ(f.rec.str(), "abcde");
  EXPECT_EQ(Buffered(f.bw), "fghi");
  EXPECT_EQ(f.rec.flushes, 0);  // Only flush() calls the inner flush.
}

TEST(BufWriterTest, LargeWriteBypassesTheBufferWithOneCall) {
  Fixture f(8);
  ASSERT_EQ(WriteStr(f.bw, "abcdefgh").value(), 8u);  // n == capacity.
  EXPECT_EQ(f.rec.write_sizes, std::vector<size_t>{8});
  EXPECT_TRUE(f.bw.buffer().empty());
  ASSERT_EQ(WriteStr(f.bw, "0123456789").value(), 10u);
  EXPECT_EQ(f.rec.write_sizes, (std::vector<size_t>{8, 10}));
  EXPECT_EQ(f.rec.str(), "abcdefgh0123456789");
}

TEST(BufWriterTest, LargeWriteFlushesBufferedBytesFirst) {
  Fixture f(8);
  ASSERT_EQ(WriteStr(f.bw, "ab").value(), 2u);
  ASSERT_EQ(WriteStr(f.bw, "0123456789").value(), 10u);
  EXPECT_EQ(f.rec.write_sizes, (std::vector<size_t>{2, 10}));
  EXPECT_EQ(f.rec.str(), "ab0123456789");
}

TEST(BufWriterTest, LargeWriteResultIsPassedBackAsIs) {
  Fixture f(4);
  f.rec.script = {RecordingWrite::Accept(3)};
  Result<size_t> r = WriteStr(f.bw, "abcdefgh");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value(), 3u);  // Short, not completed by the BufWriter.
  EXPECT_EQ(f.rec.write_sizes, std::vector<size_t>{8});
  EXPECT_TRUE(f.bw.buffer().empty());

  f.rec.script = {RecordingWrite::Fail(ErrorKind::kInterrupted)};
  r = WriteStr(f.bw, "abcdefgh");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind(), ErrorKind::kInterrupted);  // Not retried.
  EXPECT_EQ(f.rec.write_sizes, (std::vector<size_t>{8, 8}));
}

TEST(BufWriterTest, FlushErrorOnOverflowIsReturnedAndNothingIsTaken) {
  Fixture f(8);
  ASSERT_EQ(WriteStr(f.bw, "abcde").value(), 5u);
  f.rec.script = {RecordingWrite::Fail(ErrorKind::kBrokenPipe)};
  Result<size_t> r = WriteStr(f.bw, "fghi");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind(), ErrorKind::kBrokenPipe);
  EXPECT_EQ(Buffered(f.bw), "abcde");  // "fghi" was not taken.
  EXPECT_TRUE(f.rec.data.empty());
}

TEST(BufWriterTest, FlushPropagatesInnerWriteErrorAndKeepsTheRest) {
  Fixture f(16);
  ASSERT_EQ(WriteStr(f.bw, "abcdefghij").value(), 10u);
  f.rec.script = {RecordingWrite::Accept(4),
                  RecordingWrite::Fail(ErrorKind::kPermissionDenied)};
  Status s = f.bw.flush();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().kind(), ErrorKind::kPermissionDenied);
  EXPECT_EQ(f.rec.str(), "abcd");
  EXPECT_EQ(Buffered(f.bw), "efghij");  // Unwritten rest kept.
  EXPECT_EQ(f.rec.flushes, 0);  // Inner flush not reached.
  ASSERT_TRUE(f.bw.flush().ok());  // A later flush delivers the rest.
  EXPECT_EQ(f.rec.str(), "abcdefghij");
  EXPECT_EQ(f.rec.flushes, 1);
}

TEST(BufWriterTest, FlushLoopsOverShortWritesAndRetriesInterrupted) {
  Fixture f(16);
  ASSERT_EQ(WriteStr(f.bw, "abcdefgh").value(), 8u);
  f.rec.script = {RecordingWrite::Accept(3),
                  RecordingWrite::Fail(ErrorKind::kInterrupted),
                  RecordingWrite::Accept(2)};
  ASSERT_TRUE(f.bw.flush().ok());
  EXPECT_EQ(f.rec.write_sizes, (std::vector<size_t>{8, 5, 5, 3}));
  EXPECT_EQ(f.rec.str(), "abcdefgh");
  EXPECT_TRUE(f.bw.buffer().empty());
}

TEST(BufWriterTest, FlushTurnsZeroIntoWriteZero) {
  Fixture f(16);
  ASSERT_EQ(WriteStr(f.bw, "abcdef").value(), 6u);
  f.rec.script = {RecordingWrite::Accept(2), RecordingWrite::Accept(0)};
  Status s = f.bw.flush();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().kind(), ErrorKind::kWriteZero);
  EXPECT_EQ(s.error().message(), "failed to write the buffered data");
  EXPECT_EQ(Buffered(f.bw), "cdef");
  EXPECT_EQ(f.rec.flushes, 0);
}

TEST(BufWriterTest, InnerFlushErrorIsPropagated) {
  Fixture f(16);
  ASSERT_EQ(WriteStr(f.bw, "ab").value(), 2u);
  f.rec.fail_flush = true;
  Status s = f.bw.flush();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message(), "scripted flush failure");
  EXPECT_EQ(f.rec.str(), "ab");  // The buffer went out before.
  EXPECT_TRUE(f.bw.buffer().empty());
}

TEST(BufWriterTest, DestructionFlushesTheBufferButNotTheInner) {
  RecordingWrite rec;
  {
    BufWriter bw(std::make_unique<WriteRef>(rec), 16);
    ASSERT_EQ(WriteStr(bw, "tail").value(), 4u);
    EXPECT_TRUE(rec.data.empty());
  }
  EXPECT_EQ(rec.str(), "tail");
  EXPECT_EQ(rec.flushes, 0);  // Rust's Drop calls flush_buf only.
}

TEST(BufWriterTest, DestructionIgnoresAFailingFlush) {
  RecordingWrite rec;
  {
    BufWriter bw(std::make_unique<WriteRef>(rec), 16);
    ASSERT_EQ(WriteStr(bw, "lost").value(), 4u);
    rec.script = {RecordingWrite::Fail(ErrorKind::kBrokenPipe)};
  }  // Must neither crash nor throw nor retry.
  EXPECT_EQ(rec.write_sizes, std::vector<size_t>{4});
  EXPECT_TRUE(rec.data.empty());
  EXPECT_EQ(rec.flushes, 0);
}

TEST(BufWriterTest, DestructionRetriesInterruptedAndStopsOnWriteZero) {
  RecordingWrite rec;
  {
    BufWriter bw(std::make_unique<WriteRef>(rec), 16);
    ASSERT_EQ(WriteStr(bw, "abcd").value(), 4u);
    rec.script = {RecordingWrite::Fail(ErrorKind::kInterrupted),
                  RecordingWrite::Accept(1), RecordingWrite::Accept(0)};
  }
  EXPECT_EQ(rec.write_sizes, (std::vector<size_t>{4, 4, 3}));
  EXPECT_EQ(rec.str(), "a");
}

TEST(BufWriterTest, EmptyBufferFlushDoesNotWrite) {
  Fixture f(8);
  ASSERT_TRUE(f.bw.flush().ok());
  EXPECT_TRUE(f.rec.write_sizes.empty());
  EXPECT_EQ(f.rec.flushes, 1);
}

TEST(BufWriterTest, ZeroLengthWriteHasNoEffect) {
  Fixture f(8);
  ASSERT_EQ(WriteStr(f.bw, "abcdefgh").value(), 8u);  // Bypassed.
  ASSERT_EQ(WriteStr(f.bw, "abc").value(), 3u);
  Result<size_t> r = f.bw.write(nullptr, 0);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value(), 0u);
  EXPECT_EQ(Buffered(f.bw), "abc");
  EXPECT_EQ(f.rec.write_sizes, std::vector<size_t>{8});
}

TEST(BufWriterTest, ZeroCapacityWritesEverythingThrough) {
  Fixture f(0);
  ASSERT_EQ(WriteStr(f.bw, "a").value(), 1u);
  ASSERT_EQ(WriteStr(f.bw, "bc").value(), 2u);
  EXPECT_EQ(f.rec.write_sizes, (std::vector<size_t>{1, 2}));
  EXPECT_TRUE(f.bw.buffer().empty());
}

TEST(BufWriterTest, WriteAllThroughBufWriter) {
  Fixture f(8);
  const std::string s = "0123456789abcdefghij";  // 20 bytes.
  ASSERT_TRUE(WriteAll(f.bw, reinterpret_cast<const uint8_t*>(s.data()), 3).ok());
  ASSERT_TRUE(
      WriteAll(f.bw, reinterpret_cast<const uint8_t*>(s.data()) + 3, 17).ok());
  EXPECT_EQ(f.rec.write_sizes, (std::vector<size_t>{3, 17}));
  EXPECT_EQ(f.rec.str(), s);
}

TEST(BufWriterTest, IntoInnerFlushesAndHandsOwnershipBack) {
  auto owned = std::make_unique<RecordingWrite>();
  RecordingWrite* rec = owned.get();
  BufWriter bw(std::move(owned), 8);
  ASSERT_EQ(WriteStr(bw, "xyz").value(), 3u);
  EXPECT_EQ(&bw.get_ref(), rec);
  Result<std::unique_ptr<Write>> inner = bw.into_inner();
  ASSERT_TRUE(inner.ok()) << inner.error().ToString();
  EXPECT_EQ(inner.value().get(), rec);
  EXPECT_EQ(rec->str(), "xyz");
  EXPECT_EQ(rec->flushes, 0);  // into_inner flushes the buffer only.
  // Detached: writing again is an error, not a crash or silent loss.
  Result<size_t> w = WriteStr(bw, "more");
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.error().kind(), ErrorKind::kOther);
  EXPECT_FALSE(bw.flush().ok());
}

TEST(BufWriterTest, IntoInnerErrorKeepsOwnershipAndBuffer) {
  auto owned = std::make_unique<RecordingWrite>();
  RecordingWrite* rec = owned.get();
  BufWriter bw(std::move(owned), 8);
  ASSERT_EQ(WriteStr(bw, "xyz").value(), 3u);
  rec->script = {RecordingWrite::Fail(ErrorKind::kWouldBlock)};
  Result<std::unique_ptr<Write>> inner = bw.into_inner();
  ASSERT_FALSE(inner.ok());
  EXPECT_EQ(inner.error().kind(), ErrorKind::kWouldBlock);
  EXPECT_EQ(&bw.get_ref(), rec);  // Still owned by bw.
  EXPECT_EQ(Buffered(bw), "xyz");
  ASSERT_TRUE(bw.flush().ok());
  EXPECT_EQ(rec->str(), "xyz");
}

}  // namespace
}  // namespace tsh
