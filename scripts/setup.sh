#!/usr/bin/env bash
# Set-up for a fresh Debian machine: installs the Debian packages reactivate needs (only those
# missing), builds it in ./build, then
#   scripts/setup.sh          runs the main job on its embedded default (a quick reproduction)
#   scripts/setup.sh test     runs the whole test suite
#   scripts/setup.sh build    only builds
#   scripts/setup.sh ci-tools also installs what CI's fuzzing, lint and memcheck stages need, and builds
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(build-essential cmake pkg-config libopenblas-openmp-dev libyaml-dev libcjson-dev
          zlib1g-dev librandom123-dev libplplot-dev plplot-driver-cairo python3-numpy
          python3-pytest python3-setuptools python3-venv libopenmpi-dev openmpi-bin)
# OpenMPI is optional (reproduce --mpi, docs/cluster.md; tests/test_plan_mpi.c runs mpirun).
# The Python module (python/, docs/python.md) is tested with pytest and installs with pip into a
# venv, offline, with Debian's setuptools. The test suite also opens the report in a headless
# browser (Debian's chromium); CI's fuzzing, lint and memcheck stages (.ci/run) need clang
# with libFuzzer, clang-format, clang-tidy and valgrind.
[ "${1:-run}" = test ] && packages+=(chromium)
[ "${1:-run}" = ci-tools ] && packages+=(clang libclang-rt-dev clang-format clang-tidy valgrind)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo=sudo
  $sudo apt-get update -q
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)"

case "${1:-run}" in
  build | ci-tools) ;;
  test) ctest --test-dir build --output-on-failure -j"$(nproc)" ;;
  run)
    # The main job on its embedded default: `reactivate reproduce` with the quick profile
    # (configs/reproduce/quick.yml): every run of the paper's experiment set at reduced size,
    # one seed, then every analysis, figure and the report, in 7-8 minutes on 2 cores.
    # Interrupt it at any time; running it again continues where it stopped.
    ./build/reactivate reproduce --profile quick --out results/quick
    ;;
  *) echo "usage: scripts/setup.sh [run|test|build|ci-tools]" >&2; exit 2 ;;
esac
