// BufWriter: gathers small writes into one buffer before they reach an inner
// Write; Rust's std::io::BufWriter<W>.
//
// What it is for: reproducing how Rust code that wraps the bridge's sink in
// a BufWriter presents writes to it (few, large, and possibly only at flush
// or destruction), including where errors surface late or are lost.
//
// What it promises:
// - It owns the inner Write. The buffer holds at most capacity() bytes
//   (default 8192; 0 is allowed and buffers nothing).
// - write(buf, n): if n exceeds the spare room, the buffer is flushed first
//   and an error from that is returned (nothing of buf is taken). Then, if
//   n >= capacity(), buf goes straight to ONE inner write and its result is
//   returned as is (short counts and errors included); otherwise buf is
//   copied into the buffer and Ok(n) returned. So a successful small write
//   says nothing about whether the bytes will ever arrive.
// - flush() writes the buffer out (Rust's flush_buf: loops over short
//   writes, retries Interrupted, turns Ok(0) into Err(WriteZero, "failed to
//   write the buffered data"), and on another error stops, keeping the
//   unwritten rest buffered), then calls inner flush().
// - The destructor writes the buffer out and IGNORES any error, as Rust's
//   Drop does; it does not call inner flush(). Call flush() to learn of
//   failures.
// - into_inner() writes the buffer out and hands the inner Write back; on
//   error it returns that error and keeps both the inner Write and the
//   unwritten bytes. After a successful into_inner() every write or flush is
//   Err(Other) and get_ref() must not be called.
// - n == 0 writes return Ok(0) without effect. Allocation failure is
//   Err(OutOfMemory); no method throws. One user at a time.
#ifndef TSH_BRIDGE_BUF_WRITER_H_
#define TSH_BRIDGE_BUF_WRITER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "bridge/io.h"

namespace tsh {

class BufWriter : public Write {
 public:
  // Precondition: inner is not null.
  explicit BufWriter(std::unique_ptr<Write> inner, size_t capacity = 8192)
      : inner_(std::move(inner)), capacity_(capacity) {}
  ~BufWriter() override;
  BufWriter(const BufWriter&) = delete;
  BufWriter& operator=(const BufWriter&) = delete;

  Result<size_t> write(const uint8_t* buf, size_t n) override;
  Status flush() override;

  // The inner Write, for inspection; writing to it directly bypasses (and
  // reorders against) the buffer.
  Write& get_ref() { return *inner_; }
  // Bytes accepted but not yet handed to the inner Write.
  const std::vector<uint8_t>& buffer() const { return buf_; }
  size_t capacity() const { return capacity_; }
  Result<std::unique_ptr<Write>> into_inner();

 private:
  // Rust's flush_buf: write the buffer out, keeping what was not written.
  Status flush_buf();

  std::unique_ptr<Write> inner_;
  std::vector<uint8_t> buf_;  // size() is what is buffered; <= capacity_.
  size_t capacity_;
};

}  // namespace tsh

#endif  // TSH_BRIDGE_BUF_WRITER_H_
