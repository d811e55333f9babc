// picklejar::access: the one class the PICKLEJAR_* macros befriend, so that fields, hooks and
// after_load() may stay private. Users never name it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>
#include <utility>

namespace picklejar {

template <class T>
class transient;

namespace detail {
/// A member's name as a number (FNV-1a), so that a declaration about the member (PICKLEJAR_RENAMED)
/// can be found at compile time from the field list, which knows members by name.
constexpr std::uint64_t name_key(std::string_view name) noexcept {
  std::uint64_t hash = 14695981039346656037ull;
  for (char c : name) hash = (hash ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  return hash;
}
template <std::uint64_t Key>
struct name_key_tag {};

/// Every PICKLEJAR_FIELDS declares a conversion to fields_marker<its own nested tag>. Conversion
/// functions of a base are not hidden by a derived class's conversion to another type, and both
/// rank alike, so converting a class to fields_marker_base is ambiguous exactly when a base class
/// declares PICKLEJAR_FIELDS too (and the compiler then lists both classes).
struct fields_marker_base {};
template <class Tag>
struct fields_marker : fields_marker_base {};
}  // namespace detail

struct access {
  // The class a member pointer belongs to.
  template <class Class, class Member>
  static Class* class_of(Member Class::*);

  // Detection. Each test is a member of access, so private members are visible to it.
  template <class T>
  static auto fields_owner_test(int) -> std::remove_cv_t<
      std::remove_pointer_t<decltype(std::declval<const T&>().picklejar_fields_owner_())>>*;
  template <class T>
  static void fields_owner_test(...);

  template <class T>
  static auto bases_owner_test(int) -> std::remove_cv_t<
      std::remove_pointer_t<decltype(std::declval<const T&>().picklejar_bases_owner_())>>*;
  template <class T>
  static void bases_owner_test(...);
  template <class T>
  using declared_bases = typename T::picklejar_bases_;

  template <class T>
  static auto transients_test(int) -> decltype(std::declval<T&>().picklejar_reset_transients_(), std::true_type{});
  template <class T>
  static std::false_type transients_test(...);

  template <class T>
  static auto guard_test(int) -> decltype(std::declval<const T&>().picklejar_guard_(), std::true_type{});
  template <class T>
  static std::false_type guard_test(...);

  template <class T>
  static auto after_load_test(int) -> decltype(std::declval<T&>().after_load(), std::true_type{});
  template <class T>
  static std::false_type after_load_test(...);

  template <class T>
  static auto get_state_test(int) -> decltype(std::declval<const T&>().get_state(), std::true_type{});
  template <class T>
  static std::false_type get_state_test(...);

  template <class T, class S>
  static auto set_state_test(int) -> decltype(std::declval<T&>().set_state(std::declval<S>()), std::true_type{});
  template <class T, class S>
  static std::false_type set_state_test(...);

  template <class T, class S>
  static auto from_state_test(int) -> decltype(T::from_state(std::declval<S>()), std::true_type{});
  template <class T, class S>
  static std::false_type from_state_test(...);

  // The class that declares T's get_state()/set_state(), found through a member pointer; void when
  // the name is overloaded or a template (then no slicing check is possible, nor needed).
  template <class T>
  static auto get_state_owner_test(int) -> decltype(class_of(&T::get_state));
  template <class T>
  static void get_state_owner_test(...);
  template <class T>
  static auto set_state_owner_test(int) -> decltype(class_of(&T::set_state));
  template <class T>
  static void set_state_owner_test(...);

  template <class T, int Version>
  static auto fields_since_test(int)
      -> decltype(std::declval<const T&>().picklejar_fields_since_(std::integral_constant<int, Version>{}),
                  std::true_type{});
  template <class T, int Version>
  static std::false_type fields_since_test(...);

  static void take_fields_marker(detail::fields_marker_base);
  template <class T>
  static auto one_fields_marker_test(int) -> decltype(take_fields_marker(std::declval<const T&>()), std::true_type{});
  template <class T>
  static std::false_type one_fields_marker_test(...);
  // Instantiated only for a class whose base's fields would be lost: the ambiguous conversion
  // makes the compiler name every class in the hierarchy that declares PICKLEJAR_FIELDS.
  template <class T>
  static constexpr void list_classes_declaring_fields(const T* object) {
    using listed [[maybe_unused]] = decltype(take_fields_marker(*object));
  }

  template <class T, std::uint64_t Key, int Version>
  static auto renamed_test(int)
      -> decltype(T::picklejar_renamed_(detail::name_key_tag<Key>{}, std::integral_constant<int, Version>{}), std::true_type{});
  template <class T, std::uint64_t Key, int Version>
  static std::false_type renamed_test(...);

