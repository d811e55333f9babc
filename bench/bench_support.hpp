// Shared by the benchmark programs:
//   - timing_reporter: the console table, plus the median real time (and counters) of every
//     benchmark, so that main can print ratios between benchmarks measured in the same run;
//   - ratio_table: the rows "target | picklejar | baseline | ratio | goal | met?" that each program
//     prints at its end and appends to $PICKLEJAR_BENCH_TABLE (tab-separated), from which
//     scripts/bench.sh prints one combined table;
//   - scratch_directory: where the file benchmarks write ($PICKLEJAR_BENCH_DIR, else the build
//     directory: /tmp may be a tmpfs, which would measure memory instead of a disk);
//   - the size of the big matrix ($PICKLEJAR_BENCH_MATRIX_MIB, 256 by default; scripts/bench.sh
//     --quick makes it smaller).
// Benchmarks are not tests: nothing here asserts anything about a time.
#pragma once

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <unistd.h>

#ifndef PICKLEJAR_BENCH_DEFAULT_DIR
#define PICKLEJAR_BENCH_DEFAULT_DIR "."
#endif

namespace pj_bench {

inline double median_of(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const std::size_t middle = values.size() / 2;
  return values.size() % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
}

/// The console table (colored only on a terminal; --benchmark_out=results.json still writes
/// machine-readable results beside it), plus each benchmark's real time per iteration and its
/// counters, kept by the name it was registered under and its arguments ("save/picklejar",
/// "copy/64"), without the suffixes that settings such as MinTime or UseRealTime add to the
/// displayed name.
///
/// With --benchmark_repetitions=N the figures are medians over the repetitions: Google
/// Benchmark's "median" aggregate when it is reported (also with
/// --benchmark_display_aggregates_only), otherwise the median of the repetitions seen.
class timing_reporter : public benchmark::ConsoleReporter {
 public:
  timing_reporter() : ConsoleReporter(isatty(fileno(stdout)) ? OO_ColorTabular : OO_Tabular) {}

  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& run : runs) {
      if (run.error_occurred) continue;
      std::string name = run.run_name.function_name;
      if (!run.run_name.args.empty()) name += "/" + run.run_name.args;
      const double seconds = run.GetAdjustedRealTime() / benchmark::GetTimeUnitMultiplier(run.time_unit);
      measurements& m = results_[name];
      if (run.run_type == Run::RT_Iteration) {
        m.seconds.push_back(seconds);
        for (const auto& [counter, value] : run.counters) m.counters[counter].push_back(value.value);
      } else if (run.aggregate_name == "median") {
        m.median_seconds = seconds;
        for (const auto& [counter, value] : run.counters) m.median_counters[counter] = value.value;
      }
    }
  }

  /// Median real time of one iteration of `name` in seconds, or nothing if it did not run
  /// (filtered out, or failed).
  std::optional<double> seconds(const std::string& name) const {
    const auto found = results_.find(name);
    if (found == results_.end()) return std::nullopt;
    if (found->second.median_seconds) return found->second.median_seconds;
    if (found->second.seconds.empty()) return std::nullopt;
    return median_of(found->second.seconds);
  }

  /// Median of a user counter of `name` over the repetitions, or nothing.
  std::optional<double> counter(const std::string& name, const std::string& counter_name) const {
    const auto found = results_.find(name);
    if (found == results_.end()) return std::nullopt;
    const auto median = found->second.median_counters.find(counter_name);
    if (median != found->second.median_counters.end()) return median->second;
    const auto values = found->second.counters.find(counter_name);
    if (values == found->second.counters.end() || values->second.empty()) return std::nullopt;
    return median_of(values->second);
  }

 private:
  struct measurements {
    std::vector<double> seconds;  // one per repetition
    std::map<std::string, std::vector<double>> counters;
    std::optional<double> median_seconds;
    std::map<std::string, double> median_counters;
  };
  std::map<std::string, measurements> results_;
};

// --- formatting -------------------------------------------------------------------------------

inline std::string printed(const char* format, double value) {
  char text[64];
  std::snprintf(text, sizeof text, format, value);
  return text;
}

