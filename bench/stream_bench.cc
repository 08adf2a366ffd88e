// The stream bridge's throughput suite (Google Benchmark).
//
// What it measures, in one binary and one run, so that ratios between cases
// are meaningful (bench/README.md states the goals; tools/bench-compare
// checks them):
// - save and load of float32 tensors from 4 KiB up to the size limit in
//   powers of 4, through a growable Cursor, a FileStream, a BufWriter /
//   BufReader over a file, and a stream that moves 1 byte per call
//   (hardened only, small sizes), each faithful and hardened;
// - one size of float16, bfloat16, int64 and of a non-contiguous view;
// - a model-sized set of 200 named tensors;
// - LibTorch's own paths on the same tensors: its writer and read functions
//   over memory, a path, string streams; and a memcpy of the same bytes;
// - CUDA tensors where LibTorch has CUDA (else the cases report the error
//   "skipped: no CUDA device", which the tools count as skipped);
// - for each ratio that has a goal, both of its sides run alternately in
//   one case (ratio/<ratio id>/bytes): load reaches both sides alike, so
//   the median ratio and its confidence interval hold on a busy machine.
// Names are op/stream/impl/dtype/bytes. Every case checks once, untimed,
// that what it saved or loaded is right, and reports the callbacks it saw
// (a FaultStream with an empty plan counts them) as counters.
//
// Any error but the no-CUDA skip (a wrong result, a failed save or load) is
// a failure: the other cases still run, then the binary names the failed
// cases and exits 1.
//
// The size limit is --tsh_max_bytes=N or $TSH_BENCH_MAX_BYTES (default
// 1 GiB; the 1 GiB cases need about 4 GiB of memory); the interleaved
// ratios run --tsh_ratio_rounds=N rounds (default 31).
// Built with -DTSH_BENCH_EXTRA_COPY (//bench:stream_bench_slowed), the
// bridge's saves go through ExtraCopyWrite: a deliberate regression; with
// -DTSH_BENCH_CORRUPT (//bench:stream_bench_wrong), one byte of what the
// bridge saved is flipped before it is checked: a deliberate wrong result.
// Both for testing the checks only.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <ATen/ATen.h>
#include <torch/cuda.h>
#include <torch/serialize.h>
#include <torch/version.h>

#include "bench/scratch_dir.h"
#include "bridge/buf_reader.h"
#include "bridge/buf_writer.h"
#include "bridge/by_ref.h"
#include "bridge/cursor.h"
#include "bridge/fault_stream.h"
#include "bridge/file_stream.h"
#include "bridge/tensor_io.h"
#include "testing/tensors.h"

#ifdef TSH_BENCH_EXTRA_COPY
#include "bench/extra_copy_write.h"
#endif

