// The hardened bridge's guarantees, checked through the safe API with real
// tsh streams (the fault matrix checks them cell by cell through the ABI):
// - a stream that moves 1 byte per read or write, or answers Interrupted on
//   every other read and write, round-trips exactly, for every stream type;
// - no hardened save reports success unless every byte reached the stream
//   and the flush succeeded;
// - the stream handed over is destroyed exactly once, on every path;
// - the adapters' limits hold exactly: 64 Interrupted in a row retried, one
//   more fatal; any other error fatal at once; an early end of the stream
//   and a count larger than asked reported as such.
#include <memory>
#include <string>
#include <vector>

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include "bridge/buf_reader.h"
#include "bridge/buf_writer.h"
#include "bridge/by_ref.h"
#include "bridge/cursor.h"
#include "bridge/fault_stream.h"
#include "bridge/file_stream.h"
#include "bridge/hardened_write_adapter.h"
#include "bridge/raw_stream.h"
#include "bridge/tensor_io.h"
#include "bridge/torch_api.h"
#include "testing/temp_files.h"
#include "testing/tensors.h"

namespace tsh {
namespace {

using test::BitEqual;
using test::NamedBitEqual;
using test::PatternTensor;
using test::TempPath;

enum class Kind { kCursor, kFile, kBuffered };
enum class Pattern { kOneByte, kInterruptedEveryOther };

struct Case {
  Kind kind;
  Pattern pattern;
  int64_t floats;
};

FaultPlan PlanOf(Pattern p) {
  FaultPlan plan;
  for (Op op : {Op::kRead, Op::kWrite}) {
    if (p == Pattern::kOneByte) {
      plan.Always(op, Fault::Limit(1));
    } else {
      plan.Every(op, 2, 0, Fault::Err(ErrorKind::kInterrupted));
    }
  }
  return plan;
}

std::string CaseName(const ::testing::TestParamInfo<Case>& info) {
  const char* kinds[] = {"Cursor", "File", "BufWriterBufReaderOverFile"};
  return std::string(kinds[static_cast<int>(info.param.kind)]) +
         (info.param.pattern == Pattern::kOneByte ? "OneBytePerCall" : "InterruptedEveryOther") +
         std::to_string(info.param.floats * 4) + "Bytes";
}

class HardenedLegalStreams : public ::testing::TestWithParam<Case> {};

// The faulty stream is the one the bridge is handed: a FaultStream over the
// stream type (so a BufWriter sees whole chunks, and the bridge sees 1 byte).
TEST_P(HardenedLegalStreams, RoundTripExactly) {
  const Case c = GetParam();
  const at::Tensor t = PatternTensor(at::kFloat, {c.floats}, 5);
  const std::string path = TempPath(CaseName({c, 0}) + ".pt");
  Cursor memory;
  uint64_t faults = 0;
  {
    std::unique_ptr<Write> sink;
    switch (c.kind) {
      case Kind::kCursor:
        sink = std::make_unique<WriteRef>(memory);
        break;
      case Kind::kFile: {
        auto f = FileStream::Create(path);
        ASSERT_TRUE(f.ok()) << f.error().ToString();
        sink = std::move(f).value();
        break;
      }
      case Kind::kBuffered: {
        auto f = FileStream::Create(path);
        ASSERT_TRUE(f.ok()) << f.error().ToString();
        sink = std::make_unique<BufWriter>(std::move(f).value());
        break;
      }
    }
    FaultStream faulty(std::move(sink), PlanOf(c.pattern));
    Status saved = SaveTensor(t, faulty, Mode::kHardened);
    ASSERT_TRUE(saved.ok()) << saved.error().ToString();
    faults += faulty.faults();
  }
  std::unique_ptr<ReadStream> source;
  switch (c.kind) {
    case Kind::kCursor:
      source = std::make_unique<Cursor>(memory.into_inner());
      break;
    case Kind::kFile: {
      auto f = FileStream::Open(path);
      ASSERT_TRUE(f.ok()) << f.error().ToString();
      source = std::move(f).value();
      break;
    }
    case Kind::kBuffered: {
      auto f = FileStream::Open(path);
      ASSERT_TRUE(f.ok()) << f.error().ToString();
      source = std::make_unique<BufReader>(std::move(f).value());
      break;
    }
  }
  FaultStream faulty(std::move(source), PlanOf(c.pattern));
  Result<at::Tensor> got = LoadTensor(faulty, Mode::kHardened);
  ASSERT_TRUE(got.ok()) << got.error().ToString();
  std::string why;
  EXPECT_TRUE(BitEqual(t, got.value(), &why)) << why;
  // The faults were really met, on both sides.
  EXPECT_GT(faults, 0u);
  EXPECT_GT(faulty.faults(), 0u);
}

constexpr int64_t kSmall = 1000;                 // 4 KB
constexpr int64_t kMedium = 64 * 1024;           // 256 KiB
constexpr int64_t kLarge = 4 * 1024 * 1024;      // 16 MiB

INSTANTIATE_TEST_SUITE_P(
    AllStreams, HardenedLegalStreams,
    ::testing::Values(
        // One byte per call costs a syscall per byte on a bare file and
        // ~0.4 us per byte elsewhere: the 16 MiB case runs on memory only.
        Case{Kind::kCursor, Pattern::kOneByte, kSmall},
        Case{Kind::kCursor, Pattern::kOneByte, kLarge},
        Case{Kind::kFile, Pattern::kOneByte, kSmall},
        Case{Kind::kFile, Pattern::kOneByte, kMedium},
        Case{Kind::kBuffered, Pattern::kOneByte, kSmall},
        Case{Kind::kBuffered, Pattern::kOneByte, 4 * kMedium},
        Case{Kind::kCursor, Pattern::kInterruptedEveryOther, kSmall},
        Case{Kind::kCursor, Pattern::kInterruptedEveryOther, kLarge},
        Case{Kind::kFile, Pattern::kInterruptedEveryOther, kSmall},
        Case{Kind::kFile, Pattern::kInterruptedEveryOther, kLarge},
        Case{Kind::kBuffered, Pattern::kInterruptedEveryOther, kSmall},
        Case{Kind::kBuffered, Pattern::kInterruptedEveryOther, kLarge}),
    CaseName);

TEST(HardenedNamedTensors, OneBytePerCallRoundTrips) {
  NamedTensors saved = {{"a.weight", PatternTensor(at::kFloat, {64, 32}, 1)},
                        {"a.bias", PatternTensor(at::kDouble, {32}, 2)},
                        {"head", PatternTensor(at::kLong, {7}, 3)}};
  Cursor memory;
  FaultStream w(std::unique_ptr<Write>(new WriteRef(memory)), PlanOf(Pattern::kOneByte));
  Status s = SaveNamedTensors(saved, w, Mode::kHardened);
  ASSERT_TRUE(s.ok()) << s.error().ToString();
  memory.set_position(0);
  FaultStream r(std::unique_ptr<ReadStream>(new ReadStreamRef(memory)), PlanOf(Pattern::kOneByte));
  Result<NamedTensors> got = LoadNamedTensors(r, std::nullopt, Mode::kHardened);
  ASSERT_TRUE(got.ok()) << got.error().ToString();
  std::string why;
  EXPECT_TRUE(NamedBitEqual(saved, got.value(), &why)) << why;
}

// The archive a fault-free hardened save writes.
std::vector<uint8_t> CleanArchive(const at::Tensor& t, uint64_t* writes) {
  Cursor memory;
  FaultStream counter(std::unique_ptr<Write>(new WriteRef(memory)), FaultPlan());
  EXPECT_TRUE(SaveTensor(t, counter, Mode::kHardened).ok());
  *writes = counter.calls(Op::kWrite);
  return memory.into_inner();
}

// Every write call k, every way a byte can fail to arrive: the save must
// fail; and whenever a save succeeds, the sink holds the whole archive.
TEST(HardenedSave, NeverSucceedsWhenAByteIsLost) {
  // Data larger than HardenedWriteAdapter::kCoalesce: the records before
  // it, the data and the directory after it are three writes at least.
  const at::Tensor t = PatternTensor(at::kFloat, {10000}, 9);
  uint64_t writes = 0;
  const std::vector<uint8_t> clean = CleanArchive(t, &writes);
  ASSERT_GE(writes, 3u);
  for (uint64_t k = 0; k < writes; ++k) {
    for (Fault f : {Fault::Err(ErrorKind::kBrokenPipe), Fault::Err(ErrorKind::kWouldBlock),
                    Fault::Zero()}) {
      Cursor memory;
      FaultStream faulty(std::unique_ptr<Write>(new WriteRef(memory)),
                         FaultPlan().At(Op::kWrite, k, f));
      Status s = SaveTensor(t, faulty, Mode::kHardened);
      EXPECT_FALSE(s.ok()) << "write " << k << " " << f.ToString() << ": save succeeded";
      EXPECT_LT(memory.data().size(), clean.size()) << "write " << k << " " << f.ToString();
    }
    for (Fault f : {Fault::Limit(1), Fault::Half(), Fault::Err(ErrorKind::kInterrupted)}) {
      Cursor memory;
      FaultStream faulty(std::unique_ptr<Write>(new WriteRef(memory)),
                         FaultPlan().At(Op::kWrite, k, f));
      Status s = SaveTensor(t, faulty, Mode::kHardened);
      ASSERT_TRUE(s.ok()) << "write " << k << " " << f.ToString() << ": " << s.error().ToString();
      EXPECT_EQ(memory.data(), clean) << "write " << k << " " << f.ToString();
    }
  }
}

// Small chunks are gathered: 200 small tensors, whose records LibTorch
// hands over in more than a thousand pieces, reach the stream in a few
// writes of at most kCoalesce bytes, and the archive is the same.
TEST(HardenedSave, GathersSmallChunksIntoFewWrites) {
  NamedTensors saved;
  for (int i = 0; i < 200; ++i) {
    saved.emplace_back("layer" + std::to_string(i), PatternTensor(at::kFloat, {16}, i));
  }
  Cursor faithful_sink;
  FaultStream faithful(std::unique_ptr<Write>(new WriteRef(faithful_sink)), FaultPlan());
  ASSERT_TRUE(SaveNamedTensors(saved, faithful, Mode::kFaithful).ok());
  Cursor hardened_sink;
  FaultStream hardened(std::unique_ptr<Write>(new WriteRef(hardened_sink)), FaultPlan());
  Status s = SaveNamedTensors(saved, hardened, Mode::kHardened);
  ASSERT_TRUE(s.ok()) << s.error().ToString();
  EXPECT_EQ(hardened_sink.data(), faithful_sink.data());
  const uint64_t bytes = hardened_sink.data().size();
  const uint64_t fewest = (bytes + HardenedWriteAdapter::kCoalesce - 1) / HardenedWriteAdapter::kCoalesce;
  EXPECT_GT(faithful.calls(Op::kWrite), 1000u);
  EXPECT_GE(hardened.calls(Op::kWrite), fewest);
  EXPECT_LE(hardened.calls(Op::kWrite), 2 * fewest);
}

// A stream that reports more bytes written than it was given.
class OvercountingWrite : public Write {
 public:
  Result<size_t> write(const uint8_t*, size_t n) override { return n + 1; }
  Status flush() override { return Ok(); }
};

TEST(HardenedSave, ACountLargerThanAskedFails) {
  OvercountingWrite w;
  Status s = SaveTensor(PatternTensor(at::kFloat, {10}, 1), w, Mode::kHardened);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().kind(), ErrorKind::kInvalidData);
  EXPECT_NE(s.error().message().find("bytes written of"), std::string::npos)
      << s.error().message();
}

TEST(HardenedSave, FailsWhenTheFlushFails) {
  const at::Tensor t = PatternTensor(at::kFloat, {1000}, 9);
  Cursor memory;
  FaultStream faulty(std::unique_ptr<Write>(new WriteRef(memory)),
                     FaultPlan().Always(Op::kFlush, Fault::Err(ErrorKind::kOther)));
  Status s = SaveTensor(t, faulty, Mode::kHardened);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message().find("flush"), std::string::npos) << s.error().ToString();
}

