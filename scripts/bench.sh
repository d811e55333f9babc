#!/usr/bin/env bash
# Runs picklejar's benchmarks (bench/, see bench/README.md) and prints one table:
#   target | picklejar | baseline | ratio | goal | met?
# Every ratio is picklejar / baseline, both measured in the same process, medians of repeated runs.
# Benchmarks are not tests: nothing fails on a slow figure. CI builds the programs, never runs them.
#
#   scripts/bench.sh                full run (about 5 minutes on 2 cores)
#   scripts/bench.sh --quick        smoke run: one repetition, a 32 MiB matrix, one compile each
#   options: --out DIR              raw results (default: <build dir>/bench-results)
#            --build-dir DIR        build directory (default: build; configured as Release if new)
#            --only NAME[,NAME...]  run only these programs (bench_matrix, ..., compile_cost)
# Environment: PICKLEJAR_BENCH_DIR     where file benchmarks write (default: <build dir>/bench; not a tmpfs)
#              PICKLEJAR_BENCH_MATRIX_MIB  size of the big matrix (default 256; 32 with --quick)
#
# The output directory receives, for each program, its console output (NAME.txt) and Google
# Benchmark's JSON (NAME.json, every repetition); compile_cost.txt (every compile time);
# machine.txt; table.tsv (the rows) and table.md (the table, for docs/performance.md).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

