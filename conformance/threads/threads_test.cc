// Many threads at once, each saving and loading its own tensors through its
// own harness streams over the implementation under test, in both modes,
// some of them with a stream that fails: every load is bit-exact, every
// error reaches the thread whose stream failed and no other (the entry
// points' last error is thread-local), and every stream is dropped exactly
// once; where the implementation declares the extensions, each error
// carries its own stream's message. Built under ThreadSanitizer too
// (.bazelrc: --config=tsan), where it must run clean.
//
// A faithful save that meets a write error ends the process inside LibTorch
// (FINDINGS.md F1-F4), so only hardened threads get write errors; read
// errors go to both modes.
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <gtest/gtest.h>

#include "bridge/cursor.h"
#include "bridge/torch_api.h"
#include "conformance/testing/features.h"
#include "conformance/testing/harness_stream.h"
#include "conformance/testing/isolated_case.h"
#include "testing/tensors.h"

namespace tsh::test {
namespace {

constexpr int kRounds = 3;

// A Cursor whose `failing` operation fails from its call `at` on, if there
// is one, with an error whose message is `token`: whoever reports it names
// the thread it came from. The failure persists, as a broken pipe's does
// (a hardened adapter without the last_error extension retries a bare
// `false` once: stream_failure.h).
class Sabotaged : public Stream {
 public:
  enum class Op { kNone, kRead, kWrite };
  Sabotaged(std::vector<uint8_t> data, Op failing, int at, std::string token)
      : cursor_(std::move(data)), failing_(failing), at_(at), token_(std::move(token)) {}

  Result<size_t> read(uint8_t* buf, size_t n) override {
    if (failing_ == Op::kRead && calls_++ >= at_) return Error(ErrorKind::kBrokenPipe, token_);
    return cursor_.read(buf, n);
  }
  Result<size_t> write(const uint8_t* buf, size_t n) override {
    if (failing_ == Op::kWrite && calls_++ >= at_) return Error(ErrorKind::kBrokenPipe, token_);
    return cursor_.write(buf, n);
  }
  Status flush() override { return cursor_.flush(); }
  Result<uint64_t> seek(SeekFrom pos) override { return cursor_.seek(pos); }
  Result<uint64_t> stream_position() override { return cursor_.stream_position(); }

  std::vector<uint8_t> bytes() const { return cursor_.data(); }
  // Whether the error was returned.
  bool fired() const { return calls_ > at_; }

