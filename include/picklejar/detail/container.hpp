// The container around every payload: what identifies a picklejar file, its format, the root
// type and the user's metadata. docs/file-format.md describes the layout.
//
// Binary formats (all integers little-endian):
//   0  magic "\x89PJAR\r\n\x1a"      8 bytes; the \r\n and \x1a catch text-mode transfers
//   8  container version             u16 (1)
//  10  format                        u8  (1 binary, 2 portable_binary)
//  11  flags                         u8  (bit 0: payload is little-endian)
//  12  header section size           u32
//  16  payload size                  u64
//  24  checksum kind                 u8  (1: XXH3-64)
//  25  reserved                      7 bytes, zero
//  32  checksum                      u64: XXH3-64 of the payload, then the header section, then
//                                    bytes 0-31 (everything in the file but the checksum itself)
//  40  header section: type name, metadata count, then key/value pairs; each string is a u32
//      length and its bytes. Then, if any versioned type is in the file, a version count and
//      (type name, u32 version) pairs.
//  40 + header section size: payload
// Text formats: a document {"header": {...}, "value": ...} (XML: <picklejar><header>...).
#pragma once

#include <cstdint>
#include <cstring>
#include <map>
#include <string>
#include <string_view>

#include "picklejar/detail/checksum.hpp"
#include "picklejar/detail/text_tree.hpp"
#include "picklejar/error.hpp"
#include "picklejar/options.hpp"

