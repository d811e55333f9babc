// The text archives behind format::json and format::xml. Both build or read a text_node tree; the
// codecs in detail/ turn the tree into JSON or XML. Numbers use the shortest spelling that reads
// back to the same bits; NaN and infinities are written as strings ("NaN", "Infinity").
#pragma once

#include <cereal/cereal.hpp>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <deque>
#include <forward_list>
#include <limits>
#include <list>
#include <locale>
#include <map>
#include <set>
#include <sstream>
#include <string_view>
#include <string>
#include <system_error>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <valarray>
#include <vector>

#include "picklejar/detail/archives/collection_loaders.hpp"
#include "picklejar/detail/archives/embedding_hook.hpp"
#include "picklejar/detail/session/field_path.hpp"
#include "picklejar/detail/session/document_session.hpp"
#include "picklejar/detail/session/object_graph.hpp"
#include "picklejar/detail/codecs/text_scanning.hpp"
#include "picklejar/detail/codecs/text_tree.hpp"

namespace picklejar::detail {

// ---- numbers <-> text ----

inline bool host_is_little_endian_text() noexcept {
  const std::uint16_t probe = 1;
  unsigned char first = 0;
  std::memcpy(&first, &probe, 1);
  return first == 1;
}

/// The bytes of a floating-point value that carry its bits, least significant first on this
/// (little-endian or big-endian) host: all of them, except x87's 80-bit long double, whose last
/// 6 bytes of 16 are padding.
template <class T>
constexpr std::size_t float_value_bytes = std::is_same_v<T, long double> && std::numeric_limits<T>::digits == 64
                                              ? 10
                                              : sizeof(T);

/// The value bits of a floating-point number as hex digits, most significant first.
template <class T>
std::string float_bits_to_hex(T value) {
  unsigned char bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T));
  static constexpr char digits[] = "0123456789abcdef";
  std::string hex;
  bool leading = true;
  for (std::size_t i = 0; i < float_value_bytes<T>; ++i) {
    const std::size_t at = host_is_little_endian_text() ? float_value_bytes<T> - 1 - i : i;
    for (int shift : {4, 0}) {
      const int digit = (bytes[at] >> shift) & 0xF;
      if (leading && digit == 0) continue;
      leading = false;
      hex += digits[digit];
    }
  }
  return hex.empty() ? "0" : hex;
}

/// Reads what float_bits_to_hex wrote; false when it is not hex or does not fit.
template <class T>
bool hex_to_float_bits(std::string_view hex, T& value) {
  if (hex.empty()) return false;
  while (hex.size() > 1 && hex[0] == '0') hex.remove_prefix(1);
  if (hex.size() > 2 * float_value_bytes<T>) return false;
  unsigned char bytes[sizeof(T)] = {};
  for (std::size_t i = 0; i < hex.size(); ++i) {
    const char c = hex[hex.size() - 1 - i];  // least significant digit first
    const int digit = hex_digit_value(c);
    if (digit < 0) return false;
    const std::size_t byte = i / 2;
    const std::size_t at = host_is_little_endian_text() ? byte : float_value_bytes<T> - 1 - byte;
    bytes[at] = static_cast<unsigned char>(bytes[at] | (digit << (4 * (i % 2))));
  }
  std::memcpy(&value, bytes, sizeof(T));
  return true;
}

/// Whether the value bits of a and b are the same (padding ignored).
template <class T>
bool same_float_bits(T a, T b) {
  unsigned char x[sizeof(T)], y[sizeof(T)];
  std::memcpy(x, &a, sizeof(T));
  std::memcpy(y, &b, sizeof(T));
  const std::size_t offset = host_is_little_endian_text() ? 0 : sizeof(T) - float_value_bytes<T>;
  return std::memcmp(x + offset, y + offset, float_value_bytes<T>) == 0;
}

// The default NaN is "NaN" (or "-NaN"); any other NaN keeps its exact bits: "NaN:0x7fc00001".
template <class T>
std::string nan_to_text(T value) {
  const T quiet = std::signbit(value) ? -std::numeric_limits<T>::quiet_NaN() : std::numeric_limits<T>::quiet_NaN();
  if (same_float_bits(value, quiet)) return std::signbit(value) ? "-NaN" : "NaN";
  return "NaN:0x" + float_bits_to_hex(value);
}

template <class T>
bool text_to_nan(const std::string& text, T& value) {
  if (text == "NaN" || text == "-NaN") {
    value = std::numeric_limits<T>::quiet_NaN();
    if (text[0] == '-') value = -value;
    return true;
  }
  if (text.size() <= 6 || text.compare(0, 6, "NaN:0x") != 0) return false;
  T parsed{};
  if (!hex_to_float_bits(std::string_view(text).substr(6), parsed) || !std::isnan(parsed)) return false;
  value = parsed;
  return true;
}

