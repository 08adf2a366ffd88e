// The names of a named save (at_save_multi_to_stream), as tch-rs stores
// them, and the ones the hardened save refuses because they would not come
// back.
//
// tch-rs stores each name with '.' replaced by '|' (LibTorch's module
// attributes cannot hold a dot) and its loader turns every '|' back into
// '.', then makes a Rust `&str` of the name with `to_str().unwrap()`. So,
// measured on 1.13 and 2.11 (//conformance/roundtrip:names_roundtrip_test):
// two names that are equal once stored (`w` twice, or `a.b` and `a|b`)
// save without an error and load as one tensor, the last (FINDINGS.md
// F24); a name holding '|' loads with '.' in its place; a name that is not
// UTF-8 saves and loads, and tch-rs's loader panics on it inside an
// extern "C" callback; a name holding a newline, '"' or '\\' saves, and the
// archive never loads: LibTorch writes the name unescaped into a string in
// the archive's TorchScript code (FINDINGS.md F25). Empty names and 64 KiB
// names round-trip.
//
// CheckNamesRoundTrip is what the hardened save checks first: Ok() when
// every name comes back as given, else InvalidInput naming the first name
// that would not (and why). Nothing here throws.
#ifndef TSH_BRIDGE_TENSOR_NAMES_H_
#define TSH_BRIDGE_TENSOR_NAMES_H_

#include <string>
#include <vector>

#include "bridge/result.h"

namespace tsh {

// `name` as tch-rs stores it: every '.' replaced by '|'.
std::string StoredName(std::string name);

// `stored` as tch-rs's loader reports it: every '|' replaced by '.'.
std::string LoadedName(std::string stored);

Status CheckNamesRoundTrip(const std::vector<std::string>& names);

}  // namespace tsh

#endif  // TSH_BRIDGE_TENSOR_NAMES_H_
