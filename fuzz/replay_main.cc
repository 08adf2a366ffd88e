// A main() for fuzz targets outside libFuzzer: replays saved inputs through
// LLVMFuzzerTestOneInput, so every fuzzer is also a regression test of the
// default build (fuzz.bzl's <name>_regression_test and <name> without
// --config=fuzz).
//
// Usage: replay_main [PATH...] [--crashes DIR...]
// - A PATH (file, or folder walked recursively) is replayed in this
//   process; an input that crashes or aborts fails the run, as it would
//   under libFuzzer.
// - After --crashes, each DIR holds reproducers <id>.bin, each described by
//   <id>.txt, whose line "outcome: X" says what replaying it gives (in an
//   ASan build, the line "outcome_asan: X" wins where present). Each is
//   replayed in a fresh child process (this binary run again with --one
//   FILE: a fork would inherit the heap of the inputs replayed before, and
//   whether LibTorch's wild reads crash depends on it; address space
//   randomization is off in it for the same reason) and must give
//   exactly X: "returned" (the
//   harness contained the input and returned), "memory_blowup" (returned,
//   but peaked above kBlowupBytes of resident memory: LibTorch allocating
//   sizes an archive states), "SIG<NAME>" (killed by that signal) or
//   "exit(N)". A different outcome fails the run, naming the
//   reproducer and both outcomes: e.g. a LibTorch upgrade fixed a crash.
// A path that does not exist is an error (a typo must not pass silently).
// Exit status 0 when every input behaved.
#include <signal.h>
#include <sys/personality.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
extern "C" __attribute__((weak)) int LLVMFuzzerInitialize(int* argc, char*** argv);

namespace {

namespace fs = std::filesystem;

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kAsan = true;
#else
constexpr bool kAsan = false;
#endif
#else
constexpr bool kAsan = false;
#endif

// A crash must not hang CI: a child still running after this is killed.
constexpr unsigned kChildTimeoutSeconds = 120;

// Far above what loading the small reproducers needs (~200 MB).
constexpr long kBlowupBytes = 1L << 30;

std::vector<uint8_t> ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

// Files under `p` (itself if a file), sorted so runs are reproducible.
bool Collect(const fs::path& p, std::vector<fs::path>* out) {
  std::error_code ec;
  if (fs::is_regular_file(p, ec)) {
    out->push_back(p);
    return true;
  }
  if (!fs::is_directory(p, ec)) return false;
  std::vector<fs::path> found;
  for (const auto& e : fs::recursive_directory_iterator(p, ec)) {
    if (e.is_regular_file()) found.push_back(e.path());
  }
  std::sort(found.begin(), found.end());
  out->insert(out->end(), found.begin(), found.end());
  return true;
}

std::string SignalName(int sig) {
  const char* abbrev = sigabbrev_np(sig);
  return abbrev ? std::string("SIG") + abbrev : "SIG" + std::to_string(sig);
}

// Replays `path` in a fresh process and names how it ended.
std::string OutcomeInChild(const char* argv0, const fs::path& path) {
  fflush(nullptr);
  pid_t pid = fork();
  if (pid < 0) return "fork failed";
  if (pid == 0) {
    alarm(kChildTimeoutSeconds);
    // A fixed address layout: LibTorch's wild reads then hit (or miss) the
    // same memory on every run.
    personality(ADDR_NO_RANDOMIZE);
    const char* args[] = {argv0, "--one", path.c_str(), nullptr};
    execv("/proc/self/exe", const_cast<char* const*>(args));
    _exit(127);
  }
  int status = 0;
  struct rusage usage = {};
  if (wait4(pid, &status, 0, &usage) != pid) return "wait4 failed";
  if (WIFSIGNALED(status)) return SignalName(WTERMSIG(status));
  if (WEXITSTATUS(status) == 0) {
    return usage.ru_maxrss * 1024L > kBlowupBytes ? "memory_blowup" : "returned";
  }
  return "exit(" + std::to_string(WEXITSTATUS(status)) + ")";
}

// The value of the line "key: value" in `text`, or "".
std::string Field(const std::string& text, const std::string& key) {
  size_t at = 0;
  while (at < text.size()) {
    size_t end = text.find('\n', at);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(at, end - at);
    if (line.rfind(key + ":", 0) == 0) {
      std::string v = line.substr(key.size() + 1);
      v.erase(0, v.find_first_not_of(' '));
      v.erase(v.find_last_not_of(" \r") + 1);
      return v;
    }
    at = end + 1;
  }
  return "";
}

}  // namespace

int main(int argc, char** argv) {
  if (LLVMFuzzerInitialize) LLVMFuzzerInitialize(&argc, &argv);
  if (argc == 3 && std::string(argv[1]) == "--one") {  // OutcomeInChild's child.
    std::vector<uint8_t> data = ReadFile(argv[2]);
    LLVMFuzzerTestOneInput(data.data(), data.size());
    _exit(0);  // No atexit work: only the replay is judged.
  }
  std::vector<fs::path> inputs;
  std::vector<fs::path> crash_files;
  bool crashes = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--crashes") {
      crashes = true;
      continue;
    }
    if (!Collect(arg, crashes ? &crash_files : &inputs)) {
      fprintf(stderr, "replay: no such file or folder: %s\n", arg.c_str());
      return 2;
    }
  }
  for (const fs::path& p : inputs) {
    std::vector<uint8_t> data = ReadFile(p);
    LLVMFuzzerTestOneInput(data.data(), data.size());
  }
  fprintf(stderr, "replay: %zu inputs replayed in process\n", inputs.size());

  int failures = 0;
  int replayed = 0;
  for (const fs::path& bin : crash_files) {
    if (bin.extension() != ".bin") continue;
    fs::path txt = bin;
    txt.replace_extension(".txt");
    std::ifstream in(txt);
    std::string text((std::istreambuf_iterator<char>(in)), {});
    std::string expected = kAsan ? Field(text, "outcome_asan") : "";
    if (expected.empty()) expected = Field(text, "outcome");
    if (expected.empty()) {
      fprintf(stderr, "replay: %s has no outcome line\n", txt.c_str());
      ++failures;
      continue;
    }
    std::string got = OutcomeInChild(argv[0], bin);
    ++replayed;
    if (got != expected) {
      fprintf(stderr,
              "replay: %s: outcome changed: recorded \"%s\", now \"%s\" "
              "(update %s if LibTorch or the bridge changed on purpose)\n",
              bin.c_str(), expected.c_str(), got.c_str(), txt.c_str());
      ++failures;
    } else {
      fprintf(stderr, "replay: %s: %s as recorded\n", bin.c_str(), got.c_str());
    }
  }
  if (crashes) fprintf(stderr, "replay: %d reproducers replayed in children\n", replayed);
  return failures == 0 ? 0 : 1;
}