/// The strings picklejar writes for floating-point values that JSON has no number for.
inline bool is_non_finite_spelling(const std::string& text) {
  return text == "NaN" || text == "-NaN" || text == "Infinity" || text == "-Infinity" || text.compare(0, 6, "NaN:0x") == 0;
}

template <class T>
std::string number_to_text(T value) {
  if constexpr (std::is_same_v<T, bool>) {
    return value ? "true" : "false";
  } else if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(value)) return nan_to_text(value);
    if (std::isinf(value)) return value < 0 ? "-Infinity" : "Infinity";
    char buffer[64];
    auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    return std::string(buffer, result.ptr);
  } else {
    // char types are numbers too, as in cereal's JSON archive
    using wide = std::conditional_t<std::is_signed_v<T>, long long, unsigned long long>;
    char buffer[32];
    auto result = std::to_chars(buffer, buffer + sizeof buffer, static_cast<wide>(value));
    return std::string(buffer, result.ptr);
  }
}

/// Parses text as a T; false when it is not a number of that type or does not fit.
template <class T>
bool text_to_number(const std::string& text, T& value) {
  const char* first = text.data();
  const char* last = first + text.size();
  if constexpr (std::is_same_v<T, bool>) {
    if (text == "true") value = true;
    else if (text == "false") value = false;
    else return false;
    return true;
  } else if constexpr (std::is_floating_point_v<T>) {
    if (text.find("NaN") != std::string::npos) return text_to_nan(text, value);
    if (text == "Infinity" || text == "-Infinity") {
      value = text[0] == '-' ? -std::numeric_limits<T>::infinity() : std::numeric_limits<T>::infinity();
      return true;
    }
    // Only what picklejar writes: a JSON number, never "inf", "nan" or "+1" (from_chars takes those).
    const char* digits = first != last && *first == '-' ? first + 1 : first;
    if (digits == last || *digits < '0' || *digits > '9') return false;
    auto result = std::from_chars(first, last, value);
    if (result.ptr != last) return false;
    if (result.ec == std::errc::result_out_of_range && std::is_same_v<T, long double>) {
      // libstdc++ reads long double with strtold and refuses its subnormals (ERANGE), which
      // to_chars writes: read them with the classic locale's num_get, which takes them.
      std::istringstream in(text);
      in.imbue(std::locale::classic());
      T parsed{};
      in >> parsed;
      if (!in.fail() && in.peek() == std::char_traits<char>::eof() && std::isfinite(parsed) && parsed != 0) {
        value = parsed;
        return true;
      }
    }
    return result.ec == std::errc();
  } else {
    using wide = std::conditional_t<std::is_signed_v<T>, long long, unsigned long long>;
    wide parsed = 0;
    auto result = std::from_chars(first, last, parsed);
    if (result.ec != std::errc() || result.ptr != last || first == last) return false;
    if (parsed < static_cast<wide>(std::numeric_limits<T>::min()) ||
        parsed > static_cast<wide>(std::numeric_limits<T>::max()))
      return false;
    value = static_cast<T>(parsed);
    return true;
  }
}

inline const char* kind_name(node_kind kind) {
  switch (kind) {
    case node_kind::null: return "null";
    case node_kind::boolean: return "a boolean";
    case node_kind::number: return "a number";
    case node_kind::string: return "a string";
    case node_kind::object: return "an object";
    case node_kind::array: return "an array";
  }
  return "a value";
}

// ---- output ----

