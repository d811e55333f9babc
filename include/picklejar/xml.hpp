/// \file
/// XML, opt-in as in cereal: a program that saves or loads XML includes `<picklejar/xml.hpp>`
/// in at least one of its files (alone, or with any other picklejar header, in any order). It
/// brings picklejar/picklejar.hpp and turns XML on for the whole program as it starts; a program
/// built without it meets an XML file, or `options::format = xml`, with errc::format naming this
/// header. Whether one file includes it never changes what save or load mean in another.
///
/// ```cpp
/// #include <picklejar/xml.hpp>
/// picklejar::save(config, "config.xml", {picklejar::format::xml});
/// ```
#pragma once

#include "picklejar/detail/document/optional_formats.hpp"
#include "picklejar/picklejar.hpp"

namespace picklejar::detail {
inline const bool xml_format_included = enable_text_format(format::xml);
}  // namespace picklejar::detail
