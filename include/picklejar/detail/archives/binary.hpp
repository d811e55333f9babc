// The binary archives behind format::binary and format::portable_binary. They are cereal archives
// (so every cereal-serializable type works in them) that write to an output_sink and read from a
// bounded byte range: every length read from the data is checked against what remains before
// anything is allocated, and every failure names the field being read.
#pragma once

#include <cereal/cereal.hpp>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <deque>
#include <forward_list>
#include <list>
#include <map>
#include <set>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>
#include <valarray>
#include <vector>

#include "picklejar/detail/document/checksum.hpp"
#include "picklejar/detail/archives/collection_loaders.hpp"
#include "picklejar/detail/archives/embedding_hook.hpp"
#include "picklejar/detail/document/container.hpp"
#include "picklejar/detail/session/field_path.hpp"
#include "picklejar/detail/session/memory_budget.hpp"
#include "picklejar/detail/session/document_session.hpp"
#include "picklejar/detail/session/object_graph.hpp"
#include "picklejar/detail/session/tensor_names.hpp"
#include "picklejar/detail/io/output_sink.hpp"

namespace picklejar::detail {

constexpr bool host_is_little_endian() noexcept {
#if defined(__BYTE_ORDER__) && defined(__ORDER_BIG_ENDIAN__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  return false;
#else
  return true;
#endif
}

template <std::size_t Size>
inline void reverse_bytes(void* value) noexcept {
  auto* bytes = static_cast<unsigned char*>(value);
  std::reverse(bytes, bytes + Size);
}

/// Writes values in the host's byte order, or in little-endian order when asked to (portable),
/// into an output_sink (a string or a file, checksummed on the way).
class binary_output_archive
    : public cereal::OutputArchive<binary_output_archive, cereal::AllowEmptyClassElision> {
 public:
  PICKLEJAR_DETAIL_EMBEDDING_OPERATOR(binary_output_archive, OutputArchive, save)  // a program's cereal classes: embedded
  binary_output_archive(output_sink& out, bool little_endian)
      : OutputArchive(this), out_(out), swap_(little_endian != host_is_little_endian()) {}

  graph_writer& graph() noexcept { return graph_; }
  save_session& session() noexcept { return session_; }
  /// The recorder of the Eigen blocks this save writes (the tensor index, tensors.hpp); null in
  /// an archive that records none.
  tensor_recorder* tensors() const noexcept { return tensors_; }
  /// Records into `recorder`, with positions counted from `origin` (the sink's position of the
  /// file's first byte).
  void record_tensors(tensor_recorder* recorder, std::uint64_t origin) noexcept {
    tensors_ = recorder;
    origin_ = origin;
  }

  /// Where the next byte goes: its offset in the file, or, inside sized blocks, in the innermost
  /// one (`depth` says how many are open).
  std::uint64_t position(std::size_t& depth) const noexcept {
    depth = blocks_.size();
    return blocks_.empty() ? out_.position() - origin_ : blocks_.back().size();
  }

  /// Zero bytes up to the next multiple of `alignment` in the file, preceded by their count (a
  /// byte), so that a reader skips them without knowing where it is. Inside a sized block the
  /// file offset is not known yet: no padding there. Returns where the next byte goes.
  std::uint64_t pad_to(std::uint64_t alignment, std::size_t& depth) {
    const std::uint64_t after_count = position(depth) + 1;
    const auto padding = static_cast<std::uint8_t>(depth == 0 ? (alignment - after_count % alignment) % alignment : 0);
    write_value(padding);
    static constexpr char zeros[256] = {};
    write_bytes(zeros, padding);
    return after_count + padding;
  }

  void write_bytes(const void* data, std::size_t size) {
    if (blocks_.empty()) out_.write(data, size);
    else blocks_.back().append(static_cast<const char*>(data), size);
  }

  /// What is written until end_sized_block() is preceded by its size (a uint64), so that a reader
  /// can skip it: the members a newer version of a class added. Blocks nest.
  void begin_sized_block() { blocks_.emplace_back(); }
  void end_sized_block() {
    std::string block = std::move(blocks_.back());
    blocks_.pop_back();
    write_value(static_cast<std::uint64_t>(block.size()));
    if (tensors_ != nullptr) {
      std::size_t depth = 0;
      const std::uint64_t start = position(depth);
      tensors_->block_placed(depth, start);
    }
    write_bytes(block.data(), block.size());
  }

  template <class T>
  void write_value(T value) {
    if constexpr (sizeof(T) > 1) {
      if (swap_) reverse_bytes<sizeof(T)>(&value);
    }
    write_bytes(&value, sizeof(T));
  }

  /// Contiguous elements of ElementSize bytes each, in one block unless bytes must be swapped.
  template <std::size_t ElementSize>
  void write_elements(const void* data, std::size_t bytes) {
    if (ElementSize == 1 || !swap_) return write_bytes(data, bytes);
    const auto* source = static_cast<const char*>(data);
    for (std::size_t offset = 0; offset + ElementSize <= bytes; offset += ElementSize) {
      char element[ElementSize];
      std::memcpy(element, source + offset, ElementSize);
      reverse_bytes<ElementSize>(element);
      write_bytes(element, ElementSize);
    }
  }

 private:
  output_sink& out_;
  bool swap_;
  graph_writer graph_;
  save_session session_;
  std::vector<std::string> blocks_;  // open sized blocks, innermost last
  tensor_recorder* tensors_ = nullptr;
  std::uint64_t origin_ = 0;
};

/// Reads what binary_output_archive wrote, from [data, data + size), swapping bytes when the data
/// was written in the other byte order. The caller has verified the checksum over the whole file
/// before this archive reads a byte (save_load.hpp: read_document), so no user code (hooks,
/// load_minimal, comparators, hash functions, constructors) ever sees unverified data.
class binary_input_archive
    : public cereal::InputArchive<binary_input_archive, cereal::AllowEmptyClassElision> {
 public:
  PICKLEJAR_DETAIL_EMBEDDING_OPERATOR(binary_input_archive, InputArchive, load)  // a program's cereal classes: embedded
  binary_input_archive(const char* data, std::size_t size, bool little_endian, field_path& path)
      : InputArchive(this),
        data_(data),
        size_(size),
        swap_(little_endian != host_is_little_endian()),
        path_(path) {}

  graph_reader& graph() noexcept { return graph_; }
  load_session& session() noexcept { return session_; }
  field_path& path() noexcept { return path_; }
  /// Where tensors left out of the data come from, when this load fills them (tensors.hpp).
  tensor_substitution* substitution() const noexcept { return substitution_; }
  void substitute_tensors(tensor_substitution* substitution) noexcept { substitution_ = substitution; }
  memory_budget& budget() noexcept { return path_.budget(); }
  std::size_t remaining() const noexcept { return size_ - position_; }
  std::size_t position() const noexcept { return position_; }

  /// Reads the size that begin_sized_block() wrote and returns where the block ends.
  std::size_t read_block_end(const char* what) {
    std::uint64_t size = 0;
    read_value(size);
    require(size, what);
    return position_ + static_cast<std::size_t>(size);
  }
  /// Skips the padding pad_to() wrote (container version 5 on; nothing before). An archive used
  /// outside a document (version 0) reads the current layout.
  void skip_padding() {
    const std::uint16_t version = session_.container_version();
    if (version != 0 && version < first_version_aligning_tensors) return;
    std::uint8_t padding = 0;
    read_value(padding);
    take(padding, "padding");
  }

  /// Moves past the rest of a block (what this program does not know); `end` from read_block_end.
  void skip_to(std::size_t end) noexcept {
    if (end > position_ && end <= size_) position_ = end;
  }

  /// Fails unless `bytes` more bytes are there: called before allocating for a length read from data.
  void require(std::uint64_t bytes, const char* what = "a value") {  // what: with its article
    if (bytes > remaining()) fail_short(bytes, what);
  }

  /// The next `bytes` bytes, consumed: for loaders that copy them straight into their own storage.
  const char* take(std::size_t bytes, const char* what) {
    require(bytes, what);
    const char* at = data_ + position_;
    position_ += bytes;
    return at;
  }

  void read_bytes(void* out, std::size_t size) {
    require(size);
    if (size != 0) std::memcpy(out, data_ + position_, size);
    position_ += size;
  }

  template <class T>
  void read_value(T& value) {
    if constexpr (std::is_same_v<T, bool>) {
      // A bool holding any byte but 0 or 1 is undefined behaviour wherever it is used: check the
      // byte, never copy it into the bool as it is.
      require_booleans(1);
      unsigned char byte = 0;
      read_bytes(&byte, 1);
      value = byte != 0;
    } else {
      read_bytes(&value, sizeof(T));
      if constexpr (sizeof(T) > 1) {
        if (swap_) reverse_bytes<sizeof(T)>(&value);
      }
    }
  }

  /// Fails unless each of the next `count` bytes is a valid bool (0 or 1); they are not consumed.
  void require_booleans(std::size_t count) {
    require(count, "a boolean");
    const auto* bytes = reinterpret_cast<const unsigned char*>(data_ + position_);
    for (std::size_t i = 0; i < count; ++i) {
      if (bytes[i] > 1) {
        path_.fail(errc::format, "expected a boolean (a byte 0 or 1), found the byte " + std::to_string(bytes[i]));
      }
    }
  }

  template <std::size_t ElementSize>
  void read_elements(void* out, std::size_t bytes) {
    require(bytes);
    auto* target = static_cast<char*>(out);
    if (bytes != 0) std::memcpy(target, data_ + position_, bytes);
    position_ += bytes;
    if (ElementSize > 1 && swap_) {
      for (std::size_t offset = 0; offset + ElementSize <= bytes; offset += ElementSize)
        reverse_bytes<ElementSize>(target + offset);
    }
  }

 private:
  // Out of line, so that require() stays small enough to inline: it runs per value.
  [[noreturn, gnu::noinline, gnu::cold]] void fail_short(std::uint64_t bytes, const char* what) const {
    // The checksum has been verified, so the bytes are what was written: the type differs. Binary
    // data is read by position, so a member missing earlier shows at whichever field runs out.
    path_.fail(errc::format, std::string("the data ends inside ") + what + ": it needs " +
                                 std::to_string(bytes) + " bytes and " + std::to_string(remaining()) +
                                 " remain; if the file is intact, the type does not match it: binary data is "
                                 "read by position, so a member added or removed without PICKLEJAR_VERSION "
                                 "is reported at a later field");
  }

  const char* data_;
  std::size_t size_;
  std::size_t position_ = 0;
  bool swap_;
  field_path& path_;
  graph_reader graph_;
  load_session session_;
  tensor_substitution* substitution_ = nullptr;
};

// cereal finds these by argument-dependent lookup on the archive type.

template <class T, std::enable_if_t<std::is_arithmetic_v<T>, int> = 0>
void CEREAL_SAVE_FUNCTION_NAME(binary_output_archive& archive, const T& value) {
  archive.write_value(value);
}

template <class T, std::enable_if_t<std::is_arithmetic_v<T>, int> = 0>
void CEREAL_LOAD_FUNCTION_NAME(binary_input_archive& archive, T& value) {
  archive.read_value(value);
}

template <class T>
void CEREAL_SAVE_FUNCTION_NAME(binary_output_archive& archive, const cereal::NameValuePair<T>& pair) {
  if (tensor_recorder* names = archive.tensors()) names->name_next(pair.name);
  archive(pair.value);
}

template <class T>
void CEREAL_LOAD_FUNCTION_NAME(binary_input_archive& archive, cereal::NameValuePair<T>& pair) {
  archive.path().name_next(pair.name);
  archive(pair.value);
  archive.path().clear_pending();
}

template <class T>
void CEREAL_SAVE_FUNCTION_NAME(binary_output_archive& archive, const cereal::SizeTag<T>& tag) {
  archive.write_value(static_cast<std::uint64_t>(tag.size));
}

// A count of elements cannot exceed the bytes left by more than count_allowance_for_empty_elements:
// every element takes at least one byte, except those written as nothing (std::array<T, 0>,
// std::tuple<>, empty classes). The memory budget bounds what the allowed elements cost.
[[noreturn, gnu::noinline, gnu::cold]] inline void refuse_count(binary_input_archive& archive, std::uint64_t count) {
  archive.path().fail(errc::limit, "the data claims " + std::to_string(count) + " elements but only " +
                                       std::to_string(archive.remaining()) + " bytes remain");
}
template <class T>
void CEREAL_LOAD_FUNCTION_NAME(binary_input_archive& archive, cereal::SizeTag<T>& tag) {
  std::uint64_t count = 0;
  archive.read_value(count);
  if (count > archive.remaining() + count_allowance_for_empty_elements) refuse_count(archive, count);
  tag.size = static_cast<std::remove_reference_t<T>>(count);
}

template <class T>
void CEREAL_SAVE_FUNCTION_NAME(binary_output_archive& archive, const cereal::BinaryData<T>& block) {
  using element = std::remove_pointer_t<std::remove_reference_t<T>>;
  constexpr std::size_t element_size = std::is_void_v<element> ? 1 : sizeof(element);
  archive.template write_elements<element_size>(block.data, static_cast<std::size_t>(block.size));
}

template <class T>
void CEREAL_LOAD_FUNCTION_NAME(binary_input_archive& archive, cereal::BinaryData<T>& block) {
  using element = std::remove_pointer_t<std::remove_reference_t<T>>;
  constexpr std::size_t element_size = std::is_void_v<element> ? 1 : sizeof(element);
  // Blocks of bools (std::array<bool, N>, Eigen arrays of bool) are checked like single bools.
  if constexpr (std::is_same_v<std::remove_cv_t<element>, bool>) archive.require_booleans(static_cast<std::size_t>(block.size));
  archive.template read_elements<element_size>(block.data, static_cast<std::size_t>(block.size));
}

// Nested objects get a frame in the field path; names, sizes and raw blocks do not.
template <class T>
struct is_cereal_wrapper : std::false_type {};
template <class T>
struct is_cereal_wrapper<cereal::NameValuePair<T>> : std::true_type {};
template <class T>
struct is_cereal_wrapper<cereal::SizeTag<T>> : std::true_type {};
template <class T>
struct is_cereal_wrapper<cereal::BinaryData<T>> : std::true_type {};

template <class T, std::enable_if_t<std::is_class_v<T> && !is_cereal_wrapper<T>::value, int> = 0>
void prologue(binary_input_archive& archive, const T&) {
  archive.path().enter();
  class_begins<T>(archive);
}

template <class T, std::enable_if_t<std::is_class_v<T> && !is_cereal_wrapper<T>::value, int> = 0>
void epilogue(binary_input_archive& archive, const T&) {
  class_ends<T>(archive);
  archive.path().leave();
}

// Saving counts the same levels as loading (options.max_depth).
template <class T, std::enable_if_t<std::is_class_v<T> && !is_cereal_wrapper<T>::value, int> = 0>
void prologue(binary_output_archive& archive, const T&) {
  archive.session().enter_level();
  if (tensor_recorder* names = archive.tensors()) names->enter();
  class_begins<T>(archive);
}

/// A map key as a tensor name's segment; null for a key that is no string or number (the item's
/// position names it then).
template <class Key>
constexpr key_text_function map_key_text() {
  if constexpr (std::is_convertible_v<const Key&, std::string>)
    return [](const void* key) { return std::string(*static_cast<const Key*>(key)); };
  else if constexpr (std::is_integral_v<Key>)
    return [](const void* key) { return std::to_string(*static_cast<const Key*>(key)); };
  else if constexpr (std::is_enum_v<Key>)
    return [](const void* key) { return std::to_string(static_cast<std::underlying_type_t<Key>>(*static_cast<const Key*>(key))); };
  else
    return nullptr;
}

// A map's items are named by their keys in tensor names.
template <class Key, class Value>
void prologue(binary_output_archive& archive, const cereal::MapItem<Key, Value>& item) {
  archive.session().enter_level();
  using key_type = std::remove_cv_t<std::remove_reference_t<Key>>;
  if (tensor_recorder* names = archive.tensors()) names->enter_map_item(&item.key, map_key_text<key_type>());
  class_begins<cereal::MapItem<Key, Value>>(archive);
}

template <class T, std::enable_if_t<std::is_class_v<T> && !is_cereal_wrapper<T>::value, int> = 0>
void epilogue(binary_output_archive& archive, const T&) {
  class_ends<T>(archive);
  if (tensor_recorder* names = archive.tensors()) names->leave();
  archive.session().leave_level();
}

// Containers: a count is checked against the bytes left, but an element may take far more memory
// than file bytes (a struct with a large unsaved array, an empty optional), so every container is
// charged to the load's memory budget at its elements' sizeof before it grows (see
// collection_loaders.hpp), instead of cereal's resizing to the claimed count.
template <class T, class Allocator, std::enable_if_t<!std::is_arithmetic_v<T>, int> = 0>
void CEREAL_LOAD_FUNCTION_NAME(binary_input_archive& archive, std::vector<T, Allocator>& vector) {
  load_sequence(archive, vector);
}

// Numbers are read as one block: checked at its size in bytes, and charged, before the vector is
// sized for it.
template <class T, class Allocator, std::enable_if_t<std::is_arithmetic_v<T> && !std::is_same_v<T, bool>, int> = 0>
void CEREAL_LOAD_FUNCTION_NAME(binary_input_archive& archive, std::vector<T, Allocator>& vector) {
  cereal::size_type count = 0;
  archive(cereal::make_size_tag(count));
  archive.require(static_cast<std::uint64_t>(count) * sizeof(T), "an array");  // count <= bytes left: no overflow
  charge_memory(archive, count, sizeof(T));
  vector.resize(static_cast<std::size_t>(count));
  archive(cereal::binary_data(vector.data(), static_cast<std::size_t>(count) * sizeof(T)));
}

template <class T, std::enable_if_t<std::is_arithmetic_v<T>, int> = 0>
void CEREAL_LOAD_FUNCTION_NAME(binary_input_archive& archive, std::valarray<T>& values) {
  cereal::size_type count = 0;
  archive(cereal::make_size_tag(count));
  archive.require(static_cast<std::uint64_t>(count) * sizeof(T), "an array");
  charge_memory(archive, count, sizeof(T));
  values.resize(static_cast<std::size_t>(count));
  if (count != 0) archive(cereal::binary_data(&values[0], static_cast<std::size_t>(count) * sizeof(T)));
}

template <class CharT, class Traits, class Allocator, std::enable_if_t<std::is_arithmetic_v<CharT>, int> = 0>
void CEREAL_LOAD_FUNCTION_NAME(binary_input_archive& archive, std::basic_string<CharT, Traits, Allocator>& text) {
  cereal::size_type count = 0;
  archive(cereal::make_size_tag(count));
  archive.require(static_cast<std::uint64_t>(count) * sizeof(CharT), "a string");
  charge_memory(archive, count, sizeof(CharT));
  if constexpr (std::is_same_v<CharT, char>) {  // copied once, straight from the data: no zero-fill first
    text.assign(archive.take(static_cast<std::size_t>(count), "a string"), static_cast<std::size_t>(count));
  } else {
    text.resize(static_cast<std::size_t>(count));
    archive(cereal::binary_data(text.data(), static_cast<std::size_t>(count) * sizeof(CharT)));
  }
}

PICKLEJAR_DETAIL_NODE_CONTAINER_LOADERS(binary_input_archive)

/// The save enters (+1) or leaves (-1) a state that get_state() returned, maybe a copy that is
/// gone when the save ends: a tensor recorder copies the blocks it meets there (no-op elsewhere).
inline void in_returned_state(binary_output_archive& archive, int change) noexcept {
  if (tensor_recorder* names = archive.tensors()) names->copied_state(change);
}
template <class Archive>
void in_returned_state(Archive&, int) noexcept {}

/// Checks that `bytes` can still be read before a loader allocates for them (no-op elsewhere).
inline void require_available(binary_input_archive& archive, std::uint64_t bytes, const char* what) {
  archive.require(bytes, what);
}
template <class Archive>
void require_available(Archive&, std::uint64_t, const char*) {}

}  // namespace picklejar::detail

CEREAL_REGISTER_ARCHIVE(picklejar::detail::binary_output_archive)
CEREAL_REGISTER_ARCHIVE(picklejar::detail::binary_input_archive)
CEREAL_SETUP_ARCHIVE_TRAITS(picklejar::detail::binary_input_archive,
                            picklejar::detail::binary_output_archive)
