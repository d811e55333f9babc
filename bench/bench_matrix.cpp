// A 256 MiB Eigen::MatrixXf (8192 x 8192 floats) saved, loaded, dumped and loaded from bytes by
// picklejar, each beside the raw operation on the same bytes, in the same run (issue 5, the first
// two targets):
//
//   save/picklejar           picklejar::save(matrix, path): header, checksum, temporary file,
//                            fsync, rename, directory fsync
//   save/fwrite_fsync        fopen, fwrite of the matrix's bytes, fflush, fsync, fclose
//   load_new/picklejar       picklejar::load<Eigen::MatrixXf>(path): a new matrix
//   load_new/fread           fread of the same bytes into a new matrix (fresh memory: every page
//                            is faulted in, as for any new 256 MiB allocation)
//   load_existing/picklejar  picklejar::load(matrix, path) into a matrix of the right shape whose
//                            pages are already touched
//   load_existing/fread      fread into the same kind of matrix
//   dumps/picklejar          picklejar::dumps(matrix): the file's bytes in a new std::string
//   loads/picklejar          picklejar::loads<Eigen::MatrixXf>(bytes): a new matrix
//   copy_new/memcpy          memcpy of the matrix's bytes into a new buffer (fresh memory)
//
// Every save starts from a directory without the target (the removal is not timed) and creates
// a new file. Loads read a file written before timing, so the page cache is warm: they measure
// memory and CPU, not the disk. Times are wall-clock (fsync waits without using the CPU).
// Files go to $PICKLEJAR_BENCH_DIR (default: the build directory), never to a tmpfs on purpose.
// $PICKLEJAR_BENCH_MATRIX_MIB changes the size (scripts/bench.sh --quick uses a small one).
//
//   build/bench/bench_matrix --benchmark_repetitions=5
#include <benchmark/benchmark.h>
#include <picklejar/eigen.hpp>
#include <picklejar/picklejar.hpp>

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>

#include "bench_support.hpp"

namespace {

namespace fs = std::filesystem;

const std::size_t mib = pj_bench::matrix_mib();
const Eigen::Index rows = 8192;
const auto cols = static_cast<Eigen::Index>(mib * 1024 * 1024 / sizeof(float) / 8192);  // 8192 for 256 MiB
const std::size_t matrix_bytes = static_cast<std::size_t>(rows * cols) * sizeof(float);

const Eigen::MatrixXf& matrix() {
  static const Eigen::MatrixXf value = Eigen::MatrixXf::Random(rows, cols);
  return value;
}

std::unique_ptr<pj_bench::scratch_directory>& scratch() {
  static std::unique_ptr<pj_bench::scratch_directory> dir;
  return dir;
}
fs::path scratch_file(const char* name) { return scratch()->path() / name; }

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "bench_matrix: %s: %s\n", what.c_str(), std::strerror(errno));
  std::abort();
}

/// fopen + fwrite + fflush + fsync + fclose: the raw durable write of the matrix's bytes.
void write_raw(const fs::path& path) {
  std::FILE* out = std::fopen(path.c_str(), "wb");
  if (out == nullptr) fail("fopen " + path.string());
  if (std::fwrite(matrix().data(), 1, matrix_bytes, out) != matrix_bytes) fail("fwrite");
  if (std::fflush(out) != 0 || ::fsync(fileno(out)) != 0) fail("fflush/fsync");
  if (std::fclose(out) != 0) fail("fclose");
}

void read_raw(const fs::path& path, float* destination) {
  std::FILE* in = std::fopen(path.c_str(), "rb");
  if (in == nullptr) fail("fopen " + path.string());
  if (std::fread(destination, 1, matrix_bytes, in) != matrix_bytes) fail("fread");
  std::fclose(in);
}

/// Removes the previous iteration's file, untimed: deleting 256 MiB is not part of any save.
void remove_untimed(benchmark::State& state, const fs::path& path) {
  state.PauseTiming();
  fs::remove(path);
  state.ResumeTiming();
}

void count_bytes(benchmark::State& state) {
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(matrix_bytes));
}

// The files the loads read, written once before anything is timed.
fs::path picklejar_file() { return scratch_file("matrix.pj"); }
fs::path raw_file() { return scratch_file("matrix.raw"); }
const std::string& picklejar_bytes() {
  static const std::string bytes = picklejar::dumps(matrix());
  return bytes;
}

// --- saving -------------------------------------------------------------------------------------

void save_picklejar(benchmark::State& state) {
  const fs::path path = scratch_file("save.pj");
  for (auto _ : state) {
    remove_untimed(state, path);
    picklejar::save(matrix(), path);
  }
  state.counters["file_bytes"] = static_cast<double>(fs::file_size(path));
  fs::remove(path);
  count_bytes(state);
}

void save_fwrite_fsync(benchmark::State& state) {
  const fs::path path = scratch_file("save.raw");
  for (auto _ : state) {
    remove_untimed(state, path);
    write_raw(path);
  }
  fs::remove(path);
  count_bytes(state);
}

// --- loading from a file (page cache warm) ------------------------------------------------------

void load_new_picklejar(benchmark::State& state) {
  for (auto _ : state) {
    Eigen::MatrixXf loaded = picklejar::load<Eigen::MatrixXf>(picklejar_file());
    benchmark::DoNotOptimize(loaded.data());
  }  // the matrix is freed inside the loop, as in the baseline
  count_bytes(state);
}

