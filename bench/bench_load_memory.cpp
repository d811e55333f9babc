// How much heap a load takes beyond the object it builds (issue 5: peak heap growth of a load of
// a 256 MiB Eigen::MatrixXf into a new object <= 1.05x the payload; no intermediate buffer of the
// whole file). Pages of a memory-mapped file are page cache, not heap, and do not count.
//
// How it is measured. This program replaces malloc, calloc, realloc, free and the aligned
// allocation functions with thin wrappers around glibc's own (__libc_malloc and friends) that
// keep the number of live heap bytes and its high-water mark. Eigen allocates matrices with
// malloc, and the C++ operator new of libstdc++ calls malloc, so every heap byte of a load is
// counted, whoever allocates it; a file mapped with mmap is not (it is not heap). Each benchmark
// resets the high-water mark to the live bytes, runs one load, and reports:
//
//   peak_heap_bytes   high-water mark minus the live bytes before the load (the new matrix
//                     included: it is the payload itself)
//   heap_ratio        peak_heap_bytes / payload bytes (1.00 = only the matrix)
//
// As a cross-check that does not depend on the wrappers, it also reads /proc/self/status around
// the load (after resetting the kernel's peak-RSS mark through /proc/self/clear_refs):
//
//   rss_anon_growth   growth of RssAnon (anonymous memory: heap, and anonymous mmaps) from
//                     before the load to just after it, the loaded object still alive
//   rss_peak_growth   growth of the peak RSS (VmHWM) during the load, minus the file-backed RSS
//                     (RssFile) still mapped at the end. This counts every page, also anonymous
//                     mmaps that malloc never saw; but a file mapped and unmapped again within the
//                     load is counted as well, since its pages have left RssFile by the end.
//
// Every figure is the median over --benchmark_repetitions; times are reported too, but
// bench_matrix is the program for times (the wrappers cost a few atomic operations per
// allocation here).
//
//   build/bench/bench_load_memory --benchmark_repetitions=3
#include <benchmark/benchmark.h>
#include <picklejar/eigen.hpp>
#include <picklejar/picklejar.hpp>

#include <malloc.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <new>
#include <string>

#include "bench_support.hpp"

// --- counting every heap byte -----------------------------------------------------------------

// glibc's allocator under its own names, so that the replacements below can forward to it.
extern "C" {
void* __libc_malloc(std::size_t size);
void* __libc_calloc(std::size_t count, std::size_t size);
void* __libc_realloc(void* pointer, std::size_t size);
void* __libc_memalign(std::size_t alignment, std::size_t size);
void __libc_free(void* pointer);
}

namespace heap {

std::atomic<std::size_t> live{0};
std::atomic<std::size_t> peak{0};

void allocated(void* pointer) {
  if (pointer == nullptr) return;
  const std::size_t now = live.fetch_add(malloc_usable_size(pointer), std::memory_order_relaxed) +
                          malloc_usable_size(pointer);
  std::size_t seen = peak.load(std::memory_order_relaxed);
  while (now > seen && !peak.compare_exchange_weak(seen, now, std::memory_order_relaxed)) {
  }
}

void released(void* pointer) {
  if (pointer != nullptr) live.fetch_sub(malloc_usable_size(pointer), std::memory_order_relaxed);
}

/// Starts a measurement: the high-water mark drops to what is live now.
std::size_t reset_peak() {
  const std::size_t now = live.load();
  peak.store(now);
  return now;
}

}  // namespace heap

extern "C" {
void* malloc(std::size_t size) noexcept {
  void* pointer = __libc_malloc(size);
  heap::allocated(pointer);
  return pointer;
}
void* calloc(std::size_t count, std::size_t size) noexcept {
  void* pointer = __libc_calloc(count, size);
  heap::allocated(pointer);
  return pointer;
}
void* realloc(void* pointer, std::size_t size) noexcept {
  heap::released(pointer);  // counted again below, at its new size (or again at its old one)
  void* moved = __libc_realloc(pointer, size);
  heap::allocated(moved != nullptr || size == 0 ? moved : pointer);
  return moved;
}
void free(void* pointer) noexcept {
  heap::released(pointer);
  __libc_free(pointer);
}
void* memalign(std::size_t alignment, std::size_t size) noexcept {
  void* pointer = __libc_memalign(alignment, size);
  heap::allocated(pointer);
  return pointer;
}
void* aligned_alloc(std::size_t alignment, std::size_t size) noexcept { return memalign(alignment, size); }
int posix_memalign(void** result, std::size_t alignment, std::size_t size) noexcept {
  if (alignment < sizeof(void*) || (alignment & (alignment - 1)) != 0) return EINVAL;
  void* pointer = memalign(alignment, size);
  if (pointer == nullptr && size != 0) return ENOMEM;
  *result = pointer;
  return 0;
}
void* valloc(std::size_t size) noexcept { return memalign(static_cast<std::size_t>(::sysconf(_SC_PAGESIZE)), size); }
void* pvalloc(std::size_t size) noexcept {
  const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  return memalign(page, (size + page - 1) / page * page);
}
}

