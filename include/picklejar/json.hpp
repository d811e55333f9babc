/// \file
/// JSON, opt-in as in cereal: a program that saves or loads JSON includes `<picklejar/json.hpp>`
/// in at least one of its files (alone, or with any other picklejar header, in any order). It
/// brings picklejar/picklejar.hpp and turns JSON on for the whole program as it starts; a program
/// built without it meets a JSON file, or `options::format = json`, with errc::format naming this
/// header. Whether one file includes it never changes what save or load mean in another.
///
/// ```cpp
/// #include <picklejar/json.hpp>
/// picklejar::save(config, "config.json", {picklejar::format::json});
/// ```
#pragma once

#include "picklejar/detail/document/optional_formats.hpp"
#include "picklejar/picklejar.hpp"

namespace picklejar::detail {
inline const bool json_format_included = enable_text_format(format::json);
}  // namespace picklejar::detail
