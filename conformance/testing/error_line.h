// What every error an entry point of bridge/torch_api.h leaves in
// get_and_reset_last_err() promises of its first line (bridge/error_text.h
// makes it): the invariant the ownership group and the fault matrix check
// on every error they read, over every implementation (the entry points are
// always the bridge's). Written apart from the bridge's code, so that the
// check does not repeat what it checks.
#ifndef TSH_CONFORMANCE_TESTING_ERROR_LINE_H_
#define TSH_CONFORMANCE_TESTING_ERROR_LINE_H_

#include <optional>
#include <string>

#include "conformance/testing/entry.h"

namespace tsh::test {

// Where an error came from, as far as the case knows.
enum class ErrorOrigin {
  kAny,       // a bad argument, a corrupt archive, LibTorch, a callback
  kCallback,  // the case made a stream call fail, so a callback failed
};

// Why `message`, an error of entry point `e`, breaks the promise, or
// nullopt where it keeps it. Its first line (up to the first '\n') is not
// empty, has no whitespace at either end (so something follows the
// operation) and starts with CName(e) and ": "; from a failed callback it
// names one (tch_read_stream_*, tch_write_stream_*, or the flush
// extension, tsh_write_stream_flush). The answer is one line, quoting the
// first line with control characters escaped.
std::optional<std::string> ErrorLineProblem(const std::string& message, Entry e,
                                            ErrorOrigin origin);

}  // namespace tsh::test

#endif  // TSH_CONFORMANCE_TESTING_ERROR_LINE_H_
