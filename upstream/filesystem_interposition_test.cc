// F20: a program that links PyTorch 2.11's libtorch.so (the PyPI wheel) and
// calls std::filesystem::remove_all gets libtorch.so's copy of it, which
// jumps to address 0 on Debian 12.
//
// The wheel's libtorch.so defines 30 std::filesystem functions (linked in
// from a newer libstdc++ than the system's) and exports them; being loaded
// before libstdc++.so.6, it interposes them on the whole program. Its
// remove_all calls recursive_directory_iterator::__erase, which it imports
// as a weak symbol and which GCC 12's libstdc++ (GLIBCXX_3.4.30) does not
// have: the weak reference resolves to 0. Nothing of LibTorch is called.
//
// Standalone: build it with any C++17 compiler against libtorch.so alone
// (`-ltorch` with --no-as-needed) and run it. Exit status 0 when remove_all
// worked; the test below forks it and pins, per LibTorch version, how it
// ends. No GoogleTest: the reproducer and its pin are this one file.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>

#include "libtorch_version.h"

namespace {

// The reproducer: make a directory tree and remove it.
int RemoveATree(const std::string& root) {
  std::filesystem::create_directories(root + "/a/b");
  std::error_code ec;
  const std::uintmax_t removed = std::filesystem::remove_all(root, ec);
  std::printf("remove_all removed %ju entries (%s)\n", removed, ec.message().c_str());
  return removed == 3 && !ec ? 0 : 1;
}

// How the reproducer ends in a child: "returned" or the signal's number.
std::string OutcomeInChild(const std::string& root) {
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid == 0) _exit(RemoveATree(root));
  int status = 0;
  if (pid < 0 || waitpid(pid, &status, 0) != pid) return "fork failed";
  if (WIFSIGNALED(status)) return "signal " + std::to_string(WTERMSIG(status));
  return WEXITSTATUS(status) == 0 ? "returned" : "exit " + std::to_string(WEXITSTATUS(status));
}

}  // namespace

int main() {
  const char* tmp = std::getenv("TEST_TMPDIR");
  const std::string root = std::string(tmp ? tmp : "/tmp") + "/f20_tree";
  const std::string version = TSH_LIBTORCH_VERSION;
  // The pin: what each LibTorch version shows (measured).
  std::string expected;
  if (version == "1.13") expected = "returned";
  if (version == "2.11") expected = "signal " + std::to_string(SIGSEGV);
  const std::string got = OutcomeInChild(root);
  std::printf("LibTorch %s: %s\n", version.c_str(), got.c_str());
  if (expected.empty()) {
    std::printf("no pin for LibTorch %s: add what it shows to this file\n", version.c_str());
    return 1;
  }
  if (got != expected) {
    std::printf("pinned %s: the finding changed (FINDINGS.md F20)\n", expected.c_str());
    return 1;
  }
  return 0;
}
