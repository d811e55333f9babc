// Ordered associative containers load as they were saved: equal keys of a multimap or multiset
// keep their order (cereal's loaders reversed it, found by the zoo fuzz target), in every format
// and wherever the container sits.
#include <picklejar/picklejar.hpp>

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "test_support.hpp"

namespace {

struct Tagged {
  std::multimap<int, std::string> tags;
  std::multiset<std::pair<int, int>> pairs;
  std::vector<std::multimap<std::string, int>> nested;
  std::shared_ptr<std::multimap<int, int>> behind_pointer;
  PICKLEJAR_FIELDS(tags, pairs, nested, behind_pointer)
};

/// Equal keys inserted in a known order, interleaved with other keys so that order and sorting
/// cannot agree by chance.
Tagged make_tagged() {
  Tagged t;
  for (int i = 0; i < 12; ++i) t.tags.emplace(i % 3, "tag" + std::to_string(i));
  t.pairs = {{1, 1}, {0, 5}, {1, 1}, {0, 5}};
  t.nested.push_back({{"b", 2}, {"a", 9}, {"b", 1}, {"a", 3}, {"b", 0}});
  t.behind_pointer = std::make_shared<std::multimap<int, int>>();
  for (int i = 0; i < 6; ++i) t.behind_pointer->emplace(7, 6 - i);
  return t;
}

template <class Map>
std::vector<std::pair<typename Map::key_type, typename Map::mapped_type>> in_order(const Map& map) {
  return {map.begin(), map.end()};
}

class OrderedContainers : public testing::TestWithParam<picklejar::format> {};

TEST_P(OrderedContainers, EqualKeysKeepTheirOrder) {
  const Tagged original = make_tagged();
  const std::string bytes = picklejar::dumps(original, picklejar::options(GetParam()));
  const Tagged loaded = picklejar::loads<Tagged>(bytes);
  EXPECT_EQ(in_order(loaded.tags), in_order(original.tags));
  EXPECT_EQ(in_order(loaded.nested.at(0)), in_order(original.nested.at(0)));
  ASSERT_NE(loaded.behind_pointer, nullptr);
  EXPECT_EQ(in_order(*loaded.behind_pointer), in_order(*original.behind_pointer));
  EXPECT_EQ(loaded.pairs, original.pairs);
  // Saved again, the same bytes: nothing was reordered on the way.
  EXPECT_EQ(picklejar::dumps(loaded, picklejar::options(GetParam())), bytes);

  Tagged existing = make_tagged();
  existing.tags.emplace(1, "extra");
  picklejar::loads(existing, bytes);
  EXPECT_EQ(in_order(existing.tags), in_order(original.tags));
}

PJ_INSTANTIATE_FOR_ALL_FORMATS(OrderedContainers);

}  // namespace
