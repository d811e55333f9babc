// Small pieces both text codecs need: UTF-8 encoding, hex digits, and errors that say where.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "picklejar/detail/session/memory_budget.hpp"
#include "picklejar/detail/codecs/text_tree.hpp"
#include "picklejar/error.hpp"

namespace picklejar::detail {

inline void append_utf8(std::uint32_t code, std::string& out) {
  if (code < 0x80) {
    out += static_cast<char>(code);
  } else if (code < 0x800) {
    out += static_cast<char>(0xC0 | (code >> 6));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else if (code < 0x10000) {
    out += static_cast<char>(0xE0 | (code >> 12));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (code >> 18));
    out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  }
}

/// The length (1 to 4) of the well-formed UTF-8 sequence at text[at], or 0 when the bytes there
/// are not one: a stray continuation byte, an overlong form, a surrogate, a code point above
/// U+10FFFF, a sequence cut short, or 0xC0, 0xC1, 0xF5 to 0xFF (RFC 3629).
inline std::size_t utf8_sequence_length(std::string_view text, std::size_t at) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[at + i]); };
  const unsigned char lead = byte(0);
  if (lead < 0x80) return 1;
  std::size_t length = 0;
  unsigned char low = 0x80, high = 0xBF;  // the second byte's range
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;   // no overlong forms
    if (lead == 0xED) high = 0x9F;  // no surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;  // nothing above U+10FFFF
  } else {
    return 0;
  }
  if (text.size() - at < length || byte(1) < low || byte(1) > high) return 0;
  for (std::size_t i = 2; i < length; ++i) {
    if (byte(i) < 0x80 || byte(i) > 0xBF) return 0;
  }
  return length;
}

/// The code point of the well-formed UTF-8 sequence of `length` bytes at text[at].
inline std::uint32_t utf8_code_point(std::string_view text, std::size_t at, std::size_t length) {
  const auto lead = static_cast<unsigned char>(text[at]);
  std::uint32_t code = length == 1 ? lead : length == 2 ? (lead & 0x1Fu) : length == 3 ? (lead & 0x0Fu) : (lead & 0x07u);
  for (std::size_t i = 1; i < length; ++i) code = (code << 6) | (static_cast<unsigned char>(text[at + i]) & 0x3Fu);
  return code;
}

/// The first name that two of `nodes` share, or null; names equal to `ignored` (and empty names
/// when `ignore_empty`) do not count. Large objects sort pointers to the names, so a hostile
/// document with many members costs n log n; an array of ignored names allocates nothing.
template <class Node>
const std::string* duplicate_name(const std::vector<Node>& nodes, std::string_view ignored = {},
                                  bool ignore_empty = false) {
  auto counts = [&](const std::string& name) {
    return !(ignore_empty && name.empty()) && (ignored.empty() || name != ignored);
  };
  if (nodes.size() < 2) return nullptr;
  if (nodes.size() <= 16) {
    for (std::size_t i = 1; i < nodes.size(); ++i) {
      if (!counts(nodes[i].name)) continue;
      for (std::size_t j = 0; j < i; ++j) {
        if (nodes[j].name == nodes[i].name) return &nodes[i].name;
      }
    }
    return nullptr;
  }
  std::vector<const std::string*> names;
  for (const Node& node : nodes) {
    if (counts(node.name)) names.push_back(&node.name);
  }
  std::sort(names.begin(), names.end(), [](const std::string* a, const std::string* b) { return *a < *b; });
  const auto twice = std::adjacent_find(names.begin(), names.end(),
                                        [](const std::string* a, const std::string* b) { return *a == *b; });
  return twice == names.end() ? nullptr : *twice;
}

/// Appends `byte` as two upper-case hex digits (one when `drop_leading_zero` and it is below 0x10).
inline void append_hex_byte(unsigned char byte, std::string& out, bool drop_leading_zero = false) {
  static constexpr char digits[] = "0123456789ABCDEF";
  if (!drop_leading_zero || byte >= 0x10) out += digits[byte >> 4];
  out += digits[byte & 0xF];
}

/// Appends a finished node to its parent, charging `budget` (if any) for what the tree grows by
/// first: the parent's vector when it reallocates (its whole new buffer, since the old one lives
/// until the nodes have moved; a node is several times the bytes that spell it), and the node's
/// strings. Both parsers build their trees with it.
inline void add_child_charged(memory_budget* budget, text_node& parent, text_node&& child) {
  if (budget != nullptr) {
    budget->charge(child.text.size() + child.name.size());
    if (parent.children.size() == parent.children.capacity())
      budget->charge(parent.children.empty() ? 1 : 2 * parent.children.size(), sizeof(text_node));
  }
  parent.children.push_back(std::move(child));
}

/// The value of a hex digit, or -1.
inline int hex_digit_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/// Throws errc::format "invalid <language> at line L, column C: <what>" for a byte offset.
[[noreturn]] inline void fail_at_offset(std::string_view text, std::size_t offset, const char* language,
                                        const char* what) {
  std::size_t line = 1;
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  throw error(errc::format, std::string("invalid ") + language + " at line " + std::to_string(line) +
                                ", column " + std::to_string(offset - line_start + 1) + ": " + what);
}

}  // namespace picklejar::detail
