// FileStream against Rust's std::fs::File on real descriptors: one syscall
// per read/write, EINTR surfaced (not retried), errno mapped to ErrorKind,
// lseek's rules for positions.
#include "bridge/file_stream.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <limits>
#include <memory>
#include <string>
#include <vector>

namespace tsh {
namespace {

constexpr int64_t kI64Max = std::numeric_limits<int64_t>::max();
constexpr int64_t kI64Min = std::numeric_limits<int64_t>::min();
constexpr uint64_t kU64Max = std::numeric_limits<uint64_t>::max();

// A fresh path under Bazel's per-test scratch directory.
std::string TempPath(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  std::string base = dir != nullptr ? dir : "/tmp";
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string path = base + "/" + info->name() + "_" + name;
  ::unlink(path.c_str());
  return path;
}

std::unique_ptr<FileStream> MustCreate(const std::string& path) {
  Result<std::unique_ptr<FileStream>> r = FileStream::Create(path);
  EXPECT_TRUE(r.ok()) << r.error().ToString();
  return r.ok() ? std::move(r).value() : nullptr;
}

size_t WriteStr(FileStream& f, const std::string& s) {
  Result<size_t> r = f.write(reinterpret_cast<const uint8_t*>(s.data()), s.size());
  EXPECT_TRUE(r.ok()) << r.error().ToString();
  return r.ok() ? r.value() : 0;
}

std::string ReadStr(FileStream& f, size_t n) {
  std::string out(n, '\0');
  Result<size_t> r = f.read(reinterpret_cast<uint8_t*>(&out[0]), n);
  EXPECT_TRUE(r.ok()) << r.error().ToString();
  out.resize(r.ok() ? r.value() : 0);
  return out;
}

uint64_t Pos(FileStream& f) {
  Result<uint64_t> r = f.stream_position();
  EXPECT_TRUE(r.ok()) << r.error().ToString();
  return r.ok() ? r.value() : kU64Max;
}

bool FdIsOpen(int fd) { return ::fcntl(fd, F_GETFD) != -1; }

// A pipe whose ends are FileStreams; both closed by their owners.
struct Pipe {
  Pipe() {
    int fds[2];
    EXPECT_EQ(::pipe(fds), 0);
    reader = std::make_unique<FileStream>(fds[0]);
    writer = std::make_unique<FileStream>(fds[1]);
  }
  std::unique_ptr<FileStream> reader;
  std::unique_ptr<FileStream> writer;
};

void SetNonBlocking(int fd, bool on) {
  int flags = ::fcntl(fd, F_GETFL);
  ASSERT_NE(flags, -1);
  ASSERT_EQ(::fcntl(fd, F_SETFL, on ? (flags | O_NONBLOCK) : (flags & ~O_NONBLOCK)), 0);
}

// --- SIGALRM without SA_RESTART, so blocking syscalls fail with EINTR. ---

volatile sig_atomic_t g_alarms = 0;
// If the stream wrongly retried EINTR, the test would block for ever; after
// enough alarms the handler unblocks the call instead, so such a stream
// returns Ok and the test fails rather than hangs.
volatile sig_atomic_t g_unblock_fd = -1;
volatile sig_atomic_t g_unblock_by_reading = 0;
constexpr int kAlarmsBeforeUnblock = 50;

void OnAlarm(int) {
  int saved = errno;
  if (++g_alarms == kAlarmsBeforeUnblock && g_unblock_fd >= 0) {
    static char scratch[1 << 16];
    if (g_unblock_by_reading) {
      (void)!::read(g_unblock_fd, scratch, sizeof scratch);
    } else {
      (void)!::write(g_unblock_fd, "!", 1);
    }
  }
  errno = saved;
}

class AlarmInterrupter {
 public:
  // `unblock_fd`: written to (or read from) once the alarms pile up.
  AlarmInterrupter(int unblock_fd, bool unblock_by_reading) {
    g_alarms = 0;
    g_unblock_fd = unblock_fd;
    g_unblock_by_reading = unblock_by_reading;
    struct sigaction sa = {};
    sa.sa_handler = OnAlarm;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;  // Deliberately no SA_RESTART.
    EXPECT_EQ(::sigaction(SIGALRM, &sa, &old_), 0);
    // Repeating, so a signal that lands before the syscall blocks is
    // followed by one that lands while it does.
    struct itimerval t = {};
    t.it_value.tv_usec = 20000;
    t.it_interval.tv_usec = 20000;
    EXPECT_EQ(::setitimer(ITIMER_REAL, &t, nullptr), 0);
  }
  ~AlarmInterrupter() {
    struct itimerval off = {};
    ::setitimer(ITIMER_REAL, &off, nullptr);
    ::sigaction(SIGALRM, &old_, nullptr);
    g_unblock_fd = -1;
  }

