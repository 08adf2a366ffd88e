#include "fuzz/zip_fields.h"

namespace tsh::fuzz {
namespace {

uint32_t U16(const uint8_t* p) { return p[0] | p[1] << 8; }
uint32_t U32(const uint8_t* p) { return U16(p) | U16(p + 2) << 16; }

void Int(std::vector<ZipField>* out, size_t at, size_t width) {
  out->push_back({ZipField::Kind::kInteger, at, width});
}

}  // namespace

std::vector<ZipField> FindZipFields(const uint8_t* data, size_t size) {
  std::vector<ZipField> out;
  if (size < 22) return out;
  size_t eocd = size - 22 + 1;
  bool found = false;
  while (eocd-- > 0 && size - eocd <= 22 + 65535) {
    if (U32(data + eocd) == 0x06054b50) {
      found = true;
      break;
    }
  }
  if (!found) return out;
  for (size_t at : {8, 10, 20}) Int(&out, eocd + at, 2);  // Counts, comment length.
  for (size_t at : {12, 16}) Int(&out, eocd + at, 4);     // Directory size, offset.
  size_t at = U32(data + eocd + 16);
  const size_t entries = U16(data + eocd + 10);
  for (size_t k = 0; k < entries && at <= size && size - at >= 46; ++k) {
    const uint8_t* h = data + at;
    if (U32(h) != 0x02014b50) break;
    Int(&out, at + 10, 2);                                   // Method.
    for (size_t f : {20, 24, 42}) Int(&out, at + f, 4);      // Sizes, local offset.
    for (size_t f : {28, 30, 32}) Int(&out, at + f, 2);      // Name, extra, comment lengths.
    const size_t name_len = U16(h + 28);
    if (name_len > 0 && size - at - 46 >= name_len) {
      out.push_back({ZipField::Kind::kName, at + 46, name_len});
    }
    const size_t local = U32(h + 42);
    if (local <= size && size - local >= 30 && U32(data + local) == 0x04034b50) {
      for (size_t f : {18, 22}) Int(&out, local + f, 4);     // Sizes.
      for (size_t f : {26, 28}) Int(&out, local + f, 2);     // Name, extra lengths.
    }
    at += 46 + name_len + U16(h + 30) + U16(h + 32);
  }
  return out;
}

}  // namespace tsh::fuzz
