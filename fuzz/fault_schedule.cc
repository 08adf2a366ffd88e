#include "fuzz/fault_schedule.h"

namespace tsh::fuzz {
namespace {

constexpr ErrorKind kErrorKinds[] = {
    ErrorKind::kInterrupted, ErrorKind::kWouldBlock,  ErrorKind::kUnexpectedEof,
    ErrorKind::kBrokenPipe,  ErrorKind::kInvalidData, ErrorKind::kOther};

Fault ConsumeFault(FuzzedDataProvider& in) {
  switch (in.ConsumeIntegralInRange<int>(0, 6)) {
    case 0: return Fault::Limit(in.ConsumeIntegralInRange<size_t>(1, in.ConsumeBool() ? 8 : 1 << 20));
    case 1: return Fault::Half();
    case 2: return Fault::Zero();
    case 3: return Fault::Err(ErrorKind::kInterrupted);
    case 4: return Fault::Err(in.PickValueInArray(kErrorKinds));
    case 5: return Fault::WrongPosition(in.ConsumeIntegralInRange<int64_t>(-4096, 4096));
    default: return Fault::Pass();
  }
}

// Whether the hardened adapters must absorb `f` on `op`.
bool Absorbable(Op op, const Fault& f) {
  const bool moves = op == Op::kRead || op == Op::kWrite;
  switch (f.type) {
    case Fault::Type::kPass:
    case Fault::Type::kLimit:  // Seek, position, flush: forwarded unchanged.
    case Fault::Type::kHalf: return true;
    case Fault::Type::kZero: return !moves;
    case Fault::Type::kErr: return moves && f.error == ErrorKind::kInterrupted;
    case Fault::Type::kWrongPosition: return op != Op::kSeek && op != Op::kPosition;
  }
  return false;
}

}  // namespace

FaultSchedule ConsumeSchedule(FuzzedDataProvider& in, const std::vector<Op>& ops) {
  FaultSchedule s;
  int interrupted = 0;
  const int entries = in.ConsumeIntegralInRange<int>(0, 24);
  for (int i = 0; i < entries && in.remaining_bytes() > 0; ++i) {
    const Op op = ops[in.ConsumeIntegralInRange<size_t>(0, ops.size() - 1)];
    const uint64_t call = in.ConsumeIntegralInRange<uint64_t>(0, in.ConsumeBool() ? 16 : 4096);
    const Fault f = ConsumeFault(in);
    s.plan.At(op, call, f);
    if (f.type == Fault::Type::kErr && f.error == ErrorKind::kInterrupted) ++interrupted;
    if (!Absorbable(op, f)) s.recoverable = false;
    s.description += std::string(OpName(op)) + "#" + std::to_string(call) + "=" + f.ToString() + " ";
  }
  if (in.ConsumeBool()) {  // One periodic fault: short counts all along, say.
    const Op op = ops[in.ConsumeIntegralInRange<size_t>(0, ops.size() - 1)];
    const uint64_t period = in.ConsumeIntegralInRange<uint64_t>(1, 8);
    const uint64_t phase = in.ConsumeIntegralInRange<uint64_t>(0, 8);
    const Fault f = ConsumeFault(in);
    s.plan.Every(op, period, phase, f);
    // A periodic Interrupted may come 64 times: past the retry budget.
    if (!Absorbable(op, f) || f.type == Fault::Type::kErr) s.recoverable = false;
    s.description += std::string(OpName(op)) + "%" + std::to_string(period) + "+" +
                     std::to_string(phase) + "=" + f.ToString() + " ";
  }
  if (interrupted >= 64) s.recoverable = false;
  return s;
}

}  // namespace tsh::fuzz
