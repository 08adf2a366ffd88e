#include "bench/extra_copy_write.h"

#include <sys/mman.h>

#include <cstring>

namespace tsh::bench {

Result<size_t> ExtraCopyWrite::write(const uint8_t* buf, size_t n) {
  if (n == 0) return inner_.write(buf, n);
  // Fresh pages for every chunk, as a careless adapter's allocator might
  // hand out: the copy pays the page faults as well as the memcpy.
  void* p = mmap(nullptr, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) {
    return Error(ErrorKind::kOutOfMemory, "ExtraCopyWrite: out of memory");
  }
  std::memcpy(p, buf, n);
  Result<size_t> r = inner_.write(static_cast<const uint8_t*>(p), n);
  munmap(p, n);
  return r;
}

}  // namespace tsh::bench
