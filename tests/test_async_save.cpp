// Asynchronous saves: checkpoint_manager::save_async / wait / max_pending and picklejar::save_async.
// The snapshot is the object at the call (the file never sees a later change), at most max_pending
// snapshots wait, a background failure reaches the next save, save_async or wait(), steps only go
// up across pending saves, the destructor waits, and a reader sees what the writer wrote.
// The background writer is held still with a test hook (detail::background_write_hook) where a
// test needs it to be slow; no assertion depends on timing.
#include <picklejar/checkpoint.hpp>
#include <picklejar/eigen.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <fstream>
#include <iterator>
#include <future>
#include <limits>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "test_support.hpp"

namespace {

namespace fs = std::filesystem;
using picklejar::checkpoint_manager;
using picklejar::checkpoint_options;
using picklejar::errc;
using pj_test::expect_error;

/// A model whose every number is the step it was saved at.
struct Model {
  std::int64_t step = 0;
  Eigen::MatrixXf weights = Eigen::MatrixXf::Zero(16, 8);
  std::vector<double> bias = std::vector<double>(5, 0.0);
  PICKLEJAR_FIELDS(step, weights, bias)

  void fill(std::int64_t value) {
    step = value;
    weights.setConstant(static_cast<float>(value));
    std::fill(bias.begin(), bias.end(), static_cast<double>(value));
  }
  bool holds(std::int64_t value) const {
    return step == value && (weights.array() == static_cast<float>(value)).all() &&
           std::all_of(bias.begin(), bias.end(), [&](double b) { return b == static_cast<double>(value); });
  }
};

Model model_at(std::int64_t step) {
  Model model;
  model.fill(step);
  return model;
}

/// Counts its snapshots, to tell whether a save_async has taken one yet.
struct Counted {
  static inline std::atomic<int> snapshots{0};
  struct State {
    int value = 0;
    PICKLEJAR_FIELDS(value)
  };
  int value = 0;
  State get_state() const {
    ++snapshots;
    return {value};
  }
  void set_state(State state) { value = state.value; }
};

/// Holds the background writers still at the start of each write until opened. Its state is
/// never destroyed: a writer may still be on its way out of the hook when the gate object goes.
class writer_gate {
 public:
  writer_gate() {
    {
      const std::lock_guard<std::mutex> lock(state().mutex);
      state().open = false;
      state().arrived = 0;
    }
    picklejar::detail::background_write_hook = &hook;
  }
  ~writer_gate() {
    open();
    picklejar::detail::background_write_hook = nullptr;
  }
  writer_gate(const writer_gate&) = delete;
  writer_gate& operator=(const writer_gate&) = delete;

  void open() {
    const std::lock_guard<std::mutex> lock(state().mutex);
    state().open = true;
    state().changed.notify_all();
  }
  /// Waits until `count` writes have reached the gate in all.
  void wait_for_writers(int count) {
    std::unique_lock<std::mutex> lock(state().mutex);
    state().changed.wait(lock, [&] { return state().arrived >= count; });
  }

