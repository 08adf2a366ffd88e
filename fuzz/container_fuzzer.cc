// Fuzzes LibTorch's ZIP container reader straight, without the bridge or
// the import above it: the input is an archive, opened with
// caffe2::serialize::PyTorchStreamReader, whose records are listed and
// each read with getRecord, as a load reads those it needs. Far faster
// than a whole torch::jit::load, so a campaign spends its time in the
// container and its miniz (built with --config=readers, both are compiled
// from LibTorch's source with coverage: //third_party/libtorch_source).
//
// Oracle: a result or a c10::Error / std::exception is fine; a crash, or
// one allocation over 16 MiB (the cap of its .options, of F17's kind), is a
// LibTorch finding.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <exception>
#include <memory>
#include <string>

#include <caffe2/serialize/inline_container.h>
#include <caffe2/serialize/read_adapter_interface.h>

namespace {

// The input as a file would give it: a read past the end gets what is
// there, as the bridge's read callbacks give it.
class BytesAdapter : public caffe2::serialize::ReadAdapterInterface {
 public:
  BytesAdapter(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  size_t size() const override { return size_; }
  size_t read(uint64_t pos, void* buf, size_t n, const char*) const override {
    // LibTorch asks for 0 bytes into a null buffer, which memcpy may not get.
    if (pos >= size_ || n == 0) return 0;
    n = std::min<uint64_t>(n, size_ - pos);
    std::memcpy(buf, data_ + pos, n);
    return n;
  }

 private:
  const uint8_t* data_;
  size_t size_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    caffe2::serialize::PyTorchStreamReader reader(std::make_shared<BytesAdapter>(data, size));
    for (const std::string& name : reader.getAllRecords()) {
      if (reader.hasRecord(name)) (void)reader.getRecord(name);
    }
  } catch (const std::exception&) {
    // A clean refusal (c10::Error is one).
  }
  return 0;
}
