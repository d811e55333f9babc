// Members that are never saved: PICKLEJAR_TRANSIENT(members...) and the picklejar::transient<T>
// wrapper. Loading into an existing object resets them to a fresh state.
#pragma once

#include <type_traits>
#include <utility>

#include "picklejar/detail/access.hpp"
#include "picklejar/detail/foreach.hpp"
#include "picklejar/detail/member_kinds.hpp"

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
/// transient<std::mutex> stays copyable, and a copy never shares or copies the lock.
template <class T>
class transient {
 public:
  transient() = default;
  template <class... Args, class = std::enable_if_t<std::is_constructible_v<T, Args&&...>>>
  explicit transient(std::in_place_t, Args&&... args) : value_(std::forward<Args>(args)...) {}
  transient(const transient&) : value_() {}
  transient(transient&&) noexcept : value_() {}
  transient& operator=(const transient&) { return *this; }
  transient& operator=(transient&&) noexcept { return *this; }
  ~transient() = default;

  T& get() noexcept { return value_; }
  const T& get() const noexcept { return value_; }
  T& operator*() noexcept { return value_; }
  const T& operator*() const noexcept { return value_; }
  T* operator->() noexcept { return &value_; }
  const T* operator->() const noexcept { return &value_; }
  /// So that `std::lock_guard<std::mutex> hold(mutex_);` works on a transient<std::mutex>.
  operator T&() noexcept { return value_; }              // NOLINT: implicit on purpose
  operator const T&() const noexcept { return value_; }  // NOLINT: implicit on purpose

  /// Back to a fresh T where T can be assigned (what loading into an existing object does).
  void reset() { detail::reset_transient(value_); }

 private:
  T value_;
};

namespace detail {
template <class T>
constexpr bool is_transient_wrapper_v = false;
template <class T>
constexpr bool is_transient_wrapper_v<transient<T>> = true;
}  // namespace detail

}  // namespace picklejar

#define PICKLEJAR_DETAIL_RESET_MEMBER(m) ::picklejar::detail::reset_transient(m);

/// Inside a class: members that are never saved (locks, caches, callbacks, handles, per-thread
/// scratch). Loading into an existing object resets each to a fresh state.
#define PICKLEJAR_TRANSIENT(...)                                                   \
  friend struct ::picklejar::access;                                               \
  void picklejar_reset_transients_() {                                             \
    PICKLEJAR_DETAIL_FOR_EACH(PICKLEJAR_DETAIL_RESET_MEMBER, __VA_ARGS__)          \
  }                                                                                \
  static constexpr const char* picklejar_transient_names_() { return #__VA_ARGS__; }
