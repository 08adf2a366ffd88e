// FileStream: a stream over a POSIX file descriptor; Rust's std::fs::File.
//
// What it is for: driving the bridge with real syscalls, so short counts,
// EINTR, EAGAIN and EPIPE reach the callbacks exactly as the kernel gives
// them.
//
// What it promises:
// - A FileStream owns its descriptor and closes it on destruction (a close
//   error is ignored, as Rust's Drop for File does). It is neither copyable
//   nor movable; hand it around as a std::unique_ptr.
// - read() and write() make exactly one ::read / ::write call and pass a
//   short count on. Nothing is retried: EINTR comes back as
//   Err(Interrupted), for the caller to retry (Rust's read_exact and
//   write_all do). n == 0 returns Ok(0) without a syscall (io.h's contract).
// - errno maps to ErrorKind: ENOENT NotFound, EACCES/EPERM PermissionDenied,
//   EINTR Interrupted, EAGAIN/EWOULDBLOCK WouldBlock, EPIPE BrokenPipe,
//   EINVAL InvalidInput, ENOMEM OutOfMemory, anything else Other. The
//   message names the call and strerror, e.g.
//   "read(fd 5): Interrupted system call".
// - seek() is one lseek. Start values above INT64_MAX are Err(InvalidInput)
//   without a syscall (lseek takes a signed off_t); a result before byte 0
//   is refused by the kernel with EINVAL, i.e. Err(InvalidInput), and the
//   offset is unchanged. Seeking past the end is allowed. On a pipe, lseek
//   fails (ESPIPE, i.e. Other).
// - flush() does nothing and returns Ok(): nothing is buffered here, and
//   Rust's File::flush does not fsync either.
// Writing to a pipe whose reader is gone raises SIGPIPE unless the process
// ignores it (Rust's runtime does); this class leaves signal dispositions
// alone. One user at a time.
#ifndef TSH_BRIDGE_FILE_STREAM_H_
#define TSH_BRIDGE_FILE_STREAM_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "bridge/io.h"

namespace tsh {

class FileStream : public Stream {
 public:
  // Read-only (Rust's File::open). NotFound if the path does not exist.
  static Result<std::unique_ptr<FileStream>> Open(const std::string& path);
  // Write-only, created with mode 0644 (before umask) or truncated
  // (Rust's File::create).
  static Result<std::unique_ptr<FileStream>> Create(const std::string& path);
  // Read and write, no create, no truncate.
  static Result<std::unique_ptr<FileStream>> OpenReadWrite(
      const std::string& path);

  // Adopts `fd` (e.g. one end of a pipe): the FileStream closes it.
  explicit FileStream(int fd) : fd_(fd) {}
  ~FileStream() override;
  FileStream(const FileStream&) = delete;
  FileStream& operator=(const FileStream&) = delete;

  Result<size_t> read(uint8_t* buf, size_t n) override;
  Result<size_t> write(const uint8_t* buf, size_t n) override;
  Status flush() override { return Ok(); }
  Result<uint64_t> seek(SeekFrom pos) override;

  int fd() const { return fd_; }

 private:
  int fd_;
};

// The ErrorKind this project gives an errno value (the table above).
ErrorKind ErrorKindFromErrno(int err);

}  // namespace tsh

#endif  // TSH_BRIDGE_FILE_STREAM_H_
