// WriteRef and ReadStreamRef: borrowed streams; Rust's `&mut W` and `&mut R`
// (what Write::by_ref() hands out).
//
// What they are for: lending a stream to code that takes ownership of a
// Write or ReadStream (a BufWriter, a BufReader, the bridge's callbacks)
// while the lender keeps it and can inspect it afterwards, as Rust code does
// with `BufWriter::new(&mut file)` or `writer.by_ref()`.
//
// What they promise:
// - Every call is forwarded unchanged to the referent, results included
//   (stream_position too, so a BufReader referent keeps its buffer).
// - They own nothing: destroying one leaves the referent open and
//   untouched. The referent must outlive the wrapper (the borrow Rust's
//   lifetimes would check).
// - They throw nothing of their own.
#ifndef TSH_BRIDGE_BY_REF_H_
#define TSH_BRIDGE_BY_REF_H_

#include <cstddef>
#include <cstdint>

#include "bridge/io.h"

namespace tsh {

class WriteRef : public Write {
 public:
  explicit WriteRef(Write& inner) : inner_(inner) {}

  Result<size_t> write(const uint8_t* buf, size_t n) override {
    return inner_.write(buf, n);
  }
  Status flush() override { return inner_.flush(); }

  Write& get_ref() { return inner_; }

 private:
  Write& inner_;
};

class ReadStreamRef : public ReadStream {
 public:
  explicit ReadStreamRef(ReadStream& inner) : inner_(inner) {}

  Result<size_t> read(uint8_t* buf, size_t n) override {
    return inner_.read(buf, n);
  }
  Result<uint64_t> seek(SeekFrom pos) override { return inner_.seek(pos); }
  Result<uint64_t> stream_position() override {
    return inner_.stream_position();
  }

  ReadStream& get_ref() { return inner_; }

 private:
  ReadStream& inner_;
};

}  // namespace tsh

#endif  // TSH_BRIDGE_BY_REF_H_
