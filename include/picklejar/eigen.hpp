/// \file
/// Eigen support: dense Matrix and Array (every arithmetic and std::complex scalar, fixed and
/// dynamic sizes, row- and column-major) and SparseMatrix. Opt-in: include
/// `<picklejar/eigen.hpp>` yourself (it brings picklejar/picklejar.hpp and Eigen's Core and
/// SparseCore; picklejar.hpp alone does not bring Eigen support).
///
/// Binary formats move the numbers as one block; JSON and XML write the shape and readable
/// numbers. Shapes read from a file are checked against the type (fixed sizes, storage order)
/// and against the data before any memory is touched: errc::format for a shape or storage order
/// the type cannot hold (a 3x3 file into a Matrix4f, row-major data into a column-major matrix)
/// or an invalid sparse structure, errc::limit for a shape too large to allocate.
///
/// ```cpp
/// #include <picklejar/eigen.hpp>
/// struct Layer { Eigen::MatrixXf w; Eigen::VectorXf b; Eigen::SparseMatrix<double> mask;
///                PICKLEJAR_FIELDS(w, b, mask) };
/// ```
#pragma once

#if defined(__has_include)
#if !__has_include(<Eigen/Core>)
#error "picklejar/eigen.hpp needs Eigen 3.4, which this build cannot find: install it (Debian: apt-get install libeigen3-dev) and let the build find it (CMake: picklejar::picklejar brings Eigen once find_package(Eigen3) can find it; pkg-config: use picklejar-eigen)"
#endif
#endif
#include <Eigen/Core>
#include <Eigen/SparseCore>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "picklejar/detail/archives/arrays.hpp"
#include "picklejar/picklejar.hpp"

namespace picklejar::detail {

template <>
struct dtype_of<Eigen::half> : known_dtype<dtype::f16> {};
template <>
struct dtype_of<Eigen::bfloat16> : known_dtype<dtype::bf16> {};

inline std::string shape_text(std::int64_t rows, std::int64_t cols) {
  return std::to_string(rows) + "x" + std::to_string(cols);
}

inline std::string dimension_text(int fixed) {
  return fixed == Eigen::Dynamic ? std::string("Dynamic") : std::to_string(fixed);
}

/// Checks a shape read from a file against the Eigen type that will hold it.
template <class Archive, class Dense>
std::size_t checked_dense_size(Archive& archive, std::int64_t rows, std::int64_t cols, bool row_major) {
  constexpr int fixed_rows = Dense::RowsAtCompileTime;
  constexpr int fixed_cols = Dense::ColsAtCompileTime;
  constexpr int max_rows = Dense::MaxRowsAtCompileTime;
  constexpr int max_cols = Dense::MaxColsAtCompileTime;
  if (rows < 0 || cols < 0) {
    fail_at(archive, errc::format, "invalid shape " + shape_text(rows, cols));
  }
  const bool fits = (fixed_rows == Eigen::Dynamic || rows == fixed_rows) &&
                    (fixed_cols == Eigen::Dynamic || cols == fixed_cols) &&
                    (max_rows == Eigen::Dynamic || rows <= max_rows) &&
                    (max_cols == Eigen::Dynamic || cols <= max_cols);
  if (!fits) {
    fail_at(archive, errc::format,
            "a " + shape_text(rows, cols) + " matrix cannot be loaded into a type of shape " +
                dimension_text(fixed_rows) + "x" + dimension_text(fixed_cols));
  }
  if (row_major != bool(Dense::IsRowMajor)) {
    fail_at(archive, errc::format,
            std::string("the data was saved from a ") + (row_major ? "row" : "column") +
                "-major matrix and cannot be loaded into a " + (Dense::IsRowMajor ? "row" : "column") +
                "-major one");
  }
  constexpr auto max_count =
      static_cast<std::uint64_t>(std::numeric_limits<Eigen::Index>::max()) / sizeof(typename Dense::Scalar);
  // Each dimension on its own too: an empty 0 x 2^62 matrix holds nothing, but code that uses
  // its shape (cols() * sizeof(Scalar), a loop over columns) overflows or never ends.
  const auto urows = static_cast<std::uint64_t>(rows);
  const auto ucols = static_cast<std::uint64_t>(cols);
  if (urows > max_count || ucols > max_count || (ucols != 0 && urows > max_count / ucols)) {
    fail_at(archive, errc::limit, "shape " + shape_text(rows, cols) + " is too large");
  }
  return static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols);
}

