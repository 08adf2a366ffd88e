#!/usr/bin/env bash
# Reruns the whole fault matrix and fails on any outcome that differs from
# the pins (printing each difference), and on any hardened cell that
# aborts, loses data, hangs or mishandles ownership. Then replays every
# finding's reproducer, which must still show the outcome it records.
# Usage (from BUILD): fault_matrix_test.sh FAULT_MATRIX PIN_DIR FINDING.json...
set -euo pipefail
matrix=$1
pins=$2
shift 2
out=${TEST_UNDECLARED_OUTPUTS_DIR:-$(mktemp -d)}
status=0
"$matrix" --check_pins="$pins" --out="$out" || status=1
if [[ $status -ne 0 ]]; then
  echo "fault_matrix_test: outcomes changed. If the change is intended, regenerate the pins:"
  echo "  bazel run [--config=torch2] //conformance/matrix:fault_matrix -- --pin_dir=\$PWD/testdata/fault_matrix"
fi
for finding in "$@"; do
  "$matrix" --replay="$finding" || { echo "fault_matrix_test: $finding no longer reproduces"; status=1; }
done
exit $status