void load_new_fread(benchmark::State& state) {
  for (auto _ : state) {
    Eigen::MatrixXf loaded(rows, cols);  // uninitialized: its pages are faulted in by fread
    read_raw(raw_file(), loaded.data());
    benchmark::DoNotOptimize(loaded.data());
  }
  count_bytes(state);
}

void load_existing_picklejar(benchmark::State& state) {
  Eigen::MatrixXf existing = Eigen::MatrixXf::Zero(rows, cols);  // every page touched before timing
  for (auto _ : state) {
    picklejar::load(existing, picklejar_file());
    benchmark::DoNotOptimize(existing.data());
  }
  count_bytes(state);
}

void load_existing_fread(benchmark::State& state) {
  Eigen::MatrixXf existing = Eigen::MatrixXf::Zero(rows, cols);
  for (auto _ : state) {
    read_raw(raw_file(), existing.data());
    benchmark::DoNotOptimize(existing.data());
  }
  count_bytes(state);
}

// --- in memory ----------------------------------------------------------------------------------

void dumps_picklejar(benchmark::State& state) {
  for (auto _ : state) {
    std::string bytes = picklejar::dumps(matrix());
    benchmark::DoNotOptimize(bytes.data());
  }
  count_bytes(state);
}

void loads_picklejar(benchmark::State& state) {
  const std::string& bytes = picklejar_bytes();
  for (auto _ : state) {
    Eigen::MatrixXf loaded = picklejar::loads<Eigen::MatrixXf>(bytes);
    benchmark::DoNotOptimize(loaded.data());
  }
  count_bytes(state);
}

void copy_new_memcpy(benchmark::State& state) {
  for (auto _ : state) {
    std::unique_ptr<char[]> copy(new char[matrix_bytes]);  // not zeroed: memcpy faults the pages in
    std::memcpy(copy.get(), matrix().data(), matrix_bytes);
    benchmark::DoNotOptimize(copy.get());
  }
  count_bytes(state);
}

/// Writes the files the loads read and checks every round trip once, before anything is timed.
void prepare_and_check() {
  picklejar::save(matrix(), picklejar_file());
  write_raw(raw_file());
  const auto check = [](const Eigen::MatrixXf& loaded, const char* how) {
    if (loaded.rows() != rows || loaded.cols() != cols ||
        std::memcmp(loaded.data(), matrix().data(), matrix_bytes) != 0) {
      std::fprintf(stderr, "bench_matrix: %s did not give the matrix back\n", how);
      std::abort();
    }
  };
  check(picklejar::load<Eigen::MatrixXf>(picklejar_file()), "load<MatrixXf>(path)");
  check(picklejar::loads<Eigen::MatrixXf>(picklejar_bytes()), "loads<MatrixXf>(bytes)");
  Eigen::MatrixXf existing = Eigen::MatrixXf::Zero(rows, cols);
  picklejar::load(existing, picklejar_file());
  check(existing, "load(matrix, path)");
  existing.setZero();
  read_raw(raw_file(), existing.data());
  check(existing, "fread");
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;

  scratch() = std::make_unique<pj_bench::scratch_directory>("bench_matrix");
  std::printf("matrix: %lld x %lld Eigen::MatrixXf (%zu MiB); files in %s\n", static_cast<long long>(rows),
              static_cast<long long>(cols), matrix_bytes >> 20, scratch()->path().c_str());
  prepare_and_check();

  struct entry {
    const char* name;
    void (*function)(benchmark::State&);
  };
  // Each picklejar case beside its baseline.
  const entry benchmarks[] = {
      {"save/picklejar", save_picklejar},
      {"save/fwrite_fsync", save_fwrite_fsync},
      {"load_new/picklejar", load_new_picklejar},
      {"load_new/fread", load_new_fread},
      {"load_existing/picklejar", load_existing_picklejar},
      {"load_existing/fread", load_existing_fread},
      {"dumps/picklejar", dumps_picklejar},
      {"loads/picklejar", loads_picklejar},
      {"copy_new/memcpy", copy_new_memcpy},
  };
  for (const entry& e : benchmarks) {
    benchmark::RegisterBenchmark(e.name, e.function)->Unit(benchmark::kMillisecond)->UseRealTime();
  }

  pj_bench::timing_reporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();

  const std::string size = std::to_string(mib) + " MiB MatrixXf ";
  pj_bench::ratio_table table("bench_matrix");
  table.add_times(reporter, size + "save(m, path) vs fwrite+fsync", "save/picklejar", "save/fwrite_fsync",
                  "fwrite+fsync", pj_bench::ratio_at_most(1.10));
  table.add_times(reporter, size + "load<T>(path) vs fread, new memory", "load_new/picklejar", "load_new/fread",
                  "fread", pj_bench::ratio_at_most(1.10));
  table.add_times(reporter, size + "load(m, path) vs fread, existing memory", "load_existing/picklejar",
                  "load_existing/fread", "fread", pj_bench::ratio_at_most(1.10));
  table.add_times(reporter, size + "dumps vs memcpy, new memory", "dumps/picklejar", "copy_new/memcpy", "memcpy",
                  pj_bench::ratio_at_most(1.20));
  table.add_times(reporter, size + "loads<T> vs memcpy, new memory", "loads/picklejar", "copy_new/memcpy", "memcpy",
                  pj_bench::ratio_at_most(1.20));
  // What the first two targets stand on: the page faults of new memory.
  table.add_times(reporter, size + "fread into new / existing memory (page faults)", "load_new/fread",
                  "load_existing/fread", "fread existing", pj_bench::report());
  table.finish();
  scratch().reset();
  return 0;
}