template <class Dense>
void* resize_dense(void* object, std::int64_t rows, std::int64_t cols) {
  Dense& dense = *static_cast<Dense*>(object);
  dense.resize(static_cast<Eigen::Index>(rows), static_cast<Eigen::Index>(cols));
  return dense.data();
}

template <class Dense>
const char* dense_description() {
  static const std::string text = std::string("an Eigen ") + (Dense::IsVectorAtCompileTime ? "vector" : "matrix") +
                                  " of " + type_name<typename Dense::Scalar>();
  return text.c_str();
}

/// What a tensor file needs to know of Dense (tensor_names.hpp), one instance per type.
template <class Dense>
const tensor_kind& dense_kind() {
  using Scalar = typename Dense::Scalar;
  static const tensor_kind kind{dtype_of<Scalar>::known,
                                dtype_of<Scalar>::value,
                                sizeof(Scalar),
                                bool(Dense::IsRowMajor),
                                bool(Dense::IsVectorAtCompileTime),
                                Dense::RowsAtCompileTime == Eigen::Dynamic ? -1 : Dense::RowsAtCompileTime,
                                Dense::ColsAtCompileTime == Eigen::Dynamic ? -1 : Dense::ColsAtCompileTime,
                                dense_description<Dense>(),
                                &resize_dense<Dense>};
  return kind;
}

template <class Archive, class Dense>
void save_dense(Archive& archive, const Dense& dense) {
  archive(cereal::make_nvp("rows", static_cast<std::int64_t>(dense.rows())),
          cereal::make_nvp("cols", static_cast<std::int64_t>(dense.cols())),
          cereal::make_nvp("row_major", bool(Dense::IsRowMajor)));
  if constexpr (std::is_same_v<Archive, binary_output_archive>) {
    // Aligned in the file, so that a mapped file's view of it needs no copy (tensor index).
    std::size_t depth = 0;
    const std::uint64_t offset = archive.pad_to(pj_tensor_alignment, depth);
    if (tensor_recorder* names = archive.tensors()) {
      const std::size_t bytes = static_cast<std::size_t>(dense.size()) * sizeof(typename Dense::Scalar);
      const std::uint64_t checksum = bytes == 0 ? checksum_of("", 0) : checksum_of(dense.data(), bytes);
      if (names->record(dense_kind<Dense>(), dense.data(), dense.rows(), dense.cols(), offset, depth, checksum)) return;
    }
  }
  save_array(archive, "data", dense.data(), static_cast<std::size_t>(dense.size()));
}

template <class Archive, class Dense>
void load_dense(Archive& archive, Dense& dense) {
  std::int64_t rows = 0;
  std::int64_t cols = 0;
  bool row_major = false;
  archive(cereal::make_nvp("rows", rows), cereal::make_nvp("cols", cols),
          cereal::make_nvp("row_major", row_major));
  if constexpr (std::is_same_v<Archive, binary_input_archive>) {
    archive.skip_padding();
    std::size_t ordinal = 0;
    tensor_substitution* substitution = archive.substitution();
    if (substitution != nullptr && substitution->take_next(ordinal)) {
      return substitution->fill(substitution->source, ordinal, &dense, dense_kind<Dense>());
    }
  }
  const std::size_t count = checked_dense_size<Archive, Dense>(archive, rows, cols, row_major);
  using Scalar = typename Dense::Scalar;
  // Charged once the file is known to hold the data, just before the allocation. Fixed-size
  // matrices live inside their owner, already counted at its sizeof.
  load_array<Archive, Scalar>(archive, "data", count, [&archive, &dense, rows, cols](std::size_t n) {
    if constexpr (Dense::SizeAtCompileTime == Eigen::Dynamic) charge_memory(archive, n, sizeof(Scalar));
    else static_cast<void>(archive);  // used only for dynamic sizes (clang: -Wunused-lambda-capture)
    dense.resize(static_cast<Eigen::Index>(rows), static_cast<Eigen::Index>(cols));
    return dense.data();
  });
}

template <class Sparse>
const tensor_kind& sparse_kind() {
  static const std::string text = "an Eigen sparse matrix of " + type_name<typename Sparse::Scalar>();
  static const tensor_kind kind{false, dtype::u8, sizeof(typename Sparse::Scalar), bool(Sparse::IsRowMajor), false,
                                -1, -1, text.c_str(), nullptr};
  return kind;
}

