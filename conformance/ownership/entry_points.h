// Every C entry point of bridge/torch_api.h behind one call, for the
// ownership tests: Call(entry, api, stream_ptr) hands the opaque pointer
// over to the entry point (which must free it on every path), saves or
// loads small tensors (64 floats), frees whatever came back, and reports
// the outcome with the entry's last error (get_and_reset_last_err), whose
// first line it checks (error_line.h): a broken promise fails the case.
//
// Keeps LibTorch out of the tests' translation units.
#ifndef TSH_CONFORMANCE_OWNERSHIP_ENTRY_POINTS_H_
#define TSH_CONFORMANCE_OWNERSHIP_ENTRY_POINTS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bridge/mode.h"
#include "conformance/testing/entry.h"

namespace tsh::test {

// Which C functions a call goes through: tch-rs's at_* (they take no mode:
// faithful), or this bridge's tsh_* with `mode`.
struct Api {
  bool at = false;
  Mode mode = Mode::kFaithful;
};
inline constexpr Api kAt{true, Mode::kFaithful};
constexpr Api Tsh(Mode mode) { return {false, mode}; }

// How a load_named call asks for its tensors: as saved, or mapped to a
// device (enable_device_id with device -1, the CPU): tch-rs's two paths.
enum class Device { kAsSaved, kMapped };

// A bad argument for the entry point (besides the stream).
enum class BadArg {
  kNone,
  kNullTensor,    // save_one: a null tensor
  kNullArrays,    // save_named: null tensor and name arrays, ntensors 1
  kNullName,      // save_named: a null name in the array
  kNullCallback,  // load_named: a null f
};

std::string Name(Api a);  // "at", "tsh_faithful", "tsh_hardened"
std::vector<Api> AllApis();

struct Outcome {
  // A load returned a tensor, or reported at least one through f.
  bool loaded = false;
  // The entry's last error, if it left one.
  std::optional<std::string> error;
};

// Calls `e` through `a` with `stream_ptr` (given up, may be null); `device`
// matters to load_named only. An error whose first line breaks its promise
// (ErrorLineProblem, any origin) is a failure of the calling case.
Outcome Call(Entry e, Api a, void* stream_ptr, BadArg bad = BadArg::kNone,
             Device device = Device::kAsSaved);

// Fails the calling case where `o` has an error, from a failed callback,
// whose first line names no callback or breaks its promise otherwise.
void ExpectNamesTheCallback(Entry e, const Outcome& o);

// A valid archive for the load entry `e` to read: one tensor for load_one,
// named tensors for load_named (saved hardened into memory through the
// implementation under test). Empty if the save failed.
std::vector<uint8_t> ValidArchive(Entry e);

}  // namespace tsh::test

#endif  // TSH_CONFORMANCE_OWNERSHIP_ENTRY_POINTS_H_
