/// \file
/// Versions of a class: PICKLEJAR_VERSION(Type, N) at namespace scope, PICKLEJAR_FIELDS_SINCE(N, m...)
/// inside the class for the members added in version N. Included by picklejar/picklejar.hpp.
///
/// ```cpp
/// struct Config {
///   int epochs = 10;
///   std::string optimizer = "adam";          // added in version 2
///   PICKLEJAR_FIELDS(epochs)
///   PICKLEJAR_FIELDS_SINCE(2, optimizer)
/// };
/// PICKLEJAR_VERSION(Config, 2)
/// ```
///
/// A file's header records the version of every versioned type it holds
/// (file_info::type_versions). Loading older data (also data written before the type had a
/// version: version 0) leaves the newer members at their defaults; data from a newer version than
/// the program's is an errc::version error. A type without PICKLEJAR_VERSION writes nothing
/// extra. PICKLEJAR_RENAMED and PICKLEJAR_REMOVED say what older versions called or held.
///
/// In binary files (container version 4 on), the members of the PICKLEJAR_FIELDS_SINCE lists are
/// preceded by their size, so an older program can skip what a newer one added
/// (options::unknown_fields) and a reader notices data it does not know.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "picklejar/detail/declare/access.hpp"
#include "picklejar/detail/declare/foreach.hpp"
#include "picklejar/detail/declare/member_kinds.hpp"
#include "picklejar/detail/declare/type_name.hpp"
#include "picklejar/fields.hpp"

/// Inside a class, next to PICKLEJAR_FIELDS: members added in version N (>= 1) of the class, saved
/// after the PICKLEJAR_FIELDS members. Data of an older version loads without them: they keep
/// their defaults (a new object's, or the existing object's current values). Use it once per
/// version. The class needs PICKLEJAR_VERSION(Class, M) with M >= N: members of a version above
/// M are never saved (a compile error catches a missing PICKLEJAR_VERSION, and N up to M + 8).
///
/// ```cpp
/// PICKLEJAR_FIELDS(epochs)
/// PICKLEJAR_FIELDS_SINCE(2, optimizer)
/// PICKLEJAR_FIELDS_SINCE(3, warmup_steps, schedule)
/// ```
#define PICKLEJAR_FIELDS_SINCE(N, ...)                                                       \
  friend struct ::picklejar::access;                                                        \
  static constexpr const char* picklejar_since_names_(std::integral_constant<int, N>) {     \
    return #__VA_ARGS__;                                                                    \
  }                                                                                         \
  auto picklejar_fields_since_(std::integral_constant<int, N>) const {                      \
    using picklejar_self = std::remove_cv_t<std::remove_pointer_t<decltype(this)>>;         \
    static_assert((N) >= 1, "picklejar: PICKLEJAR_FIELDS_SINCE(N, ...) needs N >= 1");     \
    PICKLEJAR_DETAIL_FOR_EACH(PICKLEJAR_DETAIL_CHECK_MEMBER, __VA_ARGS__)                   \
    return ::picklejar::detail::field_list(                                                 \
        ::picklejar::detail::start_of_fields{}                                              \
        PICKLEJAR_DETAIL_FOR_EACH(PICKLEJAR_DETAIL_FIELD_ENTRY, __VA_ARGS__));              \
  }

