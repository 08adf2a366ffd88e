// How the LibTorch-side adapters describe a failed callback.
//
// The seven callbacks answer only true or false. Where the implementation
// also exports the last_error and flush extensions (callbacks.h), the
// adapters learn the stream's own error kind and message and can flush; the
// functions here look those extensions up at link time (weak symbols) and
// report their absence instead of failing to link, so the adapters drive any
// implementation of the seven callbacks.
//
// StreamFailure is what adapters throw into LibTorch. It derives from
// std::ios_base::failure, the type tch-rs throws, and also carries the kind.
#ifndef TSH_BRIDGE_STREAM_FAILURE_H_
#define TSH_BRIDGE_STREAM_FAILURE_H_

#include <cstdint>
#include <ios>
#include <optional>
#include <string>

#include "bridge/result.h"

namespace tsh {

class StreamFailure : public std::ios_base::failure {
 public:
  explicit StreamFailure(const Error& error)
      : std::ios_base::failure(error.message()), kind_(error.kind()) {}
  ErrorKind kind() const { return kind_; }

 private:
  ErrorKind kind_;
};

// The stream's error for its last failed callback, or nullopt where the
// implementation has no last_error extension or recorded nothing.
std::optional<Error> LastWriteStreamError(void* stream_ptr);
std::optional<Error> LastReadStreamError(void* stream_ptr);

// Whether the implementation provides the flush / last_error extensions.
bool HasFlushExtension();
bool HasLastErrorExtension();

// tsh_write_stream_flush(stream_ptr); false where the extension is absent.
bool FlushWriteStream(void* stream_ptr);

// What a bare `false` gets: the kind of a failure is known only through the
// last_error extension, and without it a `false` is all there is.
enum class BareFalse {
  // Retried once. A failed write or read consumed nothing (Rust's
  // Write::write and Read::read contracts), and a seek to an absolute
  // position or a position query lands the same when repeated: one retry is
  // safe, turns an Interrupted call into a success, and costs a stream whose
  // error persists one more call.
  kRetryOnce,
  // Not retried: a call whose failure is expected (the hardened load's
  // first seek, before the start of a stream smaller than its window).
  kFinal,
};

// Calls `call` (one callback, returning its bool) until it succeeds,
// retrying while `last_error()` reports Interrupted, at most `max_retries`
// times in a row; each retry is counted in *retries. Returns the last bool.
// Without the last_error extension a bare `false` cannot be told from a hard
// failure: it is retried as `bare_false` says.
template <typename Call, typename LastError>
bool RetryInterrupted(Call&& call, LastError&& last_error, int max_retries,
                      uint64_t* retries, BareFalse bare_false = BareFalse::kRetryOnce) {
  bool bare_retried = false;
  for (int interrupted = 0;; ++interrupted) {
    if (call()) return true;
    std::optional<Error> e = last_error();
    if (!e && !HasLastErrorExtension()) {
      if (bare_false == BareFalse::kFinal || bare_retried) return false;
      bare_retried = true;
    } else if (!e || e->kind() != ErrorKind::kInterrupted || interrupted == max_retries) {
      return false;
    }
    ++*retries;
  }
}

// "<callback> failed <where>: <Kind>: <stream message>", or, where the
// stream's error is unknown, "<callback> failed <where>" with kind Other.
Error CallbackError(const char* callback, const std::string& where,
                    const std::optional<Error>& stream_error);

}  // namespace tsh

#endif  // TSH_BRIDGE_STREAM_FAILURE_H_
