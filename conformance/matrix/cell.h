// One cell of the fault matrix: which stream stack, which entry point,
// which mode, and which fault on which call; plus its outcome.
//
// What it is for: the matrix runner enumerates cells, the child runner
// executes one, and the report, the pins and --replay files all name cells
// the same way (Key()), so a line of a pin file or a finding's reproducer is
// enough to rerun the exact case.
//
// Fault names (FaultName), each applied to the injecting FaultStream's
// call k of one operation:
//   err(Kind)          calls k, k+1, ... all fail with Kind (a stream that
//                      broke and stays broken);
//   interrupted_once   only call k fails with Interrupted (retry is legal);
//   limit(1), half     only call k is cut short (a short read or write);
//   zero               only call k returns Ok(0) (read: early end of file;
//                      write: the sink is full);
//   wrongpos(+1)       only call k reports its position one too far.
// Whole-stream patterns (op "*", k -1):
//   interrupted_every_other  calls 0, 2, 4, ... of every operation (seek,
//                            position and flush included) fail with
//                            Interrupted;
//   interrupted_every_other_io  the same, on reads and writes only;
//   one_byte_per_call        every read and write moves at most 1 byte.
// Nothing here throws; parsing returns nullopt on bad input.
#ifndef TSH_CONFORMANCE_MATRIX_CELL_H_
#define TSH_CONFORMANCE_MATRIX_CELL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "bridge/fault_stream.h"
#include "bridge/mode.h"
#include "conformance/testing/entry.h"

namespace tsh::matrix {

// What stands between the harness's C stream and the injecting FaultStream.
// kBufWriter serves saves only, kBufReader loads only.
enum class Stack { kDirect, kBufWriter, kBufReader };

enum class Outcome {
  kRoundtrip,   // bit-equal tensors came back
  kCleanError,  // the entry point reported an error, the process lived
  kAbort,       // the child died of a signal (std::terminate: SIGABRT)
  kSilentLoss,  // success reported, but the data did not come back exactly
  kHang,        // the child ran past the time limit
  kOwnership,   // the harness stream was not dropped exactly once, or used after
};

const char* StackName(Stack s);  // "direct", "bufwriter", "bufreader"
const char* OutcomeName(Outcome o);  // "roundtrip", "clean_error", ...

std::optional<Stack> ParseStack(const std::string& s);
// The inverse of ModeName (bridge/mode.h): "faithful", "hardened".
std::optional<Mode> ParseMode(const std::string& s);
std::optional<Outcome> ParseOutcome(const std::string& s);
std::optional<Op> ParseOp(const std::string& s);

struct Cell {
  Stack stack = Stack::kDirect;
  test::Entry entry = test::Entry::kSaveOne;
  Mode mode = Mode::kFaithful;
  std::string op;  // OpName(op), or "*" for a whole-stream pattern.
  int64_t k = -1;  // The call index; -1 for a whole-stream pattern.
  std::string fault;

  // "direct save_one write 3 err(Other)": stack entry op k fault (mode is
  // the pin file's). A pattern's k prints as "*".
  std::string Key() const;
  // The plan this cell's injecting FaultStream runs; nullopt for an
  // unknown fault name or op.
  std::optional<FaultPlan> Plan() const;
  // {"stack":...,"entry":...,"mode":...,"op":...,"k":...,"fault":...}
  std::string ToJson() const;
  // Reads what ToJson writes (other keys are ignored).
  static std::optional<Cell> FromJson(const std::string& json);
};

// The fault names that apply to `op` under `stack`, in report order. Under
// a BufWriter a sticky err(Interrupted) is left out: BufWriter's flush_buf
// retries Interrupted without bound, as Rust's does, so that stream hangs
// inside BufWriter whatever the bridge does.
std::vector<std::string> FaultNamesFor(Stack stack, Op op);
// The whole-stream pattern names.
std::vector<std::string> PatternNames();

// Whether `fault` is a legal transient behaviour of a healthy stream
// (interrupted_once, limit(n), half, and the three whole-stream patterns):
// the hardened bridge must round-trip through each, whatever the pins say.
bool IsLegalTransient(const std::string& fault);

// Whether `fault` makes a stream call fail (err(Kind), interrupted_once and
// the two interrupted_every_other patterns), so that the callback over it
// returns false: an error its cell reports comes from a failed callback.
bool FailsACall(const std::string& fault);

struct Verdict {
  Verdict() = default;
  Verdict(Outcome o, std::string m, std::string problem = "")
      : outcome(o), message(std::move(m)), error_line_problem(std::move(problem)) {}

  Outcome outcome = Outcome::kRoundtrip;
  std::string message;  // The error, the signal and its last words, or why lost.
  // How an error the entry point left breaks the promise of its first line
  // (conformance/testing/error_line.h), in one line; empty where none did.
  std::string error_line_problem;
};

// JSON string literal of s (quotes included), escaping as RFC 8259 asks.
std::string JsonString(const std::string& s);

}  // namespace tsh::matrix

#endif  // TSH_CONFORMANCE_MATRIX_CELL_H_
