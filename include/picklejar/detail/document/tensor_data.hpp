// Moving a tensor's numbers between a file's row-major little-endian layout and an Eigen
// object's memory (either storage order), widening on the way where the types allow it.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>

#include "picklejar/detail/declare/dtypes.hpp"
#include "picklejar/detail/session/tensor_names.hpp"
#include "picklejar/error.hpp"

namespace picklejar::detail {

/// Whether a file's `from` can be loaded into `to` without losing anything: the same type, or
/// F16/BF16 -> F32/F64, F32 -> F64, and a narrower integer into a wider signed one.
constexpr bool widens_to(dtype from, dtype to) noexcept {
  if (from == to) return true;
  switch (to) {
    case dtype::f64: return from == dtype::f32 || from == dtype::f16 || from == dtype::bf16;
    case dtype::f32: return from == dtype::f16 || from == dtype::bf16;
    case dtype::i64: return from == dtype::i32 || from == dtype::i16 || from == dtype::i8 || from == dtype::u8;
    case dtype::i32: return from == dtype::i16 || from == dtype::i8 || from == dtype::u8;
    case dtype::i16: return from == dtype::i8 || from == dtype::u8;
    default: return false;
  }
}

inline float half_bits_to_float(std::uint16_t half) noexcept {
  const std::uint32_t sign = static_cast<std::uint32_t>(half & 0x8000u) << 16;
  std::uint32_t exponent = (half >> 10) & 0x1fu;
  std::uint32_t mantissa = half & 0x3ffu;
  std::uint32_t bits = 0;
  if (exponent == 0x1fu) {
    bits = sign | 0x7f800000u | (mantissa << 13);  // infinity or NaN
  } else if (exponent != 0) {
    bits = sign | ((exponent + 112) << 23) | (mantissa << 13);
  } else if (mantissa != 0) {  // subnormal: normalise
    exponent = 113;
    while ((mantissa & 0x400u) == 0) {
      mantissa <<= 1;
      --exponent;
    }
    bits = sign | (exponent << 23) | ((mantissa & 0x3ffu) << 13);
  } else {
    bits = sign;
  }
  float value = 0;
  std::memcpy(&value, &bits, sizeof value);
  return value;
}

inline float bfloat16_bits_to_float(std::uint16_t bfloat) noexcept {
  const std::uint32_t bits = static_cast<std::uint32_t>(bfloat) << 16;
  float value = 0;
  std::memcpy(&value, &bits, sizeof value);
  return value;
}

template <class Source>
Source read_unaligned(const char* at) noexcept {
  Source value;
  std::memcpy(&value, at, sizeof value);
  return value;
}

/// Element i of a block of `type`, as Target.
template <class Target>
Target element_as(const char* data, dtype type, std::size_t i) noexcept {
  switch (type) {
    case dtype::f64: return static_cast<Target>(read_unaligned<double>(data + 8 * i));
    case dtype::f32: return static_cast<Target>(read_unaligned<float>(data + 4 * i));
    case dtype::f16: return static_cast<Target>(half_bits_to_float(read_unaligned<std::uint16_t>(data + 2 * i)));
    case dtype::bf16: return static_cast<Target>(bfloat16_bits_to_float(read_unaligned<std::uint16_t>(data + 2 * i)));
    case dtype::i64: return static_cast<Target>(read_unaligned<std::int64_t>(data + 8 * i));
    case dtype::i32: return static_cast<Target>(read_unaligned<std::int32_t>(data + 4 * i));
    case dtype::i16: return static_cast<Target>(read_unaligned<std::int16_t>(data + 2 * i));
    case dtype::i8: return static_cast<Target>(static_cast<std::int8_t>(data[i]));
    case dtype::u8: return static_cast<Target>(static_cast<std::uint8_t>(data[i]));
    case dtype::boolean: return static_cast<Target>(data[i] != 0);
  }
  return Target{};
}

/// Where element (r, c) of a rows x cols block is, in row-major or column-major order.
inline std::size_t element_index(std::size_t r, std::size_t c, std::size_t rows, std::size_t cols, bool column_major) noexcept {
  return column_major ? c * rows + r : r * cols + c;
}

/// Copies a rows x cols block of `from` (the file's order: row-major unless `source_columns`)
/// into `target` (row-major unless `target_columns`), converting to Target.
template <class Target>
void convert_block(const char* source, dtype from, bool source_columns, std::size_t rows, std::size_t cols,
                   Target* target, bool target_columns) {
  if (source_columns == target_columns || rows == 1 || cols == 1) {
    for (std::size_t i = 0; i < rows * cols; ++i) target[i] = element_as<Target>(source, from, i);
    return;
  }
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t c = 0; c < cols; ++c)
      target[element_index(r, c, rows, cols, target_columns)] =
          element_as<Target>(source, from, element_index(r, c, rows, cols, source_columns));
}