namespace tsh::bench {
namespace {

constexpr int64_t kKiB = 1024;
constexpr int64_t kMiB = 1024 * kKiB;
constexpr int64_t kGiB = 1024 * kMiB;
// The 1-byte-per-call stream makes one callback per byte: keep it small.
constexpr int64_t kOneByteMax = 64 * kKiB;
// The single size for the other dtypes and the GPU cases.
constexpr int64_t kDtypeBytes = 16 * kMiB;
constexpr int kModelTensors = 200;

int64_t max_bytes = kGiB;
int ratio_rounds = 31;

ScratchDir& Scratch() {
  static ScratchDir dir;
  return dir;
}

// ---------------------------------------------------------------- outcomes

// The error of a GPU case on a machine without CUDA: the one error that is
// a skip, not a failure (tools/bench-compare matches this prefix).
constexpr char kNoCudaSkip[] = "skipped: no CUDA device";

// The cases that reported any other error, in the order they ran.
std::vector<std::string> failed_cases;
// Whether the case running now skipped (cases run one at a time).
bool skipped_now = false;

// ---------------------------------------------------------------- inputs

enum class Dtype { kF32, kF16, kBF16, kI64, kF32View };

const char* DtypeName(Dtype d) {
  switch (d) {
    case Dtype::kF16: return "f16";
    case Dtype::kBF16: return "bf16";
    case Dtype::kI64: return "i64";
    case Dtype::kF32View: return "f32view";
    case Dtype::kF32:
    default: return "f32";
  }
}

// `bytes` of data (a multiple of 4 KiB); the view is a transpose, whose
// storage is exactly its elements.
at::Tensor MakeTensor(Dtype d, int64_t bytes) {
  at::ScalarType st = at::kFloat;
  if (d == Dtype::kF16) st = at::kHalf;
  if (d == Dtype::kBF16) st = at::kBFloat16;
  if (d == Dtype::kI64) st = at::kLong;
  const int64_t numel = bytes / static_cast<int64_t>(c10::elementSize(st));
  // Small integers: exact in every dtype, so equality checks are exact.
  at::Tensor t = at::remainder(at::arange(numel, at::kLong), 1021).to(st);
  if (d == Dtype::kF32View) t = t.view({1024, numel / 1024}).t();
  return t;
}

std::vector<uint8_t> ToBytes(const std::string& s) {
  return std::vector<uint8_t>(s.begin(), s.end());
}

size_t AppendTo(std::vector<uint8_t>& out, const void* p, size_t n) {
  const auto* b = static_cast<const uint8_t*>(p);
  out.insert(out.end(), b, b + n);
  return n;
}

// LibTorch's read function over bytes in memory, as its own tests write it.
size_t ReadAt(const std::vector<uint8_t>& bytes, uint64_t pos, void* buf, size_t n) {
  if (pos >= bytes.size()) return 0;
  const size_t got = std::min<size_t>(n, bytes.size() - pos);
  std::memcpy(buf, bytes.data() + pos, got);
  return got;
}

// A model-sized set: 200 tensors cycling through 4 KiB .. 1.25 MiB (about
// 100 MiB), scaled down so that the set is at most 4 * max_bytes.
NamedTensors ModelSet() {
  static const int64_t kCycle[] = {4 * kKiB, 64 * kKiB, 256 * kKiB,
                                   512 * kKiB, kMiB, 1280 * kKiB};
  int64_t full = 0;
  for (int i = 0; i < kModelTensors; ++i) full += kCycle[i % 6];
  const double scale = std::min(1.0, 4.0 * static_cast<double>(max_bytes) / full);
  NamedTensors set;
  for (int i = 0; i < kModelTensors; ++i) {
    const int64_t numel = std::max<int64_t>(
        1, static_cast<int64_t>(kCycle[i % 6] * scale) / 4);
    set.emplace_back("layers." + std::to_string(i) + ".weight",
                     at::remainder(at::arange(numel, at::kLong), 1021).to(at::kFloat));
  }
  return set;
}

int64_t Bytes(const NamedTensors& set) {
  int64_t n = 0;
  for (const auto& [name, t] : set) n += t.nbytes();
  return n;
}

// LibTorch refuses dots in parameter names; the bridge stores `|` (as
// tch-rs does), and so do the baselines.
std::string ArchiveName(std::string name) {
  std::replace(name.begin(), name.end(), '.', '|');
  return name;
}

std::vector<uint8_t> SaveNamedWithTorch(const NamedTensors& set) {
  torch::serialize::OutputArchive archive;
  for (const auto& [name, t] : set) archive.write(ArchiveName(name), t, false);
  std::vector<uint8_t> out;
  archive.save_to([&out](const void* p, size_t n) { return AppendTo(out, p, n); });
  return out;
}

// The inputs of the cases of one (dtype, size), built once and kept while
// consecutive cases use them (cases are registered grouped that way).
struct Inputs {
  std::string key;
  at::Tensor tensor;        // One tensor, or empty for the model set.
  NamedTensors named;       // The model set, or {"w", tensor} for GPU loads.
  int64_t bytes = 0;        // Data bytes: what throughput is measured in.
  std::vector<uint8_t> archive;  // LibTorch's archive of the above.
  std::string path;         // The archive in a file.
};

Inputs& Prepare(const std::string& key, const std::function<void(Inputs&)>& build) {
  static std::unique_ptr<Inputs> cache;
  if (cache == nullptr || cache->key != key) {
    cache.reset();  // Free the previous inputs first: they may be large.
    cache = std::make_unique<Inputs>();
    cache->key = key;
    build(*cache);
    cache->path = Scratch().File("archive." + key);
    std::ofstream f(cache->path, std::ios::binary | std::ios::trunc);
    f.write(reinterpret_cast<const char*>(cache->archive.data()),
            static_cast<std::streamsize>(cache->archive.size()));
  }
  return *cache;
}

Inputs& OneTensor(Dtype d, int64_t bytes) {
  return Prepare(std::string(DtypeName(d)) + "." + std::to_string(bytes), [&](Inputs& in) {
    in.tensor = MakeTensor(d, bytes);
    in.bytes = bytes;
    std::vector<uint8_t>& out = in.archive;
    torch::save(in.tensor, [&out](const void* p, size_t n) { return AppendTo(out, p, n); });
  });
}

Inputs& Model() {
  return Prepare("model", [](Inputs& in) {
    in.named = ModelSet();
    in.bytes = Bytes(in.named);
    in.archive = SaveNamedWithTorch(in.named);
  });
}

// A one-tensor archive in the named form, for loads with device mapping.
Inputs& NamedOne(int64_t bytes) {
  return Prepare("named1." + std::to_string(bytes), [&](Inputs& in) {
    in.tensor = MakeTensor(Dtype::kF32, bytes);
    in.named = {{"w", in.tensor}};
    in.bytes = bytes;
    in.archive = SaveNamedWithTorch(in.named);
  });
}

// Whether `bytes` is LibTorch's archive of what `in` holds.
bool ArchiveHolds(const std::vector<uint8_t>& bytes, const Inputs& in) {
  try {
    auto read = [&bytes](uint64_t pos, void* buf, size_t n) {
      return ReadAt(bytes, pos, buf, n);
    };
    auto size = [&bytes] { return bytes.size(); };
    if (in.tensor.defined() && in.named.empty()) {
      at::Tensor t;
      torch::load(t, read, size);
      return test::BitEqual(t, in.tensor);
    }
    torch::serialize::InputArchive archive;
    archive.load_from(read, size);
    for (const auto& [name, want] : in.named) {
      at::Tensor t;
      archive.read(ArchiveName(name), t);
      if (!test::BitEqual(t, want)) return false;
    }
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

// ---------------------------------------------------------------- counters

struct Calls {
  double reads = 0, writes = 0, seeks = 0, bytes_read = 0, bytes_written = 0;
};

Calls CallsOf(const FaultStream& s) {
  Calls c;
  c.reads = static_cast<double>(s.calls(Op::kRead));
  c.writes = static_cast<double>(s.calls(Op::kWrite));
  // Seek callbacks: seek_start, seek_end and stream_position.
  c.seeks = static_cast<double>(s.calls(Op::kSeek) + s.calls(Op::kPosition));
  c.bytes_read = static_cast<double>(s.bytes_read());
  c.bytes_written = static_cast<double>(s.bytes_written());
  return c;
}

void Report(benchmark::State& st, const Calls& c, int64_t bytes) {
  st.counters["read_calls"] = c.reads;
  st.counters["write_calls"] = c.writes;
  st.counters["seek_calls"] = c.seeks;
  st.counters["bytes_per_read"] = c.reads > 0 ? c.bytes_read / c.reads : 0;
  st.counters["bytes_per_write"] = c.writes > 0 ? c.bytes_written / c.writes : 0;
  st.SetBytesProcessed(static_cast<int64_t>(st.iterations()) * bytes);
}

// ---------------------------------------------------------------- streams

enum class Kind { kCursor, kFile, kBufIo, kOneByte };

const char* KindName(Kind k) {
  switch (k) {
    case Kind::kFile: return "file";
    case Kind::kBufIo: return "bufio";
    case Kind::kOneByte: return "onebyte";
    case Kind::kCursor:
    default: return "cursor";
  }
}

template <typename T>
std::unique_ptr<T> Must(Result<std::unique_ptr<T>> r) {
  if (!r.ok()) throw std::runtime_error(r.error().ToString());
  return std::move(r).value();
}

std::vector<uint8_t> ReadFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(f), {});
}

// Where one save goes: the stream of `kind`, made fresh.
class Sink {
 public:
  Sink(Kind kind, std::string path) : kind_(kind), path_(std::move(path)) {
    switch (kind) {
      case Kind::kFile:
        owned_ = Must(FileStream::Create(path_));
        break;
      case Kind::kBufIo:
        owned_ = std::make_unique<BufWriter>(Must(FileStream::Create(path_)));
        break;
      case Kind::kOneByte:
        owned_ = std::make_unique<FaultStream>(
            std::unique_ptr<Write>(std::make_unique<WriteRef>(cursor_)),
            FaultPlan().Always(Op::kWrite, Fault::Limit(1)));
        break;
      case Kind::kCursor:
        break;
    }
  }

