// The names the bridge gives to what is not a member of the class itself: its base classes'
// parts and a state hook's state. They are spelled here once, so that whatever must see through
// them (tensor names, tensors.hpp, flatten bases as Python's attributes do) compares addresses,
// never text: a member of the user's that happens to be called "base" stays a member.
#pragma once

#include <cstddef>
#include <functional>

namespace picklejar::detail {

inline constexpr std::size_t most_named_bases = 8;

// Every structural name in one array, so that recognising one is a range check on its address.
inline constexpr char structural_name_text[] = "state\0base\0base_2\0base_3\0base_4\0base_5\0base_6\0base_7\0base_8";

/// The bases a class names with PICKLEJAR_BASES, each as the member "base", "base_2", ...; the
/// base a polymorphic type is registered with is "base" too.
inline constexpr const char* base_member_names[most_named_bases] = {
    structural_name_text + 6,  structural_name_text + 11, structural_name_text + 18, structural_name_text + 25,
    structural_name_text + 32, structural_name_text + 39, structural_name_text + 46, structural_name_text + 53};

/// A state hook's state when it is not a plain fields type.
inline constexpr const char* state_member_name = structural_name_text;

/// Whether `name` is one of the names above (the same address, not the same text).
inline bool is_structural_name(const char* name) noexcept {
  const std::less<const char*> before;  // a total order, also between unrelated pointers
  return !before(name, structural_name_text) && before(name, structural_name_text + sizeof structural_name_text);
}

}  // namespace picklejar::detail
