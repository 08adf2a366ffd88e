#include "conformance/matrix/child_runner.h"

#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>

namespace tsh::matrix {
namespace {

using Clock = std::chrono::steady_clock;

struct Child {
  size_t job = 0;
  pid_t pid = -1;
  int report_fd = -1;  // The child's Verdict: "outcome\nerror_line_problem\nmessage".
  int err_fd = -1;     // The child's stderr.
  std::string report;
  std::string err;
  Clock::time_point deadline;
};

void WriteAll(int fd, const std::string& s) {
  size_t done = 0;
  while (done < s.size()) {
    ssize_t n = ::write(fd, s.data() + done, s.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    done += static_cast<size_t>(n);
  }
}

[[noreturn]] void ChildMain(size_t job, const std::function<Verdict(size_t)>& body,
                            int report_fd, int err_fd) {
  rlimit no_core{0, 0};
  setrlimit(RLIMIT_CORE, &no_core);
  dup2(err_fd, STDERR_FILENO);
  Verdict v = body(job);
  WriteAll(report_fd,
           std::string(OutcomeName(v.outcome)) + "\n" + v.error_line_problem + "\n" + v.message);
  _exit(0);
}

// std::terminate's "what():  ..." line, else the last non-empty line.
std::string LastWords(const std::string& err) {
  size_t what = err.find("what():");
  std::string line;
  if (what != std::string::npos) {
    size_t end = err.find('\n', what);
    line = err.substr(what, end == std::string::npos ? std::string::npos : end - what);
  } else {
    size_t end = err.find_last_not_of("\n ");
    if (end == std::string::npos) return "";
    size_t begin = err.rfind('\n', end);
    line = err.substr(begin == std::string::npos ? 0 : begin + 1, end + 1 - (begin + 1));
  }
  if (line.size() > 300) line.resize(300);
  return line;
}

Verdict Judge(const Child& c, int status, bool timed_out) {
  if (timed_out) return {Outcome::kHang, "killed after the time limit; " + LastWords(c.err)};
  if (WIFSIGNALED(status)) {
    std::string sig = sigabbrev_np(WTERMSIG(status)) ? sigabbrev_np(WTERMSIG(status)) : "?";
    std::string words = LastWords(c.err);
    return {Outcome::kAbort, "SIG" + sig + (words.empty() ? "" : ": " + words)};
  }
  const size_t nl = c.report.find('\n');
  const size_t nl2 = nl == std::string::npos ? nl : c.report.find('\n', nl + 1);
  std::optional<Outcome> o =
      nl2 == std::string::npos ? std::nullopt : ParseOutcome(c.report.substr(0, nl));
  if (!o) {
    return {Outcome::kAbort, "exited with status " + std::to_string(WEXITSTATUS(status)) +
                                 " without a report: " + LastWords(c.err)};
  }
  return {*o, c.report.substr(nl2 + 1), c.report.substr(nl + 1, nl2 - nl - 1)};
}

bool Drain(int& fd, std::string& into) {
  char buf[4096];
  ssize_t n = ::read(fd, buf, sizeof buf);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return true;
  if (n <= 0) {
    ::close(fd);
    fd = -1;
    return false;
  }
  // Keep the tail only: a chatty child must not grow the parent.
  into.append(buf, static_cast<size_t>(n));
  if (into.size() > 65536) into.erase(0, into.size() - 65536);
  return true;
}

}  // namespace

std::vector<Verdict> RunInChildren(size_t n, const std::function<Verdict(size_t)>& body,
                                   const ChildOptions& options) {
  std::vector<Verdict> verdicts(n);
  std::vector<Child> running;
  size_t next = 0, done = 0;
  const int parallel = options.parallel < 1 ? 1 : options.parallel;
  while (done < n) {
    while (next < n && static_cast<int>(running.size()) < parallel) {
      int rp[2], ep[2];
      if (pipe(rp) != 0 || pipe(ep) != 0) {
        verdicts[next++] = {Outcome::kAbort, std::string("pipe: ") + std::strerror(errno)};
        ++done;
        continue;
      }
      std::fflush(nullptr);
      pid_t pid = fork();
      if (pid == 0) {
        ::close(rp[0]);
        ::close(ep[0]);
        for (const Child& c : running) {
          ::close(c.report_fd);
          ::close(c.err_fd);
        }
        ChildMain(next, body, rp[1], ep[1]);
      }
      ::close(rp[1]);
      ::close(ep[1]);
      if (pid < 0) {
        ::close(rp[0]);
        ::close(ep[0]);
        verdicts[next++] = {Outcome::kAbort, std::string("fork: ") + std::strerror(errno)};
        ++done;
        continue;
      }
      Child c;
      c.job = next++;
      c.pid = pid;
      c.report_fd = rp[0];
      c.err_fd = ep[0];
      c.deadline = Clock::now() + std::chrono::seconds(options.timeout_s);
      running.push_back(std::move(c));
    }
    std::vector<pollfd> fds;
    for (const Child& c : running) {
      if (c.report_fd >= 0) fds.push_back({c.report_fd, POLLIN, 0});
      if (c.err_fd >= 0) fds.push_back({c.err_fd, POLLIN, 0});
    }
    if (!fds.empty()) poll(fds.data(), fds.size(), 100);
    for (const pollfd& p : fds) {
      if (p.revents == 0) continue;
      for (Child& c : running) {
        if (c.report_fd == p.fd) Drain(c.report_fd, c.report);
        if (c.err_fd == p.fd) Drain(c.err_fd, c.err);
      }
    }
    for (size_t i = 0; i < running.size();) {
      Child& c = running[i];
      const bool open = c.report_fd >= 0 || c.err_fd >= 0;
      const bool timed_out = open && Clock::now() > c.deadline;
      if (open && !timed_out) {
        ++i;
        continue;
      }
      if (timed_out) kill(c.pid, SIGKILL);
      int status = 0;
      while (waitpid(c.pid, &status, 0) < 0 && errno == EINTR) {
      }
      if (c.report_fd >= 0) ::close(c.report_fd);
      if (c.err_fd >= 0) ::close(c.err_fd);
      verdicts[c.job] = Judge(c, status, timed_out);
      running.erase(running.begin() + static_cast<std::ptrdiff_t>(i));
      ++done;
      if (options.progress) options.progress(done, n);
    }
  }
  return verdicts;
}

}  // namespace tsh::matrix
