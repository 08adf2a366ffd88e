// Archives written by the bridge (safe C++ API, both modes) loaded by the
// real peers, Python PyTorch 1.13 and 2.11, whichever LibTorch the bridge
// is built against: the test writes archives and a sidecar of expected
// values under TEST_TMPDIR, then runs check_archive.py with each peer's
// Python (the `python` of @libtorch_system, Debian's /usr/bin/python3, and
// of @libtorch_pytorch2, third_party/libtorch/libtorch.bzl), which loads
// each archive with torch.jit.load and exits non-zero on any difference. A
// missing peer is a failure, not a skip: tools/setup installs both.
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include "bridge/file_stream.h"
#include "bridge/tensor_io.h"
#include "conformance/python/sidecar.h"
#include "testing/tensors.h"

namespace tsh {
namespace {

using test::PatternTensor;
using test::SidecarWriter;

std::string Runfile(const std::string& path) {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  return std::string(srcdir ? srcdir : ".") + "/" + path;
}

std::string Checker() {
  const char* workspace = std::getenv("TEST_WORKSPACE");
  return Runfile(std::string(workspace ? workspace : "") + "/conformance/python/check_archive.py");
}

// A Python peer: the PyTorch version it carries and its interpreter, by the
// repository that provides it.
struct Peer {
  const char* version;
  const char* repository;
};
const Peer kPeers[] = {{"1.13", "libtorch_system"}, {"2.11", "libtorch_pytorch2"}};

std::string FreshDir(const std::string& name) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  std::string dir = std::string(tmp ? tmp : "/tmp") + "/" + name;
  mkdir(dir.c_str(), 0755);
  return dir;
}

struct CheckerRun {
  int exit_code;  // -1: did not exit normally.
  std::string output;
};

// Runs the checker on `manifest` with `python`.
CheckerRun RunChecker(const std::string& python, const std::string& manifest) {
  std::string log = manifest + ".log";
  std::string cmd = "'" + python + "' '" + Checker() + "' '" + manifest + "' > '" + log + "' 2>&1";
  int status = std::system(cmd.c_str());
  std::ifstream in(log);
  std::stringstream out;
  out << in.rdbuf();
  return CheckerRun{WIFEXITED(status) ? WEXITSTATUS(status) : -1, out.str()};
}

std::string Explain(const CheckerRun& run) {
  std::string why = "checker exit " + std::to_string(run.exit_code) + ":\n" + run.output;
  if (run.exit_code == 3 || run.exit_code == 127) {
    why += "\nPython PyTorch is missing: run tools/setup.";
  }
  return why;
}

class PythonReadsBridgeArchives : public ::testing::TestWithParam<Peer> {
 protected:
  void SetUp() override {
    python_ = Runfile(std::string(GetParam().repository) + "/python");
    ASSERT_EQ(access(python_.c_str(), X_OK), 0)
        << python_ << " is missing: run tools/setup; this test needs the real Python peer";
  }

  CheckerRun Check(const std::string& manifest) { return RunChecker(python_, manifest); }

  // Saves `t` as a one-tensor archive `archive` in `dir`.
  void SaveOne(const std::string& dir, const std::string& archive, const at::Tensor& t,
               Mode mode) {
    auto f = FileStream::Create(dir + "/" + archive);
    ASSERT_TRUE(f.ok()) << f.error().ToString();
    Status s = SaveTensor(t, *f.value(), mode);
    ASSERT_TRUE(s.ok()) << s.error().ToString();
  }

