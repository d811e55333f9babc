// XML text <-> text_node: an indented writer and a small, strict, iterative parser.
// The parser never expands entities beyond the five predefined ones and character references,
// and rejects DOCTYPE outright, so entity bombs and external entities cannot happen.
#pragma once

#include <algorithm>
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

/// True for the element names picklejar writes: [A-Za-z_][A-Za-z0-9_.-]*.
inline bool is_xml_element_name(std::string_view name) {
  auto is_letter = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; };
  if (name.empty() || !is_letter(name[0])) return false;
  return std::all_of(name.begin() + 1, name.end(), [&](char c) {
    return is_letter(c) || (c >= '0' && c <= '9') || c == '.' || c == '-';
  });
}

/// Appends `text` as XML character data. \r is written as a reference too, because XML parsers
/// turn raw carriage returns into \n.
inline void append_xml_text(std::string_view text, std::string& out) {
  for (char c : text) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      case '\t':
      case '\n': out += c; break;
      default: {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20) {
          out += "&#x";
          append_hex_byte(byte, out, /*drop_leading_zero=*/true);
          out += ';';
        } else {
          out += c;
        }
      }
    }
  }
}

/// The length of the character at text[at] if XML 1.0 can hold it (Char: tab, newline, carriage
/// return, U+0020 to U+D7FF, U+E000 to U+FFFD, U+10000 and up, in well-formed UTF-8), else 0:
/// NUL and the other control characters, U+FFFE, U+FFFF and bytes that are not UTF-8 cannot be
/// written in XML 1.0 at all, not even as character references.
inline std::size_t xml_char_length(std::string_view text, std::size_t at) {
  const auto byte = static_cast<unsigned char>(text[at]);
  if (byte < 0x20) return byte == '\t' || byte == '\n' || byte == '\r' ? 1 : 0;
  const std::size_t length = utf8_sequence_length(text, at);
  if (length == 3) {
    const std::uint32_t code = utf8_code_point(text, at, length);
    if (code == 0xFFFE || code == 0xFFFF) return 0;
  }
  return length;
}

/// Whether every character of `text` is one XML 1.0 can hold.
inline bool is_xml_text(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t length = xml_char_length(text, i);
    if (length == 0) return false;
    i += length;
  }
  return true;
}

/// The attribute that marks a leaf written with byte escapes: escaped="bytes".
inline constexpr std::string_view xml_escaped_attribute = "escaped";
inline constexpr std::string_view xml_escaped_value = "bytes";

/// Appends a string XML cannot hold as it is (is_xml_text is false) as character data with
/// byte escapes, for an element marked escaped="bytes": each byte of a character XML cannot
/// hold becomes \xHH, a backslash becomes \\, and the rest is written as append_xml_text does.
/// decode_xml_byte_escapes reverses it, bit-exactly.
inline void append_xml_escaped_bytes(std::string_view text, std::string& out) {
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t length = xml_char_length(text, i);
    if (length == 0) {
      // One byte at a time: U+FFFE's three bytes, or one byte that is not UTF-8.
      const std::size_t sequence = utf8_sequence_length(text, i);
      for (std::size_t k = 0; k < std::max<std::size_t>(sequence, 1); ++k) {
        const auto byte = static_cast<unsigned char>(text[i + k]);
        out += "\\x";
        append_hex_byte(byte, out);
      }
      i += std::max<std::size_t>(sequence, 1);
    } else if (text[i] == '\\') {
      out += "\\\\";
      ++i;
    } else {
      append_xml_text(text.substr(i, length), out);
      i += length;
    }
  }
}

/// Decodes what append_xml_escaped_bytes wrote (after the XML references were decoded); false
/// when `text` holds a backslash that starts no escape.
inline bool decode_xml_byte_escapes(std::string& text) {
  std::string decoded;
  decoded.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\') {
      decoded += text[i];
    } else if (i + 1 < text.size() && text[i + 1] == '\\') {
      decoded += '\\';
      ++i;
    } else if (i + 3 < text.size() && text[i + 1] == 'x' && hex_digit_value(text[i + 2]) >= 0 &&
               hex_digit_value(text[i + 3]) >= 0) {
      decoded += static_cast<char>(hex_digit_value(text[i + 2]) * 16 + hex_digit_value(text[i + 3]));
      i += 3;
    } else {
      return false;
    }
  }
  text = std::move(decoded);
  return true;
}

