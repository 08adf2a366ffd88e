#include "conformance/testing/entry.h"

namespace tsh::test {

const char* EntryName(Entry e) {
  switch (e) {
    case Entry::kSaveOne: return "save_one";
    case Entry::kSaveNamed: return "save_named";
    case Entry::kLoadOne: return "load_one";
    case Entry::kLoadNamed: return "load_named";
  }
  return "?";
}

std::optional<Entry> ParseEntry(const std::string& s) {
  for (Entry e : {Entry::kSaveOne, Entry::kSaveNamed, Entry::kLoadOne, Entry::kLoadNamed}) {
    if (s == EntryName(e)) return e;
  }
  return std::nullopt;
}

const char* CName(Entry e) {
  switch (e) {
    case Entry::kSaveOne: return "save_to_stream";
    case Entry::kSaveNamed: return "save_multi_to_stream";
    case Entry::kLoadOne: return "load_from_stream";
    case Entry::kLoadNamed: return "load_from_stream_callback";
  }
  return "?";
}

bool IsSave(Entry e) { return e == Entry::kSaveOne || e == Entry::kSaveNamed; }

}  // namespace tsh::test
