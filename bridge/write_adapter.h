// The LibTorch side of a save, faithful to tch-rs's WriteStreamAdapter.
//
// LibTorch's OutputArchive::save_to(writer) hands its archive to a writer
// function chunk by chunk; WriteAdapter::save is that function. It owns the
// opaque write-stream pointer (callbacks.h) from construction and frees it
// with tch_write_stream_destructor when destroyed, so the stream is freed
// exactly once whether the save returns or throws.
//
// What tch-rs does, and so this does:
// - each chunk goes to tch_write_stream_write exactly once;
// - `false` throws std::ios_base::failure (LibTorch then aborts the
//   process: FINDINGS.md F2-F4);
// - a short count is returned to LibTorch as is (LibTorch treats it as a
//   failure and aborts: F1);
// - the stream is never flushed (F5).
// The only liberty taken is the message, which names the callback and the
// archive offset (tch-rs says "tch_write_stream_write has returned error").
#ifndef TSH_BRIDGE_WRITE_ADAPTER_H_
#define TSH_BRIDGE_WRITE_ADAPTER_H_

#include <cstddef>
#include <cstdint>

namespace tsh {

class WriteAdapter {
 public:
  // Takes ownership of `stream_ptr` (from IntoRawWriteStream or any
  // implementation of the callbacks).
  explicit WriteAdapter(void* stream_ptr) : stream_ptr_(stream_ptr) {}
  ~WriteAdapter();
  WriteAdapter(const WriteAdapter&) = delete;
  WriteAdapter& operator=(const WriteAdapter&) = delete;

  // LibTorch's writer function: one callback call, its count returned.
  // Throws std::ios_base::failure when the callback returns false.
  size_t save(const void* data, size_t size);

 private:
  void* stream_ptr_;
  uint64_t offset_ = 0;  // Archive bytes handed over so far, for messages.
};

}  // namespace tsh

#endif  // TSH_BRIDGE_WRITE_ADAPTER_H_
