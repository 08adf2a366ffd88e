// Fuzzes archive bytes through the read callbacks: a Cursor over the input
// loaded as one tensor or as named tensors, in hardened or faithful mode.
//
// Input: byte 0 holds flags (bit 0: named load; bit 1: faithful load, as
// tch-rs does, straight into LibTorch; otherwise hardened, whose load
// checks the zip structure first, bridge/zip_check.h); the rest is the
// archive.
//
// Oracle: any result or clean error is fine; a crash is not. LibTorch 1.13
// crashes (SIGSEGV inside libtorch_cpu) on some malformed archives; such
// crashes are contained by the tooling (tools/fuzz runs libFuzzer with
// -fork and -ignore_crashes, dedups them by stack and stores reproducers
// under testdata/crashes/archive_fuzzer/), and the regression test replays
// each in a child process expecting its recorded outcome.
//
// A structure-aware mutator (LLVMFuzzerCustomMutator) edits the fields of
// the zip container (zip_fields.h) of valid archives; otherwise, and one
// time in four, it falls back to libFuzzer's own mutations.
#include <cstdint>
#include <cstring>
#include <random>

#include "bridge/cursor.h"
#include "bridge/tensor_io.h"
#include "fuzz/zip_fields.h"

extern "C" __attribute__((weak)) size_t LLVMFuzzerMutate(uint8_t* data, size_t size,
                                                         size_t max_size);

namespace {

constexpr uint8_t kNamedFlag = 1;
constexpr uint8_t kFaithfulFlag = 2;

// Names LibTorch looks up in an archive, for the name mutation.
constexpr const char* kRecordNames[] = {"archive/data.pkl", "archive/constants.pkl",
                                        "archive/version", "archive/data/0",
                                        "archive/code/__torch__.py", "data/0", "version"};

uint64_t Get(const uint8_t* p, size_t width) {
  uint64_t v = 0;
  for (size_t i = 0; i < width; ++i) v |= uint64_t{p[i]} << (8 * i);
  return v;
}

void Put(uint8_t* p, size_t width, uint64_t v) {
  for (size_t i = 0; i < width; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t flags = data[0];
  std::vector<uint8_t> bytes(data + 1, data + size);
  const tsh::Mode mode = (flags & kFaithfulFlag) ? tsh::Mode::kFaithful : tsh::Mode::kHardened;
  tsh::Cursor in(std::move(bytes));
  if (flags & kNamedFlag) {
    (void)tsh::LoadNamedTensors(in, std::nullopt, mode);
  } else {
    (void)tsh::LoadTensor(in, mode);
  }
  return 0;
}

extern "C" size_t LLVMFuzzerCustomMutator(uint8_t* data, size_t size, size_t max_size,
                                          unsigned int seed) {
  std::minstd_rand rng(seed);
  std::vector<tsh::fuzz::ZipField> fields;
  if (size > 1) fields = tsh::fuzz::FindZipFields(data + 1, size - 1);
  if (fields.empty() || rng() % 4 == 0) return LLVMFuzzerMutate(data, size, max_size);
  if (rng() % 16 == 0) data[0] = static_cast<uint8_t>(rng() % 4);  // Another load.
  const tsh::fuzz::ZipField& f = fields[rng() % fields.size()];
  uint8_t* p = data + 1 + f.offset;
  if (f.kind == tsh::fuzz::ZipField::Kind::kName) {
    const char* name = kRecordNames[rng() % std::size(kRecordNames)];
    const size_t n = std::min(f.width, strlen(name));
    memcpy(p, name, n);
    if (rng() % 2) p[rng() % f.width] ^= static_cast<uint8_t>(1u << (rng() % 8));
    return size;
  }
  const uint64_t max = f.width == 8 ? ~uint64_t{0} : (uint64_t{1} << (8 * f.width)) - 1;
  const uint64_t v = Get(p, f.width);
  uint64_t next = v;
  switch (rng() % 7) {
    case 0: next = 0; break;
    case 1: next = max; break;
    case 2: next = v + 1; break;
    case 3: next = v - 1; break;
    case 4: next = v + (rng() % 128) - 64; break;
    case 5: next = rng() % (size + 64); break;  // An offset or size near the real range.
    default: {  // Another field's value: sizes and offsets in the wrong place.
      const tsh::fuzz::ZipField& g = fields[rng() % fields.size()];
      if (g.kind == tsh::fuzz::ZipField::Kind::kInteger) next = Get(data + 1 + g.offset, g.width);
      break;
    }
  }
  Put(p, f.width, next & max);
  return size;
}
