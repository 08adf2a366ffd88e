#include "conformance/testing/error_line.h"

#include <cctype>
#include <cstdio>

namespace tsh::test {
namespace {

// `line` in quotes, its control characters as \xNN, cut at 200 bytes.
std::string Quoted(const std::string& line) {
  std::string out = "\"";
  for (size_t i = 0; i < line.size() && i < 200; ++i) {
    const unsigned char c = static_cast<unsigned char>(line[i]);
    if (std::iscntrl(c)) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", c);
      out += hex;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + (line.size() > 200 ? "...\"" : "\"");
}

}  // namespace

std::optional<std::string> ErrorLineProblem(const std::string& message, Entry e,
                                            ErrorOrigin origin) {
  const std::string line = message.substr(0, message.find('\n'));
  const std::string prefix = std::string(CName(e)) + ": ";
  auto problem = [&](const std::string& what) {
    return std::string("the first line of the error ") + what + ": " + Quoted(line);
  };
  if (line.empty()) return problem("is empty");
  if (std::isspace(static_cast<unsigned char>(line.front())) ||
      std::isspace(static_cast<unsigned char>(line.back()))) {
    return problem("has whitespace at an end");
  }
  if (line.compare(0, prefix.size(), prefix) != 0) {
    return problem("does not start with \"" + prefix + "\"");
  }
  if (origin == ErrorOrigin::kCallback && line.find("tch_read_stream_") == std::string::npos &&
      line.find("tch_write_stream_") == std::string::npos &&
      line.find("tsh_write_stream_flush") == std::string::npos) {
    return problem("names no callback, though one failed");
  }
  return std::nullopt;
}

}  // namespace tsh::test
