// The LibTorch side of a load, faithful to tch-rs's ReadStreamAdapter.
//
// LibTorch's archive reader (caffe2::serialize::PyTorchStreamReader) asks a
// ReadAdapterInterface for the archive's size and for bytes at absolute
// offsets. ReadAdapter answers through the read callbacks. It owns the opaque
// read-stream pointer (callbacks.h) from construction and frees it with
// tch_read_stream_destructor when destroyed (LibTorch holds it in a
// shared_ptr: it dies with the last reader, on every path).
//
// What tch-rs does, and so this does:
// - size(): stream_position, seek_end(0) (that is the size), seek_start back
//   to the saved position; any `false` throws std::ios_base::failure;
// - read(pos, buf, n): seek_start(pos), then ONE read call whose count is
//   returned as is, short or not (LibTorch does not retry: FINDINGS.md F6);
// - the position each seek reports is ignored.
// Messages name the failing callback and offset (tch-rs's do not).
#ifndef TSH_BRIDGE_READ_ADAPTER_H_
#define TSH_BRIDGE_READ_ADAPTER_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "caffe2/serialize/read_adapter_interface.h"

namespace tsh {

class ReadAdapter : public caffe2::serialize::ReadAdapterInterface {
 public:
  // Takes ownership of `stream_ptr`.
  explicit ReadAdapter(void* stream_ptr) : stream_ptr_(stream_ptr) {}
  ~ReadAdapter() override;
  ReadAdapter(const ReadAdapter&) = delete;
  ReadAdapter& operator=(const ReadAdapter&) = delete;

  size_t size() const override;
  size_t read(uint64_t pos, void* buf, size_t n,
              const char* what = "") const override;

 private:
  [[noreturn]] void Fail(const char* callback, const std::string& where) const;

  void* stream_ptr_;
};

}  // namespace tsh

#endif  // TSH_BRIDGE_READ_ADAPTER_H_
