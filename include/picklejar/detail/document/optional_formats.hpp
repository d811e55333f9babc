// JSON and XML are opt-in, as in cereal: picklejar/json.hpp and picklejar/xml.hpp each register
// their codec (a writer and a parser of the text tree) for the whole program as it starts, through
// an inline variable's initialiser. Save and load reach a codec only through this table, so a
// program that includes neither header compiles no JSON or XML code; and the code of save and load
// is the same in every translation unit, so including a header in one file never changes what
// save or load mean in another (no one-definition-rule trap). A program that meets a format it was
// built without gets errc::format naming the header.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "picklejar/detail/codecs/text_tree.hpp"
#include "picklejar/detail/session/limits.hpp"
#include "picklejar/detail/session/memory_budget.hpp"
#include "picklejar/error.hpp"
#include "picklejar/options.hpp"

namespace picklejar::detail {

struct text_codec;

/// The steps both text formats share, around the archive (detail/document/text_document.hpp):
/// the header, the version table, the checksum.
struct text_document_steps {
  text_node (*start)(std::string_view root_type, const options& opts);
  void (*finish)(text_node& document, text_node objects, const std::map<std::string, std::uint32_t>& versions,
                 const text_codec& codec, std::string& out);
  text_node (*read)(std::string_view bytes, format fmt, const options& opts, file_info& info, memory_budget* budget);
};

/// What a text format brings: how its document is written from the text tree, and parsed into it
/// under the depth limit and the load's memory budget; and the shared steps, so that those too
/// are compiled only where a text format's header is included.
struct text_codec {
  void (*write)(const text_node& document, std::string& out);
  text_node (*parse)(std::string_view text, depth_limit max_depth, memory_budget* budget);
  const text_document_steps* document;
};

// Constant-initialised to null, so a codec registered during start-up is never overwritten.
inline std::atomic<const text_codec*> json_codec_slot{nullptr};
inline std::atomic<const text_codec*> xml_codec_slot{nullptr};

inline std::atomic<const text_codec*>& text_codec_slot(format fmt) noexcept {
  return fmt == format::json ? json_codec_slot : xml_codec_slot;
}

/// Called by picklejar/json.hpp and picklejar/xml.hpp at start-up.
inline bool register_text_codec(format fmt, const text_codec& codec) noexcept {
  text_codec_slot(fmt).store(&codec);
  return true;
}

/// The codec of a JSON or XML document; errc::format naming the header when the program was built
/// without it.
inline const text_codec& require_text_codec(format fmt) {
  if (const text_codec* codec = text_codec_slot(fmt).load(std::memory_order_acquire)) return *codec;
  const bool json = fmt == format::json;
  const std::string header = json ? "picklejar/json.hpp" : "picklejar/xml.hpp";
  throw error(errc::format, std::string(json ? "JSON" : "XML") + " is opt-in and this program was built without " +
                                header + ": #include <" + header + "> in one of its files to save or load " +
                                (json ? "JSON" : "XML"));
}

/// JSON or XML, by the document's first character; errc::format for neither, and for a format
/// the program was built without.
inline format detect_text_format(std::string_view bytes) {
  if (bytes.empty()) throw error(errc::integrity, "the file is empty (truncated to nothing)");
  std::size_t first = bytes.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && bytes.substr(first, 3) == "\xEF\xBB\xBF") first += 3;
  format fmt;
  if (first < bytes.size() && bytes[first] == '{') fmt = format::json;
  else if (first < bytes.size() && bytes[first] == '<') fmt = format::xml;
  else throw error(errc::format, "not a picklejar file (neither the binary magic nor JSON or XML)");
  require_text_codec(fmt);
  return fmt;
}

}  // namespace picklejar::detail
