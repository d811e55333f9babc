#!/usr/bin/env bash
# Installs picklejar's build dependencies (Debian 12, apt) if any is missing, then configures and
# builds the project in build/. Safe to run again: installs nothing and rebuilds only what changed.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

# clang-14: the second compiler of the cross-compiler test (tests/cross: GCC-built files load in a
# Clang build and back). python3 and xmllint: tests/test_text_validity.cpp checks that other tools
# parse the JSON and XML documents picklejar writes.
packages=(g++ clang-14 cmake make pkg-config libcereal-dev libeigen3-dev libgtest-dev libbenchmark-dev
          libxxhash-dev libboost-serialization-dev python3 libxml2-utils)
./scripts/install-packages.sh "${packages[@]}"

echo "setup: configuring build/"
# The benchmarks (bench/) are built, never run, here: scripts/bench.sh runs them.
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DPICKLEJAR_BUILD_BENCH=ON --log-level=WARNING
echo "setup: building with $(nproc) jobs"
cmake --build build -j"$(nproc)"
