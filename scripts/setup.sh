#!/usr/bin/env bash
# Set-up for a fresh Debian machine: installs the Debian packages reactivate needs (only those
# missing), builds it in ./build, then
#   scripts/setup.sh          runs the main job on its embedded default (a quick reproduction)
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
    # The quick default (until `reactivate reproduce` lands): the paper's main pair of networks,
    # noisy unbiased and noisy biased, at reduced size (256 units, 256 place cells, 800 steps;
    # a few minutes on 2 cores), then the distribution-match analysis: does each network's
    # quiescent activity match its own awake distribution better than the other's and than an
    # untrained network's? Everything goes to results/quick/.
    quick="rnn.n_rec=256 task.place_cells_num=256 trainer.n_epochs=800 trainer.lr=0.002"
    for exp in noisy_unbiased noisy_biased; do
      ./build/reactivate train "spatial_navigation/$exp" path=results/quick $quick --resume
    done
    ./build/reactivate analyze kl path=results/quick
    echo "KL(quiescent row || active column), nats: results/quick/spatial_navigation/kl_0.0001_0.json"
    cat results/quick/spatial_navigation/kl_0.0001_0.json
    ;;
  *) echo "usage: scripts/setup.sh [run|test|build]" >&2; exit 2 ;;
esac
