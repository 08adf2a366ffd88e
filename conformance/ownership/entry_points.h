// Every C entry point of bridge/torch_api.h behind one call, for the
// ownership tests: Call(entry, api, stream_ptr) hands the opaque pointer
// over to the entry point (which must free it on every path), saves or
// loads small tensors (64 floats), frees whatever came back, and reports
// the outcome with the entry's last error (get_and_reset_last_err).
//
// Keeps LibTorch out of the tests' translation units.
#ifndef TSH_CONFORMANCE_OWNERSHIP_ENTRY_POINTS_H_
#define TSH_CONFORMANCE_OWNERSHIP_ENTRY_POINTS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tsh::testing {

enum class Entry {
  kSave,                  // *_save_to_stream, one tensor
  kSaveMulti,             // *_save_multi_to_stream, two named tensors
  kLoad,                  // *_load_from_stream
  kLoadCallback,          // *_load_from_stream_callback, no device
  kLoadCallbackOnDevice,  // the same with enable_device_id, device -1 (CPU)
};

// at_*: tch-rs's names, always faithful; tsh_*: with the mode.
enum class Api { kAtFaithful, kTshFaithful, kTshHardened };

// A bad argument for the entry point (besides the stream).
enum class BadArg {
  kNone,
  kNullTensor,    // kSave: a null tensor
  kNullArrays,    // kSaveMulti: null tensor and name arrays, ntensors 1
  kNullName,      // kSaveMulti: a null name in the array
  kNullCallback,  // kLoadCallback*: a null f
};

bool IsSave(Entry e);
std::string Name(Entry e);
std::string Name(Api a);
std::vector<Entry> AllEntries();
std::vector<Api> AllApis();

struct Outcome {
  // A load returned a tensor, or reported at least one through f.
  bool loaded = false;
  // The entry's last error, if it left one.
  std::optional<std::string> error;
};

// Calls `e` through `a` with `stream_ptr` (given up, may be null).
Outcome Call(Entry e, Api a, void* stream_ptr, BadArg bad = BadArg::kNone);

// A valid archive for the load entry `e` to read: one tensor for kLoad,
// named tensors for the callback loads (saved hardened into memory through
// the implementation under test). Empty if the save failed.
std::vector<uint8_t> ValidArchive(Entry e);

}  // namespace tsh::testing

#endif  // TSH_CONFORMANCE_OWNERSHIP_ENTRY_POINTS_H_