 private:
  struct sigaction old_;
};

// --- Files. ---

TEST(FileStreamTest, CreateWriteReopenRead) {
  const std::string path = TempPath("f");
  {
    auto f = MustCreate(path);
    ASSERT_NE(f, nullptr);
    EXPECT_GE(f->fd(), 0);
    EXPECT_EQ(WriteStr(*f, "hello "), 6u);
    EXPECT_EQ(Pos(*f), 6u);
    EXPECT_EQ(WriteStr(*f, "world"), 5u);
    EXPECT_EQ(Pos(*f), 11u);
    EXPECT_TRUE(f->flush().ok());
  }
  Result<std::unique_ptr<FileStream>> r = FileStream::Open(path);
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  FileStream& f = *r.value();
  EXPECT_EQ(Pos(f), 0u);
  EXPECT_EQ(ReadStr(f, 5), "hello");
  EXPECT_EQ(Pos(f), 5u);
  EXPECT_EQ(ReadStr(f, 100), " world");  // Short read at the end.
  EXPECT_EQ(Pos(f), 11u);
  EXPECT_EQ(ReadStr(f, 100), "");  // End of file: Ok(0).
  EXPECT_EQ(Pos(f), 11u);
}

TEST(FileStreamTest, CreateTruncatesAndUsesMode0644) {
  const std::string path = TempPath("f");
  {
    auto f = MustCreate(path);
    ASSERT_NE(f, nullptr);
    WriteStr(*f, "0123456789");
  }
  {
    auto f = MustCreate(path);
    ASSERT_NE(f, nullptr);
    WriteStr(*f, "ab");
  }
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_size, 2);
  mode_t mask = ::umask(0);
  ::umask(mask);
  EXPECT_EQ(st.st_mode & 0777, 0644u & ~mask);
}

TEST(FileStreamTest, OpenMissingIsNotFound) {
  const std::string path = TempPath("missing");
  Result<std::unique_ptr<FileStream>> r = FileStream::Open(path);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind(), ErrorKind::kNotFound);
  EXPECT_NE(r.error().message().find("open(" + path + ")"), std::string::npos)
      << r.error().message();
  EXPECT_NE(r.error().message().find("No such file or directory"), std::string::npos)
      << r.error().message();
  Result<std::unique_ptr<FileStream>> rw = FileStream::OpenReadWrite(path);
  ASSERT_FALSE(rw.ok());
  EXPECT_EQ(rw.error().kind(), ErrorKind::kNotFound);
  EXPECT_NE(::access(path.c_str(), F_OK), 0);  // Not created.
}

TEST(FileStreamTest, CreateInMissingDirectoryIsNotFound) {
  Result<std::unique_ptr<FileStream>> r =
      FileStream::Create(TempPath("no_such_dir") + "/f");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind(), ErrorKind::kNotFound);
}

