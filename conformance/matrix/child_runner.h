// Runs jobs in forked child processes, a few at a time, and turns how each
// child ended into a Verdict.
//
// What it is for: a faithful save that meets a write fault ends the process
// (std::terminate inside LibTorch 1.13), and a load may hang; the matrix
// must survive both and record them.
//
// Promises: job i runs in its own child, which reports the Verdict the body
// returns through a pipe and exits with _exit (no destructors, no atexit).
// A child killed by a signal is Outcome::kAbort, its message the signal's
// name and the last words it wrote to stderr (std::terminate's what());
// a child past `timeout_s` is killed (SIGKILL) and is Outcome::kHang; a
// child that exits without a report is kAbort too. Core dumps are disabled
// in the children. The parent process is single-threaded here (fork from a
// threaded process could deadlock the child), so call it from the main
// thread, with no other threads of ours running.
#ifndef TSH_CONFORMANCE_MATRIX_CHILD_RUNNER_H_
#define TSH_CONFORMANCE_MATRIX_CHILD_RUNNER_H_

#include <cstddef>
#include <functional>
#include <vector>

#include "conformance/matrix/cell.h"

namespace tsh::matrix {

struct ChildOptions {
  int parallel = 2;     // Children alive at once (>= 1).
  int timeout_s = 10;   // Per child.
  // Called after each finished job with the number finished so far.
  std::function<void(size_t done, size_t total)> progress;
};

// Runs body(0) .. body(n-1), each in a child; returns their verdicts in order.
std::vector<Verdict> RunInChildren(size_t n, const std::function<Verdict(size_t)>& body,
                                   const ChildOptions& options);

}  // namespace tsh::matrix

#endif  // TSH_CONFORMANCE_MATRIX_CHILD_RUNNER_H_
