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

#include "picklejar/detail/codecs/xml_codec.hpp"
#include "picklejar/detail/document/text_document.hpp"
#include "picklejar/picklejar.hpp"

namespace picklejar::detail {
inline constexpr text_codec xml_text_codec{&write_xml, &parse_xml, &shared_text_document_steps};
inline const bool xml_format_included = register_text_codec(format::xml, xml_text_codec);
}  // namespace picklejar::detail
