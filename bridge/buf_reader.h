// BufReader: serves small reads from one buffer filled by large reads of an
// inner ReadStream; Rust's std::io::BufReader<R> with R: Read + Seek.
//
// What it is for: reproducing the read and seek pattern LibTorch's reader
// sees when the Rust side wraps a file in a BufReader, including how the
// buffer shifts the inner stream's position ahead of the logical one.
//
// What it promises:
// - It owns the inner ReadStream. The buffer holds at most capacity() bytes
//   (default 8192; 0 makes every read go straight through).
// - read(buf, n): if nothing is buffered and n >= capacity(), ONE inner read
//   straight into buf, its result returned as is. Otherwise, if nothing is
//   buffered, ONE inner read fills the buffer (an error from it is returned,
//   and nothing is buffered); then min(n, buffered()) bytes are copied out.
//   A read never makes a second inner read to top up a short one.
// - seek(pos) is one inner seek (two in a corner case) and then discards the
//   buffer. For Current(k) the buffered remainder r is accounted for:
//   the inner stream is asked for Current(k - r); if k - r overflows i64,
//   it is asked for Current(-r) (the buffer is then discarded) and then
//   Current(k). If an inner seek fails its error is returned and the
//   logical position is unchanged: after a failed first seek the buffer is
//   kept, exactly as Rust's `?` leaves it.
// - stream_position() is the inner stream_position() minus the buffered
//   remainder; the buffer is kept. If the inner position is smaller than the
//   remainder (the inner was moved behind this reader's back) it is
//   Err(Other), where Rust would panic.
// - n == 0 reads return Ok(0) without effect (Rust would fill the buffer).
//   Allocation failure is Err(OutOfMemory); no method throws. One user at a
//   time; moving the inner stream directly desynchronises the buffer.
#ifndef TSH_BRIDGE_BUF_READER_H_
#define TSH_BRIDGE_BUF_READER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "bridge/io.h"

namespace tsh {

class BufReader : public ReadStream {
 public:
  // Precondition: inner is not null.
  explicit BufReader(std::unique_ptr<ReadStream> inner, size_t capacity = 8192)
      : inner_(std::move(inner)), capacity_(capacity) {}
  BufReader(const BufReader&) = delete;
  BufReader& operator=(const BufReader&) = delete;

  Result<size_t> read(uint8_t* buf, size_t n) override;
  Result<uint64_t> seek(SeekFrom pos) override;
  Result<uint64_t> stream_position() override;

  // The inner stream; its position is ahead of this reader's by buffered().
  ReadStream& get_ref() { return *inner_; }
  // Bytes read from the inner stream and not yet handed out.
  size_t buffered() const { return filled_ - pos_; }
  size_t capacity() const { return capacity_; }

 private:
  void discard_buffer() { pos_ = filled_ = 0; }

  std::unique_ptr<ReadStream> inner_;
  std::vector<uint8_t> buf_;  // Allocated to capacity_ on first fill.
  size_t capacity_;
  size_t pos_ = 0;     // Next unread byte in buf_.
  size_t filled_ = 0;  // End of valid bytes in buf_.
};

}  // namespace tsh

#endif  // TSH_BRIDGE_BUF_READER_H_
