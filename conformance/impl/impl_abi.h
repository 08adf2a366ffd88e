/* The C ABI between the conformance suite and an implementation under test.
 *
 * The suite reaches an implementation of tch-rs's seven callbacks only
 * through C: the callbacks themselves (bridge/callbacks.h) and the two
 * factories below, which wrap a stream the harness provides (a table of C
 * function pointers over a context) into the implementation's own stream
 * object and return the opaque pointer the callbacks take. For the original
 * Rust torch-sys, a shim's factories would box a Rust `Read + Seek` / `Write`
 * that calls these pointers.
 *
 * The implementation's contract is tch-rs's (conformance/README.md has the
 * whole text, call by call):
 * - each callback call on the opaque pointer makes at most one call of the
 *   harness stream: write -> write, read -> read, seek_start -> seek(START),
 *   seek_end -> seek(END), stream_position -> position, or seek(CURRENT, 0)
 *   (what tch-rs's own API makes of it: its ReadSeekAdapter forwards only
 *   read and seek);
 * - the harness's error reaches the callback's result as `false`, and the
 *   out-parameter is written only on success;
 * - the harness's `drop` is called exactly once, when the implementation's
 *   stream is destroyed (by the destructor callback), and no harness
 *   function is called after it;
 * - the factories do not call any harness function.
 * Beyond it, an implementation may declare extras (tsh_impl_features);
 * the suite tests an extra only where it is declared.
 */
#ifndef TSH_CONFORMANCE_IMPL_IMPL_ABI_H_
#define TSH_CONFORMANCE_IMPL_IMPL_ABI_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The kinds of error a harness function reports: Rust's std::io::ErrorKind
 * names, with tsh::ErrorKind's numbers (bridge/result.h; they never
 * change, and conformance/testing/harness_stream.cc asserts they match). */
typedef enum tsh_c_error_kind {
  TSH_C_NOT_FOUND = 0,
  TSH_C_PERMISSION_DENIED = 1,
  TSH_C_INTERRUPTED = 2,
  TSH_C_WOULD_BLOCK = 3,
  TSH_C_UNEXPECTED_EOF = 4,
  TSH_C_WRITE_ZERO = 5,
  TSH_C_INVALID_INPUT = 6,
  TSH_C_INVALID_DATA = 7,
  TSH_C_BROKEN_PIPE = 8,
  TSH_C_UNSUPPORTED = 9,
  TSH_C_OUT_OF_MEMORY = 10,
  TSH_C_OTHER = 11
} tsh_c_error_kind;

/* An error reported by a harness function: a kind (a tsh_c_error_kind
 * value) and a message that stays valid until the next call on the same
 * stream. */
typedef struct tsh_c_error {
  int kind;
  const char* message;
} tsh_c_error;

typedef enum tsh_c_whence {
  TSH_C_SEEK_START = 0, /* offset is a uint64_t carried in `start` */
  TSH_C_SEEK_END = 1,
  TSH_C_SEEK_CURRENT = 2
} tsh_c_whence;

/* A harness stream. Each function returns true on success with its result
 * in the out-parameter, or false with *err filled. Functions a stream does
 * not support are null (a write-only stream has no read). */
typedef struct tsh_c_stream {
  void* ctx;
  bool (*read)(void* ctx, uint8_t* buf, size_t size, size_t* out,
               tsh_c_error* err);
  bool (*write)(void* ctx, const uint8_t* buf, size_t size, size_t* out,
                tsh_c_error* err);
  bool (*flush)(void* ctx, tsh_c_error* err);
  bool (*seek)(void* ctx, tsh_c_whence whence, int64_t offset, uint64_t start,
               uint64_t* out, tsh_c_error* err);
  bool (*position)(void* ctx, uint64_t* out, tsh_c_error* err);
  /* Called exactly once, when the implementation destroys its stream. */
  void (*drop)(void* ctx);
} tsh_c_stream;

/* Wrap `stream` (copied; ctx is borrowed until drop) into the
 * implementation's write / read stream and return the opaque pointer for
 * the callbacks. `stream` is never null. */
void* tsh_impl_new_write_stream(const tsh_c_stream* stream);
void* tsh_impl_new_read_stream(const tsh_c_stream* stream);

/* The extras an implementation may declare, each a bit of
 * tsh_impl_features()'s answer. */
typedef enum tsh_impl_feature {
  /* Null arguments are errors, not undefined behaviour: a null stream or
   * out-parameter pointer, or a null buffer with a non-zero size, makes a
   * callback return false without any harness call; the destructors accept
   * null; the factories return null for a null stream. */
  TSH_IMPL_NULL_ARGUMENTS = 1,
  /* tsh_write_stream_flush and tsh_{write,read}_stream_last_error
   * (bridge/callbacks.h), with the stream's error kinds and messages. */
  TSH_IMPL_EXTENSIONS = 2
} tsh_impl_feature;

/* Optional: the implementation's extras, an OR of tsh_impl_feature bits.
 * An implementation that does not define it declares none. */
uint32_t tsh_impl_features(void);

#ifdef __cplusplus
}
#endif

#endif /* TSH_CONFORMANCE_IMPL_IMPL_ABI_H_ */