TEST(FileStreamTest, OpenWithoutPermissionIsPermissionDenied) {
  if (::geteuid() != 0) {
    const std::string path = TempPath("f");
    { MustCreate(path); }
    ASSERT_EQ(::chmod(path.c_str(), 0), 0);
    Result<std::unique_ptr<FileStream>> r = FileStream::Open(path);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().kind(), ErrorKind::kPermissionDenied)
        << r.error().ToString();
    return;
  }
  // Root ignores file modes: try again in a child that drops to nobody.
  // The files sit in a folder any user can traverse (the test's own temp
  // folder may not be), and nobody must open the readable one: so the
  // denial comes from the file's mode, not from the path to it.
  char dir[] = "/tmp/tsh_file_stream_test_XXXXXX";
  ASSERT_NE(::mkdtemp(dir), nullptr);
  ASSERT_EQ(::chmod(dir, 0755), 0);
  const std::string readable = std::string(dir) + "/readable";
  const std::string denied = std::string(dir) + "/denied";
  { MustCreate(readable); }
  { MustCreate(denied); }
  ASSERT_EQ(::chmod(readable.c_str(), 0644), 0);
  ASSERT_EQ(::chmod(denied.c_str(), 0), 0);
  constexpr int kCannotDrop = 77;
  constexpr int kReadableRefused = 78;
  pid_t pid = ::fork();
  ASSERT_NE(pid, -1);
  if (pid == 0) {
    if (::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(kCannotDrop);
    if (!FileStream::Open(readable).ok()) ::_exit(kReadableRefused);
    Result<std::unique_ptr<FileStream>> r = FileStream::Open(denied);
    ::_exit(!r.ok() && r.error().kind() == ErrorKind::kPermissionDenied ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ::unlink(readable.c_str());
  ::unlink(denied.c_str());
  ::rmdir(dir);
  ASSERT_TRUE(WIFEXITED(status));
  if (WEXITSTATUS(status) == kCannotDrop) GTEST_SKIP() << "cannot drop root";
  ASSERT_NE(WEXITSTATUS(status), kReadableRefused) << "nobody cannot reach " << dir;
  EXPECT_EQ(WEXITSTATUS(status), 0) << "open as nobody was not PermissionDenied";
}

TEST(FileStreamTest, OpenReadWriteNeitherCreatesNorTruncates) {
  const std::string path = TempPath("f");
  {
    auto f = MustCreate(path);
    WriteStr(*f, "abcdef");
  }
  Result<std::unique_ptr<FileStream>> r = FileStream::OpenReadWrite(path);
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  FileStream& f = *r.value();
  EXPECT_EQ(ReadStr(f, 2), "ab");
  EXPECT_EQ(WriteStr(f, "XY"), 2u);
  EXPECT_EQ(Pos(f), 4u);
  ASSERT_EQ(f.seek(SeekFrom::Start(0)).value(), 0u);
  EXPECT_EQ(ReadStr(f, 100), "abXYef");
}

TEST(FileStreamTest, WriteOnReadOnlyFileIsOtherAndNamesTheCall) {
  const std::string path = TempPath("f");
  { MustCreate(path); }
  auto r = FileStream::Open(path);
  ASSERT_TRUE(r.ok());
  FileStream& f = *r.value();
  const uint8_t b = 1;
  Result<size_t> w = f.write(&b, 1);
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.error().kind(), ErrorKind::kOther);  // EBADF.
  EXPECT_EQ(w.error().message(),
            "write(fd " + std::to_string(f.fd()) + "): Bad file descriptor");
}

TEST(FileStreamTest, ReadOnDirectoryIsOther) {
  const char* dir = std::getenv("TEST_TMPDIR");
  auto r = FileStream::Open(dir != nullptr ? dir : "/tmp");
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  uint8_t b;
  Result<size_t> got = r.value()->read(&b, 1);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().kind(), ErrorKind::kOther);  // EISDIR.
}

