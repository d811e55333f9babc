#!/usr/bin/env bash
# Installs picklejar's build dependencies (Debian 12, apt) if any is missing, then configures and
# builds the project in build/. Safe to run again: installs nothing and rebuilds only what changed.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

packages=(g++ cmake make pkg-config libcereal-dev libeigen3-dev libgtest-dev libbenchmark-dev
          libxxhash-dev libboost-serialization-dev)
missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo=()
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || { echo "setup: run as root or install sudo" >&2; exit 1; }
    sudo=(sudo)
  fi
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

echo "setup: configuring build/"
# The benchmarks (bench/) are built, never run, here: scripts/bench.sh runs them.
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DPICKLEJAR_BUILD_BENCH=ON --log-level=WARNING
echo "setup: building with $(nproc) jobs"
cmake --build build -j"$(nproc)"
