#!/usr/bin/env bash
# CI: builds the libFuzzer targets of fuzz/ with clang (ASan + UBSan, in build-fuzz) and runs each
# for a bounded time on a scratch copy of its seed corpus in fuzz/corpus/<target>/ (the
# repository's corpus is never grown here), one per core at a time (RX_FUZZ_JOBS). Any crash,
# leak, sanitizer report, timeout or out-of-memory fails the job; the reproducer is left in
# build-fuzz/findings/<target>/.
#   .ci/fuzz.sh [seconds per target, default 60] [target ...]
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(fuzz_config fuzz_override fuzz_npy fuzz_npz)
build=${RX_FUZZ_BUILD_DIR:-build-fuzz}

CC=clang cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRX_FUZZ=ON -DRX_WERROR=ON -DRX_SANITIZE=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" --target "${targets[@]}"

export ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export OMP_NUM_THREADS=1
# Each target is one single-threaded process: RX_FUZZ_JOBS of them (default: one per core) run
# side by side, each with a core of its own for its seconds.
jobs=${RX_FUZZ_JOBS:-$(nproc)}
fuzz_one() {
  local t=$1 work="$build/fuzz-work/$1" findings="$build/findings/$1"
  rm -rf "$work" && mkdir -p "$work" "$findings"
  cp -r "fuzz/corpus/$t/." "$work/"
  echo "$(ls "$work" | wc -l)" >"$build/$t.seeds"
  # -timeout: one input taking over 10 s is a hang; -rss_limit_mb: the loaders must refuse huge
  # claims instead of allocating (2 GiB is far above any legitimate small input's needs).
  # A fixed seed (RX_FUZZ_SEED, default 1) makes the CI gate reproducible: a run explores a prefix of
  # the same input sequence on every machine; set another seed to explore further by hand.
  "$build/fuzz/$t" -seed="${RX_FUZZ_SEED:-1}" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$findings/" "$work" 2>"$build/$t.log"
}
for t in "${targets[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
  rm -f "$build/$t.status"
  (if fuzz_one "$t"; then echo 0; else echo $?; fi >"$build/$t.status") &
done
wait
status=0
for t in "${targets[@]}"; do
  echo "== $t: ${seconds}s on $(cat "$build/$t.seeds" 2>/dev/null || echo '?') seed inputs"
  if [ "$(cat "$build/$t.status" 2>/dev/null)" != 0 ]; then
    status=1
    echo "!! $t FAILED; last lines of $build/$t.log:"
    tail -40 "$build/$t.log"
    ls -l "$build/findings/$t"
  else
    grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$build/$t.log" | tr '\n' ' '
    echo
  fi
done
exit $status
