// The sidecar of tensor_sidecar.py, in C++: a manifest naming, per archive,
// the tensors it must hold (kind, name, dtype, shape, requires_grad as saved)
// and a raw file per tensor with its exact bytes. The Python peers and the
// C++ tests exchange expectations through it, so that each side compares
// bit-exactly without running the other's writer again.
//
// Errors (a missing file, a malformed line, a raw file of the wrong size)
// come back as tsh::Error values; nothing is thrown.
#ifndef TSH_CONFORMANCE_PYTHON_SIDECAR_H_
#define TSH_CONFORMANCE_PYTHON_SIDECAR_H_

#include <cstdint>
#include <string>
#include <vector>

#include <ATen/core/Tensor.h>

#include "bridge/result.h"

namespace tsh::test {

// One line of the manifest. `raw` is relative to the manifest's folder.
struct SidecarRow {
  std::string archive;
  std::string kind;  // "tensor", "parameter" or "buffer".
  std::string name;  // As stored in the archive.
  c10::ScalarType dtype;
  std::vector<int64_t> shape;
  bool requires_grad;
  std::string raw;
};

// PyTorch's dtype name without "torch." ("float32", "bfloat16", ...).
Result<std::string> DtypeName(c10::ScalarType dtype);
Result<c10::ScalarType> DtypeFromName(const std::string& name);

// The rows of the manifest at `path`, in file order.
Result<std::vector<SidecarRow>> ReadSidecar(const std::string& path);

// The tensor `row` describes, built from its raw file beside `manifest_path`.
Result<at::Tensor> SidecarTensor(const std::string& manifest_path,
                                 const SidecarRow& row);

// Builds a sidecar in `dir` (which must exist): Add writes a tensor's raw
// file at once, Finish writes dir/manifest.tsv.
class SidecarWriter {
 public:
  explicit SidecarWriter(std::string dir) : dir_(std::move(dir)) {}

  // `name` is the name the archive stores; `requires_grad` the flag the
  // reader must see.
  Status Add(const std::string& archive, const std::string& kind,
             const std::string& name, const at::Tensor& tensor, bool requires_grad);
  // Returns the manifest's path.
  Result<std::string> Finish();

 private:
  std::string dir_;
  std::vector<SidecarRow> rows_;
};

}  // namespace tsh::test

#endif  // TSH_CONFORMANCE_PYTHON_SIDECAR_H_
