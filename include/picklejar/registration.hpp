/// \file
/// PICKLEJAR_REGISTER and PICKLEJAR_REGISTER_AS: polymorphic subtypes saved through pointers to
/// their base (std::unique_ptr<Layer> holding a Dense). Included by picklejar/picklejar.hpp.
///
/// ```cpp
/// struct Layer { virtual ~Layer() = default; std::string name; PICKLEJAR_FIELDS(name) };
/// struct Dense : Layer { Eigen::MatrixXf w; PICKLEJAR_FIELDS(w) };
/// PICKLEJAR_REGISTER(Dense, Layer)                      // saved under the name "Dense"
/// // or: PICKLEJAR_REGISTER_AS(Dense, Layer, "ml.Dense") to choose the name
/// ```
///
/// Write it at namespace scope (any namespace, or the global one), best in the header right after
/// the class: every translation unit that includes the header then registers the type, so it
/// works from several translation units and from static libraries with nothing else to do. (A
/// registration in a .cpp file of a static library runs only if the linker keeps that file, i.e.
/// if the program uses something defined in it, such as the class's own member functions.)
///
/// The registered base's fields are saved with the derived object (under "base"). A multi-level
/// hierarchy registers each level against the one above it (Conv2D -> Conv, Conv -> Layer); an
/// abstract middle class may be registered too. The base part is what the registered base
/// declares itself: a middle class without PICKLEJAR_FIELDS of its own passes on none of the
/// fields above it (silently), unless the subtype is also registered against the class that
/// declares them (`PICKLEJAR_REGISTER(Conv2D, Layer)` besides `(Conv2D, Conv)`).
///
/// The same registration covers cereal's own archives (binary, portable binary, JSON, XML, and any
/// archive declared with CEREAL_REGISTER_ARCHIVE) whose headers the registering file includes:
/// no CEREAL_REGISTER_TYPE is needed, and the subtype keeps its registered base's fields there too.
/// A CEREAL_REGISTER_TYPE of the same type besides is harmless (picklejar's name is written; both
/// names load).
///
/// Only registered names are ever created from a file: loading a name this program has not
/// registered is an errc::type error, and so is saving an object of an unregistered subtype
/// through a pointer to its base.
#pragma once

#include <cereal/types/polymorphic.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <type_traits>
#include <typeindex>

#include "picklejar/detail/object_io/cereal_bridge.hpp"
#include "picklejar/detail/graph/cereal_pointers.hpp"
#include "picklejar/detail/graph/pointers.hpp"
#include "picklejar/detail/session/type_registry.hpp"

namespace picklejar::detail {

template <class Derived, class Base>
void* upcast_to(void* object) {
  return static_cast<Base*>(static_cast<Derived*>(object));
}

/// Whether a base class has anything to save. A base that only inherits its fields has: saving it
/// goes on to its own registered base (Conv2D -> Conv -> Layer, where Conv declares no fields of
/// its own, saves Layer's).
template <class Base>
constexpr bool has_base_part =
    has_fields<Base> || inherits_fields<Base> || has_state_hooks<Base> || has_cereal_members<Base>;

template <class Archive, class Derived, class Base>
void write_base_part(void* archive, const void* object) {
  const Base& base = *static_cast<const Derived*>(object);
  (*static_cast<Archive*>(archive))(cereal::make_nvp(detail::base_member_names[0], base));
}

template <class Archive, class Derived, class Base>
void read_base_part(void* archive, void* object) {
  Base& base = *static_cast<Derived*>(object);
  (*static_cast<Archive*>(archive))(cereal::make_nvp(detail::base_member_names[0], base));
}

template <class Derived, class Base>
registered_type describe_subtype(const char* name) {
  registered_type entry{name, std::type_index(typeid(Derived)), type_name<Derived>()};
  if constexpr (!std::is_abstract_v<Derived>) {
    entry.make_shared = [](void*& complete) -> std::shared_ptr<void> {
      auto object = std::make_shared<Derived>();
      complete = object.get();
      return object;
    };
    entry.make_owned = []() -> void* { return new Derived(); };
    entry.destroy = [](void* object) { delete static_cast<Derived*>(object); };
  }
  for_each_archive_family([&entry](auto family) {
    using output = typename decltype(family)::output;
    using input = typename decltype(family)::input;
    if constexpr (!std::is_abstract_v<Derived>) {
      entry.write[family_of<output>] = &write_contents<output, Derived>;
      entry.read[family_of<input>] = &read_contents<input, Derived>;
    }
    if constexpr (has_base_part<Base>) {
      entry.write_base[family_of<output>] = &write_base_part<output, Derived, Base>;
      entry.read_base[family_of<input>] = &read_base_part<input, Derived, Base>;
    }
  });
  return entry;
}

/// Runs during static initialization, so it must not throw: an allocation failure this early
/// leaves the type unregistered, which is reported when the type is saved or loaded.
template <class Derived, class Base>
bool register_subtype(const char* name) noexcept {
  try {
    type_registry::instance().add(describe_subtype<Derived, Base>(name), std::type_index(typeid(Base)),
                                  &upcast_to<Derived, Base>);
  } catch (...) {
  }
  return true;
}

// ---- The same registration in cereal's own archives ----------------------------------------
// cereal saves a subtype through a pointer to its base only if the subtype is in its per-archive
// tables, which CEREAL_REGISTER_TYPE fills for every archive the file includes. PICKLEJAR_REGISTER
// fills them the same way (by cereal's own overload trick, instantiate_polymorphic_binding, which
// meets every archive declared with CEREAL_REGISTER_ARCHIVE), so one registration is enough in
// both kinds of archive. It also binds the base part (the registered base's fields) per archive.
// A CEREAL_REGISTER_TYPE of the same type as well changes nothing: picklejar's entry is the one
// used for saving (its name), and either name loads.

/// Stands for "Derived, registered against Base under Name::value()" in cereal's tables.
template <class Derived, class Base, class Name>
struct cereal_binding {};

template <class Archive, class Derived, class Base, class Name>
struct cereal_binder {
  static void write_name(Archive& archive) {
    const char* name = Name::value();
    const std::uint32_t id = archive.registerPolymorphicType(name);
    archive(CEREAL_NVP_("polymorphic_id", id));
    if (id & cereal::detail::msb_32bit) {  // the first time this archive meets the name
      std::string text(name);
      archive(CEREAL_NVP_("polymorphic_name", text));
    }
  }

