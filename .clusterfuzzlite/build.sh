#!/bin/bash -eu
# Builds the fuzzers without Bazel, as OSS-Fuzz / ClusterFuzzLite expect:
# compiles with $CXX $CXXFLAGS, links with $CXX $LIB_FUZZING_ENGINE, and
# puts each fuzzer in $OUT beside <name>_seed_corpus.zip, <name>.dict and
# <name>.options. LibTorch's shared libraries (and what they need beyond the
# base image) are copied to $OUT/lib, found through an $ORIGIN rpath, since
# the runner image has no libtorch-dev.
SRC_DIR=${SRC_DIR:-$SRC/tensor-stream}
cd "$SRC_DIR"
BUILD=${WORK:-/tmp}/tsh-cfl-build
mkdir -p "$BUILD" "$OUT/lib"
FLAGS=(-std=c++17 -I. -I/usr/include/torch/csrc/api/include)

FUZZERS=(callbacks_fuzzer read_faults_fuzzer write_faults_fuzzer archive_fuzzer)
# The bridge's sources, without its unit tests (GoogleTest programs).
BRIDGE_SOURCES=()
for s in bridge/*.cc; do [[ $s == *_test.cc ]] || BRIDGE_SOURCES+=("$s"); done
SOURCES=("${BRIDGE_SOURCES[@]}" testing/tensors.cc testing/fixed_archives.cc
         fuzz/fault_schedule.cc fuzz/zip_fields.cc)
for f in "${FUZZERS[@]}"; do SOURCES+=("fuzz/$f.cc"); done

# One object a source, in parallel (LibTorch translation units are slow).
printf '%s\n' "${SOURCES[@]}" | xargs -P "$(nproc)" -I{} sh -c \
  'o="$0/$(echo {} | tr / _).o"; exec '"$CXX $CXXFLAGS ${FLAGS[*]}"' -c {} -o "$o"' "$BUILD"

obj() { echo "$BUILD/$(echo "$1" | tr / _).o"; }
BRIDGE=()
for s in "${BRIDGE_SOURCES[@]}"; do BRIDGE+=("$(obj "$s")"); done
TORCH_LIBS=(-ltorch -ltorch_cpu -lc10)
LINK=(-Wl,-rpath,'$ORIGIN/lib' -pthread)

link() {  # name, extra objects...
  local name=$1
  shift
  $CXX $CXXFLAGS "$(obj "fuzz/$name.cc")" "$@" "${BRIDGE[@]}" \
    $LIB_FUZZING_ENGINE "${TORCH_LIBS[@]}" "${LINK[@]}" -o "$OUT/$name"
}
SUPPORT=("$(obj testing/tensors.cc)" "$(obj testing/fixed_archives.cc)"
         "$(obj fuzz/fault_schedule.cc)")
link callbacks_fuzzer
link read_faults_fuzzer "${SUPPORT[@]}"
link write_faults_fuzzer "${SUPPORT[@]}"
link archive_fuzzer "$(obj fuzz/zip_fields.cc)"

# Runtime libraries the runner lacks: everything the fuzzers load from
# outside the C runtime.
for f in "${FUZZERS[@]}"; do ldd "$OUT/$f"; done | awk '/=> \//{print $3}' | sort -u |
  grep -vE '/(libc|libm|libpthread|libdl|librt|libgcc_s|ld-linux[^/]*)\.so' |
  while read -r lib; do cp -L "$lib" "$OUT/lib/"; done

for f in "${FUZZERS[@]}"; do
  (cd "testdata/$f/corpus" && zip -q -j "$OUT/${f}_seed_corpus.zip" ./*)
  [[ -f testdata/$f/$f.dict ]] && cp "testdata/$f/$f.dict" "$OUT/"
  [[ -f testdata/$f/$f.options ]] && cp "testdata/$f/$f.options" "$OUT/"
done
