// This project's extensions to the seven callbacks (bridge/callbacks.h):
// tsh_write_stream_flush and tsh_{write,read}_stream_last_error. Optional
// for other implementations, so tested on our bridge only, with its own
// opaque pointers (raw_stream.h) rather than through the impl setting.
#include <cstdint>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "bridge/callbacks.h"
#include "bridge/cursor.h"
#include "bridge/fault_stream.h"
#include "bridge/raw_stream.h"

namespace tsh {
namespace {

// A raw pointer over a FaultStream over a Cursor; `faults` observes it.
struct Raw {
  explicit Raw(bool write, FaultPlan plan) {
    auto f = std::make_unique<FaultStream>(
        std::unique_ptr<Stream>(std::make_unique<Cursor>(std::vector<uint8_t>(8, 'x'))),
        std::move(plan));
    faults = f.get();
    is_write = write;
    ptr = write ? IntoRawWriteStream(std::move(f)) : IntoRawReadStream(std::move(f));
  }
  ~Raw() {
    if (is_write) {
      tch_write_stream_destructor(ptr);
    } else {
      tch_read_stream_destructor(ptr);
    }
  }
  void* ptr;
  FaultStream* faults;
  bool is_write;
};

TEST(Flush, ReachesTheStreamOnce) {
  Raw w(true, FaultPlan());
  EXPECT_TRUE(tsh_write_stream_flush(w.ptr));
  EXPECT_EQ(w.faults->calls(Op::kFlush), 1u);
}

TEST(Flush, FailureIsFalseAndItsKindIsKept) {
  Raw w(true, FaultPlan().At(Op::kFlush, 0, Fault::Err(ErrorKind::kBrokenPipe)));
  EXPECT_FALSE(tsh_write_stream_flush(w.ptr));
  tsh_error_kind kind = -1;
  const char* message = nullptr;
  ASSERT_TRUE(tsh_write_stream_last_error(w.ptr, &kind, &message));
  EXPECT_EQ(kind, static_cast<int>(ErrorKind::kBrokenPipe));
  ASSERT_NE(message, nullptr);
}

TEST(Flush, NullStreamFails) { EXPECT_FALSE(tsh_write_stream_flush(nullptr)); }

TEST(LastError, WriteErrorKeptUntilTheNextSuccess) {
  Raw w(true, FaultPlan().At(Op::kWrite, 0, Fault::Err(ErrorKind::kInterrupted)));
  const uint8_t b[2] = {1, 2};
  size_t out = 0;
  tsh_error_kind kind = -1;
  const char* message = nullptr;
  EXPECT_FALSE(tsh_write_stream_last_error(w.ptr, &kind, &message));
  EXPECT_FALSE(tch_write_stream_write(w.ptr, b, 2, &out));
  ASSERT_TRUE(tsh_write_stream_last_error(w.ptr, &kind, &message));
  EXPECT_EQ(kind, static_cast<int>(ErrorKind::kInterrupted));
  EXPECT_TRUE(tch_write_stream_write(w.ptr, b, 2, &out));
  kind = -1;
  EXPECT_FALSE(tsh_write_stream_last_error(w.ptr, &kind, &message));
  EXPECT_EQ(kind, -1);
}

TEST(LastError, ReadErrorKindForEachOperation) {
  Raw r(false, FaultPlan()
                   .At(Op::kRead, 0, Fault::Err(ErrorKind::kWouldBlock))
                   .At(Op::kSeek, 0, Fault::Err(ErrorKind::kInvalidInput))
                   .At(Op::kPosition, 0, Fault::Err(ErrorKind::kNotFound)));
  uint8_t b[2];
  size_t n = 0;
  uint64_t pos = 0;
  tsh_error_kind kind = -1;
  const char* message = nullptr;
  EXPECT_FALSE(tch_read_stream_read(r.ptr, b, 2, &n));
  ASSERT_TRUE(tsh_read_stream_last_error(r.ptr, &kind, &message));
  EXPECT_EQ(kind, static_cast<int>(ErrorKind::kWouldBlock));
  EXPECT_FALSE(tch_read_stream_seek_start(r.ptr, 1, &pos));
  ASSERT_TRUE(tsh_read_stream_last_error(r.ptr, &kind, &message));
  EXPECT_EQ(kind, static_cast<int>(ErrorKind::kInvalidInput));
  EXPECT_FALSE(tch_read_stream_stream_position(r.ptr, &pos));
  ASSERT_TRUE(tsh_read_stream_last_error(r.ptr, &kind, &message));
  EXPECT_EQ(kind, static_cast<int>(ErrorKind::kNotFound));
}

TEST(LastError, NullArgumentsFailWithoutTouchingOutputs) {
  Raw w(true, FaultPlan().At(Op::kWrite, 0, Fault::Err(ErrorKind::kOther)));
  const uint8_t b[1] = {1};
  size_t out = 0;
  EXPECT_FALSE(tch_write_stream_write(w.ptr, b, 1, &out));
  tsh_error_kind kind = -1;
  const char* message = nullptr;
  EXPECT_FALSE(tsh_write_stream_last_error(nullptr, &kind, &message));
  EXPECT_FALSE(tsh_write_stream_last_error(w.ptr, nullptr, &message));
  EXPECT_FALSE(tsh_write_stream_last_error(w.ptr, &kind, nullptr));
  EXPECT_EQ(kind, -1);
  EXPECT_EQ(message, nullptr);
}

}  // namespace
}  // namespace tsh
