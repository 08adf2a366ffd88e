// Loads one archive with LibTorch's own C++ API, nothing of this project:
// the standalone reproducer of the findings where an archive makes LibTorch
// itself crash or exhaust memory (FINDINGS.md F15-F18), for LibTorch's
// maintainers.
//
//   load_archive FILE [--skip N] [--in_process API]
//
// FILE is read into memory (its first N bytes skipped: 1 for the
// archive_fuzzer's reproducers, whose byte 0 holds the fuzzer's flags) and
// loaded twice from an std::istringstream, the way tch-rs's loads reach
// LibTorch: torch::jit::load (named tensors, scripted modules) and
// torch::load into a tensor (one tensor), each in a child process. For each
// it prints one line, "<api>: <outcome>", the outcome being
//   returned              the load returned;
//   error: <message>      it threw (first line of the message);
//   memory_blowup         an allocation was refused: the process may map
//                         2 GiB beyond what it maps once loaded (RLIMIT_AS),
//                         so a stated size of gigabytes is refused alike on
//                         any machine;
//   killed by SIG<NAME>   the load crashed.
// --in_process API runs only that load (torch::jit::load or torch::load),
// in this process: under a debugger, for a symbolized backtrace.
// Exit status 0; 2 on a bad command line or an unreadable file.
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <new>
#include <sstream>
#include <string>

#include <torch/script.h>
#include <torch/serialize.h>

namespace {

constexpr rlim_t kAllocationRoom = rlim_t{2} << 30;

// The address space mapped so far (VmSize), or 0 if unknown.
rlim_t MappedBytes() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    unsigned long long kib = 0;
    if (std::sscanf(line.c_str(), "VmSize: %llu kB", &kib) == 1) return rlim_t{kib} << 10;
  }
  return 0;
}

// The first line of `what` that is not blank.
std::string FirstLine(const char* what) {
  std::istringstream lines(what);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.find_first_not_of(" \t") != std::string::npos) return line;
  }
  return "";
}

// Runs `load` in a child (or, for the API `in_process` names, in this
// process; any other API not at all) and prints how it ended.
template <typename Load>
void Report(const char* api, const std::string& in_process, Load load) {
  if (!in_process.empty() && in_process != api) return;
  std::fflush(nullptr);
  const pid_t pid = in_process.empty() ? fork() : 0;
  if (pid == 0) {
    std::string outcome = "returned";
    try {
      load();
    } catch (const std::bad_alloc&) {
      outcome = "memory_blowup";
    } catch (const std::exception& e) {
      // LibTorch's CPU allocator reports a refusal as an error of its own.
      outcome = std::strstr(e.what(), "can't allocate memory") != nullptr
                    ? "memory_blowup"
                    : "error: " + FirstLine(e.what());
    }
    std::printf("%s: %s\n", api, outcome.c_str());
    std::fflush(stdout);
    if (!in_process.empty()) return;
    _exit(0);
  }
  int status = 0;
  if (pid > 0 && waitpid(pid, &status, 0) == pid && WIFSIGNALED(status)) {
    const char* name = sigabbrev_np(WTERMSIG(status));
    std::printf("%s: killed by SIG%s\n", api, name != nullptr ? name : "?");
    std::fflush(stdout);
  }
}

}  // namespace

int main(int argc, char** argv) {
  size_t skip = 0;
  std::string in_process;
  bool usage = argc < 2 || argc % 2 != 0;
  for (int i = 2; !usage && i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--skip") == 0) {
      skip = std::strtoul(argv[i + 1], nullptr, 10);
    } else if (std::strcmp(argv[i], "--in_process") == 0) {
      in_process = argv[i + 1];
    } else {
      usage = true;
    }
  }
  if (usage) {
    std::fprintf(stderr, "usage: load_archive FILE [--skip N] [--in_process API]\n");
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), {});
  if (!in.is_open() || bytes.size() < skip) {
    std::fprintf(stderr, "load_archive: cannot read %s\n", argv[1]);
    return 2;
  }
  bytes.erase(0, skip);
  const rlim_t limit_bytes = MappedBytes() + kAllocationRoom;
  const struct rlimit limit = {limit_bytes, limit_bytes};
  setrlimit(RLIMIT_AS, &limit);

  Report("torch::jit::load", in_process, [&] {
    std::istringstream stream(bytes);
    torch::jit::load(stream);
  });
  Report("torch::load", in_process, [&] {
    std::istringstream stream(bytes);
    at::Tensor tensor;
    torch::load(tensor, stream);
  });
  return 0;
}
