#!/usr/bin/env bash
# ThreadSanitizer tests (tests/tsan, label tsan): configures build-tsan/, a build directory of
# their own (-fsanitize=thread must not mix with the normal build's flags), builds only their
# targets and runs them:
#   tsan.guarded             a trainer thread and two checkpointing threads, 2,000 steps, on a
#                            PICKLEJAR_GUARDED_BY model: no ThreadSanitizer report, no torn checkpoint
#   tsan.control_is_flagged  the same model without the guard: ThreadSanitizer must report a race
#   tsan.async_guarded       the same with save_async (the free one, and the manager's from the
#                            trainer): no report, every checkpoint exactly the model of its step
#   tsan.async_control_is_flagged  the asynchronous variant without the guard: a race must be reported
#   tsan.manager_threads     one checkpoint_manager used from five threads: no ThreadSanitizer report
# Needs the packages scripts/setup.sh installs (g++ brings the TSan runtime, libtsan2).
# Environment: CXX picks the compiler (e.g. CXX=clang++-14; remove build-tsan/ to switch), JOBS the
# build's parallelism (default 2). Extra arguments go to ctest, e.g. ./scripts/tsan.sh -R control
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
started=$(date +%s)

echo "tsan: configuring build-tsan/"
cmake -S . -B build-tsan --log-level=WARNING \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DPICKLEJAR_BUILD_TSAN_TESTS=ON \
  -DPICKLEJAR_BUILD_EXAMPLES=OFF -DPICKLEJAR_BUILD_BENCH=OFF -DPICKLEJAR_BUILD_TOOLS=OFF
echo "tsan: building the ThreadSanitizer tests with ${JOBS:-2} jobs"
cmake --build build-tsan -j"${JOBS:-2}" --target picklejar_tsan_tests
built=$(date +%s)

status=0
ctest --test-dir build-tsan -L tsan --output-on-failure -V "$@" || status=$?
finished=$(date +%s)
echo "tsan: build $((built - started)) s, tests $((finished - built)) s, total $((finished - started)) s"
exit "$status"
