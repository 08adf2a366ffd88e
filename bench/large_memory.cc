// Peak memory and throughput of one save and one load of a 2.25 GiB float32
// tensor through a file: the hardened bridge (FileStream) against
// LibTorch's own path-based torch::save / torch::load of the same tensor,
// in the same run.
//
// Each operation runs in a child process of its own (fork, then nothing
// else), so its peak resident memory is its own: the child's
// getrusage(RUSAGE_SELF).ru_maxrss minus its resident size when it starts
// (the parent's tensor and LibTorch's libraries are already there). Saves
// run first and leave their archives for the loads; a load is judged by the
// values it returns. Prints one line per operation and the ratios, and
// with --out writes them as JSON for tools (tools/harness). Goals: the
// hardened peak <= 1.05x LibTorch's, the hardened throughput >= 0.95x
// LibTorch's; a missed goal is reported, not failed (one run on a shared
// machine); a failed operation is (exit 1).
//
//   large_memory [--mib=N] [--out=FILE]     (default 2304 MiB: 2.25 GiB)
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "bench/scratch_dir.h"
#include "bridge/file_stream.h"
#include "bridge/tensor_io.h"

namespace {

struct Measure {
  std::string name;
  bool ok = false;
  double seconds = 0;
  long peak_kib = 0;  // Above the child's resident size at its start.
};

long ResidentKib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    long kib = 0;
    if (std::sscanf(line.c_str(), "VmRSS: %ld kB", &kib) == 1) return kib;
  }
  return 0;
}

// Runs `op` in a child; it reports success, seconds and its peak through a
// pipe.
Measure InChild(const std::string& name, const std::function<bool()>& op) {
  Measure m{name};
  int fds[2];
  if (pipe(fds) != 0) return m;
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    const long start_kib = ResidentKib();
    const auto t0 = std::chrono::steady_clock::now();
    const bool ok = op();
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    const double report[3] = {ok ? 1.0 : 0.0, s, static_cast<double>(ru.ru_maxrss - start_kib)};
    (void)!write(fds[1], report, sizeof report);
    _exit(0);
  }
  close(fds[1]);
  double report[3] = {0, 0, 0};
  const bool got = read(fds[0], report, sizeof report) == static_cast<ssize_t>(sizeof report);
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  m.ok = got && report[0] == 1.0 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
  m.seconds = report[1];
  m.peak_kib = static_cast<long>(report[2]);
  return m;
}

bool AllEqual(const torch::Tensor& t, int64_t n, float v) {
  return t.numel() == n && t.eq(v).all().item<bool>();
}

}  // namespace

int main(int argc, char** argv) {
  int64_t mib = 2304;
  std::string out;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a.rfind("--mib=", 0) == 0) {
      mib = std::stoll(a.substr(6));
    } else if (a.rfind("--out=", 0) == 0) {
      out = a.substr(6);
    } else {
      std::fprintf(stderr, "usage: large_memory [--mib=N] [--out=FILE]\n");
      return 2;
    }
  }
  at::set_num_threads(1);
  const int64_t n = mib << 18;  // float32 elements
  const float value = 3.0f;
  const torch::Tensor tensor = torch::full({n}, value, torch::kFloat);
  tsh::bench::ScratchDir dir;
  const std::string torch_path = dir.File("torch.pt");
  const std::string bridge_path = dir.File("bridge.pt");

  std::vector<Measure> runs;
  runs.push_back(InChild("save/torch_path", [&] {
    torch::save(tensor, torch_path);
    return true;
  }));
  runs.push_back(InChild("save/hardened_file", [&] {
    auto file = tsh::FileStream::Create(bridge_path);
    return file.ok() && tsh::SaveTensor(tensor, *file.value(), tsh::Mode::kHardened).ok();
  }));
  runs.push_back(InChild("load/torch_path", [&] {
    torch::Tensor t;
    torch::load(t, torch_path);
    return AllEqual(t, n, value);
  }));
  runs.push_back(InChild("load/hardened_file", [&] {
    auto file = tsh::FileStream::Open(bridge_path);
    if (!file.ok()) return false;
    tsh::Result<at::Tensor> t = tsh::LoadTensor(*file.value(), tsh::Mode::kHardened);
    return t.ok() && AllEqual(t.value(), n, value);
  }));

  const double bytes = static_cast<double>(n) * 4;
  bool all_ok = true;
  for (const Measure& m : runs) {
    all_ok = all_ok && m.ok;
    std::printf("%-20s %s  %7.2f s  %8.3f GB/s  peak +%ld MiB\n", m.name.c_str(),
                m.ok ? "ok    " : "FAILED", m.seconds, bytes / m.seconds / 1e9, m.peak_kib / 1024);
  }
  struct Ratio {
    const char* name;
    double value, goal;
    bool at_most;
  };
  const Ratio ratios[] = {
      {"save_peak_hardened_over_torch_path", static_cast<double>(runs[1].peak_kib) / runs[0].peak_kib, 1.05, true},
      {"load_peak_hardened_over_torch_path", static_cast<double>(runs[3].peak_kib) / runs[2].peak_kib, 1.05, true},
      {"save_throughput_hardened_over_torch_path", runs[0].seconds / runs[1].seconds, 0.95, false},
      {"load_throughput_hardened_over_torch_path", runs[2].seconds / runs[3].seconds, 0.95, false},
  };
  std::string json = "{\n  \"mib\": " + std::to_string(mib) + ",\n  \"operations\": {";
  for (size_t i = 0; i < runs.size(); ++i) {
    const Measure& m = runs[i];
    json += std::string(i ? "," : "") + "\n    \"" + m.name + "\": {\"ok\": " +
            (m.ok ? "true" : "false") + ", \"seconds\": " + std::to_string(m.seconds) +
            ", \"peak_kib\": " + std::to_string(m.peak_kib) + "}";
  }
  json += "\n  },\n  \"ratios\": {";
  for (size_t i = 0; i < sizeof ratios / sizeof ratios[0]; ++i) {
    const Ratio& r = ratios[i];
    const bool met = r.at_most ? r.value <= r.goal : r.value >= r.goal;
    std::printf("%-42s %.3f  goal %s %.2f: %s\n", r.name, r.value, r.at_most ? "<=" : ">=", r.goal,
                met ? "met" : "MISSED");
    json += std::string(i ? "," : "") + "\n    \"" + r.name + "\": {\"value\": " +
            std::to_string(r.value) + ", \"goal\": " + std::to_string(r.goal) +
            ", \"met\": " + (met ? "true" : "false") + "}";
  }
  json += "\n  }\n}\n";
  if (!out.empty()) std::ofstream(out) << json;
  return all_ok ? 0 : 1;
}