TEST(FileStreamTest, SeekPastEndThenReadGivesZeroAndWriteLeavesAHole) {
  const std::string path = TempPath("f");
  auto f = MustCreate(path);
  ASSERT_NE(f, nullptr);
  WriteStr(*f, "ab");
  EXPECT_EQ(f->seek(SeekFrom::End(3)).value(), 5u);
  EXPECT_EQ(Pos(*f), 5u);
  EXPECT_EQ(WriteStr(*f, "Z"), 1u);
  EXPECT_EQ(Pos(*f), 6u);
  f.reset();
  auto r = FileStream::Open(path);
  ASSERT_TRUE(r.ok());
  FileStream& in = *r.value();
  EXPECT_EQ(in.seek(SeekFrom::Start(100)).value(), 100u);
  EXPECT_EQ(ReadStr(in, 4), "");
  EXPECT_EQ(Pos(in), 100u);
  EXPECT_EQ(in.seek(SeekFrom::Start(0)).value(), 0u);
  EXPECT_EQ(ReadStr(in, 10), std::string("ab\0\0\0Z", 6));
}

TEST(FileStreamTest, SeekFromEachBase) {
  const std::string path = TempPath("f");
  auto f = MustCreate(path);
  ASSERT_NE(f, nullptr);
  WriteStr(*f, "0123456789");
  EXPECT_EQ(f->seek(SeekFrom::Start(3)).value(), 3u);
  EXPECT_EQ(f->seek(SeekFrom::Current(4)).value(), 7u);
  EXPECT_EQ(f->seek(SeekFrom::Current(-7)).value(), 0u);
  EXPECT_EQ(f->seek(SeekFrom::End(-1)).value(), 9u);
  EXPECT_EQ(f->seek(SeekFrom::End(0)).value(), 10u);
}

TEST(FileStreamTest, NegativeSeekIsInvalidInputAndKeepsPosition) {
  const std::string path = TempPath("f");
  auto f = MustCreate(path);
  ASSERT_NE(f, nullptr);
  WriteStr(*f, "0123456789");
  ASSERT_EQ(f->seek(SeekFrom::Start(4)).value(), 4u);
  for (SeekFrom bad : {SeekFrom::Current(-5), SeekFrom::End(-11),
                       SeekFrom::Current(kI64Min), SeekFrom::End(kI64Min)}) {
    Result<uint64_t> r = f->seek(bad);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().kind(), ErrorKind::kInvalidInput) << r.error().ToString();
    EXPECT_EQ(r.error().message(),
              "lseek(fd " + std::to_string(f->fd()) + "): Invalid argument");
    EXPECT_EQ(Pos(*f), 4u);
  }
}

TEST(FileStreamTest, StartBeyondI64MaxIsInvalidInputAndKeepsPosition) {
  const std::string path = TempPath("f");
  auto f = MustCreate(path);
  ASSERT_NE(f, nullptr);
  WriteStr(*f, "abc");
  for (uint64_t start : {static_cast<uint64_t>(kI64Max) + 1, kU64Max}) {
    Result<uint64_t> r = f->seek(SeekFrom::Start(start));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().kind(), ErrorKind::kInvalidInput) << r.error().ToString();
    EXPECT_EQ(Pos(*f), 3u);
  }
}

TEST(FileStreamTest, OverflowingSeekIsInvalidInputAndKeepsPosition) {
  const std::string path = TempPath("f");
  auto f = MustCreate(path);
  ASSERT_NE(f, nullptr);
  WriteStr(*f, "abc");
  // 3 + i64::MAX overflows off_t; the kernel refuses it with EINVAL.
  for (SeekFrom bad : {SeekFrom::Current(kI64Max), SeekFrom::End(kI64Max)}) {
    Result<uint64_t> r = f->seek(bad);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().kind(), ErrorKind::kInvalidInput) << r.error().ToString();
    EXPECT_EQ(Pos(*f), 3u);
  }
}

