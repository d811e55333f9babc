// Types serialized by their own cereal functions ("foreign" types: a cereal serialize/save/load,
// member or free, and no picklejar hooks) are written inside picklejar's archives by cereal's own
// PortableBinaryOutputArchive, and what it writes is embedded as one value. Real cereal code
// relies on meeting cereal's archives: mlpack's models ask whether the archive is one of
// cereal's input archives to decide whether they are loading, polymorphic members go through
// CEREAL_REGISTER_TYPE, pointees through load_and_construct or a private constructor reached
// through cereal::access. Inside cereal's own archive all of that works as it does without
// picklejar, bit-exactly, and a load that reads less than the save wrote is an error in every
// format (the embedded bytes must be used up).
//
// Layout (docs/file-format.md, "Embedded cereal data"):
//   binary, portable_binary: u64 byte count, then cereal's portable binary bytes;
//   json, xml: the value is a string: those bytes in base64 (RFC 4648, padded).
// The embedded data is a world of its own: shared pointers inside it are shared among
// themselves only, never with pointers in the rest of the picklejar object.
//
// The text formats embed cereal's binary rather than cereal's JSON/XML: cereal's text parsers
// recurse without bound and cannot report members a load left unread, while the binary stream
// is read by cereal's iterative reader from a buffer picklejar has verified and bounded.
#pragma once

#include <cereal/archives/portable_binary.hpp>
#include <cereal/cereal.hpp>
#include <cereal/types/memory.hpp>  // the pointer wrappers named below

#include <cstdint>
#include <cstring>
#include <exception>
#include <memory>
#include <sstream>
#include <streambuf>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "picklejar/detail/archives/binary.hpp"
#include "picklejar/detail/archives/text.hpp"
#include "picklejar/detail/object_io/cereal_bridge.hpp"
#include "picklejar/detail/document/container.hpp"
#include "picklejar/detail/declare/library_types.hpp"
#include "picklejar/detail/session/memory_budget.hpp"

namespace picklejar::detail {

// cereal's own helper templates that reach picklejar's archives (base classes named in a
// serialize, the pointer wrappers CEREAL_REGISTER_TYPE instantiates for every archive): cereal's
// functions for them run as they are.
template <class T>
struct is_cereal_helper : std::false_type {};
template <class T>
struct is_cereal_helper<cereal::base_class<T>> : std::true_type {};
template <class T>
struct is_cereal_helper<cereal::virtual_base_class<T>> : std::true_type {};
template <class T>
struct is_cereal_helper<cereal::memory_detail::PtrWrapper<T>> : std::true_type {};
template <class A, class T>
struct is_cereal_helper<cereal::memory_detail::LoadAndConstructLoadWrapper<A, T>> : std::true_type {};

using embedding_output_archive = cereal::PortableBinaryOutputArchive;
using embedding_input_archive = cereal::PortableBinaryInputArchive;

/// T is a program's class that cereal itself saves (and picklejar has no hooks for).
template <class T>
constexpr bool is_cereal_class() {
  if constexpr (!std::is_class_v<T> || std::is_const_v<T> || is_library_type<T> || is_cereal_helper<T>::value) {
    return false;
  } else if constexpr (uses_bridge<T> || cereal::traits::is_specialized<T, embedding_output_archive>::value) {
    return false;  // picklejar's hooks, or a cereal::specialize the program chose itself
  } else {
    return cereal::traits::detail::count_output_serializers<T, embedding_output_archive>::value == 1;
  }
}

/// Values of T are embedded: cereal both saves and loads them.
template <class T>
constexpr bool embeds_value() {
  if constexpr (!is_cereal_class<T>()) return false;
  else return cereal::traits::detail::count_input_serializers<T, embedding_input_archive>::value == 1;
}

/// A pointer to U is embedded whole (pointer and pointee, through cereal's memory.hpp) when
/// picklejar's own pointer support cannot build the pointee the way cereal does: a polymorphic
/// U (its subtypes are registered with CEREAL_REGISTER_TYPE), a U built by load_and_construct,
/// or one whose default constructor only cereal::access reaches. Other pointers to cereal
/// classes stay in picklejar's object graph (sharing kept) and only their pointee is embedded.
template <class U>
constexpr bool embeds_pointer_to() {
  using V = std::remove_cv_t<U>;
  if constexpr (!is_cereal_class<V>()) {
    return false;
  } else {
    return std::is_polymorphic_v<V> || !std::is_default_constructible_v<V> ||
           cereal::traits::has_load_and_construct<V, embedding_input_archive>::value;
  }
}

/// What picklejar hands to cereal's own archive as a value (pointers: pointers.hpp).
template <class T>
constexpr bool is_embedded = embeds_value<T>();

/// Reads from a byte range in place and tells how much is left.
class embedded_bytes_buffer : public std::streambuf {
 public:
  embedded_bytes_buffer(const char* data, std::size_t size) {
    char* begin = const_cast<char*>(data);  // only ever read
    setg(begin, begin, begin + size);
  }
  std::size_t remaining() const noexcept { return static_cast<std::size_t>(egptr() - gptr()); }
};

/// The embedded save running on this thread: cereal's recursion is limited as picklejar's is.
struct embedded_save_bounds {
  std::size_t levels;  // the levels above the embedded value, then those open inside it
  std::size_t max_depth;
};
inline embedded_save_bounds*& active_embedded_save() noexcept {
  thread_local embedded_save_bounds* active = nullptr;
  return active;
}

/// Sets `slot` (a thread's active embedded load or save) for one scope.
template <class Bounds>
class active_bounds_scope {
 public:
  active_bounds_scope(Bounds*& slot, Bounds* now) : slot_(slot), previous_(std::exchange(slot, now)) {}
  ~active_bounds_scope() { slot_ = previous_; }
  active_bounds_scope(const active_bounds_scope&) = delete;
  active_bounds_scope& operator=(const active_bounds_scope&) = delete;

