// PICKLEJAR_FIELDS and PICKLEJAR_FIELDS_OF: what is saved, by name, in every format.
#include <picklejar/picklejar.hpp>

#include <array>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <unordered_map>
#include <variant>
#include <vector>

#include "test_support.hpp"

namespace {

using pj_test::FormatTest;
using pj_test::round_trip;

struct Adam {
  float learning_rate = 0.001f;
  std::vector<float> m, v;
  long step = 0;
  PICKLEJAR_FIELDS(learning_rate, m, v, step)
  bool operator==(const Adam& o) const {
    return learning_rate == o.learning_rate && m == o.m && v == o.v && step == o.step;
  }
};

// Private members, saved through the macro's friend declaration; one member is not listed.
class Estimator {
 public:
  Estimator() = default;
  Estimator(std::string name, std::vector<double> coefficients, Adam optimizer)
      : name_(std::move(name)), coefficients_(std::move(coefficients)), optimizer_(std::move(optimizer)) {}
  const std::string& name() const { return name_; }
  const std::vector<double>& coefficients() const { return coefficients_; }
  const Adam& optimizer() const { return optimizer_; }
  int not_listed() const { return not_listed_; }
  void set_not_listed(int value) { not_listed_ = value; }

 private:
  std::string name_;
  std::vector<double> coefficients_;
  Adam optimizer_;
  int not_listed_ = 7;
  PICKLEJAR_FIELDS(name_, coefficients_, optimizer_)
};

struct Containers {
  std::map<std::string, int> counts;
  std::unordered_map<int, std::string> labels;
  std::optional<double> maybe;
  std::optional<double> nothing;
  std::variant<int, std::string> either;
  std::tuple<int, float, std::string> triple;
  std::vector<std::vector<int>> nested;
  std::vector<bool> flags;
  std::array<short, 3> fixed{};
  PICKLEJAR_FIELDS(counts, labels, maybe, nothing, either, triple, nested, flags, fixed)
};

// 64 members: the most PICKLEJAR_FIELDS takes.
struct Wide {
  int f00 = 0;
  int f01 = 0;
  int f02 = 0;
  int f03 = 0;
  int f04 = 0;
  int f05 = 0;
  int f06 = 0;
  int f07 = 0;
  int f08 = 0;
  int f09 = 0;
  int f10 = 0;
  int f11 = 0;
  int f12 = 0;
  int f13 = 0;
  int f14 = 0;
  int f15 = 0;
  int f16 = 0;
  int f17 = 0;
  int f18 = 0;
  int f19 = 0;
  int f20 = 0;
  int f21 = 0;
  int f22 = 0;
  int f23 = 0;
  int f24 = 0;
  int f25 = 0;
  int f26 = 0;
  int f27 = 0;
  int f28 = 0;
  int f29 = 0;
  int f30 = 0;
  int f31 = 0;
  double f32 = 0;
  double f33 = 0;
  double f34 = 0;
  double f35 = 0;
  double f36 = 0;
  double f37 = 0;
  double f38 = 0;
  double f39 = 0;
  double f40 = 0;
  double f41 = 0;
  double f42 = 0;
  double f43 = 0;
  double f44 = 0;
  double f45 = 0;
  double f46 = 0;
  double f47 = 0;
  double f48 = 0;
  double f49 = 0;
  double f50 = 0;
  double f51 = 0;
  double f52 = 0;
  double f53 = 0;
  double f54 = 0;
  double f55 = 0;
  double f56 = 0;
  double f57 = 0;
  double f58 = 0;
  double f59 = 0;
  double f60 = 0;
  double f61 = 0;
  double f62 = 0;
  double f63 = 0;
  PICKLEJAR_FIELDS(f00, f01, f02, f03, f04, f05, f06, f07, f08, f09, f10, f11, f12, f13, f14, f15,
                   f16, f17, f18, f19, f20, f21, f22, f23, f24, f25, f26, f27, f28, f29, f30, f31,
                   f32, f33, f34, f35, f36, f37, f38, f39, f40, f41, f42, f43, f44, f45, f46, f47,
                   f48, f49, f50, f51, f52, f53, f54, f55, f56, f57, f58, f59, f60, f61, f62, f63)
};

template <class T>
struct Limits {
  T lowest = std::numeric_limits<T>::lowest();
  T highest = std::numeric_limits<T>::max();
  T zero = 0;
  PICKLEJAR_FIELDS(lowest, highest, zero)
};

struct Floats {
  std::vector<float> singles;
  std::vector<double> doubles;
  float lone_float = 0;
  double lone_double = 0;
  PICKLEJAR_FIELDS(singles, doubles, lone_float, lone_double)
};

enum class Activation : std::uint8_t { relu, tanh, gelu };
enum Padding { valid, same };

struct Layer {
  Activation activation = Activation::relu;
  Padding padding = valid;
  PICKLEJAR_FIELDS(activation, padding)
};

struct Texts {
  std::string empty;
  std::string quotes = "she said \"hi\" & left <now> 'ok'";
  std::string control = std::string("tab\tnew\nline\r\x01\x1f", 16);
  std::string with_nul = std::string("a\0b", 3);
  std::string unicode = "\xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80";
  std::string spaces = "  padded  ";
  char letter = 'x';
  signed char small = -100;
  bool yes = true;
  PICKLEJAR_FIELDS(empty, quotes, control, with_nul, unicode, spaces, letter, small, yes)
};

}  // namespace