// cereal::traits::TextArchive lets cereal's own types pick their text forms.
class text_output_archive : public cereal::OutputArchive<text_output_archive>,
                            public cereal::traits::TextArchive {
 public:
  PICKLEJAR_DETAIL_EMBEDDING_OPERATOR(text_output_archive, OutputArchive, save)  // a program's cereal classes: embedded
  /// Writes into `holder`, which receives one child per top-level value.
  explicit text_output_archive(text_node& holder) : OutputArchive(this) {
    holder.kind = node_kind::object;
    stack_.push_back(&holder);
  }

  graph_writer& graph() noexcept { return graph_; }
  save_session& session() noexcept { return session_; }

  void name_next(const char* name) noexcept { next_name_ = name; }

  /// The contents of objects behind pointers go into a list of their own ("objects"), one entry
  /// per object in the order they are written; open_object() starts the next entry.
  void open_object() {
    text_node& entry = objects_.emplace_back();  // a deque: entries being written never move
    entry.kind = node_kind::object;
    stack_.push_back(&entry);
  }
  void close_object() { stack_.pop_back(); }
  /// The "objects" list, to be placed after the root value; empty when nothing was deferred.
  text_node take_objects() {
    text_node list;
    list.name = "objects";
    list.kind = node_kind::array;
    list.children.reserve(objects_.size());
    for (auto& entry : objects_) list.children.push_back(std::move(entry));
    objects_.clear();
    return list;
  }

  void start_node() {
    text_node& child = add_child(node_kind::object);
    stack_.push_back(&child);
  }
  void finish_node() { stack_.pop_back(); }
  void make_array() { stack_.back()->kind = node_kind::array; }

  void write_leaf(node_kind kind, std::string text) { add_child(kind).text = std::move(text); }

  template <class T>
  void write_number(T value) {
    std::string text = number_to_text(value);
    node_kind kind = std::is_same_v<T, bool> ? node_kind::boolean : node_kind::number;
    if constexpr (std::is_floating_point_v<T>) {
      if (!std::isfinite(value)) kind = node_kind::string;
    }
    write_leaf(kind, std::move(text));
  }

 private:
  text_node& add_child(node_kind kind) {
    text_node& parent = *stack_.back();
    text_node child;
    child.kind = kind;
    if (parent.kind != node_kind::array) {
      child.name = next_name_ != nullptr ? next_name_ : "value" + std::to_string(parent.children.size());
    }
    next_name_ = nullptr;
    parent.children.push_back(std::move(child));
    return parent.children.back();
  }

  std::vector<text_node*> stack_;
  const char* next_name_ = nullptr;
  std::deque<text_node> objects_;
  graph_writer graph_;
  save_session session_;
};

// ---- input ----

