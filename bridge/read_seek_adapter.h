// ReadSeekAdapter: the wrapper tch-rs's API puts around every stream it
// loads from, modelled so that the faithful twin's streams see the calls
// they would see under tch-rs.
//
// tch's `load_from_stream` and its siblings box `ReadSeekAdapter::new(stream)`
// (tch-rs src/wrappers/stream.rs), not the user's stream itself. That
// adapter forwards `read` and `seek` and nothing else, so the
// `stream_position` callback reaches the user's stream as
// `seek(SeekFrom::Current(0))`, Seek's provided method: on a BufReader that
// throws the buffer away, and a stream whose stream_position differs from
// its seek(Current(0)) is answered by the seek.
//
// What it promises: read and seek are forwarded unchanged, results
// included; stream_position is seek(Current(0)) on the inner stream. It owns
// the inner stream (the adapter takes `stream: T` by value); wrap a
// ReadStreamRef (by_ref.h) to lend one. It throws nothing of its own.
#ifndef TSH_BRIDGE_READ_SEEK_ADAPTER_H_
#define TSH_BRIDGE_READ_SEEK_ADAPTER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>

#include "bridge/io.h"

namespace tsh {

class ReadSeekAdapter : public ReadStream {
 public:
  explicit ReadSeekAdapter(std::unique_ptr<ReadStream> inner) : inner_(std::move(inner)) {}

  Result<size_t> read(uint8_t* buf, size_t n) override { return inner_->read(buf, n); }
  Result<uint64_t> seek(SeekFrom pos) override { return inner_->seek(pos); }
  // stream_position is deliberately not forwarded: Seek's default,
  // seek(Current(0)), is what tch-rs's adapter answers it with.

  ReadStream& get_ref() { return *inner_; }

 private:
  std::unique_ptr<ReadStream> inner_;
};

}  // namespace tsh

#endif  // TSH_BRIDGE_READ_SEEK_ADAPTER_H_