quick=0
build=build
out=
only=
while (($#)); do
  case "$1" in
    --quick) quick=1 ;;
    --out) out=${2:?--out needs a directory}; shift ;;
    --out=*) out=${1#*=} ;;
    --build-dir) build=${2:?--build-dir needs a directory}; shift ;;
    --build-dir=*) build=${1#*=} ;;
    --only) only=${2:?--only needs program names}; shift ;;
    --only=*) only=${1#*=} ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench: unknown option $1 (try --help)" >&2; exit 2 ;;
  esac
  shift
done
out=${out:-$build/bench-results}

# name:repetitions:minimum seconds per repetition, in a full run. A 256 MiB save with fsync takes
# a few hundred milliseconds and varies with the disk: two or three of them per repetition.
programs=(
  bench_matrix:5:1.5
  bench_load_memory:3:0.5
  bench_small_structs:5:0.5
  bench_graph:5:0.5
  bench_json:5:0.5
  bench_checkpoint:3:1
  bench_formats:1:0.5
)
compile_runs=5
if ((quick)); then
  export PICKLEJAR_BENCH_MATRIX_MIB=${PICKLEJAR_BENCH_MATRIX_MIB:-32}
  compile_runs=1
fi

selected() {  # selected NAME: true if --only is empty or lists NAME
  [[ -z $only ]] && return 0
  [[ ,$only, == *",$1,"* ]]
}

# --- build -------------------------------------------------------------------------------------
if [[ ! -f $build/CMakeCache.txt ]]; then
  echo "bench: configuring $build (Release)"
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release --log-level=WARNING
fi
build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$build/CMakeCache.txt")
if [[ $build_type != Release ]]; then
  echo "bench: warning: $build is a '${build_type:-default}' build; the figures are meant for Release" >&2
fi
if ! grep -q '^PICKLEJAR_BUILD_BENCH:BOOL=ON' "$build/CMakeCache.txt"; then
  echo "bench: $build was configured with PICKLEJAR_BUILD_BENCH=OFF" >&2
  exit 1
fi
targets=()
for entry in "${programs[@]}"; do
  if selected "${entry%%:*}"; then targets+=("${entry%%:*}"); fi
done
if ((${#targets[@]})); then
  echo "bench: building ${targets[*]}"
  cmake --build "$build" -j"$(nproc)" --target "${targets[@]}" \
    >"$build/bench-build.log" 2>&1 || { cat "$build/bench-build.log" >&2; exit 1; }
fi

mkdir -p "$out"
out=$(cd "$out" && pwd)
table=$out/table.tsv
: >"$table"
export PICKLEJAR_BENCH_TABLE=$table

scratch=$(cd "${PICKLEJAR_BENCH_DIR:-$build/bench}" 2>/dev/null && pwd || echo "${PICKLEJAR_BENCH_DIR:-$build/bench}")
if [[ $(stat -f -c %T "$scratch" 2>/dev/null) == tmpfs ]]; then
  echo "bench: warning: $scratch is a tmpfs: the file benchmarks will measure memory, not a disk" >&2
fi

# --- the machine -----------------------------------------------------------------------------------
{
  echo "date:       $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "commit:     $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD -- include 2>/dev/null || echo ' (include/ modified)')"
  echo "run:        $( ((quick)) && echo "quick (smoke run, ${PICKLEJAR_BENCH_MATRIX_MIB} MiB matrix)" || echo full)"
  echo "cpu:        $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $(nproc) cores"
  echo "memory:     $(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
  echo "kernel:     $(uname -sr)"
  echo "disk:       $(df -T "$scratch" 2>/dev/null | awk 'NR == 2 { print $1 " (" $2 ") for " }')$scratch"
  echo "compiler:   $("$(sed -n 's/^CMAKE_CXX_COMPILER:[A-Z]*=//p' "$build/CMakeCache.txt")" --version | head -1)"
  echo "build:      ${build_type:-default}"
  echo "libraries:  $(dpkg-query -W -f='${Package} ${Version}, ' libcereal-dev libeigen3-dev libboost-serialization-dev libbenchmark-dev libxxhash-dev 2>/dev/null | sed 's/, $//')"
  echo "load:       $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min) at the start"
} >"$out/machine.txt"
sed 's/^/bench: /' "$out/machine.txt"
if awk '{ exit !($1 > 0.5) }' /proc/loadavg; then
  echo "bench: warning: the machine is busy (load $(cut -d' ' -f1 /proc/loadavg)); ratios are measured side by side, but expect noise" >&2
fi

failed=()

# --- the Google Benchmark programs -------------------------------------------------------------
for entry in "${programs[@]}"; do
  IFS=: read -r name repetitions min_time <<<"$entry"
  selected "$name" || continue
  if ((quick)); then
    repetitions=1
    min_time=0.05
  fi
  # Interleaved repetitions: a drift of the machine (another VM, the page cache) spreads over
  # both sides of a ratio instead of landing on one.
  args=(--benchmark_repetitions="$repetitions" --benchmark_min_time="$min_time"
        --benchmark_enable_random_interleaving=true
        --benchmark_out="$out/$name.json" --benchmark_out_format=json)
  if ((repetitions > 1)); then
    # Medians of repetitions, run in random order so that a slow spell of the disk or of a
    # neighbour does not fall on one side of a comparison only.
    args+=(--benchmark_display_aggregates_only=true --benchmark_enable_random_interleaving=true)
  fi
  if [[ $name == bench_formats ]]; then
    # Informational (the targets are measured elsewhere); its 64 MiB JSON and XML cases take
    # tens of seconds and gigabytes, so the smoke run leaves them out.
    ((quick)) && args+=(--benchmark_filter='-save_load/(json|xml)')
  fi
  started=$SECONDS
  printf 'bench: %-22s %d repetition(s) ... ' "$name" "$repetitions"
  if "$build/bench/$name" "${args[@]}" >"$out/$name.txt" 2>&1; then
    echo "$((SECONDS - started)) s"
  else
    echo "FAILED (exit $?); see $out/$name.txt"
    tail -5 "$out/$name.txt" | sed 's/^/    /'
    failed+=("$name")
  fi
done

# --- compile cost ------------------------------------------------------------------------------------
# Each pair in bench/compile_cost/ is one small program written against picklejar and against plain
# cereal. The two are compiled alternately (compile only, -O2 -std=c++17) after one untimed compile
# of each (headers in the page cache); the figure is the compiler's CPU time (user + system), the
# median of the runs.
#   file stem (picklejar side) | baseline stem | goal | what
compile_pairs=(
  "picklejar_model|cereal_model|1.30|compile: picklejar.hpp + eigen.hpp TU saving a model vs plain cereal"
  "config_binary_picklejar|config_binary_cereal|2.00|compile: 10-field struct, file save+load, binary vs cereal binary"
  "config_json_picklejar|config_json_cereal|1.50|compile: 10-field struct, binary + JSON vs cereal binary + JSON"
)
if selected compile_cost; then
  compiler=$(sed -n 's/^CMAKE_CXX_COMPILER:[A-Z]*=//p' "$build/CMakeCache.txt")
  flags=(-std=c++17 -O2 -Iinclude)
  if eigen_flags=$(pkg-config --cflags eigen3 2>/dev/null); then
    read -r -a eigen_array <<<"$eigen_flags"
    flags+=("${eigen_array[@]}")
  else
    flags+=(-I/usr/include/eigen3)
  fi
  xxhash_dir=$(sed -n 's/^PICKLEJAR_XXHASH_INCLUDE_DIR:[A-Z]*=//p' "$build/CMakeCache.txt")
  [[ -n $xxhash_dir && $xxhash_dir != /usr/include ]] && flags+=(-isystem "$xxhash_dir")

  compile_seconds() {  # compile_seconds FILE: prints the CPU seconds (user + system) of one compile
    local TIMEFORMAT='%3U %3S' times
    times=$({ time "$compiler" "${flags[@]}" -c "$1" -o /dev/null >/dev/null 2>&1; } 2>&1) || return 1
    awk '{ printf "%.3f\n", $1 + $2 }' <<<"$times"
  }
  median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

  printf 'bench: %-22s %d run(s) each ... ' compile_cost "$compile_runs"
  started=$SECONDS
  echo "command: $compiler ${flags[*]} -c FILE -o /dev/null (CPU seconds, user + system)" >"$out/compile_cost.txt"
  for pair in "${compile_pairs[@]}"; do
    IFS='|' read -r picklejar_stem cereal_stem goal what <<<"$pair"
    picklejar_tu=bench/compile_cost/$picklejar_stem.cpp
    cereal_tu=bench/compile_cost/$cereal_stem.cpp
    if ! compile_seconds "$picklejar_tu" >/dev/null || ! compile_seconds "$cereal_tu" >/dev/null; then
      echo "FAILED: $picklejar_tu or $cereal_tu does not compile"
      failed+=(compile_cost)
      continue
    fi
    picklejar_times=()
    cereal_times=()
    for ((run = 0; run < compile_runs; run++)); do
      picklejar_times+=("$(compile_seconds "$picklejar_tu")")
      cereal_times+=("$(compile_seconds "$cereal_tu")")
    done
    picklejar_median=$(printf '%s\n' "${picklejar_times[@]}" | median)
    cereal_median=$(printf '%s\n' "${cereal_times[@]}" | median)
    {
      echo "$picklejar_tu: ${picklejar_times[*]} s (median $picklejar_median s)"
      echo "$cereal_tu: ${cereal_times[*]} s (median $cereal_median s)"
    } >>"$out/compile_cost.txt"
    awk -v p="$picklejar_median" -v c="$cereal_median" -v limit="$goal" -v what="$what" 'BEGIN {
      ratio = p / c
      met = ratio <= limit ? "yes" : sprintf("NO, +%.0f%% over", (ratio / limit - 1) * 100)
      printf "compile_cost\t%s\t%.2f s\tcereal %.2f s\t%.2f\t<= %.2f\t%s\n", what, p, c, ratio, limit, met
    }' >>"$table"
  done
  echo "$((SECONDS - started)) s"
fi

# Other processes slow both sides of a comparison, but not always equally: say how busy it was.
echo "load:       $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min) at the end" >>"$out/machine.txt"

# --- the combined table --------------------------------------------------------------------------
# Columns of table.tsv: program, target, picklejar, baseline, ratio, goal, met.
echo
echo "picklejar against its baselines (ratio = picklejar / baseline, same process, medians):"
awk -F'\t' '
  { for (i = 2; i <= 7; i++) { cell[NR, i] = $i; if (length($i) > width[i]) width[i] = length($i) } }
  END {
    split("target|picklejar|baseline|ratio|goal|met?", head, "|")
    for (i = 2; i <= 7; i++) if (length(head[i - 1]) > width[i]) width[i] = length(head[i - 1])
    line = ""
    for (i = 2; i <= 7; i++) line = line sprintf(i == 5 ? "%*s  " : "%-*s  ", width[i], head[i - 1])
    print line
    for (r = 1; r <= NR; r++) {
      line = ""
      for (i = 2; i <= 7; i++) line = line sprintf(i == 5 ? "%*s  " : "%-*s  ", width[i], cell[r, i])
      print line
    }
  }' "$table" | sed 's/[[:space:]]*$//'
sources="[1] published figures, not measured here: fraillt/cpp_serializers_benchmark, README at a4c0ebf, GCC 11 table (see bench/README.md)"
grep -q 'published \[1\]' "$table" && echo "$sources"

{
  echo "| target | picklejar | baseline | ratio | goal | met? |"
  echo "|---|---|---|---:|---|---|"
  awk -F'\t' '{ gsub(/\|/, "\\|"); printf "| %s | %s | %s | %s | %s | %s |\n", $2, $3, $4, $5, $6, $7 }' "$table"
  if grep -q 'published \[1\]' "$table"; then
    echo
    echo "$sources"
  fi
  echo
  echo "Machine and run:"
  echo
  sed 's/^/    /' "$out/machine.txt"
} >"$out/table.md"

met=$(awk -F'\t' '$7 == "yes"' "$table" | wc -l)
missed=$(awk -F'\t' '$7 ~ /^NO/' "$table" | wc -l)
echo
echo "bench: $met of $((met + missed)) targets met; raw results in $out (table.md for docs/performance.md)"
((quick)) && echo "bench: quick run: sizes and repetitions reduced; these figures are a smoke test, not the targets"
if ((${#failed[@]})); then
  echo "bench: FAILED: ${failed[*]}" >&2
  exit 1
fi
