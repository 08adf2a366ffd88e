// ScratchDir: a private temporary directory for the benchmarks' files,
// removed with everything in it when the object is destroyed.
//
// What it promises: path() exists and is empty at construction; it lies
// under $TEST_TMPDIR, else $TMPDIR, else /tmp (page cache backed on these
// machines). Construction throws std::runtime_error if mkdtemp fails; the
// destructor ignores removal errors. One per process is enough.
#ifndef TSH_BENCH_SCRATCH_DIR_H_
#define TSH_BENCH_SCRATCH_DIR_H_

#include <string>

namespace tsh::bench {

class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::string& path() const { return path_; }
  // path()/name.
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace tsh::bench

#endif  // TSH_BENCH_SCRATCH_DIR_H_
