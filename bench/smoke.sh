#!/usr/bin/env bash
# Bench smoke test (tests/suites.sh, "bench smoke"): bench/bench.c builds without
# warnings and `--quick` runs and prints both tables with every row, in both formats.
# Timings are never checked here: `make bench` is for that.
set -u
cd "$(dirname "$0")/.."
mkdir -p build
pass=0
fail=0
check() { # check DESCRIPTION COMMAND...
  local what=$1; shift
  if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $what"; fi
}

bin=build/bench_smoke
check "builds with -Wall -Wextra -pedantic -Werror" \
  gcc -O2 -fopenmp -Wall -Wextra -pedantic -Werror -I. -o "$bin" bench/bench.c -lm
if [ ! -x "$bin" ]; then echo "$pass passed, $((fail + 1)) failed"; exit 1; fi

out=$("./$bin" --quick 2>/dev/null); rc=$?
echo "$out"
check "--quick exits 0" test "$rc" -eq 0
# 8 shapes x fwd/bwd, at 1 thread and (on a multi-core machine) at all threads.
rows=$(echo "$out" | grep -cE '^[0-9x]+ +(fwd|bwd) +[0-9]+ ')
check "main table has 16 or 32 rows (got $rows)" test "$rows" -eq 16 -o "$rows" -eq 32
# ln_forward/ln_backward must succeed on every shape: no n/a in the main table.
na=$(echo "$out" | grep -E '^[0-9x]+ +(fwd|bwd) ' | grep -c 'n/a')
check "no n/a in the main table (got $na)" test "$na" -eq 0
for f in ln_rms_forward ln_rms_backward ln_add_forward ln_rms_add_forward ln_backward_acc \
         ln_rms_backward_acc ln_forward_strided ln_backward_strided; do
  check "variant row $f" grep -q "^$f " <<<"$out"
done

md=$("./$bin" --quick --markdown 2>/dev/null); rc=$?
check "--quick --markdown exits 0" test "$rc" -eq 0
check "--markdown prints Markdown tables" test "$(grep -c '^|---|' <<<"$md")" -eq 2

echo "bench-smoke: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
