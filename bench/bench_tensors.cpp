// Tensor files (issue 17): a model of 16 tensors, 1 GiB in all by default (16 MatrixXf of 64 MiB,
// 4096 x 4096), saved as a .pj file and a .safetensors file; one tensor read in three ways beside
// a full load, in the same run:
//
//   full_load/pj                 picklejar::load<Model>(path): every tensor, new memory
//   open_view_sum/pj             open_tensors(path) + view<float>("layers.7") + its sum: the
//                                tensor's checksum verified, its bytes summed in place
//   load_tensor/pj               load_tensor<MatrixXf>(path, "layers.7"): that tensor's bytes only
//   open_view_sum/safetensors    the same on the .safetensors file (no checksum to verify)
//   load_tensor/safetensors
//   save/pj, save/safetensors, save/npz   the whole model to each format (files removed untimed)
//
// Loads read files written before timing (page cache warm). $PICKLEJAR_BENCH_MATRIX_MIB sets the
// size of one tensor: a quarter of it in MiB (256 / 4 = 64 by default), 16 tensors of that.
//
//   build/bench/bench_tensors --benchmark_repetitions=5
#include <benchmark/benchmark.h>
#include <picklejar/tensors.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "bench_support.hpp"

namespace {

namespace fs = std::filesystem;

constexpr int tensor_count = 16;
const std::size_t tensor_mib = std::max<std::size_t>(pj_bench::matrix_mib() / 4, 1);  // 64 by default
const Eigen::Index side = [] {
  Eigen::Index n = 1;
  while (static_cast<std::size_t>((n * 2) * (n * 2)) * sizeof(float) <= tensor_mib << 20) n *= 2;
  return n;
}();

struct Model {
  std::vector<Eigen::MatrixXf> layers;
  PICKLEJAR_FIELDS(layers)
};

const Model& model() {
  static const Model value = [] {
    Model m;
    for (int i = 0; i < tensor_count; ++i) m.layers.push_back(Eigen::MatrixXf::Random(side, side));
    return m;
  }();
  return value;
}

std::unique_ptr<pj_bench::scratch_directory>& scratch() {
  static std::unique_ptr<pj_bench::scratch_directory> dir;
  return dir;
}
fs::path file(const char* name) { return scratch()->path() / name; }
const char* const chosen = "layers.7";

void remove_untimed(benchmark::State& state, const fs::path& path) {
  state.PauseTiming();
  fs::remove(path);
  state.ResumeTiming();
}

void full_load_pj(benchmark::State& state) {
  for (auto _ : state) {
    Model loaded = picklejar::load<Model>(file("model.pj"));
    benchmark::DoNotOptimize(loaded.layers.data());
  }
}

template <int Which>
void open_view_sum(benchmark::State& state) {
  const fs::path path = file(Which == 0 ? "model.pj" : "model.safetensors");
  for (auto _ : state) {
    const picklejar::tensor_file tensors = picklejar::open_tensors(path);
    const float sum = tensors.view<float>(chosen).sum();
    benchmark::DoNotOptimize(sum);
  }
}

template <int Which>
void load_one(benchmark::State& state) {
  const fs::path path = file(Which == 0 ? "model.pj" : "model.safetensors");
  for (auto _ : state) {
    Eigen::MatrixXf one = picklejar::load_tensor<Eigen::MatrixXf>(path, chosen);
    benchmark::DoNotOptimize(one.data());
  }
}

template <int Which>
void save_model(benchmark::State& state) {
  const fs::path path = file(Which == 0 ? "save.pj" : Which == 1 ? "save.safetensors" : "save.npz");
  for (auto _ : state) {
    remove_untimed(state, path);
    if (Which == 0) picklejar::save(model(), path);
    else if (Which == 1) picklejar::save_safetensors(model(), path);
    else picklejar::save_npz(model(), path);
  }
  fs::remove(path);
}

void prepare_and_check() {
  picklejar::save(model(), file("model.pj"));
  picklejar::save_safetensors(model(), file("model.safetensors"));
  const Eigen::MatrixXf& expected = model().layers[7];
  for (const char* name : {"model.pj", "model.safetensors"}) {
    const picklejar::tensor_file tensors = picklejar::open_tensors(file(name));
    if (Eigen::MatrixXf(tensors.view<float>(chosen)) != expected ||
        picklejar::load_tensor<Eigen::MatrixXf>(file(name), chosen) != expected) {
      std::fprintf(stderr, "bench_tensors: %s does not give layers.7 back\n", name);
      std::abort();
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  scratch() = std::make_unique<pj_bench::scratch_directory>("bench_tensors");
  const std::size_t tensor_bytes = static_cast<std::size_t>(side * side) * sizeof(float);
  std::printf("model: %d tensors of %lld x %lld floats (%zu MiB each, %zu MiB in all); files in %s\n", tensor_count,
              static_cast<long long>(side), static_cast<long long>(side), tensor_bytes >> 20,
              (tensor_bytes * tensor_count) >> 20, scratch()->path().c_str());
  prepare_and_check();

  struct entry {
    const char* name;
    void (*function)(benchmark::State&);
  };
  const entry benchmarks[] = {
      {"full_load/pj", full_load_pj},
      {"open_view_sum/pj", open_view_sum<0>},
      {"load_tensor/pj", load_one<0>},
      {"open_view_sum/safetensors", open_view_sum<1>},
      {"load_tensor/safetensors", load_one<1>},
      {"save/pj", save_model<0>},
      {"save/safetensors", save_model<1>},
      {"save/npz", save_model<2>},
  };
  for (const entry& e : benchmarks) {
    benchmark::RegisterBenchmark(e.name, e.function)->Unit(benchmark::kMillisecond)->UseRealTime();
  }
  pj_bench::timing_reporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();

  const std::string size = std::to_string((tensor_bytes * tensor_count) >> 20) + " MiB model, 16 tensors: ";
  pj_bench::ratio_table table("bench_tensors");
  table.add_times(reporter, size + ".pj open + view + sum of one vs full load", "open_view_sum/pj", "full_load/pj",
                  "full load", pj_bench::ratio_at_most(0.10));
  table.add_times(reporter, size + ".pj load_tensor of one vs full load", "load_tensor/pj", "full_load/pj",
                  "full load", pj_bench::ratio_at_most(0.15));
  table.add_times(reporter, size + ".safetensors open + view + sum of one vs .pj full load", "open_view_sum/safetensors",
                  "full_load/pj", "full load", pj_bench::report());
  table.add_times(reporter, size + ".safetensors load_tensor of one vs .pj full load", "load_tensor/safetensors",
                  "full_load/pj", "full load", pj_bench::report());
  table.add_times(reporter, size + "save_safetensors vs save (.pj)", "save/safetensors", "save/pj", "save .pj",
                  pj_bench::report());
  table.add_times(reporter, size + "save_npz vs save (.pj)", "save/npz", "save/pj", "save .pj", pj_bench::report());
  table.finish();
  scratch().reset();
  return 0;
}
