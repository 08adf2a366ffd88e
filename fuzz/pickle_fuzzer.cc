// Fuzzes LibTorch's unpickler straight: the input is the pickle of an
// archive's data.pkl or constants.pkl, read as
// torch::jit::readArchiveAndTensors reads it during a load (the same
// reader, the same tensor-record callback and version), with the type
// resolver and object loader a load installs, except that its classes are
// made on demand (a load takes them from the archive's TorchScript code,
// which this target has none of) and take the attributes their state
// names. An input costs far less than a whole torch::jit::load (though
// nearly every mutant reaches one of F18's allocations, which restarts the
// fuzzer: fuzz/README.md); with --config=readers the unpickler is compiled
// from LibTorch's source with coverage (//third_party/libtorch_source).
//
// Records: "0" to "3" hold 64 zero bytes each; any other name fails as
// getRecord fails on a name the archive lacks.
//
// Oracle: a result or a c10::Error / std::exception is fine; a crash, or
// one allocation over 16 MiB (the cap of its .options, of F18's kind), is a
// LibTorch finding.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <exception>
#include <memory>
#include <string>

#include <ATen/core/ivalue.h>
#include <c10/core/CPUAllocator.h>
#include <caffe2/serialize/versions.h>
#include <torch/csrc/jit/api/compilation_unit.h>
#include <torch/csrc/jit/serialization/unpickler.h>

namespace {

constexpr size_t kRecordBytes = 64;

at::DataPtr ReadRecord(const std::string& name) {
  TORCH_CHECK(name.size() == 1 && name[0] >= '0' && name[0] <= '3',
              "file not found: archive/data/", name);
  at::DataPtr ptr = c10::GetCPUAllocator()->allocate(kRecordBytes);
  std::memset(ptr.get(), 0, kRecordBytes);
  return ptr;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  size_t bytes_read = 0;
  auto reader = [&](char* buffer, size_t len) -> size_t {
    if (bytes_read >= size) return 0;
    len = std::min(size - bytes_read, len);
    std::memcpy(buffer, data + bytes_read, len);
    bytes_read += len;
    return len;
  };
  auto cu = std::make_shared<torch::jit::CompilationUnit>();
  auto type_resolver = [&](const c10::QualifiedName& name) {
    c10::ClassTypePtr cls = cu->get_class(name);
    if (!cls) {
      cls = c10::ClassType::create(name, cu, /*is_module=*/false);
      cu->register_type(cls);
    }
    return c10::StrongTypePtr(cu, cls);
  };
  // The load's loader for a class without __setstate__: the state is a
  // dict of attribute name to value.
  auto obj_loader = [](const c10::StrongTypePtr& type, c10::IValue input) {
    auto cls = type.type_->expect<c10::ClassType>();
    auto dict = std::move(input).toGenericDict();
    for (const auto& entry : dict) {
      cls->addOrCheckAttribute(entry.key().toStringRef(), entry.value().type());
    }
    auto obj = c10::ivalue::Object::create(type, cls->numAttributes());
    for (const auto& entry : dict) {
      obj->setAttr(entry.key().toStringRef(), entry.value());
    }
    return obj;
  };
  try {
    torch::jit::Unpickler unpickler(reader, type_resolver, obj_loader, ReadRecord,
                                    c10::nullopt);
    unpickler.set_version(caffe2::serialize::kProducedFileFormatVersion);
    (void)unpickler.parse_ivalue();
  } catch (const std::exception&) {
    // A clean refusal (c10::Error is one).
  }
  return 0;
}
