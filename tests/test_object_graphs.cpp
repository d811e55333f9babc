// Object graphs: shared_ptr aliasing, cycles through shared_ptr and weak_ptr, unique_ptr, null
// and const pointers, aliasing-constructor pointers, 100,000-deep chains, and crafted files that
// abuse object ids (cereal issue #870). Every test runs in every format.
#include <picklejar/picklejar.hpp>

#include <atomic>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

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

struct Node {
  int value = 0;
  std::shared_ptr<Node> next;
  std::weak_ptr<Node> parent;
  std::vector<std::shared_ptr<Node>> children;
  PICKLEJAR_FIELDS(value, next, parent, children)
};

// Long chains would recurse in their destructors; unlink them in a loop.
void unlink_chain(std::shared_ptr<Node> node) {
  while (node) node = std::exchange(node->next, nullptr);
}

TEST_P(Pointers, CyclesThroughSharedPointersLoadAsCycles) {
  auto a = std::make_shared<Node>();
  auto b = std::make_shared<Node>();
  a->value = 1;
  b->value = 2;
  a->next = b;
  b->next = a;  // a <-> b
  auto loaded = pj_test::round_trip(a, GetParam());
  ASSERT_TRUE(loaded && loaded->next);
  EXPECT_EQ(loaded->value, 1);
  EXPECT_EQ(loaded->next->value, 2);
  EXPECT_EQ(loaded->next->next, loaded);
  EXPECT_NE(loaded, a);
  // break the cycles so nothing leaks
  a->next.reset();
  loaded->next->next.reset();
}

TEST_P(Pointers, SelfReference) {
  auto a = std::make_shared<Node>();
  a->next = a;
  auto loaded = pj_test::round_trip(a, GetParam());
  EXPECT_EQ(loaded->next, loaded);
  a->next.reset();
  loaded->next.reset();
}

TEST_P(Pointers, WeakParentPointersLoadPointingAtTheLoadedParents) {
  auto root = std::make_shared<Node>();
  for (int i = 0; i < 3; ++i) {
    auto child = std::make_shared<Node>();
    child->value = i;
    child->parent = root;
    auto grandchild = std::make_shared<Node>();
    grandchild->parent = child;
    child->children.push_back(grandchild);
    root->children.push_back(child);
  }
  auto loaded = pj_test::round_trip(root, GetParam());
  ASSERT_EQ(loaded->children.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    const auto& child = loaded->children[static_cast<std::size_t>(i)];
    EXPECT_EQ(child->value, i);
    EXPECT_EQ(child->parent.lock(), loaded);
    ASSERT_EQ(child->children.size(), 1u);
    EXPECT_EQ(child->children[0]->parent.lock(), child);
  }
  EXPECT_TRUE(loaded->parent.expired());
}

// The weak_ptr comes first, so the object is written (and read) at the weak_ptr; the shared_ptr
// that owns it comes later and must get the same object.
struct WeakBeforeOwner {
  std::weak_ptr<Tokenizer> observer;
  std::shared_ptr<Tokenizer> owner;
  PICKLEJAR_FIELDS(observer, owner)
};

TEST_P(Pointers, WeakPointerToAnObjectOwnedLaterInTheGraph) {
  WeakBeforeOwner original;
  original.owner = std::make_shared<Tokenizer>();
  original.owner->vocabulary = {"x", "y", "z"};
  original.observer = original.owner;
  auto loaded = pj_test::round_trip(original, GetParam());
  ASSERT_TRUE(loaded.owner);
  EXPECT_EQ(loaded.observer.lock(), loaded.owner);
  EXPECT_EQ(loaded.owner->vocabulary, original.owner->vocabulary);
  EXPECT_EQ(loaded.owner.use_count(), 1) << "the load must not keep its own reference";
}

TEST_P(Pointers, WeakPointerToAnObjectOwnedOutsideTheGraphIsEmptyAfterLoad) {
  auto outside = std::make_shared<Tokenizer>();
  WeakBeforeOwner original;
  original.observer = outside;
  auto loaded = pj_test::round_trip(original, GetParam());
  EXPECT_TRUE(loaded.observer.expired());
  EXPECT_FALSE(loaded.owner);
}

struct Logger {
  std::vector<std::string> lines;
  PICKLEJAR_FIELDS(lines)
};

struct WithTransientObserver {
  int epochs = 0;
  std::weak_ptr<Logger> logger;
  PICKLEJAR_FIELDS(epochs)
  PICKLEJAR_TRANSIENT(logger)
};