 private:
  struct shared_state {
    std::mutex mutex;
    std::condition_variable changed;
    bool open = true;
    int arrived = 0;
  };
  static shared_state& state() {
    static shared_state* kept = new shared_state;  // never destroyed (see above)
    return *kept;
  }
  static void hook(const fs::path&) {
    shared_state& gate = state();
    std::unique_lock<std::mutex> lock(gate.mutex);
    ++gate.arrived;
    gate.changed.notify_all();
    gate.changed.wait(lock, [&] { return gate.open; });
  }
};

checkpoint_options pending_limit(std::size_t max_pending) {
  checkpoint_options opts;
  opts.keep_last = checkpoint_options::keep_all;
  opts.max_pending = max_pending;
  return opts;
}

Model load_file(const fs::path& file) { return picklejar::load<Model>(file); }

class AsyncSaveFormats : public testing::TestWithParam<picklejar::format> {};

// The snapshot is the model at the call: changed right after save_async returns, before the
// writer has written a byte, the file still holds the values of the call. Every format.
TEST_P(AsyncSaveFormats, CheckpointHoldsTheModelAtTheCall) {
  pj_test::temp_dir dir;
  checkpoint_options opts = pending_limit(2);
  opts.format = GetParam();
  checkpoint_manager ckpt(dir.path(), opts);
  Model model = model_at(1);
  writer_gate gate;
  const fs::path first = ckpt.save_async(model, 1);
  model.fill(2);  // the trainer goes on
  const fs::path second = ckpt.save_async(model, 2);
  model.fill(3);
  gate.wait_for_writers(1);
  gate.open();
  ckpt.wait();
  EXPECT_TRUE(load_file(first).holds(1));
  EXPECT_TRUE(load_file(second).holds(2));
  EXPECT_EQ(picklejar::inspect(second).format, GetParam());
}

TEST_P(AsyncSaveFormats, FreeSaveAsyncHoldsTheObjectAtTheCall) {
  pj_test::temp_dir dir;
  Model model = model_at(7);
  std::future<void> done;
  {
    writer_gate gate;
    done = picklejar::save_async(model, dir / "model.pj", {GetParam()});
    model.fill(8);
    gate.wait_for_writers(1);
    EXPECT_EQ(done.wait_for(std::chrono::seconds(0)), std::future_status::timeout);
  }
  done.get();
  EXPECT_TRUE(load_file(dir / "model.pj").holds(7));
}

// The background writer seals binary snapshots (their checksum is hashed on the way to the disk,
// off the trainer's thread): the file is byte for byte what a synchronous save writes.
TEST_P(AsyncSaveFormats, TheFileIsWhatASynchronousSaveWrites) {
  pj_test::temp_dir dir;
  const Model model = model_at(5);
  picklejar::save(model, dir / "sync.pj", {GetParam()});
  picklejar::save_async(model, dir / "async.pj", {GetParam()}).get();
  const auto bytes_of = [](const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  EXPECT_EQ(bytes_of(dir / "async.pj"), bytes_of(dir / "sync.pj"));
  checkpoint_options opts;
  opts.format = GetParam();
  {
    checkpoint_manager ckpt(dir / "runs", opts);
    ckpt.save_async(model, 3);
    ckpt.wait();
    EXPECT_TRUE(picklejar::load<Model>(ckpt.latest()->path).holds(5));
    EXPECT_NO_THROW(picklejar::verify(ckpt.latest()->path));
  }
}

INSTANTIATE_TEST_SUITE_P(AllFormats, AsyncSaveFormats,
                         testing::Values(picklejar::format::binary, picklejar::format::portable_binary,
                                         picklejar::format::json, picklejar::format::xml),
                         [](const testing::TestParamInfo<picklejar::format>& info) {
                           return std::string(picklejar::to_string(info.param));
                         });

// A further save_async waits, before taking its snapshot, while max_pending snapshots are in
// memory (the one being written counts); it goes on once one is written.
TEST(AsyncSave, MaxPendingSnapshotsThenTheNextOneWaits) {
  for (const std::size_t limit : {std::size_t{1}, std::size_t{2}}) {
    SCOPED_TRACE(limit);
    pj_test::temp_dir dir;
    checkpoint_manager ckpt(dir.path(), pending_limit(limit));
    Counted counted;
    Counted::snapshots = 0;
    writer_gate gate;
    for (std::size_t i = 0; i < limit; ++i) ckpt.save_async(counted, static_cast<std::int64_t>(i));
    gate.wait_for_writers(1);
    EXPECT_EQ(Counted::snapshots, static_cast<int>(limit));
    std::atomic<bool> returned{false};
    std::thread trainer([&] {
      ckpt.save_async(counted, 100);
      returned = true;
    });
    // However long the writer is held, the extra save neither returns nor snapshots.
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    EXPECT_FALSE(returned);
    EXPECT_EQ(Counted::snapshots, static_cast<int>(limit));
    gate.open();
    trainer.join();
    EXPECT_TRUE(returned);
    ckpt.wait();
    EXPECT_EQ(Counted::snapshots, static_cast<int>(limit) + 1);
    EXPECT_EQ(ckpt.checkpoints().size(), limit + 1);
  }
}

/// Makes the save of `step` in `dir` fail in the background: a directory under the checkpoint's
/// name, which the rename of the written file cannot replace (EISDIR, whoever runs the test).
void block_checkpoint_name(const fs::path& dir, std::int64_t step) {
  fs::create_directories(dir / picklejar::detail::checkpoint_file_name(step) / "occupied");
}

TEST(AsyncSave, BackgroundFailureIsThrownByWait) {
  pj_test::temp_dir dir;
  checkpoint_manager ckpt(dir.path(), pending_limit(1));
  block_checkpoint_name(dir.path(), 2);
  ckpt.save_async(model_at(1), 1);
  ckpt.save_async(model_at(2), 2);  // returns: the failure comes later
  const picklejar::error failure = expect_error(errc::io, [&] { ckpt.wait(); });
  EXPECT_NE(failure.file().find("ckpt-000000000002.pj"), std::string::npos) << failure.what();
  EXPECT_NO_THROW(ckpt.wait());  // thrown once
  // The failed step may be saved again once its name is free.
  fs::remove_all(dir / picklejar::detail::checkpoint_file_name(2));
  ckpt.save_async(model_at(2), 2);
  ckpt.wait();
  EXPECT_TRUE(load_file(dir / picklejar::detail::checkpoint_file_name(2)).holds(2));
  ASSERT_TRUE(ckpt.latest());
  EXPECT_EQ(ckpt.latest()->step, 2);
}

TEST(AsyncSave, BackgroundFailureIsThrownByTheNextSaveAsync) {
  pj_test::temp_dir dir;
  checkpoint_manager ckpt(dir.path(), pending_limit(1));
  block_checkpoint_name(dir.path(), 1);
  ckpt.save_async(model_at(1), 1);
  // max_pending 1: this waits for the failed write, then throws its failure and saves nothing.
  expect_error(errc::io, [&] { ckpt.save_async(model_at(2), 2); });
  ckpt.wait();
  EXPECT_FALSE(ckpt.latest());
  ckpt.save_async(model_at(2), 2);  // the failure was thrown once; saving goes on
  ckpt.wait();
  ASSERT_TRUE(ckpt.latest());
  EXPECT_EQ(ckpt.latest()->step, 2);
}

TEST(AsyncSave, BackgroundFailureIsThrownByTheNextSave) {
  pj_test::temp_dir dir;
  checkpoint_manager ckpt(dir.path(), pending_limit(1));
  block_checkpoint_name(dir.path(), 1);
  ckpt.save_async(model_at(1), 1);
  expect_error(errc::io, [&] { ckpt.save(model_at(2), 2); });
  EXPECT_FALSE(ckpt.latest());
  EXPECT_NO_THROW(ckpt.save(model_at(2), 2));
  const std::vector<std::string> problems = ckpt.problems();
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("save_async of step 1"), std::string::npos) << problems[0];
}

// An injected failure of the write itself (any exception a writer meets) is an errc::io naming the file.
TEST(AsyncSave, InjectedWriteFailureNamesTheFile) {
  pj_test::temp_dir dir;
  checkpoint_manager ckpt(dir.path(), pending_limit(1));
  picklejar::detail::background_write_hook = [](const fs::path&) { throw std::runtime_error("disk on fire"); };
  ckpt.save_async(model_at(1), 1);
  const picklejar::error failure = expect_error(errc::io, [&] { ckpt.wait(); });
  picklejar::detail::background_write_hook = nullptr;
  EXPECT_NE(std::string(failure.what()).find("disk on fire"), std::string::npos);
  EXPECT_NE(failure.file().find("ckpt-000000000001.pj"), std::string::npos);
  EXPECT_TRUE(dir.file_names().size() == 1u);  // the lock file only: no temporary left
}

TEST(AsyncSave, DestructorWaitsForPendingSaves) {
  pj_test::temp_dir dir;
  picklejar::detail::background_write_hook = [](const fs::path&) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // a slow disk
  };
  {
    checkpoint_manager ckpt(dir.path(), pending_limit(2));
    ckpt.save_async(model_at(1), 1);
    ckpt.save_async(model_at(2), 2);
  }
  picklejar::detail::background_write_hook = nullptr;
  EXPECT_TRUE(load_file(dir / picklejar::detail::checkpoint_file_name(1)).holds(1));
  EXPECT_TRUE(load_file(dir / picklejar::detail::checkpoint_file_name(2)).holds(2));
}

