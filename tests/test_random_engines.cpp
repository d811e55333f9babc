// The standard random engines and distributions (picklejar/random.hpp): a reloaded engine or
// distribution continues exactly the sequence the saved one would have produced, in every format,
// in picklejar's archives and in cereal's own; a damaged state is an errc::format error.
#include <cereal/archives/binary.hpp>
#include <cereal/archives/json.hpp>
#include <cereal/archives/portable_binary.hpp>
#include <cereal/archives/xml.hpp>

#include <locale>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "test_support.hpp"

// A cereal program that already saves an engine type its own way keeps doing so: picklejar's
// functions stand aside (two would make cereal refuse the type).
using OwnEngine = std::linear_congruential_engine<std::uint32_t, 69069, 7, 0>;
namespace cereal {
template <class Archive>
void serialize(Archive& archive, OwnEngine& engine) {
  std::uint32_t seed = 0;
  if constexpr (std::is_base_of_v<detail::OutputArchiveBase, Archive>) {
    seed = OwnEngine(engine)();  // a program's own (lossy) choice: the next number
  }
  archive(make_nvp("own_seed", seed));
  if constexpr (std::is_base_of_v<detail::InputArchiveBase, Archive>) engine.seed(seed);
}
}  // namespace cereal

namespace {

template <class T>
struct Holder {
  T value;
  int after = 7;  // a field after the state: the state must be read exactly, no more
  PICKLEJAR_FIELDS(value, after)
};

// Draws n values; a distribution draws from its own engine, kept beside it.
template <class E>
std::vector<double> draw(E& engine, int n) {
  std::vector<double> out;
  for (int i = 0; i < n; ++i) out.push_back(static_cast<double>(engine()));
  return out;
}

template <class D>
struct WithEngine {
  std::mt19937_64 engine{2024};
  D distribution;
  PICKLEJAR_FIELDS(engine, distribution)
  std::vector<double> draw(int n) {
    std::vector<double> out;
    for (int i = 0; i < n; ++i) out.push_back(static_cast<double>(distribution(engine)));
    return out;
  }
};

template <class T>
T make() {
  return T{};
}

template <class Out, class In, class T>
T through_cereal(const T& value) {
  std::stringstream stream;
  {
    Out archive(stream);
    archive(cereal::make_nvp("held", value));
  }
  T copy{};
  In archive(stream);
  archive(cereal::make_nvp("held", copy));
  return copy;
}

template <class T>
std::vector<T> every_reload(const T& value) {
  std::vector<T> copies;
  for (picklejar::format fmt : pj_test::all_formats) copies.push_back(pj_test::round_trip(value, fmt));
  copies.push_back(through_cereal<cereal::BinaryOutputArchive, cereal::BinaryInputArchive>(value));
  copies.push_back(
      through_cereal<cereal::PortableBinaryOutputArchive, cereal::PortableBinaryInputArchive>(value));
  copies.push_back(through_cereal<cereal::JSONOutputArchive, cereal::JSONInputArchive>(value));
  copies.push_back(through_cereal<cereal::XMLOutputArchive, cereal::XMLInputArchive>(value));
  return copies;
}

const char* const reload_names[] = {"binary",       "portable_binary",       "json",       "xml",
                                    "cereal binary", "cereal portable binary", "cereal json", "cereal xml"};

template <class E>
class Engines : public testing::Test {};
using EngineTypes =
    testing::Types<std::mt19937, std::mt19937_64, std::minstd_rand, std::minstd_rand0, std::ranlux24_base,
                   std::ranlux48_base, std::ranlux24, std::ranlux48, std::knuth_b, std::default_random_engine,
                   std::independent_bits_engine<std::mt19937, 17, std::uint32_t>>;
TYPED_TEST_SUITE(Engines, EngineTypes, );  // the empty argument: -Wpedantic before C++20

TYPED_TEST(Engines, ReloadedEngineContinuesTheSequenceInEveryFormat) {
  Holder<TypeParam> original{TypeParam(12345), 7};
  draw(original.value, 1000);  // the state is well away from the seed's
  const auto copies = every_reload(original);
  const auto expected = draw(original.value, 700);
  for (std::size_t i = 0; i < copies.size(); ++i) {
    auto copy = copies[i];
    EXPECT_EQ(draw(copy.value, 700), expected) << reload_names[i];
    EXPECT_EQ(copy.after, 7) << reload_names[i];
  }
}

template <class D>
class Distributions : public testing::Test {};
using DistributionTypes = testing::Types<
    std::uniform_int_distribution<int>, std::uniform_real_distribution<double>, std::bernoulli_distribution,
    std::binomial_distribution<int>, std::geometric_distribution<int>, std::negative_binomial_distribution<int>,
    std::poisson_distribution<int>, std::exponential_distribution<double>, std::gamma_distribution<double>,
    std::weibull_distribution<double>, std::extreme_value_distribution<double>, std::normal_distribution<double>,
    std::normal_distribution<float>, std::lognormal_distribution<double>, std::chi_squared_distribution<double>,
    std::cauchy_distribution<double>, std::fisher_f_distribution<double>, std::student_t_distribution<double>,
    std::discrete_distribution<int>, std::piecewise_constant_distribution<double>,
    std::piecewise_linear_distribution<double>>;
TYPED_TEST_SUITE(Distributions, DistributionTypes, );  // the empty argument: -Wpedantic before C++20

TYPED_TEST(Distributions, ReloadedDistributionContinuesTheSequenceInEveryFormat) {
  WithEngine<TypeParam> original;
  original.draw(101);  // an odd count: normal_distribution holds a cached second value now
  const auto copies = every_reload(original);
  const auto expected = original.draw(300);
  for (std::size_t i = 0; i < copies.size(); ++i) {
    auto copy = copies[i];
    EXPECT_EQ(copy.draw(300), expected) << reload_names[i];
  }
}

TEST(RandomEngines, ParametersOfADistributionAreKept) {
  Holder<std::normal_distribution<double>> original{std::normal_distribution<double>(0.1 + 1e-17, 3.3), 1};
  Holder<std::discrete_distribution<int>> weights{std::discrete_distribution<int>({1.0, 2.5, 1e-300}), 1};
  for (picklejar::format fmt : pj_test::all_formats) {
    EXPECT_EQ(pj_test::round_trip(original, fmt).value, original.value) << picklejar::to_string(fmt);
    EXPECT_EQ(pj_test::round_trip(weights, fmt).value, weights.value) << picklejar::to_string(fmt);
  }
}

// A global locale that groups digits ("12,345") must not change what is written or read.
struct grouping : std::numpunct<char> {
  char do_thousands_sep() const override { return ','; }
  std::string do_grouping() const override { return "\3"; }
};

TEST(RandomEngines, GlobalLocaleDoesNotChangeTheText) {
  Holder<std::mt19937> original{std::mt19937(99), 7};
  const std::string before = picklejar::dumps(original, picklejar::options(picklejar::format::json));
  const std::locale previous = std::locale::global(std::locale(std::locale::classic(), new grouping));
  std::string during;
  Holder<std::mt19937> copy{};
  try {
    during = picklejar::dumps(original, picklejar::options(picklejar::format::json));
    copy = picklejar::loads<Holder<std::mt19937>>(before, picklejar::options(picklejar::format::json));
  } catch (...) {
    std::locale::global(previous);
    throw;
  }
  std::locale::global(previous);
  EXPECT_EQ(during, before);
  EXPECT_EQ(copy.value, original.value);
}

// Saves a chosen text where a std::mt19937 is expected, and loads it as the engine would.
struct Planted {
  std::string text;
  std::mt19937 engine;
};
template <class Archive>
std::string save_minimal(const Archive&, const Planted& planted) {
  return planted.text;
}
template <class Archive>
void load_minimal(const Archive& archive, Planted& planted, const std::string& text) {
  cereal::load_minimal(archive, planted.engine, text);  // picklejar/random.hpp's loader
}

struct Victim {
  Planted value;
  int after = 7;
  PICKLEJAR_FIELDS(value, after)
};

// A state string an attacker (or a disk) damaged: an errc::format error naming the field, and the
// engine is left as it was, never half read.
TEST(RandomEngines, DamagedStateIsAFormatError) {
  const std::string good = picklejar::detail::random_state_text(std::mt19937(5));
  const std::vector<std::string> bad = {
      "",                                      // empty
      "1 2 3",                                 // too short
      "not numbers at all",                    // garbage
      good + " 17",                            // trailing data
      good.substr(0, good.size() / 2),         // cut in half
      std::string(100, '9') + good.substr(10)  // a number out of range
  };
  for (picklejar::format fmt : pj_test::all_formats) {
    for (const std::string& text : bad) {
      const std::string bytes = picklejar::dumps(Victim{{text, {}}, 7}, picklejar::options(fmt));
      Victim target{{"", std::mt19937(1)}, 1};
      const auto failure = pj_test::expect_error(picklejar::errc::format, [&] {
        picklejar::loads(target, bytes, picklejar::options(fmt));
      });
      EXPECT_NE(std::string(failure.what()).find("value"), std::string::npos)
          << "the message names the field: " << failure.what();
      EXPECT_EQ(target.value.engine, std::mt19937(1)) << "a failed read leaves the engine as it was";
    }
    Victim target{};
    picklejar::loads(target, picklejar::dumps(Victim{{good, {}}, 7}, picklejar::options(fmt)),
                     picklejar::options(fmt));
    EXPECT_EQ(target.value.engine, std::mt19937(5)) << "the probe itself reads a good state";
  }
  std::normal_distribution<double> distribution;
  pj_test::expect_error(picklejar::errc::format,
                        [&] { picklejar::detail::read_random_state(distribution, "0.5 -1 x"); });
}

TEST(RandomEngines, ProgramsOwnCerealFunctionsForAnEngineAreKept) {
  Holder<OwnEngine> original{OwnEngine(5), 7};
  std::stringstream stream;
  {
    cereal::JSONOutputArchive archive(stream);
    archive(cereal::make_nvp("held", original));
  }
  EXPECT_NE(stream.str().find("own_seed"), std::string::npos) << stream.str();
  const std::string json = picklejar::dumps(original, picklejar::options(picklejar::format::json));
  EXPECT_NE(json.find("own_seed"), std::string::npos) << json;
}

TEST(RandomEngines, OverlongStateIsRefusedBeforeParsing) {
  std::mt19937 engine;
  pj_test::expect_error(picklejar::errc::format, [&] {
    picklejar::detail::read_random_state(engine, std::string(picklejar::detail::max_random_state_chars + 1, '1'));
  });
}

}  // namespace