TEST_P(Pointers, TransientWeakPointerIsNeverFollowed) {
  auto logger = std::make_shared<Logger>();
  logger->lines.assign(1000, "a line the file must not contain");
  WithTransientObserver original;
  original.epochs = 7;
  original.logger = logger;
  const std::string bytes = picklejar::dumps(original, opts());
  EXPECT_EQ(bytes.find("a line the file must not contain"), std::string::npos);
  EXPECT_EQ(bytes.size(), picklejar::dumps(WithTransientObserver{7, {}}, opts()).size());
  auto loaded = picklejar::loads<WithTransientObserver>(bytes);
  EXPECT_EQ(loaded.epochs, 7);
  EXPECT_TRUE(loaded.logger.expired());
}

struct Config {
  float learning_rate = 0.1f;
  PICKLEJAR_FIELDS(learning_rate)
};

struct ConstPointers {
  std::shared_ptr<const Config> shared;
  std::shared_ptr<const Config> same;
  std::unique_ptr<const Config> owned;
  std::weak_ptr<const Config> observer;
  PICKLEJAR_FIELDS(shared, same, owned, observer)
};

TEST_P(Pointers, PointersToConst) {
  ConstPointers original;
  auto config = std::make_shared<Config>();
  config->learning_rate = 0.25f;
  original.shared = config;
  original.same = config;
  original.observer = config;
  original.owned = std::make_unique<const Config>(Config{0.5f});
  auto loaded = pj_test::round_trip(original, GetParam());
  ASSERT_TRUE(loaded.shared && loaded.owned);
  EXPECT_EQ(loaded.shared->learning_rate, 0.25f);
  EXPECT_EQ(loaded.same, loaded.shared);
  EXPECT_EQ(loaded.observer.lock(), loaded.shared);
  EXPECT_EQ(loaded.owned->learning_rate, 0.5f);
}

struct Weights {
  std::vector<float> values{1, 2, 3};
  float scale = 2;
  PICKLEJAR_FIELDS(values, scale)
};

struct AliasingGraph {
  std::shared_ptr<Weights> owner;
  std::shared_ptr<float> part;
  PICKLEJAR_FIELDS(owner, part)
};

TEST_P(Pointers, AliasingConstructorPointersAreRejectedOnSave) {
  AliasingGraph graph;
  graph.owner = std::make_shared<Weights>();
  graph.part = std::shared_ptr<float>(graph.owner, &graph.owner->scale);  // inside the owner
  auto failure = pj_test::expect_error(picklejar::errc::type, [&] { picklejar::dumps(graph, opts()); });
  EXPECT_NE(std::string(failure.what()).find("aliasing constructor"), std::string::npos) << failure.what();
  // the same with the aliasing pointer met first
  struct Reversed {
    std::shared_ptr<float> part;
    std::shared_ptr<Weights> owner;
    PICKLEJAR_FIELDS(part, owner)
  } reversed{graph.part, graph.owner};
  pj_test::expect_error(picklejar::errc::type, [&] { picklejar::dumps(reversed, opts()); });
  // a pointer that owns nothing cannot be recreated either
  float loose = 1;
  graph.owner.reset();
  graph.part = std::shared_ptr<float>(std::shared_ptr<float>(), &loose);
  pj_test::expect_error(picklejar::errc::type, [&] { picklejar::dumps(graph, opts()); });
}

TEST_P(Pointers, PointerToTheFirstMemberOfAnOwnedObjectIsRejectedToo) {
  // same address as the owner, other type: cereal would alias the two
  struct FirstMember {
    std::shared_ptr<Weights> owner;
    std::shared_ptr<std::vector<float>> values;
    PICKLEJAR_FIELDS(owner, values)
  } graph;
  graph.owner = std::make_shared<Weights>();
  graph.values = std::shared_ptr<std::vector<float>>(graph.owner, &graph.owner->values);
  pj_test::expect_error(picklejar::errc::type, [&] { picklejar::dumps(graph, opts()); });
}

TEST_P(Pointers, HundredThousandDeepSharedChainSavesAndLoads) {
  constexpr int length = 100000;
  auto head = std::make_shared<Node>();
  auto tail = head;
  for (int i = 1; i < length; ++i) {
    tail->next = std::make_shared<Node>();
    tail->next->value = i;
    tail->next->parent = tail;
    tail = tail->next;
  }
  auto loaded = pj_test::round_trip(head, GetParam());  // default options
  int count = 0;
  for (auto node = loaded; node; node = node->next, ++count) {
    ASSERT_EQ(node->value, count);
    if (count > 0) {
      ASSERT_EQ(node->parent.lock()->value, count - 1);
    }
  }
  EXPECT_EQ(count, length);
  unlink_chain(head);
  unlink_chain(loaded);
}