/// "412 ms", "3.27 ms", "85.1 us": three significant digits in a readable unit.
inline std::string format_seconds(double seconds) {
  const auto three_digits = [](double value, const char* unit) {
    const char* format = value >= 100 ? "%.0f %s" : value >= 10 ? "%.1f %s" : "%.2f %s";
    char text[64];
    std::snprintf(text, sizeof text, format, value, unit);
    return std::string(text);
  };
  if (seconds >= 1) return three_digits(seconds, "s");
  if (seconds >= 1e-3) return three_digits(seconds * 1e3, "ms");
  if (seconds >= 1e-6) return three_digits(seconds * 1e6, "us");
  return three_digits(seconds * 1e9, "ns");
}

/// "256.0 MiB", "12.3 KiB", "17 B".
inline std::string format_bytes(double bytes) {
  if (bytes >= 1024.0 * 1024 * 1024) return printed("%.2f GiB", bytes / (1024.0 * 1024 * 1024));
  if (bytes >= 1024.0 * 1024) return printed("%.1f MiB", bytes / (1024.0 * 1024));
  if (bytes >= 1024.0) return printed("%.1f KiB", bytes / 1024.0);
  return printed("%.0f B", bytes);
}

/// Decimal megabytes per second, as disks and most benchmarks report them.
inline std::string format_rate(double bytes, double seconds) {
  return printed("%.0f MB/s", bytes / seconds / 1e6);
}

// --- the table of ratios ----------------------------------------------------------------------

/// What a row must show to meet its target. Every ratio is picklejar / baseline (lower is better).
struct goal {
  enum class kind { ratio_at_most, seconds_under, report };
  kind what = kind::report;
  double limit = 0;
  std::string text = "report";
};

/// picklejar / baseline <= `limit`.
inline goal ratio_at_most(double limit) {
  return {goal::kind::ratio_at_most, limit, printed("<= %.2f", limit)};
}
/// picklejar at least `factor` times faster than the baseline: picklejar / baseline <= 1 / factor.
inline goal faster_by(double factor) {
  return {goal::kind::ratio_at_most, 1.0 / factor,
          printed("<= %.2f", 1.0 / factor) + printed(" (%gx faster)", factor)};
}
/// picklejar's own time under `limit` seconds, whatever the baseline's.
inline goal picklejar_under(double limit) {
  return {goal::kind::seconds_under, limit, "pj < " + format_seconds(limit)};
}
/// A figure to report, with no target.
inline goal report(std::string text = "report") { return {goal::kind::report, 0, std::move(text)}; }

/// The rows one program contributes: printed at its end, and appended (tab-separated: program,
/// target, picklejar, baseline, ratio, goal, met) to the file named by $PICKLEJAR_BENCH_TABLE,
/// which scripts/bench.sh turns into one combined table.
class ratio_table {
 public:
  explicit ratio_table(std::string program) : program_(std::move(program)) {}

  /// A row from two raw figures. `picklejar_value` is what the seconds_under goal judges.
  void add(std::string target, std::string picklejar, std::string baseline, double ratio, const goal& g,
           double picklejar_value) {
    std::string met = "-";
    if (g.what == goal::kind::ratio_at_most) {
      met = ratio <= g.limit ? "yes" : "NO, " + over(ratio, g.limit);
    } else if (g.what == goal::kind::seconds_under) {
      met = picklejar_value < g.limit ? "yes" : "NO, " + over(picklejar_value, g.limit);
    }
    rows_.push_back({std::move(target), std::move(picklejar), std::move(baseline),
                     std::isfinite(ratio) ? printed("%.2f", ratio) : "-", g.text, met});
  }

  /// A row of figures given as text (published ones, or several in one cell); no target.
  void add_text(std::string target, std::string picklejar, std::string baseline, std::string ratio,
                std::string note) {
    rows_.push_back({std::move(target), std::move(picklejar), std::move(baseline), std::move(ratio), std::move(note),
                     "-"});
  }

  /// A row comparing the median times of two benchmarks of this run; skipped (with a note) when
  /// either did not run.
  void add_times(const timing_reporter& reporter, std::string target, const std::string& picklejar_benchmark,
                 const std::string& baseline_benchmark, const std::string& baseline_label, const goal& g) {
    const auto mine = reporter.seconds(picklejar_benchmark);
    const auto base = reporter.seconds(baseline_benchmark);
    if (!mine || !base) {
      skipped_.push_back(target);
      return;
    }
    add(std::move(target), format_seconds(*mine), baseline_label + " " + format_seconds(*base), *mine / *base, g,
        *mine);
  }

