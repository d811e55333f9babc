// get_state/set_state/from_state: members, free functions found by ADL, and state_traits.
#include <picklejar/picklejar.hpp>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "test_support.hpp"

namespace {

using pj_test::FormatTest;
using pj_test::round_trip;

// Member hooks with a state struct: the file holds the state's fields.
class Regressor {
 public:
  struct State {
    std::vector<double> w;
    double alpha = 0;
    PICKLEJAR_FIELDS(w, alpha)
  };
  Regressor() = default;
  Regressor(std::vector<double> w, double alpha) : w_(std::move(w)), alpha_(alpha) { rebuild(); }
  State get_state() const { return State{w_, alpha_}; }
  void set_state(State state) {
    w_ = std::move(state.w);
    alpha_ = state.alpha;
    ++set_calls_;
    rebuild();
  }
  const std::vector<double>& w() const { return w_; }
  double alpha() const { return alpha_; }
  double norm() const { return norm_; }
  int set_calls() const { return set_calls_; }

 private:
  void rebuild() {
    norm_ = 0;
    for (double x : w_) norm_ += x * x;
  }
  std::vector<double> w_;
  double alpha_ = 0;
  double norm_ = 0;  // derived: never saved, rebuilt by set_state
  int set_calls_ = 0;
};

// A state that is not a fields type is saved as one member named "state".
class Vocabulary {
 public:
  std::map<std::string, int> get_state() const { return ids; }
  void set_state(const std::map<std::string, int>& state) { ids = state; }
  std::map<std::string, int> ids;
};

// set_state taking an rvalue reference.
class Buffer {
 public:
  std::vector<int> get_state() const { return data; }
  void set_state(std::vector<int>&& state) { data = std::move(state); }
  std::vector<int> data;
};

// No default constructor: built by from_state.
class Frozen {
 public:
  explicit Frozen(int seed) : seed_(seed) {}
  int get_state() const { return seed_; }
  static Frozen from_state(int seed) { return Frozen(seed); }
  int seed() const { return seed_; }

 private:
  int seed_;
};

struct HoldsFrozen {
  Frozen frozen{0};
  std::string name;
  PICKLEJAR_FIELDS(frozen, name)
};

// Derived classes that declare their own hooks are fine.
struct BaseModel {
  int base = 0;
  int get_state() const { return base; }
  void set_state(int s) { base = s; }
};
struct DerivedModel : BaseModel {
  int extra = 0;
  std::pair<int, int> get_state() const { return {base, extra}; }
  void set_state(std::pair<int, int> s) {
    base = s.first;
    extra = s.second;
  }
};

}  // namespace

// Types the user cannot edit, with hooks written beside them.
namespace vendor {
struct Tokenizer {
  std::vector<std::string> vocabulary;
  int lookups = 0;  // runtime counter, not part of the state
};
inline std::vector<std::string> get_state(const Tokenizer& t) { return t.vocabulary; }
inline void set_state(Tokenizer& t, std::vector<std::string> state) { t.vocabulary = std::move(state); }

class Handle {
 public:
  explicit Handle(std::string path) : path_(std::move(path)) {}
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};
inline std::string get_state(const Handle& h) { return h.path(); }
inline Handle from_state(picklejar::type_tag<Handle>, std::string path) { return Handle(std::move(path)); }

struct Rng {
  unsigned long long seed = 0;
  unsigned long long draws = 0;
};
}  // namespace vendor

template <>
struct picklejar::state_traits<vendor::Rng> {
  static unsigned long long get_state(const vendor::Rng& rng) { return rng.seed; }
  static void set_state(vendor::Rng& rng, unsigned long long seed) {
    rng.seed = seed;
    rng.draws = 0;
  }
};

namespace {

class StateHooks : public FormatTest {};

TEST_P(StateHooks, MemberHooksRebuildDerivedState) {
  Regressor original({3, 4}, 0.5);
  Regressor loaded = round_trip(original, GetParam());
  EXPECT_EQ(loaded.w(), original.w());
  EXPECT_EQ(loaded.alpha(), 0.5);
  EXPECT_EQ(loaded.norm(), 25.0);
  EXPECT_EQ(loaded.set_calls(), 1);
}

TEST_P(StateHooks, StatesOfAnyType) {
  Vocabulary vocabulary;
  vocabulary.ids = {{"a", 1}, {"b", 2}};
  EXPECT_EQ(round_trip(vocabulary, GetParam()).ids, vocabulary.ids);
  Buffer buffer;
  buffer.data = {1, 2, 3};
  EXPECT_EQ(round_trip(buffer, GetParam()).data, buffer.data);
}

TEST_P(StateHooks, FromStateBuildsTypesWithoutDefaultConstructor) {
  Frozen loaded = round_trip(Frozen(1234), GetParam());
  EXPECT_EQ(loaded.seed(), 1234);
  HoldsFrozen holder{Frozen(77), "x"};
  HoldsFrozen loaded_holder = round_trip(holder, GetParam());
  EXPECT_EQ(loaded_holder.frozen.seed(), 77);
  EXPECT_EQ(loaded_holder.name, "x");
}

TEST_P(StateHooks, FreeFunctionsForTypesYouCannotEdit) {
  vendor::Tokenizer tokenizer{{"hello", "world"}, 99};
  vendor::Tokenizer loaded = round_trip(tokenizer, GetParam());
  EXPECT_EQ(loaded.vocabulary, tokenizer.vocabulary);
  EXPECT_EQ(loaded.lookups, 0);
  vendor::Handle handle = round_trip(vendor::Handle("/data/x.bin"), GetParam());
  EXPECT_EQ(handle.path(), "/data/x.bin");
}

TEST_P(StateHooks, TraitsSpecialization) {
  vendor::Rng rng{42, 1000};
  vendor::Rng loaded = round_trip(rng, GetParam());
  EXPECT_EQ(loaded.seed, 42u);
  EXPECT_EQ(loaded.draws, 0u);
}

TEST_P(StateHooks, DerivedClassWithItsOwnHooks) {
  DerivedModel model;
  model.base = 5;
  model.extra = 6;
  DerivedModel loaded = round_trip(model, GetParam());
  EXPECT_EQ(loaded.base, 5);
  EXPECT_EQ(loaded.extra, 6);
}

PJ_INSTANTIATE_FOR_ALL_FORMATS(StateHooks);

TEST(StateHooksLayout, AFieldsStateIsWrittenInlineAndOthersUnderState) {
  std::string regressor = picklejar::dumps(Regressor({1}, 2), {picklejar::format::json});
  EXPECT_NE(regressor.find("\"value\": {\n    \"w\": [1],\n    \"alpha\": 2\n  }"), std::string::npos)
      << regressor;
  Vocabulary vocabulary;
  std::string text = picklejar::dumps(vocabulary, {picklejar::format::json});
  EXPECT_NE(text.find("\"state\": []"), std::string::npos) << text;
}

TEST(StateHooksLayout, SaveNeverCallsSetState) {
  Regressor model({1, 2}, 3);
  (void)picklejar::dumps(model);
  EXPECT_EQ(model.set_calls(), 0);
}

}  // namespace
