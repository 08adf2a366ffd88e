// A main() for fuzz targets outside libFuzzer: replays saved inputs through
// LLVMFuzzerTestOneInput, so every fuzzer is also a regression test of the
// default build (fuzz.bzl's <name>_regression_test and <name> without
// --config=fuzz).
//
// Usage: replay_main [PATH...] [--crashes DIR...]
//        replay_main --outcome FILE    (prints how replaying FILE in a child
//                                       ends, as a .txt's outcome line says it)
// - A PATH (file, or folder walked recursively) is replayed in this
//   process; an input that crashes or aborts fails the run, as it would
//   under libFuzzer.
// - After --crashes, each DIR holds reproducers <id>.bin, each described by
//   <id>.txt, whose line "outcome[V]: X" says what replaying it gives with
//   LibTorch V (major.minor, TSH_LIBTORCH_VERSION; in an ASan build, the
//   line "outcome_asan[V]: X" wins where present). Each is
//   replayed in a fresh child process (this binary run again with --one
//   FILE: a fork would inherit the heap of the inputs replayed before, and
//   whether LibTorch's wild reads crash depends on it; address space
//   randomization is off in it for the same reason) and must give
//   exactly X: "returned" (the
//   harness contained the input and returned), "memory_blowup" (an
//   allocation was refused by the child's address-space limit: LibTorch
//   allocating sizes an archive states), "SIG<NAME>" (killed by that
//   signal) or "exit(N)". A different outcome fails the run, naming the
//   reproducer and both outcomes: e.g. a LibTorch upgrade fixed a crash.
//   A wild read's record (line "wild_read: yes") is the exception: a crash
//   (SIGSEGV, SIGBUS), "memory_blowup" and "returned" stand for each other
//   there, since which one a run gives moves with the environment and with
//   this project's own allocations.
//   A reproducer with no outcome for this LibTorch fails too, saying how
//   to record one (tools/findings --write).
// Memory verdicts must not depend on the machine's memory: a child may map
// kChildAllocationRoom beyond what it has mapped once loaded (RLIMIT_AS;
// LibTorch builds with CUDA map gigabytes of libraries before main), with
// one OpenMP thread and two malloc arenas so that what it maps does not
// grow with the machine's cores, and under AddressSanitizer,
// which reserves terabytes of address space, under ASan's own cap on one
// allocation (max_allocation_size_mb, whose report ends the child as a
// refusal), so a 4 GB allocation is refused on a 4 GB laptop and on a
// 128 GB server alike, and is "memory_blowup" in both builds.
// A path that does not exist, and a folder with no file, are errors (a typo
// or a lost corpus must not pass silently). Exit status 0 when every input
// behaved.
#include <dlfcn.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <new>
#include <string>
#include <vector>

#include "libtorch_version.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TSH_REPLAY_ASAN 1
#endif
#endif
#ifndef TSH_REPLAY_ASAN
#define TSH_REPLAY_ASAN 0
#endif
#if TSH_REPLAY_ASAN
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#endif

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
extern "C" __attribute__((weak)) int LLVMFuzzerInitialize(int* argc, char*** argv);

namespace {

namespace fs = std::filesystem;

constexpr bool kAsan = TSH_REPLAY_ASAN;

// A crash must not hang CI: a child still running after this is killed.
constexpr unsigned kChildTimeoutSeconds = 120;

// Far above what replaying one small reproducer needs (one load maps well
// under 1 GiB beyond the libraries); under ASan, its cap on one allocation.
#if !TSH_REPLAY_ASAN
constexpr rlim_t kChildAllocationRoom = rlim_t{2} << 30;
#endif
constexpr const char* kAsanAllocationCap = "max_allocation_size_mb=2048";

// A child that saw an allocation refused ends with this status, which the
// parent reads as "memory_blowup".
constexpr int kRefusedExit = 86;

// Set in a child when the address-space limit refused an allocation.
std::atomic<bool> g_refused{false};

// operator new's handler: note the refusal, then let new throw bad_alloc
// as it would have (the bridge must still contain it).
void NoteRefusedNew() {
  g_refused = true;
  std::set_new_handler(nullptr);
}

#if TSH_REPLAY_ASAN
// ASan's death callback: its report of an allocation above the cap (or of
// memory exhausted) is the refusal the plain build notes itself.
void ExitIfRefused() {
  const char* what = __asan_get_report_description();
  if (what != nullptr &&
      (strstr(what, "allocation-size-too-big") != nullptr || strstr(what, "out-of-memory") != nullptr)) {
    _exit(kRefusedExit);
  }
}
#endif

std::vector<uint8_t> ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

// Files under `p` (itself if a file), sorted so runs are reproducible;
// an error message when `p` is missing or, with `need_files`, holds none.
std::string Collect(const fs::path& p, bool need_files, std::vector<fs::path>* out) {
  std::error_code ec;
  if (fs::is_regular_file(p, ec)) {
    out->push_back(p);
    return "";
  }
  if (!fs::is_directory(p, ec)) return "no such file or folder: " + p.string();
  std::vector<fs::path> found;
  for (const auto& e : fs::recursive_directory_iterator(p, ec)) {
    if (e.is_regular_file()) found.push_back(e.path());
  }
  if (need_files && found.empty()) return "folder holds no input: " + p.string();
  std::sort(found.begin(), found.end());
  out->insert(out->end(), found.begin(), found.end());
  return "";
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
    // The address space a child maps must not grow with the machine's
    // cores: one OpenMP thread, two malloc arenas (each reserves 64 MiB).
    setenv("OMP_NUM_THREADS", "1", 1);
    setenv("MALLOC_ARENA_MAX", "2", 1);
    if (kAsan) {
      const char* old = getenv("ASAN_OPTIONS");
      std::string opts = old && *old ? std::string(old) + ":" + kAsanAllocationCap
                                     : std::string(kAsanAllocationCap);
      setenv("ASAN_OPTIONS", opts.c_str(), 1);
    }
    const char* args[] = {argv0, "--one", path.c_str(), nullptr};
    execv("/proc/self/exe", const_cast<char* const*>(args));
    _exit(127);
  }
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) return "waitpid failed";
  if (WIFSIGNALED(status)) return SignalName(WTERMSIG(status));
  if (WEXITSTATUS(status) == 0) return "returned";
  if (WEXITSTATUS(status) == kRefusedExit) return "memory_blowup";
  return "exit(" + std::to_string(WEXITSTATUS(status)) + ")";
}

