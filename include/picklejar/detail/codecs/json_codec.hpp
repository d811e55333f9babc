// JSON text <-> text_node: a pretty writer and a strict, iterative RFC 8259 parser.
// Both work with an explicit stack, so hostile nesting depth costs heap memory, never the call stack.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "picklejar/detail/codecs/text_scanning.hpp"
#include "picklejar/detail/session/limits.hpp"
#include "picklejar/detail/session/memory_budget.hpp"
#include "picklejar/detail/codecs/text_tree.hpp"
#include "picklejar/error.hpp"

namespace picklejar::detail {

/// Appends `text` as a quoted JSON string; the result is always valid UTF-8. Well-formed UTF-8
/// passes through, so text stays readable. A byte that is not part of well-formed UTF-8 (0x80 to
/// 0xFF) is written as the lone low surrogate \uDC80 to \uDCFF ("surrogate escape", as Python's
/// os.fsdecode does): no text has those code points, so parse_json turns them back into the
/// bytes, and every JSON parser still reads the document.
inline void append_json_string(std::string_view text, std::string& out) {
  out += '"';
  for (std::size_t i = 0; i < text.size();) {
    const char c = text[i];
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x80) {
      const std::size_t length = utf8_sequence_length(text, i);
      if (length == 0) {
        out += "\\uDC";
        append_hex_byte(byte, out);
        ++i;
      } else {
        out.append(text.substr(i, length));
        i += length;
      }
      continue;
    }
    ++i;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default: {
        if (byte < 0x20) {
          out += "\\u00";
          append_hex_byte(byte, out);
        } else {
          out += c;
        }
      }
    }
  }
  out += '"';
}

/// Appends a null, boolean, number or string; containers are handled by write_json.
inline void append_json_scalar(const text_node& node, std::string& out) {
  switch (node.kind) {
    case node_kind::null: out += "null"; break;
    case node_kind::boolean: out += node.text == "true" ? "true" : "false"; break;
    case node_kind::number: out += node.text; break;  // the caller formats numbers
    case node_kind::string: append_json_string(node.text, out); break;
    case node_kind::object:
    case node_kind::array: break;
  }
}

/// Arrays of numbers and booleans (typically weights) go on one line to keep files compact.
inline bool json_array_fits_one_line(const text_node& node) {
  if (node.kind != node_kind::array) return false;
  for (const text_node& item : node.children) {
    if (item.kind != node_kind::number && item.kind != node_kind::boolean) return false;
  }
  return true;
}

/// Appends `root` as pretty JSON (2-space indent, one member or item per line) and a final newline.
inline void write_json(const text_node& root, std::string& out) {
  struct open_container {
    const text_node* node;
    std::size_t next_child;
  };
  std::vector<open_container> open;

  // Writes a value whole, or writes the opening bracket and leaves the items to the loop below.
  auto begin_value = [&](const text_node& node) {
    const bool is_container = node.kind == node_kind::object || node.kind == node_kind::array;
    if (!is_container) {
      append_json_scalar(node, out);
    } else if (node.children.empty()) {
      out += node.kind == node_kind::object ? "{}" : "[]";
    } else if (json_array_fits_one_line(node)) {
      out += '[';
      for (std::size_t i = 0; i < node.children.size(); ++i) {
        if (i != 0) out += ", ";
        append_json_scalar(node.children[i], out);
      }
      out += ']';
    } else {
      if (node.kind == node_kind::object) {
        if (const std::string* name = duplicate_name(node.children)) {
          throw error(errc::format, "cannot write an object with two members named \"" + *name +
                                        "\" (two fields or values with one name)");
        }
      }
      out += node.kind == node_kind::object ? '{' : '[';
      open.push_back({&node, 0});
    }
  };

  begin_value(root);
  while (!open.empty()) {
    const text_node& container = *open.back().node;
    const std::size_t index = open.back().next_child++;
    if (index < container.children.size()) {
      const text_node& child = container.children[index];
      out += index == 0 ? "\n" : ",\n";
      out.append(2 * open.size(), ' ');
      if (container.kind == node_kind::object) {
        append_json_string(child.name, out);
        out += ": ";
      }
      begin_value(child);
    } else {
      out += '\n';
      out.append(2 * (open.size() - 1), ' ');
      out += container.kind == node_kind::object ? '}' : ']';
      open.pop_back();
    }
  }
  out += '\n';
}

