// One checkpoint_manager used from several threads, under ThreadSanitizer (label tsan; built only
// with -DPICKLEJAR_BUILD_TSAN_TESTS=ON, see scripts/tsan.sh): two threads save (steps from one
// counter; a step that arrives after a higher one is refused, as steps only go up), one loads the
// latest and the best checkpoint in turn, one lists (checkpoints, problems, latest, best) and
// refreshes, and a read-only manager on the same directory refreshes and loads beside them.
// ThreadSanitizer must report nothing, and every load must hold the state of the step it names.
//
//   picklejar_tsan_manager <scratch-directory>     exit 0: no wrong load, no unexpected error
#include <picklejar/checkpoint.hpp>
#include <picklejar/picklejar.hpp>

#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace tsan_manager_test {

struct State {
  std::int64_t step = -1;
  std::vector<double> values;
  PICKLEJAR_FIELDS(step, values)
};

State state_at(std::int64_t step) {
  State state;
  state.step = step;
  state.values.assign(256, static_cast<double>(step));
  return state;
}

bool is_state_at(const State& state, std::int64_t step) {
  return state.step == step && state.values == std::vector<double>(256, static_cast<double>(step));
}

}  // namespace tsan_manager_test

int main(int argc, char** argv) {
  using namespace tsan_manager_test;
  namespace fs = std::filesystem;
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s SCRATCH_DIRECTORY\n", argv[0]);
    return 2;
  }
  const fs::path scratch = argv[1];
  fs::remove_all(scratch);
  constexpr std::int64_t total_steps = 200;

  picklejar::checkpoint_options opts;
  opts.keep_last = 3;
  opts.keep_best = 2;
  picklejar::checkpoint_manager manager(scratch, opts);
  picklejar::checkpoint_manager reader = picklejar::checkpoint_manager::open_read_only(scratch, opts);

  std::atomic<std::int64_t> next_step{0};
  std::atomic<bool> done{false};
  std::atomic<int> saved{0}, refused{0}, loads{0}, wrong{0};
  std::mutex failure_mutex;
  std::string first_failure;
  auto fail = [&](const std::string& what) {
    std::lock_guard<std::mutex> lock(failure_mutex);
    if (first_failure.empty()) first_failure = what;
  };
  auto load_some = [&](picklejar::checkpoint_manager& from, bool best) {
    try {
      State state;
      const picklejar::checkpoint_info info = best ? from.load_best(state) : from.load_latest(state);
      if (!is_state_at(state, info.step)) ++wrong;
      ++loads;
    } catch (const picklejar::error& failure) {
      // Nothing saved yet, or every listed checkpoint deleted meanwhile by retention.
      if (failure.code() != picklejar::errc::io && failure.code() != picklejar::errc::integrity) fail(failure.what());
    }
  };

  auto saver = [&] {
    for (std::int64_t step; (step = next_step.fetch_add(1)) < total_steps;) {
      try {
        manager.save(state_at(step), step, std::fmod(static_cast<double>(step) * 7.3, 11.0));
        ++saved;
      } catch (const picklejar::error& failure) {
        if (std::string(failure.what()).find("steps only go up") != std::string::npos) ++refused;
        else fail(failure.what());
      }
    }
  };
  std::thread saver_a(saver), saver_b(saver);
  std::thread loader([&] {
    for (int i = 0; !done; ++i) load_some(manager, i % 2 == 1);
  });
  std::thread lister([&] {
    for (int i = 0; !done; ++i) {
      const std::vector<picklejar::checkpoint_info> listed = manager.checkpoints();
      for (std::size_t k = 1; k < listed.size(); ++k) {
        if (listed[k - 1].step >= listed[k].step) fail("checkpoints() is not sorted by step");
      }
      static_cast<void>(manager.latest());
      static_cast<void>(manager.best_path());
      static_cast<void>(manager.problems());
      if (i % 8 == 0) manager.refresh();
    }
  });
  std::thread watcher([&] {
    for (int i = 0; !done; ++i) {
      try {
        reader.refresh();
      } catch (const picklejar::error& failure) {
        fail(std::string("refresh: ") + failure.what());
      }
      load_some(reader, i % 2 == 1);
    }
  });
  saver_a.join();
  saver_b.join();
  done = true;
  loader.join();
  lister.join();
  watcher.join();

  std::printf("one manager, 5 threads: %d saves, %d refused (a higher step came first), %d loads, %d wrong\n",
              saved.load(), refused.load(), loads.load(), wrong.load());
  if (!first_failure.empty()) {
    std::printf("FAILED: %s\n", first_failure.c_str());
    return 1;
  }
  if (wrong > 0 || saved == 0 || saved + refused != total_steps) {
    std::printf("FAILED: wrong loads or lost saves\n");
    return 1;
  }
  fs::remove_all(scratch);
  return 0;
}
