// HarnessStream: a stream the conformance suite owns and lends to the
// implementation under test through impl_abi.h, keeping count of what the
// implementation does with it.
//
// It forwards each call to a tsh stream (usually a Cursor, under a
// FaultStream for the fault matrix), counts drops, and poisons itself on
// drop: every later call fails with "use after drop" and is counted, so a
// test can assert "dropped exactly once, never touched after". The
// HarnessStream itself stays alive (the test owns it), so such a use is
// observed, not undefined.
//
// It also flags what a Rust stream could not be handed: a read or write
// with a null buffer, whatever its size (tch-rs makes a slice of every
// buffer, and a slice from a null pointer is undefined behaviour in Rust:
// FINDINGS.md F21). Such a call is still performed, and counted.
#ifndef TSH_CONFORMANCE_TESTING_HARNESS_STREAM_H_
#define TSH_CONFORMANCE_TESTING_HARNESS_STREAM_H_

#include <memory>
#include <string>

#include "bridge/io.h"
#include "conformance/impl/impl_abi.h"

namespace tsh::test {

class HarnessStream {
 public:
  explicit HarnessStream(std::unique_ptr<Stream> inner);
  HarnessStream(const HarnessStream&) = delete;
  HarnessStream& operator=(const HarnessStream&) = delete;

  // The C table over this object.
  tsh_c_stream c_stream();
  // The implementation's opaque pointers (tsh_impl_new_*_stream).
  void* NewWriteStream();
  void* NewReadStream();

  Stream& inner() { return *inner_; }
  int drops() const { return drops_; }
  int uses_after_drop() const { return uses_after_drop_; }
  // Calls of each harness function, drops excluded.
  int calls() const { return calls_; }
  // Reads and writes handed a null buffer.
  int null_buffers() const { return null_buffers_; }

 private:
  // Returns false (and counts) when the stream was already dropped.
  bool Use(tsh_c_error* err);
  bool Fail(const Error& e, tsh_c_error* err);

  static bool Read(void* ctx, uint8_t* buf, size_t size, size_t* out, tsh_c_error* err);
  static bool Write(void* ctx, const uint8_t* buf, size_t size, size_t* out,
                    tsh_c_error* err);
  static bool Flush(void* ctx, tsh_c_error* err);
  static bool Seek(void* ctx, tsh_c_whence whence, int64_t offset, uint64_t start,
                   uint64_t* out, tsh_c_error* err);
  static bool Position(void* ctx, uint64_t* out, tsh_c_error* err);
  static void Drop(void* ctx);

  std::unique_ptr<Stream> inner_;
  std::string message_;  // Backs the last tsh_c_error's message.
  int drops_ = 0;
  int uses_after_drop_ = 0;
  int calls_ = 0;
  int null_buffers_ = 0;
};

}  // namespace tsh::test

#endif  // TSH_CONFORMANCE_TESTING_HARNESS_STREAM_H_
