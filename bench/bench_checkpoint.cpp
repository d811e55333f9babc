// What makes picklejar::save safe, and what it costs on a 256 MiB checkpoint: the XXH3 checksum and
// fsync. A struct holding a 256 MiB Eigen::MatrixXf is saved with picklejar::save (binary: the
// file's bytes built in memory with their checksum, written to a temporary file, fsync'ed, renamed
// over the target, directory fsync'ed), beside baselines measured in the same run:
//
//   write/raw          write() of the matrix's bytes to a new file, no fsync (they stay in the page cache)
//   write/raw_fsync    the same, then fsync: the bytes on disk
//   write/raw_atomic   the same into a temporary file, renamed over the target, directory fsync'ed:
//                      what save does, minus serialization and checksum
//   save/picklejar     picklejar::save
//   dumps/picklejar    picklejar::dumps: the file's bytes in memory (a copy of the matrix + checksum)
//   copy/memcpy        the matrix's bytes appended to an empty std::string (the copy dumps makes,
//                      into new memory: the kernel maps and zeroes its pages on first touch)
//   copy/memcpy_reused the same copy into a buffer allocated and touched once, before timing
//   checksum/xxh3      XXH3-64 over the 256 MiB (xxHash's XXH3_64bits, the checksum picklejar uses)
//
// Asynchronous saves (checkpoint_manager::save_async), on a separate model of 512 MiB (an
// Eigen::MatrixXf; $PICKLEJAR_BENCH_ASYNC_MIB changes it), side by side in the same run:
//
//   async/save              checkpoint_manager::save: the whole checkpoint, fsync and rename included
//   async/save_async_stall  what checkpoint_manager::save_async costs the caller: the snapshot into
//                           the manager's kept buffer (the write that follows is not timed; each
//                           iteration waits for it untimed)
//   async/memcpy_fresh      the model's bytes copied into new memory (page faults and all)
//   async/memcpy_touched    the same copy into memory already touched
//   train/none, train/save, train/save_async
//                           a training loop (each step rewrites 1/8 of the weights and computes a
//                           little), checkpointing every 200 steps ($PICKLEJAR_BENCH_CHECKPOINT_EVERY),
//                           3 intervals: without checkpoints,
//                           with save, with save_async (the last write is waited for untimed; a
//                           save_async that finds the previous write unfinished waits, timed). If the
//                           disk writes a checkpoint more slowly than the interval takes, no asynchronous
//                           scheme keeps up: save_async then waits for the disk, and says so.
//
// Targets (issue 18): save_async's stall <= 0.25 x save and <= 3 x memcpy_fresh; the training loop
// with save_async loses <= 5% of its throughput against no checkpoints.
//
// Every file benchmark starts from a directory without the target (its removal is not timed), so
// all of them create and fill a new file. Times are wall-clock (fsync waits without using the CPU).
// After the table a summary prints the ratios (of medians, with --benchmark_repetitions). Files go
// to a fresh directory under $PICKLEJAR_BENCH_DIR (default: the build directory), removed at the
// end; the figures depend on that file system and disk.
//
//   build/bench/bench_checkpoint [--benchmark_repetitions=3]
#define XXH_INLINE_ALL  // xxHash header-only, as picklejar uses it
#include <xxhash.h>

#include <benchmark/benchmark.h>
#include <picklejar/eigen.hpp>
#include <picklejar/checkpoint.hpp>
#include <picklejar/picklejar.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>

#include "bench_support.hpp"

