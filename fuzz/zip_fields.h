// Where the fields of a zip container lie in a byte buffer: the records the
// archive_fuzzer's structure-aware mutator edits (offsets, sizes, counts,
// name lengths, names).
//
// Parsing is best effort and never reads outside the buffer: records whose
// bounds do not fit are skipped, so a malformed zip yields fewer fields
// (possibly none).
#ifndef TSH_FUZZ_ZIP_FIELDS_H_
#define TSH_FUZZ_ZIP_FIELDS_H_

#include <cstddef>
#include <cstdint>
#include <vector>

namespace tsh::fuzz {

struct ZipField {
  enum class Kind { kInteger, kName };
  Kind kind = Kind::kInteger;
  size_t offset = 0;  // In the buffer.
  size_t width = 0;   // 2, 4 or 8 bytes (little-endian) for integers.
};

// The fields of the end-of-central-directory record, of each central
// directory entry and of each local header it points to.
std::vector<ZipField> FindZipFields(const uint8_t* data, size_t size);

}  // namespace tsh::fuzz

#endif  // TSH_FUZZ_ZIP_FIELDS_H_
