// cereal's value tests through picklejar (cereal_suite.hpp): arithmetic types, strings, arrays.
// This file also prints the totals when the program ends.
#include "cereal_suite.hpp"

namespace {

using namespace cereal_suite;

class SuiteEnvironment : public testing::Environment {
 public:
  void TearDown() override {
    std::printf("cereal suite: %d of %d cases pass\n", totals().passed, totals().total);
  }
};
[[maybe_unused]] const auto* const environment = testing::AddGlobalTestEnvironment(new SuiteEnvironment);

TEST(CerealSuite, Pods) {
  check_value<bool>("bool", number<bool>);
  check_value<char>("char", number<char>);
  check_value<signed char>("signed char", number<signed char>);
  check_value<unsigned char>("unsigned char", number<unsigned char>);
  check_value<std::int16_t>("int16", number<std::int16_t>);
  check_value<std::uint16_t>("uint16", number<std::uint16_t>);
  check_value<std::int32_t>("int32", number<std::int32_t>);
  check_value<std::uint32_t>("uint32", number<std::uint32_t>);
  check_value<std::int64_t>("int64", number<std::int64_t>);
  check_value<std::uint64_t>("uint64", number<std::uint64_t>);
  check_value<float>("float", number<float>);
  check_value<double>("double", number<double>);
  check_value<long double>("long double", number<long double>);
}

TEST(CerealSuite, Strings) {
  check_value<std::string>("string", text);
  check_value<std::wstring>("wstring", [](int s) { return std::wstring(L"w\u00e9\U0001F600") + std::to_wstring(s); });
  check_value<std::u16string>("u16string", [](int s) { return std::u16string(u"\u00e9\xD800x", 3) + char16_t(u'0' + s); });
  check_value<std::u32string>("u32string", [](int s) { return std::u32string(U"\U0001F600") + char32_t(U'0' + s); });
}

TEST(CerealSuite, Arrays) {
  check_value<std::array<int, 5>>("array<int, 5>", [](int s) { return std::array<int, 5>{s, -s, 3, 4, s * 9}; });
  check_value<std::array<std::string, 2>>("array<string, 2>", [](int s) { return std::array<std::string, 2>{text(s), ""}; });
  check_value<std::array<int, 0>>("array<int, 0>", [](int) { return std::array<int, 0>{}; });
  check_value<std::array<double, 0>>("array<double, 0>", [](int) { return std::array<double, 0>{}; });
  check_value<std::array<std::string, 0>>("array<string, 0>", [](int) { return std::array<std::string, 0>{}; });
}

}  // namespace
