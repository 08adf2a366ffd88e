// The C entry points through which tch-rs saves and loads tensors over its
// stream callbacks, reimplemented with tch-rs's names and behaviour
// (torch_api.h / torch_api.cpp in torch-sys).
//
// Ownership: every entry point takes ownership of `stream_ptr` (an opaque
// pointer from callbacks.h) and frees it exactly once, through the matching
// destructor callback, on every path: success, error, null arguments. A
// hardened entry point (tsh_*, TSH_HARDENED) checks its arguments before it
// calls any callback, over any implementation: a null stream is refused
// without one (not even the destructor sees it), and a bad tensor, name or
// callback leaves the stream read and written by none, only freed. A
// faithful one hands a null stream on to the destructor callback, as
// tch-rs's C++ does.
// Tensors returned or passed to `f` are new heap objects owned by the caller,
// freed with at_free.
//
// Errors: no exception leaves an entry point. A failure stores its message
// in a thread-local "last error" and returns (null for at_load_from_stream).
// get_and_reset_last_err() returns that message (malloc'd, caller frees it)
// or null, and clears it; a new error replaces an unread one. The message's
// first line stands alone (error_text.h), in both modes: the operation (the
// entry point's name without at_ or tsh_), then what failed: a callback,
// with the offset where known and the stream's error kind and message; a
// check of the bridge's own (an argument, the zip structure, a name); or a
// LibTorch function, with LibTorch's first line that is not blank, the
// rest of LibTorch's text following after a '\n':
//   load_from_stream: tch_read_stream_read failed at offset 0 (8 bytes, tensor): BrokenPipe: ...
//   load_from_stream_callback: torch::jit::load: Unexpected token in code import: ident:
//
// Compiles as C or C++; from C++ a `tensor` is an at::Tensor*, without
// including LibTorch.
#ifndef TSH_BRIDGE_TORCH_API_H_
#define TSH_BRIDGE_TORCH_API_H_

#include <stdbool.h>

#ifdef __cplusplus
#include "bridge/result.h"

namespace at {
class Tensor;
}
typedef at::Tensor* tensor;
extern "C" {
#else
typedef void* tensor;
#endif

// Which LibTorch-side adapters an entry point drives the callbacks with:
// tch-rs's (write_adapter.h, read_adapter.h) or the hardened ones
// (hardened_write_adapter.h, hardened_read_adapter.h). The at_* entry points
// are tch-rs's and always faithful; the tsh_* ones take the mode.
typedef enum tsh_mode { TSH_FAITHFUL = 0, TSH_HARDENED = 1 } tsh_mode;

// torch::save(*t, writer) through the write callbacks.
void at_save_to_stream(tensor t, void* stream_ptr);

// Writes `ntensors` named tensors as parameters (buffer=false) of one
// archive, as torch::serialize::OutputArchive::save_to(writer). A `.` in a
// name becomes `|` (tch-rs does this before the call: LibTorch refuses dots
// in parameter names); loads report the `|` form.
void at_save_multi_to_stream(tensor* tensors, char** tensor_names, int ntensors,
                             void* stream_ptr);

// torch::load(tensor, read_fn, size_fn) under NoGradGuard through the read
// callbacks. Null on error.
tensor at_load_from_stream(void* stream_ptr);

// torch::jit::load(adapter[, device]) and f(data, name, tensor) for each of
// the module's named_parameters(). With enable_device_id, tensors are mapped
// to device_id (negative: CPU, else CUDA device device_id).
void at_load_from_stream_callback(void* stream_ptr, void* data,
                                  void (*f)(void*, char*, tensor),
                                  bool enable_device_id, int device_id);

void tsh_save_to_stream(tensor t, void* stream_ptr, tsh_mode mode);
void tsh_save_multi_to_stream(tensor* tensors, char** tensor_names,
                              int ntensors, void* stream_ptr, tsh_mode mode);
tensor tsh_load_from_stream(void* stream_ptr, tsh_mode mode);
void tsh_load_from_stream_callback(void* stream_ptr, void* data,
                                   void (*f)(void*, char*, tensor),
                                   bool enable_device_id, int device_id,
                                   tsh_mode mode);

// The last error of this thread (malloc'd; the caller frees it), or null.
char* get_and_reset_last_err(void);

// Frees a tensor returned by an entry point. Null is a no-op.
void at_free(tensor t);

#ifdef __cplusplus
}  // extern "C"

namespace tsh {

// C++ callers: the last error of this thread as a Status with its kind (the
// stream's kind where a callback failed, InvalidData where LibTorch refused
// the archive with a c10::Error, Other otherwise: TorchScript source that
// does not compile is refused with another exception), Ok when there is
// none. Clears it, as get_and_reset_last_err does.
Status TakeLastStatus();

}  // namespace tsh
#endif

#endif  // TSH_BRIDGE_TORCH_API_H_
