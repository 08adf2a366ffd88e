// Files of a test: where to put them, and how big they came out.
#ifndef TSH_TESTING_TEMP_FILES_H_
#define TSH_TESTING_TEMP_FILES_H_

#include <cstdint>
#include <string>

namespace tsh::test {

// `name` under the test's own temp folder ($TEST_TMPDIR, else /tmp).
std::string TempPath(const std::string& name);

// The size of the file at `path`; 0 when there is none.
uint64_t FileSize(const std::string& path);

}  // namespace tsh::test

#endif  // TSH_TESTING_TEMP_FILES_H_
