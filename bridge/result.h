// Errors as values, modelled on Rust's std::io::Error and io::Result.
//
// Everything inside the bridge reports failure by returning an Error instead
// of throwing: the seven C callbacks turn an Error into `false`, and nothing
// thrown may cross that C boundary. An Error carries a kind (what a caller
// branches on: retry `Interrupted`, stop on `UnexpectedEof`, ...) and a message
// (what a person reads). Result<T> holds either a T or an Error, never both.
#ifndef TSH_BRIDGE_RESULT_H_
#define TSH_BRIDGE_RESULT_H_

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace tsh {

// The subset of Rust's std::io::ErrorKind that streams and the bridge report.
// The values cross the C ABI as int (callbacks.h's tsh_error_kind,
// impl_abi.h's tsh_c_error): they are fixed numbers, never reordered.
enum class ErrorKind : int {
  kNotFound = 0,
  kPermissionDenied = 1,
  kInterrupted = 2,     // The call was interrupted before doing anything; retry it.
  kWouldBlock = 3,      // A non-blocking stream has nothing to offer now.
  kUnexpectedEof = 4,   // The stream ended before the data a format needs.
  kWriteZero = 5,       // A write accepted 0 bytes of a non-empty buffer.
  kInvalidInput = 6,    // A bad argument, e.g. a seek to a negative position.
  kInvalidData = 7,     // The bytes read are not what the format allows.
  kBrokenPipe = 8,
  kUnsupported = 9,
  kOutOfMemory = 10,
  kOther = 11,
};

// Rust's spelling of the kind ("Interrupted", "WriteZero", ...).
const char* ErrorKindName(ErrorKind kind);

class Error {
 public:
  Error(ErrorKind kind, std::string message)
      : kind_(kind), message_(std::move(message)) {}

  ErrorKind kind() const { return kind_; }
  const std::string& message() const { return message_; }
  // "<Kind>: <message>", the form every report of this project prints.
  std::string ToString() const;

 private:
  ErrorKind kind_;
  std::string message_;
};

// A value or an Error. Accessing the side that is not held is a programming
// error (asserted in debug builds).
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit, as Ok(value).
  Result(Error error) : v_(std::move(error)) {}  // NOLINT: implicit, as Err(e).

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  const T& value() const& {
    assert(ok());
    return std::get<0>(v_);
  }
  T& value() & {
    assert(ok());
    return std::get<0>(v_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(v_));
  }
  const Error& error() const {
    assert(!ok());
    return std::get<1>(v_);
  }

 private:
  std::variant<T, Error> v_;
};

// Result<void>: success carries nothing. `Status` reads better at call sites.
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const {
    assert(!ok_);
    return error_;
  }

 private:
  Error error_{ErrorKind::kOther, ""};
  bool ok_ = true;
};

using Status = Result<void>;

inline Status Ok() { return Status(); }

}  // namespace tsh

#endif  // TSH_BRIDGE_RESULT_H_
