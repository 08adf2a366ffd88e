#include "bridge/stream_failure.h"

#include "bridge/callbacks.h"

// The extensions are optional (callbacks.h): bound weakly, they are null
// where the implementation lacks them. A weak reference is not local to the
// executable, so the compiler reaches it through the GOT, which the linker
// fills with 0 when nothing defines it: PIE and shared builds alike
// (//bridge:stream_failure_*_test). A weak reference alone does not pull an
// object out of a static archive: they are found because they sit in the
// object of the seven callbacks, which the adapters reference strongly.
#pragma weak tsh_write_stream_flush
#pragma weak tsh_write_stream_last_error
#pragma weak tsh_read_stream_last_error

namespace tsh {
namespace {

std::optional<Error> Fetch(bool (*fn)(void*, int*, const char**),
                           void* stream_ptr) {
  int kind = 0;
  const char* message = nullptr;
  if (fn == nullptr || !fn(stream_ptr, &kind, &message)) return std::nullopt;
  if (kind < 0 || kind > static_cast<int>(ErrorKind::kOther)) {
    kind = static_cast<int>(ErrorKind::kOther);
  }
  return Error(static_cast<ErrorKind>(kind), message ? message : "");
}

}  // namespace

std::optional<Error> LastWriteStreamError(void* stream_ptr) {
  return Fetch(tsh_write_stream_last_error, stream_ptr);
}

std::optional<Error> LastReadStreamError(void* stream_ptr) {
  return Fetch(tsh_read_stream_last_error, stream_ptr);
}

bool HasFlushExtension() { return tsh_write_stream_flush != nullptr; }

bool HasLastErrorExtension() {
  return tsh_write_stream_last_error != nullptr && tsh_read_stream_last_error != nullptr;
}

bool FlushWriteStream(void* stream_ptr) {
  return HasFlushExtension() && tsh_write_stream_flush(stream_ptr);
}

Error CallbackError(const char* callback, const std::string& where,
                    const std::optional<Error>& stream_error) {
  std::string message = std::string(callback) + " failed " + where;
  if (!stream_error) return Error(ErrorKind::kOther, message);
  return Error(stream_error->kind(), message + ": " + stream_error->ToString());
}

}  // namespace tsh