  Write& top() { return owned_ ? *owned_ : static_cast<Write&>(cursor_); }

  // Closes the stream (a BufWriter writes its buffer out) and returns what
  // reached the cursor or the file.
  std::vector<uint8_t> Finish() {
    owned_.reset();
    if (kind_ == Kind::kFile || kind_ == Kind::kBufIo) return ReadFile(path_);
    return cursor_.into_inner();
  }

 private:
  Kind kind_;
  std::string path_;
  Cursor cursor_;
  std::unique_ptr<Write> owned_;
};

// Where loads read from: a cursor over the archive, made once and rewound,
// or the archive's file, opened for each load.
class Source {
 public:
  Source(Kind kind, const Inputs& in) : kind_(kind), path_(in.path) {
    if (kind == Kind::kCursor || kind == Kind::kOneByte) cursor_ = Cursor(in.archive);
  }

  std::unique_ptr<ReadStream> Open() {
    cursor_.set_position(0);
    switch (kind_) {
      case Kind::kFile:
        return Must(FileStream::Open(path_));
      case Kind::kBufIo:
        return std::make_unique<BufReader>(Must(FileStream::Open(path_)));
      case Kind::kOneByte:
        return std::make_unique<FaultStream>(
            std::unique_ptr<ReadStream>(std::make_unique<ReadStreamRef>(cursor_)),
            FaultPlan().Always(Op::kRead, Fault::Limit(1)));
      case Kind::kCursor:
      default:
        return std::make_unique<ReadStreamRef>(cursor_);
    }
  }

