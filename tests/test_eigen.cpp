// picklejar/eigen.hpp: dense and sparse matrices, every scalar, every format; shapes checked.
#include <picklejar/eigen.hpp>
#include <picklejar/picklejar.hpp>

#include <complex>
#include <cstdint>
#include <limits>
#include <random>

#include "test_support.hpp"

namespace {

using pj_test::FormatTest;
using pj_test::round_trip;

template <class Scalar>
Scalar sample_value(int i) {
  if constexpr (std::is_same_v<Scalar, bool>) {
    return i % 3 == 0;
  } else if constexpr (std::is_integral_v<Scalar>) {
    return static_cast<Scalar>(i % 2 ? std::numeric_limits<Scalar>::max() - i : std::numeric_limits<Scalar>::min() + i);
  } else if constexpr (std::is_floating_point_v<Scalar>) {
    return static_cast<Scalar>(std::ldexp(1.0 + i * 0.1234567890123, i % 40 - 20)) * (i % 2 ? -1 : 1);
  } else {
    using Real = typename Scalar::value_type;
    return Scalar(sample_value<Real>(i), sample_value<Real>(i + 7));
  }
}

template <class Dense>
Dense sample_dense(Eigen::Index rows, Eigen::Index cols) {
  Dense dense(rows, cols);
  int i = 0;
  for (Eigen::Index r = 0; r < dense.rows(); ++r)
    for (Eigen::Index c = 0; c < dense.cols(); ++c) dense(r, c) = sample_value<typename Dense::Scalar>(i++);
  return dense;
}

// Bits compared exactly, except long double, whose padding bytes carry no value.
template <class Scalar>
bool same_scalar(const Scalar& a, const Scalar& b) {
  if constexpr (std::is_same_v<Scalar, long double>) {
    return (std::isnan(a) && std::isnan(b)) || (a == b && std::signbit(a) == std::signbit(b));
  } else if constexpr (std::is_same_v<Scalar, std::complex<long double>>) {
    return same_scalar(a.real(), b.real()) && same_scalar(a.imag(), b.imag());
  } else {
    return std::memcmp(&a, &b, sizeof(Scalar)) == 0;
  }
}

template <class Dense>
bool bitwise_equal(const Dense& a, const Dense& b) {
  if (a.rows() != b.rows() || a.cols() != b.cols()) return false;
  for (Eigen::Index i = 0; i < a.size(); ++i)
    if (!same_scalar(a.data()[i], b.data()[i])) return false;
  return true;
}

template <class Dense>
struct Holder {
  Dense value;
  PICKLEJAR_FIELDS(value)
};

template <class Dense>
void check_dense_round_trip(picklejar::format fmt, Eigen::Index rows, Eigen::Index cols) {
  Holder<Dense> original{sample_dense<Dense>(rows, cols)};
  Holder<Dense> loaded = round_trip(original, fmt);
  EXPECT_TRUE(bitwise_equal(loaded.value, original.value))
      << picklejar::to_string(fmt) << " " << picklejar::detail::type_name<Dense>();
}

// Every scalar in two shapes, and every shape with three scalars: the scalar decides how values
// are written, the shape how the dimensions are written and checked. (Every scalar in every shape
// was 144 instantiations, a sixth of the test build's compile time, for no extra code path.)
template <class Scalar>
void check_scalar(picklejar::format fmt) {
  check_dense_round_trip<Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>>(fmt, 3, 5);
  check_dense_round_trip<Eigen::Array<Scalar, 2, 2, Eigen::RowMajor>>(fmt, 2, 2);
}

template <class Scalar>
void check_every_shape(picklejar::format fmt) {
  check_dense_round_trip<Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>>(fmt, 3, 5);
  check_dense_round_trip<Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(fmt, 4, 2);
  check_dense_round_trip<Eigen::Matrix<Scalar, 3, 2>>(fmt, 3, 2);
  check_dense_round_trip<Eigen::Matrix<Scalar, Eigen::Dynamic, 1>>(fmt, 7, 1);
  check_dense_round_trip<Eigen::Matrix<Scalar, 1, Eigen::Dynamic>>(fmt, 1, 6);
  check_dense_round_trip<Eigen::Array<Scalar, Eigen::Dynamic, Eigen::Dynamic>>(fmt, 2, 3);
  check_dense_round_trip<Eigen::Array<Scalar, 2, 2, Eigen::RowMajor>>(fmt, 2, 2);
  check_dense_round_trip<Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>>(fmt, 0, 0);
  check_dense_round_trip<Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic, Eigen::ColMajor, 4, 4>>(fmt, 3, 4);
}

class EigenDense : public FormatTest {};

TEST_P(EigenDense, EveryArithmeticScalar) {
  check_scalar<float>(GetParam());
  check_scalar<double>(GetParam());
  check_scalar<long double>(GetParam());
  check_scalar<char>(GetParam());
  check_scalar<std::int8_t>(GetParam());
  check_scalar<std::uint8_t>(GetParam());
  check_scalar<std::int16_t>(GetParam());
  check_scalar<std::uint16_t>(GetParam());
  check_scalar<std::int32_t>(GetParam());
  check_scalar<std::uint32_t>(GetParam());
  check_scalar<std::int64_t>(GetParam());
  check_scalar<std::uint64_t>(GetParam());
  check_scalar<bool>(GetParam());
}

TEST_P(EigenDense, ComplexScalars) {
  check_scalar<std::complex<float>>(GetParam());
  check_scalar<std::complex<double>>(GetParam());
  check_scalar<std::complex<long double>>(GetParam());
}

TEST_P(EigenDense, EveryShape) {
  check_every_shape<float>(GetParam());
  check_every_shape<bool>(GetParam());
  check_every_shape<std::complex<double>>(GetParam());
}

TEST_P(EigenDense, SpecialFloatValues) {
  Holder<Eigen::VectorXf> original{Eigen::VectorXf(5)};
  original.value << -0.0f, std::numeric_limits<float>::infinity(), std::numeric_limits<float>::quiet_NaN(),
      std::numeric_limits<float>::denorm_min(), 0.1f;
  EXPECT_TRUE(bitwise_equal(round_trip(original, GetParam()).value, original.value));
}

TEST_P(EigenDense, LargerMatrixBitExact) {
  std::mt19937 rng(7);
  std::normal_distribution<float> normal;
  Holder<Eigen::MatrixXf> original{Eigen::MatrixXf(64, 48)};
  for (Eigen::Index i = 0; i < original.value.size(); ++i) original.value.data()[i] = normal(rng);
  EXPECT_TRUE(bitwise_equal(round_trip(original, GetParam()).value, original.value));
}

struct Fixed4 {
  Eigen::Matrix4f value;
  PICKLEJAR_FIELDS(value)
};
struct Dynamic {
  Eigen::MatrixXf value;
  PICKLEJAR_FIELDS(value)
};
struct RowMajor {
  Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> value;
  PICKLEJAR_FIELDS(value)
};
struct Bounded {
  Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::ColMajor, 4, 4> value;
  PICKLEJAR_FIELDS(value)
};

// Bytes saved from one type and presented as another: rename the root type in the header.
template <class From, class To>
std::string as_type(const From& from, picklejar::format fmt) {
  std::string bytes = picklejar::dumps(from, picklejar::options(fmt));
  const std::string from_name(picklejar::detail::type_name<From>());
  const std::string to_name(picklejar::detail::type_name<To>());
  auto at = bytes.find(from_name);
  if (fmt == picklejar::format::binary || fmt == picklejar::format::portable_binary) {
    // length-prefixed in the header section, whose own size is at offset 12
    bytes[at - 4] = static_cast<char>(to_name.size());
    bytes[12] = static_cast<char>(bytes[12] + static_cast<int>(to_name.size()) - static_cast<int>(from_name.size()));
  }
  bytes.replace(at, from_name.size(), to_name);
  return pj_test::reseal(bytes);
}

TEST_P(EigenDense, ShapesAreCheckedAgainstTheType) {
  Dynamic five{Eigen::MatrixXf::Ones(5, 5)};
  auto error = pj_test::expect_error(picklejar::errc::format, [&] {
    picklejar::loads<Fixed4>(as_type<Dynamic, Fixed4>(five, GetParam()));
  });
  EXPECT_NE(std::string(error.what()).find("5x5"), std::string::npos) << error.what();
  EXPECT_EQ(error.field_path(), "Fixed4.value") << error.what();

  pj_test::expect_error(picklejar::errc::format, [&] {
    picklejar::loads<Bounded>(as_type<Dynamic, Bounded>(five, GetParam()));
  });

  RowMajor row_major{Eigen::MatrixXf::Ones(2, 3)};
  auto order = pj_test::expect_error(picklejar::errc::format, [&] {
    picklejar::loads<Dynamic>(as_type<RowMajor, Dynamic>(row_major, GetParam()));
  });
  EXPECT_NE(std::string(order.what()).find("row-major"), std::string::npos) << order.what();
}

PJ_INSTANTIATE_FOR_ALL_FORMATS(EigenDense);

// Crafted dimensions in JSON: negative, huge, or not matching the data.
TEST(EigenDenseHostile, BadDimensionsAreErrorsNotAllocations) {
  const std::string json = picklejar::dumps(Dynamic{Eigen::MatrixXf::Ones(2, 2)}, {picklejar::format::json});
  auto with = [&](const std::string& rows, const std::string& cols) {
    std::string text = json;
    text.replace(text.find("\"rows\": 2"), 9, "\"rows\": " + rows);
    text.replace(text.find("\"cols\": 2"), 9, "\"cols\": " + cols);
    return pj_test::reseal(text);
  };
  pj_test::expect_error(picklejar::errc::format, [&] { picklejar::loads<Dynamic>(with("-1", "2")); });
  pj_test::expect_error(picklejar::errc::format, [&] { picklejar::loads<Dynamic>(with("3", "2")); });
  pj_test::expect_error(picklejar::errc::format, [&] { picklejar::loads<Dynamic>(with("65536", "65536")); });
  pj_test::expect_error(picklejar::errc::limit,
                        [&] { picklejar::loads<Dynamic>(with("4294967296", "4294967296")); });
  pj_test::expect_error(picklejar::errc::limit, [&] {
    picklejar::loads<Dynamic>(with("9223372036854775807", "9223372036854775807"));
  });
}

TEST(EigenDenseHostile, BinaryClaimOfHugeMatrixFailsBeforeAllocating) {
  std::string bytes = picklejar::dumps(Dynamic{Eigen::MatrixXf::Ones(2, 2)});
  // The payload is rows (i64), cols (i64), row_major (u8), padding, then the data.
  const std::size_t payload = picklejar::detail::fixed_header_bytes + picklejar::detail::get_le(bytes.data() + 12, 4);
  const std::int64_t huge = std::int64_t{1} << 20;  // 2^40 floats: 4 TiB
  std::memcpy(&bytes[payload], &huge, sizeof huge);
  std::memcpy(&bytes[payload + 8], &huge, sizeof huge);
  auto error = pj_test::expect_error(picklejar::errc::format, [&] { picklejar::loads<Dynamic>(pj_test::reseal(bytes)); });
  EXPECT_NE(std::string(error.what()).find("ends inside"), std::string::npos) << error.what();
}

template <class Sparse>
Sparse sample_sparse(Eigen::Index rows, Eigen::Index cols) {
  Sparse sparse(rows, cols);
  for (Eigen::Index r = 0; r < rows; ++r)
    for (Eigen::Index c = 0; c < cols; ++c)
      if ((r * 7 + c * 3) % 5 == 0) sparse.insert(r, c) = sample_value<typename Sparse::Scalar>(static_cast<int>(r * cols + c));
  sparse.makeCompressed();
  return sparse;
}

template <class Sparse>
bool same_sparse(const Sparse& a, const Sparse& b) {
  using Dense = Eigen::Matrix<typename Sparse::Scalar, Eigen::Dynamic, Eigen::Dynamic>;
  return a.rows() == b.rows() && a.cols() == b.cols() && a.nonZeros() == b.nonZeros() &&
         bitwise_equal(Dense(a), Dense(b));
}

class EigenSparse : public FormatTest {};

TEST_P(EigenSparse, RoundTrips) {
  using ColMajor = Eigen::SparseMatrix<double>;
  using RowMajorSparse = Eigen::SparseMatrix<float, Eigen::RowMajor, std::int64_t>;
  using ComplexSparse = Eigen::SparseMatrix<std::complex<double>>;
  Holder<ColMajor> a{sample_sparse<ColMajor>(6, 9)};
  EXPECT_TRUE(same_sparse(round_trip(a, GetParam()).value, a.value));
  Holder<RowMajorSparse> b{sample_sparse<RowMajorSparse>(5, 4)};
  EXPECT_TRUE(same_sparse(round_trip(b, GetParam()).value, b.value));
  Holder<ComplexSparse> c{sample_sparse<ComplexSparse>(3, 3)};
  EXPECT_TRUE(same_sparse(round_trip(c, GetParam()).value, c.value));
  Holder<ColMajor> empty{ColMajor(0, 0)};
  EXPECT_EQ(round_trip(empty, GetParam()).value.nonZeros(), 0);
}

TEST_P(EigenSparse, UncompressedMatricesAreSavedCompressed) {
  Holder<Eigen::SparseMatrix<double>> original{Eigen::SparseMatrix<double>(4, 4)};
  original.value.reserve(Eigen::VectorXi::Constant(4, 3));
  original.value.insert(0, 0) = 1;
  original.value.insert(3, 2) = 2;
  ASSERT_FALSE(original.value.isCompressed());
  auto loaded = round_trip(original, GetParam());
  EXPECT_TRUE(loaded.value.isCompressed());
  EXPECT_TRUE(same_sparse(loaded.value, original.value));
}

PJ_INSTANTIATE_FOR_ALL_FORMATS(EigenSparse);

TEST(EigenSparseHostile, InvalidStructureIsRejected) {
  using Sparse = Eigen::SparseMatrix<double>;
  Holder<Sparse> original{sample_sparse<Sparse>(4, 4)};
  const std::string json = picklejar::dumps(original, {picklejar::format::json});
  auto replace = [&](const std::string& from, const std::string& to) {
    std::string text = json;
    auto at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    text.replace(at, from.size(), to);
    return pj_test::reseal(text);
  };
  std::string inner = json.substr(json.find("\"inner_indices\": ["));
  inner = inner.substr(0, inner.find(']') + 1);
  // an inner index out of range
  std::string out_of_range = inner;
  out_of_range.replace(out_of_range.find('[') + 1, 1, "9");
  pj_test::expect_error(picklejar::errc::format, [&] { picklejar::loads<Holder<Sparse>>(replace(inner, out_of_range)); });
  // more non-zeros claimed than the arrays hold
  std::string nonzeros = "\"nonzeros\": " + std::to_string(original.value.nonZeros());
  pj_test::expect_error(picklejar::errc::format, [&] {
    picklejar::loads<Holder<Sparse>>(replace(nonzeros, "\"nonzeros\": 12"));
  });
  pj_test::expect_error(picklejar::errc::format, [&] {
    picklejar::loads<Holder<Sparse>>(replace(nonzeros, "\"nonzeros\": 100"));
  });
}

TEST(EigenText, JsonShowsShapeAndReadableNumbers) {
  Holder<Eigen::Matrix2f> original;
  original.value << 1.5f, 0.1f, -2.f, 3.f;
  std::string json = picklejar::dumps(original, {picklejar::format::json});
  EXPECT_NE(json.find("\"rows\": 2"), std::string::npos) << json;
  EXPECT_NE(json.find("\"data\": [1.5, -2, 0.1, 3]"), std::string::npos) << json;
}

}  // namespace
