// The extras group: what this project's bridge promises beyond tch-rs's
// contract, tested on any implementation that declares it
// (tsh_impl_features, impl_abi.h) and reported as skipped on one that does
// not. tch-rs itself declares none: a null pointer is undefined behaviour
// there, and it has no flush or last_error.
//   NullArguments  null stream, out-parameter or buffer pointers are clean
//                  failures that make no harness call; a null buffer with
//                  size 0 is a valid empty buffer; destructors and
//                  factories accept null.
//   Extensions     tsh_write_stream_flush and tsh_*_stream_last_error:
//                  the stream's error kind and message reach the caller.
// Every case runs in a child process of its own.
#include <cstdint>
#include <string>

#include <gtest/gtest.h>

#include "bridge/callbacks.h"
#include "bridge/fault_stream.h"
#include "conformance/callbacks/rig.h"
#include "conformance/impl/impl_abi.h"
#include "conformance/testing/features.h"
#include "conformance/testing/isolated_case.h"

// Optional (callbacks.h): null where the implementation lacks them; a
// declared TSH_IMPL_EXTENSIONS without them fails.
#pragma weak tsh_write_stream_flush
#pragma weak tsh_write_stream_last_error
#pragma weak tsh_read_stream_last_error

namespace tsh::test {
namespace {

constexpr size_t kSizeSentinel = 0x5EE5EE5u;
constexpr uint64_t kPosSentinel = 0xDEADBEEFCAFEull;

#define TSH_NULL_ARGUMENTS_CASE() \
  TSH_REQUIRE_FEATURE(TSH_IMPL_NULL_ARGUMENTS); \
  TSH_ISOLATED_CASE()

#define TSH_EXTENSIONS_CASE()                                                 \
  TSH_REQUIRE_FEATURE(TSH_IMPL_EXTENSIONS);                                   \
  TSH_ISOLATED_CASE();                                                        \
  ASSERT_TRUE(tsh_write_stream_flush != nullptr &&                            \
              tsh_write_stream_last_error != nullptr &&                       \
              tsh_read_stream_last_error != nullptr)                          \
      << "TSH_IMPL_EXTENSIONS is declared but an extension is not defined"

// --- Null arguments -------------------------------------------------------

TEST(NullArguments, FactoriesGiveNullForNull) {
  TSH_NULL_ARGUMENTS_CASE();
  EXPECT_EQ(tsh_impl_new_write_stream(nullptr), nullptr);
  EXPECT_EQ(tsh_impl_new_read_stream(nullptr), nullptr);
}

TEST(NullArguments, DestructorsOfNullAreNoOps) {
  TSH_NULL_ARGUMENTS_CASE();
  tch_write_stream_destructor(nullptr);
  tch_read_stream_destructor(nullptr);
  SUCCEED() << "returned without touching anything";
}

TEST(NullArguments, NullStreamFailsOnEveryCallback) {
  TSH_NULL_ARGUMENTS_CASE();
  const uint8_t in[2] = {1, 2};
  uint8_t buf[2];
  size_t size = kSizeSentinel;
  uint64_t pos = kPosSentinel;
  EXPECT_FALSE(tch_write_stream_write(nullptr, in, 2, &size));
  EXPECT_FALSE(tch_read_stream_read(nullptr, buf, 2, &size));
  EXPECT_EQ(size, kSizeSentinel);
  EXPECT_FALSE(tch_read_stream_stream_position(nullptr, &pos));
  EXPECT_FALSE(tch_read_stream_seek_start(nullptr, 1, &pos));
  EXPECT_FALSE(tch_read_stream_seek_end(nullptr, 0, &pos));
  EXPECT_EQ(pos, kPosSentinel);
}

TEST(NullArguments, NullOutFailsWithoutHarnessCall) {
  TSH_NULL_ARGUMENTS_CASE();
  Rig w(Side::kWrite);
  const uint8_t in[2] = {1, 2};
  EXPECT_FALSE(tch_write_stream_write(w.ptr(), in, 2, nullptr));
  EXPECT_EQ(w.harness().calls(), 0);
  EXPECT_TRUE(w.cursor().data().empty());
  Rig r(Side::kRead, Digits(4));
  uint8_t buf[2];
  EXPECT_FALSE(tch_read_stream_read(r.ptr(), buf, 2, nullptr));
  EXPECT_FALSE(tch_read_stream_stream_position(r.ptr(), nullptr));
  EXPECT_FALSE(tch_read_stream_seek_start(r.ptr(), 1, nullptr));
  EXPECT_FALSE(tch_read_stream_seek_end(r.ptr(), 0, nullptr));
  EXPECT_EQ(r.harness().calls(), 0);
  EXPECT_EQ(r.cursor().position(), 0u);
}

TEST(NullArguments, NullBufferWithNonZeroSizeFailsWithoutHarnessCall) {
  TSH_NULL_ARGUMENTS_CASE();
  Rig w(Side::kWrite);
  size_t out = kSizeSentinel;
  EXPECT_FALSE(tch_write_stream_write(w.ptr(), nullptr, 4, &out));
  EXPECT_EQ(out, kSizeSentinel);
  EXPECT_EQ(w.harness().calls(), 0);
  Rig r(Side::kRead, Digits(4));
  EXPECT_FALSE(tch_read_stream_read(r.ptr(), nullptr, 4, &out));
  EXPECT_EQ(out, kSizeSentinel);
  EXPECT_EQ(r.harness().calls(), 0);
}

TEST(NullArguments, NullBufferWithSizeZeroIsAnEmptyBuffer) {
  TSH_NULL_ARGUMENTS_CASE();
  Rig w(Side::kWrite);
  size_t out = kSizeSentinel;
  ASSERT_TRUE(tch_write_stream_write(w.ptr(), nullptr, 0, &out));
  EXPECT_EQ(out, 0u);
  EXPECT_TRUE(w.cursor().data().empty());
  Rig r(Side::kRead, Digits(4));
  out = kSizeSentinel;
  ASSERT_TRUE(tch_read_stream_read(r.ptr(), nullptr, 0, &out));
  EXPECT_EQ(out, 0u);
  EXPECT_EQ(r.cursor().position(), 0u);
}

// --- Extensions -----------------------------------------------------------

TEST(Extensions, FlushReachesTheStreamOnce) {
  TSH_EXTENSIONS_CASE();
  Rig w(Side::kWrite);
  EXPECT_TRUE(tsh_write_stream_flush(w.ptr()));
  EXPECT_EQ(w.faults().calls(Op::kFlush), 1u);
}

TEST(Extensions, FlushFailureIsFalseAndItsErrorIsKept) {
  TSH_EXTENSIONS_CASE();
  Rig w(Side::kWrite, {}, FaultPlan().At(Op::kFlush, 0, Fault::Err(ErrorKind::kBrokenPipe)));
  EXPECT_FALSE(tsh_write_stream_flush(w.ptr()));
  tsh_error_kind kind = -1;
  const char* message = nullptr;
  ASSERT_TRUE(tsh_write_stream_last_error(w.ptr(), &kind, &message));
  EXPECT_EQ(kind, static_cast<int>(ErrorKind::kBrokenPipe));
  ASSERT_NE(message, nullptr);
  EXPECT_NE(std::string(message).find("injected"), std::string::npos) << message;
}

TEST(Extensions, FlushOfNullFails) {
  TSH_EXTENSIONS_CASE();
  EXPECT_FALSE(tsh_write_stream_flush(nullptr));
}

TEST(Extensions, WriteErrorKeptUntilTheNextSuccess) {
  TSH_EXTENSIONS_CASE();
  Rig w(Side::kWrite, {}, FaultPlan().At(Op::kWrite, 0, Fault::Err(ErrorKind::kInterrupted)));
  const uint8_t b[2] = {1, 2};
  size_t out = 0;
  tsh_error_kind kind = -1;
  const char* message = nullptr;
  EXPECT_FALSE(tsh_write_stream_last_error(w.ptr(), &kind, &message));
  EXPECT_FALSE(tch_write_stream_write(w.ptr(), b, 2, &out));
  ASSERT_TRUE(tsh_write_stream_last_error(w.ptr(), &kind, &message));
  EXPECT_EQ(kind, static_cast<int>(ErrorKind::kInterrupted));
  EXPECT_TRUE(tch_write_stream_write(w.ptr(), b, 2, &out));
  kind = -1;
  EXPECT_FALSE(tsh_write_stream_last_error(w.ptr(), &kind, &message));
  EXPECT_EQ(kind, -1);
}

TEST(Extensions, ReadErrorKindForEachOperation) {
  TSH_EXTENSIONS_CASE();
  // stream_position may reach the harness as a seek (impl_abi.h): then it
  // is the second seek call.
  const Op position_op = PositionCallOp();
  Rig r(Side::kRead, Digits(4),
        FaultPlan()
            .At(Op::kRead, 0, Fault::Err(ErrorKind::kWouldBlock))
            .At(Op::kSeek, 0, Fault::Err(ErrorKind::kInvalidInput))
            .At(position_op, position_op == Op::kSeek ? 1 : 0,
                Fault::Err(ErrorKind::kNotFound)));
  uint8_t b[2];
  size_t n = 0;
  uint64_t pos = 0;
  tsh_error_kind kind = -1;
  const char* message = nullptr;
  EXPECT_FALSE(tch_read_stream_read(r.ptr(), b, 2, &n));
  ASSERT_TRUE(tsh_read_stream_last_error(r.ptr(), &kind, &message));
  EXPECT_EQ(kind, static_cast<int>(ErrorKind::kWouldBlock));
  EXPECT_FALSE(tch_read_stream_seek_start(r.ptr(), 1, &pos));
  ASSERT_TRUE(tsh_read_stream_last_error(r.ptr(), &kind, &message));
  EXPECT_EQ(kind, static_cast<int>(ErrorKind::kInvalidInput));
  EXPECT_FALSE(tch_read_stream_stream_position(r.ptr(), &pos));
  ASSERT_TRUE(tsh_read_stream_last_error(r.ptr(), &kind, &message));
  EXPECT_EQ(kind, static_cast<int>(ErrorKind::kNotFound));
}

TEST(Extensions, LastErrorWithNullArgumentsFailsWithoutTouchingOutputs) {
  TSH_EXTENSIONS_CASE();
  Rig w(Side::kWrite, {}, FaultPlan().At(Op::kWrite, 0, Fault::Err(ErrorKind::kOther)));
  const uint8_t b[1] = {1};
  size_t out = 0;
  EXPECT_FALSE(tch_write_stream_write(w.ptr(), b, 1, &out));
  tsh_error_kind kind = -1;
  const char* message = nullptr;
  EXPECT_FALSE(tsh_write_stream_last_error(nullptr, &kind, &message));
  EXPECT_FALSE(tsh_write_stream_last_error(w.ptr(), nullptr, &message));
  EXPECT_FALSE(tsh_write_stream_last_error(w.ptr(), &kind, nullptr));
  EXPECT_EQ(kind, -1);
  EXPECT_EQ(message, nullptr);
}

}  // namespace
}  // namespace tsh::test
