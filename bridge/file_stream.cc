#include "bridge/file_stream.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include <cstdint>
#include <limits>
#include <string>

namespace tsh {
namespace {

// SeekFrom carries i64 offsets; a narrower off_t would truncate them.
static_assert(sizeof(off_t) == sizeof(int64_t), "build with a 64-bit off_t");

// strerror_r has two signatures (GNU returns a char*, XSI an int); these
// overloads take whichever this libc has. strerror itself is not
// thread-safe.
[[maybe_unused]] const char* StrerrorResult(int ret, const char* buf) {
  return ret == 0 ? buf : "Unknown error";
}
[[maybe_unused]] const char* StrerrorResult(const char* ret,
                                            const char* /*buf*/) {
  return ret;
}

std::string ErrnoText(int err) {
  char buf[256] = {0};
  return StrerrorResult(strerror_r(err, buf, sizeof buf), buf);
}

// "<what>: <strerror>", with the kind taken from the errno table.
Error ErrnoError(int err, const std::string& what) {
  return Error(ErrorKindFromErrno(err), what + ": " + ErrnoText(err));
}

std::string FdCall(const char* call, int fd) {
  return std::string(call) + "(fd " + std::to_string(fd) + ")";
}

Result<std::unique_ptr<FileStream>> OpenWith(const std::string& path,
                                             int flags) {
  int fd;
  // Opening retries EINTR, as Rust's File::open does; only read and write
  // surface it, because those are what the bridge's callers must handle.
  do {
    fd = ::open(path.c_str(), flags | O_CLOEXEC, 0644);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return ErrnoError(errno, "open(" + path + ")");
  // new may throw; no exception may leave the bridge.
  std::unique_ptr<FileStream> f(new (std::nothrow) FileStream(fd));
  if (!f) {
    ::close(fd);
    return Error(ErrorKind::kOutOfMemory, "FileStream: out of memory");
  }
  return f;
}

}  // namespace

ErrorKind ErrorKindFromErrno(int err) {
  switch (err) {
    case ENOENT:
      return ErrorKind::kNotFound;
    case EACCES:
    case EPERM:
      return ErrorKind::kPermissionDenied;
    case EINTR:
      return ErrorKind::kInterrupted;
    case EAGAIN:
#if EWOULDBLOCK != EAGAIN
    case EWOULDBLOCK:
#endif
      return ErrorKind::kWouldBlock;
    case EPIPE:
      return ErrorKind::kBrokenPipe;
    case EINVAL:
      return ErrorKind::kInvalidInput;
    case ENOMEM:
      return ErrorKind::kOutOfMemory;
    default:
      return ErrorKind::kOther;
  }
}

Result<std::unique_ptr<FileStream>> FileStream::Open(const std::string& path) {
  return OpenWith(path, O_RDONLY);
}

Result<std::unique_ptr<FileStream>> FileStream::Create(
    const std::string& path) {
  return OpenWith(path, O_WRONLY | O_CREAT | O_TRUNC);
}

Result<std::unique_ptr<FileStream>> FileStream::OpenReadWrite(
    const std::string& path) {
  return OpenWith(path, O_RDWR);
}

FileStream::~FileStream() {
  // Not retried on EINTR: on Linux the descriptor is gone either way.
  if (fd_ >= 0) ::close(fd_);
}

Result<size_t> FileStream::read(uint8_t* buf, size_t n) {
  if (n == 0) return static_cast<size_t>(0);
  // A count above SSIZE_MAX is implementation-defined; Rust clamps too.
  const size_t limit = static_cast<size_t>(std::numeric_limits<ssize_t>::max());
  if (n > limit) n = limit;
  ssize_t got = ::read(fd_, buf, n);
  if (got < 0) return ErrnoError(errno, FdCall("read", fd_));
  return static_cast<size_t>(got);
}

Result<size_t> FileStream::write(const uint8_t* buf, size_t n) {
  if (n == 0) return static_cast<size_t>(0);
  const size_t limit = static_cast<size_t>(std::numeric_limits<ssize_t>::max());
  if (n > limit) n = limit;
  ssize_t put = ::write(fd_, buf, n);
  if (put < 0) return ErrnoError(errno, FdCall("write", fd_));
  return static_cast<size_t>(put);
}

Result<uint64_t> FileStream::seek(SeekFrom pos) {
  int whence;
  off_t offset;
  switch (pos.whence) {
    case SeekFrom::Whence::kStart:
      // Rust casts to i64 and lets lseek refuse the negative value; saying
      // so here gives a clearer message and the same kind.
      if (pos.start > static_cast<uint64_t>(std::numeric_limits<off_t>::max())) {
        return Error(ErrorKind::kInvalidInput,
                     FdCall("lseek", fd_) + ": offset " +
                         std::to_string(pos.start) + " exceeds i64::MAX");
      }
      whence = SEEK_SET;
      offset = static_cast<off_t>(pos.start);
      break;
    case SeekFrom::Whence::kEnd:
      whence = SEEK_END;
      offset = static_cast<off_t>(pos.offset);
      break;
    case SeekFrom::Whence::kCurrent:
    default:
      whence = SEEK_CUR;
      offset = static_cast<off_t>(pos.offset);
      break;
  }
  off_t at = ::lseek(fd_, offset, whence);
  if (at < 0) return ErrnoError(errno, FdCall("lseek", fd_));
  return static_cast<uint64_t>(at);
}

}  // namespace tsh
