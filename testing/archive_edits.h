// Edits of a valid archive (saved by the bridge) that LibTorch refuses, for
// the tests of what the entry points then report.
//
// WithInvalidCode promises a container as sound as the one it was given
// (every record where it was, each CRC-32 right, so the hardened zip check
// and miniz pass it) whose TorchScript source records (".../code/...py")
// hold text that does not parse: TorchScript's import refuses it, with a
// message of several lines that begins with a blank one. The source's debug
// records (".py.debug_pkl") are renamed away, so that building that message
// cannot follow their ranges into a wild read (FINDINGS.md F16). Empty
// where the archive holds no stored source record. Pure bytes: no LibTorch.
#ifndef TSH_TESTING_ARCHIVE_EDITS_H_
#define TSH_TESTING_ARCHIVE_EDITS_H_

#include <cstdint>
#include <vector>

namespace tsh::test {

std::vector<uint8_t> WithInvalidCode(std::vector<uint8_t> archive);

}  // namespace tsh::test

#endif  // TSH_TESTING_ARCHIVE_EDITS_H_