// Under a BufWriter the bytes reach the sink only when the buffer is
// written out: a failure there must still fail the hardened save (the
// faithful one reports success: fault matrix, bufwriter cells).
TEST(HardenedSave, FailsWhenABufWriterCannotWriteItsBufferOut) {
  const at::Tensor t = PatternTensor(at::kFloat, {1000}, 9);
  for (Fault f : {Fault::Err(ErrorKind::kBrokenPipe), Fault::Zero()}) {
    Cursor memory;
    BufWriter buffered(std::make_unique<FaultStream>(
        std::unique_ptr<Write>(new WriteRef(memory)), FaultPlan().Always(Op::kWrite, f)));
    Status s = SaveTensor(t, buffered, Mode::kHardened);
    EXPECT_FALSE(s.ok()) << f.ToString() << ": save succeeded with " << memory.data().size()
                         << " bytes in the sink";
  }
}

// --- The hardened adapters' limits, exactly (hardened_read_adapter.h,
// hardened_write_adapter.h) ----------------------------------------------

// A 128 KiB tensor: its archive is larger than the tail the hardened load
// reads first (HardenedReadAdapter::kTail).
at::Tensor TailPlusTensor() { return PatternTensor(at::kFloat, {32768}, 5); }

std::vector<uint8_t> ArchiveOf(const at::Tensor& t) {
  Cursor c;
  EXPECT_TRUE(SaveTensor(t, c, Mode::kHardened).ok());
  return c.data();
}

