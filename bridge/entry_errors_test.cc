// What the entry points' errors say (error_text.h), through the safe C++
// API in both modes: the first line names the operation and the callback
// or LibTorch function that failed, and LibTorch's own text follows it,
// whole. The regression: a TorchScript archive LibTorch refuses used to
// give a message whose first line was empty.
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <torch/csrc/jit/serialization/import.h>

#include "bridge/cursor.h"
#include "bridge/fault_stream.h"
#include "bridge/tensor_io.h"
#include "testing/archive_edits.h"
#include "testing/tensors.h"

namespace tsh {
namespace {

using test::PatternTensor;

std::string FirstLine(const std::string& s) { return s.substr(0, s.find('\n')); }

bool StartsWith(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

class EntryErrors : public ::testing::TestWithParam<Mode> {};

std::vector<uint8_t> Saved(bool named) {
  Cursor out;
  Status s = named ? SaveNamedTensors({{"layer.weight", PatternTensor(at::kFloat, {4}, 1)}}, out,
                                      Mode::kHardened)
                   : SaveTensor(PatternTensor(at::kFloat, {4}, 1), out, Mode::kHardened);
  EXPECT_TRUE(s.ok()) << s.error().ToString();
  return out.into_inner();
}

// LibTorch's own message for `archive`, loaded without the bridge. Its
// TorchScript import refuses source with a torch::jit::ErrorReport, a
// std::exception but no c10::Error.
std::string LibTorchSays(const std::vector<uint8_t>& archive) {
  std::istringstream in(std::string(archive.begin(), archive.end()));
  try {
    torch::jit::load(in);
  } catch (const c10::Error& e) {
    return e.what_without_backtrace();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

TEST_P(EntryErrors, InvalidTorchScriptNamesTheLoadAndKeepsLibTorchsText) {
  const std::vector<uint8_t> archive = test::WithInvalidCode(Saved(true));
  ASSERT_FALSE(archive.empty());
  const std::string libtorch = LibTorchSays(archive);
  // The regression: LibTorch's text begins with a blank line.
  ASSERT_TRUE(StartsWith(libtorch, "\n")) << libtorch;
  Cursor in(archive);
  Result<NamedTensors> got = LoadNamedTensors(in, std::nullopt, GetParam());
  ASSERT_FALSE(got.ok());
  const Error& e = got.error();
  const std::string prefix = "load_from_stream_callback: torch::jit::load: ";
  const std::string first = FirstLine(e.message());
  EXPECT_TRUE(StartsWith(first, prefix)) << e.message();
  EXPECT_GT(first.size(), prefix.size()) << e.message();
  RecordProperty("message", e.message());
  // The rest is LibTorch's text after its first line, unchanged.
  const size_t line = libtorch.find_first_not_of('\n');
  ASSERT_NE(line, std::string::npos);
  const size_t rest = libtorch.find('\n', line);
  ASSERT_NE(rest, std::string::npos) << libtorch;
  EXPECT_EQ(first.substr(prefix.size()), libtorch.substr(line, rest - line));
  EXPECT_EQ(e.message().substr(first.size()), libtorch.substr(rest));
}

TEST_P(EntryErrors, InvalidTorchScriptNamesTorchLoadForOneTensor) {
  const std::vector<uint8_t> archive = test::WithInvalidCode(Saved(false));
  ASSERT_FALSE(archive.empty());
  Cursor in(archive);
  Result<at::Tensor> got = LoadTensor(in, GetParam());
  ASSERT_FALSE(got.ok());
  const std::string first = FirstLine(got.error().message());
  EXPECT_TRUE(StartsWith(first, "load_from_stream: torch::load: ")) << got.error().message();
  EXPECT_NE(got.error().message().find('\n'), std::string::npos) << got.error().message();
}

TEST_P(EntryErrors, AFailedReadIsOneLineThatNamesTheCallback) {
  FaultStream in(std::unique_ptr<ReadStream>(new Cursor(Saved(false))),
                 FaultPlan().Always(Op::kRead, Fault::Err(ErrorKind::kBrokenPipe)));
  Result<at::Tensor> got = LoadTensor(in, GetParam());
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().kind(), ErrorKind::kBrokenPipe);
  EXPECT_TRUE(StartsWith(got.error().message(), "load_from_stream: tch_read_stream_read failed at "))
      << got.error().message();
  EXPECT_EQ(got.error().message().find('\n'), std::string::npos) << got.error().message();
  RecordProperty("message", got.error().message());
}

INSTANTIATE_TEST_SUITE_P(BothModes, EntryErrors,
                         ::testing::Values(Mode::kFaithful, Mode::kHardened),
                         [](const ::testing::TestParamInfo<Mode>& info) {
                           return std::string(ModeName(info.param));
                         });

// A sink whose error message is several lines, the first blank.
class ChattyFailingSink : public Write {
 public:
  Result<size_t> write(const uint8_t*, size_t) override {
    return Error(ErrorKind::kOther, "\nthe device said:\nno space left");
  }
  Status flush() override { return Ok(); }
};

// Hardened: a faithful save that fails a write ends the process (F1-F4).
TEST(HardenedSaveError, KeepsTheStreamsFirstLineFirst) {
  ChattyFailingSink out;
  Status s = SaveTensor(PatternTensor(at::kFloat, {4}, 1), out, Mode::kHardened);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().kind(), ErrorKind::kOther);
  const std::string& m = s.error().message();
  EXPECT_EQ(FirstLine(m), "save_to_stream: tch_write_stream_write failed at offset 0: Other:")
      << m;
  EXPECT_NE(m.find("\nthe device said:\nno space left"), std::string::npos) << m;
  RecordProperty("message", m);
}

}  // namespace
}  // namespace tsh
