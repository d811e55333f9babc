// A 64 MiB Eigen::MatrixXf through each format, in memory (dumps/loads) and through a file
// (save/load), beside the baselines a user would compare with: memcpy, and fwrite/fread of the
// same bytes. Counters: file size in bytes, and throughput. For information: the targets of issue 5
// are measured by bench_matrix, bench_json and the others (see bench/README.md). Files go to
// $PICKLEJAR_BENCH_DIR (default: the build directory).
//
//   build/bench/bench_formats --benchmark_min_time=1
#include <benchmark/benchmark.h>
#include <picklejar/eigen.hpp>
#include <picklejar/json.hpp>
#include <picklejar/picklejar.hpp>
#include <picklejar/xml.hpp>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <vector>

#include <unistd.h>

#include "bench_support.hpp"

namespace {

constexpr Eigen::Index rows = 4096;
constexpr Eigen::Index cols = 4096;  // 4096 * 4096 floats = 64 MiB
constexpr auto payload_bytes = static_cast<std::int64_t>(rows * cols * sizeof(float));

const Eigen::MatrixXf& weights() {
  static const Eigen::MatrixXf matrix = Eigen::MatrixXf::Random(rows, cols);
  return matrix;
}

std::unique_ptr<pj_bench::scratch_directory>& scratch() {
  static std::unique_ptr<pj_bench::scratch_directory> dir;
  return dir;
}

std::filesystem::path scratch_file(const char* name) { return scratch()->path() / name; }

void baseline_memcpy(benchmark::State& state) {
  for (auto _ : state) {
    std::vector<char> copy(static_cast<std::size_t>(payload_bytes));
    std::memcpy(copy.data(), weights().data(), copy.size());
    benchmark::DoNotOptimize(copy.data());
  }
  state.SetBytesProcessed(state.iterations() * payload_bytes);
}

void baseline_fwrite_fread(benchmark::State& state) {
  const auto file = scratch_file("raw");
  for (auto _ : state) {
    FILE* out = std::fopen(file.c_str(), "wb");
    std::fwrite(weights().data(), 1, static_cast<std::size_t>(payload_bytes), out);
    std::fflush(out);
    ::fsync(fileno(out));
    std::fclose(out);
    Eigen::MatrixXf loaded(rows, cols);
    FILE* in = std::fopen(file.c_str(), "rb");
    std::size_t got = std::fread(loaded.data(), 1, static_cast<std::size_t>(payload_bytes), in);
    std::fclose(in);
    benchmark::DoNotOptimize(got);
  }
  std::filesystem::remove(file);
  state.SetBytesProcessed(state.iterations() * payload_bytes);
}

void dumps_loads(benchmark::State& state, picklejar::format format) {
  std::size_t size = 0;
  for (auto _ : state) {
    std::string bytes = picklejar::dumps(weights(), picklejar::options(format));
    size = bytes.size();
    Eigen::MatrixXf loaded = picklejar::loads<Eigen::MatrixXf>(bytes);
    benchmark::DoNotOptimize(loaded.data());
  }
  state.counters["file_bytes"] = static_cast<double>(size);
  state.SetBytesProcessed(state.iterations() * payload_bytes);
}

void save_load(benchmark::State& state, picklejar::format format) {
  const auto file = scratch_file("model");
  for (auto _ : state) {
    picklejar::save(weights(), file, picklejar::options(format));
    Eigen::MatrixXf loaded = picklejar::load<Eigen::MatrixXf>(file);
    benchmark::DoNotOptimize(loaded.data());
  }
  state.counters["file_bytes"] = static_cast<double>(std::filesystem::file_size(file));
  std::filesystem::remove(file);
  state.SetBytesProcessed(state.iterations() * payload_bytes);
}

}  // namespace

BENCHMARK(baseline_memcpy)->Unit(benchmark::kMillisecond);
BENCHMARK(baseline_fwrite_fread)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(dumps_loads, binary, picklejar::format::binary)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(dumps_loads, portable_binary, picklejar::format::portable_binary)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(save_load, binary, picklejar::format::binary)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(save_load, portable_binary, picklejar::format::portable_binary)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(save_load, json, picklejar::format::json)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK_CAPTURE(save_load, xml, picklejar::format::xml)->Unit(benchmark::kMillisecond)->Iterations(1);

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  scratch() = std::make_unique<pj_bench::scratch_directory>("bench_formats");
  weights();  // made before timing, not in the first benchmark's first iteration
  pj_bench::timing_reporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  scratch().reset();
  return 0;
}