TEST(AsyncSave, DestructorWritesAnUnhandledFailureToStderr) {
  pj_test::temp_dir dir;
  testing::internal::CaptureStderr();
  {
    checkpoint_manager ckpt(dir.path(), pending_limit(1));
    block_checkpoint_name(dir.path(), 1);
    ckpt.save_async(model_at(1), 1);
  }
  const std::string said = testing::internal::GetCapturedStderr();
  EXPECT_NE(said.find("background save failed"), std::string::npos) << said;
  EXPECT_NE(said.find("ckpt-000000000001.pj"), std::string::npos) << said;
}

// Steps only go up, counting the pending ones: a step at or below one still being written is refused.
TEST(AsyncSave, StepsOnlyGoUpAcrossPendingSaves) {
  pj_test::temp_dir dir;
  checkpoint_manager ckpt(dir.path(), pending_limit(3));
  {
    writer_gate gate;
    ckpt.save_async(model_at(5), 5);
    gate.wait_for_writers(1);
    EXPECT_FALSE(ckpt.latest());  // not on disk yet
    const picklejar::error same = expect_error(errc::io, [&] { ckpt.save_async(model_at(5), 5); });
    EXPECT_NE(std::string(same.what()).find("step 5"), std::string::npos) << same.what();
    expect_error(errc::io, [&] { ckpt.save_async(model_at(4), 4); });
    ckpt.save_async(model_at(6), 6);
  }
  ckpt.wait();
  expect_error(errc::io, [&] { ckpt.save(model_at(6), 6); });
  ckpt.save(model_at(7), 7);
  EXPECT_EQ(ckpt.checkpoints().size(), 3u);
  EXPECT_EQ(ckpt.problems().size(), 0u);
}

