// ExtraCopyWrite: a Write that copies every chunk into a freshly allocated
// buffer (fresh anonymous pages) before handing it to the stream it wraps.
//
// What it is for: TEST ONLY. The benchmark binary built with
// -DTSH_BENCH_EXTRA_COPY (//bench:stream_bench_slowed) puts it under the
// bridge's save path to simulate a regression (a needless copy of each chunk)
// so that tools/bench-compare can be shown to catch one. Nothing else uses it.
//
// What it promises: the wrapped stream sees the same bytes, counts, errors
// and flushes as without it. It borrows the inner Write, which must outlive
// it. Allocation failure is Err(OutOfMemory); nothing is thrown.
#ifndef TSH_BENCH_EXTRA_COPY_WRITE_H_
#define TSH_BENCH_EXTRA_COPY_WRITE_H_

#include <cstddef>
#include <cstdint>

#include "bridge/io.h"

namespace tsh::bench {

class ExtraCopyWrite : public Write {
 public:
  explicit ExtraCopyWrite(Write& inner) : inner_(inner) {}

  Result<size_t> write(const uint8_t* buf, size_t n) override;
  Status flush() override { return inner_.flush(); }

 private:
  Write& inner_;
};

}  // namespace tsh::bench

#endif  // TSH_BENCH_EXTRA_COPY_WRITE_H_