class text_input_archive : public cereal::InputArchive<text_input_archive>,
                           public cereal::traits::TextArchive {
 public:
  PICKLEJAR_DETAIL_EMBEDDING_OPERATOR(text_input_archive, InputArchive, load)  // a program's cereal classes: embedded
  /// Reads the children of `holder` in order. `lenient_leaves` is for XML, where every leaf is
  /// text and an empty element may stand for an empty object or array.
  text_input_archive(const text_node& holder, bool lenient_leaves, field_path& path)
      : InputArchive(this), lenient_(lenient_leaves), path_(path) {
    stack_.push_back(frame{&holder, 0, 0, 0});
  }

  graph_reader& graph() noexcept { return graph_; }
  load_session& session() noexcept { return session_; }
  field_path& path() noexcept { return path_; }
  memory_budget& budget() noexcept { return path_.budget(); }
  void name_next(const char* name) noexcept {
    next_name_ = name;
    path_.name_next(name);
  }

  /// Whether the current object has a member called `name`.
  bool has_member(const char* name) const {
    for (const auto& child : stack_.back().node->children) {
      if (child.name == name) return true;
    }
    return false;
  }

  /// The document's "objects" list (null when it has none); see text_output_archive.
  void set_objects(const text_node* objects) noexcept { objects_ = objects; }
  std::size_t object_count() const noexcept { return objects_ == nullptr ? 0 : objects_->children.size(); }
  /// Starts reading entry `position` of the objects list.
  void open_object(std::size_t position) {
    if (position >= object_count()) {
      path_.fail(errc::format, "the document's objects list has " + std::to_string(object_count()) +
                                   " entries, but the data points at more objects");
    }
    const text_node& entry = objects_->children[position];
    if (entry.kind != node_kind::object) fail_kind("an object", entry);
    stack_.push_back(frame{&entry, 0, 0, 0});
  }
  void close_object() { stack_.pop_back(); }

  void start_node() {
    const text_node& child = next_child();
    bool container = child.kind == node_kind::object || child.kind == node_kind::array ||
                     (lenient_ && child.kind == node_kind::string && child.text.empty());
    if (!container) fail_kind("an object or array", child);
    path_.enter();
    stack_.push_back(frame{&child, 0, 0, 0});
  }
  void finish_node() {
    stack_.pop_back();
    path_.leave();
  }

  /// Number of items in the current object or array.
  std::size_t current_size() const noexcept { return stack_.back().node->children.size(); }

  template <class T>
  void read_number(T& value) {
    const text_node& leaf = next_child();
    bool readable = leaf.kind == node_kind::number || leaf.kind == node_kind::boolean ||
                    leaf.kind == node_kind::string;  // XML: every leaf is text
    if (!lenient_) {
      // JSON says what a value is: a string is never a number or a boolean, except the spellings
      // picklejar writes for NaN and infinities.
      if constexpr (std::is_same_v<T, bool>) readable = leaf.kind == node_kind::boolean;
      else if constexpr (std::is_floating_point_v<T>)
        readable = leaf.kind == node_kind::number || (leaf.kind == node_kind::string && is_non_finite_spelling(leaf.text));
      else readable = leaf.kind == node_kind::number;
    }
    if (!readable || !text_to_number(leaf.text, value)) {
      const char* expected = std::is_same_v<T, bool> ? "a boolean"
                             : std::is_floating_point_v<T> ? "a number"
                                                           : "an integer that fits its type";
      if (readable) {
        path_.fail(errc::format, std::string("expected ") + expected + ", found \"" +
                                     leaf.text.substr(0, 40) + "\"");
      }
      fail_kind(expected, leaf);
    }
  }

  void read_string(std::string& value) {
    const text_node& leaf = next_child();
    bool readable = leaf.kind == node_kind::string || (lenient_ && leaf.kind != node_kind::object &&
                                                        leaf.kind != node_kind::array);
    if (!readable) fail_kind("a string", leaf);
    charge_memory(*this, leaf.text.size(), 1);
    value = leaf.text;
  }

  void skip_value() { next_child(); }

  /// How many members of the current object no read asked for, and the name of the first of
  /// them among the first 64 (empty when it is further on).
  std::pair<std::size_t, std::string> unread_members() const {
    const frame& current = stack_.back();
    const auto& children = current.node->children;
    if (current.read >= children.size()) return {0, std::string()};
    for (std::size_t i = 0; i < children.size() && i < 64; ++i) {
      if ((current.read_mask >> i & 1u) == 0) return {children.size() - current.read, children[i].name};
    }
    return {children.size() - current.read, std::string()};
  }

 private:
  struct frame {
    const text_node* node;
    std::size_t next_child;
    std::size_t read = 0;             // children read so far
    std::uint64_t read_mask = 0;      // which of the first 64 were read
  };

  // The child named by the pending name (looked up in order first, like cereal's JSON archive),
  // or else the next child in order.
  const text_node& next_child() {
    frame& current = stack_.back();
    const auto& children = current.node->children;
    std::size_t index = current.next_child;
    if (next_name_ != nullptr) {
      if (index >= children.size() || children[index].name != next_name_) {
        index = 0;
        while (index < children.size() && children[index].name != next_name_) ++index;
        if (index == children.size()) {
          path_.fail(errc::format, std::string("the field '") + next_name_ + "' is missing");
        }
      }
      next_name_ = nullptr;
    } else if (index >= children.size()) {
      path_.fail(errc::format, "expected another item, but the " +
                                   std::string(current.node->kind == node_kind::array ? "array" : "object") +
                                   " has only " + std::to_string(children.size()));
    } else {
      path_.item_next(index);
    }
    current.next_child = index + 1;
    if (index < 64) {
      if ((current.read_mask >> index & 1u) == 0) ++current.read;
      current.read_mask |= std::uint64_t{1} << index;
    } else {
      ++current.read;
    }
    return children[index];
  }

  [[noreturn]] void fail_kind(const char* expected, const text_node& found) {
    path_.fail(errc::format, std::string("expected ") + expected + ", found " + kind_name(found.kind));
  }

  std::vector<frame> stack_;
  const char* next_name_ = nullptr;
  bool lenient_;
  field_path& path_;
  const text_node* objects_ = nullptr;
  graph_reader graph_;
  load_session session_;
};

// ---- cereal's customization points for the text archives ----

template <class T, std::enable_if_t<std::is_arithmetic_v<T>, int> = 0>
void CEREAL_SAVE_FUNCTION_NAME(text_output_archive& archive, const T& value) {
  archive.write_number(value);
}
template <class T, std::enable_if_t<std::is_arithmetic_v<T>, int> = 0>
void CEREAL_LOAD_FUNCTION_NAME(text_input_archive& archive, T& value) {
  archive.read_number(value);
}

template <class Traits, class Alloc>
void CEREAL_SAVE_FUNCTION_NAME(text_output_archive& archive,
                               const std::basic_string<char, Traits, Alloc>& value) {
  archive.write_leaf(node_kind::string, std::string(value.data(), value.size()));
}
template <class Traits, class Alloc>
void CEREAL_LOAD_FUNCTION_NAME(text_input_archive& archive, std::basic_string<char, Traits, Alloc>& value) {
  std::string text;
  archive.read_string(text);
  value.assign(text.data(), text.size());
}

inline void CEREAL_SAVE_FUNCTION_NAME(text_output_archive& archive, const std::nullptr_t&) {
  archive.write_leaf(node_kind::null, "null");
}
inline void CEREAL_LOAD_FUNCTION_NAME(text_input_archive& archive, std::nullptr_t&) { archive.skip_value(); }

