// cereal's value tests through picklejar (cereal_suite.hpp): utilities, structs with each kind of
// cereal function, types cereal constructs, pointers, polymorphism, weak pointers, key order.
#include "cereal_suite.hpp"

CEREAL_REGISTER_TYPE(cereal_suite::Square)
CEREAL_REGISTER_TYPE(cereal_suite::Circle)

namespace {

using namespace cereal_suite;

TEST(CerealSuite, Utilities) {
  check_value<std::pair<int, std::string>>("pair", [](int s) { return std::make_pair(s, text(s)); });
  check_value<std::tuple<int, double, std::string>>("tuple", [](int s) { return std::make_tuple(s, s * 0.5, text(s)); });
  check_value<std::tuple<>>("empty tuple", [](int) { return std::tuple<>{}; });
  check_value<std::optional<int>>("optional", [](int s) { return s % 2 == 0 ? std::optional<int>(s) : std::nullopt; });
  check_value<std::variant<int, std::string, double>>("variant", [](int s) {
    if (s % 3 == 0) return std::variant<int, std::string, double>(s);
    if (s % 3 == 1) return std::variant<int, std::string, double>(text(s));
    return std::variant<int, std::string, double>(s * 0.25);
  });
  check_value<std::bitset<65>>("bitset", [](int s) { std::bitset<65> b; b.set(static_cast<std::size_t>(s)); b.set(64); return b; });
  check_value<std::complex<double>>("complex", [](int s) { return std::complex<double>(s, -0.5); });
  check_value<std::chrono::nanoseconds>("duration", [](int s) { return std::chrono::nanoseconds(s * 123456789LL); });
  check_value<std::chrono::system_clock::time_point>("time_point", [](int s) {
    return std::chrono::system_clock::time_point(std::chrono::system_clock::duration(1700000000LL * s));
  });
  check_value<std::valarray<double>>("valarray", [](int s) { return std::valarray<double>{s * 1.0, 0.5, -2.0}; });
  check_move_only<std::atomic<int>>("atomic", [](int s) { return s; });
}

TEST(CerealSuite, Structs) {
  check_value<MemberSerialize>("member serialize", [](int s) { return MemberSerialize{s, text(s)}; });
  check_value<MemberSaveLoad>("member save/load", [](int s) { return MemberSaveLoad{s * 0.1, {s, 2}}; });
  check_value<FreeSerialize>("free serialize", [](int s) { return FreeSerialize{-s}; });
  check_value<FreeSaveLoad>("free save/load", [](int s) { return FreeSaveLoad{text(s)}; });
  check_value<MemberMinimal>("member minimal", [](int s) { return MemberMinimal{text(s)}; });
  check_value<MemberMinimalVersioned>("versioned member minimal", [](int s) { return MemberMinimalVersioned{s / 7.0}; });
  check_value<FreeMinimalVersioned>("versioned free minimal", [](int s) { return FreeMinimalVersioned{static_cast<std::uint32_t>(s)}; });
  check_value<Versioned>("versioned serialize", [](int s) { return Versioned{s, s + 1}; });
}

TEST(CerealSuite, ConstructedByCereal) {
  // The default constructor is private (cereal::access) or missing (load_and_construct): these
  // are held only through pointers, which cereal builds.
  check_move_only<std::unique_ptr<PrivateConstructor>>("private constructor behind unique_ptr",
                                                       [](int s) { return std::make_unique<PrivateConstructor>(s); });
  check_move_only<std::shared_ptr<PrivateConstructor>>("private constructor behind shared_ptr",
                                                       [](int s) { return std::make_shared<PrivateConstructor>(s); });
  check_move_only<std::unique_ptr<LoadAndConstruct>>("load_and_construct behind unique_ptr",
                                                     [](int s) { return std::make_unique<LoadAndConstruct>(s); });
  check_move_only<std::shared_ptr<LoadAndConstruct>>("load_and_construct behind shared_ptr",
                                                     [](int s) { return std::make_shared<LoadAndConstruct>(s); });
}

TEST(CerealSuite, Pointers) {
  check_move_only<std::shared_ptr<int>>("shared_ptr<int>", [](int s) { return std::make_shared<int>(s); });
  check_move_only<std::unique_ptr<MemberSerialize>>("unique_ptr<struct>",
                                                    [](int s) { return std::make_unique<MemberSerialize>(MemberSerialize{s, "u"}); });
  check_move_only<std::shared_ptr<MemberSerialize>>("null shared_ptr", [](int) { return std::shared_ptr<MemberSerialize>(); });
}

TEST(CerealSuite, Polymorphic) {
  auto shape = [](int s) -> std::shared_ptr<Shape> {
    if (s % 2 == 0) {
      auto square = std::make_shared<Square>();
      square->side = s;
      return square;
    }
    auto circle = std::make_shared<Circle>();
    circle->radius = s;
    return circle;
  };
  check_move_only<std::shared_ptr<Shape>>("polymorphic shared_ptr", shape);
  check_move_only<std::unique_ptr<Shape>>("polymorphic unique_ptr", [](int s) -> std::unique_ptr<Shape> {
    auto square = std::make_unique<Square>();
    square->side = s;
    return square;
  });
}

// A weak_ptr and its owner in one object: after loading, the weak_ptr points at the loaded owner.
struct WeakAndOwner {
  std::shared_ptr<MemberSerialize> owner;
  std::weak_ptr<MemberSerialize> watcher;
  PICKLEJAR_FIELDS(owner, watcher)
};

TEST(CerealSuite, WeakPointers) {
  for (picklejar::format fmt : pj_test::all_formats) {
    run_case("weak_ptr with its owner", fmt, [&] {
      WeakAndOwner graph;
      graph.owner = std::make_shared<MemberSerialize>(MemberSerialize{3, "w"});
      graph.watcher = graph.owner;
      const auto back = picklejar::loads<WeakAndOwner>(picklejar::dumps(graph, picklejar::options(fmt)));
      return back.owner && back.watcher.lock() == back.owner && *back.owner == *graph.owner;
    });
  }
}

// The order of equal keys survives in every format (cereal's own loaders reverse it).

TEST(CerealSuite, EqualKeysKeepTheirOrder) {
  std::multimap<int, int> map;
  for (int i = 0; i < 50; ++i) map.emplace(i % 3, i);
  for (picklejar::format fmt : pj_test::all_formats) {
    const auto back = picklejar::loads<std::multimap<int, int>>(picklejar::dumps(map, picklejar::options(fmt)));
    EXPECT_TRUE(std::equal(map.begin(), map.end(), back.begin(), back.end())) << picklejar::to_string(fmt);
  }
}

}  // namespace