/// Appends an XML declaration and `root` as an element named root.name, 2-space indented.
/// Array items and unnamed children become <item>; an empty container is written like an empty leaf.
/// Throws errc::format if a name is not a valid element name; `out` is then left as it was.
inline void write_xml(const text_node& root, std::string& out) {
  struct open_element {
    const text_node* node;
    std::string_view tag;
    std::size_t next_child;
  };
  std::vector<open_element> open;
  const std::size_t original_size = out.size();

  auto tag_of = [](const text_node& node, bool is_array_item) -> std::string_view {
    if (is_array_item) return "item";
    if (!is_xml_element_name(node.name)) {
      throw error(errc::format, "\"" + node.name + "\" cannot be an XML element name");
    }
    return node.name;
  };
  // Writes a leaf or empty container whole, or writes the start tag and leaves the children to the loop.
  auto begin_element = [&](const text_node& node, std::string_view tag) {
    out.append(2 * open.size(), ' ');
    out += '<';
    out += tag;
    const bool is_leaf_text = node.kind == node_kind::number || node.kind == node_kind::string;
    const bool escaped = is_leaf_text && !is_xml_text(node.text);
    if (escaped) {
      out += ' ';
      out += xml_escaped_attribute;
      out += "=\"";
      out += xml_escaped_value;
      out += '"';
    }
    out += '>';
    if (!node.children.empty() && (node.kind == node_kind::object || node.kind == node_kind::array)) {
      if (node.kind == node_kind::object) {
        // Array items and unnamed children are all <item>; other members are told apart by name.
        if (const std::string* name = duplicate_name(node.children, "item", true)) {
          throw error(errc::format, "cannot write an object with two members named \"" + *name +
                                        "\" (two fields or values with one name)");
        }
      }
      out += '\n';
      open.push_back({&node, tag, 0});
      return;
    }
    if (node.kind == node_kind::boolean) {
      out += node.text == "true" ? "true" : "false";
    } else if (escaped) {
      append_xml_escaped_bytes(node.text, out);
    } else if (is_leaf_text) {
      append_xml_text(node.text, out);
    }
    out += "</";
    out += tag;
    out += ">\n";
  };

  try {
    out += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    begin_element(root, tag_of(root, false));
    while (!open.empty()) {
      open_element& top = open.back();
      if (top.next_child < top.node->children.size()) {
        const text_node& child = top.node->children[top.next_child++];
        const bool is_array_item = top.node->kind == node_kind::array || child.name.empty();
        begin_element(child, tag_of(child, is_array_item));  // may grow `open`: `top` is not used after
      } else {
        out.append(2 * (open.size() - 1), ' ');
        out += "</";
        out += top.tag;
        out += ">\n";
        open.pop_back();
      }
    }
  } catch (...) {
    out.resize(original_size);
    throw;
  }
}

/// The strict parser behind parse_xml. Every read checks the bounds; errors carry line and column.
class xml_parser {
 public:
  /// `budget` (the load's, if any) is charged for every node of the tree before it is built.
  xml_parser(std::string_view text, depth_limit max_depth, memory_budget* budget)
      : text_(text), max_depth_(max_depth), budget_(budget) {}

  text_node parse() {
    reject_control_characters();
    if (starts_with("\xEF\xBB\xBF")) pos_ += 3;  // a UTF-8 byte order mark
    document_start_ = pos_;
    skip_misc();
    if (at_end()) fail("expected the root element");
    if (peek() != '<') fail("text outside the root element");
    text_node root = parse_elements();
    skip_misc();
    if (!at_end()) fail(peek() == '<' ? "a second root element" : "text outside the root element");
    return root;
  }

 private:
  struct open_element {
    text_node node;
    bool has_child_elements = false;
    bool escaped = false;  ///< escaped="bytes": the text holds byte escapes
  };

