#!/usr/bin/env bash
# Installs picklejar's build dependencies (Debian 12, apt) if any is missing, then configures and
# builds the project in build/. Safe to run again: installs nothing and rebuilds only what changed.
# The unit tests are built for C++17; PICKLEJAR_TEST_STANDARDS="17;20" ./scripts/setup.sh builds
# them for both standards (CI's other step, scripts/sanitize.sh, runs them as C++20 with Clang).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

# clang-14: the second compiler of the cross-compiler test (tests/cross: GCC-built files load in a
# Clang build and back). python3 and xmllint: tests/test_text_validity.cpp checks that other tools
# parse the JSON and XML documents picklejar writes; python3-numpy: tests/interop reads picklejar's
# .npz and .safetensors files with numpy; Open MPI: tests/mpi runs sharded checkpoints under mpirun.
packages=(g++ clang-14 cmake make pkg-config libcereal-dev libeigen3-dev libgtest-dev libbenchmark-dev
          libxxhash-dev libboost-serialization-dev python3 python3-numpy libxml2-utils
          libopenmpi-dev openmpi-bin)
./scripts/install-packages.sh "${packages[@]}"

echo "setup: configuring build/"
# The benchmarks (bench/) are built, never run, here: scripts/bench.sh runs them.
# Unit tests for C++17 here; scripts/sanitize.sh builds and runs them for C++20 (with Clang), so
# each standard and each compiler runs them once (the header and compile-fail tests take both
# standards here).
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release --log-level=WARNING -DPICKLEJAR_BUILD_TESTS=ON \
  -DPICKLEJAR_BUILD_EXAMPLES=ON -DPICKLEJAR_BUILD_TOOLS=ON -DPICKLEJAR_BUILD_BENCH=ON \
  -DPICKLEJAR_TEST_STANDARDS="${PICKLEJAR_TEST_STANDARDS:-17}"
echo "setup: building with $(nproc) jobs"
cmake --build build -j"$(nproc)"
