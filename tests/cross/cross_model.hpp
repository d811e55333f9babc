// The model of the cross-compiler test (tests/cross/CMakeLists.txt): every feature a file can
// carry, written by one build (GCC or Clang, C++17 or C++20) and read by every other. On top of
// reference_model.hpp (fields, transient members, state hooks with after_load(), a guard, weak
// pointers, registered polymorphic layers behind shared_ptr and unique_ptr, versioning, Eigen
// dense and sparse, maps and optionals) it adds what depends on how a compiler spells or lays
// out types: a from_state() type behind a shared_ptr whose state holds pointers, a cycle, a
// foreign cereal class that saves and loads through temporaries, externals, the standard
// containers, and a versioned template and a root type whose names GCC and Clang print
// differently.
#pragma once

#include <cereal/cereal.hpp>

#include <array>
#include <bitset>
#include <chrono>
#include <complex>
#include <cstdint>
#include <deque>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include "reference_model.hpp"

namespace cross_model {

struct Leaf {
  std::shared_ptr<std::int64_t> value;
  PICKLEJAR_FIELDS(value)
};

struct Pair {
  std::shared_ptr<Leaf> a;
  std::shared_ptr<Leaf> b;
  PICKLEJAR_FIELDS(a, b)
};

struct FrozenState {
  std::shared_ptr<Pair> pair;
  std::string label;
  PICKLEJAR_FIELDS(pair, label)
};

/// No default constructor: built by from_state() when loaded behind a pointer.
class Frozen {
 public:
  explicit Frozen(FrozenState state) : state_(std::move(state)) {}
  const FrozenState& get_state() const { return state_; }
  static Frozen from_state(FrozenState state) { return Frozen(std::move(state)); }
  const FrozenState& state() const { return state_; }

 private:
  FrozenState state_;
};

/// A ring of three nodes through shared pointers.
struct Node {
  int value = 0;
  std::shared_ptr<Node> next;
  PICKLEJAR_FIELDS(value, next)
};

/// A plain cereal class: its save() writes a pointer to a temporary, its load() reads one and
/// keeps only the value, so the pointee must be written and read at once, not deferred.
struct Counter {
  std::int64_t count = 0;
  template <class Archive>
  void save(Archive& archive) const {
    auto temporary = std::make_shared<std::int64_t>(count * 2);
    archive(cereal::make_nvp("doubled", temporary));
  }
  template <class Archive>
  void load(Archive& archive) {
    std::shared_ptr<std::int64_t> temporary;
    archive(cereal::make_nvp("doubled", temporary));
    count = temporary ? *temporary / 2 : -1;
  }
};

/// Versioned, and named by a template argument GCC prints with its defaulted arguments (inside a
/// parameter pack) and Clang without: the version table key must still match.
template <class T>
struct Tagged {
  T tag{};
  std::string note;
  PICKLEJAR_FIELDS(tag)
  PICKLEJAR_FIELDS_SINCE(2, note)
};
using TaggedTuple = Tagged<std::tuple<std::vector<int>, std::string, long>>;

/// Shared with the program: written as a name, resolved from options::externals on load.
struct Vocabulary {
  std::vector<std::string> words;
  PICKLEJAR_FIELDS(words)
};

enum class Mode : std::uint8_t { train = 1, eval = 7 };

struct Model {
  reference_model::Model reference;
  std::shared_ptr<Frozen> frozen;
  Pair pair;  // b shares an object with the frozen state's pair
  std::shared_ptr<Node> ring;
  std::weak_ptr<Node> ring_tail;
  Counter counter;
  TaggedTuple tagged;
  std::shared_ptr<Vocabulary> vocabulary;  // external
  std::unique_ptr<std::int64_t> owned;
  std::deque<std::int16_t> deque;
  std::list<std::string> list;
  std::set<std::uint64_t> set;
  std::multimap<int, double> multimap;
  std::unordered_map<std::string, std::vector<std::uint8_t>> unordered;
  std::array<float, 3> array{};
  std::bitset<70> bits;
  std::tuple<int, std::string, double> tuple;
  std::variant<std::monostate, int, std::string> variant;
  std::optional<std::pair<std::int64_t, char>> optional;
  std::complex<double> complex;
  std::chrono::duration<std::int64_t, std::milli> duration{};
  Mode mode = Mode::train;
  bool flag = false;
  long long big = 0;
  unsigned short small = 0;
  std::string text;
  std::vector<bool> booleans;
  int runtime_only = 0;
  PICKLEJAR_FIELDS(reference, frozen, pair, ring, ring_tail, counter, tagged, vocabulary, owned, deque, list, set,
                   multimap, unordered, array, bits, tuple, variant, optional, complex, duration, mode, flag, big,
                   small, text, booleans)
  PICKLEJAR_TRANSIENT(runtime_only)
};

/// The root: a class template whose name GCC and Clang print differently.
template <class Header>
struct Envelope {
  Header header{};
  Model model;
  PICKLEJAR_FIELDS(header, model)
};
using Root = Envelope<std::tuple<std::vector<long>, std::string>>;

}  // namespace cross_model

PICKLEJAR_VERSION(cross_model::TaggedTuple, 2)