  // Reads the root element and everything inside it, starting at its '<'.
  text_node parse_elements() {
    std::vector<open_element> open;  // elements whose end tag is still ahead, innermost last
    for (;;) {
      // At the '<' of a start tag.
      if (open.size() >= max_depth_.levels) {
        throw error(errc::limit, too_deep(max_depth_.reported));
      }
      open.emplace_back();
      open.back().node.kind = node_kind::string;
      const bool self_closing = parse_start_tag(open.back().node.name, open.back().escaped);
      bool at_child = !self_closing && read_content(open.back());
      while (!at_child) {
        // The innermost element is complete.
        finish_element(open.back());
        text_node done = std::move(open.back().node);
        open.pop_back();
        if (open.empty()) return done;
        add_child(open.back().node, std::move(done));
        at_child = read_content(open.back());
      }
    }
  }

  // Reads an element's content up to a child start tag (returns true, positioned at its '<')
  // or through the element's own end tag (returns false).
  bool read_content(open_element& element) {
    for (;;) {
      if (at_end()) fail(("element <" + element.node.name + "> is not closed").c_str());
      const std::size_t start = pos_;
      if (text_[pos_] == '&') {
        std::string decoded;
        read_reference(decoded);
        add_text(element, std::move(decoded), start);
      } else if (text_[pos_] != '<') {
        while (!at_end() && text_[pos_] != '<' && text_[pos_] != '&') ++pos_;
        const std::string_view raw = text_.substr(start, pos_ - start);
        const std::size_t bad = raw.find("]]>");
        if (bad != std::string_view::npos) fail_at(start + bad, "']]>' is not allowed in text");
        const std::size_t first_visible = raw.find_first_not_of(" \t\n\r");  // where mixed content is reported
        add_text(element, normalize_newlines(raw), start + std::min(first_visible, raw.size()));
      } else if (starts_with("</")) {
        read_end_tag(element.node.name);
        return false;
      } else if (starts_with("<!--")) {
        skip_comment();
      } else if (starts_with("<![CDATA[")) {
        const std::size_t end = text_.find("]]>", pos_ + 9);
        if (end == std::string_view::npos) fail("unterminated CDATA section");
        add_text(element, normalize_newlines(text_.substr(pos_ + 9, end - pos_ - 9)), start);
        pos_ = end + 3;
      } else if (starts_with("<?")) {
        skip_processing_instruction();
      } else if (starts_with("<!")) {
        fail(starts_with("<!DOCTYPE") ? "DOCTYPE is not allowed" : "unexpected '<!'");
      } else {
        if (!element.has_child_elements) {
          if (!is_whitespace(element.node.text)) fail("text mixed with child elements");
          element.node.text.clear();
          element.node.kind = node_kind::object;
          element.has_child_elements = true;
        }
        return true;
      }
    }
  }

  // Decodes byte escapes; refuses two children with one name (array items are all <item>).
  void finish_element(open_element& element) const {
    if (element.escaped) {
      if (element.has_child_elements) fail("an element with child elements cannot be escaped=\"bytes\"");
      if (!decode_xml_byte_escapes(element.node.text)) {
        fail(("element <" + element.node.name + "> is escaped=\"bytes\" but holds a '\\' that starts no escape").c_str());
      }
    }
    if (element.has_child_elements) {
      if (const std::string* name = duplicate_name(element.node.children, "item")) {
        fail(("element <" + element.node.name + "> has two children <" + *name + ">").c_str());
      }
    }
  }

  // Text goes into a leaf; next to child elements only whitespace (indentation) is allowed, and dropped.
  // The first piece of a leaf's text is moved in, not copied: a leaf holds one copy of its text.
  void add_text(open_element& element, std::string text, std::size_t where) {
    if (!element.has_child_elements) {
      if (element.node.text.empty()) element.node.text = std::move(text);
      else element.node.text += text;
    } else if (!is_whitespace(text)) {
      fail_at(where, "text mixed with child elements");
    }
  }

