/// \file
/// State hooks, Python's `__getstate__`/`__setstate__`: a type that says what to save (get_state) and
/// how to rebuild itself from it (set_state, or from_state when it has no default constructor).
/// Included by picklejar/picklejar.hpp.
///
/// ```cpp
/// class Regressor {
///  public:
///   struct State { Eigen::MatrixXd w; double alpha = 0; PICKLEJAR_FIELDS(w, alpha) };
///   State get_state() const { return {w_, alpha_}; }
///   void set_state(State s) { w_ = std::move(s.w); alpha_ = s.alpha; norm_ = w_.norm(); }
///  private:
///   Eigen::MatrixXd w_; double alpha_ = 1; double norm_ = 0;   // norm_ is derived
/// };
/// ```
///
/// Lookup order, first match wins:
///   1. a specialization picklejar::state_traits<T> with static get_state/set_state/from_state;
///   2. public members: `S get_state() const; void set_state(S); static T from_state(S);`
///   3. free functions found by argument-dependent lookup: `S get_state(const T&);`
///      `void set_state(T&, S); T from_state(picklejar::type_tag<T>, S)`.
///
/// The state S is any saveable, default-constructible type (get_state() may return it by value or
/// by reference); set_state may take it by value, const& or &&. A type needs set_state or
/// from_state: from_state builds the object in load<T>() (T needs no default constructor and need
/// not be movable), and loading into an existing object uses set_state, else assigns the result
/// of from_state. after_load(), if declared, runs after set_state. A state that is a plain
/// PICKLEJAR_FIELDS type is written inline (its fields appear directly under the object).
///
/// Compile errors: a hook written for a base class found for a derived class (it would slice);
/// hooks together with PICKLEJAR_FIELDS or with a cereal serialize/save/load member; get_state
/// without a matching set_state or from_state.
#pragma once

#include <type_traits>
#include <utility>

#include "picklejar/detail/declare/access.hpp"