// --- the measurements -------------------------------------------------------------------------

namespace {

namespace fs = std::filesystem;

const std::size_t mib = pj_bench::matrix_mib();
const Eigen::Index rows = 8192;
const auto cols = static_cast<Eigen::Index>(mib * 1024 * 1024 / sizeof(float) / 8192);
const std::size_t matrix_bytes = static_cast<std::size_t>(rows * cols) * sizeof(float);

std::unique_ptr<pj_bench::scratch_directory>& scratch() {
  static std::unique_ptr<pj_bench::scratch_directory> dir;
  return dir;
}
fs::path matrix_file() { return scratch()->path() / "matrix.pj"; }

const std::string& matrix_bytes_in_memory() {
  static const std::string bytes = picklejar::dumps(Eigen::MatrixXf(Eigen::MatrixXf::Random(rows, cols)));
  return bytes;
}

/// Values of /proc/self/status, in bytes.
struct process_memory {
  double rss_anon = 0, rss_file = 0, peak_rss = 0;
};

process_memory read_process_memory() {
  process_memory m;
  std::ifstream status("/proc/self/status");
  std::string key;
  double kib = 0;
  std::string unit;
  while (status >> key) {
    if (key == "RssAnon:" || key == "RssFile:" || key == "VmHWM:") {
      status >> kib >> unit;
      (key == "RssAnon:" ? m.rss_anon : key == "RssFile:" ? m.rss_file : m.peak_rss) = kib * 1024;
    }
    status.ignore(1 << 20, '\n');
  }
  return m;
}

/// Resets the kernel's peak-RSS mark (VmHWM) to the current RSS; false where that is refused.
bool reset_peak_rss() {
  std::ofstream clear("/proc/self/clear_refs");
  clear << "5";
  clear.flush();
  return static_cast<bool>(clear);
}

/// Runs `load` once per iteration, untimed parts aside, and reports the heap and RSS figures of
/// the last iteration. `load` returns the loaded object, alive until the figures are read.
template <class Load>
void measure(benchmark::State& state, Load load) {
  double peak_growth = 0, anon_growth = 0, rss_peak_growth = 0;
  for (auto _ : state) {
    state.PauseTiming();
    ::malloc_trim(0);  // return freed memory to the system, so RSS starts from what is live
    const bool peak_rss_reset = reset_peak_rss();
    const process_memory before = read_process_memory();
    const std::size_t live_before = heap::reset_peak();
    state.ResumeTiming();

    auto loaded = load();
    benchmark::DoNotOptimize(loaded);

    state.PauseTiming();
    peak_growth = static_cast<double>(heap::peak.load() - live_before);
    const process_memory after = read_process_memory();
    anon_growth = after.rss_anon - before.rss_anon;
    rss_peak_growth = peak_rss_reset ? after.peak_rss - (before.rss_anon + before.rss_file) -
                                           (after.rss_file - before.rss_file)
                                     : -1;
    state.ResumeTiming();
  }
  state.counters["peak_heap_bytes"] = peak_growth;
  state.counters["heap_ratio"] = peak_growth / static_cast<double>(matrix_bytes);
  state.counters["rss_anon_growth"] = anon_growth;
  state.counters["rss_peak_growth"] = rss_peak_growth;
}

void load_new_from_file(benchmark::State& state) {
  measure(state, [] { return picklejar::load<Eigen::MatrixXf>(matrix_file()); });
}

void loads_new_from_bytes(benchmark::State& state) {
  const std::string& bytes = matrix_bytes_in_memory();
  measure(state, [&] { return picklejar::loads<Eigen::MatrixXf>(bytes); });
}

void load_existing_from_file(benchmark::State& state) {
  Eigen::MatrixXf existing = Eigen::MatrixXf::Zero(rows, cols);
  measure(state, [&] {
    picklejar::load(existing, matrix_file());
    return existing.data();
  });
}

// The baseline: fread into a new matrix takes exactly the payload.
void fread_new_from_file(benchmark::State& state) {
  const fs::path raw = scratch()->path() / "matrix.raw";
  measure(state, [&] {
    Eigen::MatrixXf loaded(rows, cols);
    std::FILE* in = std::fopen(raw.c_str(), "rb");
    const std::size_t got = in != nullptr ? std::fread(loaded.data(), 1, matrix_bytes, in) : 0;
    if (in != nullptr) std::fclose(in);
    if (got != matrix_bytes) {
      std::fprintf(stderr, "bench_load_memory: cannot read %s\n", raw.c_str());
      std::abort();
    }
    return loaded;
  });
}

void prepare() {
  const Eigen::MatrixXf matrix = Eigen::MatrixXf::Random(rows, cols);
  picklejar::save(matrix, matrix_file());
  std::FILE* out = std::fopen((scratch()->path() / "matrix.raw").c_str(), "wb");
  if (out == nullptr || std::fwrite(matrix.data(), 1, matrix_bytes, out) != matrix_bytes || std::fclose(out) != 0) {
    std::fprintf(stderr, "bench_load_memory: cannot write the raw file\n");
    std::abort();
  }
  // The wrappers must see the matrix's own allocation, or every figure below is meaningless.
  const std::size_t before = heap::reset_peak();
  { const Eigen::MatrixXf probe(rows, cols); benchmark::DoNotOptimize(probe.data()); }
  if (heap::peak.load() - before < matrix_bytes) {
    std::fprintf(stderr, "bench_load_memory: the malloc wrappers did not see an Eigen allocation\n");
    std::abort();
  }
  matrix_bytes_in_memory();
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;

  scratch() = std::make_unique<pj_bench::scratch_directory>("bench_load_memory");
  std::printf("matrix: %lld x %lld Eigen::MatrixXf, payload %zu MiB; files in %s\n", static_cast<long long>(rows),
              static_cast<long long>(cols), matrix_bytes >> 20, scratch()->path().c_str());
  prepare();

  struct entry {
    const char* name;
    void (*function)(benchmark::State&);
  };
  const entry benchmarks[] = {
      {"heap/load_new_picklejar", load_new_from_file},
      {"heap/loads_new_picklejar", loads_new_from_bytes},
      {"heap/load_existing_picklejar", load_existing_from_file},
      {"heap/load_new_fread", fread_new_from_file},
  };
  for (const entry& e : benchmarks) {
    benchmark::RegisterBenchmark(e.name, e.function)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);
  }

