// Valid archives of fixed tensors, for the LibTorch fuzzers and the tests
// that need real LibTorch archives: saved once per process through the
// bridge's clean (hardened, fault-free) save into a Cursor, and kept for the
// process's lifetime.
//
// Why fixed: the read-side fuzzers vary how the stream misbehaves, not what
// it holds, so they need archives whose exact content is known; generating
// them at startup keeps them in step with the LibTorch that loads them.
// Aborts if the clean save fails (the caller could test nothing).
#ifndef TSH_TESTING_FIXED_ARCHIVES_H_
#define TSH_TESTING_FIXED_ARCHIVES_H_

#include <cstdint>
#include <string>
#include <vector>

#include <ATen/core/Tensor.h>

#include "bridge/tensor_io.h"

namespace tsh::test {

struct FixedArchive {
  std::string label;             // e.g. "one:float32[3,4]", "named:2".
  bool named = false;            // Saved with SaveNamedTensors.
  NamedTensors tensors;          // One unnamed tensor ("") when !named.
  std::vector<uint8_t> bytes;    // The archive.
};

const std::vector<FixedArchive>& FixedArchives();

}  // namespace tsh::test

#endif  // TSH_TESTING_FIXED_ARCHIVES_H_