/// The strict parser behind parse_json. Every read checks the bounds; errors carry line and column.
class json_parser {
 public:
  /// `budget` (the load's, if any) is charged for every node of the tree before it is built.
  json_parser(std::string_view text, depth_limit max_depth, memory_budget* budget)
      : text_(text), max_depth_(max_depth), budget_(budget) {}

  text_node parse() {
    std::vector<text_node> open;  // containers still being filled, innermost last
    std::string pending_name;     // the key read for the member value about to be parsed
    for (;;) {
      // Expecting a value.
      skip_whitespace();
      text_node value;
      value.name = std::move(pending_name);
      pending_name.clear();
      if (at_end()) fail("unexpected end of input, expected a value");
      const char first = text_[pos_];
      if (first == '{' || first == '[') {
        if (open.size() >= max_depth_.levels) {
          throw error(errc::limit, too_deep(max_depth_.reported));
        }
        value.kind = first == '{' ? node_kind::object : node_kind::array;
        ++pos_;
        skip_whitespace();
        if (peek() != closing_bracket(value)) {
          open.push_back(std::move(value));
          if (first == '{') pending_name = parse_key();
          continue;
        }
        ++pos_;  // an empty container is complete at once
      } else {
        parse_scalar(value);
      }

      // A value is complete: add it to its container, then close every container that ends here.
      for (;;) {
        if (open.empty()) {
          skip_whitespace();
          if (!at_end()) fail("unexpected data after the root value");
          return value;
        }
        text_node& container = open.back();
        add_child(container, std::move(value));
        skip_whitespace();
        if (peek() == ',') {
          ++pos_;
          if (container.kind == node_kind::object) pending_name = parse_key();
          break;
        }
        if (peek() == closing_bracket(container)) {
          if (container.kind == node_kind::object) reject_duplicate_keys(container);
          ++pos_;
          value = std::move(container);
          open.pop_back();
          continue;
        }
        if (at_end()) fail("unexpected end of input");
        fail(container.kind == node_kind::object ? "expected ',' or '}'" : "expected ',' or ']'");
      }
    }
  }

 private:
  bool at_end() const { return pos_ >= text_.size(); }
  // '\0' past the end never matches what callers look for; they test at_end() to tell the two apart.
  char peek() const { return at_end() ? '\0' : text_[pos_]; }
  static bool is_digit(char c) { return c >= '0' && c <= '9'; }
  static char closing_bracket(const text_node& node) { return node.kind == node_kind::object ? '}' : ']'; }

