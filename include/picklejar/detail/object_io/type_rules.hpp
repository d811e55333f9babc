// Every rule a type must follow to be saved and loaded, each broken one a single static_assert
// with its message: the rules of a class's declarations, of what containers, wrappers and
// pointers hold, of registered subtypes and of the root of a save or load. Each rule depends on the
// type alone, so a mistake is reported once, however many archives meet the type. Elsewhere: the
// rules about one member, which the field macros check where the member is named
// (declare/member_kinds.hpp), and load<T>()'s two checks, kept at that entry point in
// save_load.hpp, where their diagnostic is shortest.
#pragma once

#include <cereal/cereal.hpp>

#include <cstddef>
#include <type_traits>
#include <utility>

#include "picklejar/detail/archives/binary.hpp"
#include "picklejar/detail/declare/access.hpp"
#include "picklejar/detail/declare/class_kinds.hpp"
#include "picklejar/detail/declare/cereal_traits.hpp"
#include "picklejar/detail/declare/element_types.hpp"
#include "picklejar/detail/declare/library_types.hpp"
#include "picklejar/detail/declare/member_kinds.hpp"
#include "picklejar/detail/declare/structural_names.hpp"
#include "picklejar/fields.hpp"
#include "picklejar/state.hpp"
#include "picklejar/transient.hpp"
#include "picklejar/versioning.hpp"

