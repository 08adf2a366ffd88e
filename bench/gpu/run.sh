#!/usr/bin/env bash
# The suite on a lent GPU machine: builds //bench:stream_bench with CMake
# against the CUDA LibTorch of the machine's PyTorch and runs its GPU and
# CPU cases, leaving JSON, the bench-compare table and logs under $OUT.
#
#   bench/gpu/run.sh prepare   on the Bazel machine: copies Debian's Google
#                              Benchmark (headers, shared library) into
#                              .device/gbench/ (ignored; carry it).
#   bench/gpu/run.sh           on the device: LIBTORCH_DIR defaults to the
#                              torch/ directory of `python3 -c 'import torch'`;
#                              OUT defaults to .device/out. BENCH_MAX_BYTES
#                              (default 256 MiB) bounds the CPU sizes.
# Fails with a message when LibTorch's _GLIBCXX_USE_CXX11_ABI is not the
# carried library's (Debian: 1), or the machine's C++ runtime is too old for it.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
gbench="${GBENCH_DIR:-$repo/.device/gbench}"
die() { echo "bench/gpu/run.sh: $*" >&2; exit 1; }

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

out="${OUT:-$repo/.device/out}"
mkdir -p "$out"
[[ -f "$gbench/lib/libbenchmark.so.1debian" ]] ||
  die "no $gbench: run 'bench/gpu/run.sh prepare' on the Bazel machine and carry .device/gbench"

if [[ -z "${LIBTORCH_DIR:-}" ]]; then
  LIBTORCH_DIR="$(python3 -c 'import os, torch; print(os.path.dirname(torch.__file__))')" ||
    die "no LIBTORCH_DIR and python3 cannot import torch"
  abi="$(python3 -c 'import torch; print(int(torch._C._GLIBCXX_USE_CXX11_ABI))')"
else
  # A LibTorch of its own: its C++ ABI shows in libc10's symbols.
  # grep -c reads all of nm's output: with pipefail, grep -q would fail on SIGPIPE.
  if [[ $(nm -D --defined-only "$LIBTORCH_DIR/lib/libc10.so" | grep -c __cxx11) -gt 0 ]]; then abi=1; else abi=0; fi
fi
[[ -d "$LIBTORCH_DIR/include/torch" && -d "$LIBTORCH_DIR/lib" ]] ||
  die "LIBTORCH_DIR=$LIBTORCH_DIR has no include/torch or lib/"
[[ "$abi" == 1 ]] ||
  die "LibTorch at $LIBTORCH_DIR uses _GLIBCXX_USE_CXX11_ABI=$abi; the carried libbenchmark uses 1 (std::string differs): use a PyTorch >= 2.6 wheel or a cxx11-ABI LibTorch"
if ldd "$gbench/lib/libbenchmark.so.1debian" 2>&1 | grep -q "not found"; then
  ldd "$gbench/lib/libbenchmark.so.1debian" >&2 || true
  die "the carried libbenchmark needs a newer glibc/libstdc++ (GLIBC_2.32, GLIBCXX_3.4.30) than this machine has"
fi

build="${BUILD_DIR:-$repo/.device/build}"
gen=()
command -v ninja >/dev/null && gen=(-G Ninja)
echo "LibTorch: $LIBTORCH_DIR (cxx11 ABI $abi)" | tee "$out/build.log"
cmake -S "$repo/bench/gpu" -B "$build" "${gen[@]}" -DCMAKE_BUILD_TYPE=Release \
  -DLIBTORCH_DIR="$LIBTORCH_DIR" -DGBENCH_DIR="$gbench" -DTORCH_CXX11_ABI="$abi" \
  >>"$out/build.log" 2>&1 || { tail -30 "$out/build.log"; die "cmake failed"; }
cmake --build "$build" -j "$(nproc)" >>"$out/build.log" 2>&1 ||
  { tail -40 "$out/build.log"; die "build failed"; }

bin="$build/stream_bench"
max="${BENCH_MAX_BYTES:-268435456}"
common=(--tsh_max_bytes="$max" --benchmark_repetitions=3
        --benchmark_report_aggregates_only=true --benchmark_out_format=json)
# GPU cases first and on their own, so that a slow CPU sweep cannot lose them.
"$bin" "${common[@]}" --benchmark_filter='/gpu/' --benchmark_min_time=0.2 \
  --benchmark_out="$out/gpu.json" 2>&1 | tee "$out/gpu.log"
timeout "${CPU_TIMEOUT_S:-330}" "$bin" "${common[@]}" --benchmark_filter='-/gpu/' \
  --benchmark_min_time=0.1 --benchmark_out="$out/cpu.json" >"$out/cpu.log" 2>&1 ||
  echo "CPU sweep failed or timed out: see cpu.log" | tee -a "$out/gpu.log"
for j in gpu cpu; do
  [[ -s "$out/$j.json" ]] || continue
  python3 "$repo/bench/bench_compare.py" "$out/$j.json" >"$out/$j.compare.txt" 2>&1 || true
  cat "$out/$j.compare.txt"
done