template <class Archive, class Sparse>
void save_sparse(Archive& archive, const Sparse& matrix) {
  if constexpr (std::is_same_v<Archive, binary_output_archive>) {
    // Recorded so that a tensor file can refuse it by name; its data stays in the payload.
    if (tensor_recorder* names = archive.tensors(); names != nullptr && matrix.isCompressed())
      names->record(sparse_kind<Sparse>(), nullptr, matrix.rows(), matrix.cols(), 0, 0, 0);
  }
  if (!matrix.isCompressed()) {
    Sparse compressed = matrix;
    compressed.makeCompressed();
    return save_sparse(archive, compressed);
  }
  const auto nonzeros = static_cast<std::size_t>(matrix.nonZeros());
  archive(cereal::make_nvp("rows", static_cast<std::int64_t>(matrix.rows())),
          cereal::make_nvp("cols", static_cast<std::int64_t>(matrix.cols())),
          cereal::make_nvp("row_major", bool(Sparse::IsRowMajor)),
          cereal::make_nvp("nonzeros", static_cast<std::int64_t>(nonzeros)));
  save_array(archive, "outer_starts", matrix.outerIndexPtr(), static_cast<std::size_t>(matrix.outerSize()) + 1);
  save_array(archive, "inner_indices", matrix.innerIndexPtr(), nonzeros);
  save_array(archive, "values", matrix.valuePtr(), nonzeros);
}

template <class Archive, class Sparse>
void load_sparse(Archive& archive, Sparse& matrix) {
  using Index = typename Sparse::StorageIndex;
  using Scalar = typename Sparse::Scalar;
  std::int64_t rows = 0, cols = 0, nonzeros = 0;
  bool row_major = false;
  archive(cereal::make_nvp("rows", rows), cereal::make_nvp("cols", cols),
          cereal::make_nvp("row_major", row_major), cereal::make_nvp("nonzeros", nonzeros));
  if constexpr (std::is_same_v<Archive, binary_input_archive>) {
    std::size_t ordinal = 0;  // counted as save_sparse recorded it; never left out
    if (tensor_substitution* substitution = archive.substitution()) substitution->take_next(ordinal);
  }
  constexpr auto index_max = static_cast<std::int64_t>(std::numeric_limits<Index>::max());
  if (rows < 0 || cols < 0 || rows > index_max || cols > index_max || nonzeros < 0 ||
      nonzeros > index_max || (rows != 0 && nonzeros / rows > cols) ||
      static_cast<std::uint64_t>(nonzeros) > static_cast<std::uint64_t>(rows) * static_cast<std::uint64_t>(cols)) {
    fail_at(archive, errc::format,
            "invalid sparse shape " + shape_text(rows, cols) + " with " + std::to_string(nonzeros) + " non-zeros");
  }
  if (row_major != bool(Sparse::IsRowMajor)) {
    fail_at(archive, errc::format, std::string("the data was saved from a ") + (row_major ? "row" : "column") +
                                       "-major sparse matrix and cannot be loaded into a " +
                                       (Sparse::IsRowMajor ? "row" : "column") + "-major one");
  }
  const auto outer_size = static_cast<std::size_t>(row_major ? rows : cols);
  const auto inner_size = static_cast<std::int64_t>(row_major ? cols : rows);
  const auto count = static_cast<std::size_t>(nonzeros);
  // Read into vectors first: nothing reaches the matrix until the structure is known valid.
  // Each array is charged twice (the vector, then the matrix's copy) before the vector is allocated.
  std::vector<Index> outer, inner;
  std::vector<Scalar> values;
  auto into = [&archive](auto& vector) {
    return [&archive, &vector](std::size_t n) {
      charge_memory(archive, 2 * n, sizeof(vector[0]));
      vector.resize(n);
      return vector.data();
    };
  };
  load_array<Archive, Index>(archive, "outer_starts", outer_size + 1, into(outer));
  load_array<Archive, Index>(archive, "inner_indices", count, into(inner));
  load_array<Archive, Scalar>(archive, "values", count, into(values));
  if (outer.front() != 0 || static_cast<std::int64_t>(outer.back()) != nonzeros) {
    fail_at(archive, errc::format, "the sparse matrix's outer starts do not span its non-zeros");
  }
  // All outer starts first: with them non-decreasing from 0 to nonzeros, every inner index the
  // loop below reads is in range (a start beyond nonzeros followed by a smaller one is refused
  // here, before it is used as a bound).
  for (std::size_t j = 0; j < outer_size; ++j) {
    if (outer[j] > outer[j + 1]) fail_at(archive, errc::format, "the sparse matrix's outer starts decrease");
  }
  for (std::size_t j = 0; j < outer_size; ++j) {
    for (auto k = static_cast<std::size_t>(outer[j]); k < static_cast<std::size_t>(outer[j + 1]); ++k) {
      if (inner[k] < 0 || inner[k] >= inner_size || (k > static_cast<std::size_t>(outer[j]) && inner[k] <= inner[k - 1])) {
        fail_at(archive, errc::format, "the sparse matrix's inner indices are out of range or unsorted");
      }
    }
  }
  matrix.resize(static_cast<Eigen::Index>(rows), static_cast<Eigen::Index>(cols));
  matrix.resizeNonZeros(static_cast<Eigen::Index>(count));
  std::copy(outer.begin(), outer.end(), matrix.outerIndexPtr());
  std::copy(inner.begin(), inner.end(), matrix.innerIndexPtr());
  std::copy(values.begin(), values.end(), matrix.valuePtr());
}

}  // namespace picklejar::detail

