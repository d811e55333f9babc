// The binary archives' byte-order conversion: data written in the other byte order than the
// host's (as portable_binary files are on big-endian machines) reads back exactly.
#include <picklejar/eigen.hpp>
#include <picklejar/picklejar.hpp>

#include <algorithm>
#include <complex>

#include "test_support.hpp"

namespace {

struct Mixed {
  std::uint16_t u16 = 0x0102;
  std::int32_t i32 = -123456;
  std::uint64_t u64 = 0x0102030405060708ull;
  float f = 1.5f;
  double d = -2.25e300;
  std::vector<double> doubles{1.0, -0.5, 3e-300};
  std::string text = "bytes are not swapped";
  Eigen::Matrix<std::complex<float>, 2, 2> complex_matrix;
  PICKLEJAR_FIELDS(u16, i32, u64, f, d, doubles, text, complex_matrix)
};

TEST(BinaryByteOrder, ForeignOrderRoundTrips) {
  using namespace picklejar::detail;
  const bool foreign_is_little = !host_is_little_endian();
  Mixed original;
  original.complex_matrix << std::complex<float>(1, 2), std::complex<float>(-3, 4.5f),
      std::complex<float>(0.25f, -8), std::complex<float>(7, 0);

  std::string foreign;
  {
    output_sink sink(foreign);
    binary_output_archive archive(sink, foreign_is_little);
    archive(original);
    sink.flush();
  }
  std::string native;
  {
    output_sink sink(native);
    binary_output_archive archive(sink, host_is_little_endian());
    archive(original);
    sink.flush();
  }
  ASSERT_EQ(foreign.size(), native.size());
  EXPECT_NE(foreign, native) << "values must be written in the other byte order";
  // the first value, u16 0x0102, appears with its bytes reversed
  EXPECT_EQ(foreign[0], native[1]);
  EXPECT_EQ(foreign[1], native[0]);

  field_path path("Mixed", 100);
  binary_input_archive archive(foreign.data(), foreign.size(), foreign_is_little, path);
  Mixed loaded;
  archive(loaded);
  EXPECT_EQ(loaded.u16, original.u16);
  EXPECT_EQ(loaded.i32, original.i32);
  EXPECT_EQ(loaded.u64, original.u64);
  EXPECT_EQ(loaded.f, original.f);
  EXPECT_EQ(loaded.d, original.d);
  EXPECT_EQ(loaded.doubles, original.doubles);
  EXPECT_EQ(loaded.text, original.text);
  EXPECT_EQ(loaded.complex_matrix, original.complex_matrix);
}

TEST(BinaryByteOrder, AFileFromAMachineOfTheOtherOrderLoads) {
  // portable_binary is little-endian; relabel a file as "binary, big-endian" with its numbers
  // reversed, as a big-endian machine would have written it.
  struct Probe {
    std::uint32_t value = 0x0a0b0c0d;
    PICKLEJAR_FIELDS(value)
  };
  std::string bytes = picklejar::dumps(Probe{}, {picklejar::format::portable_binary});
  std::string big_endian = bytes;
  big_endian[10] = static_cast<char>(picklejar::format::binary);
  big_endian[11] = 0;  // flag: not little-endian
  std::reverse(big_endian.end() - 4, big_endian.end());
  EXPECT_EQ(picklejar::loads<Probe>(pj_test::reseal(big_endian)).value, 0x0a0b0c0du);
}

}  // namespace
