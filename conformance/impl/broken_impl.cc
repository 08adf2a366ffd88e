// Deliberately broken implementations of the seven callbacks, so that the
// conformance suite can show it catches each defect (conformance/README.md,
// "Broken implementations").
//
// A minimal implementation written straight over the harness's C table
// (impl_abi.h), correct but for the one defect its TSH_BROKEN_* define
// injects:
//   TSH_BROKEN_WRITES_OUT_PARAM_ON_ERROR  a failed call still writes the
//                                         out-parameter (with 0);
//   TSH_BROKEN_DOUBLE_DROP                the destructor drops the harness
//                                         stream twice;
//   TSH_BROKEN_DROPS_EARLY                the first harness call is preceded
//                                         by the drop, and the stream is
//                                         used after it (the destructor does
//                                         not drop again);
//   TSH_BROKEN_SEGFAULTS_ON_SEEK_END      seek_end dereferences a null
//                                         pointer (the suite must fail just
//                                         the cases that call it, and run
//                                         every other one).
// It is independent of bridge/callbacks.cc (it defines the same symbols),
// so whatever else the suite finds wrong with it is the suite's or its own
// fault, not the bridge's; expect_failures.py pins what must fail.
#include <stdint.h>

#include "bridge/callbacks.h"
#include "conformance/impl/impl_abi.h"

#if defined(TSH_BROKEN_WRITES_OUT_PARAM_ON_ERROR) + defined(TSH_BROKEN_DOUBLE_DROP) + \
        defined(TSH_BROKEN_DROPS_EARLY) + defined(TSH_BROKEN_SEGFAULTS_ON_SEEK_END) !=  \
    1
#error "define exactly one TSH_BROKEN_* defect"
#endif

namespace {

struct Stream {
  tsh_c_stream s;
  bool dropped;
};

Stream* From(void* p) { return static_cast<Stream*>(p); }

void Drop(Stream* st) {
  st->s.drop(st->s.ctx);
  st->dropped = true;
}

// Runs before every harness call.
void BeforeUse(Stream* st) {
#ifdef TSH_BROKEN_DROPS_EARLY
  if (!st->dropped) Drop(st);
#else
  (void)st;
#endif
}

template <typename T>
bool Deliver(bool ok, T value, T* out) {
#ifdef TSH_BROKEN_WRITES_OUT_PARAM_ON_ERROR
  *out = value;
#else
  if (ok) *out = value;
#endif
  return ok;
}

void Destroy(void* p) {
  Stream* st = From(p);
  if (st == nullptr) return;
#ifdef TSH_BROKEN_DOUBLE_DROP
  st->s.drop(st->s.ctx);
#endif
  if (!st->dropped) Drop(st);
  delete st;
}

bool Seek(void* p, tsh_c_whence whence, int64_t offset, uint64_t start, uint64_t* out) {
  Stream* st = From(p);
  if (st == nullptr || out == nullptr || st->s.seek == nullptr) return false;
  BeforeUse(st);
  uint64_t pos = 0;
  tsh_c_error err{};
  bool ok = st->s.seek(st->s.ctx, whence, offset, start, &pos, &err);
  return Deliver(ok, pos, out);
}

}  // namespace

extern "C" {

void* tsh_impl_new_write_stream(const tsh_c_stream* stream) {
  if (stream == nullptr) return nullptr;
  return new Stream{*stream, false};
}

void* tsh_impl_new_read_stream(const tsh_c_stream* stream) {
  if (stream == nullptr) return nullptr;
  return new Stream{*stream, false};
}

void tch_write_stream_destructor(void* stream_ptr) { Destroy(stream_ptr); }

void tch_read_stream_destructor(void* stream_ptr) { Destroy(stream_ptr); }

bool tch_write_stream_write(void* stream_ptr, const uint8_t* buf, size_t size,
                            size_t* out_size) {
  Stream* st = From(stream_ptr);
  if (st == nullptr || out_size == nullptr || (buf == nullptr && size != 0) ||
      st->s.write == nullptr) {
    return false;
  }
  BeforeUse(st);
  size_t n = 0;
  tsh_c_error err{};
  bool ok = st->s.write(st->s.ctx, buf, size, &n, &err);
  return Deliver(ok, n, out_size);
}

bool tch_read_stream_read(void* stream_ptr, uint8_t* buf, size_t size,
                          size_t* read_size) {
  Stream* st = From(stream_ptr);
  if (st == nullptr || read_size == nullptr || (buf == nullptr && size != 0) ||
      st->s.read == nullptr) {
    return false;
  }
  BeforeUse(st);
  size_t n = 0;
  tsh_c_error err{};
  bool ok = st->s.read(st->s.ctx, buf, size, &n, &err);
  return Deliver(ok, n, read_size);
}

bool tch_read_stream_stream_position(void* stream_ptr, uint64_t* current) {
  Stream* st = From(stream_ptr);
  if (st == nullptr || st->s.position == nullptr) {
    return Seek(stream_ptr, TSH_C_SEEK_CURRENT, 0, 0, current);
  }
  if (current == nullptr) return false;
  BeforeUse(st);
  uint64_t pos = 0;
  tsh_c_error err{};
  bool ok = st->s.position(st->s.ctx, &pos, &err);
  return Deliver(ok, pos, current);
}

bool tch_read_stream_seek_start(void* stream_ptr, uint64_t pos, uint64_t* new_pos) {
  return Seek(stream_ptr, TSH_C_SEEK_START, 0, pos, new_pos);
}

bool tch_read_stream_seek_end(void* stream_ptr, int64_t pos, uint64_t* new_pos) {
#ifdef TSH_BROKEN_SEGFAULTS_ON_SEEK_END
  volatile int* nowhere = nullptr;
  *nowhere = 1;
#endif
  return Seek(stream_ptr, TSH_C_SEEK_END, pos, 0, new_pos);
}

uint32_t tsh_impl_features(void) { return TSH_IMPL_NULL_ARGUMENTS; }

}  // extern "C"
