/* tch-rs's seven stream callbacks in plain C11, written from the seed's
 * contract alone, as a second implementation independent of this project's
 * bridge (bridge/callbacks.cc): no extension, no C++, no null checks beyond
 * what the seed promises.
 *
 * The opaque pointer owns a heap copy of the harness's stream table, as
 * tch-rs's pointer owns its boxed stream. The destructor drops the harness
 * stream once and frees the copy. Each callback makes exactly one call of
 * the matching harness function and writes its out-parameter only when that
 * call succeeds; the harness's error becomes `false`, as tch-rs maps every
 * `Err(_)` to false.
 *
 * Like tch-rs, it trusts its caller: a null stream or out-parameter is
 * undefined behaviour, not an error (the suite's "extras" group, which this
 * implementation does not declare, tests that hardening). */
#include <stdlib.h>

#include "bridge/callbacks.h"
#include "conformance/impl/impl_abi.h"

static void* new_stream(const tsh_c_stream* stream) {
  if (stream == NULL) return NULL;
  tsh_c_stream* copy = malloc(sizeof *copy);
  if (copy != NULL) *copy = *stream;
  return copy;
}

void* tsh_impl_new_write_stream(const tsh_c_stream* stream) { return new_stream(stream); }

void* tsh_impl_new_read_stream(const tsh_c_stream* stream) { return new_stream(stream); }

static void destroy(void* stream_ptr) {
  tsh_c_stream* s = stream_ptr;
  if (s == NULL) return;
  s->drop(s->ctx);
  free(s);
}

void tch_write_stream_destructor(void* stream_ptr) { destroy(stream_ptr); }

void tch_read_stream_destructor(void* stream_ptr) { destroy(stream_ptr); }

bool tch_write_stream_write(void* stream_ptr, const uint8_t* buf, size_t size,
                            size_t* out_size) {
  tsh_c_stream* s = stream_ptr;
  size_t n = 0;
  tsh_c_error err = {0, NULL};
  if (!s->write(s->ctx, buf, size, &n, &err)) return false;
  *out_size = n;
  return true;
}

bool tch_read_stream_read(void* stream_ptr, uint8_t* buf, size_t size, size_t* read_size) {
  tsh_c_stream* s = stream_ptr;
  size_t n = 0;
  tsh_c_error err = {0, NULL};
  if (!s->read(s->ctx, buf, size, &n, &err)) return false;
  *read_size = n;
  return true;
}

static bool seek(void* stream_ptr, tsh_c_whence whence, int64_t offset, uint64_t start,
                 uint64_t* new_pos) {
  tsh_c_stream* s = stream_ptr;
  uint64_t pos = 0;
  tsh_c_error err = {0, NULL};
  if (!s->seek(s->ctx, whence, offset, start, &pos, &err)) return false;
  *new_pos = pos;
  return true;
}

bool tch_read_stream_stream_position(void* stream_ptr, uint64_t* current) {
  tsh_c_stream* s = stream_ptr;
  uint64_t pos = 0;
  tsh_c_error err = {0, NULL};
  if (!s->position(s->ctx, &pos, &err)) return false;
  *current = pos;
  return true;
}

bool tch_read_stream_seek_start(void* stream_ptr, uint64_t pos, uint64_t* new_pos) {
  return seek(stream_ptr, TSH_C_SEEK_START, 0, pos, new_pos);
}

bool tch_read_stream_seek_end(void* stream_ptr, int64_t pos, uint64_t* new_pos) {
  return seek(stream_ptr, TSH_C_SEEK_END, pos, 0, new_pos);
}
