#!/bin/bash -eu
# Builds the fuzzers without Bazel, as OSS-Fuzz / ClusterFuzzLite expect:
# compiles with $CXX $CXXFLAGS, links with $CXX $LIB_FUZZING_ENGINE, and
# puts each fuzzer in $OUT beside <name>_seed_corpus.zip, <name>.dict and
# <name>.options. LibTorch's shared libraries (and what they need beyond the
# base image) are copied to $OUT/lib, found through an $ORIGIN rpath, since
# the runner image has no libtorch-dev.
#
# Where the source of that LibTorch is unpacked in $LIBTORCH_SOURCE (the
# Dockerfile fetches it), the fuzzers that read through LibTorch also link
# its readers compiled from it with $CXXFLAGS, which interpose
# libtorch_cpu's own (third_party/libtorch_source/libtorch_source.bzl, whose
# READERS list this reads): libFuzzer then sees inside LibTorch.
SRC_DIR=${SRC_DIR:-$SRC/tensor-stream}
LIBTORCH_SOURCE=${LIBTORCH_SOURCE:-$SRC/pytorch-source}
cd "$SRC_DIR"
BUILD=${WORK:-/tmp}/tsh-cfl-build
mkdir -p "$BUILD" "$OUT/lib"
FLAGS=(-std=c++17 -I. -I/usr/include/torch/csrc/api/include)

FUZZERS=(callbacks_fuzzer read_faults_fuzzer write_faults_fuzzer archive_fuzzer
         container_fuzzer pickle_fuzzer)
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

# LibTorch's readers, as the Bazel rule compiles them: the installed
# headers first, then the source's internal ones, miniz as LibTorch's
# build configures it; UBSan's vptr and pointer-overflow checks off
# (libtorch_source.bzl says why).
READERS=()
if [[ -d $LIBTORCH_SOURCE/caffe2/serialize ]]; then
  miniz=$(cd "$LIBTORCH_SOURCE" && echo third_party/miniz-*)
  mkdir -p "$BUILD/readers-include/caffe2/core"
  # The CMake-configured header, from its template, with the installed
  # LibTorch's version.
  version() { sed -n "s/^#define TORCH_VERSION_$1 //p" /usr/include/torch/csrc/api/include/torch/version.h; }
  [[ -f $LIBTORCH_SOURCE/caffe2/core/macros.h.in ]] &&
    sed -E -e 's|^#cmakedefine (\S+).*|/* #undef \1 */|' \
      -e "s/@CAFFE2_VERSION_MAJOR@/$(version MAJOR)/" -e "s/@CAFFE2_VERSION_MINOR@/$(version MINOR)/" \
      -e "s/@CAFFE2_VERSION_PATCH@/$(version PATCH)/" "$LIBTORCH_SOURCE/caffe2/core/macros.h.in" \
      >"$BUILD/readers-include/caffe2/core/macros.h"
  READER_FLAGS=("${FLAGS[@]}" -idirafter "$BUILD/readers-include" -idirafter "$LIBTORCH_SOURCE"
                -I"$LIBTORCH_SOURCE/$miniz" -DMINIZ_DISABLE_ZIP_READER_CRC32_CHECKS
                -fno-sanitize=vptr -fno-sanitize=pointer-overflow -w)
  for f in $(sed -n '/^READERS = \[/,/^\]/p' third_party/libtorch_source/libtorch_source.bzl |
             grep -o '"[^"]*"' | tr -d '"'); do
    f=${f/\{miniz\}/$miniz}
    o="$BUILD/readers_$(echo "$f" | tr / _).o"
    case $f in
      *.c) $CC $CFLAGS -I"$LIBTORCH_SOURCE/$miniz" -DMINIZ_DISABLE_ZIP_READER_CRC32_CHECKS \
             -fno-sanitize=pointer-overflow -w -c "$LIBTORCH_SOURCE/$f" -o "$o" ;;
      *) $CXX $CXXFLAGS "${READER_FLAGS[@]}" -c "$LIBTORCH_SOURCE/$f" -o "$o" ;;
    esac
    READERS+=("$o")
  done
fi
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
link read_faults_fuzzer "${SUPPORT[@]}" "${READERS[@]}"
link write_faults_fuzzer "${SUPPORT[@]}"
link archive_fuzzer "$(obj fuzz/zip_fields.cc)" "${READERS[@]}"
link container_fuzzer "${READERS[@]}"
link pickle_fuzzer "${READERS[@]}"

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