TEST(AsyncSave, NegativeStepAndReadOnlyManagerAreRefused) {
  pj_test::temp_dir dir;
  {
    checkpoint_manager ckpt(dir.path());
    EXPECT_THROW(ckpt.save_async(model_at(1), -1), std::invalid_argument);
    ckpt.save_async(model_at(1), 1);
  }
  checkpoint_manager reader = checkpoint_manager::open_read_only(dir.path());
  expect_error(errc::io, [&] { reader.save_async(model_at(2), 2); });
  EXPECT_NO_THROW(reader.wait());
}

// A reader beside the trainer sees the checkpoints the background writer has written.
TEST(AsyncSave, ReadOnlyManagerSeesAsyncCheckpoints) {
  pj_test::temp_dir dir;
  checkpoint_options opts = pending_limit(1);
  opts.keep_last = 2;
  checkpoint_manager ckpt(dir.path(), opts);
  Model model;
  for (std::int64_t step = 1; step <= 5; ++step) {
    model.fill(step);
    ckpt.save_async(model, step, static_cast<double>(10 - step));
  }
  ckpt.wait();
  checkpoint_manager reader = checkpoint_manager::open_read_only(dir.path(), opts);
  std::vector<std::int64_t> steps;
  for (const auto& c : reader.checkpoints()) steps.push_back(c.step);
  EXPECT_EQ(steps, (std::vector<std::int64_t>{4, 5}));  // retention ran in the background; 5 is also best
  Model loaded;
  EXPECT_EQ(reader.load_latest(loaded).step, 5);
  EXPECT_TRUE(loaded.holds(5));
  EXPECT_EQ(ckpt.checkpoints().size(), 2u);
}

