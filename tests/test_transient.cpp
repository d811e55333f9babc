// PICKLEJAR_TRANSIENT, picklejar::transient<T>, after_load() and PICKLEJAR_GUARDED_BY.
#include <picklejar/picklejar.hpp>

#include <atomic>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "test_support.hpp"

namespace {

using pj_test::FormatTest;

struct Logger {
  int lines = 0;
};

class Trainer {
 public:
  std::vector<float> weights{1, 2, 3};
  int epochs = 0;
  // transient
  std::unordered_map<std::thread::id, std::vector<float>> scratch;
  std::weak_ptr<Logger> logger;
  std::function<void(int, float)> on_epoch;
  std::ofstream trace;
  mutable std::mutex mutex;
  std::atomic<int> calls{0};
  // derived state rebuilt by after_load
  float weight_sum = 0;
  int after_load_calls = 0;

  void after_load() {
    ++after_load_calls;
    weight_sum = 0;
    for (float w : weights) weight_sum += w;
  }

  PICKLEJAR_FIELDS(weights, epochs)
  PICKLEJAR_TRANSIENT(scratch, logger, on_epoch, trace, mutex, calls)
  PICKLEJAR_GUARDED_BY(mutex)
};

class Transient : public FormatTest {};

TEST_P(Transient, AreResetWhenLoadingIntoAnExistingObject) {
  pj_test::temp_dir dir;
  Trainer source;
  source.weights = {4, 5};
  source.epochs = 3;
  std::string bytes = picklejar::dumps(source, opts());

  auto logger = std::make_shared<Logger>();
  Trainer target;
  target.scratch[std::this_thread::get_id()] = {9, 9};
  target.logger = logger;
  target.on_epoch = [](int, float) {};
  target.trace.open(dir / "trace.txt");
  target.calls = 5;
  picklejar::loads(target, bytes);

  EXPECT_EQ(target.weights, (std::vector<float>{4, 5}));
  EXPECT_EQ(target.epochs, 3);
  EXPECT_TRUE(target.scratch.empty());
  EXPECT_TRUE(target.logger.expired());
  EXPECT_FALSE(target.on_epoch);
  EXPECT_FALSE(target.trace.is_open());
  EXPECT_EQ(target.calls.load(), 5) << "atomics are not assignable and are left as they are";
  EXPECT_TRUE(target.mutex.try_lock()) << "the guard must be released after loading";
  target.mutex.unlock();
}

TEST_P(Transient, AreNeverSaved) {
  Trainer plain;
  Trainer busy;
  busy.scratch[std::this_thread::get_id()] = std::vector<float>(1000, 1.f);
  auto logger = std::make_shared<Logger>();
  busy.logger = logger;
  busy.on_epoch = [logger](int, float) { ++logger->lines; };
  EXPECT_EQ(picklejar::dumps(plain, opts()), picklejar::dumps(busy, opts()));
  if (is_text()) {
    std::string text = picklejar::dumps(busy, opts());
    EXPECT_EQ(text.find("scratch"), std::string::npos);
    EXPECT_EQ(text.find("on_epoch"), std::string::npos);
  }
}

TEST_P(Transient, AfterLoadRunsOnceWithAllFieldsLoaded) {
  Trainer source;
  source.weights = {1.5f, 2.5f};
  Trainer target;
  picklejar::loads(target, picklejar::dumps(source, opts()));
  EXPECT_EQ(target.after_load_calls, 1);
  EXPECT_FLOAT_EQ(target.weight_sum, 4.0f);
}

// The wrapper: never saved, and copies of the holder start with a fresh value.
struct Cache {
  std::vector<int> data{1, 2, 3};
  picklejar::transient<std::mutex> lock;
  picklejar::transient<std::vector<int>> memo;
  PICKLEJAR_FIELDS(data)
};

TEST_P(Transient, WrapperMakesTheHolderCopyableAndStartsFresh) {
  Cache original;
  original.memo->assign(100, 7);
  Cache copy = original;
  EXPECT_EQ(copy.data, original.data);
  EXPECT_TRUE(copy.memo->empty());
  Cache loaded = pj_test::round_trip(original, GetParam());
  EXPECT_EQ(loaded.data, original.data);
  EXPECT_TRUE(loaded.memo->empty());
  EXPECT_TRUE(loaded.lock->try_lock());
  loaded.lock->unlock();
  std::lock_guard<std::mutex> hold(loaded.lock);  // converts to the mutex it wraps
}

// A transient<T> listed as a field is skipped too, so listing it by mistake is harmless.
struct ListedWrapper {
  int value = 1;
  picklejar::transient<std::vector<int>> memo;
  PICKLEJAR_FIELDS(value, memo)
};

TEST_P(Transient, WrapperListedAsAFieldIsStillNotSaved) {
  ListedWrapper source;
  source.memo->assign(10, 1);
  ListedWrapper target;
  target.memo->assign(3, 3);
  picklejar::loads(target, picklejar::dumps(source, opts()));
  EXPECT_EQ(target.memo->size(), 3u) << "loading into an object leaves an unlisted wrapper as it is";
  EXPECT_EQ(picklejar::dumps(source, opts()), picklejar::dumps(ListedWrapper{}, opts()));
}

// A transient<T> also listed in PICKLEJAR_TRANSIENT is reset like any transient member.
struct WrapperListedAsTransient {
  int value = 1;
  picklejar::transient<std::vector<int>> memo;
  picklejar::transient<std::mutex> lock;
  PICKLEJAR_FIELDS(value)
  PICKLEJAR_TRANSIENT(memo, lock)
};

TEST_P(Transient, WrapperListedAsTransientIsReset) {
  WrapperListedAsTransient source;
  source.value = 5;
  WrapperListedAsTransient target;
  target.memo->assign(3, 3);
  picklejar::loads(target, picklejar::dumps(source, opts()));
  EXPECT_EQ(target.value, 5);
  EXPECT_TRUE(target.memo->empty());
  EXPECT_TRUE(target.lock->try_lock());
  target.lock->unlock();
}

PJ_INSTANTIATE_FOR_ALL_FORMATS(Transient);

// A mutex that records how it is used.
struct RecordingMutex {
  int exclusive_locks = 0;
  int shared_locks = 0;
  bool held = false;
  void lock() {
    ++exclusive_locks;
    held = true;
  }
  void unlock() { held = false; }
  bool try_lock() {
    lock();
    return true;
  }
  void lock_shared() {
    ++shared_locks;
    held = true;
  }
  void unlock_shared() { held = false; }
};

struct Guarded {
  int value = 0;
  mutable RecordingMutex mutex;
  bool held_during_after_load = false;
  void after_load() { held_during_after_load = mutex.held; }
  PICKLEJAR_FIELDS(value)
  PICKLEJAR_TRANSIENT(mutex)
  PICKLEJAR_GUARDED_BY(mutex)
};

TEST(GuardedBy, SavingTakesASharedLockAndLoadingAnExclusiveOne) {
  Guarded model;
  model.value = 42;
  std::string bytes = picklejar::dumps(model);
  EXPECT_EQ(model.mutex.shared_locks, 1);
  EXPECT_EQ(model.mutex.exclusive_locks, 0);
  EXPECT_FALSE(model.mutex.held);

  Guarded target;
  picklejar::loads(target, bytes);
  EXPECT_EQ(target.value, 42);
  EXPECT_EQ(target.mutex.exclusive_locks, 1);
  EXPECT_FALSE(target.mutex.held);
  EXPECT_TRUE(target.held_during_after_load);
}

TEST(GuardedBy, AFailedLoadReleasesTheLock) {
  Guarded model;
  std::string bytes = picklejar::dumps(model);
  bytes.pop_back();  // damaged
  Guarded target;
  EXPECT_THROW(picklejar::loads(target, bytes), picklejar::error);
  EXPECT_FALSE(target.mutex.held);
}

// The wrapper the load<T>() diagnostic suggests for a class holding a mutex: the guard locks the
// mutex inside it, and the class stays movable, so load<T>() returns a new object.
struct GuardedByWrapper {
  int value = 0;
  mutable picklejar::transient<RecordingMutex> mutex;
  bool held_during_after_load = false;
  void after_load() { held_during_after_load = mutex->held; }
  PICKLEJAR_FIELDS(value)
  PICKLEJAR_GUARDED_BY(mutex)
};

TEST(GuardedBy, AMutexInsideTransientIsLocked) {
  GuardedByWrapper model;
  model.value = 7;
  std::string bytes = picklejar::dumps(model);
  EXPECT_EQ(model.mutex->shared_locks, 1);
  EXPECT_FALSE(model.mutex->held);
  GuardedByWrapper loaded = picklejar::loads<GuardedByWrapper>(bytes);
  EXPECT_EQ(loaded.value, 7);
  EXPECT_TRUE(loaded.held_during_after_load);
  EXPECT_FALSE(loaded.mutex->held);
}

// Saving while another thread trains: every snapshot is consistent (all weights equal), which
// it would not be without the guard.
class Model {
 public:
  void train_step() {
    std::lock_guard<std::mutex> hold(mutex_);
    ++step_;
    for (auto& w : weights_) w = static_cast<double>(step_);
  }
  int step() const { return step_; }
  const std::vector<double>& weights() const { return weights_; }

 private:
  std::vector<double> weights_ = std::vector<double>(4096, 0.0);
  int step_ = 0;
  mutable std::mutex mutex_;
  PICKLEJAR_FIELDS(weights_, step_)
  PICKLEJAR_TRANSIENT(mutex_)
  PICKLEJAR_GUARDED_BY(mutex_)
};

TEST(GuardedBy, CheckpointsTakenDuringTrainingAreConsistent) {
  Model model;
  std::atomic<bool> stop{false};
  std::atomic<int> steps_done{0};
  std::thread trainer([&] {
    while (!stop) {
      model.train_step();
      ++steps_done;
    }
  });
  while (steps_done < 10) std::this_thread::yield();  // snapshots start while training runs
  int torn = 0;
  for (int i = 0; i < 200; ++i) {
    Model snapshot;
    picklejar::loads(snapshot, picklejar::dumps(model));
    for (double w : snapshot.weights()) {
      if (w != static_cast<double>(snapshot.step())) {
        ++torn;
        break;
      }
    }
  }
  stop = true;
  trainer.join();
  EXPECT_EQ(torn, 0);
  EXPECT_GE(model.step(), 10);
}

}  // namespace
