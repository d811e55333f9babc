// A type built by from_state() (no default constructor) behind a std::shared_ptr or
// std::unique_ptr in one of cereal's own archives. cereal creates a pointee with its default
// constructor or a load_and_construct; these overloads, for cereal's four archives, read the state
// and build the object with from_state() instead, in cereal's own pointer layout (so plain cereal
// programs read what they write). picklejar's archives have their own (detail/graph/pointers.hpp).
#pragma once

#include <cereal/cereal.hpp>
#include <cereal/types/memory.hpp>

#include <cstdint>
#include <memory>
#include <type_traits>
#include <utility>

#include "picklejar/detail/object_io/cereal_bridge.hpp"

namespace cereal {
class BinaryInputArchive;
class PortableBinaryInputArchive;
class JSONInputArchive;
class XMLInputArchive;
}  // namespace cereal

namespace picklejar::detail {

/// T has to be built from its state: cereal could not create it otherwise.
template <class T, class Archive>
constexpr bool built_by_from_state() {
  if constexpr (!has_state_hooks<T> || std::is_default_constructible_v<T> ||
                cereal::traits::has_load_and_construct<T, Archive>::value)
    return false;
  else
    return has_from_state<T, state_type_t<T>&&>();
}

/// Reads a saved T's state (as save_object wrote it) and builds the T from it.
template <class T>
struct from_state_builder {
  using picklejar_library_type = void;  // library_types.hpp
  std::unique_ptr<T> built;
};

template <class Archive, class T>
void build_from_state(Archive& archive, from_state_builder<T>& builder) {
  state_type_t<T> state{};
  process_state(archive, state);
  builder.built.reset(new T(call_from_state<T>(std::move(state))));  // T need not be movable
  if constexpr (has_after_load<T>) access::after_load(*builder.built);
}

// cereal's layout of a shared pointer: an id, then the object the first time it is met.
template <class Archive, class T>
void load_shared_from_state(Archive& archive, std::shared_ptr<T>& pointer) {
  std::uint32_t id = 0;
  archive(CEREAL_NVP_("id", id));
  if (id & cereal::detail::msb_32bit) {
    from_state_builder<T> builder;
    archive(CEREAL_NVP_("data", builder));
    std::shared_ptr<T> object(std::move(builder.built));
    archive.registerSharedPointer(id, object);
    pointer = std::move(object);
  } else {
    pointer = std::static_pointer_cast<T>(archive.getSharedPointer(id));
  }
}

// cereal's layout of a unique pointer: whether it holds an object, then the object.
template <class Archive, class T, class D>
void load_unique_from_state(Archive& archive, std::unique_ptr<T, D>& pointer) {
  std::uint8_t valid = 0;
  archive(CEREAL_NVP_("valid", valid));
  if (valid) {
    from_state_builder<T> builder;
    archive(CEREAL_NVP_("data", builder));
    pointer.reset(builder.built.release());
  } else {
    pointer.reset();
  }
}

}  // namespace picklejar::detail

namespace cereal {

// Found by cereal for the "data" of the pointers below; not called directly.
template <class Archive, class T>
void CEREAL_LOAD_FUNCTION_NAME(Archive& archive, picklejar::detail::from_state_builder<T>& builder) {
  picklejar::detail::build_from_state(archive, builder);
}

// More specialized than cereal's own pointer loaders (the archive is fixed), so chosen for these
// types; the archive classes need not be complete here.
#define PICKLEJAR_DETAIL_FROM_STATE_POINTERS(ArchiveType)                                              \
  template <class T>                                                                                   \
  std::enable_if_t<picklejar::detail::built_by_from_state<T, ArchiveType>()> CEREAL_LOAD_FUNCTION_NAME( \
      ArchiveType& archive, memory_detail::PtrWrapper<std::shared_ptr<T>&>& wrapper) {                 \
    picklejar::detail::load_shared_from_state(archive, wrapper.ptr);                                   \
  }                                                                                                    \
  template <class T, class D>                                                                          \
  std::enable_if_t<picklejar::detail::built_by_from_state<T, ArchiveType>()> CEREAL_LOAD_FUNCTION_NAME( \
      ArchiveType& archive, memory_detail::PtrWrapper<std::unique_ptr<T, D>&>& wrapper) {              \
    picklejar::detail::load_unique_from_state(archive, wrapper.ptr);                                   \
  }

PICKLEJAR_DETAIL_FROM_STATE_POINTERS(BinaryInputArchive)
PICKLEJAR_DETAIL_FROM_STATE_POINTERS(PortableBinaryInputArchive)
PICKLEJAR_DETAIL_FROM_STATE_POINTERS(JSONInputArchive)
PICKLEJAR_DETAIL_FROM_STATE_POINTERS(XMLInputArchive)

#undef PICKLEJAR_DETAIL_FROM_STATE_POINTERS

}  // namespace cereal
