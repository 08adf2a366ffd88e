// Opaque stream pointers for the callbacks of callbacks.h, made from tsh
// streams: what Rust's `Box::into_raw(Box::new(Box<dyn Write>))` is in
// tch-rs.
//
// The caller gives the stream up. The pointer owns it until exactly one call
// of the matching destructor callback frees both; nothing else may free it.
// To lend a stream instead, wrap it in by_ref.h's WriteRef / ReadStreamRef
// (Rust's `&mut W`) and give that up.
#ifndef TSH_BRIDGE_RAW_STREAM_H_
#define TSH_BRIDGE_RAW_STREAM_H_

#include <memory>

#include "bridge/callbacks.h"
#include "bridge/io.h"

namespace tsh {

// A pointer for the write callbacks; null for a null stream.
void* IntoRawWriteStream(std::unique_ptr<Write> stream);

// A pointer for the read callbacks; null for a null stream.
void* IntoRawReadStream(std::unique_ptr<ReadStream> stream);

}  // namespace tsh

#endif  // TSH_BRIDGE_RAW_STREAM_H_
