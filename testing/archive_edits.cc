#include "testing/archive_edits.h"

#include <string>

namespace tsh::test {
namespace {

uint32_t Le(const std::vector<uint8_t>& b, size_t at, int width) {
  uint32_t v = 0;
  for (int i = width - 1; i >= 0; --i) v = v << 8 | b[at + i];
  return v;
}

void PutLe32(std::vector<uint8_t>& b, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) b[at + i] = static_cast<uint8_t>(v >> (8 * i));
}

uint32_t Crc32(const uint8_t* p, size_t n) {
  uint32_t crc = 0xFFFFFFFFu;
  for (size_t i = 0; i < n; ++i) {
    crc ^= p[i];
    for (int k = 0; k < 8; ++k) crc = crc >> 1 ^ (0xEDB88320u & (0u - (crc & 1)));
  }
  return ~crc;
}

bool EndsWith(const std::string& s, const std::string& end) {
  return s.size() >= end.size() && s.compare(s.size() - end.size(), end.size(), end) == 0;
}

}  // namespace

std::vector<uint8_t> WithInvalidCode(std::vector<uint8_t> b) {
  // The end of central directory record: 22 bytes, no comment (LibTorch
  // writes none).
  if (b.size() < 22 || Le(b, b.size() - 22, 4) != 0x06054b50) return {};
  const size_t entries = Le(b, b.size() - 22 + 10, 2);
  size_t at = Le(b, b.size() - 22 + 16, 4);
  bool edited = false;
  for (size_t i = 0; i < entries; ++i) {
    if (at + 46 > b.size() || Le(b, at, 4) != 0x02014b50) return {};
    const size_t name_len = Le(b, at + 28, 2);
    const size_t local = Le(b, at + 42, 4);
    if (at + 46 + name_len > b.size() || local + 30 > b.size()) return {};
    const std::string name(b.begin() + at + 46, b.begin() + at + 46 + name_len);
    const size_t local_name = local + 30;
    const size_t data = local_name + Le(b, local + 26, 2) + Le(b, local + 28, 2);
    const size_t size = Le(b, at + 20, 4);
    if (EndsWith(name, ".py.debug_pkl")) {
      // Not found by that name, the record is not read.
      b[at + 46 + name_len - 1] = 'x';
      b[local_name + name_len - 1] = 'x';
    } else if (EndsWith(name, ".py") && name.find("/code/") != std::string::npos &&
               Le(b, at + 10, 2) == 0 && data + size <= b.size()) {
      const std::string text = "this is ( not TorchScript\n";
      for (size_t k = 0; k < size; ++k) b[data + k] = static_cast<uint8_t>(text[k % text.size()]);
      const uint32_t crc = Crc32(b.data() + data, size);
      PutLe32(b, at + 16, crc);
      PutLe32(b, local + 14, crc);
      edited = true;
    }
    at += 46 + name_len + Le(b, at + 30, 2) + Le(b, at + 32, 2);
  }
  if (!edited) return {};
  return b;
}

}  // namespace tsh::test
