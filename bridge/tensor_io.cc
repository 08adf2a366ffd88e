#include "bridge/tensor_io.h"

#include <memory>

#include "bridge/by_ref.h"
#include "bridge/raw_stream.h"
#include "bridge/read_seek_adapter.h"
#include "bridge/tensor_names.h"
#include "bridge/torch_api.h"

namespace tsh {
namespace {

void* Borrow(Write& out) { return IntoRawWriteStream(std::make_unique<WriteRef>(out)); }

// As tch's load functions do, the stream is boxed inside a ReadSeekAdapter
// (read_seek_adapter.h), in both modes: the hardening is on LibTorch's side.
void* Borrow(ReadStream& in) {
  return IntoRawReadStream(
      std::make_unique<ReadSeekAdapter>(std::make_unique<ReadStreamRef>(in)));
}

}  // namespace

Status SaveTensor(const at::Tensor& t, Write& out, Mode mode) {
  tsh_save_to_stream(const_cast<at::Tensor*>(&t), Borrow(out), CMode(mode));
  return TakeLastStatus();
}

Status SaveNamedTensors(const NamedTensors& tensors, Write& out, Mode mode) {
  std::vector<tensor> ts;
  std::vector<char*> names;
  for (const auto& [name, t] : tensors) {
    ts.push_back(const_cast<at::Tensor*>(&t));
    names.push_back(const_cast<char*>(name.c_str()));
  }
  tsh_save_multi_to_stream(ts.data(), names.data(), static_cast<int>(ts.size()),
                           Borrow(out), CMode(mode));
  return TakeLastStatus();
}

Result<at::Tensor> LoadTensor(ReadStream& in, Mode mode) {
  std::unique_ptr<at::Tensor> t(tsh_load_from_stream(Borrow(in), CMode(mode)));
  Status s = TakeLastStatus();
  if (!s.ok()) return s.error();
  if (t == nullptr) return Error(ErrorKind::kOther, "load_from_stream: no tensor and no error");
  return std::move(*t);
}

Result<NamedTensors> LoadNamedTensors(ReadStream& in, std::optional<int> device_id,
                                      Mode mode) {
  NamedTensors out;
  tsh_load_from_stream_callback(
      Borrow(in), &out,
      [](void* data, char* name, tensor t) {
        std::unique_ptr<at::Tensor> owned(t);
        static_cast<NamedTensors*>(data)->emplace_back(LoadedName(name), std::move(*owned));
      },
      device_id.has_value(), device_id.value_or(-1), CMode(mode));
  Status s = TakeLastStatus();
  if (!s.ok()) return s.error();
  return out;
}

}  // namespace tsh
