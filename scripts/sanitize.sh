#!/usr/bin/env bash
# Builds the tests, examples and tools with AddressSanitizer and UndefinedBehaviorSanitizer in
# build-asan/ and runs every test that executes picklejar code (unit, crash, faults, tools,
# example, docs, and the numpy interop tests). Any report aborts the test that caused it.
#
# Built with clang-14 at -O0 (line tables only, for symbolized reports): GCC 12 at -O2 -g took
# about 100 s per test file with both sanitizers, clang-14 at -O0 about 7 s, and the whole run
# (build and tests) went from over 20 minutes to about 6 on two cores. The unit tests are built
# as C++20 here, the normal build (scripts/test.sh) builds them as C++17: each standard and each
# compiler runs every unit test once. PICKLEJAR_TEST_STANDARDS overrides the standard.
# Extra arguments go to ctest. CXX=g++ uses GCC instead (remove build-asan/ to switch).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
started=$(date +%s)

packages=(clang-14 libclang-rt-14-dev cmake make libcereal-dev libeigen3-dev libgtest-dev libxxhash-dev)
./scripts/install-packages.sh "${packages[@]}"

cxx="${CXX:-clang++-14}"
cc="${CC:-clang-14}"
debug_info=-gline-tables-only
if [[ "$cxx" == g++* ]]; then cc=gcc; debug_info=-g1; fi
echo "sanitize: configuring build-asan/ ($cxx, -O0, ASan + UBSan)"
CC="$cc" CXX="$cxx" cmake -S . -B build-asan --log-level=WARNING \
  -DCMAKE_BUILD_TYPE= -DCMAKE_CXX_FLAGS="-O0 $debug_info" \
  -DPICKLEJAR_SANITIZE=address,undefined -DPICKLEJAR_TEST_STANDARDS="${PICKLEJAR_TEST_STANDARDS:-20}" \
  -DPICKLEJAR_BUILD_BENCH=OFF
echo "sanitize: building with $(nproc) jobs"
cmake --build build-asan -j"$(nproc)"
built=$(date +%s)

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
status=0
# The JSON and XML variants of the large-file streaming tests, the hostile sweeps and the
# 100,000-deep chains took a third of this step's test time under ASan (up to 92 s each) for code
# their binary variants, the normal build's run and the json/xml fuzz targets already cover.
slow_text_variants='(Streaming|HostileSweep|HundredThousand)[^/]*/(json|xml)'
ctest --test-dir build-asan --output-on-failure -j2 -L 'unit|crash|faults|tools|example|docs|interop' \
  -E "$slow_text_variants" "$@" || status=$?
finished=$(date +%s)
echo "sanitize: build $((built - started)) s, tests $((finished - built)) s, total $((finished - started)) s"
exit "$status"
