// What JSON and XML documents share around the archive: the header written first, the objects
// list and the version table added last, the checksum sealed into the text, and, on load, the
// checksum verified before the parse and the header read after it. Reached only through the
// codec that picklejar/json.hpp or picklejar/xml.hpp registers (optional_formats.hpp), so a
// program without either header compiles none of it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>

#include "picklejar/detail/codecs/text_tree.hpp"
#include "picklejar/detail/document/container.hpp"
#include "picklejar/detail/document/optional_formats.hpp"
#include "picklejar/detail/session/limits.hpp"
#include "picklejar/detail/session/memory_budget.hpp"
#include "picklejar/error.hpp"
#include "picklejar/options.hpp"

namespace picklejar::detail {

/// A document holding only its header, for the archive to add the value to.
inline text_node start_text_document(std::string_view root_type, const options& opts) {
  text_node document;
  document.name = "picklejar";
  document.kind = node_kind::object;
  document.children.push_back(make_text_header(root_type, opts));
  return document;
}

/// Adds the objects list and the version table, writes the document to the end of `out` and
/// seals its checksum.
inline void finish_text_document(text_node& document, text_node objects,
                                 const std::map<std::string, std::uint32_t>& versions, const text_codec& codec,
                                 std::string& out) {
  if (!objects.children.empty()) document.children.push_back(std::move(objects));
  add_text_version_table(document.children.front(), versions);
  const std::size_t start = out.size();
  codec.write(document, out);
  seal_text_document(out, start);
}

/// Parses a text document, charging its tree to `budget` (the load's; by default one of
/// options.max_memory for these bytes).
inline text_node parse_text_document(std::string_view bytes, format fmt, const options& opts,
                                     memory_budget* budget) {
  // The one depth rule (options.max_depth) is the object levels that field_path counts; the
  // parser stops where a tree could no longer load, before building it (detail/session/limits.hpp).
  const depth_limit limit = text_depth_limit(opts.max_depth);
  memory_budget own_budget(opts.memory_limit(bytes.size()));
  if (budget == nullptr) budget = &own_budget;
  return require_text_codec(fmt).parse(bytes, limit, budget);
}

/// Verifies a text document's checksum (when asked) before parsing it, then parses it and reads
/// its header into `info`.
inline text_node read_text_document(std::string_view bytes, format fmt, const options& opts, file_info& info,
                                    memory_budget* budget) {
  const std::string checksum = opts.verify_checksum ? verify_text_checksum(bytes) : std::string();
  // Without a checksum nothing was verified: the document is still parsed, under the limits, so
  // that something that is not a picklejar document at all is reported as such (errc::format).
  text_node document = parse_text_document(bytes, fmt, opts, budget);
  read_text_header(document, info);
  if (opts.verify_checksum && checksum.empty()) {
    throw error(errc::integrity, "the document carries no checksum (options.verify_checksum = false "
                                 "loads a hand-edited file unverified)");
  }
  if (opts.verify_checksum && info.checksum != checksum)
    throw error(errc::integrity, "the checksum verified is not the one in the document's header");
  info.format = fmt;
  info.file_bytes = bytes.size();
  info.payload_bytes = bytes.size();
  return document;
}

inline constexpr text_document_steps shared_text_document_steps{&start_text_document, &finish_text_document,
                                                                &read_text_document};

}  // namespace picklejar::detail