namespace {

namespace fs = std::filesystem;

// 8192 x 8192 floats = 256 MiB, or the size in $PICKLEJAR_BENCH_MATRIX_MIB.
const std::size_t mib = pj_bench::matrix_mib();
const Eigen::Index rows = 8192;
const auto cols = static_cast<Eigen::Index>(mib * 1024 * 1024 / sizeof(float) / 8192);
const std::size_t matrix_bytes = static_cast<std::size_t>(rows * cols) * sizeof(float);

struct Checkpoint {
  int step = 0;
  Eigen::MatrixXf weights;
  PICKLEJAR_FIELDS(step, weights)
};

const Checkpoint& checkpoint() {
  static const Checkpoint value = [] {
    Checkpoint c;
    c.step = 1000;
    c.weights = Eigen::MatrixXf::Random(rows, cols);
    return c;
  }();
  return value;
}

const char* matrix_data() { return reinterpret_cast<const char*>(checkpoint().weights.data()); }

std::unique_ptr<pj_bench::scratch_directory>& scratch() {
  static std::unique_ptr<pj_bench::scratch_directory> dir;
  return dir;
}
const fs::path& scratch_dir() { return scratch()->path(); }

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "bench_checkpoint: %s: %s\n", what.c_str(), std::strerror(errno));
  std::abort();
}

void write_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t written = ::write(fd, data, size);
    if (written < 0 && errno == EINTR) continue;
    if (written < 0) fail("write");
    data += written;
    size -= static_cast<std::size_t>(written);
  }
}

void write_file(const fs::path& path, bool flush_to_disk) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) fail("open " + path.string());
  write_all(fd, matrix_data(), matrix_bytes);
  if (flush_to_disk && ::fsync(fd) != 0) fail("fsync");
  if (::close(fd) != 0) fail("close");
}

void fsync_directory(const fs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0 || ::fsync(fd) != 0) fail("fsync " + dir.string());
  ::close(fd);
}

/// Removes the previous iteration's file, untimed: deleting 256 MiB is not part of any save.
void remove_untimed(benchmark::State& state, const fs::path& path) {
  state.PauseTiming();
  fs::remove(path);
  state.ResumeTiming();
}

void finish(benchmark::State& state, const fs::path& path) {
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * matrix_bytes));
  fs::remove(path);
}

void write_raw(benchmark::State& state) {
  const fs::path path = scratch_dir() / "raw.bin";
  for (auto _ : state) {
    remove_untimed(state, path);
    write_file(path, false);
  }
  finish(state, path);
}

void write_raw_fsync(benchmark::State& state) {
  const fs::path path = scratch_dir() / "raw-fsync.bin";
  for (auto _ : state) {
    remove_untimed(state, path);
    write_file(path, true);
  }
  finish(state, path);
}

void write_raw_atomic(benchmark::State& state) {
  const fs::path path = scratch_dir() / "raw-atomic.bin";
  const fs::path temporary = scratch_dir() / "raw-atomic.bin.tmp";
  for (auto _ : state) {
    remove_untimed(state, path);
    write_file(temporary, true);
    if (::rename(temporary.c_str(), path.c_str()) != 0) fail("rename");
    fsync_directory(scratch_dir());
  }
  finish(state, path);
}

void save_picklejar(benchmark::State& state) {
  const fs::path path = scratch_dir() / "checkpoint.pj";
  for (auto _ : state) {
    remove_untimed(state, path);
    picklejar::save(checkpoint(), path);
  }
  state.counters["file_bytes"] = static_cast<double>(fs::file_size(path));
  finish(state, path);
}

void dumps_picklejar(benchmark::State& state) {
  for (auto _ : state) {
    std::string bytes = picklejar::dumps(checkpoint());
    benchmark::DoNotOptimize(bytes.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * matrix_bytes));
}

void copy_memcpy(benchmark::State& state) {
  for (auto _ : state) {
    std::string bytes;
    bytes.append(matrix_data(), matrix_bytes);  // one allocation, one copy, as dumps
    benchmark::DoNotOptimize(bytes.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * matrix_bytes));
}

void copy_memcpy_reused(benchmark::State& state) {
  std::string bytes(matrix_bytes, '\0');
  for (auto _ : state) {
    std::memcpy(bytes.data(), matrix_data(), matrix_bytes);
    benchmark::DoNotOptimize(bytes.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * matrix_bytes));
}

void checksum_xxh3(benchmark::State& state) {
  for (auto _ : state) {
    benchmark::DoNotOptimize(XXH3_64bits(matrix_data(), matrix_bytes));
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * matrix_bytes));
}

// ---- asynchronous saves ----

