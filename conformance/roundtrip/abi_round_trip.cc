#include "conformance/roundtrip/abi_round_trip.h"

#include <memory>

#include <ATen/ATen.h>

#include "bridge/cursor.h"
#include "conformance/testing/harness_stream.h"

namespace tsh::test {
namespace {

// The entry point's last error, else a lifecycle violation, else Ok.
Status Check(const HarnessStream& hs) {
  if (Status last = TakeLastStatus(); !last.ok()) return last;
  if (hs.drops() != 1 || hs.uses_after_drop() != 0) {
    return Error(ErrorKind::kOther,
                 "harness stream dropped " + std::to_string(hs.drops()) +
                     " times, used " + std::to_string(hs.uses_after_drop()) +
                     " times after drop");
  }
  return Ok();
}

std::vector<uint8_t> Bytes(HarnessStream& hs) {
  return static_cast<Cursor&>(hs.inner()).into_inner();
}

void Collect(void* data, char* name, tensor t) {
  static_cast<AbiNamedTensors*>(data)->emplace_back(name, *t);
  at_free(t);
}

}  // namespace

Result<std::vector<uint8_t>> AbiSave(const at::Tensor& t, tsh_mode mode, int* null_buffers) {
  HarnessStream hs(std::make_unique<Cursor>());
  at::Tensor arg = t;
  if (mode == TSH_FAITHFUL) {
    at_save_to_stream(&arg, hs.NewWriteStream());
  } else {
    tsh_save_to_stream(&arg, hs.NewWriteStream(), mode);
  }
  if (null_buffers != nullptr) *null_buffers = hs.null_buffers();
  Status s = Check(hs);
  if (!s.ok()) return s.error();
  return Bytes(hs);
}

Result<std::vector<uint8_t>> AbiSaveNamed(const AbiNamedTensors& tensors, tsh_mode mode,
                                          int* null_buffers) {
  std::vector<at::Tensor> values;
  std::vector<std::string> names;
  for (const auto& [name, t] : tensors) {
    names.push_back(name);
    values.push_back(t);
  }
  std::vector<tensor> value_ptrs;
  std::vector<char*> name_ptrs;
  for (size_t i = 0; i < tensors.size(); ++i) {
    value_ptrs.push_back(&values[i]);
    name_ptrs.push_back(names[i].data());
  }
  HarnessStream hs(std::make_unique<Cursor>());
  int n = static_cast<int>(tensors.size());
  if (mode == TSH_FAITHFUL) {
    at_save_multi_to_stream(value_ptrs.data(), name_ptrs.data(), n, hs.NewWriteStream());
  } else {
    tsh_save_multi_to_stream(value_ptrs.data(), name_ptrs.data(), n, hs.NewWriteStream(),
                             mode);
  }
  if (null_buffers != nullptr) *null_buffers = hs.null_buffers();
  Status s = Check(hs);
  if (!s.ok()) return s.error();
  return Bytes(hs);
}

Result<at::Tensor> AbiLoad(std::vector<uint8_t> archive, tsh_mode mode) {
  HarnessStream hs(std::make_unique<Cursor>(std::move(archive)));
  tensor got = mode == TSH_FAITHFUL ? at_load_from_stream(hs.NewReadStream())
                                    : tsh_load_from_stream(hs.NewReadStream(), mode);
  std::unique_ptr<at::Tensor, void (*)(tensor)> owned(got, at_free);
  Status s = Check(hs);
  if (!s.ok()) return s.error();
  if (owned == nullptr) return Error(ErrorKind::kOther, "null tensor without an error");
  return *owned;
}

Result<AbiNamedTensors> AbiLoadNamed(std::vector<uint8_t> archive,
                                     std::optional<int> device_id, tsh_mode mode) {
  HarnessStream hs(std::make_unique<Cursor>(std::move(archive)));
  AbiNamedTensors got;
  bool map = device_id.has_value();
  int id = device_id.value_or(0);
  if (mode == TSH_FAITHFUL) {
    at_load_from_stream_callback(hs.NewReadStream(), &got, Collect, map, id);
  } else {
    tsh_load_from_stream_callback(hs.NewReadStream(), &got, Collect, map, id, mode);
  }
  Status s = Check(hs);
  if (!s.ok()) return s.error();
  return got;
}

}  // namespace tsh::test
