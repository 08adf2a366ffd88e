// ProbeStream: records what the implementation under test asked the harness
// stream for, then forwards the call unchanged.
//
// Placed between the HarnessStream and the stream that answers (a Cursor,
// possibly under a FaultStream), it lets a test assert that an
// implementation passed a size or seek offset through exactly, even where
// the answering stream only touches a few bytes of it (a FaultStream Limit
// cuts a SIZE_MAX read to what the test's buffer holds). Owns `inner`.
#ifndef TSH_CONFORMANCE_CALLBACKS_PROBE_STREAM_H_
#define TSH_CONFORMANCE_CALLBACKS_PROBE_STREAM_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "bridge/fault_stream.h"
#include "bridge/io.h"

namespace tsh::test {

struct ProbedCall {
  Op op;
  size_t size = 0;                     // read, write: the byte count asked.
  SeekFrom seek = SeekFrom::Start(0);  // seek: where to.
};

class ProbeStream : public Stream {
 public:
  explicit ProbeStream(std::unique_ptr<Stream> inner) : inner_(std::move(inner)) {}

  Result<size_t> read(uint8_t* buf, size_t n) override;
  Result<size_t> write(const uint8_t* buf, size_t n) override;
  Status flush() override;
  Result<uint64_t> seek(SeekFrom pos) override;
  Result<uint64_t> stream_position() override;

  // Every call so far, in order.
  const std::vector<ProbedCall>& calls() const { return calls_; }

 private:
  std::unique_ptr<Stream> inner_;
  std::vector<ProbedCall> calls_;
};

}  // namespace tsh::test

#endif  // TSH_CONFORMANCE_CALLBACKS_PROBE_STREAM_H_
