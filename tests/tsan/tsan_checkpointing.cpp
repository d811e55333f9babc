// Checkpoints taken while a model trains, under ThreadSanitizer (label tsan; built only with
// -DPICKLEJAR_BUILD_TSAN_TESTS=ON, see scripts/tsan.sh).
//
// One trainer thread runs 2,000 steps; each step changes every member of the model under the
// model's mutex (a std::shared_mutex, so that the two savers may read it at the same time). Two
// threads checkpoint it meanwhile, as fast as they can:
//   - a saver: picklejar::save to its own files, binary and JSON in turn;
//   - a checkpointer: checkpoint_manager::save (keep_last 3, keep_best 2, by a metric).
// Each loads every file it wrote back at once and checks that it is one consistent snapshot:
// every weight, the bias, the optimizer step, the history's length and the counters equal the
// step recorded in the same object. PICKLEJAR_GUARDED_BY(mutex_) makes saving hold the mutex
// (shared), so ThreadSanitizer must report nothing and no checkpoint may be torn.
//
// Built with -DPICKLEJAR_TSAN_ASYNC, the saves are asynchronous: the saver uses picklejar::save_async
// (and waits for its future before loading), and the trainer itself calls
// checkpoint_manager::save_async every 10 steps (max_pending 2, every checkpoint kept) and goes on
// training while the background writer writes. Each checkpoint must then be exactly the model of
// its step (the weights hold the step number): the snapshot is taken at the call, whatever the
// trainer does afterwards.
//
// Built with -DPICKLEJAR_TSAN_UNGUARDED, the same model lacks PICKLEJAR_GUARDED_BY: that is the
// control, which ThreadSanitizer must flag (tests/tsan/check_control.cmake), so this test is known
// to be able to fail.
//
//   picklejar_tsan_guarded <scratch-directory>     exit 0: no torn checkpoint (TSan: exit 66 on a report)
#include <picklejar/checkpoint.hpp>
#include <picklejar/eigen.hpp>
#include <picklejar/json.hpp>
#include <picklejar/picklejar.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

namespace tsan_test {

constexpr std::int64_t steps = 2000;
constexpr Eigen::Index rows = 64;
constexpr Eigen::Index cols = 128;  // 32 KiB of weights

/// A model in training: weights, optimizer state, a history that grows every step and a map.
class Model {
 public:
  Model() : weights_(Eigen::MatrixXf::Zero(rows, cols)), bias_(Eigen::VectorXf::Zero(rows)) {}

  /// One training step: every member changes, under the lock.
  void train_step(std::int64_t step) {
    std::unique_lock<std::shared_mutex> lock(mutex_);
    step_ = step;
    weights_.setConstant(static_cast<float>(step));
    bias_.setConstant(static_cast<float>(-step));
    optimizer_step_ = step;
    moments_.assign(16, static_cast<double>(step) / 2);
    history_.push_back(static_cast<double>(step));  // grows: the vector reallocates now and then
    counters_["steps"] = step;
    counters_["samples"] = step * 32;
  }

  std::int64_t step() const {
    std::shared_lock<std::shared_mutex> lock(mutex_);
    return step_;
  }

  /// Empty if the object is one consistent snapshot; what is inconsistent otherwise.
  std::string torn() const {
    std::shared_lock<std::shared_mutex> lock(mutex_);
    const auto s = static_cast<float>(step_);
    if (weights_.rows() != rows || weights_.cols() != cols) return "the weights have another shape";
    if ((weights_.array() != s).any()) return "a weight is not the step";
    if (bias_.size() != rows || (bias_.array() != -s).any()) return "a bias is not minus the step";
    if (optimizer_step_ != step_) return "the optimizer step is " + std::to_string(optimizer_step_);
    if (step_ > 0 && moments_ != std::vector<double>(16, static_cast<double>(step_) / 2)) return "the moments differ";
    if (history_.size() != static_cast<std::size_t>(step_)) return std::to_string(history_.size()) + " history entries";
    if (step_ > 0 && history_.back() != static_cast<double>(step_)) return "the last history entry is another step";
    const auto steps_counter = counters_.find("steps");
    const auto samples_counter = counters_.find("samples");
    if (step_ > 0 && (steps_counter == counters_.end() || steps_counter->second != step_ ||
                      samples_counter == counters_.end() || samples_counter->second != step_ * 32)) {
      return "the counters are of another step";
    }
    return {};
  }

