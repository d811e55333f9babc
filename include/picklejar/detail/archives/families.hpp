// The archive families picklejar writes and reads with, listed once. What needs one entry per
// format takes it from here: the registry's tables of registered types (family_of), the bridge's
// test for picklejar's own archives, the drain of pending objects, PICKLEJAR_REGISTER's entries.
#pragma once

#include <cereal/cereal.hpp>

#include <cstddef>
#include <type_traits>

#include "picklejar/detail/archives/binary.hpp"
#include "picklejar/detail/archives/text.hpp"
#include "picklejar/detail/session/type_registry.hpp"

namespace picklejar::detail {

/// One format's pair of archives.
template <class Output, class Input>
struct archive_family {
  using output = Output;
  using input = Input;
};

template <class... Families>
struct family_list {};

/// A new format adds its pair here (and its pointer overloads in graph/pointers.hpp).
using archive_families = family_list<archive_family<binary_output_archive, binary_input_archive>,
                                     archive_family<text_output_archive, text_input_archive>>;

template <class Archive, class... Families>
constexpr std::size_t family_index(family_list<Families...>) {
  std::size_t index = 0;
  std::size_t found = sizeof...(Families);
  ((std::is_same_v<Archive, typename Families::output> || std::is_same_v<Archive, typename Families::input>
        ? (found = index, ++index)
        : ++index),
   ...);
  return found;
}

template <class... Families>
constexpr std::size_t family_count(family_list<Families...>) {
  return sizeof...(Families);
}
static_assert(family_count(archive_families{}) == registered_type_families,
              "the registry keeps one entry per archive family");

/// Where `Archive`'s family sits in the registry's tables; registered_type_families if picklejar
/// does not write with it.
template <class Archive>
constexpr std::size_t family_of = family_index<Archive>(archive_families{});

template <class Archive>
constexpr bool is_picklejar_archive = family_of<Archive> != registered_type_families;

/// Any cereal archive that reads, picklejar's or cereal's own.
template <class Archive>
constexpr bool is_loading_archive = std::is_base_of_v<cereal::detail::InputArchiveBase, Archive>;

template <class Archive>
constexpr bool is_picklejar_output_archive = is_picklejar_archive<Archive> && !is_loading_archive<Archive>;

template <class Archive>
constexpr bool is_picklejar_input_archive = is_picklejar_archive<Archive> && is_loading_archive<Archive>;

template <class Visit, class... Families>
void visit_families(Visit& visit, family_list<Families...>) {
  (visit(Families{}), ...);
}

/// Calls `visit(archive_family<Output, Input>{})` for each family.
template <class Visit>
void for_each_archive_family(Visit visit) {
  visit_families(visit, archive_families{});
}

}  // namespace picklejar::detail
