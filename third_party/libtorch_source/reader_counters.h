// What of LibTorch's instrumented readers (libtorch_source.bzl) has run.
//
// Outside --config=fuzz, the readers are the only code compiled with
// sanitizer coverage (inline 8-bit counters and a PC table), so every
// counter this program registers is one of a LibTorch reader's basic
// blocks. Under --config=fuzz libFuzzer owns the counters and this library
// is empty: use it only in a build without libFuzzer.
//
// Not thread-safe against code that runs the readers meanwhile.
#ifndef TSH_THIRD_PARTY_LIBTORCH_SOURCE_READER_COUNTERS_H_
#define TSH_THIRD_PARTY_LIBTORCH_SOURCE_READER_COUNTERS_H_

#include <cstddef>
#include <set>
#include <string>

namespace tsh {

// Counters registered (the readers' basic blocks); 0 where nothing in the
// program is instrumented, e.g. when the readers are not linked.
size_t ReaderCounterCount();

// Basic blocks run at least once since the program started or since the
// last ResetReaderCounters.
size_t ReaderBlocksRun();

void ResetReaderCounters();

// The demangled names of the exported functions whose entry blocks have
// run since the last reset: those that the program's copy defines in place
// of libtorch_cpu's (the loader exports exactly the interposing ones).
std::set<std::string> ReaderFunctionsRun();

}  // namespace tsh

#endif  // TSH_THIRD_PARTY_LIBTORCH_SOURCE_READER_COUNTERS_H_