// `n` Interrupted in a row on the first calls of `op`.
FaultPlan InterruptedInARow(Op op, int n) {
  FaultPlan plan;
  for (int k = 0; k < n; ++k) plan.At(op, k, Fault::Err(ErrorKind::kInterrupted));
  return plan;
}

TEST(HardenedRetries, UpToTheLimitOfInterruptedInARowAreRetriedOneMoreFails) {
  const at::Tensor t = TailPlusTensor();
  const int limit = 64;  // kMaxInterruptedRetries of both adapters.
  for (int n : {limit, limit + 1}) {
    SCOPED_TRACE(std::to_string(n) + " Interrupted in a row");
    Cursor memory;
    FaultStream sink(std::unique_ptr<Write>(new WriteRef(memory)), InterruptedInARow(Op::kWrite, n));
    EXPECT_EQ(SaveTensor(t, sink, Mode::kHardened).ok(), n == limit);
    FaultStream source(std::unique_ptr<Stream>(new Cursor(ArchiveOf(t))),
                       InterruptedInARow(Op::kRead, n));
    EXPECT_EQ(LoadTensor(source, Mode::kHardened).ok(), n == limit);
  }
}

TEST(HardenedLoad, AnErrorWhileSizingFailsAtOnce) {
  // Seek call 0 asks where the archive starts; call 1 sizes it. Only a
  // refused seek before byte 0 (InvalidInput) means "smaller than the tail".
  FaultStream source(std::unique_ptr<Stream>(new Cursor(ArchiveOf(TailPlusTensor()))),
                     FaultPlan().At(Op::kSeek, 1, Fault::Err(ErrorKind::kWouldBlock)));
  Result<at::Tensor> back = LoadTensor(source, Mode::kHardened);
  ASSERT_FALSE(back.ok());
  EXPECT_EQ(back.error().kind(), ErrorKind::kWouldBlock) << back.error().ToString();
}

