#include "bridge/zip_check.h"

#include <algorithm>
#include <string>
#include <vector>

namespace tsh {
namespace {

constexpr uint32_t kLocalSig = 0x04034b50;
constexpr uint32_t kCentralSig = 0x02014b50;
constexpr uint32_t kEocdSig = 0x06054b50;
constexpr uint32_t kZip64EocdSig = 0x06064b50;
constexpr uint32_t kZip64LocatorSig = 0x07064b50;
constexpr size_t kEocdSize = 22;
constexpr size_t kZip64EocdSize = 56;
constexpr size_t kZip64LocatorSize = 20;
constexpr size_t kCentralSize = 46;
constexpr size_t kLocalSize = 30;
constexpr size_t kMaxComment = 65535;
// The most one call of read_at asks for.
constexpr size_t kMaxRead = kEocdSize + kMaxComment;
// Deflate cannot expand a byte into more than about 1032 (258-byte matches
// of a 1-bit code); a larger stated size is a lie LibTorch would allocate.
constexpr uint64_t kMaxDeflateRatio = 1032;

uint16_t U16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | p[1] << 8); }
uint32_t U32(const uint8_t* p) { return U16(p) | static_cast<uint32_t>(U16(p + 2)) << 16; }
uint64_t U64(const uint8_t* p) { return U32(p) | static_cast<uint64_t>(U32(p + 4)) << 32; }

Error Bad(const std::string& what, uint64_t offset) {
  return Error(ErrorKind::kInvalidData,
               "zip check: " + what + " (offset " + std::to_string(offset) + ")");
}

// Reads exactly n bytes at pos, which the caller has checked lie inside.
bool ReadAt(const ZipReadAt& read_at, uint64_t pos, uint8_t* buf, size_t n) {
  return read_at(pos, buf, n) == n;
}

// [off, off + len) inside [0, limit), without overflow.
bool Inside(uint64_t off, uint64_t len, uint64_t limit) {
  return off <= limit && len <= limit - off;
}

struct Directory {
  uint64_t entries = 0;
  uint64_t size = 0;
  uint64_t offset = 0;
  uint64_t end = 0;  // Where the records after the directory begin.
};

// Sizes and offset of an entry, zip64 extra field applied where a 32-bit
// field is saturated.
struct Entry {
  uint64_t compressed = 0;
  uint64_t uncompressed = 0;
  uint64_t local_offset = 0;
};

Status ApplyZip64Extra(const uint8_t* extra, size_t len, Entry* e, uint64_t at) {
  const bool need[3] = {e->uncompressed == 0xFFFFFFFF, e->compressed == 0xFFFFFFFF,
                        e->local_offset == 0xFFFFFFFF};
  if (!need[0] && !need[1] && !need[2]) return Ok();
  size_t i = 0;
  while (i + 4 <= len) {
    const uint16_t id = U16(extra + i);
    const uint16_t n = U16(extra + i + 2);
    if (i + 4 + n > len) break;
    if (id == 0x0001) {
      const uint8_t* p = extra + i + 4;
      size_t left = n;
      uint64_t* fields[3] = {&e->uncompressed, &e->compressed, &e->local_offset};
      for (int k = 0; k < 3; ++k) {
        if (!need[k]) continue;
        if (left < 8) return Bad("zip64 extra field too short", at);
        *fields[k] = U64(p);
        p += 8;
        left -= 8;
      }
      return Ok();
    }
    i += 4 + n;
  }
  return Bad("saturated size or offset without a zip64 extra field", at);
}

