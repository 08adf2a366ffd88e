// How the bridge drives LibTorch's side of the callbacks: the one mode
// concept of the C++ code, mirrored by the C ABI's tsh_mode (torch_api.h).
// Kept apart from tensor_io.h so that code without LibTorch can name it.
#ifndef TSH_BRIDGE_MODE_H_
#define TSH_BRIDGE_MODE_H_

#include "bridge/torch_api.h"

namespace tsh {

// kFaithful drives the callbacks exactly as tch-rs does, failures included;
// kHardened survives every legal stream behaviour (tensor_io.h).
enum class Mode { kFaithful, kHardened };

// The C ABI's value of `mode`.
inline tsh_mode CMode(Mode mode) {
  return mode == Mode::kHardened ? TSH_HARDENED : TSH_FAITHFUL;
}

// "faithful" or "hardened": the name reports, pin files and findings use.
inline const char* ModeName(Mode mode) {
  return mode == Mode::kHardened ? "hardened" : "faithful";
}

}  // namespace tsh

#endif  // TSH_BRIDGE_MODE_H_
