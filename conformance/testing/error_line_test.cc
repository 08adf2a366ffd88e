// ErrorLineProblem accepts the promised first line and refuses each way of
// breaking it.
#include "conformance/testing/error_line.h"

#include <gtest/gtest.h>

namespace tsh::test {
namespace {

TEST(ErrorLineProblem, AcceptsAFirstLineThatKeepsThePromise) {
  EXPECT_EQ(ErrorLineProblem("load_from_stream_callback: torch::jit::load: expected x\nsource",
                             Entry::kLoadNamed, ErrorOrigin::kAny),
            std::nullopt);
  EXPECT_EQ(ErrorLineProblem("save_to_stream: tch_write_stream_write failed at offset 0",
                             Entry::kSaveOne, ErrorOrigin::kCallback),
            std::nullopt);
  EXPECT_EQ(ErrorLineProblem("save_multi_to_stream: tsh_write_stream_flush failed",
                             Entry::kSaveNamed, ErrorOrigin::kCallback),
            std::nullopt);
}

TEST(ErrorLineProblem, RefusesAnEmptyFirstLine) {
  EXPECT_NE(ErrorLineProblem("", Entry::kLoadOne, ErrorOrigin::kAny), std::nullopt);
  EXPECT_NE(ErrorLineProblem("\nload_from_stream: x", Entry::kLoadOne, ErrorOrigin::kAny),
            std::nullopt);
}

TEST(ErrorLineProblem, RefusesWhitespaceAtEitherEnd) {
  EXPECT_NE(ErrorLineProblem(" load_from_stream: x", Entry::kLoadOne, ErrorOrigin::kAny),
            std::nullopt);
  EXPECT_NE(ErrorLineProblem("load_from_stream: x\r\nrest", Entry::kLoadOne, ErrorOrigin::kAny),
            std::nullopt);
  EXPECT_NE(ErrorLineProblem("load_from_stream: ", Entry::kLoadOne, ErrorOrigin::kAny),
            std::nullopt);
}

TEST(ErrorLineProblem, RefusesAnotherOperation) {
  EXPECT_NE(ErrorLineProblem("load_from_stream: x", Entry::kLoadNamed, ErrorOrigin::kAny),
            std::nullopt);
  EXPECT_NE(ErrorLineProblem("PytorchStreamReader failed", Entry::kLoadOne, ErrorOrigin::kAny),
            std::nullopt);
}

TEST(ErrorLineProblem, FromACallbackRefusesALineThatNamesNone) {
  EXPECT_NE(ErrorLineProblem("load_from_stream: torch::load: failed\ntch_read_stream_read",
                             Entry::kLoadOne, ErrorOrigin::kCallback),
            std::nullopt);
}

TEST(ErrorLineProblem, QuotesTheLineOnOneLine) {
  const std::optional<std::string> p =
      ErrorLineProblem("save_to_stream:\tx \r\nrest", Entry::kSaveOne, ErrorOrigin::kAny);
  ASSERT_NE(p, std::nullopt);
  EXPECT_EQ(p->find('\n'), std::string::npos) << *p;
  EXPECT_NE(p->find("\"save_to_stream:\\x09x \\x0d\""), std::string::npos) << *p;
}

}  // namespace
}  // namespace tsh::test