namespace picklejar::detail {

inline constexpr char binary_magic[8] = {'\x89', 'P', 'J', 'A', 'R', '\r', '\n', '\x1a'};
inline constexpr std::uint16_t container_version = 1;
inline constexpr std::size_t fixed_header_bytes = 40;
inline constexpr std::uint8_t flag_little_endian = 1;
inline constexpr const char* text_magic = "picklejar";

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

/// Appends the fixed header and the header section; the payload size is patched in afterwards
/// by finish_binary_container.
inline void begin_binary_container(std::string& out, format fmt, bool little_endian,
                                   std::string_view type_name, const options& opts) {
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
  out.append(binary_magic, sizeof binary_magic);
  put_le(out, container_version, 2);
  put_le(out, static_cast<std::uint8_t>(fmt), 1);
  put_le(out, little_endian ? flag_little_endian : 0, 1);
  put_le(out, section.size(), 4);
  put_le(out, 0, 8);   // payload size, patched later
  put_le(out, 0, 8);   // checksum kind + reserved
  put_le(out, 0, 8);   // checksum
  out += section;
}

/// Adds the version table to the end of the header section (the payload moves up).
inline void add_binary_version_table(std::string& out, std::size_t container_start,
                                     const std::map<std::string, std::uint32_t>& versions) {
  if (versions.empty()) return;
  std::string table;
  put_le(table, versions.size(), 4);
  for (const auto& [name, version] : versions) {
    put_le(table, name.size(), 4);
    table += name;
    put_le(table, version, 4);
  }
  const std::size_t section_size = get_le(out.data() + container_start + 12, 4);
  out.insert(container_start + fixed_header_bytes + section_size, table);
  patch_le(out, container_start + 12, section_size + table.size(), 4);
}

/// Patches the payload size in and seals the file with its checksum; `checksum` already holds
/// the payload, hashed while it was written.
inline void finish_binary_container(std::string& out, std::size_t container_start, checksum_stream& checksum) {
  const std::size_t section_start = container_start + fixed_header_bytes;
  const std::size_t header_end = section_start + get_le(out.data() + container_start + 12, 4);
  patch_le(out, container_start + 16, out.size() - header_end, 8);
  patch_le(out, container_start + 24, static_cast<std::uint8_t>(checksum_kind::xxh3_64), 1);
  checksum.update(out.data() + section_start, header_end - section_start);
  checksum.update(out.data() + container_start, 32);
  patch_le(out, container_start + 32, checksum.digest(), 8);
}

inline bool looks_binary(std::string_view bytes) {
  return bytes.size() >= sizeof binary_magic &&
         std::memcmp(bytes.data(), binary_magic, sizeof binary_magic) == 0;
}

struct binary_container {
  file_info info;
  bool little_endian = true;
  std::string_view payload;
};

/// Checks the checksum of a whole binary file whose sizes are known to be consistent.
inline void verify_binary_checksum(std::string_view bytes, std::uint64_t header_bytes) {
  const auto kind = static_cast<checksum_kind>(get_le(bytes.data() + 24, 1));
  if (kind == checksum_kind::none) {
    throw error(errc::integrity, "the file carries no checksum (options.verify_checksum = false loads it "
                                 "unverified)");
  }
  if (kind != checksum_kind::xxh3_64) {
    throw error(errc::format, "the header names checksum kind " + std::to_string(static_cast<int>(kind)) +
                                  ", which this program does not know");
  }
  checksum_stream checksum;
  checksum.update(bytes.substr(header_bytes));
  checksum.update(bytes.substr(fixed_header_bytes, header_bytes - fixed_header_bytes));
  checksum.update(bytes.substr(0, 32));
  const std::uint64_t stored = get_le(bytes.data() + 32, 8);
  if (checksum.digest() != stored) {
    throw error(errc::integrity, "the checksum does not match: the file is damaged (stored " +
                                     checksum_to_text(stored) + ", computed " +
                                     checksum_to_text(checksum.digest()) + ")");
  }
}

/// Reads and checks the header; the payload must be exactly as long as the header says, and the
/// checksum is verified (when asked) before the header section is read.
/// `bytes` may be only the start of the file (at least its header) when the checksum is not
/// verified; `file_size` is then the whole file's size.
inline binary_container read_binary_container(std::string_view bytes, bool verify_checksum = true,
                                              std::uint64_t file_size = UINT64_MAX) {
  binary_container result;
  file_info& info = result.info;
  if (file_size == UINT64_MAX) file_size = bytes.size();
  if (file_size < fixed_header_bytes || bytes.size() < fixed_header_bytes) {
    throw error(errc::integrity, "the file is truncated: " + std::to_string(file_size) +
                                     " bytes, shorter than a picklejar header");
  }
  // The sizes first (a file of another length is torn), then the checksum, and only then what
  // the header says: a damaged byte anywhere, the version field included, is errc::integrity.
  std::uint64_t section_bytes = get_le(bytes.data() + 12, 4);
  std::uint64_t payload_bytes = get_le(bytes.data() + 16, 8);
  std::uint64_t available = file_size - fixed_header_bytes;
  if (section_bytes > available || payload_bytes != available - section_bytes ||
      bytes.size() < fixed_header_bytes + section_bytes) {
    throw error(errc::integrity, "the file is " + std::to_string(file_size) +
                                     " bytes but its header describes " +
                                     std::to_string(fixed_header_bytes + section_bytes + payload_bytes) +
                                     " (truncated or extended)");
  }
  info.file_bytes = file_size;
  info.header_bytes = fixed_header_bytes + section_bytes;
  info.payload_bytes = payload_bytes;
  info.container_version = static_cast<std::uint16_t>(get_le(bytes.data() + 8, 2));
  const bool known_version = info.container_version != 0 && info.container_version <= container_version;
  if (verify_checksum) {
    try {
      verify_binary_checksum(bytes, info.header_bytes);
    } catch (const error& failure) {
      if (known_version) throw;
      throw error(failure.code(), failure.reason() + "; or it was written by a newer picklejar (container "
                                                     "version " + std::to_string(info.container_version) + ")");
    }
  }
  if (!known_version) {
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
  info.format = static_cast<format>(format_byte);
  result.little_endian = (get_le(bytes.data() + 11, 1) & flag_little_endian) != 0;
  if (get_le(bytes.data() + 24, 1) == static_cast<std::uint8_t>(checksum_kind::xxh3_64))
    info.checksum = checksum_to_text(get_le(bytes.data() + 32, 8));

  std::string_view section = bytes.substr(fixed_header_bytes, section_bytes);
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
  info.type_name = take_string("type name");
  std::uint64_t entries = get_le(take(4, "metadata").data(), 4);
  for (std::uint64_t i = 0; i < entries; ++i) {
    std::string key = take_string("metadata");
    info.metadata[key] = take_string("metadata");
  }
  if (!section.empty()) {
    std::uint64_t versions = get_le(take(4, "version table").data(), 4);
    for (std::uint64_t i = 0; i < versions; ++i) {
      std::string name = take_string("version table");
      info.type_versions[name] = static_cast<std::uint32_t>(get_le(take(4, "version table").data(), 4));
    }
  }
  result.payload = bytes.substr(info.header_bytes);
  return result;
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
  if (checksum_to_text(checksum.digest()) != stored) {
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
  const text_node* version = find_child(*header, "container_version");
  if (!is_leaf(version) || version->text != std::to_string(container_version)) {
    throw error(errc::version, "the document's container version is " +
                                   (is_leaf(version) ? version->text : std::string("missing")) +
                                   "; this program reads version " + std::to_string(container_version));
  }
  info.container_version = container_version;
  if (const text_node* checksum = find_child(*header, "checksum"); is_leaf(checksum)) info.checksum = checksum->text;
  const text_node* type = find_child(*header, "type");
  if (!is_leaf(type)) throw error(errc::format, "the header has no root type");
  info.type_name = type->text;
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
      info.type_versions[name->text] = number;
    }
  }
  const text_node* value = find_child(document, "value");
  if (value == nullptr) throw error(errc::format, "the document has no \"value\"");
  return *value;
}

}  // namespace picklejar::detail