  static void bind_output() {
    using cereal::detail::PolymorphicCasters;
    typename cereal::detail::OutputBindingMap<Archive>::Serializers serializers;
    serializers.shared_ptr = [](void* archive_ptr, const void* object, const std::type_info& base) {
      Archive& archive = *static_cast<Archive*>(archive_ptr);
      write_name(archive);
      const Derived* derived = PolymorphicCasters::template downcast<Derived>(object, base);
      cereal::detail::OutputBindingCreator<Archive, Derived>::savePolymorphicSharedPtr(
          archive, derived, typename cereal::traits::has_shared_from_this<Derived>::type());
    };
    serializers.unique_ptr = [](void* archive_ptr, const void* object, const std::type_info& base) {
      Archive& archive = *static_cast<Archive*>(archive_ptr);
      write_name(archive);
      const std::unique_ptr<const Derived, cereal::detail::EmptyDeleter<const Derived>> pointer(
          PolymorphicCasters::template downcast<Derived>(object, base));
      archive(CEREAL_NVP_("ptr_wrapper", cereal::memory_detail::make_ptr_wrapper(pointer)));
    };
    auto& map = cereal::detail::StaticObject<cereal::detail::OutputBindingMap<Archive>>::getInstance().map;
    map.insert_or_assign(std::type_index(typeid(Derived)), std::move(serializers));
  }

  static void bind_input() {
    using cereal::detail::PolymorphicCasters;
    typename cereal::detail::InputBindingMap<Archive>::Serializers serializers;
    serializers.shared_ptr = [](void* archive_ptr, std::shared_ptr<void>& object, const std::type_info& base) {
      std::shared_ptr<Derived> pointer;
      (*static_cast<Archive*>(archive_ptr))(
          CEREAL_NVP_("ptr_wrapper", cereal::memory_detail::make_ptr_wrapper(pointer)));
      object = PolymorphicCasters::template upcast<Derived>(pointer, base);
    };
    serializers.unique_ptr = [](void* archive_ptr,
                                std::unique_ptr<void, cereal::detail::EmptyDeleter<void>>& object,
                                const std::type_info& base) {
      std::unique_ptr<Derived> pointer;
      (*static_cast<Archive*>(archive_ptr))(
          CEREAL_NVP_("ptr_wrapper", cereal::memory_detail::make_ptr_wrapper(pointer)));
      object.reset(PolymorphicCasters::template upcast<Derived>(pointer.release(), base));
    };
    auto& map = cereal::detail::StaticObject<cereal::detail::InputBindingMap<Archive>>::getInstance().map;
    map.emplace(Name::value(), std::move(serializers));
  }

