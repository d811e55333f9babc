// Shared by the benchmark programs: a console reporter that also keeps the mean real time of every
// benchmark, so that main can print ratios between benchmarks measured in the same run.
#pragma once

#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <unistd.h>

namespace pj_bench {

/// The console table (colored only on a terminal; --benchmark_out=results.json still writes
/// machine-readable results beside it), plus each benchmark's mean real time, kept by the name it
/// was registered under and its arguments ("save/picklejar", "copy/64"), without the suffixes
/// that settings such as MinTime or UseRealTime add to the displayed name.
class timing_reporter : public benchmark::ConsoleReporter {
 public:
  timing_reporter() : ConsoleReporter(isatty(fileno(stdout)) ? OO_ColorTabular : OO_Tabular) {}

  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& run : runs) {
      if (run.run_type != Run::RT_Iteration || run.error_occurred) continue;
      std::string name = run.run_name.function_name;
      if (!run.run_name.args.empty()) name += "/" + run.run_name.args;
      mean& m = seconds_[name];
      m.sum += run.GetAdjustedRealTime() / benchmark::GetTimeUnitMultiplier(run.time_unit);
      ++m.count;
    }
  }

  /// Mean real time of one iteration of `name` in seconds (averaged over repetitions), or
  /// nothing if it did not run (filtered out, or failed).
  std::optional<double> seconds(const std::string& name) const {
    const auto found = seconds_.find(name);
    if (found == seconds_.end()) return std::nullopt;
    return found->second.sum / found->second.count;
  }

 private:
  struct mean {
    double sum = 0;
    int count = 0;
  };
  std::map<std::string, mean> seconds_;
};

}  // namespace pj_bench