std::size_t async_mib() {
  const char* text = std::getenv("PICKLEJAR_BENCH_ASYNC_MIB");
  const long value = text != nullptr ? std::strtol(text, nullptr, 10) : 0;
  return value > 0 ? static_cast<std::size_t>(value) : 512;
}
const std::size_t async_bytes = async_mib() << 20;

Checkpoint& async_model() {
  static Checkpoint value = [] {
    Checkpoint c;
    c.weights = Eigen::MatrixXf::Random(8192, static_cast<Eigen::Index>(async_bytes / sizeof(float) / 8192));
    return c;
  }();
  return value;
}
const char* async_data() { return reinterpret_cast<const char*>(async_model().weights.data()); }

picklejar::checkpoint_options async_options() {
  picklejar::checkpoint_options opts;
  opts.keep_last = 1;
  opts.keep_best = 1;
  return opts;
}

void async_save(benchmark::State& state) {
  const fs::path dir = scratch_dir() / "async-save";
  fs::remove_all(dir);  // Google Benchmark may call this function more than once
  picklejar::checkpoint_manager manager(dir, async_options());
  std::int64_t step = 0;
  for (auto _ : state) manager.save(async_model(), step++);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * async_bytes));
}

void async_save_async_stall(benchmark::State& state) {
  const fs::path dir = scratch_dir() / "async-stall";
  fs::remove_all(dir);  // Google Benchmark may call this function more than once
  picklejar::checkpoint_manager manager(dir, async_options());
  std::int64_t step = 0;
  manager.save_async(async_model(), step++);  // the first one touches the kept buffer
  manager.wait();
  for (auto _ : state) {
    manager.save_async(async_model(), step++);
    state.PauseTiming();
    manager.wait();
    state.ResumeTiming();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * async_bytes));
}

void async_memcpy_fresh(benchmark::State& state) {
  for (auto _ : state) {
    std::string bytes;
    bytes.append(async_data(), async_bytes);
    benchmark::DoNotOptimize(bytes.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * async_bytes));
}

void async_memcpy_touched(benchmark::State& state) {
  std::string bytes(async_bytes, '\0');
  for (auto _ : state) {
    std::memcpy(bytes.data(), async_data(), async_bytes);
    benchmark::DoNotOptimize(bytes.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * async_bytes));
}

/// One training step: rewrites an eighth of the weights (a different one each step) and does a
/// little arithmetic besides, as an optimizer and a forward pass would.
void train_step(Checkpoint& model, int step) {
  Eigen::MatrixXf& w = model.weights;
  const Eigen::Index block = w.cols() / 8;
  w.middleCols((step % 8) * block, block).array() *= 0.999f;
  const Eigen::MatrixXf a = w.topLeftCorner(384, 384);
  benchmark::DoNotOptimize((a * a).eval().data());
  model.step = step;
}

enum class checkpointing { none, save, save_async };

/// Steps between checkpoints: $PICKLEJAR_BENCH_CHECKPOINT_EVERY, 200 by default (about 6 s of
/// training here: longer than the disk takes to write a checkpoint, the regime save_async is for).
int checkpoint_every() {
  const char* text = std::getenv("PICKLEJAR_BENCH_CHECKPOINT_EVERY");
  const long value = text != nullptr ? std::strtol(text, nullptr, 10) : 0;
  return value > 0 ? static_cast<int>(value) : 200;
}

void train(benchmark::State& state, checkpointing how) {
  const fs::path dir = scratch_dir() / "train";
  fs::remove_all(dir);
  picklejar::checkpoint_manager manager(dir, async_options());
  const int steps = checkpoint_every();  // one checkpoint interval per iteration
  int step = 0;
  double stalled = 0;  // seconds inside save or save_async: the rest of the loss is contention
  if (how == checkpointing::save_async) {  // the kept buffer exists before timing, as in a long run
    manager.save_async(async_model(), step++);
    manager.wait();
  }
  for (auto _ : state) {
    for (int i = 0; i < steps; ++i, ++step) {
      train_step(async_model(), step);
      if (i + 1 != steps) continue;
      const auto start = std::chrono::steady_clock::now();
      if (how == checkpointing::save) manager.save(async_model(), step);
      if (how == checkpointing::save_async) manager.save_async(async_model(), step);
      stalled += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }
  }
  // Not timed: in a long run the last write overlaps the next steps. The earlier ones are: a
  // save_async that finds the previous write unfinished (max_pending 1) waits inside the loop.
  manager.wait();
  state.counters["stall_ms"] = stalled * 1e3 / static_cast<double>(state.iterations());
  state.counters["steps_per_s"] = benchmark::Counter(static_cast<double>(state.iterations() * steps),
                                                     benchmark::Counter::kIsRate);
}