struct Link {
  int value = 0;
  std::unique_ptr<Link> next;
  PICKLEJAR_FIELDS(value, next)
};

TEST_P(Pointers, HundredThousandDeepUniqueChainSavesAndLoads) {
  Link head;
  Link* tail = &head;
  for (int i = 1; i < 100000; ++i) {
    tail->next = std::make_unique<Link>();
    tail->next->value = i;
    tail = tail->next.get();
  }
  Link loaded = pj_test::round_trip(head, GetParam());
  int count = 0;
  for (const Link* link = &loaded; link != nullptr; link = link->next.get(), ++count) ASSERT_EQ(link->value, count);
  EXPECT_EQ(count, 100000);
  for (Link* link : {&head, &loaded}) {
    auto next = std::move(link->next);
    while (next) next = std::move(next->next);
  }
}

// A chain whose nodes must see their pointees before after_load() recurses; the depth limit
// stops it with an error, never a crash.
struct HookedLink {
  int value = 0;
  std::shared_ptr<HookedLink> next;
  int rest = 0;  // computed by after_load from the pointee, which must be loaded by then
  PICKLEJAR_FIELDS(value, next)
  void after_load() { rest = next ? next->rest + 1 : 0; }
};

TEST_P(Pointers, AfterLoadSeesItsPointeesAndDeepHookChainsHitTheDepthLimit) {
  auto head = std::make_shared<HookedLink>();
  auto tail = head;
  for (int i = 1; i < 100; ++i) tail = tail->next = std::make_shared<HookedLink>();
  auto loaded = pj_test::round_trip(head, GetParam());
  EXPECT_EQ(loaded->rest, 99) << "after_load must run after the objects it points at are loaded";
  picklejar::options shallow = opts();
  shallow.max_depth = 20;
  pj_test::expect_error(picklejar::errc::limit, [&] { picklejar::dumps(head, shallow); });
  const std::string bytes = picklejar::dumps(head, opts());
  picklejar::options shallow_load;
  shallow_load.max_depth = 20;
  pj_test::expect_error(picklejar::errc::limit, [&] { picklejar::loads<std::shared_ptr<HookedLink>>(bytes, shallow_load); });
}

PJ_INSTANTIATE_FOR_ALL_FORMATS(Pointers);

// An error inside an object behind a pointer names the path through the pointer.
TEST(PointerPaths, ErrorsInsidePointeesNameThePathThroughThePointer) {  // crafted as JSON text
  Pipeline original;
  original.first.owned = std::make_unique<Tokenizer>();
  original.first.owned->vocabulary = {"alpha", "omega"};
  std::string text = picklejar::dumps(original, {picklejar::format::json});
  const auto at = text.find("\"omega\"");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 7, "17");
  auto failure = pj_test::expect_error(picklejar::errc::format, [&] { picklejar::loads<Pipeline>(pj_test::reseal(text)); });
  EXPECT_EQ(failure.field_path(), "Pipeline.first.owned.vocabulary[1]") << failure.what();
}


// ---- crafted files: object ids that lie ----

struct TwoKinds {
  std::shared_ptr<Tokenizer> tokenizer;
  std::shared_ptr<Weights> weights;
  PICKLEJAR_FIELDS(tokenizer, weights)
};

std::size_t payload_start(const std::string& bytes) {
  return picklejar::detail::fixed_header_bytes + picklejar::detail::get_le(bytes.data() + 12, 4);
}

// Points `weights` at object #1 (the Tokenizer): cereal issue #870's type confusion.
std::string claim_object_one_twice(std::string bytes, picklejar::format fmt) {
  if (fmt == picklejar::format::json) {
    auto at = bytes.find("\"id\": 2");
    bytes.replace(at, 7, "\"id\": 1");
  } else if (fmt == picklejar::format::xml) {
    auto at = bytes.find("<id>2</id>");
    bytes.replace(at, 10, "<id>1</id>");
  } else {
    // root fields: tokenizer's site (id 1, origin 0), then weights' site (id 2, origin 0)
    const char site_pair[] = {1, 0, 0, 0, 0, 2, 0, 0, 0, 0};
    auto at = bytes.find(std::string(site_pair, sizeof site_pair), payload_start(bytes));
    bytes[at + 5] = 1;
  }
  return pj_test::reseal(bytes);
}

