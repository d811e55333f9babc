// Pointers inside saved objects (the object-graph issue extends this): shared_ptr aliasing,
// unique_ptr and null pointers, in every format.
#include <picklejar/picklejar.hpp>

#include <memory>

#include "test_support.hpp"

namespace {

struct Tokenizer {
  std::vector<std::string> vocabulary{"a", "b"};
  PICKLEJAR_FIELDS(vocabulary)
};

struct Encoder {
  std::shared_ptr<Tokenizer> tokenizer;
  std::unique_ptr<Tokenizer> owned;
  std::shared_ptr<Tokenizer> nothing;
  std::unique_ptr<Tokenizer> nothing_owned;
  PICKLEJAR_FIELDS(tokenizer, owned, nothing, nothing_owned)
};

struct Pipeline {
  std::shared_ptr<Tokenizer> shared;
  Encoder first;
  Encoder second;
  PICKLEJAR_FIELDS(shared, first, second)
};

class Pointers : public pj_test::FormatTest {};

TEST_P(Pointers, SharedObjectsStayShared) {
  Pipeline original;
  original.shared = std::make_shared<Tokenizer>();
  original.shared->vocabulary.push_back("c");
  original.first.tokenizer = original.shared;
  original.second.tokenizer = original.shared;
  original.first.owned = std::make_unique<Tokenizer>();
  Pipeline loaded = pj_test::round_trip(original, GetParam());
  ASSERT_TRUE(loaded.shared);
  EXPECT_EQ(loaded.shared->vocabulary.size(), 3u);
  EXPECT_EQ(loaded.first.tokenizer, loaded.shared);
  EXPECT_EQ(loaded.second.tokenizer, loaded.shared);
  EXPECT_EQ(loaded.shared.use_count(), 3);
  ASSERT_TRUE(loaded.first.owned);
  EXPECT_EQ(loaded.first.owned->vocabulary, original.first.owned->vocabulary);
  EXPECT_FALSE(loaded.first.nothing);
  EXPECT_FALSE(loaded.first.nothing_owned);
  EXPECT_FALSE(loaded.second.owned);
}

TEST_P(Pointers, SharedDataIsStoredOnce) {
  Pipeline one;
  one.shared = std::make_shared<Tokenizer>();
  one.shared->vocabulary.assign(1000, "token");
  Pipeline three = Pipeline{one.shared, Encoder{}, Encoder{}};
  three.first.tokenizer = one.shared;
  three.second.tokenizer = one.shared;
  const auto single = picklejar::dumps(one, opts()).size();
  const auto aliased = picklejar::dumps(three, opts()).size();
  EXPECT_LT(aliased, single + 1000) << "the 1000 tokens must be written once";
}

PJ_INSTANTIATE_FOR_ALL_FORMATS(Pointers);

}  // namespace
