// Locking a PICKLEJAR_GUARDED_BY guard, refusing with an error that names it where locking it
// again would deadlock this thread, as far as that can be told without undefined behaviour:
//   - always: picklejar holds that guard already on this thread (a save(*this) or load from
//     inside get_state(), set_state() or after_load(), which run with the guard held);
//   - with glibc, for std::mutex, std::timed_mutex and std::shared_mutex: this thread locked it
//     itself (save(*this) inside a locked training step). glibc records the owning thread of a
//     locked mutex and of a write-locked rwlock; it is read only after a try_lock failed, so an
//     uncontended lock costs nothing more. Define PICKLEJAR_NO_GUARD_OWNER_CHECK to turn it off.
// Not detectable: a hook that locks the guard with its own lock_guard while picklejar holds it
// (picklejar never sees that lock). docs/guide.md's troubleshooting table lists these cases.
#pragma once

#include <algorithm>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "picklejar/detail/declare/type_name.hpp"
#include "picklejar/error.hpp"

#if defined(__GLIBC__) && !defined(PICKLEJAR_NO_GUARD_OWNER_CHECK)
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>
#define PICKLEJAR_GUARD_OWNER_CHECK 1
#else
#define PICKLEJAR_GUARD_OWNER_CHECK 0
#endif

namespace picklejar::detail {

/// Whether this build can tell that the calling thread holds a guard it locked itself.
inline constexpr bool guard_owner_check = PICKLEJAR_GUARD_OWNER_CHECK != 0;

/// The guards picklejar holds on this thread, innermost last.
inline std::vector<const void*>& guards_held_by_this_thread() {
  thread_local std::vector<const void*> held;
  return held;
}

/// Whether the calling thread holds `mutex` exclusively, as far as this build can tell (false
/// when it cannot). Called only after a try_lock failed: the mutex is held by some thread.
template <class Mutex>
bool held_exclusively_by_this_thread([[maybe_unused]] Mutex& mutex) {
#if PICKLEJAR_GUARD_OWNER_CHECK
  const auto self = static_cast<int>(::syscall(SYS_gettid));
  if constexpr (std::is_same_v<Mutex, std::mutex> || std::is_same_v<Mutex, std::timed_mutex>) {
    pthread_mutex_t* handle = mutex.native_handle();
    return __atomic_load_n(&handle->__data.__owner, __ATOMIC_RELAXED) == self;
  } else if constexpr (std::is_same_v<Mutex, std::shared_mutex>) {
    auto* handle = static_cast<pthread_rwlock_t*>(mutex.native_handle());
    return __atomic_load_n(&handle->__data.__cur_writer, __ATOMIC_RELAXED) == self;
  }
#endif
  return false;
}

/// Whether Mutex has try_lock() (try_lock_shared() for a shared lock).
template <class Mutex, bool Shared, class = void>
constexpr bool can_try_lock = false;
template <class Mutex>
constexpr bool can_try_lock<Mutex, false, std::void_t<decltype(std::declval<Mutex&>().try_lock())>> = true;
template <class Mutex>
constexpr bool can_try_lock<Mutex, true, std::void_t<decltype(std::declval<Mutex&>().try_lock_shared())>> = true;

template <class T>
[[noreturn]] void fail_guard_held(const char* guard, const char* why) {
  throw error(errc::type, std::string("the guard '") + guard + "' of " + short_type_name(type_name<T>()) +
                              " (PICKLEJAR_GUARDED_BY) is already held by this thread: " + why +
                              "; locking it again would deadlock (see Troubleshooting in docs/guide.md)");
}

/// A lock on a guard, listed in guards_held_by_this_thread() while it is held.
template <class Lock>
class held_guard {
 public:
  held_guard(Lock lock, const void* mutex) : lock_(std::move(lock)) {
    guards_held_by_this_thread().push_back(mutex);  // if this throws, lock_ unlocks
  }
  ~held_guard() { guards_held_by_this_thread().pop_back(); }
  held_guard(const held_guard&) = delete;
  held_guard& operator=(const held_guard&) = delete;

 private:
  Lock lock_;
};

/// Locks T's guard `mutex` (shared when `shared`), or throws errc::type naming it if this
/// thread holds it already (see the file comment).
template <class T, bool Shared, class Mutex>
auto lock_guard_of(Mutex& mutex, const char* guard) {
  // A recursive mutex may be locked again by the thread that holds it: nothing to refuse.
  constexpr bool recursive =
      std::is_same_v<Mutex, std::recursive_mutex> || std::is_same_v<Mutex, std::recursive_timed_mutex>;
  const std::vector<const void*>& held = guards_held_by_this_thread();
  if (!recursive && std::find(held.begin(), held.end(), static_cast<const void*>(&mutex)) != held.end()) {
    fail_guard_held<T>(guard, "picklejar is saving or loading this object already (a save or load of it "
                              "from inside its get_state(), set_state() or after_load()?)");
  }
  using lock_type = std::conditional_t<Shared, std::shared_lock<Mutex>, std::unique_lock<Mutex>>;
  if constexpr (can_try_lock<Mutex, Shared>) {
    lock_type lock(mutex, std::try_to_lock);
    if (!lock.owns_lock()) {
      if (held_exclusively_by_this_thread(mutex)) {
        fail_guard_held<T>(guard, "the caller locked it (a save(*this) or load inside a locked section?)");
      }
      lock.lock();  // another thread holds it: wait
    }
    return held_guard<lock_type>(std::move(lock), &mutex);
  } else {
    return held_guard<lock_type>(lock_type(mutex), &mutex);  // a lock without try_lock: wait
  }
}

}  // namespace picklejar::detail
