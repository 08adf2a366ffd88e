#include "bench/scratch_dir.h"

#include <ftw.h>
#include <stdio.h>

#include <cstdlib>
#include <stdexcept>
#include <vector>

namespace tsh::bench {

ScratchDir::ScratchDir() {
  const char* base = std::getenv("TEST_TMPDIR");
  if (base == nullptr || *base == '\0') base = std::getenv("TMPDIR");
  if (base == nullptr || *base == '\0') base = "/tmp";
  std::string tmpl = std::string(base) + "/tsh_bench.XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  if (mkdtemp(buf.data()) == nullptr) {
    throw std::runtime_error("mkdtemp failed under " + std::string(base));
  }
  path_ = buf.data();
}

// Not std::filesystem::remove_all: PyTorch 2.11's libtorch.so exports its
// own copy, which jumps to address 0 with Debian 12's libstdc++ (F20).
ScratchDir::~ScratchDir() {
  nftw(
      path_.c_str(), [](const char* p, const struct stat*, int, struct FTW*) { return remove(p); },
      16, FTW_DEPTH | FTW_PHYS);
}

}  // namespace tsh::bench
