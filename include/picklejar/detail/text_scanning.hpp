// Small pieces both text codecs need: UTF-8 encoding, hex digits, and errors that say where.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

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
