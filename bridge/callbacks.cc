#include "bridge/callbacks.h"
#include "bridge/raw_stream.h"

#include <exception>
#include <memory>
#include <optional>
#include <utility>

namespace tsh {
namespace {

// What the opaque pointer points at: tch-rs's outer Box, plus the error of
// the last operation for the last_error extension.
template <typename S>
struct Owner {
  std::unique_ptr<S> stream;
  std::optional<Error> last_error;
};
using WriteOwner = Owner<Write>;
using ReadOwner = Owner<ReadStream>;

// Runs one stream operation, stores its value on success and keeps its error
// on failure. Anything thrown becomes `false`: an exception must not unwind
// through the C caller.
template <typename S, typename Out, typename Op>
bool Run(void* stream_ptr, Out* out, Op&& op) {
  auto* owner = static_cast<Owner<S>*>(stream_ptr);
  if (owner == nullptr || out == nullptr) return false;
  try {
    auto r = op(*owner->stream);
    if (!r.ok()) {
      owner->last_error = r.error();
      return false;
    }
    owner->last_error.reset();
    *out = r.value();
    return true;
  } catch (const std::exception& e) {
    owner->last_error = Error(ErrorKind::kOther, e.what());
  } catch (...) {
    owner->last_error = Error(ErrorKind::kOther, "unknown exception");
  }
  return false;
}

template <typename S>
bool LastError(void* stream_ptr, tsh_error_kind* kind, const char** message) {
  auto* owner = static_cast<Owner<S>*>(stream_ptr);
  if (owner == nullptr || kind == nullptr || message == nullptr ||
      !owner->last_error) {
    return false;
  }
  *kind = static_cast<tsh_error_kind>(owner->last_error->kind());
  *message = owner->last_error->message().c_str();
  return true;
}

template <typename S>
void Destroy(void* stream_ptr) {
  // A stream's destructor may do I/O (BufWriter flushes); it must not throw
  // into C, and it never reports (Rust's Drop cannot either).
  try {
    delete static_cast<Owner<S>*>(stream_ptr);
  } catch (...) {
  }
}

// A null buffer is a valid empty buffer, and nothing else.
bool BadBuffer(const void* buf, size_t size) { return buf == nullptr && size != 0; }

}  // namespace

void* IntoRawWriteStream(std::unique_ptr<Write> stream) {
  if (stream == nullptr) return nullptr;
  return new WriteOwner{std::move(stream), std::nullopt};
}

void* IntoRawReadStream(std::unique_ptr<ReadStream> stream) {
  if (stream == nullptr) return nullptr;
  return new ReadOwner{std::move(stream), std::nullopt};
}

}  // namespace tsh

using tsh::ReadOwner;
using tsh::ReadStream;
using tsh::SeekFrom;
using tsh::Write;
using tsh::WriteOwner;

extern "C" {

void tch_write_stream_destructor(void* stream_ptr) {
  tsh::Destroy<Write>(stream_ptr);
}

bool tch_write_stream_write(void* stream_ptr, const uint8_t* buf, size_t size,
                            size_t* out_size) {
  if (tsh::BadBuffer(buf, size)) return false;
  return tsh::Run<Write>(stream_ptr, out_size,
                         [&](Write& w) { return w.write(buf, size); });
}

void tch_read_stream_destructor(void* stream_ptr) {
  tsh::Destroy<ReadStream>(stream_ptr);
}

bool tch_read_stream_stream_position(void* stream_ptr, uint64_t* current) {
  return tsh::Run<ReadStream>(stream_ptr, current,
                              [](ReadStream& r) { return r.stream_position(); });
}

bool tch_read_stream_seek_start(void* stream_ptr, uint64_t pos,
                                uint64_t* new_pos) {
  return tsh::Run<ReadStream>(stream_ptr, new_pos, [&](ReadStream& r) {
    return r.seek(SeekFrom::Start(pos));
  });
}

bool tch_read_stream_seek_end(void* stream_ptr, int64_t pos, uint64_t* new_pos) {
  return tsh::Run<ReadStream>(stream_ptr, new_pos, [&](ReadStream& r) {
    return r.seek(SeekFrom::End(pos));
  });
}

bool tch_read_stream_read(void* stream_ptr, uint8_t* buf, size_t size,
                          size_t* read_size) {
  if (tsh::BadBuffer(buf, size)) return false;
  return tsh::Run<ReadStream>(stream_ptr, read_size,
                              [&](ReadStream& r) { return r.read(buf, size); });
}

bool tsh_write_stream_flush(void* stream_ptr) {
  // flush has no value: deliver a dummy so Run's bookkeeping is shared.
  bool flushed = false;
  return tsh::Run<Write>(stream_ptr, &flushed, [](Write& w) -> tsh::Result<bool> {
    tsh::Status s = w.flush();
    if (!s.ok()) return s.error();
    return true;
  });
}

bool tsh_write_stream_last_error(void* stream_ptr, tsh_error_kind* kind,
                                 const char** message) {
  return tsh::LastError<Write>(stream_ptr, kind, message);
}

bool tsh_read_stream_last_error(void* stream_ptr, tsh_error_kind* kind,
                                const char** message) {
  return tsh::LastError<ReadStream>(stream_ptr, kind, message);
}

}  // extern "C"
