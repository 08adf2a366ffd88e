// Every conformance case runs in a child process of its own, so that an
// implementation that crashes on one call fails that case, with the signal
// named, and every other case still runs and reports.
//
// Usage: the first statement of a test body that calls into the
// implementation (fixtures must not: a fixture's constructor and SetUp run
// in the parent),
//
//   TEST(Write, ShortCountPassedThroughExactly) {
//     TSH_ISOLATED_CASE();
//     ...
//   }
//
// The parent forks and waits; the child runs the rest of the body and ends
// when the case ends. Everything the child's case records (failures with
// their file and line, a skip, properties) is replayed into the parent's
// case, so reports (console, XML, JSON) read as if the case ran in
// process. How the child ended becomes a failure of its own when it did not
// end the case: a signal (named), an exit, or a hang past
// kCaseTimeoutSeconds (SIGALRM). Inside a child the macro does nothing, so a
// helper may use it too.
//
// Fork safety: the parent runs no case body, so it starts no LibTorch
// thread pool before it forks.
#ifndef TSH_CONFORMANCE_TESTING_ISOLATED_CASE_H_
#define TSH_CONFORMANCE_TESTING_ISOLATED_CASE_H_

namespace tsh::test {

// A case running longer than this in its child is killed and fails.
inline constexpr unsigned kCaseTimeoutSeconds = 300;

// In the parent: runs the rest of the current case in a child, replays its
// results here, and returns true (the body must return); how the child
// ended, if it did not end the case, is a failure at file:line. In the
// child, or where no case is running: returns false.
bool RanInChild(const char* file, int line);

}  // namespace tsh::test

#define TSH_ISOLATED_CASE()                                   \
  do {                                                        \
    if (::tsh::test::RanInChild(__FILE__, __LINE__)) return; \
  } while (false)

#endif  // TSH_CONFORMANCE_TESTING_ISOLATED_CASE_H_
