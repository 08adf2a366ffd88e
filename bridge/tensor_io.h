// Saving and loading tensors through tsh streams, for C++ code that is not
// writing FFI: the safe layer over torch_api.h, as the tch crate is over
// torch-sys.
//
// Each function borrows the stream (Rust's `&mut W`): it is neither closed
// nor freed. A load sees the stream through tch-rs's ReadSeekAdapter
// (read_seek_adapter.h): the stream's position is asked as seek(Current(0)).
//
// Nothing is thrown: a failure comes back as an Error whose message is the
// entry point's (torch_api.h): a first line that names the operation and
// the failing callback, the offset and the stream's own error kind and
// message, or the LibTorch function and LibTorch's first line, then the
// rest of LibTorch's text; its kind is the stream's where a callback
// failed, and InvalidData where LibTorch refused the bytes with a
// c10::Error.
//
// Mode::kFaithful drives the callbacks exactly as tch-rs does, failures
// included (a failed write aborts the process inside LibTorch:
// FINDINGS.md F1-F4). Mode::kHardened survives every legal stream behaviour and
// flushes the stream at the end of a save (hardened_write_adapter.h).
//
// Where the archive is. A save writes it from the stream's position on and
// never seeks, in both modes: a header written first stays intact. A
// hardened load reads the archive that starts at the stream's position
// (after a header, or after another archive) and leaves the stream right
// after it, so archives in a row load one after another; a faithful load,
// as tch-rs, seeks to absolute positions and takes the stream's end as the
// archive's: it finds an archive only when it spans the whole stream.
#ifndef TSH_BRIDGE_TENSOR_IO_H_
#define TSH_BRIDGE_TENSOR_IO_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <ATen/core/Tensor.h>

#include "bridge/io.h"
#include "bridge/mode.h"
#include "bridge/result.h"

namespace tsh {

using NamedTensors = std::vector<std::pair<std::string, at::Tensor>>;

// torch::save of one tensor (at_save_to_stream).
Status SaveTensor(const at::Tensor& tensor, Write& out,
                  Mode mode = Mode::kFaithful);

// An archive of named tensors (at_save_multi_to_stream). Names may contain
// dots; they are stored with `|` in their place, as tch-rs does.
Status SaveNamedTensors(const NamedTensors& tensors, Write& out,
                        Mode mode = Mode::kFaithful);

// One tensor saved by SaveTensor (at_load_from_stream). From Python, write
// it with torch.jit.save of a scripted module holding the tensor as
// attribute "0": an archive of Python's torch.save(tensor) is refused with
// InvalidData (it has no constants.pkl).
Result<at::Tensor> LoadTensor(ReadStream& in, Mode mode = Mode::kFaithful);

// The named parameters of an archive (at_load_from_stream_callback), in the
// archive's order, with `|` turned back into `.`. `device_id` maps every
// tensor to that device (negative: CPU, else that CUDA device).
Result<NamedTensors> LoadNamedTensors(ReadStream& in,
                                      std::optional<int> device_id = std::nullopt,
                                      Mode mode = Mode::kFaithful);

}  // namespace tsh

#endif  // TSH_BRIDGE_TENSOR_IO_H_
