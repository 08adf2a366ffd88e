/* tch-rs's stock stream callbacks, modelled call for call in C11: what
 * torch-sys's `io.rs` does (unchanged since 2022) over a read stream boxed
 * in tch's `ReadSeekAdapter`, as every tch load boxes it (FINDINGS.md F22).
 *
 * Each callback makes the one harness call its Rust makes: write -> write,
 * read -> read, seek_start / seek_end -> seek, and stream_position ->
 * seek(CURRENT, 0) (the adapter forwards read and seek only, so Seek's
 * provided stream_position is a seek). The out-parameter is written only on
 * success; every harness error becomes a bare `false`, its kind dropped
 * (`Err(_) => false`). The destructor drops the harness stream once, as
 * dropping the `Box<Box<dyn Write>>` drops the user's stream. No extension
 * (tsh_impl_features is not defined), and nothing is checked: the pointers
 * are used as Rust uses them.
 *
 * Two builds, as a crate using tch is built:
 * - release (the default): a null stream or out-parameter is dereferenced,
 *   and a null buffer is passed on, as Rust's release code does with them;
 * - debug (TSH_STOCK_DEBUG: Rust's debug assertions, the profile of `cargo
 *   build` and `cargo test`, Rust >= 1.86): what Rust checks there aborts
 *   the process, with Rust's message, before the harness is called: a slice
 *   made of a null pointer (whatever its size) or longer than isize::MAX
 *   (`slice::from_raw_parts`, since 1.78), `Box::from_raw` of a null
 *   pointer, and a null pointer dereferenced (since 1.86). A panic cannot
 *   unwind out of an `extern "C"` function, so each is SIGABRT.
 * It shares no code with the other implementations (plain_c.c looks much
 * the same): each is judged on its own. */
#include <stdint.h>
#include <stdlib.h>

#include "bridge/callbacks.h"
#include "conformance/impl/impl_abi.h"

#ifdef TSH_STOCK_DEBUG
#include <stdio.h>

/* Rust's abort on a failed debug check: its message, then SIGABRT. */
static void rust_abort(const char* what) {
  fprintf(stderr, "stock_debug: %s\nthread caused non-unwinding panic. aborting.\n", what);
  abort();
}
#endif

/* `*p` (stream or out-parameter), as Rust dereferences it. */
static void check_deref(const void* p) {
#ifdef TSH_STOCK_DEBUG
  if (p == NULL) rust_abort("null pointer dereference occurred");
#else
  (void)p;
#endif
}

/* `slice::from_raw_parts(buf, size)`. */
static void check_slice(const void* buf, size_t size) {
#ifdef TSH_STOCK_DEBUG
  if (buf == NULL || size > (size_t)PTRDIFF_MAX) {
    rust_abort(
        "unsafe precondition(s) violated: slice::from_raw_parts requires the pointer to "
        "be aligned and non-null, and the total size of the slice not to exceed "
        "`isize::MAX`");
  }
#else
  (void)buf;
  (void)size;
#endif
}

/* `Box::from_raw(stream_ptr)`. */
static void check_box(const void* p) {
#ifdef TSH_STOCK_DEBUG
  if (p == NULL) {
    rust_abort(
        "unsafe precondition(s) violated: NonNull::new_unchecked requires that the pointer "
        "is non-null");
  }
#else
  (void)p;
#endif
}

/* What the opaque pointer owns: tch-rs's outer Box, here a heap copy of the
 * harness's table. */
static void* new_stream(const tsh_c_stream* stream) {
  tsh_c_stream* copy = malloc(sizeof *copy);
  if (copy != NULL) *copy = *stream;
  return copy;
}

void* tsh_impl_new_write_stream(const tsh_c_stream* stream) { return new_stream(stream); }

void* tsh_impl_new_read_stream(const tsh_c_stream* stream) { return new_stream(stream); }

static void destroy(void* stream_ptr) {
  check_box(stream_ptr);
  tsh_c_stream* s = stream_ptr;
  s->drop(s->ctx);
  free(s);
}

void tch_write_stream_destructor(void* stream_ptr) { destroy(stream_ptr); }

void tch_read_stream_destructor(void* stream_ptr) { destroy(stream_ptr); }

bool tch_write_stream_write(void* stream_ptr, const uint8_t* buf, size_t size,
                            size_t* out_size) {
  check_slice(buf, size);
  check_deref(stream_ptr);
  tsh_c_stream* s = stream_ptr;
  size_t n = 0;
  tsh_c_error err = {0, NULL};
  if (!s->write(s->ctx, buf, size, &n, &err)) return false;
  check_deref(out_size);
  *out_size = n;
  return true;
}

bool tch_read_stream_read(void* stream_ptr, uint8_t* buf, size_t size, size_t* read_size) {
  check_slice(buf, size);
  check_deref(stream_ptr);
  tsh_c_stream* s = stream_ptr;
  size_t n = 0;
  tsh_c_error err = {0, NULL};
  if (!s->read(s->ctx, buf, size, &n, &err)) return false;
  check_deref(read_size);
  *read_size = n;
  return true;
}

static bool seek(void* stream_ptr, tsh_c_whence whence, int64_t offset, uint64_t start,
                 uint64_t* new_pos) {
  check_deref(stream_ptr);
  tsh_c_stream* s = stream_ptr;
  uint64_t pos = 0;
  tsh_c_error err = {0, NULL};
  if (!s->seek(s->ctx, whence, offset, start, &pos, &err)) return false;
  check_deref(new_pos);
  *new_pos = pos;
  return true;
}

/* ReadSeekAdapter: Seek::stream_position's default, seek(Current(0)). */
bool tch_read_stream_stream_position(void* stream_ptr, uint64_t* current) {
  return seek(stream_ptr, TSH_C_SEEK_CURRENT, 0, 0, current);
}

bool tch_read_stream_seek_start(void* stream_ptr, uint64_t pos, uint64_t* new_pos) {
  return seek(stream_ptr, TSH_C_SEEK_START, 0, pos, new_pos);
}

bool tch_read_stream_seek_end(void* stream_ptr, int64_t pos, uint64_t* new_pos) {
  return seek(stream_ptr, TSH_C_SEEK_END, pos, 0, new_pos);
}
