// The container around every payload: what identifies a picklejar file, its format, the root
// type and the user's metadata. docs/file-format.md describes the layout.
//
// Binary formats (all integers little-endian):
//   0  magic "\x89PJAR\r\n\x1a"      8 bytes; the \r\n and \x1a catch text-mode transfers
//   8  container version             u16 (2; version 1 files are read too)
//  10  format                        u8  (1 binary, 2 portable_binary)
//  11  flags                         u8  (bit 0: payload is little-endian)
//  12  header section size           u32
//  16  payload size                  u64
//  24  checksum kind                 u8  (1: XXH3-64)
//  25  reserved                      3 bytes, zero
//  28  trailer size                  u32 (version 2; zero in version 1)
//  32  checksum                      u64: XXH3-64 of the payload and trailer, then the header
//                                    section, then bytes 0-31 (everything in the file but the
//                                    checksum itself)
//  40  header section: type name, metadata count, then key/value pairs; each string is a u32
//      length and its bytes. (Version 1: then the version table, as in the trailer.)
//  40 + header section size: payload
//  then the trailer: if any versioned type is in the file, a version count and (type name, u32
//      version) pairs. It follows the payload because it is known only once the payload is
//      written, and a save streams the payload to the file as it goes.
// Text formats: a document {"header": {...}, "value": ...} (XML: <picklejar><header>...).
#pragma once

#include <cstdint>
#include <cstring>
#include <map>
#include <string>
#include <string_view>

#include "picklejar/detail/document/checksum.hpp"
#include "picklejar/detail/codecs/text_tree.hpp"
#include "picklejar/detail/declare/type_name.hpp"
#include "picklejar/error.hpp"
#include "picklejar/options.hpp"

namespace picklejar::detail {

inline constexpr char binary_magic[8] = {'\x89', 'P', 'J', 'A', 'R', '\r', '\n', '\x1a'};
// 2: the version table after the payload (binary formats). 3: a class with its own cereal
// functions is stored as cereal's portable binary bytes (embedded_cereal.hpp); versions 1 and 2
// stored it field by field. 4: in binary formats, the PICKLEJAR_FIELDS_SINCE members of a
// versioned class are preceded by their size (detail/object_io/cereal_bridge.hpp), so they can be skipped.
// 5: an Eigen dense block's data is preceded by a padding count and zeros that align it to 64
// bytes in the file, and the trailer ends with a tensor index (tensor_index.hpp).
inline constexpr std::uint16_t container_version = 5;
inline constexpr std::uint16_t first_version_aligning_tensors = 5;
inline constexpr std::uint16_t first_version_embedding_cereal = 3;
inline constexpr std::uint16_t first_version_sizing_newer_members = 4;
inline constexpr std::size_t fixed_header_bytes = 40;
inline constexpr std::uint8_t flag_little_endian = 1;
inline constexpr const char* text_magic = "picklejar";

// Fuzzing builds (the define every fuzzing engine's build sets) compute checksums but accept
// mismatches, so that mutated inputs reach the parsers behind them. Never set it in production.
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
inline constexpr bool checksum_bypassed_for_fuzzing = true;
#else
inline constexpr bool checksum_bypassed_for_fuzzing = false;
#endif

inline void put_le(std::string& out, std::uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}
inline std::uint64_t get_le(const char* in, int bytes) {
  std::uint64_t value = 0;
  for (int i = 0; i < bytes; ++i) value |= std::uint64_t(static_cast<unsigned char>(in[i])) << (8 * i);
  return value;
}
inline void patch_le(std::string& out, std::size_t offset, std::uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) out[offset + i] = static_cast<char>((value >> (8 * i)) & 0xff);
}

/// The header section: root type name and metadata.
inline std::string binary_header_section(std::string_view type_name, const options& opts) {
  std::string section;
  auto put_string = [&section](std::string_view text) {
    put_le(section, text.size(), 4);
    section.append(text.data(), text.size());
  };
  put_string(type_name);
  put_le(section, opts.metadata.size(), 4);
  for (const auto& [key, value] : opts.metadata) {
    put_string(key);
    put_string(value);
  }
  return section;
}

/// The trailer: the version table and then the tensor index (tensor_index.hpp); nothing when
/// both are empty.
inline std::string binary_trailer(const std::map<std::string, std::uint32_t>& versions, std::string_view index = {}) {
  std::string table;
  if (versions.empty() && index.empty()) return table;
  put_le(table, versions.size(), 4);
  for (const auto& [name, version] : versions) {
    put_le(table, name.size(), 4);
    table += name;
    put_le(table, version, 4);
  }
  table += index;
  return table;
}