TEST(FileStreamTest, ZeroLengthReadAndWrite) {
  const std::string path = TempPath("f");
  auto f = MustCreate(path);
  ASSERT_NE(f, nullptr);
  Result<size_t> w = f->write(nullptr, 0);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w.value(), 0u);
  EXPECT_EQ(Pos(*f), 0u);
  // The descriptor is write-only, so a read syscall would fail with EBADF;
  // n == 0 makes none.
  Result<size_t> r = f->read(nullptr, 0);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value(), 0u);
}

TEST(FileStreamTest, AdoptedFdIsClosedOnDestruction) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  {
    FileStream r(fds[0]);
    EXPECT_EQ(r.fd(), fds[0]);
    EXPECT_TRUE(FdIsOpen(fds[0]));
  }
  EXPECT_FALSE(FdIsOpen(fds[0]));
  ::close(fds[1]);
}

// --- Pipes. ---

TEST(FileStreamTest, PipeShortReadThenEof) {
  Pipe p;
  EXPECT_EQ(WriteStr(*p.writer, "abc"), 3u);
  EXPECT_EQ(ReadStr(*p.reader, 100), "abc");  // One syscall: what is there.
  p.writer.reset();
  EXPECT_EQ(ReadStr(*p.reader, 100), "");  // Writer gone: end of file.
}

TEST(FileStreamTest, SeekOnPipeIsOther) {
  Pipe p;
  Result<uint64_t> r = p.reader->seek(SeekFrom::Current(0));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind(), ErrorKind::kOther);  // ESPIPE.
  EXPECT_NE(r.error().message().find("lseek(fd "), std::string::npos);
}

TEST(FileStreamTest, EmptyNonBlockingPipeIsWouldBlock) {
  Pipe p;
  SetNonBlocking(p.reader->fd(), true);
  uint8_t b;
  Result<size_t> r = p.reader->read(&b, 1);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind(), ErrorKind::kWouldBlock) << r.error().ToString();
}

TEST(FileStreamTest, FullNonBlockingPipeIsWouldBlockAfterAShortWrite) {
  Pipe p;
  SetNonBlocking(p.writer->fd(), true);
  std::vector<uint8_t> chunk(1 << 20, 'x');  // Larger than any pipe buffer.
  Result<size_t> first = p.writer->write(chunk.data(), chunk.size());
  ASSERT_TRUE(first.ok()) << first.error().ToString();
  EXPECT_GT(first.value(), 0u);
  EXPECT_LT(first.value(), chunk.size());  // Short, passed on as is.
  Result<size_t> second = p.writer->write(chunk.data(), 1);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().kind(), ErrorKind::kWouldBlock);
}

TEST(FileStreamTest, WriteToClosedPipeIsBrokenPipe) {
  Pipe p;
  p.reader.reset();
  struct sigaction ignore = {}, old;
  ignore.sa_handler = SIG_IGN;
  sigemptyset(&ignore.sa_mask);
  ASSERT_EQ(::sigaction(SIGPIPE, &ignore, &old), 0);
  const uint8_t b = 1;
  Result<size_t> r = p.writer->write(&b, 1);
  ::sigaction(SIGPIPE, &old, nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind(), ErrorKind::kBrokenPipe) << r.error().ToString();
}

TEST(FileStreamTest, InterruptedReadIsSurfacedNotRetried) {
  Pipe p;
  Result<size_t> r = static_cast<size_t>(0);
  int alarms;
  {
    AlarmInterrupter interrupter(p.writer->fd(), /*unblock_by_reading=*/false);
    uint8_t b[8];
    r = p.reader->read(b, sizeof b);  // Blocks: nothing to read.
    alarms = g_alarms;
  }
  ASSERT_FALSE(r.ok()) << "read returned Ok(" << r.value()
                       << "): EINTR was retried";
  EXPECT_EQ(r.error().kind(), ErrorKind::kInterrupted);
  EXPECT_EQ(r.error().message(), "read(fd " + std::to_string(p.reader->fd()) +
                                     "): Interrupted system call");
  EXPECT_LT(alarms, kAlarmsBeforeUnblock);
  // Nothing was consumed: the pipe still works afterwards.
  EXPECT_EQ(WriteStr(*p.writer, "ok"), 2u);
  EXPECT_EQ(ReadStr(*p.reader, 8), "ok");
}

