# Sourced by tests/arm.sh and tests/cross32.sh: build a test for another target, run it
# under qemu-user, and add its "N passed, M failed" to the caller's $pass and $fail.

# cross_build BIN SOURCE COMPILER FLAGS... : static build to BIN; the compiler's output is
# shown only when it fails (static libgomp warns about dlopen, harmlessly).
cross_build() {
  local bin=$1 src=$2; shift 2
  if ! "$@" -static -I. -o "$bin.$$" "$src" -lm >"$bin.cc.log" 2>&1 || ! mv -f "$bin.$$" "$bin"; then
    cat "$bin.cc.log"; echo "$src ($bin): cross-compile failed"; fail=$((fail + 1)); return 1
  fi
}

# emulated_run LABEL BIN QEMU : run BIN under QEMU (log in BIN.log), print its failures and
# summary line, add its counts (a crash or a missing summary counts as one failure).
emulated_run() {
  local label=$1 bin=$2 qemu=$3 start=$SECONDS rc line p f
  $qemu "$bin" >"$bin.log" 2>&1
  rc=$?
  grep -E '^(golden:|FAIL|quick)|largest error' "$bin.log" | head -n 20
  line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$bin.log" | tail -n 1)
  echo "$label, $((SECONDS - start)) s: ${line:-no summary line, exit $rc}"
  if [ -n "$line" ]; then
    p=${line%% passed*}; f=${line#*passed, }; f=${f%% failed*}
    pass=$((pass + p)); fail=$((fail + f))
    [ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && fail=$((fail + 1))
  else
    tail -n 5 "$bin.log"; fail=$((fail + 1))
  fi
  return 0
}