TEST(HardenedLoad, AStreamEndingEarlyIsReportedAsSuch) {
  // Read call 0 reads the tail at the archive's end; call 1 reads its
  // start, and gets a premature end of file.
  FaultStream source(std::unique_ptr<Stream>(new Cursor(ArchiveOf(TailPlusTensor()))),
                     FaultPlan().At(Op::kRead, 1, Fault::Zero()));
  Result<at::Tensor> back = LoadTensor(source, Mode::kHardened);
  ASSERT_FALSE(back.ok());
  EXPECT_EQ(back.error().kind(), ErrorKind::kUnexpectedEof) << back.error().ToString();
  EXPECT_NE(back.error().message().find("unexpected end of stream"), std::string::npos);
}

// A cursor whose read `at` reports one byte more than it read.
class OverReporting : public ReadStream {
 public:
  OverReporting(std::vector<uint8_t> data, int at) : inner_(std::move(data)), at_(at) {}
  Result<size_t> read(uint8_t* buf, size_t n) override {
    Result<size_t> r = inner_.read(buf, n);
    if (r.ok() && calls_++ == at_) return r.value() + 1;
    return r;
  }
  Result<uint64_t> seek(SeekFrom pos) override { return inner_.seek(pos); }

 private:
  Cursor inner_;
  int at_;
  int calls_ = 0;
};

