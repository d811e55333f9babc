#!/usr/bin/env bash
# Builds picklejar's libFuzzer targets (fuzz/) with clang-14, ASan and UBSan in build-fuzz/,
# generates their seed corpora, and runs each target for the given time, two at a time. Then
# replays every corpus through the same code built by GCC (build-fuzz-gcc/, ASan and UBSan): the
# readers must agree across compilers, and libFuzzer itself needs clang.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET]     (default 60; CI runs 60, longer runs find more)
#
# Corpora grow in build-fuzz/corpus/<target>/ and are kept between runs; findings (crash-*,
# leak-*, timeout-*, oom-* files) go to build-fuzz/findings/<target>/, logs to
# build-fuzz/logs/<target>.log. Prints executions, corpus size and findings per target, and exits
# non-zero if any target found something or failed to run. Replay a finding with
#   build-fuzz/fuzz/picklejar_fuzz_<target> build-fuzz/findings/<target>/crash-...
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
seconds="${1:-60}"
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || ((seconds == 0)); then
  echo "usage: $0 [SECONDS_PER_TARGET]" >&2
  exit 2
fi
started=$(date +%s)

# clang-14 and its runtime libraries (libFuzzer, sanitizers), plus picklejar's own dependencies.
packages=(clang-14 libclang-rt-14-dev cmake make libcereal-dev libeigen3-dev libxxhash-dev)
./scripts/install-packages.sh "${packages[@]}"

build=build-fuzz
targets=(binary portable_binary json xml container zoo untrusted safetensors tensor_index)
parallel=2  # two targets at a time: one per core

echo "fuzz: configuring $build/ (clang-14, ASan + UBSan, checksums bypassed)"
CC=clang-14 CXX=clang++-14 cmake -S . -B "$build" --log-level=WARNING \
  -DCMAKE_BUILD_TYPE= -DPICKLEJAR_BUILD_FUZZERS=ON -DPICKLEJAR_BUILD_TESTS=OFF \
  -DPICKLEJAR_BUILD_EXAMPLES=OFF -DPICKLEJAR_BUILD_BENCH=OFF -DPICKLEJAR_BUILD_TOOLS=OFF \
  -DPICKLEJAR_INSTALL=OFF >/dev/null
echo "fuzz: building the targets and the corpus generator"
cmake --build "$build" -j"$parallel" --target picklejar_fuzzers >/dev/null
built=$(date +%s)

seeds="$build/seeds"
rm -rf "$seeds" "$build/findings" "$build/logs"
mkdir -p "$build/logs"
"$build/fuzz/picklejar_fuzz_make_corpus" "$seeds" | sed 's/^/fuzz: /'

dictionary_for() {
  case "$1" in
    json) echo "$seeds/json.dict" ;;
    xml) echo "$seeds/xml.dict" ;;
    zoo | untrusted) echo "$seeds/any.dict" ;;
    safetensors | tensor_index) echo "$seeds/tensors.dict" ;;
    *) echo "$seeds/binary.dict" ;;
  esac
}

run_target() {
  local target=$1
  mkdir -p "$build/corpus/$target" "$build/findings/$target"
  local status=0
  UBSAN_OPTIONS=print_stacktrace=1 "$build/fuzz/picklejar_fuzz_$target" \
    -max_total_time="$seconds" -malloc_limit_mb=256 -rss_limit_mb=2048 -timeout=10 \
    -print_final_stats=1 -dict="$(dictionary_for "$target")" \
    -artifact_prefix="$build/findings/$target/" \
    "$build/corpus/$target" "$seeds/$target" >"$build/logs/$target.log" 2>&1 || status=$?
  echo "$status" >"$build/logs/$target.status"
}

echo "fuzz: running ${#targets[@]} targets for ${seconds} s each, $parallel at a time"
running=0
for target in "${targets[@]}"; do
  if ((running >= parallel)); then
    wait -n
    running=$((running - 1))
  fi
  run_target "$target" &
  running=$((running + 1))
done
wait

failed=0
printf '\n%-16s %12s %9s %8s %9s\n' target executions exec/s corpus findings
for target in "${targets[@]}"; do
  log="$build/logs/$target.log"
  executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  corpus=$(find "$build/corpus/$target" -type f | wc -l)
  findings=$(find "$build/findings/$target" -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
  status=$(cat "$build/logs/$target.status")
  printf '%-16s %12s %9s %8s %9s\n' "$target" "${executions:-?}" "${rate:-?}" "$corpus" "$findings"
  if ((findings > 0)) || [[ "$status" != 0 ]] || [[ -z "$executions" ]]; then
    failed=1
  fi
done

for target in "${targets[@]}"; do
  log="$build/logs/$target.log"
  status=$(cat "$build/logs/$target.status")
  for finding in $(find "$build/findings/$target" -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \)); do
    echo "fuzz: FINDING $finding"
  done
  if [[ "$status" != 0 ]]; then
    echo "fuzz: $target exited with status $status; from $log:"
    grep -E 'ERROR|SUMMARY|runtime error|picklejar fuzz finding|terminate called|what\(\)' "$log" | head -8 | sed 's/^/  /' || true
  fi
done

fuzzed=$(date +%s)

# The same targets' code built by GCC, run over every corpus and seed (no libFuzzer: the replay
# driver). A GCC-only misreading (a type name spelled differently, say) shows up here.
echo "fuzz: replaying the corpora through a GCC build (build-fuzz-gcc/)"
./scripts/install-packages.sh g++
CC=gcc CXX=g++ cmake -S . -B build-fuzz-gcc --log-level=WARNING -DCMAKE_BUILD_TYPE= \
  -DCMAKE_CXX_FLAGS="-O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all" \
  -DPICKLEJAR_BUILD_FUZZ_REPLAY=ON -DPICKLEJAR_BUILD_TESTS=OFF -DPICKLEJAR_BUILD_EXAMPLES=OFF \
  -DPICKLEJAR_BUILD_BENCH=OFF -DPICKLEJAR_BUILD_TOOLS=OFF -DPICKLEJAR_INSTALL=OFF >/dev/null
cmake --build build-fuzz-gcc -j"$parallel" --target picklejar_fuzz_replay >/dev/null
for target in "${targets[@]}"; do
  if ! build-fuzz-gcc/fuzz/picklejar_fuzz_replay --target="$target" "$build/corpus/$target" "$seeds/$target" \
      >"$build/logs/$target.gcc-replay.log" 2>&1; then
    echo "fuzz: the GCC build fails on the $target corpus; from $build/logs/$target.gcc-replay.log:"
    grep -E 'ERROR|SUMMARY|runtime error|picklejar fuzz finding|terminate called|what\(\)' \
      "$build/logs/$target.gcc-replay.log" | head -8 | sed 's/^/  /' || true
    failed=1
  else
    echo "fuzz: GCC replay of $target: $(tail -1 "$build/logs/$target.gcc-replay.log")"
  fi
done

finished=$(date +%s)
echo
echo "fuzz: build and seeds $((built - started)) s, fuzzing $((fuzzed - built)) s, GCC replay $((finished - fuzzed)) s, total $((finished - started)) s"
if ((failed)); then
  echo "fuzz: FAILED: see the findings and logs above"
  exit 1
fi
echo "fuzz: ok, no findings"