TEST(FileStreamTest, InterruptedWriteIsSurfacedNotRetried) {
  Pipe p;
  // Fill the pipe without blocking, then make the writer block again.
  SetNonBlocking(p.writer->fd(), true);
  std::vector<uint8_t> chunk(1 << 16, 'x');
  for (;;) {
    Result<size_t> w = p.writer->write(chunk.data(), chunk.size());
    if (!w.ok()) {
      ASSERT_EQ(w.error().kind(), ErrorKind::kWouldBlock);
      break;
    }
  }
  SetNonBlocking(p.writer->fd(), false);
  Result<size_t> r = static_cast<size_t>(0);
  int alarms;
  {
    AlarmInterrupter interrupter(p.reader->fd(), /*unblock_by_reading=*/true);
    const uint8_t b = 'y';
    r = p.writer->write(&b, 1);  // Blocks: the pipe is full.
    alarms = g_alarms;
  }
  ASSERT_FALSE(r.ok()) << "write returned Ok(" << r.value()
                       << "): EINTR was retried";
  EXPECT_EQ(r.error().kind(), ErrorKind::kInterrupted);
  EXPECT_EQ(r.error().message(), "write(fd " + std::to_string(p.writer->fd()) +
                                     "): Interrupted system call");
  EXPECT_LT(alarms, kAlarmsBeforeUnblock);
}

TEST(FileStreamTest, WriteAllRetriesInterruptedFromTheStream) {
  // The stream surfaces EINTR; Rust's write_all is what retries it.
  Pipe p;
  SetNonBlocking(p.writer->fd(), true);
  std::vector<uint8_t> chunk(1 << 16, 'x');
  while (p.writer->write(chunk.data(), chunk.size()).ok()) {
  }
  SetNonBlocking(p.writer->fd(), false);
  Status s = Ok();
  {
    // After the 50th alarm the handler drains the pipe, so the retried
    // write eventually succeeds.
    AlarmInterrupter interrupter(p.reader->fd(), /*unblock_by_reading=*/true);
    const uint8_t b = 'y';
    s = WriteAll(*p.writer, &b, 1);
  }
  EXPECT_TRUE(s.ok()) << s.error().ToString();
}

TEST(FileStreamTest, ErrnoTable) {
  EXPECT_EQ(ErrorKindFromErrno(ENOENT), ErrorKind::kNotFound);
  EXPECT_EQ(ErrorKindFromErrno(EACCES), ErrorKind::kPermissionDenied);
  EXPECT_EQ(ErrorKindFromErrno(EPERM), ErrorKind::kPermissionDenied);
  EXPECT_EQ(ErrorKindFromErrno(EINTR), ErrorKind::kInterrupted);
  EXPECT_EQ(ErrorKindFromErrno(EAGAIN), ErrorKind::kWouldBlock);
  EXPECT_EQ(ErrorKindFromErrno(EWOULDBLOCK), ErrorKind::kWouldBlock);
  EXPECT_EQ(ErrorKindFromErrno(EPIPE), ErrorKind::kBrokenPipe);
  EXPECT_EQ(ErrorKindFromErrno(EINVAL), ErrorKind::kInvalidInput);
  EXPECT_EQ(ErrorKindFromErrno(ENOMEM), ErrorKind::kOutOfMemory);
  EXPECT_EQ(ErrorKindFromErrno(EBADF), ErrorKind::kOther);
  EXPECT_EQ(ErrorKindFromErrno(EIO), ErrorKind::kOther);
}

}  // namespace
}  // namespace tsh