// A type the user cannot edit, with public members: fields named at namespace scope.
namespace thirdparty {
struct Point {
  double x = 0, y = 0;
  std::string label;
};
PICKLEJAR_FIELDS_OF(Point, x, y, label)

struct Polygon {
  std::vector<Point> corners;
};
PICKLEJAR_FIELDS_OF(Polygon, corners)
}  // namespace thirdparty

// PICKLEJAR_FIELDS() with nothing in it: a class with nothing of its own to save, such as the
// abstract base of stateless layers.
namespace stateless {
struct Activation {
  virtual ~Activation() = default;
  virtual double apply(double x) const = 0;
  PICKLEJAR_FIELDS()
};
struct ReLU : Activation {
  double apply(double x) const override { return x > 0 ? x : 0; }
};
struct LeakyReLU : Activation {
  double slope = 0.01;
  double apply(double x) const override { return x > 0 ? x : slope * x; }
  PICKLEJAR_FIELDS(slope)
};
struct Marker {
  PICKLEJAR_FIELDS()
  PICKLEJAR_TRANSIENT()
};
struct Network {
  std::vector<std::unique_ptr<Activation>> activations;
  Marker marker;
  int width = 0;
  PICKLEJAR_FIELDS(activations, marker, width)
};
}  // namespace stateless
PICKLEJAR_REGISTER_AS(stateless::ReLU, stateless::Activation, "test_fields.ReLU")
PICKLEJAR_REGISTER_AS(stateless::LeakyReLU, stateless::Activation, "test_fields.LeakyReLU")

