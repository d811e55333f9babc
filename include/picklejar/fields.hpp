/// \file
/// What a class saves: PICKLEJAR_FIELDS (inside the class), PICKLEJAR_FIELDS_OF (for a type you
/// cannot edit) and PICKLEJAR_GUARDED_BY (hold a mutex while saving and loading). Included by
/// picklejar/picklejar.hpp.
///
/// A class with fields (or state hooks) may also declare `void after_load()`, private or public:
/// it runs after every load of that object, once all its fields are loaded, to rebuild derived
/// state. Members listed in neither PICKLEJAR_FIELDS nor PICKLEJAR_TRANSIENT are neither saved
/// nor touched by a load.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <tuple>
#include <type_traits>

#include "picklejar/detail/declare/access.hpp"
#include "picklejar/detail/declare/cereal_traits.hpp"
#include "picklejar/detail/declare/foreach.hpp"
#include "picklejar/detail/declare/member_kinds.hpp"
#include "picklejar/state.hpp"

/// Internal; users never name it. The one name picklejar puts in the global namespace: as a
/// template argument of exact_type it makes argument-dependent lookup search the global namespace
/// too, so PICKLEJAR_FIELDS_OF may be written there as well as in the type's own namespace.
struct picklejar_global_scope_tag {};

namespace picklejar::detail {

/// Tag that matches one type exactly: a PICKLEJAR_FIELDS_OF for Base is not found for Derived.
template <class T, class GlobalScope = ::picklejar_global_scope_tag>
struct exact_type {};

/// One saved member: its name and where it is in the class; Key is the name as a number
/// (name_key), which finds what PICKLEJAR_RENAMED says about the member.
template <std::uint64_t Key, class Class, class Member>
struct field_entry {
  static constexpr std::uint64_t key = Key;
  const char* name;
  Member Class::*member;
};

/// What PICKLEJAR_REMOVED(Version, name, Type) declares: a member `Type name` saved before
/// Version. Kept in the field list where the member was, it reads and drops older data there and
/// saves nothing.
template <int Version, class Type>
struct removed_member {
  static_assert(Version >= 1, "picklejar: PICKLEJAR_REMOVED(N, name, Type) needs N >= 1");
  using type = Type;
  static constexpr int version = Version;
};

template <std::uint64_t Key, int Version, class Type>
struct removed_entry {
  static constexpr std::uint64_t key = Key;
  using type = Type;
  static constexpr int version = Version;
  const char* name;
};

template <std::uint64_t Key, class Class, class Member>
constexpr field_entry<Key, Class, Member> field(const char* name, Member Class::*member) {
  return {name, member};
}
template <std::uint64_t Key, int Version, class Type>
constexpr removed_entry<Key, Version, Type> field(const char* name, const removed_member<Version, Type>*) {
  return {name};
}

/// Starts the list the macro writes, so that every entry can be preceded by a comma.
struct start_of_fields {};

template <class... Entries>
constexpr std::tuple<Entries...> field_list(start_of_fields, Entries... entries) {
  return {entries...};
}

template <class Object, std::uint64_t Key, class Class, class Member, class Visitor>
void visit_field(Object& object, const field_entry<Key, Class, Member>& entry, Visitor& visitor) {
  visitor(entry, object.*(entry.member));
}
template <class Object, std::uint64_t Key, int Version, class Type, class Visitor>
void visit_field(Object&, const removed_entry<Key, Version, Type>& entry, Visitor& visitor) {
  visitor.removed(entry);
}

/// Calls visitor(entry, object.*member) for every member of a field list, and
/// visitor.removed(entry) for every member PICKLEJAR_REMOVED took out.
template <class Object, class Fields, class Visitor>
void for_each_field(Object& object, const Fields& fields, Visitor& visitor) {
  std::apply([&](const auto&... entry) { (visit_field(object, entry, visitor), ...); }, fields);
}

/// Calls f(name) for each name of a comma-separated list ("a, b, c", as the preprocessor
/// stringizes a list) until f returns true; returns whether one did.
template <class F>
constexpr bool any_listed_name(std::string_view list, F f) {
  while (!list.empty()) {
    while (!list.empty() && (list.front() == ' ' || list.front() == ',')) list.remove_prefix(1);
    std::size_t end = 0;
    while (end < list.size() && list[end] != ',' && list[end] != ' ') ++end;
    if (end != 0 && f(list.substr(0, end))) return true;
    list.remove_prefix(end);
  }
  return false;
}

constexpr bool name_is_listed(std::string_view list, std::string_view name) {
  return any_listed_name(list, [name](std::string_view listed) { return listed == name; });
}

/// True when a name appears in both comma-separated lists ("a, b" and "b, c").
constexpr bool name_lists_overlap(std::string_view first, std::string_view second) {
  return any_listed_name(first, [second](std::string_view name) { return name_is_listed(second, name); });
}

}  // namespace picklejar::detail