void train_none(benchmark::State& state) { train(state, checkpointing::none); }
void train_save(benchmark::State& state) { train(state, checkpointing::save); }
void train_save_async(benchmark::State& state) { train(state, checkpointing::save_async); }

/// Saves and loads once before anything is timed: the benchmark measures a save that works.
void check_round_trip() {
  const fs::path path = scratch_dir() / "check.pj";
  picklejar::save(checkpoint(), path);
  const Checkpoint loaded = picklejar::load<Checkpoint>(path);
  if (loaded.step != checkpoint().step || loaded.weights != checkpoint().weights) {
    std::fprintf(stderr, "bench_checkpoint: the checkpoint did not load back as saved\n");
    std::abort();
  }
  fs::remove(path);
}

void print_ratio(const pj_bench::timing_reporter& reporter, const char* what, const char* name,
                 const char* baseline) {
  const auto mine = reporter.seconds(name);
  const auto base = reporter.seconds(baseline);
  if (!mine || !base) return;  // filtered out
  std::printf("  %-52s %6.2f  (%s %.1f ms / %s %.1f ms)\n", what, *mine / *base, name, *mine * 1e3, baseline,
              *base * 1e3);
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;

  scratch() = std::make_unique<pj_bench::scratch_directory>("bench_checkpoint");
  std::printf("checkpoint: a %lld x %lld Eigen::MatrixXf (%zu MiB) in a PICKLEJAR_FIELDS struct; files in %s\n",
              static_cast<long long>(rows), static_cast<long long>(cols), matrix_bytes >> 20,
              scratch_dir().c_str());
  check_round_trip();

  struct entry {
    const char* name;
    void (*function)(benchmark::State&);
  };
  // Every benchmark runs for the usual minimum time (--benchmark_min_time): a disk write of 256
  // MiB is at the mercy of writeback, so take the median of --benchmark_repetitions=3 or more.
  const entry benchmarks[] = {
      {"write/raw", write_raw},
      {"write/raw_fsync", write_raw_fsync},
      {"write/raw_atomic", write_raw_atomic},
      {"save/picklejar", save_picklejar},
      {"dumps/picklejar", dumps_picklejar},
      {"copy/memcpy", copy_memcpy},
      {"copy/memcpy_reused", copy_memcpy_reused},
      {"checksum/xxh3", checksum_xxh3},
      {"async/save", async_save},
      {"async/save_async_stall", async_save_async_stall},
      {"async/memcpy_fresh", async_memcpy_fresh},
      {"async/memcpy_touched", async_memcpy_touched},
      {"train/none", train_none},
      {"train/save", train_save},
      {"train/save_async", train_save_async},
  };
  for (const entry& e : benchmarks) {
    auto* registered = benchmark::RegisterBenchmark(e.name, e.function)->Unit(benchmark::kMillisecond)->UseRealTime();
    if (std::string(e.name).rfind("train/", 0) == 0) registered->Iterations(3);  // 3 checkpoint intervals
  }

  pj_bench::timing_reporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  scratch().reset();

  std::printf("\nratios of median wall-clock times, same run:\n");
  print_ratio(reporter, "fsync: durable write / page-cache write", "write/raw_fsync", "write/raw");
  print_ratio(reporter, "save vs a page-cache write", "save/picklejar", "write/raw");
  print_ratio(reporter, "save vs a durable write", "save/picklejar", "write/raw_fsync");
  print_ratio(reporter, "save vs a hand-written atomic durable write", "save/picklejar", "write/raw_atomic");
  print_ratio(reporter, "checksum, as a fraction of save", "checksum/xxh3", "save/picklejar");
  print_ratio(reporter, "checksum, as a fraction of dumps", "checksum/xxh3", "dumps/picklejar");
  print_ratio(reporter, "dumps vs copying the bytes", "dumps/picklejar", "copy/memcpy");
  print_ratio(reporter, "copy into new memory vs into touched memory", "copy/memcpy", "copy/memcpy_reused");
  print_ratio(reporter, "copy into new memory, as a fraction of save", "copy/memcpy", "save/picklejar");
  std::printf("\nasynchronous saves, %zu MiB model:\n", async_bytes >> 20);
  print_ratio(reporter, "save_async stall / save (target <= 0.25)", "async/save_async_stall", "async/save");
  print_ratio(reporter, "save_async stall / memcpy fresh (target <= 3)", "async/save_async_stall",
              "async/memcpy_fresh");
  print_ratio(reporter, "save_async stall / memcpy touched", "async/save_async_stall", "async/memcpy_touched");
  print_ratio(reporter, "memcpy fresh / save", "async/memcpy_fresh", "async/save");
  print_ratio(reporter, "memcpy touched / save", "async/memcpy_touched", "async/save");
  const auto none = reporter.seconds("train/none");
  // The stall alone (time inside the call, per checkpoint) against the interval: what the loop
  // loses on an otherwise idle machine; the wall-clock loss below adds contention for the cores.
  for (const char* name : {"train/save", "train/save_async"}) {
    const auto stall = reporter.counter(name, "stall_ms");
    if (none && stall) {
      std::printf("  %-52s %5.1f%%  (%.0f ms per checkpoint / %.0f ms per %d steps without)\n",
                  (std::string("stall share of the interval, ") + name).c_str(), *stall / 1e3 / *none * 100, *stall,
                  *none * 1e3, checkpoint_every());
    }
  }
  for (const char* name : {"train/save", "train/save_async"}) {
    const auto with = reporter.seconds(name);
    if (none && with) {
      std::printf("  %-52s %5.1f%%  (%s %.0f ms / train/none %.0f ms per %d steps)\n",
                  (std::string("throughput lost, ") + name + (std::string(name) == "train/save_async" ? " (target <= 5%)" : "")).c_str(),
                  (1.0 - *none / *with) * 100, name, *with * 1e3, *none * 1e3, checkpoint_every());
    }
  }

  const auto save = reporter.seconds("save/picklejar");
  const auto raw = reporter.seconds("write/raw");
  const auto durable = reporter.seconds("write/raw_fsync");
  if (save && raw && durable) {
    std::printf("  %-52s %6.2f  ((raw_fsync - raw) / save)\n", "fsync, as a fraction of save",
                (*durable - *raw) / *save);
  }

  pj_bench::ratio_table table("bench_checkpoint");
  const std::string size = std::to_string(mib) + " MiB checkpoint struct, ";
  table.add_times(reporter, size + "save vs hand-written atomic durable write", "save/picklejar", "write/raw_atomic",
                  "tmp+fsync+rename", pj_bench::report());
  table.add_times(reporter, size + "XXH3 checksum share of save", "checksum/xxh3", "save/picklejar", "save",
                  pj_bench::report());
  const std::string async_size = std::to_string(async_bytes >> 20) + " MiB model, ";
  table.add_times(reporter, async_size + "save_async stall vs save", "async/save_async_stall", "async/save", "save",
                  pj_bench::ratio_at_most(0.25));
  table.add_times(reporter, async_size + "save_async stall vs memcpy into fresh memory", "async/save_async_stall",
                  "async/memcpy_fresh", "memcpy", pj_bench::ratio_at_most(3));
  table.add_times(reporter, "training loop with save_async vs without checkpoints", "train/save_async", "train/none",
                  "no checkpoints", pj_bench::ratio_at_most(1.0 / 0.95));
  table.add_times(reporter, "training loop with save vs without checkpoints", "train/save", "train/none",
                  "no checkpoints", pj_bench::report());
  table.finish();
  return 0;
}
