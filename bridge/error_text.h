// The text of every error the C entry points return (torch_api.h): a first
// line a log can show alone, then whatever else the failure said.
//
// ErrorText(operation, function, text) returns
//   "<operation>: <function>: <line>[\n<rest>]"   (function given: LibTorch's)
//   "<operation>: <line>[\n<rest>]"               (function empty)
// where <line> is text's first line that is not blank, trimmed of the
// whitespace around it, and <rest> is all of text after that line's break,
// unchanged. It promises:
// - the first line is one line, not empty, without leading or trailing
//   whitespace, and starts with "<operation>: ";
// - where text has no line that is not blank, the first line says so
//   ("LibTorch gave no message" with a function, "no message" without);
// - without a function, a line that already starts with "<operation>: "
//   is not prefixed again (the entry points' own argument errors);
// - nothing is dropped but the blank lines before <line>, the whitespace
//   around it, and a <rest> that is blank (then there is no '\n').
// Lines end at '\n'; a "\r\n" ends one too (its '\r' is trailing
// whitespace). Pure: no LibTorch, nothing thrown.
#ifndef TSH_BRIDGE_ERROR_TEXT_H_
#define TSH_BRIDGE_ERROR_TEXT_H_

#include <string>
#include <string_view>

namespace tsh {

std::string ErrorText(std::string_view operation, std::string_view function,
                      std::string_view text);

}  // namespace tsh

#endif  // TSH_BRIDGE_ERROR_TEXT_H_
