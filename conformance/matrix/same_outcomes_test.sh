#!/usr/bin/env bash
# Two implementations' pins of one mode agree cell for cell on every
# LibTorch version: for each version folder V of REFERENCE, OTHER/V/FILE
# holds the same cells with the same outcomes as REFERENCE/V/FILE (their
# headers, which name the implementation, aside). A version pinned for one
# and not the other fails. Prints every differing cell.
# Usage (from BUILD): same_outcomes_test.sh REFERENCE OTHER FILE
set -uo pipefail
reference=$1
other=$2
file=$3
status=0
versions=$( (cd "$reference" && ls -d */) ; (cd "$other" && ls -d */) )
for v in $(echo "$versions" | tr -d / | sort -u); do
  if [[ ! -f "$reference/$v/$file" || ! -f "$other/$v/$file" ]]; then
    echo "same_outcomes_test: LibTorch $v: $reference/$v/$file or $other/$v/$file is missing"
    status=1
    continue
  fi
  if differences=$(diff <(grep -v '^#' "$reference/$v/$file") <(grep -v '^#' "$other/$v/$file")); then
    echo "same_outcomes_test: LibTorch $v: $(grep -vc '^#' "$other/$v/$file") cells, the same"
  else
    echo "same_outcomes_test: LibTorch $v: $other/$v/$file differs from $reference/$v/$file:"
    echo "$differences"
    status=1
  fi
done
exit $status