  template <class T, int Version>
  static auto since_names_test(int)
      -> decltype(T::picklejar_since_names_(std::integral_constant<int, Version>{}), std::true_type{});
  template <class T, int Version>
  static std::false_type since_names_test(...);

  // Calls.
  template <class T>
  static constexpr const char* field_names() { return T::picklejar_field_names_(); }
  template <class T>
  static constexpr const char* transient_names() { return T::picklejar_transient_names_(); }
  template <class T>
  static auto fields(const T& object) { return object.picklejar_fields_(); }
  template <int Version, class T>
  static auto fields_since(const T& object) {
    return object.picklejar_fields_since_(std::integral_constant<int, Version>{});
  }
  template <class T, int Version>
  static constexpr const char* since_names() {
    return T::picklejar_since_names_(std::integral_constant<int, Version>{});
  }
  /// The name the member with key Key had before version Version (PICKLEJAR_RENAMED).
  template <class T, std::uint64_t Key, int Version>
  static constexpr const char* renamed_from() {
    return T::picklejar_renamed_(detail::name_key_tag<Key>{}, std::integral_constant<int, Version>{});
  }
  template <class T>
  static void reset_transients(T& object) { object.picklejar_reset_transients_(); }
  template <class T>
  static auto& guard(const T& object) { return lockable(object.picklejar_guard_()); }
  template <class T>
  static constexpr const char* guard_name() noexcept { return T::picklejar_guard_name_(); }
  // PICKLEJAR_GUARDED_BY(mutex_) where mutex_ is a picklejar::transient<std::mutex>, as the
  // load<T>() diagnostic for classes holding a mutex suggests: lock the mutex inside.
  template <class Mutex>
  static Mutex& lockable(Mutex& mutex) { return mutex; }
  template <class Mutex>
  static Mutex& lockable(transient<Mutex>& mutex) { return mutex.get(); }
  template <class T>
  static void after_load(T& object) { object.after_load(); }
  template <class T>
  static decltype(auto) get_state(const T& object) { return object.get_state(); }
  template <class T, class S>
  static void set_state(T& object, S&& state) { object.set_state(std::forward<S>(state)); }
  template <class T, class S>
  static T from_state(S&& state) { return T::from_state(std::forward<S>(state)); }
};

namespace detail {

template <class T>
using fields_owner_t = std::remove_pointer_t<decltype(access::fields_owner_test<T>(0))>;

/// T itself declares PICKLEJAR_FIELDS (not only a base class of T).
template <class T>
constexpr bool declares_fields = std::is_same_v<fields_owner_t<T>, T>;
/// A list of types: the bases a class names with PICKLEJAR_BASES, what a container holds
/// (element_types.hpp).
template <class... Types>
struct type_list {};

/// T itself declares PICKLEJAR_BASES (not only a base class of T).
template <class T>
constexpr bool declares_bases =
    std::is_same_v<std::remove_pointer_t<decltype(access::bases_owner_test<T>(0))>, T>;

template <class T, bool = declares_bases<T>>
struct named_bases {
  using type = type_list<>;
};
template <class T>
struct named_bases<T, true> {
  using type = access::declared_bases<T>;
};

/// T declares PICKLEJAR_FIELDS and so does one of its base classes (see fields_marker).
template <class T>
constexpr bool base_declares_fields_too = declares_fields<T> && !decltype(access::one_fields_marker_test<T>(0))::value;

/// T gets PICKLEJAR_FIELDS from a base class only: saving it would slice.
template <class T>
constexpr bool inherits_fields = !std::is_void_v<fields_owner_t<T>> && !declares_fields<T>;

template <class T>
constexpr bool has_transients = decltype(access::transients_test<T>(0))::value;
template <class T>
constexpr bool has_guard = decltype(access::guard_test<T>(0))::value;
template <class T>
constexpr bool has_after_load = decltype(access::after_load_test<T>(0))::value;
/// T declares PICKLEJAR_FIELDS_SINCE(Version, ...).
template <class T, int Version>
constexpr bool has_fields_since = decltype(access::fields_since_test<T, Version>(0))::value;
template <class T, int Version>
constexpr bool has_since_names = decltype(access::since_names_test<T, Version>(0))::value;
/// T declares PICKLEJAR_RENAMED(Version, old, member) for the member whose name has key Key.
template <class T, std::uint64_t Key, int Version>
constexpr bool has_rename = decltype(access::renamed_test<T, Key, Version>(0))::value;

}  // namespace detail
}  // namespace picklejar
