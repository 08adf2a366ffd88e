#include "bridge/error_text.h"

namespace tsh {
namespace {

constexpr std::string_view kWhitespace = " \t\r\n\v\f";

std::string_view Trim(std::string_view s) {
  const size_t begin = s.find_first_not_of(kWhitespace);
  if (begin == std::string_view::npos) return {};
  return s.substr(begin, s.find_last_not_of(kWhitespace) + 1 - begin);
}

}  // namespace

std::string ErrorText(std::string_view operation, std::string_view function,
                      std::string_view text) {
  std::string_view line;
  std::string_view rest;
  for (size_t begin = 0; line.empty() && begin <= text.size();) {
    const size_t end = text.find('\n', begin);
    line = Trim(text.substr(begin, end == std::string_view::npos ? end : end - begin));
    rest = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    begin = end == std::string_view::npos ? text.size() + 1 : end + 1;
  }
  std::string prefix = std::string(operation) + ": ";
  std::string out;
  if (!function.empty()) {
    out = prefix + std::string(function) + ": ";
    out += line.empty() ? std::string_view("LibTorch gave no message") : line;
  } else if (line.empty()) {
    out = prefix + "no message";
  } else {
    out = line.substr(0, prefix.size()) == prefix ? "" : prefix;
    out += line;
  }
  if (!Trim(rest).empty()) {
    out += '\n';
    out += rest;
  }
  return out;
}

}  // namespace tsh
