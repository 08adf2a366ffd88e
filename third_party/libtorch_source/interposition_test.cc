// Proves, on the LibTorch this build links, that its readers compiled from
// source (libtorch_source.bzl) interpose libtorch_cpu's own: a load of a
// fixed archive through the bridge must run their instrumented blocks, and
// among them the entries of functions the bridge never calls itself: only
// libtorch_cpu's import does (torch::jit::load), through the loader's
// binding to this program's copies.
//
// A plain program, not GoogleTest: it also runs on PyTorch 2.6's LibTorch,
// built with the old libstdc++ ABI, which Debian's GoogleTest is not. It
// writes its cases into Bazel's test.xml ($XML_OUTPUT_FILE) itself, so that
// a LibTorch without a fetched source (2.11) reports its case as skipped,
// never as passed.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include <ATen/ATen.h>

#include "bridge/cursor.h"
#include "bridge/tensor_io.h"
#include "testing/fixed_archives.h"
#include "libtorch_version.h"
#include "third_party/libtorch_source/reader_counters.h"

namespace {

struct Case {
  std::string name;
  std::string failure;  // Empty: passed.
  bool skipped = false;
};

bool HasPrefix(const std::set<std::string>& names, const std::string& prefix) {
  for (const std::string& n : names) {
    if (n.compare(0, prefix.size(), prefix) == 0) return true;
  }
  return false;
}

// The functions whose instrumented entries a load must run: the container
// and the unpickler, which only libtorch_cpu calls, and miniz.
const char* const kMustRun[] = {
    "caffe2::serialize::PyTorchStreamReader::PyTorchStreamReader(",
    "caffe2::serialize::PyTorchStreamReader::getRecord(",
    "mz_zip_reader_init",
    "torch::jit::Unpickler::run(",
};

Case LoadRunsReaders(tsh::Mode mode, const char* name) {
  Case c{name, "", false};
  const tsh::test::FixedArchive* archive = nullptr;
  for (const auto& a : tsh::test::FixedArchives()) {
    if (a.label == "one:float32[3,4]") archive = &a;
  }
  if (archive == nullptr) return {name, "no fixed archive one:float32[3,4]"};
  tsh::ResetReaderCounters();
  tsh::Cursor in(archive->bytes);
  auto got = tsh::LoadTensor(in, mode);
  if (!got.ok()) return {name, "the load failed: " + got.error().message()};
  if (!got.value().equal(archive->tensors[0].second)) return {name, "the tensor loaded differs"};
  const size_t blocks = tsh::ReaderBlocksRun();
  const std::set<std::string> run = tsh::ReaderFunctionsRun();
  std::printf("%s: %zu of %zu instrumented LibTorch blocks ran, in %zu interposed functions\n",
              name, blocks, tsh::ReaderCounterCount(), run.size());
  if (blocks == 0) return {name, "no instrumented LibTorch block ran: nothing is interposed"};
  for (const char* f : kMustRun) {
    if (!HasPrefix(run, f)) c.failure += std::string("the instrumented ") + f + ") never ran; ";
  }
  return c;
}

std::string Escape(const std::string& s) {
  std::string out;
  for (char ch : s) {
    if (ch == '<') out += "&lt;";
    else if (ch == '>') out += "&gt;";
    else if (ch == '&') out += "&amp;";
    else if (ch == '"') out += "&quot;";
    else out += ch;
  }
  return out;
}

void WriteXml(const std::vector<Case>& cases) {
  const char* path = std::getenv("XML_OUTPUT_FILE");
  if (path == nullptr) return;
  std::ofstream xml(path);
  xml << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n"
      << "<testsuite name=\"Interposition\" tests=\"" << cases.size() << "\">\n";
  for (const Case& c : cases) {
    xml << "<testcase name=\"" << c.name << "\" classname=\"Interposition\">";
    if (c.skipped) xml << "<skipped message=\"" << Escape(c.failure) << "\"/>";
    else if (!c.failure.empty()) xml << "<failure message=\"" << Escape(c.failure) << "\"/>";
    xml << "</testcase>\n";
  }
  xml << "</testsuite>\n</testsuites>\n";
}

}  // namespace

int main() {
  std::vector<Case> cases;
#ifdef TSH_NO_LIBTORCH_SOURCE
  cases.push_back({"LoadRunsReaders", std::string("no source of LibTorch ") + TSH_LIBTORCH_VERSION +
                   " is fetched (third_party/libtorch_source/sources.tsv)", true});
#else
  if (tsh::ReaderCounterCount() == 0) {
    cases.push_back({"ReadersLinked", "no instrumented LibTorch code is linked"});
  } else {
    cases.push_back(LoadRunsReaders(tsh::Mode::kFaithful, "FaithfulLoadRunsReaders"));
    cases.push_back(LoadRunsReaders(tsh::Mode::kHardened, "HardenedLoadRunsReaders"));
  }
#endif
  WriteXml(cases);
  int failed = 0;
  for (const Case& c : cases) {
    std::printf("%s %s%s%s\n", c.skipped ? "SKIPPED" : c.failure.empty() ? "PASSED" : "FAILED",
                c.name.c_str(), c.failure.empty() ? "" : ": ", c.failure.c_str());
    failed += !c.skipped && !c.failure.empty();
  }
  return failed == 0 ? 0 : 1;
}
