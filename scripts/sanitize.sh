#!/usr/bin/env bash
# Builds the tests, examples and tools with AddressSanitizer and UndefinedBehaviorSanitizer in
# build-asan/ and runs every test that executes picklejar code (unit, crash, faults, tools,
# example).
# Any report aborts the test that caused it. The unit tests are built for C++17 only here: the
# C++20 executable compiles the same sources, and the normal build runs it.
# Needs the packages scripts/setup.sh installs. Extra arguments go to ctest.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPICKLEJAR_SANITIZE=address,undefined \
  -DPICKLEJAR_TEST_STANDARDS=17 -DPICKLEJAR_BUILD_BENCH=OFF --log-level=WARNING
cmake --build build-asan -j"$(nproc)"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
ctest --test-dir build-asan --output-on-failure -j2 -L 'unit|crash|faults|tools|example' "$@"