Result<Directory> FindDirectory(const ZipReadAt& read_at, uint64_t size) {
  if (size < kEocdSize) return Bad("stream too small for an end of central directory", 0);
  // LibTorch writes no comment, so its archives end with the record: read
  // those 22 bytes first, and the whole tail a comment may hide it in only
  // if they are not the record (the answer is the same either way).
  size_t tail_len = kEocdSize;
  uint64_t tail_at = size - tail_len;
  uint8_t last[kEocdSize];
  std::vector<uint8_t> comment_tail;
  const uint8_t* tail = last;
  if (!ReadAt(read_at, tail_at, last, tail_len)) return Bad("short read of the tail", tail_at);
  if (U32(last) != kEocdSig || U16(last + 20) != 0) {
    tail_len = static_cast<size_t>(std::min<uint64_t>(size, kEocdSize + kMaxComment));
    tail_at = size - tail_len;
    comment_tail.resize(tail_len);
    tail = comment_tail.data();
    if (!ReadAt(read_at, tail_at, comment_tail.data(), tail_len)) {
      return Bad("short read of the tail", tail_at);
    }
  }
  // The last signature whose comment ends exactly at the end of the stream.
  size_t i = tail_len - kEocdSize + 1;
  bool found = false;
  while (i-- > 0) {
    if (U32(tail + i) == kEocdSig && i + kEocdSize + U16(tail + i + 20) == tail_len) {
      found = true;
      break;
    }
  }
  if (!found) return Bad("no end of central directory record", tail_at);
  const uint8_t* r = tail + i;
  const uint64_t eocd_at = tail_at + i;
  Directory d;
  uint64_t disk = U16(r + 4), cd_disk = U16(r + 6), on_disk = U16(r + 8);
  d.entries = U16(r + 10);
  d.size = U32(r + 12);
  d.offset = U32(r + 16);
  d.end = eocd_at;
  const bool zip64 = on_disk == 0xFFFF || d.entries == 0xFFFF || d.size == 0xFFFFFFFF ||
                     d.offset == 0xFFFFFFFF;
  if (zip64) {
    if (eocd_at < kZip64LocatorSize) return Bad("no room for a zip64 locator", eocd_at);
    uint8_t loc[kZip64LocatorSize];
    const uint64_t loc_at = eocd_at - kZip64LocatorSize;
    if (!ReadAt(read_at, loc_at, loc, sizeof loc)) return Bad("short read of the zip64 locator", loc_at);
    if (U32(loc) != kZip64LocatorSig) return Bad("missing zip64 locator", loc_at);
    const uint64_t z_at = U64(loc + 8);
    if (U32(loc + 4) != 0 || U32(loc + 16) > 1) return Bad("multi-disk zip64 archive", loc_at);
    if (!Inside(z_at, kZip64EocdSize, loc_at)) return Bad("zip64 end of central directory out of bounds", loc_at);
    uint8_t z[kZip64EocdSize];
    if (!ReadAt(read_at, z_at, z, sizeof z)) return Bad("short read of the zip64 record", z_at);
    if (U32(z) != kZip64EocdSig) return Bad("bad zip64 end of central directory signature", z_at);
    disk = U32(z + 16);
    cd_disk = U32(z + 20);
    on_disk = U64(z + 24);
    d.entries = U64(z + 32);
    d.size = U64(z + 40);
    d.offset = U64(z + 48);
    d.end = z_at;
  }
  if (disk != 0 || cd_disk != 0) return Bad("multi-disk archive", eocd_at);
  if (on_disk != d.entries) return Bad("entry counts disagree", eocd_at);
  if (d.entries == 0) return Bad("no entries", eocd_at);
  if (d.entries > kMaxZipEntries || d.entries > d.size / kCentralSize) {
    return Bad("more entries than the central directory can hold", eocd_at);
  }
  if (!Inside(d.offset, d.size, d.end)) return Bad("central directory out of bounds", eocd_at);
  return d;
}

// Whether the end record at the end of [0, end) closes an archive that
// starts at byte 0: the offsets it states, which count from the archive's
// start, must be where the records physically are. Its directory ends where
// the records after it begin: the zip64 end record, where a zip64 locator
// precedes the end record (LibTorch always writes one), which must itself
// end at the locator; else the end record.
bool ArchiveEndsAt(const ZipReadAt& read_at, uint64_t end) {
  Result<Directory> found = FindDirectory(read_at, end);
  if (!found.ok()) return false;
  const Directory& d = found.value();
  uint64_t after = d.end;
  uint8_t loc[kZip64LocatorSize];
  if (d.end >= kZip64LocatorSize && ReadAt(read_at, d.end - kZip64LocatorSize, loc, sizeof loc) &&
      U32(loc) == kZip64LocatorSig) {
    const uint64_t loc_at = d.end - kZip64LocatorSize;
    const uint64_t z_at = U64(loc + 8);
    uint8_t z[12];
    if (!Inside(z_at, sizeof z, loc_at) || !ReadAt(read_at, z_at, z, sizeof z) ||
        U32(z) != kZip64EocdSig || U64(z + 4) != loc_at - z_at - sizeof z) {
      return false;
    }
    after = z_at;
  }
  return d.offset + d.size == after;
}

}  // namespace

