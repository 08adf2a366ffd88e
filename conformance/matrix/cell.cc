#include "conformance/matrix/cell.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>

namespace tsh::matrix {
namespace {

// Kinds a broken stream reports; Interrupted and WouldBlock included, as
// sticky errors: a stream that keeps answering them must not hang the caller.
constexpr ErrorKind kStickyKinds[] = {
    ErrorKind::kInterrupted,  ErrorKind::kWouldBlock, ErrorKind::kUnexpectedEof,
    ErrorKind::kWriteZero,    ErrorKind::kInvalidInput, ErrorKind::kBrokenPipe,
    ErrorKind::kOther,
};
constexpr Op kAllOps[] = {Op::kRead, Op::kWrite, Op::kSeek, Op::kPosition, Op::kFlush};

std::string ErrName(ErrorKind kind) { return std::string("err(") + ErrorKindName(kind) + ")"; }

// The value of "key" in a flat JSON object: a string's contents or a bare
// token (number). nullopt when absent.
std::optional<std::string> JsonField(const std::string& json, const std::string& key) {
  size_t at = json.find("\"" + key + "\"");
  if (at == std::string::npos) return std::nullopt;
  at = json.find(':', at + key.size() + 2);
  if (at == std::string::npos) return std::nullopt;
  ++at;
  while (at < json.size() && std::isspace(static_cast<unsigned char>(json[at]))) ++at;
  if (at >= json.size()) return std::nullopt;
  std::string out;
  if (json[at] == '"') {
    for (++at; at < json.size() && json[at] != '"'; ++at) {
      if (json[at] == '\\' && at + 1 < json.size()) ++at;
      out += json[at];
    }
    if (at >= json.size()) return std::nullopt;
    return out;
  }
  while (at < json.size() && json[at] != ',' && json[at] != '}' &&
         !std::isspace(static_cast<unsigned char>(json[at]))) {
    out += json[at++];
  }
  return out;
}

template <typename E, size_t N>
std::optional<E> ParseBy(const std::string& s, const E (&values)[N], const char* (*name)(E)) {
  for (E v : values) {
    if (s == name(v)) return v;
  }
  return std::nullopt;
}

}  // namespace

const char* StackName(Stack s) {
  switch (s) {
    case Stack::kDirect: return "direct";
    case Stack::kBufWriter: return "bufwriter";
    case Stack::kBufReader: return "bufreader";
  }
  return "?";
}

const char* OutcomeName(Outcome o) {
  switch (o) {
    case Outcome::kRoundtrip: return "roundtrip";
    case Outcome::kCleanError: return "clean_error";
    case Outcome::kAbort: return "abort";
    case Outcome::kSilentLoss: return "silent_loss";
    case Outcome::kHang: return "hang";
    case Outcome::kOwnership: return "ownership";
  }
  return "?";
}

std::optional<Stack> ParseStack(const std::string& s) {
  static constexpr Stack kAll[] = {Stack::kDirect, Stack::kBufWriter, Stack::kBufReader};
  return ParseBy(s, kAll, &StackName);
}

std::optional<Mode> ParseMode(const std::string& s) {
  static constexpr Mode kAll[] = {Mode::kFaithful, Mode::kHardened};
  return ParseBy(s, kAll, &ModeName);
}

std::optional<Outcome> ParseOutcome(const std::string& s) {
  static constexpr Outcome kAll[] = {Outcome::kRoundtrip,  Outcome::kCleanError,
                                     Outcome::kAbort,      Outcome::kSilentLoss,
                                     Outcome::kHang,       Outcome::kOwnership};
  return ParseBy(s, kAll, &OutcomeName);
}

std::optional<Op> ParseOp(const std::string& s) { return ParseBy(s, kAllOps, &OpName); }

std::vector<std::string> FaultNamesFor(Stack stack, Op op) {
  std::vector<std::string> names;
  for (ErrorKind kind : kStickyKinds) {
    if (stack == Stack::kBufWriter && kind == ErrorKind::kInterrupted) continue;
    names.push_back(ErrName(kind));
  }
  names.push_back("interrupted_once");
  if (op == Op::kRead || op == Op::kWrite) {
    names.push_back(Fault::Limit(1).ToString());
    names.push_back(Fault::Half().ToString());
    names.push_back(Fault::Zero().ToString());
  }
  if (op == Op::kSeek || op == Op::kPosition) {
    names.push_back(Fault::WrongPosition(1).ToString());
  }
  return names;
}

std::vector<std::string> PatternNames() {
  return {"interrupted_every_other", "interrupted_every_other_io", "one_byte_per_call"};
}

bool IsLegalTransient(const std::string& fault) {
  if (fault == "interrupted_once" || fault == Fault::Half().ToString()) return true;
  if (fault.rfind("limit(", 0) == 0) return true;
  const std::vector<std::string> patterns = PatternNames();
  return std::find(patterns.begin(), patterns.end(), fault) != patterns.end();
}

bool FailsACall(const std::string& fault) {
  return fault.rfind("err(", 0) == 0 || fault.rfind("interrupted_", 0) == 0;
}

std::string Cell::Key() const {
  return std::string(StackName(stack)) + " " + EntryName(entry) + " " + op + " " +
         (k < 0 ? std::string("*") : std::to_string(k)) + " " + fault;
}

std::optional<FaultPlan> Cell::Plan() const {
  FaultPlan plan;
  if (op == "*") {
    if (fault == "interrupted_every_other") {
      for (Op o : kAllOps) plan.Every(o, 2, 0, Fault::Err(ErrorKind::kInterrupted));
      return plan;
    }
    if (fault == "interrupted_every_other_io") {
      for (Op o : {Op::kRead, Op::kWrite}) {
        plan.Every(o, 2, 0, Fault::Err(ErrorKind::kInterrupted));
      }
      return plan;
    }
    if (fault == "one_byte_per_call") {
      plan.Always(Op::kRead, Fault::Limit(1)).Always(Op::kWrite, Fault::Limit(1));
      return plan;
    }
    return std::nullopt;
  }
  std::optional<Op> o = ParseOp(op);
  if (!o || k < 0) return std::nullopt;
  const auto call = static_cast<uint64_t>(k);
  for (ErrorKind kind : kStickyKinds) {
    if (fault == ErrName(kind)) return plan.Every(*o, 1, call, Fault::Err(kind));
  }
  if (fault == "interrupted_once") return plan.At(*o, call, Fault::Err(ErrorKind::kInterrupted));
  for (Fault f : {Fault::Limit(1), Fault::Half(), Fault::Zero(), Fault::WrongPosition(1)}) {
    if (fault == f.ToString()) return plan.At(*o, call, f);
  }
  return std::nullopt;
}

std::string JsonString(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      char esc[8];
      std::snprintf(esc, sizeof esc, "\\u%04x", c);
      out += esc;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

std::string Cell::ToJson() const {
  return std::string("{\"stack\":") + JsonString(StackName(stack)) +
         ",\"entry\":" + JsonString(EntryName(entry)) + ",\"mode\":" +
         JsonString(ModeName(mode)) + ",\"op\":" + JsonString(op) +
         ",\"k\":" + std::to_string(k) + ",\"fault\":" + JsonString(fault) + "}";
}

std::optional<Cell> Cell::FromJson(const std::string& json) {
  auto stack = JsonField(json, "stack");
  auto entry = JsonField(json, "entry");
  auto mode = JsonField(json, "mode");
  auto op = JsonField(json, "op");
  auto k = JsonField(json, "k");
  auto fault = JsonField(json, "fault");
  if (!stack || !entry || !mode || !op || !k || !fault) return std::nullopt;
  Cell c;
  auto s = ParseStack(*stack);
  auto e = test::ParseEntry(*entry);
  auto m = ParseMode(*mode);
  if (!s || !e || !m) return std::nullopt;
  char* end = nullptr;
  long long kv = std::strtoll(k->c_str(), &end, 10);
  if (k->empty() || *end != '\0') return std::nullopt;
  c.stack = *s;
  c.entry = *e;
  c.mode = *m;
  c.op = *op;
  c.k = kv;
  c.fault = *fault;
  if (!c.Plan()) return std::nullopt;
  return c;
}

}  // namespace tsh::matrix
