// ErrorText against its contract (error_text.h): one self-contained first
// line, the rest after one '\n', nothing else dropped.
#include "bridge/error_text.h"

#include <gtest/gtest.h>

namespace tsh {
namespace {

constexpr char kOp[] = "load_from_stream_callback";
constexpr char kFn[] = "torch::jit::load";

TEST(ErrorText, LeadingNewlinesGoAndTheRestFollows) {
  EXPECT_EQ(ErrorText(kOp, kFn, "\n\nexpected an expression:\n  File \"code/x.py\", line 1\n"),
            "load_from_stream_callback: torch::jit::load: expected an expression:\n"
            "  File \"code/x.py\", line 1\n");
}

TEST(ErrorText, WhitespaceOnlyLinesBeforeTheFirstGo) {
  EXPECT_EQ(ErrorText(kOp, kFn, "  \n\t\n   ident is not a valid Expr:  \nrest"),
            "load_from_stream_callback: torch::jit::load: ident is not a valid Expr:\nrest");
}

TEST(ErrorText, ASingleLineStaysOneLine) {
  EXPECT_EQ(ErrorText("load_from_stream", "torch::load", "PytorchStreamReader failed"),
            "load_from_stream: torch::load: PytorchStreamReader failed");
  EXPECT_EQ(ErrorText("load_from_stream", "torch::load", "PytorchStreamReader failed\n"),
            "load_from_stream: torch::load: PytorchStreamReader failed");
}

TEST(ErrorText, CrlfEndsALineAndTheRestKeepsIts) {
  EXPECT_EQ(ErrorText(kOp, kFn, "\r\nfirst\r\nsecond\r\n"),
            "load_from_stream_callback: torch::jit::load: first\nsecond\r\n");
}

TEST(ErrorText, EmptyTextSaysThereWasNoMessage) {
  EXPECT_EQ(ErrorText(kOp, kFn, ""),
            "load_from_stream_callback: torch::jit::load: LibTorch gave no message");
  EXPECT_EQ(ErrorText("save_to_stream", "", ""), "save_to_stream: no message");
}

TEST(ErrorText, WhitespaceOnlyTextSaysThereWasNoMessage) {
  EXPECT_EQ(ErrorText(kOp, kFn, " \n\r\n\t\n"),
            "load_from_stream_callback: torch::jit::load: LibTorch gave no message");
}

TEST(ErrorText, WithoutAFunctionTheMessageFollowsTheOperation) {
  EXPECT_EQ(ErrorText("save_to_stream", "",
                      "tch_write_stream_write failed at offset 64 (64 bytes): Other: disk full"),
            "save_to_stream: tch_write_stream_write failed at offset 64 (64 bytes): Other: "
            "disk full");
}

TEST(ErrorText, AStreamMessageWithNewlinesKeepsItsFirstLineFirst) {
  EXPECT_EQ(ErrorText("load_from_stream", "",
                      "tch_read_stream_read failed at offset 0 (zip check): Other: \n"
                      "line two\nline three"),
            "load_from_stream: tch_read_stream_read failed at offset 0 (zip check): Other:\n"
            "line two\nline three");
}

TEST(ErrorText, TheOperationIsNotDoubled) {
  EXPECT_EQ(ErrorText("save_to_stream", "", "save_to_stream: null stream"),
            "save_to_stream: null stream");
  // Only the operation's own prefix counts.
  EXPECT_EQ(ErrorText("save_to_stream", "", "save_to_streamer: x"),
            "save_to_stream: save_to_streamer: x");
  EXPECT_EQ(ErrorText("save_multi_to_stream", "", "save_to_stream: x"),
            "save_multi_to_stream: save_to_stream: x");
}

TEST(ErrorText, ALibTorchLineIsPrefixedEvenWhenItNamesTheOperation) {
  EXPECT_EQ(ErrorText("load_from_stream", "torch::load", "load_from_stream: x"),
            "load_from_stream: torch::load: load_from_stream: x");
}

}  // namespace
}  // namespace tsh