  // Reads `<name attributes... >` or `/>`; returns whether it was self-closing.
  // Attributes are checked for well-formedness and then ignored.
  bool parse_start_tag(std::string& name, bool& escaped) {
    ++pos_;  // '<'
    name = std::string(parse_name("expected an element name"));
    escaped = false;
    std::vector<std::string_view> attribute_names;
    for (;;) {
      const bool had_space = skip_whitespace();
      if (at_end()) fail("unterminated start tag");
      const bool self_closing = starts_with("/>");
      if (self_closing || peek() == '>') {
        std::sort(attribute_names.begin(), attribute_names.end());
        if (std::adjacent_find(attribute_names.begin(), attribute_names.end()) != attribute_names.end()) {
          fail("duplicate attribute");
        }
        pos_ += self_closing ? 2 : 1;
        return self_closing;
      }
      if (!had_space) fail("expected whitespace, '>' or '/>'");
      const std::size_t attribute_start = pos_;
      attribute_names.push_back(parse_name("expected an attribute name"));
      const bool is_escaped = attribute_names.back() == xml_escaped_attribute;
      skip_whitespace();
      if (peek() != '=') fail("expected '=' after the attribute name");
      ++pos_;
      skip_whitespace();
      const char quote = peek();
      if (quote != '"' && quote != '\'') fail("expected a quoted attribute value");
      ++pos_;
      std::string value;
      for (;;) {
        if (at_end()) fail("unterminated attribute value");
        const char c = text_[pos_];
        if (c == quote) break;
        if (c == '<') fail("'<' is not allowed in an attribute value");
        if (c == '&') {
          read_reference(value);
        } else {
          value += c;
          ++pos_;
        }
      }
      ++pos_;  // the closing quote
      if (is_escaped) {
        if (value != xml_escaped_value) fail_at(attribute_start, "unknown value of the attribute 'escaped'");
        escaped = true;
      }
    }
  }

  void read_end_tag(const std::string& expected) {
    const std::size_t start = pos_;
    pos_ += 2;  // "</"
    const std::string_view name = parse_name("expected an element name");
    if (name != expected) fail_at(start, ("expected </" + expected + ">, found </" + std::string(name) + ">").c_str());
    skip_whitespace();
    if (peek() != '>') fail("expected '>'");
    ++pos_;
  }

  // Decodes `&lt;`, `&gt;`, `&amp;`, `&quot;`, `&apos;`, `&#N;` or `&#xH;` at pos_.
  void read_reference(std::string& out) {
    const std::size_t start = pos_;
    ++pos_;  // '&'
    if (peek() != '#') {
      static constexpr std::pair<std::string_view, char> named[] = {
          {"lt;", '<'}, {"gt;", '>'}, {"amp;", '&'}, {"quot;", '"'}, {"apos;", '\''}};
      for (const auto& [spelling, character] : named) {
        if (starts_with(spelling)) {
          pos_ += spelling.size();
          out += character;
          return;
        }
      }
      fail_at(start, "unknown entity (only &lt; &gt; &amp; &quot; &apos; and &#...; are allowed)");
    }
    ++pos_;  // '#'
    const bool hex = peek() == 'x';
    if (hex) ++pos_;
    std::uint32_t code = 0;
    std::size_t digits = 0;
    for (;; ++pos_, ++digits) {
      const int digit = hex_digit_value(peek());
      if (digit < 0 || (!hex && digit > 9)) break;
      code = std::min<std::uint32_t>(code * (hex ? 16 : 10) + static_cast<std::uint32_t>(digit), 0x110000);  // saturate, never overflow
    }
    if (digits == 0 || peek() != ';') fail_at(start, "invalid character reference");
    ++pos_;
    if (code > 0x10FFFF) fail_at(start, "character reference above U+10FFFF");
    if (code >= 0xD800 && code <= 0xDFFF) fail_at(start, "character reference to a surrogate");
    append_utf8(code, out);
  }

  // Whitespace, comments and processing instructions, as allowed before and after the root.
  void skip_misc() {
    for (;;) {
      skip_whitespace();
      if (starts_with("<!--")) {
        skip_comment();
      } else if (starts_with("<?")) {
        skip_processing_instruction();
      } else if (starts_with("<!DOCTYPE")) {
        fail("DOCTYPE is not allowed");
      } else if (starts_with("<!")) {
        fail("unexpected '<!' outside the root element");
      } else {
        return;
      }
    }
  }

