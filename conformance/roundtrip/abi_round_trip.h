// Saving and loading through tch-rs's C entry points (bridge/torch_api.h)
// over a harness stream (conformance/testing/harness_stream.h) handed to the
// implementation under test through impl_abi.h: the round-trip tests that
// reach the callbacks only through the implementation-agnostic ABI.
//
// TSH_FAITHFUL calls tch-rs's own at_* entry points; TSH_HARDENED the tsh_*
// ones. Each call checks the stream's lifecycle as well as the entry point's
// last error: a save or load fails (an Error of kind Other) unless the
// implementation dropped its stream exactly once and never touched it after.
// Nothing here aborts on a faithful write failure: callers only write into
// in-memory cursors, which do not fail.
#ifndef TSH_CONFORMANCE_ROUNDTRIP_ABI_ROUND_TRIP_H_
#define TSH_CONFORMANCE_ROUNDTRIP_ABI_ROUND_TRIP_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <ATen/core/Tensor.h>

#include "bridge/result.h"
#include "bridge/torch_api.h"

namespace tsh::test {

using AbiNamedTensors = std::vector<std::pair<std::string, at::Tensor>>;

// at_save_to_stream / tsh_save_to_stream; the archive's bytes. With
// `null_buffers`, how many writes the harness stream was handed with a null
// buffer (harness_stream.h), success or not.
Result<std::vector<uint8_t>> AbiSave(const at::Tensor& tensor, tsh_mode mode,
                                     int* null_buffers = nullptr);

// at_save_multi_to_stream / tsh_save_multi_to_stream (names with dots).
Result<std::vector<uint8_t>> AbiSaveNamed(const AbiNamedTensors& tensors, tsh_mode mode,
                                          int* null_buffers = nullptr);

// at_load_from_stream / tsh_load_from_stream.
Result<at::Tensor> AbiLoad(std::vector<uint8_t> archive, tsh_mode mode);

// at_load_from_stream_callback / tsh_load_from_stream_callback: what the
// callback reported, in order, names as reported (`|`, not `.`). With
// `device_id`, enable_device_id is set.
Result<AbiNamedTensors> AbiLoadNamed(std::vector<uint8_t> archive,
                                     std::optional<int> device_id, tsh_mode mode);

}  // namespace tsh::test

#endif  // TSH_CONFORMANCE_ROUNDTRIP_ABI_ROUND_TRIP_H_