template <class T>
void CEREAL_SAVE_FUNCTION_NAME(text_output_archive& archive, const cereal::NameValuePair<T>& pair) {
  archive.name_next(pair.name);
  archive(pair.value);
}
template <class T>
void CEREAL_LOAD_FUNCTION_NAME(text_input_archive& archive, cereal::NameValuePair<T>& pair) {
  archive.name_next(pair.name);
  archive(pair.value);
  archive.path().clear_pending();
}

// The size is implied by the number of items.
template <class T>
void CEREAL_SAVE_FUNCTION_NAME(text_output_archive&, const cereal::SizeTag<T>&) {}
template <class T>
void CEREAL_LOAD_FUNCTION_NAME(text_input_archive& archive, cereal::SizeTag<T>& tag) {
  tag.size = static_cast<std::remove_reference_t<T>>(archive.current_size());
}

// Objects open a node; numbers, strings and minimal types are leaves (as in cereal's JSON archive).
template <class T>
constexpr bool opens_node_v =
    !std::is_arithmetic_v<T> &&
    !cereal::traits::has_minimal_base_class_serialization<
        T, cereal::traits::has_minimal_output_serialization, text_output_archive>::value &&
    !cereal::traits::has_minimal_output_serialization<T, text_output_archive>::value &&
    !cereal::traits::has_minimal_input_serialization<T, text_input_archive>::value;

template <class T>
struct is_text_leaf_wrapper : std::false_type {};
template <class T>
struct is_text_leaf_wrapper<cereal::NameValuePair<T>> : std::true_type {};
template <class T>
struct is_text_leaf_wrapper<cereal::SizeTag<T>> : std::true_type {};
template <class T>
struct is_text_leaf_wrapper<cereal::DeferredData<T>> : std::true_type {};
template <class C, class Tr, class A>
struct is_text_leaf_wrapper<std::basic_string<C, Tr, A>> : std::true_type {};
template <>
struct is_text_leaf_wrapper<std::nullptr_t> : std::true_type {};

template <class T>
constexpr bool text_node_type_v = !is_text_leaf_wrapper<T>::value && opens_node_v<T>;

// Saving counts the same levels as loading (options.max_depth).
template <class T, std::enable_if_t<text_node_type_v<T>, int> = 0>
void prologue(text_output_archive& archive, const T&) {
  archive.session().enter_level();
  archive.start_node();
  class_begins<T>(archive);
}
template <class T, std::enable_if_t<text_node_type_v<T>, int> = 0>
void epilogue(text_output_archive& archive, const T&) {
  class_ends<T>(archive);
  archive.finish_node();
  archive.session().leave_level();
}
template <class T, std::enable_if_t<text_node_type_v<T>, int> = 0>
void prologue(text_input_archive& archive, const T&) {
  archive.start_node();
  class_begins<T>(archive);
}
template <class T, std::enable_if_t<text_node_type_v<T>, int> = 0>
void epilogue(text_input_archive& archive, const T&) {
  class_ends<T>(archive);
  archive.finish_node();
}

template <class T>
void prologue(text_output_archive& archive, const cereal::SizeTag<T>&) {
  archive.make_array();
}

// Containers: the parsed items are already in memory (and charged), but each element may take
// far more than its node (an empty std::optional of a big array): charged at its sizeof before
// the container grows (collection_loaders.hpp), instead of cereal's resizing to the item count.
template <class T, class Allocator, std::enable_if_t<!std::is_same_v<T, bool>, int> = 0>
void CEREAL_LOAD_FUNCTION_NAME(text_input_archive& archive, std::vector<T, Allocator>& vector) {
  load_sequence(archive, vector);
}
template <class T>
void CEREAL_LOAD_FUNCTION_NAME(text_input_archive& archive, std::valarray<T>& values) {
  const std::size_t count = read_count_that_fits(archive, sizeof(T));
  charge_memory(archive, count, sizeof(T));  // the items are all there: the tree holds them
  values.resize(count);
  for (std::size_t i = 0; i < count; ++i) archive(values[i]);
}
PICKLEJAR_DETAIL_NODE_CONTAINER_LOADERS(text_input_archive)

}  // namespace picklejar::detail

CEREAL_REGISTER_ARCHIVE(picklejar::detail::text_output_archive)
CEREAL_REGISTER_ARCHIVE(picklejar::detail::text_input_archive)
CEREAL_SETUP_ARCHIVE_TRAITS(picklejar::detail::text_input_archive,
                            picklejar::detail::text_output_archive)
