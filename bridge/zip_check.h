// A cheap structural check of a zip container (what LibTorch's archives
// are), run by the hardened load before LibTorch parses the bytes.
//
// Why: LibTorch 1.13's reader (miniz plus PyTorchStreamReader) trusts the
// offsets and sizes a zip states; malformed archives make it leak, read out
// of bounds and crash (SIGSEGV inside libtorch_cpu; testdata/crashes/
// archive_fuzzer/). This check refuses such containers with a clean error.
//
// What it promises: CheckZipStructure returns Ok() only if
// - the end-of-central-directory record (EOCD) is found in the last
//   22 + 65535 bytes, with its comment inside the stream; where it points to
//   a zip64 EOCD (through the zip64 locator), that record is read instead;
// - the archive is on one disk, its two entry counts agree, it has at least
//   one entry and no more than the central directory can hold (46 bytes an
//   entry) or kMaxZipEntries;
// - the central directory lies inside the stream before the EOCD, and each
//   of its entries (signature, name, extra field, comment) lies inside it;
// - each entry's local header (signature, name, extra field) and its data
//   (compressed size, zip64 extra field honoured) lie inside the stream
//   before the central directory, with a non-empty name, method stored (0)
//   or deflate (8), and, when stored, equal compressed and uncompressed
//   sizes; when deflated, an uncompressed size within deflate's maximum
//   expansion (1032:1) of the compressed one (LibTorch allocates the stated
//   size before inflating: testdata/crashes/archive_fuzzer/).
// Otherwise it returns Err(InvalidData) whose message names the first
// violated rule and its offset. It checks structure only: it does not
// decompress, verify CRCs, or look inside the records LibTorch reads.
//
// Reads go through `read_at(pos, buf, n)`, which must return the number of
// bytes placed in buf (fewer only at the end of the stream); each call asks
// for at most 64 KiB + 22 bytes. The check reads the end records, the
// central directory in one call (entry by entry if it is larger than
// that) and each entry's local header. An exception thrown by read_at (the
// hardened read adapter's StreamFailure) propagates unchanged. `size` is
// the stream's size.
#ifndef TSH_BRIDGE_ZIP_CHECK_H_
#define TSH_BRIDGE_ZIP_CHECK_H_

#include <cstddef>
#include <cstdint>
#include <functional>

#include "bridge/result.h"

namespace tsh {

using ZipReadAt = std::function<size_t(uint64_t pos, void* buf, size_t n)>;

inline constexpr uint64_t kMaxZipEntries = uint64_t{1} << 20;

Status CheckZipStructure(const ZipReadAt& read_at, uint64_t size);

// The length of the zip archive that starts at byte 0 of a stream of `size`
// bytes, which may go on after it (another archive, say). `size` when the
// end-of-central-directory record at the stream's end closes an archive
// starting at 0 (the offsets it states are where the records are: its
// directory ends where the records after it begin). Else the end of the
// first end record, scanning from byte 0, that does; the scan reads the
// archive once more (its local headers defer their sizes, so its records
// cannot be skipped), and a stream holding one archive as LibTorch writes
// it is never scanned. `size` again when none does: the stream holds one
// archive laid out otherwise, or none, and CheckZipStructure judges it.
// Reads as CheckZipStructure does.
uint64_t ZipArchiveLength(const ZipReadAt& read_at, uint64_t size);

}  // namespace tsh

#endif  // TSH_BRIDGE_ZIP_CHECK_H_
