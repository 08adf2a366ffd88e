#!/bin/bash
# Builds layout_roundtrip_test and abi_layout_roundtrip_test against a CUDA
# LibTorch (the one inside the Python torch package) without Bazel, and runs
# them, so that their DeviceZeroLoadsOnCuda cases run instead of skipping.
# Made for the lent GPU machines (no Bazel, no Debian packages there): copy
# GoogleTest's sources beside the tree first, carry that folder, then run
#   mkdir -p .device/roundtrip_gtest
#   cp -r /usr/src/googletest/googletest/{include,src} .device/roundtrip_gtest/
#   (device) bash conformance/roundtrip/run_layout_tests_on_cuda.sh .device/roundtrip_gtest
# JUnit XML goes to $OUT (or /tmp). Exit status: non-zero if a build or a
# test fails.
set -euo pipefail
G=${1:?usage: run_layout_tests_on_cuda.sh GTEST_DIR}
OUTDIR=${OUT:-/tmp}
T=$(python3 -c 'import torch, os; print(os.path.dirname(torch.__file__))')
ABI=$(python3 -c 'import torch; print(int(torch._C._GLIBCXX_USE_CXX11_ABI))')
python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.cuda.is_available())'
export CXX=${CXX:-g++} B=$(mktemp -d)
export FLAGS="-std=c++17 -O1 -w -D_GLIBCXX_USE_CXX11_ABI=$ABI -I. -I$T/include -I$T/include/torch/csrc/api/include -I$G/include -I$G"
COMMON="bridge/result.cc bridge/io.cc bridge/cursor.cc bridge/callbacks.cc bridge/stream_failure.cc bridge/write_adapter.cc bridge/read_adapter.cc bridge/hardened_write_adapter.cc bridge/hardened_read_adapter.cc bridge/torch_api.cc conformance/testing/tensors.cc $G/src/gtest-all.cc $G/src/gtest_main.cc"
SAFE="bridge/tensor_io.cc conformance/roundtrip/layout_roundtrip_test.cc"
ABIS="conformance/impl/bridge_impl.cc conformance/testing/harness_stream.cc conformance/roundtrip/abi_round_trip.cc conformance/roundtrip/abi_layout_roundtrip_test.cc"
obj() { for f in "$@"; do echo "$B/$(echo "$f" | tr / _).o"; done; }
echo $COMMON $SAFE $ABIS | tr ' ' '\n' | xargs -P"$(nproc)" -I{} sh -c '$CXX $FLAGS -c {} -o $B/$(echo {} | tr / _).o'
LIBS="-L$T/lib -Wl,--no-as-needed -ltorch_cuda -ltorch -ltorch_cpu -lc10_cuda -lc10 -Wl,--as-needed -Wl,-rpath,$T/lib -pthread"
$CXX -o "$B/layout" $(obj $COMMON $SAFE) $LIBS
$CXX -o "$B/abi_layout" $(obj $COMMON $ABIS) $LIBS
"$B/layout" --gtest_output="xml:$OUTDIR/layout.xml"
"$B/abi_layout" --gtest_output="xml:$OUTDIR/abi_layout.xml"