 private:
  Bounds*& slot_;
  Bounds* previous_;
};

template <class T>
std::string cereal_bytes_of(const T& value, std::size_t levels_above, std::size_t max_depth) {
  embedded_save_bounds bounds{levels_above, max_depth};
  active_bounds_scope<embedded_save_bounds> scope(active_embedded_save(), &bounds);
  std::ostringstream out(std::ios::binary);
  {
    embedding_output_archive archive(out);
    archive(value);
  }
  return std::move(out).str();
}

/// Refuses embedded cereal data where the options say so (options::untrusted(): a class's own
/// cereal functions allocate what the data claims), and in files written before classes with
/// their own cereal functions were embedded (they hold such a value field by field).
template <class Archive>
void check_embedded_cereal_allowed(Archive& archive) {
  if (archive.session().container_version() < first_version_embedding_cereal) {
    archive.path().fail(errc::version,
                        "this file (container version " + std::to_string(archive.session().container_version()) +
                            ") stores this class field by field, as picklejar did before it let a class's "
                            "own cereal functions write it (version " +
                            std::to_string(first_version_embedding_cereal) +
                            "); load the file with the picklejar that wrote it and save it again");
  }
  if (archive.session().refuses_embedded_cereal()) {
    archive.path().fail(errc::format,
                        "this value is loaded by its class's own cereal functions, whose allocations "
                        "options.max_memory cannot bound; refused for a file from a stranger "
                        "(options.refuse_embedded_cereal, set by options::untrusted())");
  }
}

/// The embedded load running on this thread: what bounds what cereal reads (below).
struct embedded_load_bounds {
  const embedded_bytes_buffer* buffer;
  field_path* path;
  std::uint64_t next_count_element_bytes = 1;  // what one element of the container about to be sized costs
  std::uint64_t fresh_pointee_bytes = 0;       // a pointer read next may construct an object this large
  std::size_t levels = 0;                      // class values open in cereal's recursion
};
inline embedded_load_bounds*& active_embedded_load() noexcept {
  thread_local embedded_load_bounds* active = nullptr;
  return active;
}

/// cereal sizes a string or container by the count it has just read, before reading a single
/// element: each count is checked against the bytes left (an element takes at least one byte,
/// beyond count_allowance_for_empty_elements) and charged to the load's memory budget, at what
/// one element of that container costs, before cereal allocates for it. Outside an embedded load
/// (plain cereal code) nothing happens.
inline void check_embedded_count(std::uint64_t count) {
  embedded_load_bounds* const bounds = active_embedded_load();
  if (bounds == nullptr) return;
  const std::uint64_t each = std::exchange(bounds->next_count_element_bytes, 1);
  const std::uint64_t left = bounds->buffer->remaining();
  if (count > left + count_allowance_for_empty_elements) {
    bounds->path->fail(errc::format, "the embedded cereal data claims " + std::to_string(count) +
                                         " elements but only " + std::to_string(left) + " bytes follow");
  }
  memory_budget& budget = bounds->path->budget();
  if (!budget.try_charge(count, each)) bounds->path->fail(errc::limit, budget.refusal(count, each));
}

// What cereal's recursion meets, as seen by the prologue/epilogue hooks below.

/// cereal's wrappers around a value (names, sizes, raw bytes: detail/archives/binary.hpp; bases,
/// pointer plumbing): no level of their own.
template <class T>
constexpr bool is_embedded_wrapper = is_cereal_wrapper<T>::value || is_cereal_helper<T>::value;

template <class T, class = void>
struct has_key_type : std::false_type {};
template <class T>
struct has_key_type<T, std::void_t<typename T::key_type>> : std::true_type {};

/// Elements in blocks (vector, string, deque, vector<bool>), without links per element: indexed
/// by position, and not a map.
template <class T, class = void>
struct is_block_container : std::false_type {};
template <class T>
struct is_block_container<T, std::void_t<decltype(std::declval<T&>()[std::declval<typename T::size_type>()])>>
    : std::bool_constant<!has_key_type<T>::value> {};
/// A container cereal sizes by a count it reads first (strings, sequences, sets, maps; not
/// std::array): what one element costs once allocated. Block containers hold the element itself,
/// node-based ones its links too.
template <class T, class = void>
struct sized_container_element : std::integral_constant<std::uint64_t, 0> {};
template <class T>
struct sized_container_element<T, std::void_t<typename T::value_type, typename T::size_type,
                                              decltype(std::declval<T&>().clear())>>
    : std::integral_constant<std::uint64_t, sizeof(typename T::value_type) +
                                                (is_block_container<T>::value ? 0 : node_overhead_bytes)> {};

template <class T>
struct is_name_value_pair : std::false_type {};
template <class T>
struct is_name_value_pair<cereal::NameValuePair<T>> : std::true_type {};

template <class T>
struct pointee_of_cereal_pointer {
  static constexpr std::uint64_t bytes = 0;
};
template <class T, class D>
struct pointee_of_cereal_pointer<cereal::memory_detail::PtrWrapper<std::unique_ptr<T, D>&>> {
  static constexpr std::uint64_t bytes = sizeof(T);
};
template <class T>
struct pointee_of_cereal_pointer<cereal::memory_detail::PtrWrapper<std::shared_ptr<T>&>> {
  static constexpr std::uint64_t bytes = sizeof(T);
};

/// Before cereal reads a value while picklejar loads embedded data: the depth is limited
/// (options.max_depth, counting the levels above the embedded value), a container's element
/// cost is noted for the count that follows, and an object a pointer has just constructed is
/// charged before its members are read (cereal reads it as the name-value pair "data" right
/// after the pointer's own flag or id).
template <class T>
void embedded_value_begins(const T& value) {
  embedded_load_bounds* const bounds = active_embedded_load();
  if (bounds == nullptr) return;
  if constexpr (!std::is_class_v<T>) {
    (void)value;
  } else if constexpr (is_embedded_wrapper<T>) {
    if constexpr (pointee_of_cereal_pointer<T>::bytes != 0) {
      bounds->fresh_pointee_bytes = pointee_of_cereal_pointer<T>::bytes;
    } else if constexpr (is_name_value_pair<T>::value) {
      if (bounds->fresh_pointee_bytes != 0 && std::strcmp(value.name, "data") == 0) {
        const std::uint64_t bytes = std::exchange(bounds->fresh_pointee_bytes, 0);
        memory_budget& budget = bounds->path->budget();
        if (!budget.try_charge(1, bytes)) bounds->path->fail(errc::limit, budget.refusal(1, bytes));
      }
    }
  } else {
    (void)value;
    if (bounds->path->depth() + ++bounds->levels > bounds->path->max_depth()) {
      bounds->path->fail(errc::limit, too_deep(bounds->path->max_depth()) + ", in embedded cereal data");
    }
    if constexpr (sized_container_element<T>::value != 0) {
      bounds->next_count_element_bytes = sized_container_element<T>::value;
    }
  }
}

/// Before cereal writes a class value of an embedded save: the depth is limited as on load, so
/// a chain 100,000 deep is an error, not a stack overflow, and what saves also loads.
template <class T>
void embedded_value_written_begins() {
  embedded_save_bounds* const bounds = active_embedded_save();
  if constexpr (std::is_class_v<T> && !is_embedded_wrapper<T>) {
    if (bounds != nullptr && ++bounds->levels > bounds->max_depth) {
      throw error(errc::limit, too_deep(bounds->max_depth) + ", in a value's own cereal functions");
    }
  } else {
    (void)bounds;
  }
}

template <class T>
void embedded_value_written_ends() noexcept {
  if constexpr (std::is_class_v<T> && !is_embedded_wrapper<T>) {
    if (embedded_save_bounds* const bounds = active_embedded_save()) --bounds->levels;
  }
}

template <class T>
void embedded_value_ends() noexcept {
  embedded_load_bounds* const bounds = active_embedded_load();
  if (bounds == nullptr) return;
  if constexpr (std::is_class_v<T> && !is_embedded_wrapper<T>) {
    --bounds->levels;
  } else if constexpr (pointee_of_cereal_pointer<T>::bytes != 0) {
    bounds->fresh_pointee_bytes = 0;  // a null pointer or one read before: nothing was constructed
  }
}

/// Lets cereal load `value` from `bytes`; every byte must be used.
template <class T>
void load_cereal_bytes(field_path& path, const char* bytes, std::size_t size, T& value) {
  embedded_bytes_buffer buffer(bytes, size);
  std::istream in(&buffer);
  embedded_load_bounds bounds{&buffer, &path};
  active_bounds_scope<embedded_load_bounds> scope(active_embedded_load(), &bounds);
  try {
    embedding_input_archive archive(in);
    archive(value);
  } catch (const cereal::Exception& failure) {
    path.fail(errc::format, std::string("the embedded cereal data cannot be read: ") + failure.what());
  } catch (const error& failure) {
    // Thrown inside cereal's archive, which knows no field path: this field's is the place.
    if (!failure.field_path().empty() || dynamic_cast<const std::nested_exception*>(&failure) != nullptr) throw;
    path.fail(failure.code(), failure.reason());
  }
  if (buffer.remaining() != 0) {
    path.fail(errc::format, std::to_string(buffer.remaining()) +
                                " bytes of the embedded cereal data remain after the object was read (its "
                                "cereal load reads less than its save writes)");
  }
}

inline std::string to_base64(std::string_view bytes) {
  static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    std::uint32_t group = static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])) << 16;
    if (i + 1 < bytes.size()) group |= static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8;
    if (i + 2 < bytes.size()) group |= static_cast<unsigned char>(bytes[i + 2]);
    out += alphabet[(group >> 18) & 63];
    out += alphabet[(group >> 12) & 63];
    out += i + 1 < bytes.size() ? alphabet[(group >> 6) & 63] : '=';
    out += i + 2 < bytes.size() ? alphabet[group & 63] : '=';
  }
  return out;
}