 private:
  std::int64_t step_ = 0;
  Eigen::MatrixXf weights_;
  Eigen::VectorXf bias_;
  std::int64_t optimizer_step_ = 0;
  std::vector<double> moments_;
  std::vector<double> history_;
  std::map<std::string, std::int64_t> counters_;
  mutable std::shared_mutex mutex_;

  PICKLEJAR_FIELDS(step_, weights_, bias_, optimizer_step_, moments_, history_, counters_)
  PICKLEJAR_TRANSIENT(mutex_)
#ifndef PICKLEJAR_TSAN_UNGUARDED
  PICKLEJAR_GUARDED_BY(mutex_)
#endif
};

struct tally {
  int saves = 0;
  int torn = 0;
  std::set<std::int64_t> steps_seen;  // distinct steps captured
  std::string first_problem;

  void check(const Model& loaded, const std::string& file) {
    ++saves;
    steps_seen.insert(loaded.step());
    const std::string problem = loaded.torn();
    if (problem.empty()) return;
    ++torn;
    if (first_problem.empty()) first_problem = file + " (step " + std::to_string(loaded.step()) + "): " + problem;
  }
};

}  // namespace tsan_test

int main(int argc, char** argv) {
  using namespace tsan_test;
  namespace fs = std::filesystem;
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s SCRATCH_DIRECTORY\n", argv[0]);
    return 2;
  }
  const fs::path scratch = argv[1];
  fs::remove_all(scratch);
  fs::create_directories(scratch / "files");
#ifdef PICKLEJAR_TSAN_UNGUARDED
  const char* variant = "control (no PICKLEJAR_GUARDED_BY)";
#else
  const char* variant = "guarded (PICKLEJAR_GUARDED_BY)";
#endif

  Model model;
  std::atomic<bool> training{true};
  std::atomic<int> failures{0};
  tally saver_tally;
  tally manager_tally;
  std::string failure_message;
  std::mutex failure_mutex;
  auto fail = [&](const std::string& message) {
    std::lock_guard<std::mutex> lock(failure_mutex);
    if (failures++ == 0) failure_message = message;
  };
  const auto started = std::chrono::steady_clock::now();

#ifdef PICKLEJAR_TSAN_ASYNC
  constexpr std::int64_t checkpoint_every = 10;
  picklejar::checkpoint_options async_options;
  async_options.keep_last = picklejar::checkpoint_options::keep_all;
  async_options.max_pending = 2;
  picklejar::checkpoint_manager async_manager(scratch / "checkpoints", async_options);
#endif
  std::thread trainer([&] {
    for (std::int64_t step = 1; step <= steps; ++step) {
      model.train_step(step);
#ifdef PICKLEJAR_TSAN_ASYNC
      if (step % checkpoint_every == 0) {
        try {
          async_manager.save_async(model, step, 1.0 / static_cast<double>(step));
        } catch (const std::exception& failure) {
          fail(std::string("trainer: save_async: ") + failure.what());
        }
      }
#endif
      std::this_thread::sleep_for(std::chrono::microseconds(500));  // the rest of a training step
    }
    training = false;
  });

  std::thread saver([&] {
    Model loaded;
    for (int i = 0; training || i < 2; ++i) {  // at least two saves, even on a fast machine
      const bool json = i % 2 == 1;
      const fs::path file = scratch / "files" / (std::string("model-") + std::to_string(i % 4) + (json ? ".json" : ".pj"));
      try {
#ifdef PICKLEJAR_TSAN_ASYNC
        std::future<void> written =
            picklejar::save_async(model, file, picklejar::options(json ? picklejar::format::json : picklejar::format::binary));
        written.get();
#else
        picklejar::save(model, file, picklejar::options(json ? picklejar::format::json : picklejar::format::binary));
#endif
        picklejar::load(loaded, file);
        saver_tally.check(loaded, file.string());
      } catch (const std::exception& failure) {
        fail(std::string("saver: ") + failure.what());
        return;
      }
    }
  });

