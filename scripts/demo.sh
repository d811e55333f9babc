#!/usr/bin/env bash
# Quick start: install what the demo needs (Debian 12, apt), build only the demo in build/, and run
# it: a classifier trained, saved as binary and JSON, reloaded in new processes. Arguments go to
# the demo (a directory for its files). The tests are not configured here: scripts/test.sh does.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
./scripts/install-packages.sh g++ cmake make libcereal-dev libeigen3-dev libxxhash-dev

if [[ ! -f build/CMakeCache.txt ]]; then
  echo "demo: configuring build/ (the library and its examples only)"
  cmake -S . -B build -DCMAKE_BUILD_TYPE=Release --log-level=WARNING \
    -DPICKLEJAR_BUILD_TESTS=OFF -DPICKLEJAR_BUILD_BENCH=OFF -DPICKLEJAR_BUILD_TOOLS=OFF
fi
echo "demo: building demo_classifier"
cmake --build build -j"$(nproc)" --target demo_classifier
exec ./build/examples/demo_classifier "$@"