  /// As add_times, with the throughput of `bytes` per iteration shown beside each time.
  void add_rates(const timing_reporter& reporter, std::string target, const std::string& picklejar_benchmark,
                 const std::string& baseline_benchmark, const std::string& baseline_label, double picklejar_bytes,
                 double baseline_bytes, const goal& g) {
    const auto mine = reporter.seconds(picklejar_benchmark);
    const auto base = reporter.seconds(baseline_benchmark);
    if (!mine || !base) {
      skipped_.push_back(target);
      return;
    }
    add(std::move(target), format_seconds(*mine) + ", " + format_rate(picklejar_bytes, *mine),
        baseline_label + " " + format_seconds(*base) + ", " + format_rate(baseline_bytes, *base), *mine / *base, g,
        *mine);
  }

  /// Prints the rows to stdout and appends them to $PICKLEJAR_BENCH_TABLE if it is set.
  void finish() const {
    std::printf("\n%s: picklejar against its baselines, measured in this run (ratio = picklejar / baseline, "
                "medians over repetitions):\n",
                program_.c_str());
    const row header{"target", "picklejar", "baseline", "ratio", "goal", "met?"};
    std::size_t widths[5] = {};
    widen(widths, header);
    for (const row& r : rows_) widen(widths, r);
    print_row(widths, header);
    for (const row& r : rows_) print_row(widths, r);
    for (const std::string& target : skipped_) std::printf("  (not run: %s)\n", target.c_str());

    const char* table_file = std::getenv("PICKLEJAR_BENCH_TABLE");
    if (table_file == nullptr || *table_file == '\0') return;
    std::FILE* out = std::fopen(table_file, "a");
    if (out == nullptr) {
      std::perror(table_file);
      return;
    }
    for (const row& r : rows_) {
      std::fprintf(out, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", program_.c_str(), r.target.c_str(), r.picklejar.c_str(),
                   r.baseline.c_str(), r.ratio.c_str(), r.goal.c_str(), r.met.c_str());
    }
    std::fclose(out);
  }

 private:
  struct row {
    std::string target, picklejar, baseline, ratio, goal, met;
  };
  /// How far a figure is over its limit: "+15% over", "+0.4% over".
  static std::string over(double value, double limit) {
    const double percent = (value / limit - 1) * 100;
    return printed(percent >= 10 ? "+%.0f%% over" : "+%.1f%% over", percent);
  }
  static void widen(std::size_t (&widths)[5], const row& r) {
    const std::string* cells[5] = {&r.target, &r.picklejar, &r.baseline, &r.ratio, &r.goal};
    for (int i = 0; i < 5; ++i) widths[i] = std::max(widths[i], cells[i]->size());
  }
  static void print_row(const std::size_t (&widths)[5], const row& r) {
    std::printf("  %-*s  %-*s  %-*s  %*s  %-*s  %s\n", int(widths[0]), r.target.c_str(), int(widths[1]),
                r.picklejar.c_str(), int(widths[2]), r.baseline.c_str(), int(widths[3]), r.ratio.c_str(),
                int(widths[4]), r.goal.c_str(), r.met.c_str());
  }

  std::string program_;
  std::vector<row> rows_;
  std::vector<std::string> skipped_;
};

// --- files and sizes --------------------------------------------------------------------------

/// A fresh directory for one program's scratch files, removed when the object goes away:
/// $PICKLEJAR_BENCH_DIR/<program>-<pid>, or the same under the build directory. The figures of the
/// file benchmarks are those of the file system it is on.
class scratch_directory {
 public:
  explicit scratch_directory(const std::string& program) {
    const char* base = std::getenv("PICKLEJAR_BENCH_DIR");
    const std::filesystem::path root = base != nullptr && *base != '\0' ? base : PICKLEJAR_BENCH_DEFAULT_DIR;
    path_ = std::filesystem::absolute(root / (program + "-scratch-" + std::to_string(::getpid())));
    std::filesystem::create_directories(path_);
  }
  scratch_directory(const scratch_directory&) = delete;
  scratch_directory& operator=(const scratch_directory&) = delete;
  ~scratch_directory() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

/// Size of the big matrix in MiB: $PICKLEJAR_BENCH_MATRIX_MIB, or 256 (the figure).
inline std::size_t matrix_mib() {
  const char* text = std::getenv("PICKLEJAR_BENCH_MATRIX_MIB");
  if (text == nullptr || *text == '\0') return 256;
  const long value = std::strtol(text, nullptr, 10);
  return value > 0 ? static_cast<std::size_t>(value) : 256;
}

}  // namespace pj_bench