  // Runs during static initialization (cereal's StaticObject), so it must not throw.
  cereal_binder() noexcept {
    try {
      cereal::detail::RegisterPolymorphicCaster<Base, Derived>::bind();
      constexpr bool output = std::is_base_of_v<cereal::detail::OutputArchiveBase, Archive>;
      if constexpr (!std::is_abstract_v<Derived>) {
        if constexpr (output) bind_output();
        else bind_input();
      }
      if constexpr (has_base_part<Base>) {
        type_registry::instance().add_cereal_base_part(
            typeid(Archive), typeid(Derived), output ? &write_base_part<Archive, Derived, Base> : nullptr,
            output ? nullptr : &read_base_part<Archive, Derived, Base>);
      }
    } catch (...) {
    }
  }
};

/// Instantiates cereal_binder for every cereal archive declared in this translation unit (cereal's
/// overloads of instantiate_polymorphic_binding, found by argument-dependent lookup at the end of
/// the translation unit, name each archive; picklejar's own archives need no binding).
template <class Derived, class Base, class Name>
void bind_cereal_archives() noexcept {
  instantiate_polymorphic_binding(static_cast<cereal_binding<Derived, Base, Name>*>(nullptr), 0,
                                  cereal::detail::polymorphic_binding_tag{}, cereal::detail::adl_tag{});
}

template <class Derived, class Base, class Name, bool Valid = registration_is_valid<Derived, Base>()>
bool register_if_valid() noexcept {
  if constexpr (Valid) {
    bind_cereal_archives<Derived, Base, Name>();
    return register_subtype<Derived, Base>(Name::value());
  } else {
    return false;
  }
}

}  // namespace picklejar::detail

namespace cereal::detail {

/// cereal instantiates this for each of its archives when PICKLEJAR_REGISTER asks
/// (bind_cereal_archives): it makes the static object whose constructor fills the archive's tables.
template <class Archive, class Derived, class Base, class Name>
struct polymorphic_serialization_support<Archive, picklejar::detail::cereal_binding<Derived, Base, Name>> {
  static void instantiate() {
    if constexpr (!picklejar::detail::is_picklejar_archive<Archive>)
      StaticObject<picklejar::detail::cereal_binder<Archive, Derived, Base, Name>>::getInstance();
  }
  using unused = instantiate_function<instantiate>;
};

}  // namespace cereal::detail

#define PICKLEJAR_DETAIL_CONCAT_(a, b) a##b
#define PICKLEJAR_DETAIL_CONCAT(a, b) PICKLEJAR_DETAIL_CONCAT_(a, b)

/// At namespace scope: Derived is a subtype of Base, saved and loaded under `name` (a string
/// literal that identifies the type in files: keep it stable). Internal linkage: each
/// translation unit registers once; repeats of the same registration are harmless. One name for
/// two types, or two names for one type, is reported (errc::type) when that name or type is
/// saved or loaded.
///
/// Compile errors: Base is not polymorphic, Base is not a public base of Derived, or Derived
/// (unless abstract) has no default constructor.
///
/// ```cpp
/// namespace ml { PICKLEJAR_REGISTER_AS(Dense, Layer, "ml.Dense") }
/// ```
#define PICKLEJAR_REGISTER_AS(Derived, Base, name) \
  PICKLEJAR_DETAIL_REGISTER_AS(Derived, Base, name, PICKLEJAR_DETAIL_CONCAT(picklejar_registered_, __COUNTER__))

// The name is carried by a type, so that cereal's per-archive bindings (instantiated at the end
// of the translation unit) know it without waiting for the run-time registration.
#define PICKLEJAR_DETAIL_REGISTER_AS(Derived, Base, name, id)                                     \
  namespace {                                                                                    \
  struct PICKLEJAR_DETAIL_CONCAT(id, _name) {                                                    \
    static const char* value() noexcept { return name; }                                         \
  };                                                                                             \
  [[maybe_unused]] const bool id =                                                               \
      ::picklejar::detail::register_if_valid<Derived, Base, PICKLEJAR_DETAIL_CONCAT(id, _name)>(); \
  }

/// At namespace scope: PICKLEJAR_REGISTER_AS(Derived, Base, "Derived"), the name being Derived
/// as written (`PICKLEJAR_REGISTER(ml::Dense, ml::Layer)` saves "ml::Dense"): spell it the same
/// way in every translation unit.
///
/// ```cpp
/// struct Conv : Layer { int kernel = 3; PICKLEJAR_FIELDS(kernel) };   // a middle class
/// struct Conv2D : Conv { int channels = 1; PICKLEJAR_FIELDS(channels) };
/// PICKLEJAR_REGISTER(Conv, Layer)
/// PICKLEJAR_REGISTER(Conv2D, Conv)     // saves channels, Conv's kernel and Layer's name
/// ```
#define PICKLEJAR_REGISTER(Derived, Base) PICKLEJAR_REGISTER_AS(Derived, Base, #Derived)