class CraftedGraphs : public pj_test::FormatTest {};

TEST_P(CraftedGraphs, OneIdClaimedByTwoTypesIsAFormatError) {
  TwoKinds original{std::make_shared<Tokenizer>(), std::make_shared<Weights>()};
  const std::string bytes = claim_object_one_twice(picklejar::dumps(original, opts()), GetParam());
  auto failure = pj_test::expect_error(picklejar::errc::format, [&] { picklejar::loads<TwoKinds>(bytes); });
  EXPECT_NE(failure.reason().find("object #1"), std::string::npos) << failure.what();
  EXPECT_EQ(failure.field_path(), "TwoKinds.weights") << failure.what();
}

TEST_P(CraftedGraphs, IdsOutOfOrderAreFormatErrors) {
  Encoder original;
  original.tokenizer = std::make_shared<Tokenizer>();
  std::string bytes = picklejar::dumps(original, opts());
  if (GetParam() == picklejar::format::json) {
    bytes.replace(bytes.find("\"id\": 1"), 7, "\"id\": 9");
  } else if (GetParam() == picklejar::format::xml) {
    bytes.replace(bytes.find("<id>1</id>"), 10, "<id>9</id>");
  } else {
    const char first_site[] = {1, 0, 0, 0, 0};
    bytes[bytes.find(std::string(first_site, sizeof first_site), payload_start(bytes))] = 9;
  }
  auto failure = pj_test::expect_error(picklejar::errc::format, [&] { picklejar::loads<Encoder>(pj_test::reseal(bytes)); });
  EXPECT_NE(failure.reason().find("object #9"), std::string::npos) << failure.what();
}

TEST_P(CraftedGraphs, AUniquePointerCannotTakeAnEarlierObject) {
  // tokenizer is object #1 (shared), owned is object #2 (unique); make owned claim #1
  Encoder original;
  original.tokenizer = std::make_shared<Tokenizer>();
  original.owned = std::make_unique<Tokenizer>();
  const std::string bytes = claim_object_one_twice(picklejar::dumps(original, opts()), GetParam());
  pj_test::expect_error(picklejar::errc::format, [&] { picklejar::loads<Encoder>(bytes); });
}

PJ_INSTANTIATE_FOR_ALL_FORMATS(CraftedGraphs);

}  // namespace

// ---- objects that must see their pointees before they finish ----

namespace hooks {

struct Embedding {
  std::vector<float> table;
  PICKLEJAR_FIELDS(table)
};

// set_state() reads the pointees it is given, and get_state() returns a temporary that owns one:
// both must be complete while the hook runs.
class Encoder {
 public:
  struct State {
    std::shared_ptr<Embedding> shared;
    std::unique_ptr<Embedding> owned;
    PICKLEJAR_FIELDS(shared, owned)
  };
  State get_state() const {
    State state;
    state.shared = shared_;
    state.owned = std::make_unique<Embedding>(Embedding{{total_}});  // dies after saving
    return state;
  }
  void set_state(State state) {
    shared_ = state.shared;
    total_ = state.owned->table.at(0);
    shared_size_ = state.shared ? state.shared->table.size() : 0;
  }
  std::shared_ptr<Embedding> shared_;
  float total_ = 0;
  std::size_t shared_size_ = 0;  // computed in set_state from the pointee
};

// A plain cereal type that loads a pointer into a temporary and copies what it points at.
struct CopiesThroughATemporary {
  std::vector<float> copy;
  template <class Archive>
  void save(Archive& archive) const {
    auto temporary = std::make_unique<Embedding>(Embedding{copy});
    archive(temporary);
  }
  template <class Archive>
  void load(Archive& archive) {
    std::unique_ptr<Embedding> temporary;
    archive(temporary);
    copy = temporary->table;
  }
};

struct Holder {
  std::shared_ptr<Embedding> first;
  Encoder encoder;
  CopiesThroughATemporary foreign;
  PICKLEJAR_FIELDS(first, encoder, foreign)
};

}  // namespace hooks

class PointeesFirst : public pj_test::FormatTest {};

