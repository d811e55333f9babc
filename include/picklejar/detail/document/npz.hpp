// The layout of a .npz file, as numpy.load reads it: a zip archive (entries stored, not
// compressed; zip64 records where a size or an offset needs them) of .npy files, version 1.0,
// one per tensor, row-major ("fortran_order": False), little-endian.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "picklejar/detail/declare/dtypes.hpp"
#include "picklejar/error.hpp"

namespace picklejar::detail {

/// numpy's name for `type` ("<f4"); empty for one numpy lacks (BF16).
inline std::string numpy_descr(dtype type) {
  switch (type) {
    case dtype::f64: return "<f8";
    case dtype::f32: return "<f4";
    case dtype::f16: return "<f2";
    case dtype::bf16: return "";
    case dtype::i64: return "<i8";
    case dtype::i32: return "<i4";
    case dtype::i16: return "<i2";
    case dtype::i8: return "|i1";
    case dtype::u8: return "|u1";
    case dtype::boolean: return "|b1";
  }
  return "";
}

/// The .npy header (magic, version 1.0, the dict padded so that the data starts at 64 bytes).
inline std::string npy_header(dtype type, const std::vector<std::int64_t>& shape) {
  std::string dict = "{'descr': '" + numpy_descr(type) + "', 'fortran_order': False, 'shape': (";
  for (std::size_t i = 0; i < shape.size(); ++i) dict += (i != 0 ? ", " : "") + std::to_string(shape[i]);
  dict += shape.size() == 1 ? ",), }" : "), }";
  const std::size_t unpadded = 10 + dict.size() + 1;  // magic, version, length, dict, '\n'
  dict.append((64 - unpadded % 64) % 64, ' ');
  dict += '\n';
  std::string header("\x93NUMPY\x01\x00", 8);
  header += static_cast<char>(dict.size() & 0xff);
  header += static_cast<char>((dict.size() >> 8) & 0xff);
  return header + dict;
}

/// CRC-32 (ISO-HDLC, as zip uses it), continued from `crc`.
inline std::uint32_t crc32(const char* data, std::size_t size, std::uint32_t crc = 0) noexcept {
  static const std::array<std::uint32_t, 256> table = [] {
    std::array<std::uint32_t, 256> entries{};
    for (std::uint32_t i = 0; i < 256; ++i) {
      std::uint32_t value = i;
      for (int bit = 0; bit < 8; ++bit) value = (value & 1u) != 0 ? 0xEDB88320u ^ (value >> 1) : value >> 1;
      entries[i] = value;
    }
    return entries;
  }();
  crc = ~crc;
  for (std::size_t i = 0; i < size; ++i) crc = table[(crc ^ static_cast<unsigned char>(data[i])) & 0xffu] ^ (crc >> 8);
  return ~crc;
}

/// Builds a stored zip archive entry by entry; `emit` receives the bytes in order.
class zip_writer {
 public:
  /// The bytes of a local header for an entry `name` of `size` bytes with `crc`, at the current offset.
  std::string local_header(const std::string& name, std::uint64_t size, std::uint32_t crc) {
    entry added{name, size, crc, offset_};
    const bool large = size >= limit32;
    std::string out;
    put(out, 0x04034b50u, 4);
    put(out, large ? 45 : 20, 2);  // version needed
    put(out, 0, 2);                // flags
    put(out, 0, 2);                // stored
    put(out, 0, 2);                // time
    put(out, 0x21, 2);             // date: 1980-01-01
    put(out, crc, 4);
    put(out, large ? limit32 : size, 4);
    put(out, large ? limit32 : size, 4);
    put(out, name.size(), 2);
    put(out, large ? 20 : 0, 2);
    out += name;
    if (large) {
      put(out, 0x0001, 2);
      put(out, 16, 2);
      put(out, size, 8);
      put(out, size, 8);
    }
    offset_ += out.size() + size;
    entries_.push_back(added);
    return out;
  }

  /// The central directory and its end records.
  std::string finish() const {
    std::string out;
    const std::uint64_t directory_start = offset_;
    for (const entry& item : entries_) {
      const bool large_size = item.size >= limit32;
      const bool large_offset = item.offset >= limit32;
      const std::size_t extra = (large_size ? 16 : 0) + (large_offset ? 8 : 0);
      put(out, 0x02014b50u, 4);
      put(out, 45, 2);  // made by
      put(out, extra != 0 ? 45 : 20, 2);
      put(out, 0, 2);
      put(out, 0, 2);
      put(out, 0, 2);
      put(out, 0x21, 2);
      put(out, item.crc, 4);
      put(out, large_size ? limit32 : item.size, 4);
      put(out, large_size ? limit32 : item.size, 4);
      put(out, item.name.size(), 2);
      put(out, extra != 0 ? extra + 4 : 0, 2);
      put(out, 0, 2);  // comment
      put(out, 0, 2);  // disk
      put(out, 0, 2);  // internal attributes
      put(out, 0, 4);  // external attributes
      put(out, large_offset ? limit32 : item.offset, 4);
      out += item.name;
      if (extra != 0) {
        put(out, 0x0001, 2);
        put(out, extra, 2);
        if (large_size) {
          put(out, item.size, 8);
          put(out, item.size, 8);
        }
        if (large_offset) put(out, item.offset, 8);
      }
    }
    const std::uint64_t directory_size = out.size();
    const bool zip64 = directory_start >= limit32 || entries_.size() >= 0xffff || directory_size >= limit32;
    if (zip64) {
      const std::uint64_t record_start = directory_start + directory_size;
      put(out, 0x06064b50u, 4);
      put(out, 44, 8);
      put(out, 45, 2);
      put(out, 45, 2);
      put(out, 0, 4);
      put(out, 0, 4);
      put(out, entries_.size(), 8);
      put(out, entries_.size(), 8);
      put(out, directory_size, 8);
      put(out, directory_start, 8);
      put(out, 0x07064b50u, 4);
      put(out, 0, 4);
      put(out, record_start, 8);
      put(out, 1, 4);
    }
    put(out, 0x06054b50u, 4);
    put(out, 0, 2);
    put(out, 0, 2);
    put(out, zip64 ? 0xffff : entries_.size(), 2);
    put(out, zip64 ? 0xffff : entries_.size(), 2);
    put(out, zip64 ? limit32 : directory_size, 4);
    put(out, zip64 ? limit32 : directory_start, 4);
    put(out, 0, 2);
    return out;
  }

 private:
  static constexpr std::uint64_t limit32 = 0xffffffffu;
  struct entry {
    std::string name;
    std::uint64_t size;
    std::uint32_t crc;
    std::uint64_t offset;
  };
  static void put(std::string& out, std::uint64_t value, int bytes) {
    for (int i = 0; i < bytes; ++i) out += static_cast<char>((value >> (8 * i)) & 0xffu);
  }
  std::vector<entry> entries_;
  std::uint64_t offset_ = 0;
};

}  // namespace picklejar::detail