  std::string python_;
};

TEST_P(PythonReadsBridgeArchives, TorchJitLoadSeesExactValuesFromBothModes) {
  const std::string dir = FreshDir("bridge_archives");
  SidecarWriter sidecar(dir);
  const std::vector<std::vector<int64_t>> shapes = {{}, {0}, {3, 0, 2}, {17}, {2, 3, 4, 5}};
  const std::vector<c10::ScalarType> dtypes = test::SavableDtypes();
  for (Mode mode : {Mode::kFaithful, Mode::kHardened}) {
    const std::string m = ModeName(mode);
    NamedTensors named;
    std::vector<std::string> stored_names;
    for (size_t i = 0; i < dtypes.size(); ++i) {
      at::Tensor t = PatternTensor(dtypes[i], shapes[i % shapes.size()], i + 1);
      std::string archive =
          "one_" + std::string(c10::toString(dtypes[i])) + "_" + m + ".pt";
      SaveOne(dir, archive, t, mode);
      ASSERT_TRUE(sidecar.Add(archive, "tensor", "0", t, false).ok());
      named.emplace_back("encoder.layer." + std::to_string(i) + ".weight",
                         PatternTensor(dtypes[i], {3, 2}, 50 + i));
      // tch-rs stores `.` as `|`: Python sees the `|` names.
      stored_names.push_back("encoder|layer|" + std::to_string(i) + "|weight");
    }
    at::Tensor transposed = PatternTensor(at::kFloat, {5, 3}, 90).t();
    SaveOne(dir, "one_transposed_" + m + ".pt", transposed, mode);
    ASSERT_TRUE(sidecar.Add("one_transposed_" + m + ".pt", "tensor", "0", transposed, false)
                    .ok());
    // Python sees requires_grad as C++ saved it.
    at::Tensor grad = PatternTensor(at::kDouble, {4}, 91).set_requires_grad(true);
    SaveOne(dir, "one_requires_grad_" + m + ".pt", grad, mode);
    ASSERT_TRUE(sidecar.Add("one_requires_grad_" + m + ".pt", "tensor", "0", grad, true).ok());

    auto f = FileStream::Create(dir + "/named_" + m + ".pt");
    ASSERT_TRUE(f.ok()) << f.error().ToString();
    Status s = SaveNamedTensors(named, *f.value(), mode);
    ASSERT_TRUE(s.ok()) << s.error().ToString();
    for (size_t i = 0; i < named.size(); ++i) {
      ASSERT_TRUE(sidecar.Add("named_" + m + ".pt", "parameter", stored_names[i],
                              named[i].second, false)
                      .ok());
    }
  }
  Result<std::string> manifest = sidecar.Finish();
  ASSERT_TRUE(manifest.ok()) << manifest.error().ToString();

  CheckerRun run = Check(manifest.value());
  EXPECT_EQ(run.exit_code, 0) << Explain(run);
  // The checker counted every tensor: 2 modes x (12 one-tensor + transposed +
  // requires_grad + 12 named).
  EXPECT_NE(run.output.find("52 tensors in 30 archives, 0 problems"), std::string::npos)
      << run.output;
  // The peer is the PyTorch it claims to be (a virtual environment's
  // interpreter started through a symlink is the system's).
  EXPECT_NE(run.output.find(std::string("torch ") + GetParam().version + "."), std::string::npos)
      << run.output;
}

// The checker is not vacuous: one flipped bit in the expectation fails it.
TEST_P(PythonReadsBridgeArchives, CheckerRejectsAOneBitDifference) {
  const std::string dir = FreshDir("flipped_bit");
  at::Tensor t = PatternTensor(at::kFloat, {8}, 3);
  SaveOne(dir, "one.pt", t, Mode::kHardened);
  at::Tensor expected = t.clone();
  expected.view(at::kInt)[5].bitwise_xor_(1);
  SidecarWriter sidecar(dir);
  ASSERT_TRUE(sidecar.Add("one.pt", "tensor", "0", expected, false).ok());
  Result<std::string> manifest = sidecar.Finish();
  ASSERT_TRUE(manifest.ok()) << manifest.error().ToString();

  CheckerRun run = Check(manifest.value());
  EXPECT_EQ(run.exit_code, 1) << Explain(run);
  EXPECT_NE(run.output.find("MISMATCH one.pt:0: bytes differ"), std::string::npos)
      << run.output;
}

INSTANTIATE_TEST_SUITE_P(Peers, PythonReadsBridgeArchives, ::testing::ValuesIn(kPeers),
                         [](const ::testing::TestParamInfo<Peer>& info) {
                           std::string name = std::string("PyTorch") + info.param.version;
                           name.erase(name.find('.'), 1);
                           return name;
                         });

}  // namespace
}  // namespace tsh
