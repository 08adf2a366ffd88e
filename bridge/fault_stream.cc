#include "bridge/fault_stream.h"

#include <algorithm>
#include <utility>

namespace tsh {

std::string Fault::ToString() const {
  switch (type) {
    case Type::kPass:
      return "pass";
    case Type::kLimit:
      return "limit(" + std::to_string(limit) + ")";
    case Type::kHalf:
      return "half";
    case Type::kZero:
      return "zero";
    case Type::kErr:
      return std::string("err(") + ErrorKindName(error) + ")";
    case Type::kWrongPosition:
      return std::string("wrongpos(") + (delta >= 0 ? "+" : "") +
             std::to_string(delta) + ")";
  }
  return "?";
}

const char* OpName(Op op) {
  switch (op) {
    case Op::kRead:
      return "read";
    case Op::kWrite:
      return "write";
    case Op::kSeek:
      return "seek";
    case Op::kPosition:
      return "position";
    case Op::kFlush:
      return "flush";
  }
  return "?";
}

FaultPlan& FaultPlan::At(Op op, uint64_t call, Fault fault) {
  at_[static_cast<int>(op)][call] = fault;
  return *this;
}

FaultPlan& FaultPlan::Always(Op op, Fault fault) {
  always_[static_cast<int>(op)] = fault;
  return *this;
}

FaultPlan& FaultPlan::Every(Op op, uint64_t period, uint64_t phase, Fault fault) {
  every_[static_cast<int>(op)] = Periodic{period == 0 ? 1 : period, phase, fault};
  return *this;
}

Fault FaultPlan::For(Op op, uint64_t call) const {
  const int i = static_cast<int>(op);
  auto it = at_[i].find(call);
  if (it != at_[i].end()) return it->second;
  if (const auto& e = every_[i]; e && call >= e->phase && (call - e->phase) % e->period == 0) {
    return e->fault;
  }
  return always_[i];
}

FaultStream::FaultStream(std::unique_ptr<Write> inner, FaultPlan plan)
    : own_write_(std::move(inner)), plan_(std::move(plan)) {
  writer_ = own_write_.get();
}

FaultStream::FaultStream(std::unique_ptr<ReadStream> inner, FaultPlan plan)
    : own_read_(std::move(inner)), plan_(std::move(plan)) {
  reader_ = own_read_.get();
}

FaultStream::FaultStream(std::unique_ptr<Stream> inner, FaultPlan plan)
    : own_stream_(std::move(inner)), plan_(std::move(plan)) {
  writer_ = own_stream_.get();
  reader_ = own_stream_.get();
}

Fault FaultStream::Next(Op op) {
  uint64_t& n = calls_[static_cast<int>(op)];
  Fault f = plan_.For(op, n++);
  if (f.type != Fault::Type::kPass) ++faults_;
  return f;
}

Error FaultStream::Injected(Op op, const Fault& f) const {
  return Error(f.error, std::string("injected fault on ") + OpName(op) + " call #" +
                            std::to_string(calls_[static_cast<int>(op)] - 1));
}

// Limit and Half cut a buffer of n bytes; other kinds leave it whole.
static size_t Cut(const Fault& f, size_t n) {
  switch (f.type) {
    case Fault::Type::kLimit:
      return std::min(n, std::max<size_t>(f.limit, 1));
    case Fault::Type::kHalf:
      return n <= 1 ? n : n / 2;
    default:
      return n;
  }
}

Result<size_t> FaultStream::read(uint8_t* buf, size_t n) {
  Fault f = Next(Op::kRead);
  if (reader_ == nullptr) return Error(ErrorKind::kUnsupported, "not readable");
  if (f.type == Fault::Type::kErr) return Injected(Op::kRead, f);
  if (f.type == Fault::Type::kZero) return size_t{0};
  Result<size_t> r = reader_->read(buf, Cut(f, n));
  if (r.ok()) bytes_read_ += r.value();
  return r;
}

Result<size_t> FaultStream::write(const uint8_t* buf, size_t n) {
  Fault f = Next(Op::kWrite);
  if (writer_ == nullptr) return Error(ErrorKind::kUnsupported, "not writable");
  if (f.type == Fault::Type::kErr) return Injected(Op::kWrite, f);
  if (f.type == Fault::Type::kZero) return size_t{0};
  Result<size_t> r = writer_->write(buf, Cut(f, n));
  if (r.ok()) bytes_written_ += r.value();
  return r;
}

Status FaultStream::flush() {
  Fault f = Next(Op::kFlush);
  if (writer_ == nullptr) return Error(ErrorKind::kUnsupported, "not writable");
  if (f.type == Fault::Type::kErr) return Injected(Op::kFlush, f);
  return writer_->flush();
}

Result<uint64_t> FaultStream::Lie(const Fault& f, Result<uint64_t> r) {
  if (!r.ok() || f.type != Fault::Type::kWrongPosition) return r;
  return r.value() + static_cast<uint64_t>(f.delta);
}

Result<uint64_t> FaultStream::seek(SeekFrom pos) {
  Fault f = Next(Op::kSeek);
  if (reader_ == nullptr) return Error(ErrorKind::kUnsupported, "not seekable");
  if (f.type == Fault::Type::kErr) return Injected(Op::kSeek, f);
  return Lie(f, reader_->seek(pos));
}

Result<uint64_t> FaultStream::stream_position() {
  Fault f = Next(Op::kPosition);
  if (reader_ == nullptr) return Error(ErrorKind::kUnsupported, "not seekable");
  if (f.type == Fault::Type::kErr) return Injected(Op::kPosition, f);
  return Lie(f, reader_->stream_position());
}

}  // namespace tsh
