#!/usr/bin/env bash
# Runs a test (its command line follows) with LeakSanitizer suppressions for
# LibTorch's own leaks (testdata/lsan.supp, each line with its reason).
# .bazelrc's asan config runs every test under it (--run_under), because
# LSAN_OPTIONS needs the file's absolute path and tests run in their
# runfiles tree.
set -euo pipefail
for candidate in "$0.runfiles/tensor_stream/testdata/lsan.supp" \
                 "${TEST_SRCDIR:-/nonexistent}/tensor_stream/testdata/lsan.supp"; do
  if [[ -f "$candidate" ]]; then
    supp=$(cd "$(dirname "$candidate")" && pwd)/lsan.supp
    export LSAN_OPTIONS="suppressions=$supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
    exec "$@"
  fi
done
echo "with_lsan_suppressions: testdata/lsan.supp not found beside $0" >&2
exit 1
