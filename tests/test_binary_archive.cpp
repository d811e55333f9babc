// The binary archives' byte-order conversion: data written in the other byte order than the
// host's (as portable_binary files are on big-endian machines) reads back exactly.
#include <picklejar/eigen.hpp>
#include <picklejar/picklejar.hpp>

#include <algorithm>
#include <complex>
#include <tuple>

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

// Elements written as nothing (std::tuple<>, std::array<T, 0>) take no bytes, so a count may
// exceed the bytes left by count_allowance_for_empty_elements, and no more.
TEST(BinaryArchive, ACountOfElementsThatTakeNoBytesIsBoundedByTheAllowance) {
  for (const picklejar::format fmt : {picklejar::format::binary, picklejar::format::portable_binary}) {
    const picklejar::options opts(fmt);
    const std::vector<std::tuple<>> three(3);
    const std::string document = picklejar::dumps(three, opts);
    EXPECT_EQ(picklejar::loads<std::vector<std::tuple<>>>(document, opts).size(), 3u);
    const std::string count_three("\x03\0\0\0\0\0\0\0", 8);
    const std::size_t at = document.find(count_three);
    ASSERT_NE(at, std::string::npos);
    const auto with_count = [&](std::uint64_t count) {
      std::string forged = document;
      for (std::size_t i = 0; i < 8; ++i) forged[at + i] = static_cast<char>((count >> (8 * i)) & 0xFF);
      return pj_test::reseal(std::move(forged));
    };
    const std::uint64_t allowed = picklejar::detail::count_allowance_for_empty_elements;
    EXPECT_EQ(picklejar::loads<std::vector<std::tuple<>>>(with_count(allowed), opts).size(), allowed);
    const picklejar::error failure = pj_test::expect_error(picklejar::errc::limit, [&] {
      (void)picklejar::loads<std::vector<std::tuple<>>>(with_count(std::uint64_t{1} << 40), opts);
    });
    EXPECT_NE(failure.reason().find("claims 1099511627776 elements"), std::string::npos) << failure.what();
  }
}

}  // namespace
