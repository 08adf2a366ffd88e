#!/usr/bin/env bash
# The seven callbacks must be exported under tch-rs's exact C names: LibTorch's
# side (and any other implementation's users) links against them by name.
set -euo pipefail

# Bazel hands the library over as an archive, a shared object or both;
# whichever is in the runfiles is checked.
lib=""
for f in "$@"; do
  [[ -f "$f" ]] && lib="$f"
done
[[ -n "$lib" ]] || { echo "no callbacks library among: $*"; exit 1; }
echo "checking $lib"

defined=$(nm --defined-only "$lib" | awk '$2 == "T" { print $3 }')
missing=0
for sym in tch_write_stream_destructor tch_write_stream_write \
           tch_read_stream_destructor tch_read_stream_stream_position \
           tch_read_stream_seek_start tch_read_stream_seek_end \
           tch_read_stream_read; do
  if grep -qx "$sym" <<<"$defined"; then
    echo "ok      $sym"
  else
    echo "MISSING $sym (unmangled, global text symbol)"
    missing=1
  fi
done
exit $missing