/// Decodes strict base64 (padded, no whitespace); false when `text` is not that.
inline bool from_base64(std::string_view text, std::string& out) {
  if (text.size() % 4 != 0) return false;
  auto value_of = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  out.clear();
  out.reserve(text.size() / 4 * 3);
  for (std::size_t i = 0; i < text.size(); i += 4) {
    const bool last = i + 4 == text.size();
    const int padding = last ? (text[i + 3] == '=') + (text[i + 2] == '=') : 0;
    if (padding == 1 && text[i + 2] == '=') return false;  // "x=y=" is not base64
    std::uint32_t group = 0;
    for (int k = 0; k < 4 - padding; ++k) {
      const int digit = value_of(text[i + static_cast<std::size_t>(k)]);
      if (digit < 0) return false;
      group |= static_cast<std::uint32_t>(digit) << (18 - 6 * k);
    }
    out += static_cast<char>((group >> 16) & 0xFF);
    if (padding < 2) out += static_cast<char>((group >> 8) & 0xFF);
    if (padding < 1) out += static_cast<char>(group & 0xFF);
  }
  return true;
}

// ---- writing and reading embedded values (a value, or a whole pointer: pointers.hpp) ----

template <class T>
void save_embedded(binary_output_archive& archive, const T& value) {
  const std::string bytes = cereal_bytes_of(value, archive.session().levels(), archive.session().max_depth());
  archive.write_value(static_cast<std::uint64_t>(bytes.size()));
  archive.write_bytes(bytes.data(), bytes.size());
}

