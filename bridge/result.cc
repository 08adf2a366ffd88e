#include "bridge/result.h"

namespace tsh {

const char* ErrorKindName(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kNotFound:
      return "NotFound";
    case ErrorKind::kPermissionDenied:
      return "PermissionDenied";
    case ErrorKind::kInterrupted:
      return "Interrupted";
    case ErrorKind::kWouldBlock:
      return "WouldBlock";
    case ErrorKind::kUnexpectedEof:
      return "UnexpectedEof";
    case ErrorKind::kWriteZero:
      return "WriteZero";
    case ErrorKind::kInvalidInput:
      return "InvalidInput";
    case ErrorKind::kInvalidData:
      return "InvalidData";
    case ErrorKind::kBrokenPipe:
      return "BrokenPipe";
    case ErrorKind::kUnsupported:
      return "Unsupported";
    case ErrorKind::kOutOfMemory:
      return "OutOfMemory";
    case ErrorKind::kOther:
      return "Other";
  }
  return "Unknown";
}

std::string Error::ToString() const {
  std::string s = ErrorKindName(kind_);
  if (!message_.empty()) {
    s += ": ";
    s += message_;
  }
  return s;
}

}  // namespace tsh