/// Bytes 0-31 of the file: everything in the fixed header before the checksum.
inline std::string binary_fixed_header(format fmt, bool little_endian, std::uint64_t section_bytes,
                                       std::uint64_t payload_bytes, std::uint64_t trailer_bytes) {
  std::string out;
  out.append(binary_magic, sizeof binary_magic);
  put_le(out, container_version, 2);
  put_le(out, static_cast<std::uint8_t>(fmt), 1);
  put_le(out, little_endian ? flag_little_endian : 0, 1);
  put_le(out, section_bytes, 4);
  put_le(out, payload_bytes, 8);
  put_le(out, static_cast<std::uint8_t>(checksum_kind::xxh3_64), 1);
  put_le(out, 0, 3);
  put_le(out, trailer_bytes, 4);
  return out;
}

inline bool looks_binary(std::string_view bytes) {
  return bytes.size() >= sizeof binary_magic &&
         std::memcmp(bytes.data(), binary_magic, sizeof binary_magic) == 0;
}

/// Where the parts of a binary file are, from its fixed header and its size.
struct binary_layout {
  std::uint64_t file_bytes = 0;
  std::uint64_t section_bytes = 0;
  std::uint64_t payload_bytes = 0;
  std::uint64_t trailer_bytes = 0;
  std::uint64_t header_bytes() const noexcept { return fixed_header_bytes + section_bytes; }
  std::uint64_t trailer_offset() const noexcept { return header_bytes() + payload_bytes; }
};

/// Reads the sizes in the fixed header (`head` holds at least its 40 bytes) and checks that they
/// add up to the file's size: a file of another length is torn (errc::integrity). Nothing else in
/// the header is trusted yet.
inline binary_layout read_binary_layout(std::string_view head, std::uint64_t file_size) {
  if (file_size < fixed_header_bytes || head.size() < fixed_header_bytes) {
    throw error(errc::integrity, "the file is truncated: " + std::to_string(file_size) +
                                     " bytes, shorter than a picklejar header");
  }
  binary_layout layout;
  layout.file_bytes = file_size;
  layout.section_bytes = get_le(head.data() + 12, 4);
  layout.payload_bytes = get_le(head.data() + 16, 8);
  layout.trailer_bytes = get_le(head.data() + 28, 4);
  const std::uint64_t available = file_size - fixed_header_bytes;
  if (layout.section_bytes + layout.trailer_bytes > available ||
      layout.payload_bytes != available - layout.section_bytes - layout.trailer_bytes) {
    throw error(errc::integrity, "the file is " + std::to_string(file_size) + " bytes but its header describes " +
                                     std::to_string(fixed_header_bytes + layout.section_bytes +
                                                    layout.payload_bytes + layout.trailer_bytes) +
                                     " (truncated or extended)");
  }
  return layout;
}

/// Completes a binary file's checksum, XXH3-64 over the payload, the trailer, the header section
/// and the fixed header's first 32 bytes, in that order (docs/file-format.md): the header comes
/// last so that the payload can be hashed while it streams out. `payload_and_trailer` has been fed
/// those two; this adds the rest.
inline std::uint64_t complete_binary_checksum(checksum_stream& payload_and_trailer, std::string_view section,
                                              std::string_view fixed_header) {
  payload_and_trailer.update(section);
  payload_and_trailer.update(fixed_header.substr(0, 32));
  return payload_and_trailer.digest();
}

/// A binary file's parts, header read. The views point into the caller's bytes.
struct binary_container {
  file_info info;
  bool little_endian = true;
  std::string_view payload;
  std::string_view trailer;
  std::string_view section;
  std::string_view first_bytes;  ///< bytes 0-31
  std::string_view tensor_index;  ///< the trailer after the version table (tensor_index.hpp)
  std::uint64_t stored_checksum = 0;

  /// Completes a checksum that has been fed the payload, and compares it with the stored one.
  void check_checksum(checksum_stream& payload_hashed) const {
    payload_hashed.update(trailer);
    const std::uint64_t computed = complete_binary_checksum(payload_hashed, section, first_bytes);
    if (computed != stored_checksum && !checksum_bypassed_for_fuzzing) {
      throw error(errc::integrity, "the checksum does not match: the file is damaged (stored " +
                                       checksum_to_text(stored_checksum) + ", computed " +
                                       checksum_to_text(computed) + ")");
    }
  }
};