namespace {

class Fields : public FormatTest {};

TEST_P(Fields, PrivateMembersRoundTripAndUnlistedOnesKeepTheirDefault) {
  Estimator original("ridge", {1.5, -2.25, 1e-300}, Adam{0.01f, {1, 2}, {3, 4}, 12});
  original.set_not_listed(99);
  Estimator loaded = round_trip(original, GetParam());
  EXPECT_EQ(loaded.name(), "ridge");
  EXPECT_EQ(loaded.coefficients(), original.coefficients());
  EXPECT_EQ(loaded.optimizer(), original.optimizer());
  EXPECT_EQ(loaded.not_listed(), 7);
}

TEST_P(Fields, StandardContainers) {
  Containers original;
  original.counts = {{"cats", 3}, {"dogs", -1}};
  original.labels = {{1, "one"}, {2, "two"}};
  original.maybe = 2.5;
  original.either = std::string("text");
  original.triple = {1, 2.5f, "three"};
  original.nested = {{}, {1}, {2, 3}};
  original.flags = {true, false, true};
  original.fixed = {-1, 0, 1};
  Containers loaded = round_trip(original, GetParam());
  EXPECT_EQ(loaded.counts, original.counts);
  EXPECT_EQ(loaded.labels, original.labels);
  EXPECT_EQ(loaded.maybe, original.maybe);
  EXPECT_FALSE(loaded.nothing.has_value());
  EXPECT_EQ(loaded.either, original.either);
  EXPECT_EQ(loaded.triple, original.triple);
  EXPECT_EQ(loaded.nested, original.nested);
  EXPECT_EQ(loaded.flags, original.flags);
  EXPECT_EQ(loaded.fixed, original.fixed);
}

TEST_P(Fields, SixtyFourMembers) {
  Wide original;
  original.f00 = 1;
  original.f17 = -17;
  original.f31 = 31;
  original.f32 = 0.5;
  original.f50 = -50.25;
  original.f63 = 63e10;
  Wide loaded = round_trip(original, GetParam());
  EXPECT_EQ(loaded.f00, 1);
  EXPECT_EQ(loaded.f17, -17);
  EXPECT_EQ(loaded.f31, 31);
  EXPECT_EQ(loaded.f32, 0.5);
  EXPECT_EQ(loaded.f50, -50.25);
  EXPECT_EQ(loaded.f63, 63e10);
  // Every one of the 64 is written: saving the loaded copy gives the same bytes.
  EXPECT_EQ(picklejar::dumps(loaded, opts()), picklejar::dumps(original, opts()));
  if (is_text()) {
    std::string text = picklejar::dumps(original, opts());
    EXPECT_NE(text.find("f63"), std::string::npos);
  }
}

TEST_P(Fields, FieldsOfATypeYouCannotEdit) {
  thirdparty::Polygon original{{{0, 0, "origin"}, {1.5, -2, "corner"}}};
  thirdparty::Polygon loaded = round_trip(original, GetParam());
  ASSERT_EQ(loaded.corners.size(), 2u);
  EXPECT_EQ(loaded.corners[1].x, 1.5);
  EXPECT_EQ(loaded.corners[1].y, -2);
  EXPECT_EQ(loaded.corners[0].label, "origin");
}

TEST_P(Fields, IntegerExtremes) {
  auto check = [](auto original) {
    auto loaded = round_trip(original, GetParam());
    EXPECT_EQ(loaded.lowest, original.lowest);
    EXPECT_EQ(loaded.highest, original.highest);
    EXPECT_EQ(loaded.zero, original.zero);
  };
  check(Limits<std::int8_t>{});
  check(Limits<std::uint8_t>{});
  check(Limits<std::int16_t>{});
  check(Limits<std::uint16_t>{});
  check(Limits<std::int32_t>{});
  check(Limits<std::uint32_t>{});
  check(Limits<std::int64_t>{});
  check(Limits<std::uint64_t>{});
}

TEST_P(Fields, FloatsKeepEveryBit) {
  Floats original;
  original.singles = {0.1f, -0.0f, 1e-45f /* denormal */, std::numeric_limits<float>::max(),
                      std::numeric_limits<float>::lowest(), std::numeric_limits<float>::min(),
                      std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity(),
                      std::numeric_limits<float>::quiet_NaN(), 3.14159265f, 16777217.0f};
  original.doubles = {0.1, -0.0, 5e-324, std::numeric_limits<double>::max(), 1.0 / 3.0,
                      -std::numeric_limits<double>::infinity(), std::numeric_limits<double>::quiet_NaN(),
                      123456789.123456789};
  // NaNs with payloads and signs keep every bit too
  const std::uint32_t payload_nan = 0x7fc00001u, negative_nan = 0xffc00000u, signaling_nan = 0x7f800001u;
  for (std::uint32_t bits : {payload_nan, negative_nan, signaling_nan}) {
    float nan;
    std::memcpy(&nan, &bits, sizeof nan);
    original.singles.push_back(nan);
  }
  const std::uint64_t double_payload_nan = 0x7ff8000000000abcull;
  double nan;
  std::memcpy(&nan, &double_payload_nan, sizeof nan);
  original.doubles.push_back(nan);
  original.lone_float = std::nextafter(1.0f, 2.0f);
  original.lone_double = std::nextafter(1.0, 0.0);
  Floats loaded = round_trip(original, GetParam());
  ASSERT_EQ(loaded.singles.size(), original.singles.size());
  for (std::size_t i = 0; i < original.singles.size(); ++i)
    EXPECT_TRUE(pj_test::same_bits(loaded.singles[i], original.singles[i])) << i << ": " << loaded.singles[i];
  ASSERT_EQ(loaded.doubles.size(), original.doubles.size());
  for (std::size_t i = 0; i < original.doubles.size(); ++i)
    EXPECT_TRUE(pj_test::same_bits(loaded.doubles[i], original.doubles[i])) << i << ": " << loaded.doubles[i];
  EXPECT_TRUE(pj_test::same_bits(loaded.lone_float, original.lone_float));
  EXPECT_TRUE(pj_test::same_bits(loaded.lone_double, original.lone_double));
}

TEST_P(Fields, StringsWithAnyBytes) {
  Texts original;
  Texts loaded = round_trip(original, GetParam());
  EXPECT_EQ(loaded.empty, "");
  EXPECT_EQ(loaded.quotes, original.quotes);
  EXPECT_EQ(loaded.control, original.control);
  EXPECT_EQ(loaded.with_nul, original.with_nul);
  EXPECT_EQ(loaded.unicode, original.unicode);
  EXPECT_EQ(loaded.spaces, original.spaces);
  EXPECT_EQ(loaded.letter, 'x');
  EXPECT_EQ(loaded.small, -100);
  EXPECT_TRUE(loaded.yes);
}

TEST_P(Fields, Enums) {
  Layer original{Activation::gelu, same};
  Layer loaded = round_trip(original, GetParam());
  EXPECT_EQ(loaded.activation, Activation::gelu);
  EXPECT_EQ(loaded.padding, same);
}

TEST_P(Fields, EmptyFieldListsForStatelessClasses) {
  stateless::Network original;
  original.activations.push_back(std::make_unique<stateless::ReLU>());
  auto leaky = std::make_unique<stateless::LeakyReLU>();
  leaky->slope = 0.2;
  original.activations.push_back(std::move(leaky));
  original.width = 7;
  stateless::Network loaded = round_trip(original, GetParam());
  ASSERT_EQ(loaded.activations.size(), 2u);
  EXPECT_NE(dynamic_cast<stateless::ReLU*>(loaded.activations[0].get()), nullptr);
  EXPECT_EQ(loaded.activations[1]->apply(-10.0), -2.0);
  EXPECT_EQ(loaded.width, 7);
  EXPECT_STREQ(picklejar::access::field_names<stateless::Marker>(), "");
}

PJ_INSTANTIATE_FOR_ALL_FORMATS(Fields);

TEST(FieldNames, AreTheKeysOfTheTextFormats) {
  Estimator original("lasso", {0.5}, Adam{});
  std::string json = picklejar::dumps(original, {picklejar::format::json});
  EXPECT_NE(json.find("\"name_\": \"lasso\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"coefficients_\": [0.5]"), std::string::npos) << json;
  EXPECT_NE(json.find("\"learning_rate\": 0.001,"), std::string::npos) << json;  // shortest float
  std::string xml = picklejar::dumps(original, {picklejar::format::xml});
  EXPECT_NE(xml.find("<name_>lasso</name_>"), std::string::npos) << xml;
}

TEST(FieldNames, JsonWithReorderedFieldsStillLoads) {
  std::string json = picklejar::dumps(thirdparty::Point{1, 2, "p"}, {picklejar::format::json});
  // Swap the order of "x" and "y" by hand, as a person editing the file might.
  auto x = json.find("\"x\": 1");
  auto y = json.find("\"y\": 2");
  ASSERT_NE(x, std::string::npos);
  ASSERT_NE(y, std::string::npos);
  json.replace(y, 6, "\"x\": 1");
  json.replace(x, 6, "\"y\": 2");
  // An edited file no longer matches its checksum; loading it anyway is a deliberate choice.
  pj_test::expect_error(picklejar::errc::integrity, [&] { picklejar::loads<thirdparty::Point>(json); });
  auto loaded = picklejar::loads<thirdparty::Point>(json, pj_test::unverified());
  EXPECT_EQ(loaded.x, 1);
  EXPECT_EQ(loaded.y, 2);
}

}  // namespace