  void skip_comment() {
    const std::size_t end = text_.find("--", pos_ + 4);
    if (end == std::string_view::npos) fail("unterminated comment");
    if (end + 2 >= text_.size() || text_[end + 2] != '>') fail_at(end, "'--' is not allowed inside a comment");
    pos_ = end + 3;
  }

  // `<?target ...?>`; the target "xml" (any case) is the declaration and may only open the document.
  void skip_processing_instruction() {
    const std::size_t start = pos_;
    pos_ += 2;
    const std::string_view target = parse_name("expected a processing instruction target");
    const bool is_declaration =
        target.size() == 3 && (target[0] | 0x20) == 'x' && (target[1] | 0x20) == 'm' && (target[2] | 0x20) == 'l';
    if (is_declaration && start != document_start_) fail_at(start, "the XML declaration must come first");
    const std::size_t end = text_.find("?>", pos_);
    if (end == std::string_view::npos) fail_at(start, "unterminated processing instruction");
    pos_ = end + 2;
  }

  // A lenient XML Name: ASCII letters, '_', ':' or any non-ASCII byte first, then also digits, '.', '-'.
  std::string_view parse_name(const char* what_if_missing) {
    auto is_start = [](char c) {
      return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c == ':' ||
             static_cast<unsigned char>(c) >= 0x80;
    };
    const std::size_t start = pos_;
    if (at_end() || !is_start(text_[pos_])) fail(what_if_missing);
    while (!at_end() && (is_start(text_[pos_]) || (text_[pos_] >= '0' && text_[pos_] <= '9') ||
                         text_[pos_] == '.' || text_[pos_] == '-')) {
      ++pos_;
    }
    return text_.substr(start, pos_ - start);
  }

  // XML 1.0 forbids these bytes anywhere, even escaped by CDATA; references like &#x1; are the way.
  void reject_control_characters() const {
    for (std::size_t i = 0; i < text_.size(); ++i) {
      const auto byte = static_cast<unsigned char>(text_[i]);
      if (byte < 0x20 && byte != '\t' && byte != '\n' && byte != '\r') {
        fail_at(i, "control character (write it as a character reference)");
      }
    }
  }

  // XML end-of-line handling: "\r\n" and a lone "\r" both read as "\n".
  static std::string normalize_newlines(std::string_view raw) {
    std::string text;
    text.reserve(raw.size());
    for (std::size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] != '\r') {
        text += raw[i];
      } else {
        text += '\n';
        if (i + 1 < raw.size() && raw[i + 1] == '\n') ++i;
      }
    }
    return text;
  }

  static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
  static bool is_whitespace(std::string_view text) { return std::all_of(text.begin(), text.end(), is_space); }

  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return at_end() ? '\0' : text_[pos_]; }
  bool starts_with(std::string_view prefix) const { return text_.substr(pos_, prefix.size()) == prefix; }

  bool skip_whitespace() {
    const std::size_t start = pos_;
    while (!at_end() && is_space(text_[pos_])) ++pos_;
    return pos_ != start;
  }

  [[noreturn]] void fail(const char* what) const { fail_at(pos_, what); }

  [[noreturn]] void fail_at(std::size_t offset, const char* what) const {
    fail_at_offset(text_, offset, "XML", what);
  }

  void add_child(text_node& parent, text_node&& child) { add_child_charged(budget_, parent, std::move(child)); }

  std::string_view text_;
  depth_limit max_depth_;
  std::size_t pos_ = 0;
  std::size_t document_start_ = 0;  // after a byte order mark; only here may <?xml ...?> appear
  memory_budget* budget_;
};

/// Parses one XML document into its root element (name = tag). An element with child elements
/// becomes an object (whitespace between children dropped); any other element becomes a string
/// holding its decoded text exactly. Elements nested deeper than `max_depth`, or more than
/// a tree larger than `budget` allows, throw errc::limit;
/// malformed input, DOCTYPE and unknown entities throw errc::format with the line and column.
inline text_node parse_xml(std::string_view text, depth_limit max_depth, memory_budget* budget = nullptr) {
  return xml_parser(text, max_depth, budget).parse();
}

}  // namespace picklejar::detail