  void skip_whitespace() {
    while (!at_end() && (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n' || text_[pos_] == '\r')) {
      ++pos_;
    }
  }

  [[noreturn]] void fail(const char* what) const { fail_at(pos_, what); }

  [[noreturn]] void fail_at(std::size_t offset, const char* what) const {
    fail_at_offset(text_, offset, "JSON", what);
  }

  // Two members with one key: which one counts differs between parsers, so neither does.
  void reject_duplicate_keys(const text_node& object) const {
    if (const std::string* key = duplicate_name(object.children)) {
      std::string what = "the object ending here has the key ";
      append_json_string(*key, what);
      what += " twice";
      fail(what.c_str());
    }
  }

  // Reads `"key" :` and returns the key.
  std::string parse_key() {
    skip_whitespace();
    if (peek() != '"') fail(at_end() ? "unexpected end of input, expected a key" : "expected a string key");
    std::string key = parse_string();
    skip_whitespace();
    if (peek() != ':') fail(at_end() ? "unexpected end of input, expected ':'" : "expected ':'");
    ++pos_;
    return key;
  }

  void parse_scalar(text_node& value) {
    const char first = text_[pos_];
    if (first == '"') {
      value.kind = node_kind::string;
      value.text = parse_string();
    } else if (first == '-' || is_digit(first)) {
      value.kind = node_kind::number;
      value.text = parse_number();
    } else if (!parse_literal("true", value) && !parse_literal("false", value) && !parse_literal("null", value)) {
      fail("expected a value");
    }
  }

  bool parse_literal(std::string_view word, text_node& value) {
    if (text_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    value.kind = word == "null" ? node_kind::null : node_kind::boolean;
    if (value.kind == node_kind::boolean) value.text = word;
    return true;
  }

  // -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?, kept as spelled.
  std::string parse_number() {
    const std::size_t start = pos_;
    if (peek() == '-') ++pos_;
    if (peek() == '0') {
      ++pos_;
      if (is_digit(peek())) fail("leading zeros are not allowed in numbers");
    } else if (is_digit(peek())) {
      skip_digits();
    } else {
      fail("expected a digit");
    }
    if (peek() == '.') {
      ++pos_;
      if (!is_digit(peek())) fail("expected a digit after the decimal point");
      skip_digits();
    }
    if (peek() == 'e' || peek() == 'E') {
      ++pos_;
      if (peek() == '+' || peek() == '-') ++pos_;
      if (!is_digit(peek())) fail("expected a digit in the exponent");
      skip_digits();
    }
    return std::string(text_.substr(start, pos_ - start));
  }

  void skip_digits() {
    while (is_digit(peek())) ++pos_;
  }

  // Reads a quoted string starting at the opening quote and returns its decoded contents.
  std::string parse_string() {
    ++pos_;
    std::string decoded;
    for (;;) {
      const std::size_t run_start = pos_;
      while (!at_end() && text_[pos_] != '"' && text_[pos_] != '\\' &&
             static_cast<unsigned char>(text_[pos_]) >= 0x20) {
        ++pos_;
      }
      decoded.append(text_.substr(run_start, pos_ - run_start));
      if (at_end()) fail("unterminated string");
      if (text_[pos_] == '"') {
        ++pos_;
        return decoded;
      }
      if (text_[pos_] != '\\') fail("control character in string (it must be escaped)");
      parse_escape(decoded);
    }
  }

  void parse_escape(std::string& decoded) {
    const std::size_t start = pos_;
    ++pos_;  // the backslash
    if (at_end()) fail("unterminated string");
    switch (text_[pos_++]) {
      case '"': decoded += '"'; return;
      case '\\': decoded += '\\'; return;
      case '/': decoded += '/'; return;
      case 'b': decoded += '\b'; return;
      case 'f': decoded += '\f'; return;
      case 'n': decoded += '\n'; return;
      case 'r': decoded += '\r'; return;
      case 't': decoded += '\t'; return;
      case 'u': break;
      default: fail_at(start, "invalid escape sequence");
    }
    std::uint32_t code = parse_hex4();
    if (code >= 0xDC80 && code <= 0xDCFF) {
      // A byte that is not UTF-8, as append_json_string writes it (a surrogate escape).
      decoded += static_cast<char>(code - 0xDC00);
      return;
    }
    if (code >= 0xDC00 && code <= 0xDFFF) fail_at(start, "lone low surrogate in \\u escape");
    if (code >= 0xD800 && code <= 0xDBFF) {
      // A high surrogate must be followed by an escaped low surrogate; together they make one code point.
      if (text_.substr(pos_, 2) != "\\u") fail_at(start, "lone high surrogate in \\u escape");
      pos_ += 2;
      const std::uint32_t low = parse_hex4();
      if (low < 0xDC00 || low > 0xDFFF) fail_at(start, "lone high surrogate in \\u escape");
      code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
    }
    append_utf8(code, decoded);
  }

  std::uint32_t parse_hex4() {
    std::uint32_t code = 0;
    for (int i = 0; i < 4; ++i) {
      const int digit = hex_digit_value(peek());
      if (digit < 0) fail(at_end() ? "unterminated string" : "expected four hex digits after \\u");
      code = code * 16 + static_cast<std::uint32_t>(digit);
      ++pos_;
    }
    return code;
  }

  void add_child(text_node& parent, text_node&& child) { add_child_charged(budget_, parent, std::move(child)); }

  std::string_view text_;
  depth_limit max_depth_;
  memory_budget* budget_;
  std::size_t pos_ = 0;
};

/// Parses one JSON document. Containers nested deeper than `max_depth`, or a tree larger than
/// `budget` allows, throw errc::limit (so max_depth == 0 allows only a scalar root); any
/// syntax error throws errc::format with the line and column. Bytes >= 0x80 inside strings are
/// kept as they are.
inline text_node parse_json(std::string_view text, depth_limit max_depth, memory_budget* budget = nullptr) {
  return json_parser(text, max_depth, budget).parse();
}

}  // namespace picklejar::detail
