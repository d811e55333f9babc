#!/usr/bin/env bash
# Quick start: install dependencies, build, and run the classifier demo.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
./scripts/setup.sh
exec ./build/examples/demo_classifier "$@"
