// What cereal itself knows about a type, asked through probe archives.
#pragma once

#include <cereal/cereal.hpp>

namespace picklejar::detail {

// A probe archive: cereal's member-function traits only need some archive type to test with.
struct probe_output_archive : cereal::OutputArchive<probe_output_archive> {
  probe_output_archive() : OutputArchive(this) {}
};
struct probe_input_archive : cereal::InputArchive<probe_input_archive> {
  probe_input_archive() : InputArchive(this) {}
};

/// T brings its own cereal member serialize/save/load.
template <class T>
constexpr bool has_cereal_members =
    cereal::traits::has_member_serialize<T, probe_output_archive>::value ||
    cereal::traits::has_member_versioned_serialize<T, probe_output_archive>::value ||
    cereal::traits::has_member_save<T, probe_output_archive>::value ||
    cereal::traits::has_member_versioned_save<T, probe_output_archive>::value ||
    cereal::traits::has_member_load<T, probe_input_archive>::value ||
    cereal::traits::has_member_versioned_load<T, probe_input_archive>::value;

}  // namespace picklejar::detail
