// Fault schedules decoded from fuzz input, for FaultStream (bridge/
// fault_stream.h), and what the hardened adapters promise to survive.
//
// Encoding (FuzzedDataProvider): a count, then per entry an operation among
// `ops`, a call index and a fault kind with its parameter (pass, limit(n) of
// any length, half, zero, err(kind), wrongpos(d)); optionally one periodic
// fault per operation. Every input decodes to some schedule.
#ifndef TSH_FUZZ_FAULT_SCHEDULE_H_
#define TSH_FUZZ_FAULT_SCHEDULE_H_

#include <fuzzer/FuzzedDataProvider.h>

#include <string>
#include <vector>

#include "bridge/fault_stream.h"

namespace tsh::fuzz {

struct FaultSchedule {
  FaultPlan plan;
  // True when every scheduled fault is one the hardened adapters must
  // absorb: short counts and fewer than 64 Interrupted in all
  // (kMaxInterruptedRetries) on read/write, and on every operation the
  // kinds FaultStream forwards unchanged there (fault_stream.h).
  bool recoverable = true;
  std::string description;  // For reports: "read#3=limit(1) ...".
};

FaultSchedule ConsumeSchedule(FuzzedDataProvider& in, const std::vector<Op>& ops);

}  // namespace tsh::fuzz

#endif  // TSH_FUZZ_FAULT_SCHEDULE_H_
