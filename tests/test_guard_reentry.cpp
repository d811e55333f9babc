// PICKLEJAR_GUARDED_BY: locking the guard again on a thread that holds it would deadlock. Where
// that can be told, a save or load refuses with an error naming the guard instead: a save or
// load of the object from its own hooks (always), and a save inside a section where the caller
// locked the guard itself (with glibc). Another thread holding the guard is waited
// for, as before.

#include <gtest/gtest.h>

#include <future>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "picklejar/picklejar.hpp"
#include "test_support.hpp"

namespace {

bool save_from_hooks = false;

// Saves `object` if save_from_hooks is set, once: the nested save does not save again.
template <class T>
void checkpoint_once(const T& object) {
  if (!save_from_hooks) return;
  save_from_hooks = false;
  struct restore {
    ~restore() { save_from_hooks = true; }
  } restore_after;
  (void)picklejar::dumps(object);
}

template <class Mutex>
class Model {
 public:
  struct State {
    std::vector<double> weights;
    PICKLEJAR_FIELDS(weights)
  };
  State get_state() const {
    checkpoint_once(*this);  // checkpoints itself while being saved
    return {weights_};
  }
  void set_state(State state) { weights_ = std::move(state.weights); }
  void after_load() {
    checkpoint_once(*this);  // checkpoints itself right after a load
  }
  Mutex& mutex() const { return mutex_; }

 private:
  std::vector<double> weights_{1.0, 2.0};
  mutable Mutex mutex_;
  PICKLEJAR_TRANSIENT(mutex_)
  PICKLEJAR_GUARDED_BY(mutex_)
};

template <class Mutex>
class GuardReentry : public testing::Test {
 protected:
  void TearDown() override { save_from_hooks = false; }
};

using Mutexes = testing::Types<std::mutex, std::shared_mutex, std::timed_mutex>;
struct MutexNames {
  template <class Mutex>
  static std::string GetName(int) {
    if (std::is_same_v<Mutex, std::mutex>) return "mutex";
    if (std::is_same_v<Mutex, std::shared_mutex>) return "shared_mutex";
    return "timed_mutex";
  }
};
TYPED_TEST_SUITE(GuardReentry, Mutexes, MutexNames);

void expect_names_the_guard(const picklejar::error& failure) {
  EXPECT_EQ(failure.code(), picklejar::errc::type) << failure.what();
  EXPECT_NE(std::string(failure.what()).find("'mutex_'"), std::string::npos) << failure.what();
  EXPECT_NE(std::string(failure.what()).find("Model"), std::string::npos) << failure.what();
}

TYPED_TEST(GuardReentry, SavingTheObjectFromItsOwnHooksIsAnErrorNamingTheGuard) {
  Model<TypeParam> model;
  const std::string bytes = picklejar::dumps(model);
  save_from_hooks = true;
  for (picklejar::format fmt : pj_test::all_formats) {
    expect_names_the_guard(pj_test::expect_error(picklejar::errc::type,
                                                 [&] { (void)picklejar::dumps(model, picklejar::options(fmt)); }));
  }
  expect_names_the_guard(pj_test::expect_error(picklejar::errc::type, [&] { picklejar::loads(model, bytes); }));
  // The guard was released and forgotten: the object saves and loads again.
  save_from_hooks = false;
  EXPECT_NO_THROW(picklejar::loads(model, picklejar::dumps(model)));
  std::unique_lock<TypeParam> free_again(model.mutex(), std::try_to_lock);
  EXPECT_TRUE(free_again.owns_lock());
}

TYPED_TEST(GuardReentry, SavingInsideASectionThatHoldsTheGuardIsAnErrorNamingIt) {
  if (!picklejar::detail::guard_owner_check) GTEST_SKIP() << "this build cannot tell who holds a mutex";
  Model<TypeParam> model;
  std::lock_guard<TypeParam> training_step(model.mutex());
  expect_names_the_guard(pj_test::expect_error(picklejar::errc::type, [&] { (void)picklejar::dumps(model); }));
  const std::string bytes = [] {
    Model<TypeParam> other;
    return picklejar::dumps(other);
  }();
  expect_names_the_guard(pj_test::expect_error(picklejar::errc::type, [&] { picklejar::loads(model, bytes); }));
}

TEST(GuardReentryRecursive, ARecursiveMutexMayBeLockedAgainFromTheHooks) {
  Model<std::recursive_mutex> model;
  save_from_hooks = true;
  EXPECT_NO_THROW(picklejar::loads(model, picklejar::dumps(model)));
  {
    std::lock_guard<std::recursive_mutex> training_step(model.mutex());
    EXPECT_NO_THROW((void)picklejar::dumps(model));
  }
  save_from_hooks = false;
}

TYPED_TEST(GuardReentry, AGuardAnotherThreadHoldsIsWaitedFor) {
  Model<TypeParam> model;
  std::promise<void> locked;
  std::promise<void> release;
  std::thread holder([&] {
    std::lock_guard<TypeParam> hold(model.mutex());
    locked.set_value();
    release.get_future().wait();
  });
  locked.get_future().wait();
  auto saving = std::async(std::launch::async, [&] { return picklejar::dumps(model); });
  release.set_value();  // before or after the save blocked: either way it must then succeed
  std::string bytes;
  EXPECT_NO_THROW(bytes = saving.get());
  holder.join();
  EXPECT_NO_THROW(picklejar::loads(model, bytes));
}

}  // namespace