template <class T>
void load_embedded(binary_input_archive& archive, T& value) {
  check_embedded_cereal_allowed(archive);
  std::uint64_t size = 0;
  archive.read_value(size);
  archive.require(size, "the embedded cereal data");
  charge_memory(archive, size, 1);
  std::string bytes(static_cast<std::size_t>(size), '\0');
  archive.read_bytes(bytes.data(), bytes.size());
  load_cereal_bytes(archive.path(), bytes.data(), bytes.size(), value);
}

template <class T>
void save_embedded(text_output_archive& archive, const T& value) {
  archive.write_leaf(node_kind::string,
                     to_base64(cereal_bytes_of(value, archive.session().levels(), archive.session().max_depth())));
}

template <class T>
void load_embedded(text_input_archive& archive, T& value) {
  check_embedded_cereal_allowed(archive);
  std::string text;
  archive.read_string(text);
  std::string bytes;
  charge_memory(archive, text.size() / 4 * 3, 1);
  if (!from_base64(text, bytes)) archive.path().fail(errc::format, "the embedded cereal data is not base64");
  load_cereal_bytes(archive.path(), bytes.data(), bytes.size(), value);
}

/// Asked by every picklejar archive about every value (embedding_hook.hpp).
template <class T>
struct embedding {
  static constexpr bool value = is_embedded<T>;
  template <class Archive>
  static void save(Archive& archive, const T& object) {
    save_embedded(archive, object);
  }
  template <class Archive>
  static void load(Archive& archive, T& object) {
    load_embedded(archive, object);
  }
};

}  // namespace picklejar::detail

