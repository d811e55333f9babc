/// \file
/// Members that are never saved: PICKLEJAR_TRANSIENT(members...) and the picklejar::transient<T>
/// wrapper. Included by picklejar/picklejar.hpp.
#pragma once

#include <type_traits>
#include <utility>

#include "picklejar/detail/declare/access.hpp"
#include "picklejar/detail/declare/foreach.hpp"
#include "picklejar/detail/declare/member_kinds.hpp"

namespace picklejar {
namespace detail {

template <class T, class = void>
constexpr bool is_lockable_v = false;
template <class T>
constexpr bool is_lockable_v<T, std::void_t<decltype(std::declval<T&>().lock(), std::declval<T&>().unlock())>> =
    true;

/// m = T{} where that is safe. Left as they are: anything lockable (the guard may be held right
/// now), atomics (not assignable) and threads (assigning over a running one terminates).
template <class T>
void reset_transient(T& member) {
  if constexpr (!is_thread_v<T> && !is_lockable_v<T> && std::is_default_constructible_v<T> &&
                std::is_move_assignable_v<T>) {
    member = T{};
  }
}

}  // namespace detail

/// A member that is never saved and whose copies start fresh: a class holding
/// transient<std::mutex> stays copyable, and a copy never shares or copies the lock. Saving
/// skips it (even when it is listed in PICKLEJAR_FIELDS); loading a new object default-constructs
/// it; loading into an existing object leaves its value as it is, unless the member is also
/// listed in PICKLEJAR_TRANSIENT, which resets it (or call reset() in after_load()). T needs a
/// default constructor.
///
/// ```cpp
/// struct Cache {
///   std::vector<int> data;
///   picklejar::transient<std::mutex> lock;                    // Cache stays copyable
///   picklejar::transient<std::vector<int>> memo;              // never saved, empty in copies
///   PICKLEJAR_FIELDS(data)
/// };
/// std::lock_guard<std::mutex> hold(cache.lock);               // converts to the mutex
/// ```
template <class T>
class transient {
 public:
  /// A default-constructed T.
  transient() = default;
  /// A T built from `args` (`transient<std::vector<int>>(std::in_place, 3, 0)`).
  template <class... Args, class = std::enable_if_t<std::is_constructible_v<T, Args&&...>>>
  explicit transient(std::in_place_t, Args&&... args) : value_(std::forward<Args>(args)...) {}
  /// A fresh (value-initialized) T: the value of the copied wrapper is not copied.
  transient(const transient&) : value_() {}
  /// A fresh T: the value of the moved-from wrapper is not moved.
  transient(transient&&) noexcept : value_() {}
  /// Keeps this wrapper's own value: the other's is not copied.
  transient& operator=(const transient&) { return *this; }
  /// Keeps this wrapper's own value: the other's is not moved.
  transient& operator=(transient&&) noexcept { return *this; }
  ~transient() = default;

  /// The wrapped value.
  T& get() noexcept { return value_; }
  /// The wrapped value.
  const T& get() const noexcept { return value_; }
  /// The wrapped value.
  T& operator*() noexcept { return value_; }
  /// The wrapped value.
  const T& operator*() const noexcept { return value_; }
  /// Member access to the wrapped value: `memo_->clear()`.
  T* operator->() noexcept { return &value_; }
  /// Member access to the wrapped value.
  const T* operator->() const noexcept { return &value_; }
  /// So that `std::lock_guard<std::mutex> hold(mutex_);` works on a transient<std::mutex>.
  operator T&() noexcept { return value_; }              // NOLINT: implicit on purpose
  /// The wrapped value, implicitly.
  operator const T&() const noexcept { return value_; }  // NOLINT: implicit on purpose

  /// Back to a fresh T (`T{}`) where that is safe: a lockable T, a thread or a T that cannot be
  /// default-constructed and move-assigned is left as it is. Loading into an existing object
  /// calls it when the member is listed in PICKLEJAR_TRANSIENT.
  void reset() { detail::reset_transient(value_); }

 private:
  T value_;
};

namespace detail {
/// A transient<T> listed in PICKLEJAR_TRANSIENT is reset like any other transient member (its
/// assignment does nothing, by design, so `m = transient<T>{}` would not).
template <class T>
void reset_transient(transient<T>& member) {
  member.reset();
}
}  // namespace detail

namespace detail {
template <class T>
constexpr bool is_transient_wrapper_v = false;
template <class T>
constexpr bool is_transient_wrapper_v<transient<T>> = true;
}  // namespace detail

}  // namespace picklejar

#define PICKLEJAR_DETAIL_RESET_MEMBER(m) ::picklejar::detail::reset_transient(m);

/// Inside a class: members that are never saved (locks, caches, callbacks, handles, per-thread
/// scratch). Saving never touches them. Loading a new object default-constructs them; loading
/// into an existing object first resets each to `T{}` where T is default-constructible and
/// move-assignable, and leaves the others as they are: mutexes and anything else with
/// lock()/unlock(), condition variables, atomics, threads. A picklejar::transient<T> listed here
/// is reset by its reset() (the same rules for the T inside).
///
/// ```cpp
/// class Classifier {
///   Eigen::MatrixXf weights_;
///   mutable std::mutex mutex_;                                       // left as it is
///   std::unordered_map<std::thread::id, Eigen::MatrixXf> scratch_;   // emptied by a load
///   std::function<void(int, float)> on_epoch_;                      // emptied by a load
///   PICKLEJAR_FIELDS(weights_)
///   PICKLEJAR_TRANSIENT(mutex_, scratch_, on_epoch_)
/// };
/// ```
///
/// Listing a member both here and in PICKLEJAR_FIELDS is a compile error.
#define PICKLEJAR_TRANSIENT(...)                                                   \
  friend struct ::picklejar::access;                                               \
  void picklejar_reset_transients_() {                                             \
    PICKLEJAR_DETAIL_FOR_EACH(PICKLEJAR_DETAIL_RESET_MEMBER, __VA_ARGS__)          \
  }                                                                                \
  static constexpr const char* picklejar_transient_names_() { return #__VA_ARGS__; }
