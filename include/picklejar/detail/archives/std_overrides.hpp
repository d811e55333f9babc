// Standard types whose cereal support does not fit picklejar's archives, handled here instead
// (these overloads name picklejar's archive types, so they are more specialized than cereal's
// and win; plain cereal archives keep cereal's):
//   (ordered maps and sets, which cereal loads with equal keys reversed, are loaded by
//   detail/archives/collection_loaders.hpp, under the load's memory budget)
//   - std::array<T, 0> writes nothing in the binary formats (cereal 1.3.2 copies one byte from
//     its null data());
//   - strings of wchar_t, char16_t, char32_t (and char8_t) in the text formats are an array of
//     their code units, as numbers, so any content (even an unpaired surrogate) reads back the same.
#pragma once

#include <cereal/cereal.hpp>

#include <array>
#include <string>
#include <type_traits>
#include <utility>

#include "picklejar/detail/archives/binary.hpp"
#include "picklejar/detail/archives/text.hpp"

namespace picklejar::detail {

// ---- std::array<T, 0> in the binary formats ----

template <class T>
void CEREAL_SAVE_FUNCTION_NAME(binary_output_archive&, const std::array<T, 0>&) {}
template <class T>
void CEREAL_LOAD_FUNCTION_NAME(binary_input_archive&, std::array<T, 0>&) {}

// ---- strings of wider characters in the text formats ----

template <class CharT>
constexpr bool is_wide_character = !std::is_same_v<CharT, char> && !std::is_same_v<CharT, signed char> &&
                                   !std::is_same_v<CharT, unsigned char>;

/// The number type a code unit is written as (char types print as characters otherwise).
template <class CharT>
using code_unit_t = std::conditional_t<std::is_signed_v<CharT>, long long, unsigned long long>;

template <class CharT, class Traits, class Alloc, std::enable_if_t<is_wide_character<CharT>, int> = 0>
void CEREAL_SAVE_FUNCTION_NAME(text_output_archive& archive, const std::basic_string<CharT, Traits, Alloc>& text) {
  archive.start_node();
  archive.make_array();
  for (CharT unit : text) archive.write_number(static_cast<code_unit_t<CharT>>(unit));
  archive.finish_node();
}

template <class CharT, class Traits, class Alloc, std::enable_if_t<is_wide_character<CharT>, int> = 0>
void CEREAL_LOAD_FUNCTION_NAME(text_input_archive& archive, std::basic_string<CharT, Traits, Alloc>& text) {
  archive.start_node();
  const std::size_t count = archive.current_size();  // items present in the parsed document
  text.clear();
  text.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    code_unit_t<CharT> unit = 0;
    archive.read_number(unit);
    const auto narrowed = static_cast<CharT>(unit);
    if (static_cast<code_unit_t<CharT>>(narrowed) != unit)
      archive.path().fail(errc::format, "a character code " + std::to_string(unit) + " does not fit the string's character type");
    text.push_back(narrowed);
  }
  archive.finish_node();
}

}  // namespace picklejar::detail