namespace picklejar::detail {

// ---- a class's declarations ----

template <class T>
constexpr bool state_hooks_are_complete() {
  if constexpr (!has_state_hooks<T>) {
    return true;
  } else {
    using state_type = state_type_t<T>;
    constexpr bool loadable = has_set_state<T, state_type&&>() || has_from_state<T, state_type&&>();
    static_assert(loadable,
                  "picklejar: this type has get_state() but no set_state(State) (or static "
                  "from_state(State)) taking what get_state() returns; add one");
    static_assert(std::is_default_constructible_v<state_type>,
                  "picklejar: the type returned by get_state() needs a default constructor");
    return loadable && std::is_default_constructible_v<state_type>;
  }
}

template <class T>
constexpr bool fields_and_transients_are_disjoint() {
  if constexpr (declares_fields<T> && has_transients<T>)
    return !name_lists_overlap(access::field_names<T>(), access::transient_names<T>());
  else
    return true;
}

/// The rules a type's declarations must follow; each broken rule is one static_assert.
template <class T>
constexpr bool declarations_are_valid() {
  // A polymorphic class may rely on its registration (PICKLEJAR_REGISTER), which saves the
  // base's fields; that is checked when it is saved.
  static_assert(!inherits_fields<T> || has_state_hooks<T> || std::is_polymorphic_v<T>,
                "picklejar: this class inherits PICKLEJAR_FIELDS from a base class, so saving it "
                "would lose its own members; declare PICKLEJAR_FIELDS(...) in the derived class too");
  // A polymorphic class may rely on its registration here too (checked when it is saved).
  constexpr bool bases_kept =
      !base_declares_fields_too<T> || declares_bases<T> || std::is_polymorphic_v<T> || has_state_hooks<T>;
  static_assert(bases_kept,
                "picklejar: this class and a base class of it both declare PICKLEJAR_FIELDS, so saving it "
                "would lose the base's fields; name the base beside the fields with PICKLEJAR_BASES(Base) "
                "(the next error lists both classes)");
  if constexpr (!bases_kept) access::list_classes_declaring_fields(static_cast<const T*>(nullptr));
  static_assert(!state_hooks_slice<T>(),
                "picklejar: this type's get_state()/set_state() were written for a base class and "
                "would save only the base part (slicing); declare them for the derived type");
  constexpr bool fields_ok = fields_and_transients_are_disjoint<T>();
  static_assert(fields_ok,
                "picklejar: a member is listed in both PICKLEJAR_FIELDS and PICKLEJAR_TRANSIENT; "
                "list it in one of them");
  constexpr bool hooks_ok = state_hooks_are_complete<T>();
  constexpr int version = static_cast<int>(declared_version<T>);
  constexpr bool since_ok = !has_fields_since_in<T, version + 1>(std::make_integer_sequence<int, 8>{});
  static_assert(since_ok || version > 0,
                "picklejar: PICKLEJAR_FIELDS_SINCE needs PICKLEJAR_VERSION(Type, N) at namespace scope");
  static_assert(since_ok || version == 0,
                "picklejar: PICKLEJAR_FIELDS_SINCE(N, ...) names a version newer than PICKLEJAR_VERSION "
                "declares; raise the version");
  // The state is what is written, so the state's type carries the version; on the class it would
  // be recorded nowhere and newer files would not be refused.
  constexpr bool version_ok = !(has_state_hooks<T> && version > 0);
  static_assert(version_ok,
                "picklejar: PICKLEJAR_VERSION on a type with get_state()/set_state() has no effect: "
                "the state is what is saved; version the state's type instead");
  return (!inherits_fields<T> || has_state_hooks<T> || std::is_polymorphic_v<T>) && bases_kept && !state_hooks_slice<T>() &&
         fields_ok && hooks_ok && since_ok && version_ok;
}

template <class T>
constexpr bool usable_type();
template <class T>
constexpr bool report_unsaveable();

/// What a container, wrapper or smart pointer holds is checked like a member: a type that can
/// never be saved gets its own message (report_unsaveable), any other its rules (usable_type).
template <class Element>
constexpr bool usable_element() {
  using U = std::remove_cv_t<Element>;
  if constexpr (std::is_void_v<U>) {
    return true;  // std::unique_ptr<T[]> and the like: left to cereal
  } else if constexpr (is_raw_pointer_v<U>) {
    static_assert(!is_raw_pointer_v<U>,
                  "picklejar: a raw pointer inside a container or wrapper cannot be saved (it does not "
                  "say who owns the object); hold a std::unique_ptr or std::shared_ptr, or a "
                  "std::weak_ptr for a reference, or mark the member PICKLEJAR_TRANSIENT");
    return false;
  } else if constexpr (is_never_saveable_v<U>) {
    static_assert(report_unsaveable<U>());
    return false;
  } else {
    return usable_type<U>();
  }
}
/// A pointee the same way, unless cereal builds it with load_and_construct (it may have no load).
template <class Element>
constexpr bool usable_element_of(Element*) {
  return usable_element<Element>();
}
template <class T>
constexpr bool usable_element_of(pointee<T>*) {
  if constexpr (cereal::traits::has_load_and_construct<std::remove_cv_t<T>, binary_input_archive>::value) return true;
  else return usable_element<T>();
}
template <class... Elements>
constexpr bool elements_usable(type_list<Elements...>) {
  return (usable_element_of(static_cast<std::remove_reference_t<Elements>*>(nullptr)) && ...);
}

/// Whether T can be saved and loaded; when it cannot, exactly one static_assert says why. It
/// depends on T alone, so each mistake is reported once, however many archives meet the type;
/// callers skip the type when it is false, so no cascade of cereal errors follows.
template <class T>
constexpr bool usable_type() {
  if constexpr (is_never_saveable_v<T> || is_transient_wrapper_v<T>) {
    return false;  // a field macro's static_assert has already said why, naming the member
  } else if constexpr (element_types<T>::holds) {
    return elements_usable(typename element_types<T>::type{});
  } else if constexpr (has_state_hooks<T> && has_cereal_members<T>) {
    static_assert(!has_cereal_members<T>,
                  "picklejar: this type has both get_state()/set_state() and a cereal "
                  "serialize/save/load member; remove one of them");
    return false;
  } else if constexpr (uses_bridge<T>) {
    return declarations_are_valid<T>();
  } else {
    constexpr bool serializable =
        cereal::traits::detail::count_output_serializers<T, binary_output_archive>::value != 0 &&
        cereal::traits::detail::count_input_serializers<T, binary_input_archive>::value != 0;
    // Eigen's types are saveable once picklejar/eigen.hpp is included: say so, not how to add fields.
    static_assert(serializable || !is_eigen_type<T>,
                  "picklejar: an Eigen matrix or array is saved by picklejar/eigen.hpp; add "
                  "#include <picklejar/eigen.hpp> to this file");
    static_assert(serializable || is_eigen_type<T>,
                  "picklejar: this member's type cannot be saved; give it PICKLEJAR_FIELDS(...), "
                  "get_state()/set_state(), or a cereal serialize(); or mark the member "
                  "PICKLEJAR_TRANSIENT");
    return serializable;
  }
}

/// Loading into an existing object of a type built by from_state() needs set_state() or assignment.
template <class T>
constexpr bool loadable_into_existing() {
  constexpr bool ok = has_set_state<T, state_type_t<T>&&>() || std::is_move_assignable_v<T>;
  static_assert(ok,
                "picklejar: this type has from_state() but no set_state() and cannot be assigned, "
                "so it cannot be loaded into an existing object; add set_state(State)");
  return ok;
}

/// PICKLEJAR_BASES(...) names at most most_named_bases bases, each a base class of Object.
template <class Object, class... Bases>
constexpr bool named_bases_are_valid() {
  constexpr bool few = sizeof...(Bases) <= most_named_bases;
  constexpr bool bases = (std::is_base_of_v<Bases, Object> && ...);
  static_assert(few, "picklejar: PICKLEJAR_BASES names at most 8 bases");
  static_assert(bases, "picklejar: PICKLEJAR_BASES names a class that is not a base of this class");
  return few && bases;
}

// ---- what a pointer points at ----

/// Loading creates U itself with its default constructor.
template <class U>
constexpr bool created_by_default = !std::is_abstract_v<U> && std::is_default_constructible_v<U>;

/// How a type without a default constructor is built when loaded behind a pointer: its state is
/// read in place (the contents follow the site), then from_state() builds it. (A polymorphic one
/// could be a subtype, so it goes through the registry instead.)
template <class U>
constexpr bool built_in_place = [] {
  if constexpr (std::is_polymorphic_v<U> || std::is_default_constructible_v<U> || !has_state_hooks<U>)
    return false;
  else
    return has_from_state<U, state_type_t<U>&&>();
}();

/// A polymorphic type that loading cannot create itself (abstract, or a protected constructor):
/// only its registered subtypes are created.
template <class U>
constexpr bool created_only_as_subtype =
    std::is_polymorphic_v<U> && !created_by_default<U> && !built_in_place<U>;

template <class U>
constexpr bool pointee_is_loadable() {
  if constexpr (created_only_as_subtype<U>) {
    return true;
  } else if constexpr (has_state_hooks<U>) {
    constexpr bool ok = std::is_default_constructible_v<U> || has_from_state<U, state_type_t<U>&&>();
    static_assert(ok, "picklejar: a pointer to this type cannot be loaded: give it a default "
                      "constructor or a static from_state(State)");
    return ok;
  } else {
    static_assert(std::is_default_constructible_v<U>,
                  "picklejar: a pointer to this type cannot be loaded: it needs a default "
                  "constructor (or state hooks with a static from_state(State))");
    return std::is_default_constructible_v<U>;
  }
}

/// Whether pointers to U can be saved and loaded; when not, one static_assert says why.
template <class U>
constexpr bool pointee_is_usable() {
  if constexpr (is_unsaveable_object_v<U>) {
    static_assert(report_unsaveable<U>());  // the field macros see only direct members
    return false;
  } else {
    return usable_type<U>() && pointee_is_loadable<U>();
  }
}

// ---- registered subtypes ----

template <class Derived, class Base>
constexpr bool registration_is_valid() {
  constexpr bool polymorphic = std::is_polymorphic_v<Base>;
  static_assert(polymorphic,
                "picklejar: PICKLEJAR_REGISTER(Derived, Base) needs a polymorphic Base (one with a "
                "virtual function; give it a virtual destructor)");
  constexpr bool derives = std::is_base_of_v<Base, Derived> && !std::is_same_v<Base, Derived> &&
                           std::is_convertible_v<Derived*, Base*>;
  static_assert(derives, "picklejar: PICKLEJAR_REGISTER(Derived, Base): Base must be a public base "
                         "class of Derived");
  constexpr bool creatable = std::is_abstract_v<Derived> || std::is_default_constructible_v<Derived>;
  static_assert(creatable, "picklejar: a registered type needs a default constructor (loading "
                           "creates the object, then reads its fields)");
  return polymorphic && derives && creatable && usable_type<Derived>();
}

// ---- the root of a save or load ----

template <class T>
constexpr bool check_root() {
  return usable_type<std::remove_cv_t<T>>();
}

template <class T>
constexpr bool is_built_by_from_state() {
  if constexpr (has_state_hooks<T>) return has_from_state<T, state_type_t<T>&&>();
  else return false;
}

}  // namespace picklejar::detail
