// The input limits of options, max_bytes and max_depth: one check and one message each, wherever
// the limit is met (a file, a stream or bytes in memory; a parser, a load, a save, embedded
// cereal data), so a user who meets one reads the same words and the same option name.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "picklejar/error.hpp"

namespace picklejar::detail {

/// errc::limit when an input of `size` bytes (`at_least`: the part read so far, of a stream)
/// is over options.max_bytes. `what` is "file", "stream" or "data"; `file` names the file.
inline void check_input_size(std::uint64_t size, std::uint64_t max_bytes, const char* what,
                             const std::string& file = {}, bool at_least = false) {
  if (size <= max_bytes) return;
  throw error(errc::limit,
              std::string("the ") + what + " is " + (at_least ? "at least " : "") + std::to_string(size) +
                  " bytes, more than the limit of " + std::to_string(max_bytes) + " (options.max_bytes)",
              file);
}

/// The one message of options.max_depth.
inline std::string too_deep(std::size_t max_depth) {
  return "nesting deeper than the limit of " + std::to_string(max_depth) + " levels (options.max_depth)";
}

/// A text document's tree holds each object level of options.max_depth as one node, below at
/// most this many that are not object levels: the document, its objects list, an entry in it,
/// and (in XML) the element of a leaf. A deeper tree could never load.
inline constexpr std::size_t text_levels_besides_objects = 4;

/// How deep a text parser may nest: `levels` levels of its tree; beyond them it reports the
/// limit as `reported` (options.max_depth when parsing a document). A bare number is both.
struct depth_limit {
  depth_limit(std::size_t limit) noexcept : levels(limit), reported(limit) {}  // NOLINT: implicit on purpose
  depth_limit(std::size_t tree_levels, std::size_t max_depth) noexcept : levels(tree_levels), reported(max_depth) {}
  std::size_t levels;
  std::size_t reported;
};

/// The parser's limit for a document loaded under options.max_depth.
inline depth_limit text_depth_limit(std::size_t max_depth) {
  return depth_limit(max_depth + text_levels_besides_objects, max_depth);
}

}  // namespace picklejar::detail
