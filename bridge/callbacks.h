// tch-rs's seven stream callbacks, reimplemented in C++ with the same C
// names, argument types and rules, over tsh::Write and tsh::ReadStream.
//
// LibTorch's side (write_adapter.h, read_adapter.h) holds an opaque pointer
// and calls these functions; it never sees the stream type.
//
// This header is the C ABI alone (what LibTorch's side calls); it is shared
// by every implementation. This project's implementation is callbacks.cc,
// whose opaque pointers are made by raw_stream.h.
//
// Ownership. As in tch-rs (`Box::into_raw(Box::new(Box<dyn Write>))`), the
// opaque pointer owns a heap-allocated owner that owns the stream, and is
// freed, stream and owner together, by exactly one call to the matching
// destructor callback. Any other use after that call is undefined, as in
// Rust.
//
// Results. Each operation returns true on success and writes its result
// through the out-parameter. On failure it returns false and leaves the
// out-parameter untouched; the stream's Error is not passed on (tch-rs drops
// it too: its callbacks map every `Err(_)` to false). Short counts are
// successes: `*out_size < size` is legal and passed on as is.
//
// Beyond tch-rs (where Rust would have undefined behaviour): a null stream or
// out-parameter pointer returns false without touching anything; a null
// buffer is accepted only with size 0; an exception thrown by a stream (e.g.
// std::bad_alloc) returns false instead of crossing into C.
//
// Extensions (not in tch-rs; optional for other implementations). The seven
// callbacks answer only true or false, and nothing asks a stream to flush.
// The hardened adapters need both, so this bridge also exports
// tsh_write_stream_flush and tsh_{write,read}_stream_last_error. They are
// declared here as any implementation would define them; code that uses
// them must bind them weakly, so that it still links against an
// implementation without them (stream_failure.cc does, with #pragma weak,
// and the adapters fall back to the bare seven there:
// hardened_write_adapter.h says what is lost). An implementation that has
// them defines them in the same object file as the seven: a weak reference
// does not pull an object out of a static archive.
//
// Language: C11 or C++ (a test compiles this header as C).
//
// Destructor return type. tch-rs's C header declares both destructors as
// returning bool, but the Rust definitions return nothing (`()`); on x86-64
// a caller reading that bool reads a stale register. We declare what the
// definitions return, void, and no caller here reads a result.
#ifndef TSH_BRIDGE_CALLBACKS_H_
#define TSH_BRIDGE_CALLBACKS_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// Frees the write stream and its owner. A null pointer is a no-op.
void tch_write_stream_destructor(void* stream_ptr);

// Write::write(buf[0, size)). On success *out_size is the count accepted.
bool tch_write_stream_write(void* stream_ptr, const uint8_t* buf, size_t size,
                            size_t* out_size);

// Frees the read stream and its owner. A null pointer is a no-op.
void tch_read_stream_destructor(void* stream_ptr);

// Seek::stream_position(). On success *current is the position.
bool tch_read_stream_stream_position(void* stream_ptr, uint64_t* current);

// Seek::seek(SeekFrom::Start(pos)). On success *new_pos is the new position.
bool tch_read_stream_seek_start(void* stream_ptr, uint64_t pos,
                                uint64_t* new_pos);

// Seek::seek(SeekFrom::End(pos)). On success *new_pos is the new position.
bool tch_read_stream_seek_end(void* stream_ptr, int64_t pos, uint64_t* new_pos);

// Read::read(buf[0, size)). On success *read_size is the count read (0 at
// end of file). tch-rs's C header calls this parameter `new_pos`.
bool tch_read_stream_read(void* stream_ptr, uint8_t* buf, size_t size,
                          size_t* read_size);

// Error kinds as the extension reports them: tsh::ErrorKind's values, which
// are fixed numbers (bridge/result.h; conformance/impl/impl_abi.h lists
// them).
typedef int tsh_error_kind;

// Write::flush(). true on success.
bool tsh_write_stream_flush(void* stream_ptr);

// The error of the last failed operation on this stream, if the last
// operation failed: its kind, and a message valid until the next call on the
// stream. false (outputs untouched) when the last operation succeeded.
bool tsh_write_stream_last_error(void* stream_ptr, tsh_error_kind* kind,
                                 const char** message);
bool tsh_read_stream_last_error(void* stream_ptr, tsh_error_kind* kind,
                                const char** message);

#ifdef __cplusplus
}  // extern "C"
#endif

#endif  // TSH_BRIDGE_CALLBACKS_H_