TEST(HardenedLoad, ACountLargerThanAskedFails) {
  for (int at : {0, 1}) {
    SCOPED_TRACE("read call " + std::to_string(at));
    OverReporting source(ArchiveOf(TailPlusTensor()), at);
    Result<at::Tensor> back = LoadTensor(source, Mode::kHardened);
    ASSERT_FALSE(back.ok());
    EXPECT_EQ(back.error().kind(), ErrorKind::kInvalidData) << back.error().ToString();
  }
}

// A Write / ReadStream that counts its destructions.
class Counted : public Stream {
 public:
  explicit Counted(int* destroyed, FaultPlan plan)
      : destroyed_(destroyed), inner_(std::unique_ptr<Stream>(new Cursor()), std::move(plan)) {}
  ~Counted() override { ++*destroyed_; }
  Result<size_t> write(const uint8_t* b, size_t n) override { return inner_.write(b, n); }
  Status flush() override { return inner_.flush(); }
  Result<size_t> read(uint8_t* b, size_t n) override { return inner_.read(b, n); }
  Result<uint64_t> seek(SeekFrom p) override { return inner_.seek(p); }

 private:
  int* destroyed_;
  FaultStream inner_;
};

TEST(HardenedOwnership, StreamDestroyedExactlyOnceOnEveryPath) {
  at::Tensor t = PatternTensor(at::kFloat, {100}, 4);
  const FaultPlan plans[] = {FaultPlan(),
                             FaultPlan().Always(Op::kWrite, Fault::Err(ErrorKind::kOther)),
                             FaultPlan().Always(Op::kFlush, Fault::Err(ErrorKind::kOther)),
                             FaultPlan().Always(Op::kRead, Fault::Err(ErrorKind::kOther)),
                             FaultPlan().Always(Op::kSeek, Fault::Err(ErrorKind::kOther))};
  for (const FaultPlan& plan : plans) {
    int destroyed = 0;
    tsh_save_to_stream(&t, IntoRawWriteStream(std::make_unique<Counted>(&destroyed, plan)),
                       TSH_HARDENED);
    (void)TakeLastStatus();
    EXPECT_EQ(destroyed, 1);
    destroyed = 0;
    delete tsh_load_from_stream(IntoRawReadStream(std::make_unique<Counted>(&destroyed, plan)),
                                TSH_HARDENED);
    (void)TakeLastStatus();
    EXPECT_EQ(destroyed, 1);
  }
}

}  // namespace
}  // namespace tsh