uint64_t ZipArchiveLength(const ZipReadAt& read_at, uint64_t size) {
  if (ArchiveEndsAt(read_at, size)) return size;
  // Maybe the stream goes on after the archive: look for the first end
  // record, from the start, that closes an archive starting at byte 0.
  // LibTorch's local headers defer their sizes to data descriptors, so the
  // records cannot be skipped over; the bytes are scanned, in chunks that
  // overlap by a signature's length.
  constexpr size_t kChunk = 64 * 1024;
  std::vector<uint8_t> chunk(kChunk);
  for (uint64_t at = 0; at + kEocdSize <= size; at += kChunk - 3) {
    const size_t n =
        read_at(at, chunk.data(), static_cast<size_t>(std::min<uint64_t>(kChunk, size - at)));
    for (size_t i = 0; i + 4 <= n; ++i) {
      if (U32(&chunk[i]) != kEocdSig || at + i + kEocdSize > size) continue;
      uint8_t eocd[kEocdSize];
      if (!ReadAt(read_at, at + i, eocd, sizeof eocd)) continue;
      const uint64_t end = at + i + kEocdSize + U16(eocd + 20);
      if (end <= size && ArchiveEndsAt(read_at, end)) return end;
    }
    if (n < kChunk) break;
  }
  return size;  // One archive, not laid out as LibTorch writes, or none.
}

Status CheckZipStructure(const ZipReadAt& read_at, uint64_t size) {
  Result<Directory> found = FindDirectory(read_at, size);
  if (!found.ok()) return found.error();
  const Directory& d = found.value();
  const uint64_t cd_end = d.offset + d.size;
  // A directory up to kMaxRead is read at once (one call instead of two an
  // entry); a larger one entry by entry.
  const bool whole = d.size <= kMaxRead;
  std::vector<uint8_t> directory;
  if (whole) {
    directory.resize(static_cast<size_t>(d.size));
    if (!ReadAt(read_at, d.offset, directory.data(), directory.size())) {
      return Bad("short read of the central directory", d.offset);
    }
  }
  // [at, at + n) of the directory, which the caller has checked lies inside.
  std::vector<uint8_t> scratch;
  auto directory_bytes = [&](uint64_t at, size_t n) -> const uint8_t* {
    if (whole) return directory.data() + (at - d.offset);
    scratch.resize(n);  // n > 0: an entry has a name.
    return ReadAt(read_at, at, scratch.data(), n) ? scratch.data() : nullptr;
  };
  uint64_t at = d.offset;
  for (uint64_t k = 0; k < d.entries; ++k) {
    if (!Inside(at, kCentralSize, cd_end)) return Bad("central directory entry out of bounds", at);
    const uint8_t* h = directory_bytes(at, kCentralSize);
    if (h == nullptr) return Bad("short read of a central directory entry", at);
    if (U32(h) != kCentralSig) return Bad("bad central directory entry signature", at);
    const uint16_t method = U16(h + 10);
    const size_t name_len = U16(h + 28), extra_len = U16(h + 30), comment_len = U16(h + 32);
    const size_t var_len = name_len + extra_len + comment_len;
    if (!Inside(at + kCentralSize, var_len, cd_end)) return Bad("central directory entry overruns the directory", at);
    if (name_len == 0) return Bad("empty entry name", at);
    if (method != 0 && method != 8) return Bad("unsupported compression method", at);
    Entry e{U32(h + 20), U32(h + 24), U32(h + 42)};
    const uint8_t* var = directory_bytes(at + kCentralSize, var_len);
    if (var == nullptr) return Bad("short read of an entry name", at);
    Status z64 = ApplyZip64Extra(var + name_len, extra_len, &e, at);
    if (!z64.ok()) return z64;
    if (method == 0 && e.compressed != e.uncompressed) return Bad("stored entry with two sizes", at);
    if (method == 8 && e.uncompressed / kMaxDeflateRatio > e.compressed) {
      return Bad("deflated entry larger than deflate can expand", at);
    }
    uint8_t l[kLocalSize];
    if (!Inside(e.local_offset, kLocalSize, d.offset)) return Bad("local header out of bounds", at);
    if (!ReadAt(read_at, e.local_offset, l, sizeof l)) return Bad("short read of a local header", e.local_offset);
    if (U32(l) != kLocalSig) return Bad("bad local header signature", e.local_offset);
    const uint64_t data_at = e.local_offset + kLocalSize + U16(l + 26) + U16(l + 28);
    if (!Inside(data_at, e.compressed, d.offset)) return Bad("entry data out of bounds", e.local_offset);
    at += kCentralSize + var_len;
  }
  return Ok();
}

}  // namespace tsh