namespace cereal {

// Every count cereal reads from a portable binary stream (strings, containers) passes through
// picklejar's bound while picklejar loads embedded data (picklejar::detail::check_embedded_count),
// and so does every value (picklejar::detail::embedded_value_begins/ends, through cereal's
// prologue and epilogue hooks). Otherwise these read the count exactly as cereal's own function
// for size tags does and do nothing. They are chosen over cereal's templates by overload resolution
// wherever picklejar's headers are included; a program that also loads portable binary in a file
// without them may link that file's instantiation instead, and then the bound does not run
// (one-definition rule).
inline void CEREAL_SERIALIZE_FUNCTION_NAME(PortableBinaryInputArchive& archive, SizeTag<size_type&>& tag) {
  archive(tag.size);
  picklejar::detail::check_embedded_count(static_cast<std::uint64_t>(tag.size));
}

template <class T>
void prologue(PortableBinaryInputArchive&, const T& value) {
  picklejar::detail::embedded_value_begins(value);
}

template <class T>
void epilogue(PortableBinaryInputArchive&, const T&) noexcept {
  picklejar::detail::embedded_value_ends<T>();
}

template <class T>
void prologue(PortableBinaryOutputArchive&, const T&) {
  picklejar::detail::embedded_value_written_begins<T>();
}

template <class T>
void epilogue(PortableBinaryOutputArchive&, const T&) noexcept {
  picklejar::detail::embedded_value_written_ends<T>();
}

}  // namespace cereal