/// How read_binary_container treats the checksum.
enum class checksum_check {
  now,       ///< verify it before reading the header's contents
  skip,      ///< options.verify_checksum = false, or only the header is wanted
};

/// Reads a version table (the trailer, or the end of a version 1 header section) and returns
/// what follows it: the tensor index from container version 5 on, else nothing.
inline std::string_view read_version_table(std::string_view table, file_info& info);

/// Reads what the header says (after the sizes, and the checksum when verified first).
inline void read_binary_header(std::string_view bytes, binary_container& result, const binary_layout& layout,
                               bool whole) {
  file_info& info = result.info;
  if (info.container_version == 0 || info.container_version > container_version) {
    throw error(errc::version, "the file's container version is " +
                                   std::to_string(info.container_version) +
                                   "; this program reads versions up to " +
                                   std::to_string(container_version));
  }
  auto format_byte = static_cast<std::uint8_t>(get_le(bytes.data() + 10, 1));
  if (format_byte != static_cast<std::uint8_t>(format::binary) &&
      format_byte != static_cast<std::uint8_t>(format::portable_binary)) {
    throw error(errc::format, "unknown binary format code " + std::to_string(format_byte));
  }
  if (info.container_version == 1 && layout.trailer_bytes != 0) {
    throw error(errc::format, "a version 1 file has no trailer, but this header gives one");
  }
  info.format = static_cast<format>(format_byte);
  result.little_endian = (get_le(bytes.data() + 11, 1) & flag_little_endian) != 0;

  std::string_view section = result.section;
  auto take = [&section](std::uint64_t count, const char* what) {
    if (count > section.size()) {
      throw error(errc::format, std::string("the header is damaged: its ") + what + " runs past its end");
    }
    std::string_view part = section.substr(0, count);
    section.remove_prefix(count);
    return part;
  };
  auto take_string = [&](const char* what) {
    std::uint64_t length = get_le(take(4, what).data(), 4);
    return std::string(take(length, what));
  };
  info.type_name = normalize_type_name(take_string("type name"));  // as another compiler spelled it
  std::uint64_t entries = get_le(take(4, "metadata").data(), 4);
  for (std::uint64_t i = 0; i < entries; ++i) {
    std::string key = take_string("metadata");
    info.metadata[key] = take_string("metadata");
  }
  if (!section.empty()) read_version_table(section, info);  // version 1 kept it here
  if (whole) result.tensor_index = read_version_table(result.trailer, info);
}

/// Reads and checks the header of a whole binary file; the sizes first, then the checksum (when
/// asked), and only then what the header says: a damaged byte anywhere, the version field
/// included, is errc::integrity. `bytes` may hold only the header (checksum_check::skip), with
/// `file_size` the size of the whole file; the trailer is then not read.
inline binary_container read_binary_container(std::string_view bytes, checksum_check check = checksum_check::now,
                                              std::uint64_t file_size = UINT64_MAX) {
  binary_container result;
  file_info& info = result.info;
  if (file_size == UINT64_MAX) file_size = bytes.size();
  const binary_layout layout = read_binary_layout(bytes, file_size);
  if (bytes.size() < layout.header_bytes()) {
    throw error(errc::integrity, "the file is truncated inside its header");
  }
  info.file_bytes = file_size;
  info.header_bytes = layout.header_bytes();
  info.payload_bytes = layout.payload_bytes;
  info.trailer_bytes = layout.trailer_bytes;
  info.container_version = static_cast<std::uint16_t>(get_le(bytes.data() + 8, 2));
  const bool whole = bytes.size() == file_size;
  result.section = bytes.substr(fixed_header_bytes, layout.section_bytes);
  result.first_bytes = bytes.substr(0, 32);
  if (whole) {
    result.payload = bytes.substr(layout.header_bytes(), layout.payload_bytes);
    result.trailer = bytes.substr(layout.trailer_offset());
  }
  result.stored_checksum = get_le(bytes.data() + 32, 8);
  const bool known_version = info.container_version != 0 && info.container_version <= container_version;
  const auto kind = static_cast<checksum_kind>(get_le(bytes.data() + 24, 1));
  // A file from a newer picklejar may hash differently: say so beside a failed check.
  auto verify_whole = [&result, &info, known_version] {
    try {
      checksum_stream checksum;
      checksum.update(result.payload);
      result.check_checksum(checksum);
    } catch (const error& failure) {
      if (known_version) throw;
      throw error(failure.code(), failure.reason() + "; or it was written by a newer picklejar (container "
                                                     "version " + std::to_string(info.container_version) + ")");
    }
  };
  if (check != checksum_check::skip) {
    if (kind == checksum_kind::none) {
      throw error(errc::integrity, "the file carries no checksum (options.verify_checksum = false loads it "
                                   "unverified)" + std::string(known_version ? "" : "; or it was written by a newer picklejar"));
    }
    if (kind != checksum_kind::xxh3_64) {
      const std::string unknown = "checksum kind " + std::to_string(static_cast<int>(kind)) +
                                  ", which this program does not know" +
                                  (known_version ? "" : " (container version " + std::to_string(info.container_version) + ")");
      // The kind byte is covered by the checksum too: a damaged one (the likelier cause) leaves an
      // XXH3-64 that no longer matches, and is errc::integrity like damage anywhere else.
      if (whole) {
        try {
          checksum_stream checksum;
          checksum.update(result.payload);
          result.check_checksum(checksum);
        } catch (const error& failure) {
          throw error(errc::integrity, failure.reason() + "; or it uses " + unknown);
        }
      }
      throw error(errc::format, "the header names " + unknown);
    }
    if (check == checksum_check::now) verify_whole();
  }
  read_binary_header(bytes, result, layout, whole);
  if (kind == checksum_kind::xxh3_64) info.checksum = checksum_to_text(result.stored_checksum);
  return result;
}

