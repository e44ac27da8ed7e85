#!/usr/bin/env bash
# Set-up for a fresh Debian machine: installs the Debian packages reactivate needs (only those
# missing), builds it in ./build, then
#   scripts/setup.sh          runs the main job on its embedded default (a quick training)
#   scripts/setup.sh test     runs the whole test suite
#   scripts/setup.sh build    only builds
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(build-essential cmake pkg-config libopenblas-openmp-dev libyaml-dev libcjson-dev
          zlib1g-dev librandom123-dev libplplot-dev plplot-driver-cairo python3-numpy)
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
  build) ;;
  test) ctest --test-dir build --output-on-failure ;;
  run)
    # The quick default: a short training of the paper's main network (spatial, noisy,
    # unbiased), then a quiescent simulation of it.
    ./build/reactivate train spatial_navigation/noisy_unbiased path=results/quick \
      trainer.n_epochs=300 --resume
    ./build/reactivate simulate results/quick/spatial_navigation/noisy_unbiased_0.0001_0/model_300.npz \
      --test-batch --quiescent --steps 1000 --no-hidden --out results/quick/quiescent.npz
    ;;
  *) echo "usage: scripts/setup.sh [run|test|build]" >&2; exit 2 ;;
esac