namespace picklejar {

/// Names the type to build in a free from_state overload, found by argument-dependent lookup:
/// `vendor::Handle from_state(picklejar::type_tag<vendor::Handle>, std::string path);`
template <class T>
struct type_tag {
  using type = T;  ///< the T named
};

/// State hooks for a type you cannot edit, found before member and free hooks. Specialize it
/// with static members (get_state, and set_state or from_state):
///
/// ```cpp
/// template <>
/// struct picklejar::state_traits<vendor::Rng> {
///   static unsigned long long get_state(const vendor::Rng& rng) { return rng.seed; }
///   static void set_state(vendor::Rng& rng, unsigned long long seed) { rng.seed = seed; }
///   // or: static vendor::Rng from_state(unsigned long long seed);
/// };
/// ```
template <class T>
struct state_traits {
  /// Marks the primary template (no hooks); a specialization must not declare it.
  using picklejar_primary_template = void;
};

namespace detail {

// Converts only to exactly T: a free hook declared for a base class of T is not viable with it,
// which is how slicing hooks are told apart from hooks written for T.
template <class T>
struct exactly {
  template <class U, std::enable_if_t<std::is_same_v<U, T>, int> = 0>
  operator const U&() const;
  template <class U, std::enable_if_t<std::is_same_v<U, T>, int> = 0>
  operator U&() const;
};

template <class T, class = void>
constexpr bool has_state_traits = true;
template <class T>
constexpr bool has_state_traits<T, typename state_traits<T>::picklejar_primary_template> = false;

template <class T>
constexpr bool has_member_get_state = decltype(access::get_state_test<T>(0))::value;

// Free hooks: probed from namespace picklejar::detail, which declares no get_state/set_state,
// so only argument-dependent lookup finds them.
template <class T, class = void>
constexpr bool has_free_get_state = false;
template <class T>
constexpr bool has_free_get_state<T, std::void_t<decltype(get_state(std::declval<const T&>()))>> =
    true;
template <class T, class = void>
constexpr bool has_exact_free_get_state = false;
template <class T>
constexpr bool has_exact_free_get_state<T, std::void_t<decltype(get_state(exactly<T>{}))>> = true;

enum class hook_source { none, traits, member, free };

template <class T>
constexpr hook_source state_hook_source() {
  if constexpr (has_state_traits<T>) return hook_source::traits;
  else if constexpr (has_member_get_state<T>) return hook_source::member;
  else if constexpr (has_free_get_state<T>) return hook_source::free;
  else return hook_source::none;
}

template <class T>
constexpr bool has_state_hooks = state_hook_source<T>() != hook_source::none;

template <class T>
decltype(auto) call_get_state(const T& object) {
  constexpr hook_source source = state_hook_source<T>();
  if constexpr (source == hook_source::traits) return state_traits<T>::get_state(object);
  else if constexpr (source == hook_source::member) return access::get_state(object);
  else return get_state(object);
}

template <class T>
using state_type_t = std::decay_t<decltype(call_get_state(std::declval<const T&>()))>;

template <class T, class S, class = void>
constexpr bool has_free_set_state = false;
template <class T, class S>
constexpr bool has_free_set_state<
    T, S, std::void_t<decltype(set_state(std::declval<T&>(), std::declval<S>()))>> = true;
template <class T, class S, class = void>
constexpr bool has_exact_free_set_state = false;
template <class T, class S>
constexpr bool has_exact_free_set_state<
    T, S, std::void_t<decltype(set_state(exactly<T>{}, std::declval<S>()))>> = true;

template <class T, class S, class = void>
constexpr bool has_traits_set_state = false;
template <class T, class S>
constexpr bool has_traits_set_state<
    T, S, std::void_t<decltype(state_traits<T>::set_state(std::declval<T&>(), std::declval<S>()))>> =
    true;

template <class T, class S, class = void>
constexpr bool has_traits_from_state = false;
template <class T, class S>
constexpr bool has_traits_from_state<
    T, S, std::void_t<decltype(state_traits<T>::from_state(std::declval<S>()))>> = true;

template <class T, class S, class = void>
constexpr bool has_free_from_state = false;
template <class T, class S>
constexpr bool has_free_from_state<
    T, S, std::void_t<decltype(from_state(type_tag<T>{}, std::declval<S>()))>> = true;

template <class T, class S>
constexpr bool has_set_state() {
  constexpr hook_source source = state_hook_source<T>();
  if constexpr (source == hook_source::traits) return has_traits_set_state<T, S>;
  else if constexpr (source == hook_source::member)
    return decltype(access::set_state_test<T, S>(0))::value;
  else return has_free_set_state<T, S>;
}

template <class T, class S>
constexpr bool has_from_state() {
  constexpr hook_source source = state_hook_source<T>();
  if constexpr (source == hook_source::traits) return has_traits_from_state<T, S>;
  else if constexpr (source == hook_source::member)
    return decltype(access::from_state_test<T, S>(0))::value;
  else return has_free_from_state<T, S>;
}

template <class T, class S>
void call_set_state(T& object, S&& state) {
  constexpr hook_source source = state_hook_source<T>();
  if constexpr (source == hook_source::traits) state_traits<T>::set_state(object, std::forward<S>(state));
  else if constexpr (source == hook_source::member) access::set_state(object, std::forward<S>(state));
  else set_state(object, std::forward<S>(state));
}

template <class T, class S>
T call_from_state(S&& state) {
  constexpr hook_source source = state_hook_source<T>();
  if constexpr (source == hook_source::traits) return state_traits<T>::from_state(std::forward<S>(state));
  else if constexpr (source == hook_source::member) return access::from_state<T>(std::forward<S>(state));
  else return from_state(type_tag<T>{}, std::forward<S>(state));
}

template <class T>
using get_state_owner_t = std::remove_pointer_t<decltype(access::get_state_owner_test<T>(0))>;
template <class T>
using set_state_owner_t = std::remove_pointer_t<decltype(access::set_state_owner_test<T>(0))>;

/// The hooks found for T were written for a base class of T: using them would save only the base.
template <class T>
constexpr bool state_hooks_slice() {
  constexpr hook_source source = state_hook_source<T>();
  if constexpr (source == hook_source::member) {
    using get_owner = get_state_owner_t<T>;
    using set_owner = set_state_owner_t<T>;
    return (!std::is_void_v<get_owner> && !std::is_same_v<get_owner, T>) ||
           (!std::is_void_v<set_owner> && !std::is_same_v<set_owner, T>);
  } else if constexpr (source == hook_source::free) {
    using state = state_type_t<T>;
    return !has_exact_free_get_state<T> ||
           (has_free_set_state<T, state> && !has_exact_free_set_state<T, state>);
  } else {
    return false;
  }
}

}  // namespace detail
}  // namespace picklejar
