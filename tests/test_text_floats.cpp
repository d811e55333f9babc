// Floating-point values round-trip bit-exactly through every format: subnormals (long double's
// did not load from JSON or XML: from_chars reports ERANGE for them), extremes, signed zeros,
// infinities and NaNs with their sign and payload; and a JSON string is never read as a number
// unless it is one of picklejar's own spellings for NaN and infinities.

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include "picklejar/picklejar.hpp"
#include "test_support.hpp"

namespace pj_test {
constexpr bool host_little_endian = picklejar::detail::host_is_little_endian();
}

namespace {

template <class T>
std::vector<T> tricky_values() {
  using limits = std::numeric_limits<T>;
  std::vector<T> values = {T(0),
                           -T(0),
                           T(1),
                           T(-1),
                           T(0.1),
                           limits::denorm_min(),
                           -limits::denorm_min(),
                           limits::min() / T(3),        // a subnormal with many digits
                           limits::min() - limits::denorm_min(),  // the largest subnormal
                           limits::min(),
                           -limits::min(),
                           limits::max(),
                           limits::lowest(),
                           limits::epsilon(),
                           limits::infinity(),
                           -limits::infinity(),
                           limits::quiet_NaN(),
                           -limits::quiet_NaN(),
                           limits::signaling_NaN()};
  // A NaN with a payload of its own, negative.
  T payload = limits::quiet_NaN();
  unsigned char bytes[sizeof(T)];
  std::memcpy(bytes, &payload, sizeof(T));
  bytes[0] ^= 0x5;
  std::memcpy(&payload, bytes, sizeof(T));
  values.push_back(-payload);
  return values;
}

// Compares the bits that carry the value (x87 long double has 6 bytes of padding).
template <class T>
bool same_value_bits(T a, T b) {
  constexpr std::size_t value_bytes =
      std::is_same_v<T, long double> && std::numeric_limits<T>::digits == 64 ? 10 : sizeof(T);
  static_assert(value_bytes == sizeof(T) || pj_test::host_little_endian, "x87 long double is little-endian");
  return std::memcmp(&a, &b, value_bytes) == 0;
}

template <class T>
void expect_round_trips(picklejar::format fmt) {
  const std::vector<T> values = tricky_values<T>();
  const auto loaded = picklejar::loads<std::vector<T>>(picklejar::dumps(values, picklejar::options(fmt)));
  ASSERT_EQ(loaded.size(), values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    EXPECT_TRUE(same_value_bits(values[i], loaded[i]))
        << "value " << i << " (" << static_cast<long double>(values[i]) << ") of a " << sizeof(T)
        << "-byte float came back as " << static_cast<long double>(loaded[i]);
  }
  for (std::size_t i = 0; i < values.size(); ++i) {  // alone, as a root
    const T one = picklejar::loads<T>(picklejar::dumps(values[i], picklejar::options(fmt)));
    EXPECT_TRUE(same_value_bits(values[i], one)) << "value " << i;
  }
}

class TextFloats : public pj_test::FormatTest {};

TEST_P(TextFloats, FloatsRoundTripBitExactly) { expect_round_trips<float>(GetParam()); }
TEST_P(TextFloats, DoublesRoundTripBitExactly) { expect_round_trips<double>(GetParam()); }
TEST_P(TextFloats, LongDoublesRoundTripBitExactly) { expect_round_trips<long double>(GetParam()); }

PJ_INSTANTIATE_FOR_ALL_FORMATS(TextFloats);

std::string json_with_value(const std::string& value_text) {
  return "{\"header\": {\"format\": \"picklejar\", \"container_version\": 2, \"type\": \"%TYPE%\"}, "
         "\"value\": " + value_text + "}";
}

template <class T>
std::string json_document(const std::string& value_text) {
  std::string text = json_with_value(value_text);
  text.replace(text.find("%TYPE%"), 6, picklejar::detail::type_name<T>());
  return text;
}

TEST(TextNumbers, AJsonStringIsNotANumberOrABoolean) {
  const auto opts = pj_test::unverified();
  EXPECT_EQ(picklejar::loads<int>(json_document<int>("12"), opts), 12);
  pj_test::expect_error(picklejar::errc::format, [&] { (void)picklejar::loads<int>(json_document<int>("\"12\""), opts); });
  pj_test::expect_error(picklejar::errc::format,
                        [&] { (void)picklejar::loads<double>(json_document<double>("\"1.5\""), opts); });
  pj_test::expect_error(picklejar::errc::format,
                        [&] { (void)picklejar::loads<bool>(json_document<bool>("\"true\""), opts); });
  pj_test::expect_error(picklejar::errc::format, [&] { (void)picklejar::loads<bool>(json_document<bool>("1"), opts); });
  pj_test::expect_error(picklejar::errc::format, [&] { (void)picklejar::loads<int>(json_document<int>("true"), opts); });
  for (const char* foreign : {"\"inf\"", "\"nan\"", "\"-infinity\"", "\"+1\"", "\" 1\""}) {
    pj_test::expect_error(picklejar::errc::format,
                          [&] { (void)picklejar::loads<double>(json_document<double>(foreign), opts); });
  }
  EXPECT_TRUE(std::isinf(picklejar::loads<double>(json_document<double>("\"-Infinity\""), opts)));
  EXPECT_TRUE(std::isnan(picklejar::loads<double>(json_document<double>("\"NaN\""), opts)));
  EXPECT_TRUE(std::isnan(picklejar::loads<float>(json_document<float>("\"NaN:0x7fc00001\""), opts)));
}

TEST(TextNumbers, XmlDoesNotTakeForeignSpellingsOfInfinity) {
  const std::string xml = picklejar::dumps(2.5, picklejar::options(picklejar::format::xml));
  for (const char* foreign : {"inf", "nan", "+2.5", "infinity"}) {
    std::string edited = xml;
    edited.replace(edited.find(">2.5<") + 1, 3, foreign);
    pj_test::expect_error(picklejar::errc::format, [&] { (void)picklejar::loads<double>(edited, pj_test::unverified()); });
  }
}

}  // namespace