namespace cereal {

/// Eigen::half and Eigen::bfloat16 alone, or in JSON and XML, are their float value (exact: every
/// half and bfloat16 is a float). Binary archives move matrices of them as raw 2-byte blocks.
template <class Archive>
float CEREAL_SAVE_MINIMAL_FUNCTION_NAME(const Archive&, const Eigen::half& value) {
  return static_cast<float>(value);
}
template <class Archive>
void CEREAL_LOAD_MINIMAL_FUNCTION_NAME(const Archive&, Eigen::half& value, const float& stored) {
  value = Eigen::half(stored);
}
template <class Archive>
float CEREAL_SAVE_MINIMAL_FUNCTION_NAME(const Archive&, const Eigen::bfloat16& value) {
  return static_cast<float>(value);
}
template <class Archive>
void CEREAL_LOAD_MINIMAL_FUNCTION_NAME(const Archive&, Eigen::bfloat16& value, const float& stored) {
  value = Eigen::bfloat16(stored);
}

/// Saves an Eigen::Matrix: rows, cols, storage order, then the coefficients in storage order.
/// Found by cereal (so also usable in plain cereal archives); not called directly.
template <class Archive, class Scalar, int Rows, int Cols, int Options, int MaxRows, int MaxCols>
void CEREAL_SAVE_FUNCTION_NAME(Archive& archive,
                               const Eigen::Matrix<Scalar, Rows, Cols, Options, MaxRows, MaxCols>& matrix) {
  picklejar::detail::save_dense(archive, matrix);
}
/// Loads an Eigen::Matrix, resizing a dynamic one. Throws picklejar::error errc::format if the
/// saved shape or storage order does not fit the type, errc::limit if the shape is too large.
template <class Archive, class Scalar, int Rows, int Cols, int Options, int MaxRows, int MaxCols>
void CEREAL_LOAD_FUNCTION_NAME(Archive& archive,
                               Eigen::Matrix<Scalar, Rows, Cols, Options, MaxRows, MaxCols>& matrix) {
  picklejar::detail::load_dense(archive, matrix);
}

/// Saves an Eigen::Array, laid out as a Matrix of the same shape.
template <class Archive, class Scalar, int Rows, int Cols, int Options, int MaxRows, int MaxCols>
void CEREAL_SAVE_FUNCTION_NAME(Archive& archive,
                               const Eigen::Array<Scalar, Rows, Cols, Options, MaxRows, MaxCols>& array) {
  picklejar::detail::save_dense(archive, array);
}
/// Loads an Eigen::Array; the same checks and errors as for a Matrix.
template <class Archive, class Scalar, int Rows, int Cols, int Options, int MaxRows, int MaxCols>
void CEREAL_LOAD_FUNCTION_NAME(Archive& archive,
                               Eigen::Array<Scalar, Rows, Cols, Options, MaxRows, MaxCols>& array) {
  picklejar::detail::load_dense(archive, array);
}

/// Saves an Eigen::SparseMatrix in compressed form (a copy is compressed first if it is not):
/// shape, storage order, non-zero count, outer starts, inner indices, values.
template <class Archive, class Scalar, int Options, class StorageIndex>
void CEREAL_SAVE_FUNCTION_NAME(Archive& archive, const Eigen::SparseMatrix<Scalar, Options, StorageIndex>& matrix) {
  picklejar::detail::save_sparse(archive, matrix);
}
/// Loads an Eigen::SparseMatrix (compressed). The structure is checked before the matrix is
/// touched: errc::format for a shape or count out of range for StorageIndex, another storage
/// order, or outer starts / inner indices that are out of range, decreasing or unsorted.
template <class Archive, class Scalar, int Options, class StorageIndex>
void CEREAL_LOAD_FUNCTION_NAME(Archive& archive, Eigen::SparseMatrix<Scalar, Options, StorageIndex>& matrix) {
  picklejar::detail::load_sparse(archive, matrix);
}

}  // namespace cereal
