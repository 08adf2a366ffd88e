#include "conformance/testing/harness_stream.h"

#include <utility>

// The numbers of impl_abi.h's error kinds are tsh::ErrorKind's: errors cross
// the C ABI as those ints.
#define TSH_SAME_KIND(c, cc) \
  static_assert(c == static_cast<int>(tsh::ErrorKind::cc), #c " is not " #cc)
TSH_SAME_KIND(TSH_C_NOT_FOUND, kNotFound);
TSH_SAME_KIND(TSH_C_PERMISSION_DENIED, kPermissionDenied);
TSH_SAME_KIND(TSH_C_INTERRUPTED, kInterrupted);
TSH_SAME_KIND(TSH_C_WOULD_BLOCK, kWouldBlock);
TSH_SAME_KIND(TSH_C_UNEXPECTED_EOF, kUnexpectedEof);
TSH_SAME_KIND(TSH_C_WRITE_ZERO, kWriteZero);
TSH_SAME_KIND(TSH_C_INVALID_INPUT, kInvalidInput);
TSH_SAME_KIND(TSH_C_INVALID_DATA, kInvalidData);
TSH_SAME_KIND(TSH_C_BROKEN_PIPE, kBrokenPipe);
TSH_SAME_KIND(TSH_C_UNSUPPORTED, kUnsupported);
TSH_SAME_KIND(TSH_C_OUT_OF_MEMORY, kOutOfMemory);
TSH_SAME_KIND(TSH_C_OTHER, kOther);
#undef TSH_SAME_KIND

namespace tsh::test {

HarnessStream::HarnessStream(std::unique_ptr<Stream> inner) : inner_(std::move(inner)) {}

tsh_c_stream HarnessStream::c_stream() {
  return tsh_c_stream{this, &Read, &Write, &Flush, &Seek, &Position, &Drop};
}

void* HarnessStream::NewWriteStream() {
  tsh_c_stream s = c_stream();
  return tsh_impl_new_write_stream(&s);
}

void* HarnessStream::NewReadStream() {
  tsh_c_stream s = c_stream();
  return tsh_impl_new_read_stream(&s);
}

bool HarnessStream::Use(tsh_c_error* err) {
  ++calls_;
  if (drops_ == 0) return true;
  ++uses_after_drop_;
  message_ = "use after drop";
  *err = tsh_c_error{static_cast<int>(ErrorKind::kOther), message_.c_str()};
  return false;
}

bool HarnessStream::Fail(const Error& e, tsh_c_error* err) {
  message_ = e.message();
  *err = tsh_c_error{static_cast<int>(e.kind()), message_.c_str()};
  return false;
}

bool HarnessStream::Read(void* ctx, uint8_t* buf, size_t size, size_t* out,
                         tsh_c_error* err) {
  auto* self = static_cast<HarnessStream*>(ctx);
  if (buf == nullptr) ++self->null_buffers_;
  if (!self->Use(err)) return false;
  Result<size_t> r = self->inner_->read(buf, size);
  if (!r.ok()) return self->Fail(r.error(), err);
  *out = r.value();
  return true;
}

bool HarnessStream::Write(void* ctx, const uint8_t* buf, size_t size, size_t* out,
                          tsh_c_error* err) {
  auto* self = static_cast<HarnessStream*>(ctx);
  if (buf == nullptr) ++self->null_buffers_;
  if (!self->Use(err)) return false;
  Result<size_t> r = self->inner_->write(buf, size);
  if (!r.ok()) return self->Fail(r.error(), err);
  *out = r.value();
  return true;
}

bool HarnessStream::Flush(void* ctx, tsh_c_error* err) {
  auto* self = static_cast<HarnessStream*>(ctx);
  if (!self->Use(err)) return false;
  Status s = self->inner_->flush();
  if (!s.ok()) return self->Fail(s.error(), err);
  return true;
}

bool HarnessStream::Seek(void* ctx, tsh_c_whence whence, int64_t offset, uint64_t start,
                         uint64_t* out, tsh_c_error* err) {
  auto* self = static_cast<HarnessStream*>(ctx);
  if (!self->Use(err)) return false;
  SeekFrom pos = whence == TSH_C_SEEK_START ? SeekFrom::Start(start)
                 : whence == TSH_C_SEEK_END ? SeekFrom::End(offset)
                                            : SeekFrom::Current(offset);
  Result<uint64_t> r = self->inner_->seek(pos);
  if (!r.ok()) return self->Fail(r.error(), err);
  *out = r.value();
  return true;
}

bool HarnessStream::Position(void* ctx, uint64_t* out, tsh_c_error* err) {
  auto* self = static_cast<HarnessStream*>(ctx);
  if (!self->Use(err)) return false;
  Result<uint64_t> r = self->inner_->stream_position();
  if (!r.ok()) return self->Fail(r.error(), err);
  *out = r.value();
  return true;
}

void HarnessStream::Drop(void* ctx) { ++static_cast<HarnessStream*>(ctx)->drops_; }

}  // namespace tsh::test
