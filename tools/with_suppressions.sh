#!/usr/bin/env bash
# Runs a test (its command line follows) with the sanitizers' suppressions
# for LibTorch's own reports: LeakSanitizer's (testdata/lsan.supp) and
# ThreadSanitizer's (testdata/tsan.supp), each line with its reason.
# .bazelrc's asan and tsan configs run every test under it (--run_under),
# because the sanitizers need the files' absolute paths and tests run in
# their runfiles tree.
set -euo pipefail
for dir in "$0.runfiles/tensor_stream/testdata" "${TEST_SRCDIR:-/nonexistent}/tensor_stream/testdata"; do
  if [[ -f "$dir/lsan.supp" && -f "$dir/tsan.supp" ]]; then
    dir=$(cd "$dir" && pwd)
    export LSAN_OPTIONS="suppressions=$dir/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
    export TSAN_OPTIONS="suppressions=$dir/tsan.supp:print_suppressions=0${TSAN_OPTIONS:+:$TSAN_OPTIONS}"
    exec "$@"
  fi
done
echo "with_suppressions: testdata/lsan.supp and tsan.supp not found beside $0" >&2
exit 1