inline std::string_view read_version_table(std::string_view table, file_info& info) {
  if (table.empty()) return table;
  auto take = [&table](std::uint64_t count) {
    if (count > table.size()) throw error(errc::format, "the version table is damaged: it runs past its end");
    std::string_view part = table.substr(0, count);
    table.remove_prefix(count);
    return part;
  };
  const std::uint64_t versions = get_le(take(4).data(), 4);
  for (std::uint64_t i = 0; i < versions; ++i) {
    const std::uint64_t length = get_le(take(4).data(), 4);
    std::string name(take(length));
    info.type_versions[normalize_type_name(name)] = static_cast<std::uint32_t>(get_le(take(4).data(), 4));
  }
  if (!table.empty() && info.container_version < first_version_aligning_tensors)
    throw error(errc::format, "the version table is damaged: bytes follow its last entry");
  return table;
}

// ---- text formats ----

inline text_node text_leaf(std::string name, node_kind kind, std::string text) {
  text_node node;
  node.name = std::move(name);
  node.kind = kind;
  node.text = std::move(text);
  return node;
}

inline text_node make_text_header(std::string_view type_name, const options& opts) {
  text_node header;
  header.name = "header";
  header.kind = node_kind::object;
  header.children.push_back(text_leaf("format", node_kind::string, text_magic));
  header.children.push_back(
      text_leaf("container_version", node_kind::number, std::to_string(container_version)));
  // Written as zeros, then replaced by the checksum of the whole document as written.
  header.children.push_back(text_leaf("checksum", node_kind::string,
                                      checksum_to_text(0)));
  header.children.push_back(text_leaf("type", node_kind::string, std::string(type_name)));
  text_node metadata;
  metadata.name = "metadata";
  metadata.kind = node_kind::array;
  for (const auto& [key, value] : opts.metadata) {
    text_node entry;
    entry.kind = node_kind::object;
    entry.children.push_back(text_leaf("key", node_kind::string, key));
    entry.children.push_back(text_leaf("value", node_kind::string, value));
    metadata.children.push_back(std::move(entry));
  }
  header.children.push_back(std::move(metadata));
  return header;
}

/// Replaces the zero checksum that the header of the document in out[start..] holds with the
/// checksum of the document (taken with the zeros in place).
inline void seal_text_document(std::string& out, std::size_t start) {
  const std::size_t at = out.find(checksum_to_text(0), start);
  if (at == std::string::npos) throw error(errc::format, "internal: no checksum placeholder in the document");
  checksum_stream checksum;
  checksum.update(std::string_view(out).substr(start));
  const std::string sealed = checksum_to_text(checksum.digest());
  out.replace(at, sealed.size(), sealed);
}