// Checked where the fields are declared, so the error points at the class.
#define PICKLEJAR_DETAIL_CHECK_CLASS(type)                                                   \
  static_assert(!::picklejar::detail::has_cereal_members<type>,                              \
                "picklejar: this class has both PICKLEJAR_FIELDS and a cereal "               \
                "serialize/save/load member; remove one of them");                           \
  static_assert(!::picklejar::detail::has_state_hooks<type>,                                 \
                "picklejar: this class declares both PICKLEJAR_FIELDS and "                   \
                "get_state()/set_state(); keep one of them");

#define PICKLEJAR_DETAIL_FIELD_ENTRY(m) \
  , ::picklejar::detail::field<::picklejar::detail::name_key(#m)>(#m, &picklejar_self::m)

/// Inside a class: the members that are saved, by name (the names are the JSON/XML keys), in
/// this order. Private members are fine; so are class templates and local classes. Up to 64
/// members. Expands to a friend declaration and member functions that list (name, member pointer)
/// pairs; the access specifier in force is unchanged.
///
/// ```cpp
/// class Adam {
///   float learning_rate_ = 0.001f;
///   std::vector<float> m_, v_;
///   std::function<void()> on_step_;         // cannot be saved: transient
///   PICKLEJAR_FIELDS(learning_rate_, m_, v_)
///   PICKLEJAR_TRANSIENT(on_step_)
/// };
/// ```
///
/// Compile errors that name the member or the fix: a listed mutex, condition variable,
/// std::function, thread, stream, FILE* or raw pointer (mark it PICKLEJAR_TRANSIENT instead); a
/// member in both PICKLEJAR_FIELDS and PICKLEJAR_TRANSIENT; a class that also has state hooks or a
/// cereal serialize/save/load member. A derived class declares its own PICKLEJAR_FIELDS and names its
/// bases that have fields with PICKLEJAR_BASES, unless it is polymorphic and registered with
/// PICKLEJAR_REGISTER, which saves the registered base's fields with it. A base with no data (an
/// interface) needs nothing. A listed picklejar::transient<T> member is skipped.
#define PICKLEJAR_FIELDS(...)                                                               \
  friend struct ::picklejar::access;                                                        \
  struct picklejar_fields_tag_ {};                                                          \
  operator ::picklejar::detail::fields_marker<picklejar_fields_tag_>() const noexcept {     \
    return {};                                                                              \
  }                                                                                         \
  auto picklejar_fields_owner_() const -> decltype(this);                                   \
  static constexpr const char* picklejar_field_names_() { return #__VA_ARGS__; }            \
  auto picklejar_fields_() const {                                                          \
    using picklejar_self = std::remove_cv_t<std::remove_pointer_t<decltype(this)>>;         \
    PICKLEJAR_DETAIL_CHECK_CLASS(picklejar_self)                                            \
    PICKLEJAR_DETAIL_FOR_EACH(PICKLEJAR_DETAIL_CHECK_MEMBER, __VA_ARGS__)                   \
    return ::picklejar::detail::field_list(                                                 \
        ::picklejar::detail::start_of_fields{}                                              \
        PICKLEJAR_DETAIL_FOR_EACH(PICKLEJAR_DETAIL_FIELD_ENTRY, __VA_ARGS__));              \
  }

/// Inside a derived class, beside its PICKLEJAR_FIELDS: the base classes whose saved fields it
/// keeps. Each is saved first, in this order, as a member "base" (then "base_2", "base_3", ...),
/// by its own declarations. A class whose base has fields must name it here or be registered with
/// PICKLEJAR_REGISTER(Derived, Base); otherwise saving it is a compile error, never a silent loss.
///
/// ```cpp
/// struct Optimizer { float learning_rate = 0.01f; PICKLEJAR_FIELDS(learning_rate) };
/// struct Adam : Optimizer {
///   float beta1 = 0.9f;
///   PICKLEJAR_BASES(Optimizer)
///   PICKLEJAR_FIELDS(beta1)
/// };
/// ```
#define PICKLEJAR_BASES(...)                                   \
  friend struct ::picklejar::access;                           \
  auto picklejar_bases_owner_() const -> decltype(this);       \
  using picklejar_bases_ [[maybe_unused]] = ::picklejar::detail::type_list<__VA_ARGS__>;

/// At namespace scope, in the namespace of Type or the global one: the saved members of a type
/// you cannot edit (public members only; up to 64). Same meaning and checks as PICKLEJAR_FIELDS;
/// it applies to exactly Type, never to classes derived from it.
///
/// ```cpp
/// namespace vendor { struct Point { double x, y; }; }
/// namespace vendor { PICKLEJAR_FIELDS_OF(Point, x, y) }   // or at global scope: vendor::Point
/// ```
#define PICKLEJAR_FIELDS_OF(Type, ...)                                                       \
  inline auto picklejar_fields_of(::picklejar::detail::exact_type<Type>) {                   \
    using picklejar_self = Type;                                                             \
    PICKLEJAR_DETAIL_CHECK_CLASS(picklejar_self)                                             \
    PICKLEJAR_DETAIL_FOR_EACH(PICKLEJAR_DETAIL_CHECK_MEMBER, __VA_ARGS__)                    \
    return ::picklejar::detail::field_list(                                                  \
        ::picklejar::detail::start_of_fields{}                                               \
        PICKLEJAR_DETAIL_FOR_EACH(PICKLEJAR_DETAIL_FIELD_ENTRY, __VA_ARGS__));               \
  }

/// Inside a class: saving holds `mutex_member` (a shared lock when it has lock_shared(), such as
/// std::shared_mutex; else lock()) and loading holds it exclusively, so a checkpoint taken while
/// other threads train is a consistent snapshot. The lock is held for the whole object,
/// including the objects it reaches through pointers and its own after_load(), which therefore
/// runs with the mutex held (so do get_state() and set_state()): they must not lock it. A save
/// or load of the object while this thread holds the mutex through picklejar (from one of those
/// hooks) is errc::type naming the mutex, not a deadlock; so is one inside a section where the
/// caller locked it, with glibc (detail/declare/guard_lock.hpp; docs/guide.md 4.3 lists
/// what cannot be told). Declare the mutex `mutable` so that saving a const object may lock it;
/// it cannot be a field (mark it PICKLEJAR_TRANSIENT or list it nowhere).
///
/// ```cpp
/// class Model {
///   Eigen::MatrixXf weights_;
///   mutable std::shared_mutex mutex_;
///   PICKLEJAR_FIELDS(weights_)
///   PICKLEJAR_TRANSIENT(mutex_)
///   PICKLEJAR_GUARDED_BY(mutex_)
/// };
/// ```
#define PICKLEJAR_GUARDED_BY(mutex_member)                                                   \
  friend struct ::picklejar::access;                                                         \
  auto& picklejar_guard_() const {                                                           \
    return const_cast<std::remove_cv_t<decltype(mutex_member)>&>(mutex_member);              \
  }                                                                                          \
  static constexpr const char* picklejar_guard_name_() noexcept { return #mutex_member; }
