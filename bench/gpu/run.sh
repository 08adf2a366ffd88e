#!/usr/bin/env bash
# Google Benchmark for //bench:stream_bench built without Bazel, on a machine
# with a CUDA PyTorch and no Bazel (tools/gpu/run builds the binary from the
# sources tools/gpu/prepare lists in out/gpu/targets.txt).
#
#   bench/gpu/run.sh prepare
#       On the Bazel machine (tools/gpu/prepare calls it): copies Debian's
#       Google Benchmark 1.7.1 (headers and shared library; Debian ships no
#       static one, and it is built with _GLIBCXX_USE_CXX11_ABI=1) into
#       out/gpu/gbench/, against which tools/gpu/run compiles and links
#       stream_bench.
#   bench/gpu/run.sh BINARY [RESULTS_DIR]
#       Runs a stream_bench binary: its GPU cases first and on their own, so
#       that a slow CPU sweep cannot lose them, then the CPU sweep up to
#       BENCH_MAX_BYTES (default 256 MiB) within CPU_TIMEOUT_S seconds
#       (default 330). Writes into RESULTS_DIR (default
#       out/gpu/results/bench): gpu.json and cpu.json (Google Benchmark JSON),
#       gpu.compare.txt and cpu.compare.txt (tools/bench-compare tables),
#       gpu.log and cpu.log.
# GBENCH_DIR overrides out/gpu/gbench.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
gbench="${GBENCH_DIR:-$repo/out/gpu/gbench}"
die() { echo "bench/gpu/run.sh: $*" >&2; exit 1; }
usage="usage: bench/gpu/run.sh prepare | bench/gpu/run.sh BINARY [RESULTS_DIR]"

if [[ "${1:-}" == "prepare" ]]; then
  lib=/usr/lib/x86_64-linux-gnu/libbenchmark.so.1.7.1
  [[ -f "$lib" && -d /usr/include/benchmark ]] || die "install libbenchmark-dev (tools/setup)"
  rm -rf "$gbench"
  mkdir -p "$gbench/include" "$gbench/lib"
  cp -r /usr/include/benchmark "$gbench/include/"
  # Under its SONAME: the binary then finds it through its rpath.
  cp "$lib" "$gbench/lib/libbenchmark.so.1debian"
  echo "prepared $gbench (Google Benchmark 1.7.1, _GLIBCXX_USE_CXX11_ABI=1)"
  exit 0
fi

[[ $# -ge 1 && $# -le 2 && "$1" != -* ]] || die "$usage"
bin="$1"
out="${2:-$repo/out/gpu/results/bench}"
[[ -x "$bin" ]] || die "no executable $bin (tools/gpu/run builds it)"
mkdir -p "$out"
rm -f "$out"/{gpu,cpu}.{json,compare.txt,log}

max="${BENCH_MAX_BYTES:-268435456}"
common=(--tsh_max_bytes="$max" --benchmark_repetitions=3
        --benchmark_report_aggregates_only=true --benchmark_out_format=json)
# A binary built against LibTorch 2.11 (CUDA) has ended with SIGSEGV after
# writing complete results (bench/RESULTS.md): report the status, go on.
"$bin" "${common[@]}" --benchmark_filter='/gpu/' --benchmark_min_time=0.2 \
  --benchmark_out="$out/gpu.json" 2>&1 | tee "$out/gpu.log" ||
  echo "GPU run exited with status $?" | tee -a "$out/gpu.log"
timeout "${CPU_TIMEOUT_S:-330}" "$bin" "${common[@]}" --benchmark_filter='-/gpu/' \
  --benchmark_min_time=0.1 --benchmark_out="$out/cpu.json" >"$out/cpu.log" 2>&1 ||
  echo "CPU sweep failed or timed out (status $?): see cpu.log" | tee -a "$out/gpu.log"
for j in gpu cpu; do
  [[ -s "$out/$j.json" ]] || continue
  python3 "$repo/bench/bench_compare.py" "$out/$j.json" >"$out/$j.compare.txt" 2>&1 || true
  cat "$out/$j.compare.txt"
done
