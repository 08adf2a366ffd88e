// The four C entry points of bridge/torch_api.h that move tensors through a
// stream, as the conformance groups name them: the fault matrix's cells and
// the ownership tests enumerate the same four.
#ifndef TSH_CONFORMANCE_TESTING_ENTRY_H_
#define TSH_CONFORMANCE_TESTING_ENTRY_H_

#include <optional>
#include <string>

namespace tsh::test {

enum class Entry {
  kSaveOne,    // *_save_to_stream, one tensor
  kSaveNamed,  // *_save_multi_to_stream, named tensors
  kLoadOne,    // *_load_from_stream
  kLoadNamed,  // *_load_from_stream_callback
};

// "save_one", "save_named", "load_one", "load_named": the names of pin
// files, findings and test cases.
const char* EntryName(Entry e);
std::optional<Entry> ParseEntry(const std::string& s);
// The entry point's C name without its at_ or tsh_ prefix
// ("save_to_stream", "save_multi_to_stream", "load_from_stream",
// "load_from_stream_callback"): the operation its errors begin with.
const char* CName(Entry e);
bool IsSave(Entry e);

}  // namespace tsh::test

#endif  // TSH_CONFORMANCE_TESTING_ENTRY_H_
