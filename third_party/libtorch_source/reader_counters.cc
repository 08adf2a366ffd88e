#include "third_party/libtorch_source/reader_counters.h"

#include <cxxabi.h>
#include <dlfcn.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace {

// One registered module's counters and its PC table: for counter i, the
// block's PC and flags (bit 0: the function's entry block).
struct Module {
  uint8_t* counters_begin = nullptr;
  uint8_t* counters_end = nullptr;
  const uintptr_t* pcs_begin = nullptr;
};

std::vector<Module>& Modules() {
  static auto* modules = new std::vector<Module>;
  return *modules;
}

std::string Demangle(const char* name) {
  int status = 0;
  char* out = abi::__cxa_demangle(name, nullptr, nullptr, &status);
  std::string text = status == 0 && out != nullptr ? out : name;
  std::free(out);
  return text;
}

}  // namespace

// The callbacks that code compiled with -fsanitize-coverage calls from its
// constructors, once per module, in this order.
extern "C" void __sanitizer_cov_8bit_counters_init(uint8_t* begin, uint8_t* end) {
  if (begin != end) Modules().push_back({begin, end, nullptr});
}

extern "C" void __sanitizer_cov_pcs_init(const uintptr_t* begin, const uintptr_t*) {
  if (!Modules().empty() && Modules().back().pcs_begin == nullptr) {
    Modules().back().pcs_begin = begin;
  }
}

namespace tsh {

size_t ReaderCounterCount() {
  size_t n = 0;
  for (const Module& m : Modules()) n += m.counters_end - m.counters_begin;
  return n;
}

size_t ReaderBlocksRun() {
  size_t n = 0;
  for (const Module& m : Modules()) {
    for (const uint8_t* c = m.counters_begin; c != m.counters_end; ++c) n += *c != 0;
  }
  return n;
}

void ResetReaderCounters() {
  for (const Module& m : Modules()) {
    std::memset(m.counters_begin, 0, m.counters_end - m.counters_begin);
  }
}

std::set<std::string> ReaderFunctionsRun() {
  std::set<std::string> names;
  for (const Module& m : Modules()) {
    if (m.pcs_begin == nullptr) continue;
    for (size_t i = 0; m.counters_begin + i != m.counters_end; ++i) {
      const uintptr_t pc = m.pcs_begin[2 * i], flags = m.pcs_begin[2 * i + 1];
      if (m.counters_begin[i] == 0 || (flags & 1) == 0) continue;
      Dl_info info;
      // An entry block's PC is its function's address; dladdr names the
      // nearest exported symbol, which is that function only when exact.
      if (dladdr(reinterpret_cast<void*>(pc), &info) != 0 && info.dli_sname != nullptr &&
          reinterpret_cast<uintptr_t>(info.dli_saddr) == pc) {
        names.insert(Demangle(info.dli_sname));
      }
    }
  }
  return names;
}

}  // namespace tsh