 private:
  Kind kind_;
  std::string path_;
  Cursor cursor_;
};

// ---------------------------------------------------------------- bridge

Status BridgeSave(const Inputs& in, Write& out, Mode mode) {
#ifdef TSH_BENCH_EXTRA_COPY
  ExtraCopyWrite slowed(out);
  Write& sink = slowed;
#else
  Write& sink = out;
#endif
  if (in.named.empty()) return SaveTensor(in.tensor, sink, mode);
  return SaveNamedTensors(in.named, sink, mode);
}

// Loads what `in` holds from `s`; with `check`, compares it with `in`.
Status BridgeLoad(const Inputs& in, ReadStream& s, Mode mode, bool check) {
  if (in.named.empty()) {
    Result<at::Tensor> t = LoadTensor(s, mode);
    if (!t.ok()) return t.error();
    if (check && !test::BitEqual(t.value(), in.tensor)) {
      return Error(ErrorKind::kInvalidData, "loaded tensor differs");
    }
    benchmark::DoNotOptimize(t.value().data_ptr());
    return Ok();
  }
  Result<NamedTensors> ts = LoadNamedTensors(s, std::nullopt, mode);
  if (!ts.ok()) return ts.error();
  if (check && !test::NamedBitEqual(in.named, ts.value())) {
    return Error(ErrorKind::kInvalidData, "loaded tensors differ");
  }
  return Ok();
}

// The timed bodies of the bridge's cases: one save into a fresh stream of
// `kind` (writing `path` for the file kinds), one load from `source`.
Status BridgeSaveOnce(const Inputs& in, Kind kind, Mode mode, const std::string& path) {
  Sink sink(kind, path);
  return BridgeSave(in, sink.top(), mode);
}

Status BridgeLoadOnce(const Inputs& in, Source& source, Mode mode) {
  std::unique_ptr<ReadStream> s = source.Open();
  return BridgeLoad(in, *s, mode, /*check=*/false);
}

void BridgeSaveCase(benchmark::State& st, const std::function<Inputs&()>& inputs,
                    Kind kind, Mode mode) {
  Inputs& in = inputs();
  const std::string path = Scratch().File("save.out");
  Calls calls;
  {
    Sink sink(kind, path);
    FaultStream counter(std::unique_ptr<Write>(std::make_unique<WriteRef>(sink.top())),
                        FaultPlan());
    Status s = BridgeSave(in, counter, mode);
    calls = CallsOf(counter);
    if (!s.ok()) return st.SkipWithError(s.error().ToString().c_str());
    std::vector<uint8_t> saved = sink.Finish();
#ifdef TSH_BENCH_CORRUPT
    saved[saved.size() / 2] ^= 0xff;  // Tensor data, whatever the size.
#endif
    if (!ArchiveHolds(saved, in)) return st.SkipWithError("saved archive is wrong");
  }
  for (auto _ : st) {
    Status s = BridgeSaveOnce(in, kind, mode, path);
    if (!s.ok()) {
      st.SkipWithError(s.error().ToString().c_str());
      break;
    }
  }
  Report(st, calls, in.bytes);
}

void BridgeLoadCase(benchmark::State& st, const std::function<Inputs&()>& inputs,
                    Kind kind, Mode mode) {
  Inputs& in = inputs();
  Source source(kind, in);
  Calls calls;
  {
    std::unique_ptr<ReadStream> s = source.Open();
    FaultStream counter(std::unique_ptr<ReadStream>(std::make_unique<ReadStreamRef>(*s)),
                        FaultPlan());
    Status r = BridgeLoad(in, counter, mode, /*check=*/true);
    calls = CallsOf(counter);
    if (!r.ok()) return st.SkipWithError(r.error().ToString().c_str());
  }
  for (auto _ : st) {
    Status r = BridgeLoadOnce(in, source, mode);
    if (!r.ok()) {
      st.SkipWithError(r.error().ToString().c_str());
      break;
    }
  }
  Report(st, calls, in.bytes);
}

// ---------------------------------------------------------------- LibTorch

// LibTorch's own writer function into a vector (what the bridge's save is
// measured against), counting its calls in the untimed first pass.
std::vector<uint8_t> TorchSaveToMemory(const Inputs& in, Calls* calls) {
  std::vector<uint8_t> out;
  auto writer = [&out, calls](const void* p, size_t n) {
    if (calls != nullptr) {
      calls->writes += 1;
      calls->bytes_written += static_cast<double>(n);
    }
    return AppendTo(out, p, n);
  };
  if (in.named.empty()) {
    torch::save(in.tensor, writer);
  } else {
    torch::serialize::OutputArchive archive;
    for (const auto& [name, t] : in.named) archive.write(ArchiveName(name), t, false);
    archive.save_to(writer);
  }
  return out;
}

void TorchSaveMemoryCase(benchmark::State& st, const std::function<Inputs&()>& inputs) {
  Inputs& in = inputs();
  Calls calls;
  if (!ArchiveHolds(TorchSaveToMemory(in, &calls), in)) {
    return st.SkipWithError("saved archive is wrong");
  }
  for (auto _ : st) {
    std::vector<uint8_t> out = TorchSaveToMemory(in, nullptr);
    benchmark::DoNotOptimize(out.data());
  }
  Report(st, calls, in.bytes);
}

// LibTorch's own read function over the archive in memory.
Status TorchLoadFromMemory(const Inputs& in, Calls* calls, bool check) {
  auto read = [&in, calls](uint64_t pos, void* buf, size_t n) {
    if (calls != nullptr) {
      calls->reads += 1;
      calls->bytes_read += static_cast<double>(n);
    }
    return ReadAt(in.archive, pos, buf, n);
  };
  auto size = [&in, calls] {
    if (calls != nullptr) calls->seeks += 1;
    return in.archive.size();
  };
  torch::NoGradGuard no_grad;
  if (in.named.empty()) {
    at::Tensor t;
    torch::load(t, read, size);
    if (check && !test::BitEqual(t, in.tensor)) return Error(ErrorKind::kInvalidData, "differs");
    benchmark::DoNotOptimize(t.data_ptr());
    return Ok();
  }
  torch::serialize::InputArchive archive;
  archive.load_from(read, size);
  for (const auto& [name, want] : in.named) {
    at::Tensor t;
    archive.read(ArchiveName(name), t);
    if (check && !test::BitEqual(t, want)) return Error(ErrorKind::kInvalidData, "differs");
  }
  return Ok();
}

void TorchLoadMemoryCase(benchmark::State& st, const std::function<Inputs&()>& inputs) {
  Inputs& in = inputs();
  Calls calls;
  Status s = TorchLoadFromMemory(in, &calls, /*check=*/true);
  if (!s.ok()) return st.SkipWithError("loaded tensor is wrong");
  for (auto _ : st) {
    Status r = TorchLoadFromMemory(in, nullptr, /*check=*/false);
    benchmark::DoNotOptimize(r.ok());
  }
  Report(st, calls, in.bytes);
}

void TorchSavePathCase(benchmark::State& st, Dtype d, int64_t bytes) {
  Inputs& in = OneTensor(d, bytes);
  const std::string path = Scratch().File("torch.out");
  torch::save(in.tensor, path);
  if (!ArchiveHolds(ReadFile(path), in)) return st.SkipWithError("saved archive is wrong");
  for (auto _ : st) torch::save(in.tensor, path);
  Report(st, Calls{}, in.bytes);
}

void TorchLoadFromPath(const Inputs& in) {
  torch::NoGradGuard no_grad;
  at::Tensor t;
  torch::load(t, in.path);
  benchmark::DoNotOptimize(t.data_ptr());
}

void TorchLoadPathCase(benchmark::State& st, Dtype d, int64_t bytes) {
  Inputs& in = OneTensor(d, bytes);
  at::Tensor t;
  torch::load(t, in.path);
  if (!test::BitEqual(t, in.tensor)) return st.SkipWithError("loaded tensor is wrong");
  for (auto _ : st) TorchLoadFromPath(in);
  Report(st, Calls{}, in.bytes);
}

void TorchSaveStringCase(benchmark::State& st, Dtype d, int64_t bytes) {
  Inputs& in = OneTensor(d, bytes);
  {
    std::ostringstream os;
    torch::save(in.tensor, os);
    if (!ArchiveHolds(ToBytes(os.str()), in)) return st.SkipWithError("saved archive is wrong");
  }
  for (auto _ : st) {
    std::ostringstream os;
    torch::save(in.tensor, os);
    benchmark::DoNotOptimize(os.tellp());
  }
  Report(st, Calls{}, in.bytes);
}

void TorchLoadStringCase(benchmark::State& st, Dtype d, int64_t bytes) {
  Inputs& in = OneTensor(d, bytes);
  std::istringstream is(std::string(in.archive.begin(), in.archive.end()));
  at::Tensor t;
  torch::load(t, is);
  if (!test::BitEqual(t, in.tensor)) return st.SkipWithError("loaded tensor is wrong");
  for (auto _ : st) {
    is.clear();
    is.seekg(0);
    torch::NoGradGuard no_grad;
    at::Tensor u;
    torch::load(u, is);
    benchmark::DoNotOptimize(u.data_ptr());
  }
  Report(st, Calls{}, in.bytes);
}

// The limit: one memcpy of the tensor's bytes into a buffer already touched.
void MemcpyCase(benchmark::State& st, Dtype d, int64_t bytes) {
  Inputs& in = OneTensor(d, bytes);
  at::Tensor src = in.tensor.contiguous();
  std::vector<uint8_t> dst(static_cast<size_t>(bytes));
  for (auto _ : st) {
    std::memcpy(dst.data(), src.data_ptr(), dst.size());
    benchmark::ClobberMemory();
  }
  Report(st, Calls{}, in.bytes);
}

// ---------------------------------------------------------------- CUDA

bool NoCuda(benchmark::State& st) {
  if (torch::cuda::is_available()) return false;
  st.SkipWithError(kNoCudaSkip);
  skipped_now = true;
  return true;
}

const c10::Device kGpu(c10::kCUDA, 0);

void GpuSaveCase(benchmark::State& st, int64_t bytes, const char* impl) {
  if (NoCuda(st)) return;
  Inputs& in = OneTensor(Dtype::kF32, bytes);
  at::Tensor gpu = in.tensor.to(kGpu);
  torch::cuda::synchronize();
  const std::string which(impl);
  auto save_once = [&]() -> std::vector<uint8_t> {
    if (which == "torch") {
      std::vector<uint8_t> out;
      torch::save(gpu, [&out](const void* p, size_t n) { return AppendTo(out, p, n); });
      return out;
    }
    Cursor c;
    Status s = SaveTensor(gpu, c, which == "hardened" ? Mode::kHardened : Mode::kFaithful);
    if (!s.ok()) throw std::runtime_error(s.error().ToString());
    return c.into_inner();
  };
  try {
    if (!ArchiveHolds(save_once(), in)) return st.SkipWithError("saved archive is wrong");
    for (auto _ : st) benchmark::DoNotOptimize(save_once().data());
  } catch (const std::exception& e) {
    return st.SkipWithError(e.what());
  }
  Report(st, Calls{}, in.bytes);
}

// Loads onto the GPU: "*-named" map the device while loading (the bridge's
// LoadNamedTensors with device 0, LibTorch's InputArchive with a device);
// "*-to" load to the CPU and copy with .to(cuda).
void GpuLoadCase(benchmark::State& st, int64_t bytes, const char* impl) {
  if (NoCuda(st)) return;
  const std::string which(impl);
  const bool named = which.size() > 6 && which.substr(which.size() - 6) == "-named";
  Inputs& in = named ? NamedOne(bytes) : OneTensor(Dtype::kF32, bytes);
  Cursor cursor{in.archive};
  const Mode mode = which.rfind("hardened", 0) == 0 ? Mode::kHardened : Mode::kFaithful;
  auto read = [&in](uint64_t pos, void* buf, size_t n) { return ReadAt(in.archive, pos, buf, n); };
  auto size = [&in] { return in.archive.size(); };
  auto load_once = [&]() -> at::Tensor {
    torch::NoGradGuard no_grad;
    at::Tensor t;
    cursor.set_position(0);
    if (which == "torch-named") {
      torch::serialize::InputArchive archive;
      archive.load_from(read, size, kGpu);
      archive.read("w", t);
    } else if (which == "torch-to") {
      torch::load(t, read, size);
      t = t.to(kGpu);
    } else if (named) {
      Result<NamedTensors> r = LoadNamedTensors(cursor, 0, mode);
      if (!r.ok()) throw std::runtime_error(r.error().ToString());
      t = r.value().at(0).second;
    } else {
      Result<at::Tensor> r = LoadTensor(cursor, mode);
      if (!r.ok()) throw std::runtime_error(r.error().ToString());
      t = r.value().to(kGpu);
    }
    torch::cuda::synchronize();
    return t;
  };
  try {
    at::Tensor first = load_once();
    if (!first.is_cuda() || !test::BitEqual(first, in.tensor)) {
      return st.SkipWithError("loaded tensor is wrong or not on the GPU");
    }
    for (auto _ : st) benchmark::DoNotOptimize(load_once().data_ptr());
  } catch (const std::exception& e) {
    return st.SkipWithError(e.what());
  }
  Report(st, Calls{}, in.bytes);
}

// ---------------------------------------------------------------- ratios

// The ratios of tools/bench-compare (RATIOS in bench/bench_compare.py)
// measured interleaved: those with a goal that compare the times of two
// cases, and the faithful file save, whose shortfall is tch-rs's
// (FINDINGS.md F26). Each side is named op/stream/impl:
// throughput of `num` over that of `den`, i.e. time of den / time of num.
struct GatedRatio {
  const char* id;
  const char* num;
  const char* den;
};
// Over one f32 tensor of each size from kGatedMinBytes.
constexpr GatedRatio kGatedRatios[] = {
    {"save_faithful_over_torch_writer", "save/cursor/faithful", "save/memory/torch"},
    {"load_faithful_over_torch_readfn", "load/cursor/faithful", "load/memory/torch"},
    {"save_hardened_over_faithful_cursor", "save/cursor/hardened", "save/cursor/faithful"},
    {"load_hardened_over_faithful_cursor", "load/cursor/hardened", "load/cursor/faithful"},
    {"load_hardened_over_faithful_bufio", "load/bufio/hardened", "load/bufio/faithful"},
    {"load_bufio_hardened_over_torch_path", "load/bufio/hardened", "load/path/torch"},
    {"save_file_faithful_over_torch_path", "save/file/faithful", "save/path/torch"},
    {"save_file_hardened_over_torch_path", "save/file/hardened", "save/path/torch"},
};
// Over the model set (200 named tensors).
constexpr GatedRatio kGatedModelRatios[] = {
    {"save_model_faithful_over_torch", "save/cursor/faithful", "save/memory/torch"},
    {"save_model_hardened_over_torch", "save/cursor/hardened", "save/memory/torch"},
};
// Their goals hold from this size.
constexpr int64_t kGatedMinBytes = kMiB;
// Each side runs at least this long per round, as one batch: several
// scheduler time slices, so that preemption by other processes averages out
// within a batch (5 ms batches made intervals under load several times
// wider), yet 31 rounds of every gated ratio fit in a smoke run.
constexpr double kBatchSeconds = 0.02;

using Body = std::function<Status()>;

// The timed body of the case `side` (op/stream/impl) on `in`, or an empty
// function for a side that has none here.
Body BodyOf(const std::string& side, const Inputs& in) {
  if (side == "save/path/torch" && in.named.empty()) {
    const std::string path = Scratch().File("ratio_torch.out");
    return [&in, path] {
      torch::save(in.tensor, path);
      return Ok();
    };
  }
  if (side == "save/memory/torch") {
    return [&in] {
      benchmark::DoNotOptimize(TorchSaveToMemory(in, nullptr).data());
      return Ok();
    };
  }
  if (side == "load/memory/torch") {
    return [&in] { return TorchLoadFromMemory(in, nullptr, /*check=*/false); };
  }
  if (side == "load/path/torch") {
    return [&in] {
      TorchLoadFromPath(in);
      return Ok();
    };
  }
  for (Kind k : {Kind::kCursor, Kind::kFile, Kind::kBufIo}) {
    for (const auto& [mode, mode_name] :
         {std::pair{Mode::kFaithful, "faithful"}, std::pair{Mode::kHardened, "hardened"}}) {
      const std::string stream_impl = std::string(KindName(k)) + "/" + mode_name;
      if (side == "save/" + stream_impl) {
        const std::string path = Scratch().File("ratio.out");
        return [&in, k = k, m = mode, path] { return BridgeSaveOnce(in, k, m, path); };
      }
      if (side == "load/" + stream_impl) {
        auto source = std::make_shared<Source>(k, in);
        return [&in, source, m = mode] { return BridgeLoadOnce(in, *source, m); };
      }
    }
  }
  return nullptr;
}

// Runs `body` `n` times in a row; `*seconds` is how long that took.
Status Time(const Body& body, int64_t n, double* seconds) {
  const auto start = std::chrono::steady_clock::now();
  for (int64_t i = 0; i < n; ++i) {
    Status s = body();
    if (!s.ok()) return s;
  }
  *seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return Ok();
}

// Runs `num` and `den` alternately for `rounds` rounds: each round times
// `*batch` runs of each and appends time(den) / time(num) to `ratios`. The
// batch makes the faster side last kBatchSeconds.
Status Interleave(const Body& num, const Body& den, int rounds, std::vector<double>* ratios,
                  int64_t* batch) {
  double t_num = 0, t_den = 0;
  // The first runs pay first-touch costs; the fastest of the next ones sizes
  // the batch (the fastest: load only ever slows a run down).
  double fastest = 1e9;
  for (int i = 0; i < 4; ++i) {
    Status s = Time(num, 1, &t_num);
    if (s.ok()) s = Time(den, 1, &t_den);
    if (!s.ok()) return s;
    if (i > 0) fastest = std::min({fastest, t_num, t_den});
  }
  fastest = std::max(1e-9, fastest);
  *batch = std::max<int64_t>(1, static_cast<int64_t>(std::ceil(kBatchSeconds / fastest)));
  for (int round = 0; round < rounds; ++round) {
    // Numerator first on even rounds, denominator first on odd ones, so that
    // neither side always follows the other.
    const bool num_first = round % 2 == 0;
    Status s = num_first ? Time(num, *batch, &t_num) : Time(den, *batch, &t_den);
    if (s.ok()) s = num_first ? Time(den, *batch, &t_den) : Time(num, *batch, &t_num);
    if (!s.ok()) return s;
    ratios->push_back(t_den / t_num);
  }
  return Ok();
}

struct Interval {
  double median, lo, hi;
};

// The median of `x` and a distribution-free confidence interval of at
// least 95% for it: the order statistics x(j) and x(n+1-j), j the largest
// with P(Binomial(n, 1/2) < j) <= 0.025 ([min, max] when n < 6).
Interval MedianInterval(std::vector<double> x) {
  std::sort(x.begin(), x.end());
  const int n = static_cast<int>(x.size());
  int j = 0;
  double below = 0;  // P(Binomial(n, 1/2) < j)
  while (j < n / 2) {
    const double p = std::exp(std::lgamma(n + 1.0) - std::lgamma(j + 1.0) -
                              std::lgamma(n - j + 1.0) - n * std::log(2.0));
    if (below + p > 0.025) break;
    below += p;
    ++j;
  }
  j = std::max(j, 1);
  const double median = n % 2 == 1 ? x[n / 2] : (x[n / 2 - 1] + x[n / 2]) / 2;
  return {median, x[j - 1], x[n - j]};
}

// The interleaved measurement of ratio `r` on `in`: load that lands on a
// round lands on both of its sides.
void RatioCase(benchmark::State& st, const GatedRatio& r, const Inputs& in) {
  const Body num = BodyOf(r.num, in), den = BodyOf(r.den, in);
  if (!num || !den) return st.SkipWithError("a side of the ratio has no body");
  std::vector<double> ratios;
  int64_t batch = 1;
  for (auto _ : st) {
    Status s = Interleave(num, den, ratio_rounds, &ratios, &batch);
    if (!s.ok()) {
      st.SkipWithError(s.error().ToString().c_str());
      break;
    }
  }
  if (st.error_occurred()) return;
  const Interval ci = MedianInterval(ratios);
  st.counters["ratio_median"] = ci.median;
  st.counters["ratio_lo"] = ci.lo;
  st.counters["ratio_hi"] = ci.hi;
  st.counters["rounds"] = static_cast<double>(ratios.size());
  st.counters["batch"] = static_cast<double>(batch);
}

// ---------------------------------------------------------------- registry

// Registers case `name`. An error it reports, or an exception it throws,
// other than the no-CUDA skip, is recorded in failed_cases.
template <typename Fn>
benchmark::internal::Benchmark* Add(const std::string& name, Fn fn) {
  return benchmark::RegisterBenchmark(
             name.c_str(),
             [name, fn](benchmark::State& st) {
               skipped_now = false;
               try {
                 fn(st);
               } catch (const std::exception& e) {
                 if (!st.error_occurred()) st.SkipWithError(e.what());
               }
               if (st.error_occurred() && !skipped_now &&
                   std::find(failed_cases.begin(), failed_cases.end(), name) ==
                       failed_cases.end()) {
                 failed_cases.push_back(name);
               }
             })
      ->UseRealTime()
      ->Unit(benchmark::kMillisecond);
}

std::string Name(const char* op, const char* stream, const char* impl, const char* dtype,
                 int64_t bytes) {
  return std::string(op) + "/" + stream + "/" + impl + "/" + dtype + "/" +
         std::to_string(bytes);
}

// Every case of one tensor of (dtype, bytes): bridge over `kinds`, and the
// LibTorch baselines and memcpy.
void AddTensorCases(Dtype d, int64_t bytes, const std::vector<Kind>& kinds, bool torch_io) {
  const char* dt = DtypeName(d);
  auto inputs = [d, bytes]() -> Inputs& { return OneTensor(d, bytes); };
  const std::pair<Mode, const char*> modes[] = {{Mode::kFaithful, "faithful"},
                                                {Mode::kHardened, "hardened"}};
  for (const char* op : {"save", "load"}) {
    const bool save = std::string(op) == "save";
    for (Kind k : kinds) {
      if (k == Kind::kOneByte && bytes > kOneByteMax) continue;
      for (const auto& [mode, mode_name] : modes) {
        // Faithful cannot survive a short write or read (FINDINGS.md F1, F6).
        if (k == Kind::kOneByte && mode == Mode::kFaithful) continue;
        Add(Name(op, KindName(k), mode_name, dt, bytes),
            [=, m = mode](benchmark::State& st) {
              save ? BridgeSaveCase(st, inputs, k, m) : BridgeLoadCase(st, inputs, k, m);
            });
      }
    }
    Add(Name(op, "memory", "torch", dt, bytes), [=](benchmark::State& st) {
      save ? TorchSaveMemoryCase(st, inputs) : TorchLoadMemoryCase(st, inputs);
    });
    if (torch_io) {
      Add(Name(op, "path", "torch", dt, bytes), [=](benchmark::State& st) {
        save ? TorchSavePathCase(st, d, bytes) : TorchLoadPathCase(st, d, bytes);
      });
      Add(Name(op, "sstream", "torch", dt, bytes), [=](benchmark::State& st) {
        save ? TorchSaveStringCase(st, d, bytes) : TorchLoadStringCase(st, d, bytes);
      });
    }
  }
  Add(Name("copy", "memory", "memcpy", dt, bytes),
      [=](benchmark::State& st) { MemcpyCase(st, d, bytes); });
}

void RegisterAll() {
  const std::vector<Kind> all = {Kind::kCursor, Kind::kFile, Kind::kBufIo, Kind::kOneByte};
  for (int64_t bytes = 4 * kKiB; bytes <= max_bytes; bytes *= 4) {
    AddTensorCases(Dtype::kF32, bytes, all, /*torch_io=*/true);
    if (bytes < kGatedMinBytes) continue;
    // Right after the cases of the same tensor: its inputs are still built.
    for (const GatedRatio& r : kGatedRatios) {
      // One run of many rounds: repetitions would only repeat it.
      Add("ratio/" + std::string(r.id) + "/" + std::to_string(bytes),
          [&r, bytes](benchmark::State& st) { RatioCase(st, r, OneTensor(Dtype::kF32, bytes)); })
          ->Iterations(1)
          ->Repetitions(1);
    }
  }
  const int64_t one = std::min(kDtypeBytes, max_bytes);
  for (Dtype d : {Dtype::kF16, Dtype::kBF16, Dtype::kI64, Dtype::kF32View}) {
    AddTensorCases(d, one, {Kind::kCursor}, /*torch_io=*/false);
  }

  auto model = []() -> Inputs& { return Model(); };
  const std::string set = "model" + std::to_string(kModelTensors);
  for (const char* op : {"save", "load"}) {
    const bool save = std::string(op) == "save";
    for (Kind k : {Kind::kCursor, Kind::kBufIo}) {
      for (const auto& [mode, mode_name] :
           {std::pair{Mode::kFaithful, "faithful"}, std::pair{Mode::kHardened, "hardened"}}) {
        Add(std::string(op) + "/" + KindName(k) + "/" + mode_name + "/" + set,
            [=, m = mode](benchmark::State& st) {
              save ? BridgeSaveCase(st, model, k, m) : BridgeLoadCase(st, model, k, m);
            });
      }
    }
    Add(std::string(op) + "/memory/torch/" + set, [=](benchmark::State& st) {
      save ? TorchSaveMemoryCase(st, model) : TorchLoadMemoryCase(st, model);
    });
  }
  for (const GatedRatio& r : kGatedModelRatios) {
    Add("ratio/" + std::string(r.id), [&r](benchmark::State& st) { RatioCase(st, r, Model()); })
        ->Iterations(1)
        ->Repetitions(1);
  }

  for (const char* impl : {"faithful", "hardened", "torch"}) {
    Add(Name("save", "gpu", impl, "f32", one),
        [=](benchmark::State& st) { GpuSaveCase(st, one, impl); });
  }
  for (const char* impl : {"faithful-named", "hardened-named", "torch-named", "faithful-to",
                           "hardened-to", "torch-to"}) {
    Add(Name("load", "gpu", impl, "f32", one),
        [=](benchmark::State& st) { GpuLoadCase(st, one, impl); });
  }
}

// Takes --tsh_max_bytes=N and --tsh_ratio_rounds=N out of argv (Google
// Benchmark rejects unknown flags); $TSH_BENCH_MAX_BYTES is the fallback of
// the first.
bool ParseOwnFlags(int* argc, char** argv) {
  if (const char* env = std::getenv("TSH_BENCH_MAX_BYTES")) max_bytes = std::atoll(env);
  const std::string bytes_flag = "--tsh_max_bytes=";
  const std::string rounds_flag = "--tsh_ratio_rounds=";
  int kept = 1;
  for (int i = 1; i < *argc; ++i) {
    std::string a = argv[i];
    if (a.rfind(bytes_flag, 0) == 0) {
      max_bytes = std::atoll(a.c_str() + bytes_flag.size());
    } else if (a.rfind(rounds_flag, 0) == 0) {
      ratio_rounds = std::atoi(a.c_str() + rounds_flag.size());
    } else {
      argv[kept++] = argv[i];
    }
  }
  *argc = kept;
  return max_bytes >= 4 * kKiB && ratio_rounds >= 1;
}

}  // namespace
}  // namespace tsh::bench