/// Copies elements of `size` bytes from one order into another.
inline void copy_block(const char* source, bool source_columns, std::size_t size, std::size_t rows, std::size_t cols,
                       char* target, bool target_columns) {
  if (source_columns == target_columns || rows == 1 || cols == 1) {
    if (rows * cols != 0) std::memcpy(target, source, rows * cols * size);
    return;
  }
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t c = 0; c < cols; ++c)
      std::memcpy(target + element_index(r, c, rows, cols, target_columns) * size,
                  source + element_index(r, c, rows, cols, source_columns) * size, size);
}

/// Fills the memory of an object of `kind`, already sized rows x cols, from a file's block of
/// `from` (column-major when `source_columns`). A BOOL block holding a byte other than 0 or 1 is
/// errc::format.
inline void fill_tensor(const char* source, dtype from, bool source_columns, std::int64_t rows, std::int64_t cols,
                        void* target, const tensor_kind& kind, const std::string& name) {
  const auto r = static_cast<std::size_t>(rows);
  const auto c = static_cast<std::size_t>(cols);
  if (from == dtype::boolean) {
    for (std::size_t i = 0; i < r * c; ++i) {
      if (static_cast<unsigned char>(source[i]) > 1)
        throw error(errc::format, "tensor '" + name + "' holds a BOOL byte other than 0 or 1");
    }
  }
  const bool columns = !kind.row_major;
  if (from == kind.type) return copy_block(source, source_columns, kind.element_size, r, c, static_cast<char*>(target), columns);
  switch (kind.type) {
    case dtype::f64: return convert_block(source, from, source_columns, r, c, static_cast<double*>(target), columns);
    case dtype::f32: return convert_block(source, from, source_columns, r, c, static_cast<float*>(target), columns);
    case dtype::i64: return convert_block(source, from, source_columns, r, c, static_cast<std::int64_t*>(target), columns);
    case dtype::i32: return convert_block(source, from, source_columns, r, c, static_cast<std::int32_t*>(target), columns);
    case dtype::i16: return convert_block(source, from, source_columns, r, c, static_cast<std::int16_t*>(target), columns);
    default: throw error(errc::type, "tensor '" + name + "': cannot convert " + to_string(from) + " to " + to_string(kind.type));
  }
}

/// Appends an object's block (rows x cols, laid out as `kind` says) to `out` in row-major order.
inline void append_row_major(const void* data, std::int64_t rows, std::int64_t cols, const tensor_kind& kind,
                             std::string& out) {
  const auto r = static_cast<std::size_t>(rows);
  const auto c = static_cast<std::size_t>(cols);
  const std::size_t size = kind.element_size;
  const char* source = static_cast<const char*>(data);
  if (kind.row_major || r == 1 || c == 1) {
    if (r * c != 0) out.append(source, r * c * size);
    return;
  }
  const std::size_t start = out.size();
  out.resize(start + r * c * size);
  char* target = out.data() + start;
  for (std::size_t i = 0; i < r; ++i)
    for (std::size_t j = 0; j < c; ++j) std::memcpy(target + (i * c + j) * size, source + (j * r + i) * size, size);
}

}  // namespace picklejar::detail