  pj_bench::timing_reporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();

  pj_bench::ratio_table table("bench_load_memory");
  const auto payload = static_cast<double>(matrix_bytes);
  const auto add = [&](const std::string& target, const std::string& name, const pj_bench::goal& g) {
    if (const auto peak = reporter.counter(name, "peak_heap_bytes")) {
      table.add(target, pj_bench::format_bytes(*peak), "payload " + pj_bench::format_bytes(payload), *peak / payload, g,
                0);
    }
  };
  const std::string size = std::to_string(mib) + " MiB MatrixXf ";
  add(size + "load<T>(path): peak heap / payload", "heap/load_new_picklejar", pj_bench::ratio_at_most(1.05));
  // The same load seen by the kernel: peak RSS growth less file pages still mapped at the end.
  if (const auto rss_peak = reporter.counter("heap/load_new_picklejar", "rss_peak_growth"); rss_peak && *rss_peak >= 0) {
    table.add(size + "load<T>(path): peak RSS growth / payload (cross-check)", pj_bench::format_bytes(*rss_peak),
              "payload " + pj_bench::format_bytes(payload), *rss_peak / payload, pj_bench::report(), 0);
  }
  add(size + "loads<T>(bytes): peak heap / payload", "heap/loads_new_picklejar", pj_bench::report());
  add(size + "load(m, path), existing m: peak heap / payload", "heap/load_existing_picklejar", pj_bench::report());
  add(size + "fread into new memory: peak heap / payload", "heap/load_new_fread", pj_bench::report("baseline"));
  table.finish();
  scratch().reset();
  return 0;
}