#if !TSH_REPLAY_ASAN
// The address space this process has mapped (VmSize), or 0 if unknown.
rlim_t MappedBytes() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    unsigned long long kib = 0;
    if (sscanf(line.c_str(), "VmSize: %llu kB", &kib) == 1) return rlim_t{kib} << 10;
  }
  return 0;
}
#endif

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

// A record of a wild read (its line "wild_read: yes"): whether LibTorch's
// bad pointer faults, reads a huge length or reads something harmless
// depends on the address layout, which the process's environment (its
// working directory, say) and this project's own allocations shift even
// with randomization off, so a crash, a memory blowup and a contained
// return are the same finding.
bool IsWildRead(const std::string& record) {
  return Field(record, "wild_read").rfind("yes", 0) == 0;
}

bool EitherWayOfAWildRead(const std::string& outcome) {
  return outcome == "returned" || outcome == "SIGSEGV" || outcome == "SIGBUS" ||
         outcome == "memory_blowup";
}

}  // namespace

#if !TSH_REPLAY_ASAN
// LibTorch's CPU allocator (c10::alloc_cpu) takes its memory from
// posix_memalign, which reports a refusal as ENOMEM rather than through
// operator new's handler. The dynamic linker binds LibTorch's calls to this
// definition before libc's: it notes the refusal and passes the result on.
// (AddressSanitizer has its own posix_memalign and its own cap.)
extern "C" int posix_memalign(void** out, size_t alignment, size_t size) {
  using Fn = int (*)(void**, size_t, size_t);
  static const Fn next = reinterpret_cast<Fn>(dlsym(RTLD_NEXT, "posix_memalign"));
  const int rc = next(out, alignment, size);
  if (rc == ENOMEM) g_refused = true;
  return rc;
}
#endif

int main(int argc, char** argv) {
  if (LLVMFuzzerInitialize) LLVMFuzzerInitialize(&argc, &argv);
  if (argc == 3 && std::string(argv[1]) == "--one") {  // OutcomeInChild's child.
    std::set_new_handler(NoteRefusedNew);
#if TSH_REPLAY_ASAN
    __sanitizer_set_death_callback(ExitIfRefused);
#else
    const rlim_t limit_bytes = MappedBytes() + kChildAllocationRoom;
    struct rlimit limit = {limit_bytes, limit_bytes};
    setrlimit(RLIMIT_AS, &limit);
#endif
    std::vector<uint8_t> data = ReadFile(argv[2]);
    LLVMFuzzerTestOneInput(data.data(), data.size());
    _exit(g_refused ? kRefusedExit : 0);  // No atexit work: only the replay is judged.
  }
  if (argc == 3 && std::string(argv[1]) == "--outcome") {
    printf("%s\n", OutcomeInChild(argv[0], argv[2]).c_str());
    return 0;
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
    // A crash folder may be empty (nothing found yet); a corpus may not.
    std::string error = Collect(arg, !crashes, crashes ? &crash_files : &inputs);
    if (!error.empty()) {
      fprintf(stderr, "replay: %s\n", error.c_str());
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
    const std::string version = std::string("[") + TSH_LIBTORCH_VERSION + "]";
    std::string expected = kAsan ? Field(text, "outcome_asan" + version) : "";
    if (expected.empty()) expected = Field(text, "outcome" + version);
    if (expected.empty()) {
      fprintf(stderr,
              "replay: %s has no outcome for LibTorch %s (no line \"outcome%s: X\"): "
              "replay and record it with tools/findings --write\n",
              txt.c_str(), TSH_LIBTORCH_VERSION, version.c_str());
      ++failures;
      continue;
    }
    std::string got = OutcomeInChild(argv[0], bin);
    ++replayed;
    if (got != expected && IsWildRead(text) && EitherWayOfAWildRead(got) &&
        EitherWayOfAWildRead(expected)) {
      fprintf(stderr, "replay: %s: %s, recorded %s: a wild read, either is its outcome\n",
              bin.c_str(), got.c_str(), expected.c_str());
    } else if (got != expected) {
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