/// Verifies a text document's checksum before it is parsed: the first "xxh3-64:" in the bytes
/// is the header's (the header comes first, and the caller checks that it is). Returns it, or an
/// empty string when the bytes hold none.
inline std::string verify_text_checksum(std::string_view bytes) {
  const std::size_t at = bytes.find(text_checksum_prefix);
  const std::size_t digits_at = at + text_checksum_prefix.size();
  if (at == std::string_view::npos || bytes.size() - digits_at < text_checksum_digits) return {};
  const std::string stored(bytes.substr(at, text_checksum_prefix.size() + text_checksum_digits));
  checksum_stream checksum;
  checksum.update(bytes.substr(0, digits_at));
  checksum.update(std::string(text_checksum_digits, '0'));
  checksum.update(bytes.substr(digits_at + text_checksum_digits));
  if (checksum_to_text(checksum.digest()) != stored && !checksum_bypassed_for_fuzzing) {
    throw error(errc::integrity, "the checksum does not match: the document is damaged or was edited "
                                 "(stored " + stored + ", computed " + checksum_to_text(checksum.digest()) + ")");
  }
  return stored;
}

inline void add_text_version_table(text_node& header, const std::map<std::string, std::uint32_t>& versions) {
  if (versions.empty()) return;
  text_node table;
  table.name = "versions";
  table.kind = node_kind::array;
  for (const auto& [name, version] : versions) {
    text_node entry;
    entry.kind = node_kind::object;
    entry.children.push_back(text_leaf("type", node_kind::string, name));
    entry.children.push_back(text_leaf("version", node_kind::number, std::to_string(version)));
    table.children.push_back(std::move(entry));
  }
  header.children.push_back(std::move(table));
}

inline const text_node* find_child(const text_node& parent, std::string_view name) {
  for (const auto& child : parent.children)
    if (child.name == name) return &child;
  return nullptr;
}

inline bool is_leaf(const text_node* node) {
  return node != nullptr && node->kind != node_kind::object && node->kind != node_kind::array;
}

/// Reads the header of a parsed text document; returns the "value" node.
inline const text_node& read_text_header(const text_node& document, file_info& info) {
  const text_node* header = find_child(document, "header");
  const text_node* format_name = header ? find_child(*header, "format") : nullptr;
  if (!is_leaf(format_name) || format_name->text != text_magic) {
    throw error(errc::format, "not a picklejar document: no header with \"format\": \"picklejar\"");
  }
  // Text documents are the same in versions 1 and 2 (version 2 changed the binary layout only).
  const text_node* version = find_child(*header, "container_version");
  const std::string version_text = is_leaf(version) ? version->text : std::string("missing");
  std::uint16_t version_number = 0;
  for (std::uint16_t known = 1; known <= container_version; ++known) {
    if (version_text == std::to_string(known)) version_number = known;
  }
  if (version_number == 0) {
    throw error(errc::version, "the document's container version is " + version_text +
                                   "; this program reads versions 1 to " + std::to_string(container_version));
  }
  info.container_version = version_number;
  if (const text_node* checksum = find_child(*header, "checksum"); is_leaf(checksum)) info.checksum = checksum->text;
  const text_node* type = find_child(*header, "type");
  if (!is_leaf(type)) throw error(errc::format, "the header has no root type");
  info.type_name = normalize_type_name(type->text);  // as another compiler spelled it
  if (const text_node* metadata = find_child(*header, "metadata")) {
    for (const auto& entry : metadata->children) {
      const text_node* key = find_child(entry, "key");
      const text_node* value = find_child(entry, "value");
      if (!is_leaf(key) || !is_leaf(value)) throw error(errc::format, "a metadata entry is damaged");
      info.metadata[key->text] = value->text;
    }
  }
  if (const text_node* versions = find_child(*header, "versions")) {
    for (const auto& entry : versions->children) {
      const text_node* name = find_child(entry, "type");
      const text_node* version = find_child(entry, "version");
      std::uint32_t number = 0;
      if (!is_leaf(name) || !is_leaf(version) || version->text.empty() || version->text.size() > 9 ||
          version->text.find_first_not_of("0123456789") != std::string::npos)
        throw error(errc::format, "a version table entry is damaged");
      for (char digit : version->text) number = number * 10 + static_cast<std::uint32_t>(digit - '0');
      info.type_versions[normalize_type_name(name->text)] = number;
    }
  }
  const text_node* value = find_child(document, "value");
  if (value == nullptr) throw error(errc::format, "the document has no \"value\"");
  return *value;
}

}  // namespace picklejar::detail