#ifdef PICKLEJAR_TSAN_ASYNC
  // The trainer checkpoints itself; after training, every checkpoint must be the model of its step.
  std::thread checkpointer([&] {
    while (training) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    try {
      async_manager.wait();
      Model loaded;
      for (const picklejar::checkpoint_info& info : async_manager.checkpoints()) {
        picklejar::load(loaded, info.path);
        manager_tally.check(loaded, info.path.string());
        if (loaded.step() != info.step) {
          fail("checkpoint " + info.path.string() + " holds step " + std::to_string(loaded.step()) +
               ", not the step it was saved at");
        }
      }
      if (async_manager.checkpoints().size() != static_cast<std::size_t>(steps / checkpoint_every)) {
        fail(std::to_string(async_manager.checkpoints().size()) + " checkpoints instead of " +
             std::to_string(steps / checkpoint_every));
      }
    } catch (const std::exception& failure) {
      fail(std::string("checkpointer: ") + failure.what());
    }
  });
#else
  std::thread checkpointer([&] {
    try {
      picklejar::checkpoint_options opts;
      opts.keep_last = 3;
      opts.keep_best = 2;
      opts.mode = picklejar::metric_mode::min;
      picklejar::checkpoint_manager manager(scratch / "checkpoints", opts);
      Model loaded;
      for (std::int64_t k = 0; training || k < 2; ++k) {
        const double metric = 1.0 / static_cast<double>(k + 1) + static_cast<double>(k % 7) * 0.01;
        const fs::path file = manager.save(model, k, metric);
        picklejar::load(loaded, file);
        manager_tally.check(loaded, file.string());
      }
      // What the manager kept loads too.
      for (const picklejar::checkpoint_info& info : manager.checkpoints()) {
        picklejar::load(loaded, info.path);
        if (!loaded.torn().empty()) fail("kept checkpoint " + info.path.string() + " is torn: " + loaded.torn());
      }
    } catch (const std::exception& failure) {
      fail(std::string("checkpointer: ") + failure.what());
    }
  });
#endif

  trainer.join();
  saver.join();
  checkpointer.join();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  const int torn = saver_tally.torn + manager_tally.torn;
  std::printf("%s: %lld training steps; the saver wrote %d files (%zu distinct steps), the checkpoint manager "
              "%d checkpoints (%zu distinct steps); torn: %d; %.1f s\n",
              variant, static_cast<long long>(model.step()), saver_tally.saves, saver_tally.steps_seen.size(),
              manager_tally.saves, manager_tally.steps_seen.size(), torn, seconds);
  if (!saver_tally.first_problem.empty()) std::printf("first torn file: %s\n", saver_tally.first_problem.c_str());
  if (!manager_tally.first_problem.empty()) std::printf("first torn checkpoint: %s\n", manager_tally.first_problem.c_str());
  if (failures > 0) {
    std::printf("FAILED: %s\n", failure_message.c_str());
    return 1;
  }
  if (torn > 0) {
    std::printf("FAILED: %d torn checkpoints\n", torn);
    return 1;
  }
  // The checkpoints must have been taken during training, not only before or after it.
  if (saver_tally.steps_seen.size() < 3 || manager_tally.steps_seen.size() < 3) {
    std::printf("FAILED: the checkpoints captured too few distinct steps to show they overlapped training\n");
    return 1;
  }
  fs::remove_all(scratch);
  return 0;
}
