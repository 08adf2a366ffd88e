// How many callbacks one load costs: a 64 MiB float tensor loaded through a
// BufReader over a file, faithful vs hardened, counted below the BufReader
// (what the file sees) and above it (what the bridge asks).
//
//   call_counts [--out=FILE.json] [--mib=64]
//
// Prints a table and writes the same figures as JSON. Exit status 1 when a
// load fails or returns other values than were saved.
#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>

#include "bridge/buf_reader.h"
#include "bridge/by_ref.h"
#include "bridge/fault_stream.h"
#include "bridge/file_stream.h"
#include "bridge/tensor_io.h"
#include "testing/tensors.h"

namespace tsh {
namespace {



std::string Counts(const FaultStream& s) {
  std::string out = "{";
  for (Op op : {Op::kRead, Op::kSeek, Op::kPosition}) {
    out += std::string(out.size() > 1 ? ", " : "") + "\"" + OpName(op) +
           "\": " + std::to_string(s.calls(op));
  }
  return out + ", \"bytes_read\": " + std::to_string(s.bytes_read()) + "}";
}

int Main(int argc, char** argv) {
  std::string out;
  int64_t mib = 64;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--out=", 0) == 0) {
      out = a.substr(6);
    } else if (a.rfind("--mib=", 0) == 0) {
      mib = std::atoll(a.c_str() + 6);
    } else {
      std::cerr << "call_counts: unknown flag " << a << "\n";
      return 2;
    }
  }
  at::set_num_threads(1);
  const char* tmp = std::getenv("TEST_TMPDIR");
  const std::string path =
      std::string(tmp ? tmp : "/tmp") + "/call_counts_" + std::to_string(::getpid()) + ".pt";
  const at::Tensor t = test::PatternTensor(at::kFloat, {mib * 1024 * 1024 / 4}, 11);
  {
    auto f = FileStream::Create(path);
    if (!f.ok()) {
      std::cerr << "call_counts: " << f.error().ToString() << "\n";
      return 1;
    }
    Status s = SaveTensor(t, *f.value(), Mode::kHardened);
    if (!s.ok()) {
      std::cerr << "call_counts: save: " << s.error().ToString() << "\n";
      return 1;
    }
  }
  int status = 0;
  std::string json = "{\"tensor_mib\": " + std::to_string(mib) + ", \"stack\": " +
                     "\"bridge -> above -> BufReader(8 KiB) -> below -> file\"";
  std::cout << "One load of a " << mib << " MiB float tensor through a BufReader (8 KiB) over a file\n"
            << "mode      where   read  seek  position  bytes_read\n";
  for (Mode mode : {Mode::kFaithful, Mode::kHardened}) {
    auto f = FileStream::Open(path);
    if (!f.ok()) return 1;
    auto below = std::make_unique<FaultStream>(std::unique_ptr<ReadStream>(std::move(f).value()),
                                               FaultPlan());
    FaultStream* below_counts = below.get();
    BufReader buffered(std::move(below));
    FaultStream above(std::unique_ptr<ReadStream>(new ReadStreamRef(buffered)), FaultPlan());
    Result<at::Tensor> got = LoadTensor(above, mode);
    const char* name = ModeName(mode);
    if (!got.ok() || !test::BitEqual(t, got.value())) {
      std::cerr << "call_counts: " << name << " load failed or differs\n";
      status = 1;
    }
    for (const auto& [where, s] : {std::make_pair("above", &above),
                                   std::make_pair("below", below_counts)}) {
      std::printf("%-9s %-6s %5llu %5llu %9llu  %llu\n", name, where,
                  static_cast<unsigned long long>(s->calls(Op::kRead)),
                  static_cast<unsigned long long>(s->calls(Op::kSeek)),
                  static_cast<unsigned long long>(s->calls(Op::kPosition)),
                  static_cast<unsigned long long>(s->bytes_read()));
    }
    json += std::string(", \"") + name + "\": {\"above\": " + Counts(above) +
            ", \"below\": " + Counts(*below_counts) + "}";
  }

  std::remove(path.c_str());
  json += "}\n";
  if (!out.empty()) {
    std::ofstream f(out);
    f << json;
    if (!f) {
      std::cerr << "call_counts: cannot write " << out << "\n";
      status = 1;
    }
  }
  return status;
}

}  // namespace
}  // namespace tsh

int main(int argc, char** argv) { return tsh::Main(argc, argv); }
