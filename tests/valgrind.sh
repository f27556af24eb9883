#!/usr/bin/env bash
# The tests under valgrind memcheck: any invalid access, use of uninitialised memory or
# leak fails (--error-exitcode=1). Built with -O1 -g and without OpenMP, so that
# valgrind sees plain single-threaded code. valgrind does not emulate AVX-512, so the
# paths checked are scalar and AVX2 (the golden test prints them).
#   bash tests/valgrind.sh          golden test + core test (LN_TEST_QUICK=1): a few minutes
#   bash tests/valgrind.sh quick    golden test only (what `make test` runs)
# Prints "valgrind: N passed, M failed".
set -u
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null 2>&1 || { echo "valgrind not found (apt-get install valgrind)"; echo "valgrind: 0 passed, 1 failed"; exit 1; }
CC=${CC:-gcc}
mkdir -p build/valgrind
tests="test_golden test_core"
[ "${1:-}" = quick ] && tests="test_golden"
export LN_TEST_QUICK=1
pass=0 fail=0
for t in $tests; do
  if ! $CC -std=c99 -O1 -g -Wall -Wextra -pedantic -Werror -I. -o "build/valgrind/$t.$$" "tests/$t.c" -lm ||
     ! mv -f "build/valgrind/$t.$$" "build/valgrind/$t"; then
    echo "$t: compile failed"; fail=$((fail + 1)); continue
  fi
  start=$SECONDS
  valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
    "build/valgrind/$t" >"build/valgrind/$t.log" 2>&1
  rc=$?
  grep -E '^golden:' "build/valgrind/$t.log"
  line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "build/valgrind/$t.log" | tail -n 1)
  echo "$t under memcheck ($((SECONDS - start)) s): ${line:-no summary line}, exit $rc"
  if [ "$rc" -eq 99 ] || grep -q '^==[0-9]*== ' "build/valgrind/$t.log"; then
    grep -E '^==[0-9]+== ' "build/valgrind/$t.log" | head -n 30
    fail=$((fail + 1))          # a memcheck error, whatever the test itself said
  elif [ -n "$line" ] && [ "$rc" -eq 0 ]; then
    pass=$((pass + 1))
  else
    tail -n 5 "build/valgrind/$t.log"; fail=$((fail + 1))
  fi
done
echo "valgrind: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
