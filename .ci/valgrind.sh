#!/usr/bin/env bash
# CI: the whole CTest suite under valgrind memcheck, in its own build (build-valgrind,
# RelWithDebInfo, no sanitizers). Each test executable runs under valgrind, and so does every
# reactivate binary a test starts (children are traced through the shell; system tools, python
# and chromium are not). Fails on any test failure, memory error, or definite/indirect leak.
# Suppressed: only third-party noise, listed with reasons in .ci/valgrind.supp.
#   .ci/valgrind.sh [ctest -R regex]
# RX_TEST_SMALL=1 is set so the slowest tests use smaller sizes (every assertion still holds).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
build=${RX_VALGRIND_BUILD_DIR:-build-valgrind}
# Not the README's Release build: it is tuned for the CPU it runs on (-march=native), and
# valgrind's CPU model lacks some of those instructions (SIGILL).
build_type=RelWithDebInfo
jobs=${RX_VALGRIND_JOBS:-$(nproc)}
filter=${1:-.}

cmake -S . -B "$build" -DCMAKE_BUILD_TYPE="$build_type" -DRX_SANITIZE=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" >/dev/null

logs="$root/$build/valgrind"
rm -rf "$logs" && mkdir -p "$logs"
# Not python_module: it is the interpreter running pytest, not a test executable of the build
# (run_one starts ./<test>), and the interpreter under memcheck would take many minutes; the
# flat API it calls is run here by test_capi, and the module's own memory test bounds growth.
# Not test_plan_mpi: its processes are mpirun and the MPI ranks it starts (system tools and
# this binary over OpenMPI's shared-memory transport); OpenMPI under memcheck reports its own
# uninitialised buffers and keeps allocations until exit, and three ranks plus their steps
# would take many minutes. The executor it drives runs here through test_reproduce, and
# test_plan_mpi runs in the Release and ASan builds.
tests=$(cd "$build" && ctest -N -R "$filter" | sed -n 's/^ *Test *#[0-9]*: //p' |
  grep -vx -e python_module -e test_plan_mpi || true)
[ -n "$tests" ] || { echo "no tests match '$filter'"; exit 1; }

export RX_TEST_SMALL=1
# One OpenMP thread by default: valgrind runs one thread at a time, so a second one only adds
# hand-overs (a spinning OpenMP worker made tests ~20x slower). The tests that compare 1 and 2
# threads set their counts themselves (rx_set_threads, omp_set_num_threads) and still run both;
# passive waiting keeps those regions cheap.
export OMP_NUM_THREADS=1
export OMP_WAIT_POLICY=passive
export REACTIVATE_BLAS_AUTO=0  # no re-exec of the CLI for another OpenBLAS kernel
export GLIBC_TUNABLES=glibc.malloc.tcache_count=0 # no per-thread caches hiding use-after-free
# Word-split in run_one (with globbing off): no option may contain spaces.
VG_OPTS="--tool=memcheck --error-exitcode=99 --leak-check=full
  --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect
  --suppressions=$root/.ci/valgrind.supp --gen-suppressions=all --num-callers=40
  --trace-children=yes --trace-children-skip=/usr/*,/sbin/*,*python*,*chromium*
  --child-silent-after-fork=yes"

# One test, from the build directory as ctest runs it; a log per process (the test, and each
# shell and CLI it starts).
run_one() {
  set -f
  local t=$1 start rc=0 cpu TIMEFORMAT='%U %S' skip=
  # Each command is memchecked by its own tests (train: test_cli, test_trajectories; analyze:
  # test_analyze, test_cli, test_probes; figures: test_figures*). Where a test only runs one as
  # a fixture or as a step of a plan, that child runs natively: cairo's drawing under memcheck
  # cost test_reproduce alone ~60 % of its CPU, for code test_figures already checks. The
  # plan-level tests still memcheck the executor, the plan and the report themselves.
  case $t in
    test_figures*) skip=--trace-children-skip-by-arg=train,analyze ;;
    test_reproduce | test_sweep) skip=--trace-children-skip-by-arg=train,analyze,figures ;;
    *) skip=--trace-children-skip-by-arg=figures ;;
  esac
  start=$(date +%s)
  # CPU seconds (user + system) of the test and every process it started
  cpu=$( { time (cd "$build" && timeout 1800 valgrind $VG_OPTS $skip --log-file="$logs/$t.%p.log" \
    "./$t" >"$logs/$t.out" 2>&1); } 2>&1 ) || rc=$?
  cpu=$(echo "$cpu" | awk '{printf "%.0f", $1 + $2}')
  local secs=$(($(date +%s) - start))
  echo "$rc $secs $t $cpu" >>"$logs/summary"
  printf '%-22s %4ds wall %5ds CPU  exit %d\n' "$t" "$secs" "$cpu" "$rc"
}
export -f run_one
export build logs VG_OPTS

t0=$(date +%s)
# Longest first by CPU seconds (those of the previous run, kept in the build directory; in a
# fresh build those of .ci/valgrind-times, a whole run's summary), so the workers finish
# together: the ctest order would start the longest test late.
times="$build/valgrind-times"
[ -f "$times" ] || times="$root/.ci/valgrind-times"
order=$(for t in $tests; do
  s=$(awk -v t="$t" '$3 == t {print $4}' "$times" 2>/dev/null || true)
  echo "${s:-0} $t"
done | sort -rn | awk '{print $2}')
printf '%s\n' $order | xargs -P "$jobs" -I{} bash -c 'run_one {}'
# this run's times, and those of the tests it did not run from before
{ cat "$logs/summary"
  [ -f "$build/valgrind-times" ] && awk 'NR == FNR {ran[$3] = 1; next} !($3 in ran)' \
    "$logs/summary" "$build/valgrind-times"
} >"$logs/times" || true
mv "$logs/times" "$build/valgrind-times"
echo "valgrind suite: $(($(date +%s) - t0))s wall, $(awk '{s += $4} END {print s}' "$logs/summary")s" \
  "CPU for $(echo $tests | wc -w) tests, $jobs at a time"

status=0
while read -r rc secs t _; do
  if [ "$rc" != 0 ]; then
    status=1
    echo "!! $t exited $rc; its output ($logs/$t.out):"
    tail -20 "$logs/$t.out"
  fi
done <"$logs/summary"
# Errors in any process (test or child): the counts valgrind writes at exit.
bad=$(grep -l -E "ERROR SUMMARY: [1-9]" "$logs"/*.log || true)
if [ -n "$bad" ]; then
  status=1
  for f in $bad; do
    echo "!! memcheck errors in $f:"
    grep -E "^==[0-9]+== (Invalid|Conditional|Use of|Syscall|Mismatched|Source and|Argument|[0-9,]+ (\(|bytes))|ERROR SUMMARY" "$f" | head -20
  done
fi
exit $status
