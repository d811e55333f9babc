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

#include "picklejar/detail/codecs/json_codec.hpp"
#include "picklejar/detail/document/text_document.hpp"
#include "picklejar/picklejar.hpp"

namespace picklejar::detail {
inline constexpr text_codec json_text_codec{&write_json, &parse_json, &shared_text_document_steps};
inline const bool json_format_included = register_text_codec(format::json, json_text_codec);
}  // namespace picklejar::detail