int main(int argc, char** argv) {
  using namespace tsh::bench;
  if (!ParseOwnFlags(&argc, argv)) {
    std::fprintf(stderr,
                 "--tsh_max_bytes / TSH_BENCH_MAX_BYTES must be >= 4096, "
                 "--tsh_ratio_rounds >= 1\n");
    return 2;
  }
  RegisterAll();
  benchmark::AddCustomContext("tsh_max_bytes", std::to_string(max_bytes));
  benchmark::AddCustomContext("libtorch", TORCH_VERSION);
  benchmark::AddCustomContext("cuda", torch::cuda::is_available() ? "yes" : "no");
#if defined(TSH_BENCH_EXTRA_COPY)
  benchmark::AddCustomContext("tsh_build", "slowed (TSH_BENCH_EXTRA_COPY)");
#elif defined(TSH_BENCH_CORRUPT)
  benchmark::AddCustomContext("tsh_build", "wrong (TSH_BENCH_CORRUPT)");
#else
  benchmark::AddCustomContext("tsh_build", "normal");
#endif
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  if (!failed_cases.empty()) {
    std::fprintf(stderr, "stream_bench: FAILED: %zu case(s) reported an error:\n",
                 failed_cases.size());
    for (const std::string& name : failed_cases) std::fprintf(stderr, "  %s\n", name.c_str());
    return 1;
  }
  return 0;
}
