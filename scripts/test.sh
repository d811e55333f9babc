#!/usr/bin/env bash
# Quick start: install dependencies, build, and run every test (C++17 and C++20 unit tests,
# header, compile-fail and package tests). Exits non-zero if any test fails.
# Extra arguments go to ctest, e.g. ./scripts/test.sh -L compile_fail -V
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
./scripts/setup.sh
ctest --test-dir build --output-on-failure -j2 "$@"
