#include "bridge/tensor_names.h"

#include <cstdint>
#include <map>

namespace tsh {
namespace {

// Whether `s` is well-formed UTF-8 (what a Rust &str must hold): no stray
// continuation byte, no overlong form, no surrogate, nothing past U+10FFFF.
bool IsUtf8(const std::string& s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<uint8_t>(s[i]);
    size_t n = 0;
    uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if (c >= 0xC2 && c <= 0xDF) {
      n = 1;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 2;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + n >= s.size()) return false;  // Truncated sequence.
    for (size_t k = 1; k <= n; ++k) {
      const auto b = static_cast<uint8_t>(s[i + k]);
      if ((b & 0xC0) != 0x80) return false;
      cp = cp << 6 | (b & 0x3F);
    }
    if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += n + 1;
  }
  return true;
}

// `name` for a message: its first kShown bytes, in quotes, with control
// characters, quotes, backslashes and (in a name that is not UTF-8) bytes
// above 0x7F escaped, so that the message stays one line of text.
std::string Quoted(const std::string& name) {
  constexpr size_t kShown = 40;
  const bool utf8 = IsUtf8(name);
  std::string q = "'";
  for (size_t i = 0; i < name.size() && i < kShown; ++i) {
    const auto c = static_cast<uint8_t>(name[i]);
    if (c == '\\' || c == '\'') {
      q += '\\';
      q += static_cast<char>(c);
    } else if (c == '\n') {
      q += "\\n";
    } else if (c < 0x20 || c == 0x7F || (c >= 0x80 && !utf8)) {
      static constexpr char kHex[] = "0123456789abcdef";
      q += "\\x";
      q += kHex[c >> 4];
      q += kHex[c & 0xF];
    } else {
      q += static_cast<char>(c);
    }
  }
  return q + (name.size() > kShown ? "'..." : "'");
}

Error Refused(const std::string& name, const std::string& why) {
  return Error(ErrorKind::kInvalidInput, "save_multi_to_stream: tensor name " + Quoted(name) +
                                             " " + why);
}

}  // namespace

std::string StoredName(std::string name) {
  for (char& c : name) {
    if (c == '.') c = '|';
  }
  return name;
}

std::string LoadedName(std::string stored) {
  for (char& c : stored) {
    if (c == '|') c = '.';
  }
  return stored;
}

Status CheckNamesRoundTrip(const std::vector<std::string>& names) {
  std::map<std::string, std::string> stored;  // Stored name -> the name given.
  for (const std::string& name : names) {
    if (name.find('|') != std::string::npos) {
      return Refused(name, "holds '|', which tch-rs's loader turns into '.'");
    }
    if (!IsUtf8(name)) {
      return Refused(name, "is not UTF-8: tch-rs's loader panics on it");
    }
    if (name.find_first_of("\n\"\\") != std::string::npos) {
      return Refused(name,
                     "holds a newline, '\"' or '\\', which LibTorch writes unescaped into the "
                     "archive's TorchScript code: it would save, and never load");
    }
    auto [it, inserted] = stored.emplace(StoredName(name), name);
    if (!inserted) {
      return Refused(name, "is stored as " + Quoted(it->first) + " like " + Quoted(it->second) +
                               ": one would overwrite the other");
    }
  }
  return Ok();
}

}  // namespace tsh
