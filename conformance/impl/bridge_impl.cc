// This project's bridge as an implementation under test: the factories of
// impl_abi.h over bridge/callbacks.cc, boxing the harness stream the way
// tch-rs's API boxes a user's stream (a read stream inside tch's
// ReadSeekAdapter), so that the harness sees, call for call, what a stream
// sees under tch-rs.
#include <memory>

#include "bridge/raw_stream.h"
#include "bridge/read_seek_adapter.h"
#include "conformance/impl/impl_abi.h"

namespace tsh {
namespace {

// A tsh::Stream whose every operation is one call of the harness's table.
class CStream : public Stream {
 public:
  explicit CStream(const tsh_c_stream& s) : s_(s) {}
  ~CStream() override {
    if (s_.drop != nullptr) s_.drop(s_.ctx);
  }
  CStream(const CStream&) = delete;
  CStream& operator=(const CStream&) = delete;

  Result<size_t> read(uint8_t* buf, size_t n) override {
    if (s_.read == nullptr) return Unsupported("read");
    size_t out = 0;
    tsh_c_error err{};
    if (!s_.read(s_.ctx, buf, n, &out, &err)) return ErrorOf(err);
    return out;
  }
  Result<size_t> write(const uint8_t* buf, size_t n) override {
    if (s_.write == nullptr) return Unsupported("write");
    size_t out = 0;
    tsh_c_error err{};
    if (!s_.write(s_.ctx, buf, n, &out, &err)) return ErrorOf(err);
    return out;
  }
  Status flush() override {
    if (s_.flush == nullptr) return Ok();
    tsh_c_error err{};
    if (!s_.flush(s_.ctx, &err)) return ErrorOf(err);
    return Ok();
  }
  Result<uint64_t> seek(SeekFrom pos) override {
    if (s_.seek == nullptr) return Unsupported("seek");
    tsh_c_whence whence = pos.whence == SeekFrom::Whence::kStart ? TSH_C_SEEK_START
                          : pos.whence == SeekFrom::Whence::kEnd ? TSH_C_SEEK_END
                                                                 : TSH_C_SEEK_CURRENT;
    uint64_t out = 0;
    tsh_c_error err{};
    if (!s_.seek(s_.ctx, whence, pos.offset, pos.start, &out, &err)) return ErrorOf(err);
    return out;
  }
  Result<uint64_t> stream_position() override {
    if (s_.position == nullptr) return seek(SeekFrom::Current(0));
    uint64_t out = 0;
    tsh_c_error err{};
    if (!s_.position(s_.ctx, &out, &err)) return ErrorOf(err);
    return out;
  }

 private:
  static Error ErrorOf(const tsh_c_error& e) {
    int kind = e.kind;
    if (kind < 0 || kind > static_cast<int>(ErrorKind::kOther)) {
      kind = static_cast<int>(ErrorKind::kOther);
    }
    return Error(static_cast<ErrorKind>(kind), e.message ? e.message : "");
  }
  static Error Unsupported(const char* op) {
    return Error(ErrorKind::kUnsupported, std::string("harness stream has no ") + op);
  }

  tsh_c_stream s_;
};

}  // namespace
}  // namespace tsh

extern "C" {

void* tsh_impl_new_write_stream(const tsh_c_stream* stream) {
  if (stream == nullptr) return nullptr;
  return tsh::IntoRawWriteStream(std::make_unique<tsh::CStream>(*stream));
}

void* tsh_impl_new_read_stream(const tsh_c_stream* stream) {
  if (stream == nullptr) return nullptr;
  return tsh::IntoRawReadStream(
      std::make_unique<tsh::ReadSeekAdapter>(std::make_unique<tsh::CStream>(*stream)));
}

uint32_t tsh_impl_features(void) { return TSH_IMPL_NULL_ARGUMENTS | TSH_IMPL_EXTENSIONS; }

}  // extern "C"