 private:
  Cursor cursor_;
  Op failing_;
  int at_;
  int calls_ = 0;
  std::string token_;
};

// What one thread saw; checked on the main thread.
struct Report {
  std::vector<std::string> problems;
  int saves = 0, loads = 0, errors = 0;
};

// Round r of thread t: which operation fails, if any. A quarter of the
// threads fail a read, a quarter (hardened) a write, the rest never fail.
Sabotaged::Op FailingOp(int t, tsh_mode mode) {
  if (t % 4 == 1) return Sabotaged::Op::kRead;
  if (t % 4 == 3 && mode == TSH_HARDENED) return Sabotaged::Op::kWrite;
  return Sabotaged::Op::kNone;
}

std::string Token(int t, int r) {
  return "stream of thread " + std::to_string(t) + " round " + std::to_string(r) + ";";
}

// Checks one entry point's outcome: dropped once, and an error exactly when
// this thread's stream failed, carrying this thread's token if `tokens`.
void Judge(const HarnessStream& hs, const Sabotaged& stream, const std::string& token,
           bool tokens, Report* report, const std::string& what) {
  const bool failed = stream.fired();
  if (hs.drops() != 1 || hs.uses_after_drop() != 0) {
    report->problems.push_back(what + ": dropped " + std::to_string(hs.drops()) +
                               " times, used " + std::to_string(hs.uses_after_drop()) +
                               " times after");
  }
  Status s = TakeLastStatus();
  if (failed) {
    ++report->errors;
    if (s.ok()) {
      report->problems.push_back(what + ": the stream failed and no error was left");
    } else if (tokens && s.error().message().find(token) == std::string::npos) {
      report->problems.push_back(what + ": error without this thread's token: " +
                                 s.error().ToString());
    }
  } else if (!s.ok()) {
    report->problems.push_back(what + ": error on a stream that never failed: " +
                               s.error().ToString());
  }
}

void Worker(int t, tsh_mode mode, bool tokens, Report* report) {
  const Sabotaged::Op failing = FailingOp(t, mode);
  for (int r = 0; r < kRounds; ++r) {
    const std::string token = Token(t, r);
    const std::string what = "thread " + std::to_string(t) + " round " + std::to_string(r);
    at::Tensor want = PatternTensor(at::kFloat, {16 + t, 3}, /*seed=*/1000 * t + r);

    // A save stream only writes and a load stream only reads: both carry
    // the thread's failing operation, and only the matching one fails.
    auto sink = std::make_unique<Sabotaged>(std::vector<uint8_t>(), failing, r, token);
    const Sabotaged* written = sink.get();
    HarnessStream save_stream(std::move(sink));
    tsh_save_to_stream(&want, save_stream.NewWriteStream(), mode);
    ++report->saves;
    Judge(save_stream, *written, token, tokens, report, what + " save");
    if (written->fired()) continue;

    auto source = std::make_unique<Sabotaged>(written->bytes(), failing, r, token);
    const Sabotaged* read = source.get();
    HarnessStream load_stream(std::move(source));
    std::unique_ptr<at::Tensor> got(tsh_load_from_stream(load_stream.NewReadStream(), mode));
    ++report->loads;
    Judge(load_stream, *read, token, tokens, report, what + " load");
    if (!read->fired()) {
      std::string why;
      if (got == nullptr) {
        report->problems.push_back(what + " load: no tensor");
      } else if (!BitEqual(want, *got, &why)) {
        report->problems.push_back(what + " load: not bit-exact: " + why);
      }
    }
  }
}

struct Case {
  int threads;
  tsh_mode mode;
};

// Runs `c` (in the case's child) and reports every thread's problems;
// `tokens`: each error must carry its stream's message.
void RunThreads(const Case& c, bool tokens) {
  // One intra-op thread: the test's threads are the concurrency under test,
  // and LibTorch's OpenMP pool is not ThreadSanitizer-instrumented.
  at::set_num_threads(1);
  std::vector<Report> reports(c.threads);
  std::vector<std::thread> threads;
  for (int t = 0; t < c.threads; ++t) {
    threads.emplace_back(Worker, t, c.mode, tokens, &reports[t]);
  }
  for (std::thread& th : threads) th.join();
  int errors = 0;
  for (int t = 0; t < c.threads; ++t) {
    for (const std::string& p : reports[t].problems) ADD_FAILURE() << p;
    EXPECT_EQ(reports[t].saves, kRounds) << "thread " << t;
    errors += reports[t].errors;
  }
  EXPECT_GT(errors, 0);
  ::testing::Test::RecordProperty("errors_each_in_its_thread", errors);
}

class Threads : public ::testing::TestWithParam<Case> {};

TEST_P(Threads, EachThreadGetsItsOwnTensorsErrorsAndDrops) {
  TSH_ISOLATED_CASE();
  RunThreads(GetParam(), /*tokens=*/false);
}

// The stream's message reaches the caller only through the last_error
// extension (callbacks.h): without it, an error says which callback failed.
TEST_P(Threads, EachErrorCarriesItsOwnStreamsMessage) {
  TSH_REQUIRE_FEATURE(TSH_IMPL_EXTENSIONS);
  TSH_ISOLATED_CASE();
  RunThreads(GetParam(), /*tokens=*/true);
}

INSTANTIATE_TEST_SUITE_P(
    EightAndSixtyFour, Threads,
    ::testing::Values(Case{8, TSH_FAITHFUL}, Case{8, TSH_HARDENED}, Case{64, TSH_FAITHFUL},
                      Case{64, TSH_HARDENED}),
    [](const ::testing::TestParamInfo<Case>& info) {
      return std::to_string(info.param.threads) +
             (info.param.mode == TSH_FAITHFUL ? "_faithful" : "_hardened");
    });

}  // namespace
}  // namespace tsh::test