/// Inside a class that has PICKLEJAR_VERSION: `member` was called `old_name` before version N.
/// Data of an older version has the value under the old name (the JSON/XML key), and it lands
/// in `member`; binary data finds members by position, which a rename keeps. A member renamed
/// twice has one line per version.
///
/// ```cpp
/// PICKLEJAR_FIELDS(epochs, learning_rate)
/// PICKLEJAR_RENAMED(2, lr, learning_rate)     // version 1 called it "lr"
/// ```
#define PICKLEJAR_RENAMED(N, old_name, member)                                                  \
  friend struct ::picklejar::access;                                                           \
  static constexpr const char* picklejar_renamed_(                                             \
      ::picklejar::detail::name_key_tag<::picklejar::detail::name_key(#member)>,               \
      std::integral_constant<int, N>) {                                                        \
    static_assert((N) >= 1, "picklejar: PICKLEJAR_RENAMED(N, old_name, member) needs N >= 1"); \
    static_cast<void>(sizeof(member)); /* a misspelt member is an error here */                \
    return #old_name;                                                                          \
  }

/// Inside a class that has PICKLEJAR_VERSION: a member `Type name` was saved before version N
/// and is gone. Keep `name` in the PICKLEJAR_FIELDS (or PICKLEJAR_FIELDS_SINCE) list where it
/// was: a binary file finds it by that position. Older data is read there and dropped; nothing
/// is saved for it. (It declares a static member `name` of no size.)
///
/// ```cpp
/// PICKLEJAR_FIELDS(epochs, dropout, learning_rate)   // dropout: a removed member, still listed
/// PICKLEJAR_REMOVED(3, dropout, float)               // saved by versions 0 to 2
/// ```
#define PICKLEJAR_REMOVED(N, name, ...)                                                         \
  static constexpr ::picklejar::detail::removed_member<N, __VA_ARGS__> name{};                 \
  void picklejar_removed_##name##_is_listed_() const {                                         \
    using picklejar_self = std::remove_cv_t<std::remove_pointer_t<decltype(this)>>;            \
    static_assert(::picklejar::detail::listed_before<picklejar_self, N>(#name),                \
                  "picklejar: member '" #name "' is declared PICKLEJAR_REMOVED but is in no "    \
                  "field list; keep it in the PICKLEJAR_FIELDS or PICKLEJAR_FIELDS_SINCE list "  \
                  "where it was saved (binary files find it by that position)");               \
  }

/// At namespace scope (the type's namespace or the global one): Type is at version N, 1 to 256
/// (compile error otherwise). Files record the version of every versioned type they hold; data
/// from a newer version than the program's is an errc::version error. A type without it is at
/// version 0 and costs nothing. The type keeps its name across versions. It applies to types
/// saved through PICKLEJAR_FIELDS / PICKLEJAR_FIELDS_OF: for a type with state hooks it is not
/// recorded, so version the state type instead.
///
/// ```cpp
/// PICKLEJAR_VERSION(ml::Config, 2)     // at global scope, or inside namespace ml as (Config, 2)
/// ```
#define PICKLEJAR_VERSION(Type, N)                                                            \
  [[maybe_unused]] constexpr std::uint32_t picklejar_version_of(                              \
      ::picklejar::detail::exact_type<Type>) {                                                \
    static_assert((N) >= 1 && (N) <= 256,                                                     \
                  "picklejar: PICKLEJAR_VERSION(Type, N) needs 1 <= N <= 256");               \
    return (N);                                                                               \
  }

namespace picklejar::detail {

/// The N of PICKLEJAR_VERSION(T, N); 0 for an unversioned type.
template <class T, class = void>
constexpr std::uint32_t declared_version = 0;
template <class T>
constexpr std::uint32_t declared_version<T, std::void_t<decltype(picklejar_version_of(exact_type<T>{}))>> =
    picklejar_version_of(exact_type<T>{});

/// Whether T declares PICKLEJAR_FIELDS_SINCE for any version in [First, First + Count).
template <class T, int First, int... Offsets>
constexpr bool has_fields_since_in(std::integer_sequence<int, Offsets...>) {
  return (has_fields_since<T, First + Offsets> || ...);
}

/// Whether `name` is in T's PICKLEJAR_FIELDS or in a PICKLEJAR_FIELDS_SINCE list older than Version.
template <class T, int Version, int Since = 1>
constexpr bool listed_before(std::string_view name) {
  if constexpr (Since == 1) {
    if (name_is_listed(access::field_names<T>(), name)) return true;
  }
  if constexpr (Since >= Version) {
    return false;
  } else {
    if constexpr (has_since_names<T, Since>) {
      if (name_is_listed(access::since_names<T, Since>(), name)) return true;
    }
    return listed_before<T, Version, Since + 1>(name);
  }
}

/// The name a member had in data of `version`: the old name of the first PICKLEJAR_RENAMED
/// after that version, or its name now.
template <class T, std::uint64_t Key, int Version = 1>
const char* name_in_version(const char* current, std::uint32_t version) {
  if constexpr (Version > static_cast<int>(declared_version<T>)) {
    return current;
  } else {
    if constexpr (has_rename<T, Key, Version>) {
      if (version < static_cast<std::uint32_t>(Version)) return access::renamed_from<T, Key, Version>();
    }
    return name_in_version<T, Key, Version + 1>(current, version);
  }
}

/// T's name as the version table of a file records it; one string per type, so its address is
/// a cheap key.
template <class T>
const std::string& versioned_type_key() {
  static const std::string name = type_name<T>();
  return name;
}

/// Visits the fields added in versions Version.. of T that the data has (`data_version`).
template <int Version, class Object, class Visitor>
void visit_fields_since(Object& object, Visitor& visitor, std::uint32_t data_version) {
  using T = std::remove_const_t<Object>;
  if constexpr (Version <= static_cast<int>(declared_version<T>)) {
    if constexpr (has_fields_since<T, Version>) {
      if (static_cast<std::uint32_t>(Version) <= data_version)
        for_each_field(object, access::fields_since<Version>(object), visitor);
    }
    visit_fields_since<Version + 1>(object, visitor, data_version);
  }
}

}  // namespace picklejar::detail
