#!/usr/bin/env bash
# Compiles each public C header given (callbacks.h, torch_api.h, impl_abi.h)
# as C11 on its own, with every warning an error: C programs and other
# implementations (a Rust shim's build, a plain-C implementation) include
# them. Usage: c_headers_test.sh HEADER...
set -euo pipefail
cc=$(command -v clang-14 || command -v clang || command -v cc)
status=0
for h in "$@"; do
  if "$cc" -x c -std=c11 -Wall -Wextra -Werror -pedantic -fsyntax-only -I. \
      -include "$h" /dev/null; then
    echo "ok   $h"
  else
    echo "FAIL $h does not compile as C11"
    status=1
  fi
done
exit $status
