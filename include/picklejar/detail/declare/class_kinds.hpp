// What kind of class a type is to picklejar: declared for picklejar (fields, state hooks, or a
// data-free interface: the bridge serializes it), a library type (std, Eigen, cereal's wrappers),
// or a program's own cereal class (its cereal functions serialize it). The archives, the bridge and
// the object table all ask, so the answer lives below all of them.
#pragma once

#include <type_traits>

#include "picklejar/detail/declare/access.hpp"
#include "picklejar/detail/declare/cereal_traits.hpp"
#include "picklejar/detail/declare/library_types.hpp"
#include "picklejar/fields.hpp"
#include "picklejar/state.hpp"

namespace picklejar::detail {

template <class T, class = void>
constexpr bool has_fields_of = false;
template <class T>
constexpr bool has_fields_of<T, std::void_t<decltype(picklejar_fields_of(exact_type<T>{}))>> = true;

template <class T>
constexpr bool has_fields = declares_fields<T> || has_fields_of<T>;

/// A base with no data of its own, such as an interface of only virtual functions (most layer
/// hierarchies start with one): it needs no annotation and saves nothing; its subtypes are
/// registered with it (PICKLEJAR_REGISTER). A polymorphic class as large as one vtable pointer
/// holds nothing else.
template <class T>
constexpr bool is_data_free_interface = std::is_class_v<T> && std::is_polymorphic_v<T> &&
                                        sizeof(T) == sizeof(void*) && !has_fields<T> && !inherits_fields<T> &&
                                        !has_state_hooks<T> && !has_cereal_members<T>;

/// The types the bridge (object_io/cereal_bridge.hpp) serializes. A type that also has cereal
/// members is left to cereal (after a static_assert elsewhere says to remove one), so that a
/// mistake gives one error.
template <class T>
constexpr bool uses_bridge =
    (has_fields<T> || inherits_fields<T> || has_state_hooks<T> || is_data_free_interface<T>) &&
    !has_cereal_members<T>;

/// A class serialized by its own cereal functions may save or load pointers into temporaries
/// that die before it returns, so the objects its pointers meet are written or read at once,
/// not deferred. Library types (std, Eigen, cereal's own wrappers, picklejar's) never do that
/// and are left alone, which keeps chains shallow. A property of the type, never of its spelled
/// name: writer and reader must agree whichever compiler built them (library_types.hpp).
template <class T>
constexpr bool is_foreign_cereal_class() {
  return std::is_class_v<T> && !uses_bridge<T> && !is_library_type<T>;
}

}  // namespace picklejar::detail
