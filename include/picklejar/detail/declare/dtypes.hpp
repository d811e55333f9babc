// The element types a tensor can have in a file (contract §7), and which C++ scalar is which.
// Declared below the archives so that a binary save can name the dtype of every Eigen block it
// writes (eigen.hpp adds Eigen::half and Eigen::bfloat16); tensors.hpp is what users include.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>

namespace picklejar {

/// A tensor's element type, as safetensors names them (to_string gives "F64", "F32", ...).
enum class dtype : std::uint8_t { f64, f32, f16, bf16, i64, i32, i16, i8, u8, boolean };

/// "F64", "F32", "F16", "BF16", "I64", "I32", "I16", "I8", "U8" or "BOOL".
inline std::string to_string(dtype type) {
  switch (type) {
    case dtype::f64: return "F64";
    case dtype::f32: return "F32";
    case dtype::f16: return "F16";
    case dtype::bf16: return "BF16";
    case dtype::i64: return "I64";
    case dtype::i32: return "I32";
    case dtype::i16: return "I16";
    case dtype::i8: return "I8";
    case dtype::u8: return "U8";
    case dtype::boolean: return "BOOL";
  }
  return "?";
}

namespace detail {

/// Bytes per element of `type`.
constexpr std::size_t dtype_size(dtype type) noexcept {
  switch (type) {
    case dtype::f64: case dtype::i64: return 8;
    case dtype::f32: case dtype::i32: return 4;
    case dtype::f16: case dtype::bf16: case dtype::i16: return 2;
    case dtype::i8: case dtype::u8: case dtype::boolean: return 1;
  }
  return 0;
}

/// The dtype of a C++ scalar; `known` is false for a scalar no tensor format holds (complex,
/// long double, unsigned wider than a byte).
template <class Scalar, class = void>
struct dtype_of {
  static constexpr bool known = false;
  static constexpr dtype value = dtype::u8;
};
template <dtype Type>
struct known_dtype {
  static constexpr bool known = true;
  static constexpr dtype value = Type;
};
template <> struct dtype_of<double> : known_dtype<dtype::f64> {};
template <> struct dtype_of<float> : known_dtype<dtype::f32> {};
template <> struct dtype_of<bool> : known_dtype<dtype::boolean> {};
template <> struct dtype_of<std::uint8_t> : known_dtype<dtype::u8> {};
template <class Scalar>
struct dtype_of<Scalar, std::enable_if_t<std::is_integral_v<Scalar> && std::is_signed_v<Scalar> &&
                                         !std::is_same_v<Scalar, bool>>>
    : known_dtype<sizeof(Scalar) == 8   ? dtype::i64
                  : sizeof(Scalar) == 4 ? dtype::i32
                  : sizeof(Scalar) == 2 ? dtype::i16
                                        : dtype::i8> {};

}  // namespace detail
}  // namespace picklejar