TEST_P(PointeesFirst, StateHooksAndForeignTypesSeeCompletePointees) {
  hooks::Holder original;
  original.first = std::make_shared<hooks::Embedding>(hooks::Embedding{{1, 2, 3}});
  original.encoder.shared_ = original.first;  // met first outside the state
  original.encoder.total_ = 6;
  original.foreign.copy = {4, 5};
  hooks::Holder loaded = pj_test::round_trip(original, GetParam());
  EXPECT_EQ(loaded.encoder.total_, 6) << "the state's unique_ptr pointee was complete in set_state";
  EXPECT_EQ(loaded.encoder.shared_size_, 3u) << "a pointee queued before the state was complete too";
  EXPECT_EQ(loaded.encoder.shared_, loaded.first);
  EXPECT_EQ(loaded.foreign.copy, (std::vector<float>{4, 5}));
}

// A guarded object's pointees are written while its guard is held: a consistent snapshot.
struct GuardedModel {
  mutable std::mutex mutex;
  std::unique_ptr<hooks::Embedding> weights = std::make_unique<hooks::Embedding>();
  int step = 0;
  PICKLEJAR_FIELDS(weights, step)
  PICKLEJAR_TRANSIENT(mutex)
  PICKLEJAR_GUARDED_BY(mutex)
};

TEST_P(PointeesFirst, AGuardedObjectsPointeesAreInItsSnapshot) {
  GuardedModel model;
  std::atomic<bool> stop{false};
  std::thread trainer([&] {
    while (!stop) {
      std::lock_guard<std::mutex> hold(model.mutex);
      ++model.step;
      model.weights->table.assign(1, static_cast<float>(model.step));
    }
  });
  for (int i = 0; i < 20; ++i) {
    GuardedModel loaded;
    picklejar::loads(loaded, picklejar::dumps(model, opts()));
    ASSERT_EQ(loaded.weights->table.size(), loaded.step == 0 ? 0u : 1u);
    if (loaded.step > 0) {
      ASSERT_EQ(loaded.weights->table[0], static_cast<float>(loaded.step)) << "torn snapshot";
    }
  }
  stop = true;
  trainer.join();
}

PJ_INSTANTIATE_FOR_ALL_FORMATS(PointeesFirst);

// ---- pointers to types built by from_state() (no default constructor) ----

class Vocabulary {
 public:
  explicit Vocabulary(std::vector<std::string> words) : words_(std::move(words)) {}
  std::vector<std::string> get_state() const { return words_; }
  static Vocabulary from_state(std::vector<std::string> words) { return Vocabulary(std::move(words)); }
  const std::vector<std::string>& words() const { return words_; }

 private:
  std::vector<std::string> words_;
};

struct UsesVocabulary {
  std::shared_ptr<const Vocabulary> shared;
  std::shared_ptr<const Vocabulary> again;
  std::unique_ptr<Vocabulary> owned;
  PICKLEJAR_FIELDS(shared, again, owned)
};

class FromState : public pj_test::FormatTest {};

TEST_P(FromState, PointeesBuiltByFromStateKeepSharing) {
  UsesVocabulary original;
  original.shared = std::make_shared<Vocabulary>(std::vector<std::string>{"a", "b"});
  original.again = original.shared;
  original.owned = std::make_unique<Vocabulary>(std::vector<std::string>{"c"});
  auto loaded = pj_test::round_trip(original, GetParam());
  ASSERT_TRUE(loaded.shared && loaded.owned);
  EXPECT_EQ(loaded.shared->words(), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(loaded.again, loaded.shared);
  EXPECT_EQ(loaded.owned->words(), std::vector<std::string>{"c"});
}

// A cycle through a from_state type cannot be built: refused on save, not written unloadable.
class Ring {
 public:
  struct State {
    int value = 0;
    std::shared_ptr<Ring> next;
    PICKLEJAR_FIELDS(value, next)
  };
  explicit Ring(int value) : value_(value) {}
  State get_state() const { return {value_, next_}; }
  static Ring from_state(State state) {
    Ring ring(state.value);
    ring.next_ = state.next;
    return ring;
  }
  int value_;
  std::shared_ptr<Ring> next_;
};

TEST_P(FromState, ACycleThroughFromStateIsRefusedOnSave) {
  auto ring = std::make_shared<Ring>(1);
  ring->next_ = ring;
  pj_test::expect_error(picklejar::errc::type, [&] { picklejar::dumps(ring, opts()); });
  ring->next_.reset();
  auto chain = std::make_shared<Ring>(1);
  chain->next_ = std::make_shared<Ring>(2);  // no cycle: fine
  auto loaded = pj_test::round_trip(chain, GetParam());
  ASSERT_TRUE(loaded->next_);
  EXPECT_EQ(loaded->next_->value_, 2);
}

PJ_INSTANTIATE_FOR_ALL_FORMATS(FromState);
