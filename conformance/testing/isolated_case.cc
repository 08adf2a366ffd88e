#include "conformance/testing/isolated_case.h"

#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace tsh::test {
namespace {

// What the child sends the parent, one record at a time, each as
// tag, then length-prefixed strings.
enum Tag : uint8_t {
  kPartResult = 1,  // type, file, line, message
  kProperty = 2,    // key, value
  kCaseEnded = 3,   // nothing: the case ran to its end
};

bool in_child = false;

void WriteAll(int fd, const void* data, size_t n) {
  const char* p = static_cast<const char*>(data);
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) _exit(3);  // The parent is gone: nobody to report to.
    p += w;
    n -= static_cast<size_t>(w);
  }
}

void Send(int fd, Tag tag, const std::vector<std::string>& fields) {
  WriteAll(fd, &tag, 1);
  for (const std::string& f : fields) {
    uint32_t n = static_cast<uint32_t>(f.size());
    WriteAll(fd, &n, sizeof n);
    WriteAll(fd, f.data(), n);
  }
}

// Child side: forwards the case's results as they happen (so what a later
// crash cuts short is already sent) and ends the process with the case.
class ChildReporter : public ::testing::EmptyTestEventListener {
 public:
  explicit ChildReporter(int fd) : fd_(fd) {}

  void OnTestPartResult(const ::testing::TestPartResult& r) override {
    Send(fd_, kPartResult,
         {std::to_string(static_cast<int>(r.type())),
          r.file_name() != nullptr ? r.file_name() : "", std::to_string(r.line_number()),
          r.message()});
  }

  void OnTestEnd(const ::testing::TestInfo& info) override {
    const ::testing::TestResult& result = *info.result();
    for (int i = 0; i < result.test_property_count(); ++i) {
      const ::testing::TestProperty& p = result.GetTestProperty(i);
      Send(fd_, kProperty, {p.key(), p.value()});
    }
    Send(fd_, kCaseEnded, {});
    std::cout.flush();
    std::fflush(nullptr);
    _exit(0);  // No destructors, no atexit: the parent owns the rest.
  }

 private:
  int fd_;
};

void BecomeChild(int fd) {
  in_child = true;
  ::testing::TestEventListeners& listeners = ::testing::UnitTest::GetInstance()->listeners();
  // The parent prints the replayed results; the child would print them twice.
  delete listeners.Release(listeners.default_result_printer());
  listeners.Append(new ChildReporter(fd));
  alarm(kCaseTimeoutSeconds);
}

bool ReadAll(int fd, void* data, size_t n) {
  char* p = static_cast<char*>(data);
  while (n > 0) {
    ssize_t r = read(fd, p, n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    p += r;
    n -= static_cast<size_t>(r);
  }
  return true;
}

bool Receive(int fd, size_t count, std::vector<std::string>* fields) {
  fields->assign(count, "");
  for (std::string& f : *fields) {
    uint32_t n = 0;
    if (!ReadAll(fd, &n, sizeof n)) return false;
    f.resize(n);
    if (!ReadAll(fd, f.data(), n)) return false;
  }
  return true;
}

void Replay(const std::vector<std::string>& part) {
  const auto type = static_cast<::testing::TestPartResult::Type>(std::stoi(part[0]));
  const char* file = part[1].empty() ? nullptr : part[1].c_str();
  ::testing::internal::AssertHelper(type, file, std::stoi(part[2]), part[3].c_str()) =
      ::testing::Message();
}

// Parent side: replays everything the child sent; true when the child
// reported the end of its case.
bool ReplayChild(int fd) {
  bool ended = false;
  Tag tag;
  std::vector<std::string> fields;
  while (ReadAll(fd, &tag, 1)) {
    if (tag == kPartResult && Receive(fd, 4, &fields)) {
      Replay(fields);
    } else if (tag == kProperty && Receive(fd, 2, &fields)) {
      ::testing::Test::RecordProperty(fields[0], fields[1]);
    } else if (tag == kCaseEnded) {
      ended = true;
    } else {
      break;
    }
  }
  return ended;
}

std::string Describe(int status) {
  if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    const char* abbrev = sigabbrev_np(sig);
    std::string text = "signal " + std::to_string(sig) + " (SIG" +
                       (abbrev != nullptr ? abbrev : "?") + ": " + strsignal(sig) + ")";
    if (sig == SIGALRM) {
      text += ": the case ran past " + std::to_string(kCaseTimeoutSeconds) + " s";
    }
    return "the case's child process was killed by " + text;
  }
  return "the case's child process exited with status " + std::to_string(WEXITSTATUS(status)) +
         " before the case ended";
}

}  // namespace

bool RanInChild(const char* file, int line) {
  if (in_child || ::testing::UnitTest::GetInstance()->current_test_info() == nullptr) {
    return false;
  }
  int fds[2];
  if (pipe(fds) != 0) {
    ADD_FAILURE() << "pipe: " << strerror(errno) << "; the case runs in process";
    return false;
  }
  std::cout.flush();
  std::fflush(nullptr);  // Else the child repeats what is still buffered.
  const pid_t pid = fork();
  if (pid < 0) {
    ADD_FAILURE() << "fork: " << strerror(errno) << "; the case runs in process";
    close(fds[0]);
    close(fds[1]);
    return false;
  }
  if (pid == 0) {
    close(fds[0]);
    BecomeChild(fds[1]);
    return false;
  }
  close(fds[1]);
  const bool ended = ReplayChild(fds[0]);
  close(fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  const bool clean_exit = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  if (!ended || !clean_exit) ADD_FAILURE_AT(file, line) << Describe(status);
  return true;
}

}  // namespace tsh::test
