#!/bin/bash
# Runs one fuzz target (built with --config=fuzz) on a scratch copy of its
# committed corpus, with its dictionary and options; fuzz.bzl's <name>_run.
# Usage: run_fuzzer.sh FUZZER CORPUS_DIR|- DICT|- OPTIONS|- [libFuzzer flags...]
# New inputs land in the scratch copy ($TSH_FUZZ_WORKDIR, else a temp dir),
# never in the source tree: tools/fuzz merges them back with -merge=1.
set -euo pipefail
fuzzer=$1 corpus=$2 dict=$3 options=$4
shift 4
work=${TSH_FUZZ_WORKDIR:-$(mktemp -d)}
mkdir -p "$work/corpus"
if [[ $corpus != - ]]; then cp -n "$corpus"/* "$work/corpus/" 2>/dev/null || true; fi
flags=()
if [[ $dict != - ]]; then flags+=("-dict=$dict"); fi
if [[ $options != - ]]; then
  # The OSS-Fuzz .options format: "key = value" lines under [libfuzzer].
  section=
  while IFS='=' read -r key value; do
    key=${key// /}
    value=${value# }
    if [[ $key == \[* ]]; then section=$key; continue; fi
    [[ $section != "[libfuzzer]" || -z $key || $key == \#* ]] && continue
    flags+=("-$key=$value")
  done <"$options"
fi
echo "corpus copy: $work/corpus" >&2
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=${BUILD_WORKSPACE_DIRECTORY:-$PWD}/testdata/lsan.supp:print_suppressions=0}
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
exec "$fuzzer" "${flags[@]}" "$@" "$work/corpus"
