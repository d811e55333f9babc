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
/// extra. Versions add members; there is no way to declare a removed or renamed one.
#pragma once

#include <cstdint>
#include <string>
#include <type_traits>
#include <utility>

#include "picklejar/detail/access.hpp"
#include "picklejar/detail/foreach.hpp"
#include "picklejar/detail/member_kinds.hpp"
#include "picklejar/detail/type_name.hpp"
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
  auto picklejar_fields_since_(std::integral_constant<int, N>) const {                      \
    using picklejar_self = std::remove_cv_t<std::remove_pointer_t<decltype(this)>>;         \
    static_assert((N) >= 1, "picklejar: PICKLEJAR_FIELDS_SINCE(N, ...) needs N >= 1");     \
    PICKLEJAR_DETAIL_FOR_EACH(PICKLEJAR_DETAIL_CHECK_MEMBER, __VA_ARGS__)                   \
    return ::picklejar::detail::field_list(                                                 \
        ::picklejar::detail::start_of_fields{}                                              \
        PICKLEJAR_DETAIL_FOR_EACH(PICKLEJAR_DETAIL_FIELD_ENTRY, __VA_ARGS__));              \
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