// A synchronous save waits for the pending ones first: nothing overtakes.
TEST(AsyncSave, SaveAfterSaveAsyncKeepsTheOrder) {
  pj_test::temp_dir dir;
  checkpoint_manager ckpt(dir.path(), pending_limit(2));
  ckpt.save_async(model_at(1), 1);
  ckpt.save_async(model_at(2), 2);
  ckpt.save(model_at(3), 3);
  std::vector<std::int64_t> steps;
  for (const auto& c : ckpt.checkpoints()) steps.push_back(c.step);
  EXPECT_EQ(steps, (std::vector<std::int64_t>{1, 2, 3}));
  Model loaded;
  EXPECT_EQ(ckpt.load_latest(loaded).step, 3);
}

// Several threads share one manager with max_pending 1: no deadlock, every checkpoint written is
// whole and holds its step; a thread that lost the race for a higher step gets errc::io.
TEST(AsyncSave, SeveralThreadsShareOneManager) {
  pj_test::temp_dir dir;
  checkpoint_options opts = pending_limit(1);
  opts.keep_last = 4;
  checkpoint_manager ckpt(dir.path(), opts);
  std::atomic<std::int64_t> next_step{0};
  std::atomic<int> refused{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10; ++i) {
        const std::int64_t step = next_step++;
        try {
          ckpt.save_async(model_at(step), step);
        } catch (const picklejar::error& failure) {
          EXPECT_EQ(failure.code(), errc::io) << failure.what();
          ++refused;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  ckpt.wait();
  const auto kept = ckpt.checkpoints();
  ASSERT_FALSE(kept.empty());
  EXPECT_LE(kept.size(), 4u);
  for (const auto& c : kept) EXPECT_TRUE(load_file(c.path).holds(c.step)) << c.path;
  EXPECT_EQ(kept.back().step + 0 >= 0, true);
  EXPECT_LT(refused.load(), 40);
}

TEST(AsyncSave, MovedManagerKeepsPendingSavesAndFailures) {
  pj_test::temp_dir dir;
  checkpoint_manager first(dir.path(), pending_limit(2));
  block_checkpoint_name(dir.path(), 2);
  first.save_async(model_at(1), 1);
  first.save_async(model_at(2), 2);
  checkpoint_manager second(std::move(first));
  expect_error(errc::io, [&] { second.wait(); });
  ASSERT_TRUE(second.latest());
  EXPECT_EQ(second.latest()->step, 1);
}

TEST(AsyncSave, FreeSaveAsyncFailureIsInTheFuture) {
  pj_test::temp_dir dir;
  std::future<void> done = picklejar::save_async(model_at(1), dir / "missing" / "model.pj");
  try {
    done.get();
    ADD_FAILURE() << "no error";
  } catch (const picklejar::error& failure) {
    EXPECT_EQ(failure.code(), errc::io);
    EXPECT_NE(failure.file().find("model.pj"), std::string::npos) << failure.what();
  }
}

// The future's destructor does not wait for the write (unlike std::async's).
TEST(AsyncSave, FreeSaveAsyncFutureDestructorDoesNotBlock) {
  pj_test::temp_dir dir;
  {
    writer_gate gate;
    { std::future<void> dropped = picklejar::save_async(model_at(3), dir / "model.pj"); }  // would hang here
    gate.wait_for_writers(1);
  }
  // The write still happens: wait for it with a second save queued behind it.
  picklejar::save_async(model_at(4), dir / "other.pj").get();
  EXPECT_TRUE(load_file(dir / "model.pj").holds(3));
}

// A snapshot failure is thrown at once, and its claim on the step is released.
TEST(AsyncSave, SnapshotFailureIsThrownAtOnce) {
  pj_test::temp_dir dir;
  checkpoint_options opts = pending_limit(1);
  opts.format = static_cast<picklejar::format>(99);
  checkpoint_manager ckpt(dir.path(), opts);
  expect_error(errc::format, [&] { ckpt.save_async(model_at(1), 1); });
  EXPECT_NO_THROW(ckpt.wait());
  expect_error(errc::format, [&] { ckpt.save_async(model_at(1), 1); });  // step 1 is free again
}

}  // namespace
