#!/usr/bin/env bash
# Builds and runs the libFuzzer target fuzz/fuzz_layernorm.c.
#   bash fuzz/run.sh fuzz [SECONDS]   fuzz for SECONDS (default $FUZZ_SECONDS or 60), starting
#                                     from the committed corpus; new inputs go to build/fuzz/corpus
#   bash fuzz/run.sh corpus           run the committed corpus once (the make test suite)
# Failing inputs are written to build/fuzz/ (crash-*, leak-*, timeout-*); replay one with
#   build/fuzz/fuzz_layernorm build/fuzz/crash-...   (FUZZ_VERBOSE=1 prints the decoded call;
#   the corpus mode builds build/fuzz/fuzz_layernorm_O0)
# Needs clang with its fuzzer runtime (Debian: clang, libclang-rt-14-dev).
set -u
cd "$(dirname "$0")/.."
mode=${1:-fuzz}
secs=${2:-${FUZZ_SECONDS:-60}}
CLANG=${CLANG:-clang}
out=build/fuzz
bin=$out/fuzz_layernorm
opt=-O1
# the corpus alone (the make test suite): an -O0 build, which compiles in half the time
# (the same checks; its 600-odd inputs run in about 2 s either way)
[ "$mode" = corpus ] && bin=$out/fuzz_layernorm_O0 opt=-O0
mkdir -p "$out/corpus"

if [ ! -x "$bin" ] || [ "$bin" -ot layernorm.h ] || [ "$bin" -ot fuzz/fuzz_layernorm.c ]; then
  # (built under a temporary name, then renamed: others may run this in the same tree)
  $CLANG -gline-tables-only $opt -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -Wall -Wextra -Werror -I. -o "$bin.$$" fuzz/fuzz_layernorm.c -lm && mv -f "$bin.$$" "$bin" || exit 2
fi

case "$mode" in
  corpus)
    n=$(ls fuzz/corpus | wc -l)
    if "$bin" -artifact_prefix="$out/" fuzz/corpus/* >"$out/corpus.log" 2>&1; then
      echo "fuzz-corpus: $n passed, 0 failed"
    else
      grep -E 'FUZZ CHECK|ERROR|SUMMARY|runtime error|Running:' "$out/corpus.log" | tail -n 8
      echo "fuzz-corpus: 0 passed, 1 failed"
      exit 1
    fi
    ;;
  fuzz)
    echo "fuzzing for $secs s (corpus: fuzz/corpus + $out/corpus; failures: $out/)"
    # -timeout: one input taking over 10 s is a hang; -rss_limit_mb: leave room under ASan.
    "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="$out/" "$out/corpus" fuzz/corpus 2>&1 | tee "$out/fuzz.log" |
      grep -E '^#[0-9]+[[:space:]]+(INITED|DONE)|FUZZ CHECK|ERROR|SUMMARY|runtime error|Test unit written|stat::number_of_executed_units'
    rc=${PIPESTATUS[0]}
    if [ "$rc" -eq 0 ]; then echo "fuzz: 1 passed, 0 failed"; else echo "fuzz: 0 passed, 1 failed"; fi
    exit "$rc"
    ;;
  *) echo "usage: $0 fuzz [SECONDS] | corpus" >&2; exit 2 ;;
esac
