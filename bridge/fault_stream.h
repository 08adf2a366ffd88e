// FaultStream: a stream that misbehaves on purpose, in every way the
// std::io contracts allow, on the calls a FaultPlan names. The harness's
// fault matrix, its fuzzers and its benchmarks' call counters use it.
//
// The kinds follow Rust's partial-io crate (PartialOp::Limited(n), Err(kind),
// Unlimited), plus what a seek can do wrong:
//   Pass            forward the call unchanged;
//   Limit(n)        forward with the buffer cut to at most n bytes (n >= 1):
//                   a short read or write;
//   Half            forward with the buffer cut to half (at least 1 byte);
//   Zero            return Ok(0) without forwarding (read: a premature end
//                   of file; write: the sink is full);
//   Err(kind)       return Err(kind) without forwarding (Interrupted and
//                   WouldBlock included: the inner stream is untouched, so a
//                   retry is legal);
//   WrongPosition(d) forward a seek or stream_position, then report the
//                   position plus d (a stream that lies about where it is).
// Kinds that do not apply to an operation (Limit on a seek, WrongPosition
// on a read) forward it unchanged.
//
// Calls are counted per operation from 0, faulted or not; the counts are
// what the fault matrix enumerates and what the benchmarks report.
//
// Ownership: FaultStream owns the stream it wraps. It wraps a Write, a
// ReadStream or a Stream; calling an operation the inner stream lacks
// returns Err(Unsupported).
#ifndef TSH_BRIDGE_FAULT_STREAM_H_
#define TSH_BRIDGE_FAULT_STREAM_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "bridge/io.h"

namespace tsh {

struct Fault {
  enum class Type { kPass, kLimit, kHalf, kZero, kErr, kWrongPosition };

  static Fault Pass() { return {Type::kPass}; }
  static Fault Limit(size_t n) { return {Type::kLimit, n}; }
  static Fault Half() { return {Type::kHalf}; }
  static Fault Zero() { return {Type::kZero}; }
  static Fault Err(ErrorKind kind) { return {Type::kErr, 0, kind}; }
  static Fault WrongPosition(int64_t delta) {
    return {Type::kWrongPosition, 0, ErrorKind::kOther, delta};
  }

  // "pass", "limit(1)", "half", "zero", "err(Interrupted)", "wrongpos(+1)".
  std::string ToString() const;
  bool operator==(const Fault& o) const {
    return type == o.type && limit == o.limit && error == o.error && delta == o.delta;
  }

  Type type = Type::kPass;
  size_t limit = 0;
  ErrorKind error = ErrorKind::kOther;
  int64_t delta = 0;
};

// The operations a FaultPlan schedules, each counted on its own.
enum class Op { kRead, kWrite, kSeek, kPosition, kFlush };
inline constexpr int kOpCount = 5;
const char* OpName(Op op);  // "read", "write", "seek", "position", "flush"

// Which fault each call gets: an explicit fault for call k of an operation,
// else every period-th call's fault, else the operation's default (Pass).
class FaultPlan {
 public:
  FaultPlan& At(Op op, uint64_t call, Fault fault);
  FaultPlan& Always(Op op, Fault fault);
  // Calls phase, phase + period, phase + 2 * period, ... get `fault`.
  FaultPlan& Every(Op op, uint64_t period, uint64_t phase, Fault fault);

  Fault For(Op op, uint64_t call) const;

 private:
  struct Periodic {
    uint64_t period = 0;
    uint64_t phase = 0;
    Fault fault;
  };
  std::array<std::map<uint64_t, Fault>, kOpCount> at_;
  std::array<std::optional<Periodic>, kOpCount> every_;
  std::array<Fault, kOpCount> always_{};
};

class FaultStream : public Stream {
 public:
  FaultStream(std::unique_ptr<Write> inner, FaultPlan plan);
  FaultStream(std::unique_ptr<ReadStream> inner, FaultPlan plan);
  FaultStream(std::unique_ptr<Stream> inner, FaultPlan plan);

  Result<size_t> read(uint8_t* buf, size_t n) override;
  Result<size_t> write(const uint8_t* buf, size_t n) override;
  Status flush() override;
  Result<uint64_t> seek(SeekFrom pos) override;
  Result<uint64_t> stream_position() override;

  // Calls made so far of `op`, and how many of them were faulted.
  uint64_t calls(Op op) const { return calls_[static_cast<int>(op)]; }
  uint64_t faults() const { return faults_; }
  // Bytes that went through read and write.
  uint64_t bytes_read() const { return bytes_read_; }
  uint64_t bytes_written() const { return bytes_written_; }

 private:
  // The fault for this call of `op`, counting the call.
  Fault Next(Op op);
  Error Injected(Op op, const Fault& f) const;
  // The position r reports, shifted by a WrongPosition fault.
  static Result<uint64_t> Lie(const Fault& f, Result<uint64_t> r);

  std::unique_ptr<Write> own_write_;
  std::unique_ptr<ReadStream> own_read_;
  std::unique_ptr<Stream> own_stream_;
  Write* writer_ = nullptr;
  ReadStream* reader_ = nullptr;
  FaultPlan plan_;
  std::array<uint64_t, kOpCount> calls_{};
  uint64_t faults_ = 0;
  uint64_t bytes_read_ = 0;
  uint64_t bytes_written_ = 0;
};

}  // namespace tsh

#endif  // TSH_BRIDGE_FAULT_STREAM_H_
