// Fuzzes tch-rs's seven callbacks (bridge/callbacks.h, this project's
// implementation) over every stream type, against a reference model of
// Rust's std::io semantics. No LibTorch: it runs at tens of thousands of
// executions a second.
//
// Input: [stream type][stream parameters][initial bytes][operations...].
// Each operation is one callback with fuzzed arguments (null out-parameters
// included). After each call, the model predicts the result: the count
// (exactly, where the stream's contract fixes it; else its bounds), the
// bytes, the position, end of file, and that a failure leaves the
// out-parameter untouched. At the end, the destructor callback must destroy
// the stream exactly once, and a written sink must hold exactly the bytes
// accepted. Any disagreement abort()s, which libFuzzer reports.
#include <sys/mman.h>
#include <unistd.h>

#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <memory>
#include <optional>
#include <vector>

#include "bridge/buf_reader.h"
#include "bridge/buf_writer.h"
#include "bridge/by_ref.h"
#include "bridge/callbacks.h"
#include "bridge/cursor.h"
#include "bridge/fault_stream.h"
#include "bridge/file_stream.h"
#include "bridge/fixed_cursor.h"
#include "bridge/raw_stream.h"

namespace {

using tsh::Fault;
using tsh::FaultPlan;
using tsh::Op;

#define CHECK(cond)                                                   \
  do {                                                                \
    if (!(cond)) {                                                    \
      fprintf(stderr, "callbacks_fuzzer: %s:%d: model disagrees: %s\n", \
              __FILE__, __LINE__, #cond);                             \
      abort();                                                        \
    }                                                                 \
  } while (0)

constexpr uint64_t kSentinel = 0xdeadbeefcafef00dULL;

// Counts destructions, so ownership can be checked: the callbacks' owner
// must destroy the stream exactly once.
int destroyed = 0;

class ProbeWrite : public tsh::Write {
 public:
  explicit ProbeWrite(std::unique_ptr<tsh::Write> inner) : inner_(std::move(inner)) {}
  ~ProbeWrite() override { ++destroyed; }
  tsh::Result<size_t> write(const uint8_t* b, size_t n) override { return inner_->write(b, n); }
  tsh::Status flush() override { return inner_->flush(); }

 private:
  std::unique_ptr<tsh::Write> inner_;
};

class ProbeRead : public tsh::ReadStream {
 public:
  explicit ProbeRead(std::unique_ptr<tsh::ReadStream> inner) : inner_(std::move(inner)) {}
  ~ProbeRead() override { ++destroyed; }
  tsh::Result<size_t> read(uint8_t* b, size_t n) override { return inner_->read(b, n); }
  tsh::Result<uint64_t> seek(tsh::SeekFrom p) override { return inner_->seek(p); }
  tsh::Result<uint64_t> stream_position() override { return inner_->stream_position(); }

 private:
  std::unique_ptr<tsh::ReadStream> inner_;
};

enum class Kind { kCursor, kFixedCursor, kFile, kBuffered, kRef, kFault, kCount };

Fault ConsumeFault(FuzzedDataProvider& in) {
  switch (in.ConsumeIntegralInRange<int>(0, 7)) {
    case 0: return Fault::Limit(in.ConsumeIntegralInRange<size_t>(1, 64));
    case 1: return Fault::Half();
    case 2: return Fault::Zero();
    case 3: return Fault::Err(tsh::ErrorKind::kInterrupted);
    case 4: return Fault::Err(tsh::ErrorKind::kOther);
    case 5: return Fault::WrongPosition(in.ConsumeIntegralInRange<int64_t>(-8, 8));
    default: return Fault::Pass();
  }
}

FaultPlan ConsumePlan(FuzzedDataProvider& in) {
  FaultPlan plan;
  int n = in.ConsumeIntegralInRange<int>(0, 8);
  for (int i = 0; i < n; ++i) {
    Op op = static_cast<Op>(in.ConsumeIntegralInRange<int>(0, tsh::kOpCount - 1));
    plan.At(op, in.ConsumeIntegralInRange<uint64_t>(0, 16), ConsumeFault(in));
  }
  return plan;
}

// A memfd holding `data`, positioned at 0.
int MemFile(const std::vector<uint8_t>& data) {
  int fd = memfd_create("callbacks_fuzzer", MFD_CLOEXEC);
  CHECK(fd >= 0);
  size_t off = 0;
  while (off < data.size()) {
    ssize_t w = ::write(fd, data.data() + off, data.size() - off);
    CHECK(w > 0);
    off += static_cast<size_t>(w);
  }
  CHECK(lseek(fd, 0, SEEK_SET) == 0);
  return fd;
}

std::vector<uint8_t> FileBytes(int fd) {
  std::vector<uint8_t> out;
  uint8_t buf[4096];
  CHECK(lseek(fd, 0, SEEK_SET) == 0);
  for (;;) {
    ssize_t r = ::read(fd, buf, sizeof buf);
    CHECK(r >= 0);
    if (r == 0) return out;
    out.insert(out.end(), buf, buf + r);
  }
}

// The count a fault lets through for a buffer of n bytes (fault_stream.h).
size_t Cut(const Fault& f, size_t n) {
  if (f.type == Fault::Type::kLimit) return std::min(n, std::max<size_t>(f.limit, 1));
  if (f.type == Fault::Type::kHalf) return n <= 1 ? n : n / 2;
  return n;
}

// ---- Write side: write callbacks, then destruction, then the sink. ----
void FuzzWrite(Kind kind, FuzzedDataProvider& in) {
  tsh::Cursor sink;                  // Lent to the stream under test.
  std::optional<tsh::FixedCursor> fixed;
  int fd_copy = -1;                  // The memfd, kept past the stream's close.
  size_t capacity = 0;
  FaultPlan plan;
  std::unique_ptr<tsh::Write> stream;
  switch (kind) {
    case Kind::kFixedCursor:
      capacity = in.ConsumeIntegralInRange<size_t>(0, 256);
      fixed.emplace(capacity);
      stream = std::make_unique<tsh::WriteRef>(*fixed);
      break;
    case Kind::kFile: {
      int fd = MemFile({});
      fd_copy = dup(fd);
      CHECK(fd_copy >= 0);
      stream = std::make_unique<tsh::FileStream>(fd);
      break;
    }
    case Kind::kBuffered:
      capacity = in.ConsumeIntegralInRange<size_t>(0, 64);
      stream = std::make_unique<tsh::BufWriter>(std::make_unique<tsh::WriteRef>(sink), capacity);
      break;
    case Kind::kFault:
      plan = ConsumePlan(in);
      stream = std::make_unique<tsh::FaultStream>(
          std::unique_ptr<tsh::Write>(std::make_unique<tsh::WriteRef>(sink)), plan);
      break;
    default:
      stream = std::make_unique<tsh::WriteRef>(sink);
      break;
  }
  void* ptr = tsh::IntoRawWriteStream(std::make_unique<ProbeWrite>(std::move(stream)));
  std::vector<uint8_t> accepted;  // What the model says the sink must hold.
  uint64_t write_calls = 0;
  while (in.remaining_bytes() > 0) {
    const int op = in.ConsumeIntegralInRange<int>(0, 9);
    if (op == 0) {  // Null out-parameter, and a null buffer with a size.
      CHECK(!tch_write_stream_write(ptr, nullptr, 1, nullptr));
      size_t out = kSentinel;
      CHECK(!tch_write_stream_write(ptr, nullptr, 3, &out));
      CHECK(out == kSentinel);
      continue;
    }
    if (op == 1) {  // The flush extension: nothing may be lost by it.
      CHECK(tsh_write_stream_flush(ptr) || kind == Kind::kFault);
      continue;
    }
    std::vector<uint8_t> buf = in.ConsumeBytes<uint8_t>(in.ConsumeIntegralInRange<size_t>(0, 96));
    size_t out = kSentinel;
    const bool ok = tch_write_stream_write(ptr, buf.data(), buf.size(), &out);
    const uint64_t call = write_calls++;
    const size_t n = buf.size();
    if (!ok) {
      CHECK(out == kSentinel);
      const bool may_fail =
          kind == Kind::kFault && plan.For(Op::kWrite, call).type == Fault::Type::kErr;
      CHECK(may_fail);
      continue;
    }
    CHECK(out <= n);
    switch (kind) {
      case Kind::kCursor:
      case Kind::kRef:
      case Kind::kFile:
      case Kind::kBuffered:
        CHECK(out == n);
        break;
      case Kind::kFixedCursor:
        CHECK(out == std::min(n, capacity - accepted.size()));
        break;
      case Kind::kFault: {
        const Fault f = plan.For(Op::kWrite, call);
        CHECK(f.type != Fault::Type::kErr);
        CHECK(out == (f.type == Fault::Type::kZero ? 0 : Cut(f, n)));
        break;
      }
      default:
        break;
    }
    accepted.insert(accepted.end(), buf.begin(), buf.begin() + out);
  }
  tch_write_stream_destructor(ptr);
  CHECK(destroyed == 1);
  switch (kind) {
    case Kind::kFixedCursor:
      CHECK(std::equal(accepted.begin(), accepted.end(), fixed->data().begin()));
      break;
    case Kind::kFile:
      CHECK(FileBytes(fd_copy) == accepted);
      close(fd_copy);
      break;
    default:  // BufWriter's destructor wrote its buffer out.
      CHECK(sink.data() == accepted);
      break;
  }
}

// Says why a read failed, before the CHECK that aborts on it.
void ReportReadError(void* ptr, uint64_t pos, size_t n) {
  tsh_error_kind kind = 0;
  const char* message = "";
  if (tsh_read_stream_last_error(ptr, &kind, &message)) {
    fprintf(stderr, "read(%zu) at model position %llu failed: kind %d: %s\n", n,
            static_cast<unsigned long long>(pos), kind, message);
  }
}

// ---- Read side: position, seeks and reads against a model position. ----
void FuzzRead(Kind kind, FuzzedDataProvider& in) {
  FaultPlan plan;
  size_t capacity = 0;
  if (kind == Kind::kFault) plan = ConsumePlan(in);
  if (kind == Kind::kBuffered) capacity = in.ConsumeIntegralInRange<size_t>(0, 64);
  const std::vector<uint8_t> data =
      in.ConsumeBytes<uint8_t>(in.ConsumeIntegralInRange<size_t>(0, 512));
  tsh::Cursor lent(data);
  std::unique_ptr<tsh::ReadStream> stream;
  switch (kind) {
    case Kind::kCursor: stream = std::make_unique<tsh::Cursor>(data); break;
    case Kind::kFixedCursor: stream = std::make_unique<tsh::FixedCursor>(data); break;
    case Kind::kFile: stream = std::make_unique<tsh::FileStream>(MemFile(data)); break;
    case Kind::kBuffered:
      stream = std::make_unique<tsh::BufReader>(std::make_unique<tsh::Cursor>(data), capacity);
      break;
    case Kind::kRef: stream = std::make_unique<tsh::ReadStreamRef>(lent); break;
    default:
      stream = std::make_unique<tsh::FaultStream>(
          std::unique_ptr<tsh::ReadStream>(std::make_unique<tsh::Cursor>(data)), plan);
      break;
  }
  void* ptr = tsh::IntoRawReadStream(std::make_unique<ProbeRead>(std::move(stream)));
  const uint64_t size = data.size();
  uint64_t pos = 0;  // The model's position.
  std::array<uint64_t, tsh::kOpCount> calls{};
  auto next_fault = [&](Op op) {
    if (kind != Kind::kFault) return Fault::Pass();
    return plan.For(op, calls[static_cast<int>(op)]++);
  };
  // The reported position after a successful seek or position call.
  auto reported = [](const Fault& f, uint64_t p) {
    return f.type == Fault::Type::kWrongPosition ? p + static_cast<uint64_t>(f.delta) : p;
  };
  while (in.remaining_bytes() > 0) {
    uint64_t out = kSentinel;
    switch (in.ConsumeIntegralInRange<int>(0, 5)) {
      case 0: {  // stream_position
        const Fault f = next_fault(Op::kPosition);
        const bool ok = tch_read_stream_stream_position(ptr, &out);
        CHECK(ok == (f.type != Fault::Type::kErr));
        CHECK(ok ? out == reported(f, pos) : out == kSentinel);
        break;
      }
      case 1: {  // seek_start, anywhere in u64
        const uint64_t target = in.ConsumeBool() ? in.ConsumeIntegral<uint64_t>()
                                                 : in.ConsumeIntegralInRange<uint64_t>(0, size + 8);
        const Fault f = next_fault(Op::kSeek);
        const bool ok = tch_read_stream_seek_start(ptr, target, &out);
        bool expect = f.type != Fault::Type::kErr;
        // lseek takes a signed off_t (file_stream.h).
        if (kind == Kind::kFile && target > uint64_t{std::numeric_limits<int64_t>::max()}) expect = false;
        CHECK(ok == expect);
        if (ok) {
          pos = target;
          CHECK(out == reported(f, pos));
        } else {
          CHECK(out == kSentinel);
        }
        break;
      }
      case 2: {  // seek_end, within reach of both ends of the range
        const int64_t off = in.ConsumeBool() ? in.ConsumeIntegral<int64_t>()
                                             : in.ConsumeIntegralInRange<int64_t>(-600, 8);
        const Fault f = next_fault(Op::kSeek);
        const bool ok = tch_read_stream_seek_end(ptr, off, &out);
        const bool in_range = off >= 0 || static_cast<uint64_t>(-(off + 1)) < size;
        bool expect = f.type != Fault::Type::kErr && in_range;
        if (kind == Kind::kFile && off > 0 &&
            static_cast<uint64_t>(off) > uint64_t{std::numeric_limits<int64_t>::max()} - size) {
          expect = false;  // Past off_t.
        }
        CHECK(ok == expect);
        if (ok) {
          pos = size + static_cast<uint64_t>(off);
          CHECK(out == reported(f, pos));
        } else {
          CHECK(out == kSentinel);
        }
        break;
      }
      case 3: {  // Null stream and null out-parameters.
        CHECK(!tch_read_stream_stream_position(nullptr, &out));
        CHECK(!tch_read_stream_stream_position(ptr, nullptr));
        CHECK(!tch_read_stream_seek_start(ptr, 0, nullptr));
        CHECK(!tch_read_stream_seek_end(ptr, 0, nullptr));
        size_t n = kSentinel;
        CHECK(!tch_read_stream_read(ptr, nullptr, 4, &n));
        CHECK(n == kSentinel && out == kSentinel);
        break;
      }
      default: {  // read
        const size_t n = in.ConsumeIntegralInRange<size_t>(0, 300);
        std::vector<uint8_t> buf(n, 0xA5);
        size_t got = kSentinel;
        const Fault f = next_fault(Op::kRead);
        const bool ok = tch_read_stream_read(ptr, buf.data(), n, &got);
        // The kernel refuses (EINVAL) a read whose end would pass off_t's
        // maximum; Rust's File passes that on likewise.
        const bool past_off_t = kind == Kind::kFile && n > 0 &&
                                pos > uint64_t{std::numeric_limits<int64_t>::max()} - n;
        if (!ok && past_off_t) break;
        if (ok != (f.type != Fault::Type::kErr)) ReportReadError(ptr, pos, n);
        CHECK(ok == (f.type != Fault::Type::kErr));
        if (!ok) {
          CHECK(got == kSentinel);
          break;
        }
        const uint64_t left = pos < size ? size - pos : 0;
        CHECK(got <= n && got <= left);
        if (kind == Kind::kFault) {
          CHECK(got == (f.type == Fault::Type::kZero ? 0 : std::min<uint64_t>(Cut(f, n), left)));
        } else if (kind == Kind::kBuffered) {
          CHECK((got == 0) == (n == 0 || left == 0));  // Short, never empty.
        } else {
          CHECK(got == std::min<uint64_t>(n, left));
        }
        CHECK(std::equal(buf.begin(), buf.begin() + got, data.begin() + (got ? pos : 0)));
        pos += got;
        break;
      }
    }
  }
  tch_read_stream_destructor(ptr);
  CHECK(destroyed == 1);
  if (kind == Kind::kRef) CHECK(lent.position() == pos);  // Lent, not freed.
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  destroyed = 0;
  const bool write_side = in.ConsumeBool();
  const Kind kind = static_cast<Kind>(
      in.ConsumeIntegralInRange<int>(0, static_cast<int>(Kind::kCount) - 1));
  if (write_side) {
    FuzzWrite(kind, in);
  } else {
    FuzzRead(kind, in);
  }
  return 0;
}