namespace cross_model {

inline std::shared_ptr<Leaf> leaf(std::int64_t value) {
  auto made = std::make_shared<Leaf>();
  made->value = std::make_shared<std::int64_t>(value);
  return made;
}

/// The one shared object every build adds to options::externals under "vocabulary".
inline std::shared_ptr<Vocabulary> vocabulary() {
  static const auto shared = std::make_shared<Vocabulary>(Vocabulary{{"alpha", "beta", "\xCE\xB3"}});
  return shared;
}

inline Root make_root() {
  Root root;
  std::get<0>(root.header) = {-1, 1L << 40};
  std::get<1>(root.header) = "cross";
  Model& model = root.model;
  model.reference = reference_model::make_reference_model();
  auto pair = std::make_shared<Pair>();
  pair->a = leaf(1);
  pair->b = leaf(2);
  model.frozen = std::make_shared<Frozen>(Frozen(FrozenState{pair, "frozen"}));
  model.pair.a = leaf(3);
  model.pair.b = pair->a;
  auto first = std::make_shared<Node>();
  auto second = std::make_shared<Node>();
  auto third = std::make_shared<Node>();
  first->value = 1;
  second->value = 2;
  third->value = 3;
  first->next = second;
  second->next = third;
  third->next = first;
  model.ring = first;
  model.ring_tail = third;
  model.counter.count = 21;
  model.tagged.tag = {{4, 5, 6}, "tag", -7L};
  model.tagged.note = "version 2";
  model.vocabulary = vocabulary();
  model.owned = std::make_unique<std::int64_t>(-9000000000LL);
  model.deque = {-3, 0, 32767};
  model.list = {"a", "", "c"};
  model.set = {1, 1ULL << 63};
  model.multimap = {{1, 0.5}, {3, 1.5}, {-2, -0.0}};  // distinct keys: cereal reverses equal ones
  model.unordered = {{"x", {1, 2}}, {"y", {}}};
  model.array = {1.5f, -2.5f, 3.25f};
  model.bits.set(0).set(65);
  model.tuple = {7, "seven", 7.5};
  model.variant = std::string("variant");
  model.optional = std::make_pair(std::int64_t{-1}, 'z');
  model.complex = {1.0, -2.0};
  model.duration = std::chrono::milliseconds(1234567);
  model.mode = Mode::eval;
  model.flag = true;
  model.big = -(1LL << 50);
  model.small = 65535;
  model.text = "line\nbreak \"quoted\" <tag> & \xE2\x82\xAC";
  model.booleans = {true, false, true};
  model.runtime_only = 99;
  return root;
}

/// Where a loaded root differs from make_root() ("" when it does not).
inline std::string difference(const Root& expected, const Root& loaded) {
  if (expected.header != loaded.header) return "header";
  const Model& a = expected.model;
  const Model& b = loaded.model;
  if (std::string found = reference_model::difference(a.reference, b.reference); !found.empty())
    return "reference." + found;
  if (!b.reference.tokenizer || !b.reference.tokenizer->was_loaded()) return "reference.tokenizer: after_load() not called";
  if (!b.frozen || !b.frozen->state().pair || !b.frozen->state().pair->a || !b.frozen->state().pair->b)
    return "frozen: missing objects";
  const FrozenState& state = b.frozen->state();
  if (state.label != "frozen" || *state.pair->a->value != 1 || *state.pair->b->value != 2) return "frozen";
  if (!b.pair.a || *b.pair.a->value != 3) return "pair.a";
  if (b.pair.b != state.pair->a) return "pair.b: not shared with frozen.pair.a";
  if (!b.ring || !b.ring->next || !b.ring->next->next) return "ring: missing nodes";
  if (b.ring->value != 1 || b.ring->next->value != 2 || b.ring->next->next->value != 3) return "ring: values";
  if (b.ring->next->next->next != b.ring) return "ring: not a cycle";
  if (b.ring_tail.lock() != b.ring->next->next) return "ring_tail";
  if (b.counter.count != a.counter.count) return "counter";
  if (b.tagged.tag != a.tagged.tag) return "tagged.tag";
  if (b.tagged.note != a.tagged.note) return "tagged.note (version table key not found?)";
  if (b.vocabulary != a.vocabulary) return "vocabulary: not the external object";
  if (!b.owned || *b.owned != *a.owned) return "owned";
  if (b.deque != a.deque) return "deque";
  if (b.list != a.list) return "list";
  if (b.set != a.set) return "set";
  if (b.multimap.size() != a.multimap.size() ||
      !std::equal(a.multimap.begin(), a.multimap.end(), b.multimap.begin(), [](const auto& x, const auto& y) {
        return x.first == y.first && reference_model::detail::same_bits(x.second, y.second);
      }))
    return "multimap";
  if (b.unordered != a.unordered) return "unordered";
  if (b.array != a.array) return "array";
  if (b.bits != a.bits) return "bits";
  if (b.tuple != a.tuple) return "tuple";
  if (b.variant != a.variant) return "variant";
  if (b.optional != a.optional) return "optional";
  if (b.complex != a.complex) return "complex";
  if (b.duration != a.duration) return "duration";
  if (b.mode != a.mode) return "mode";
  if (b.flag != a.flag) return "flag";
  if (b.big != a.big) return "big";
  if (b.small != a.small) return "small";
  if (b.text != a.text) return "text";
  if (b.booleans != a.booleans) return "booleans";
  if (b.runtime_only != 0) return "runtime_only: a transient member was loaded";
  return {};
}

}  // namespace cross_model
