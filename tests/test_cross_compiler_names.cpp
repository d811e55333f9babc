// What a file records and how it is laid out must not depend on the compiler that built the
// program: GCC and Clang spell type names differently, so nothing may be decided from a spelled
// name, and every name a file records is written in one canonical spelling.
#include <gtest/gtest.h>

#include <picklejar/picklejar.hpp>

#include <array>
#include <bitset>
#include <cstdint>
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

#include "test_support.hpp"

namespace cross_names {

struct Leaf {
  std::shared_ptr<int> value;
  PICKLEJAR_FIELDS(value)
};

// A struct of two shared_ptrs whose pointees hold pointers again: the order in which their
// contents are written depends on whether pointees are deferred or handled at once.
struct Pair {
  std::shared_ptr<Leaf> a;
  std::shared_ptr<Leaf> b;
  PICKLEJAR_FIELDS(a, b)
};

struct FrozenState {
  std::shared_ptr<Pair> pair;
  int seed = 0;
  PICKLEJAR_FIELDS(pair, seed)
};

// No default constructor: loading behind a pointer reads its state in place and calls
// from_state(), through a library-internal holder type whose spelled name differs by compiler.
class Frozen {
 public:
  explicit Frozen(FrozenState state) : state_(std::move(state)) {}
  const FrozenState& get_state() const { return state_; }
  static Frozen from_state(FrozenState state) { return Frozen(std::move(state)); }
  const FrozenState& state() const { return state_; }

 private:
  FrozenState state_;
};

struct Model {
  std::shared_ptr<Frozen> p;
  Pair q;
  PICKLEJAR_FIELDS(p, q)
};

std::shared_ptr<Leaf> leaf(int value) {
  auto made = std::make_shared<Leaf>();
  made->value = std::make_shared<int>(value);
  return made;
}

Model make_model() {
  Model model;
  auto pair = std::make_shared<Pair>();
  pair->a = leaf(1);
  pair->b = leaf(2);
  model.p = std::make_shared<Frozen>(Frozen(FrozenState{pair, 7}));
  model.q.a = leaf(3);
  model.q.b = pair->a;  // shared with the state's pair
  return model;
}

class CrossCompiler : public pj_test::FormatTest {};

// GCC spells picklejar::detail::state_holder<...> without its namespace, so deciding "a foreign
// cereal class" from the spelled name treated the holder as foreign on GCC only: the reader
// handled pointees at once where the writer had deferred them, and the file did not load
// ("the pointer refers to object #256 but only 3 objects came before it").
TEST_P(CrossCompiler, FromStateTypeBehindSharedPtrLoadsWhatItWrote) {
  const Model model = make_model();
  const std::string bytes = picklejar::dumps(model, opts());
  const Model loaded = picklejar::loads<Model>(bytes);
  ASSERT_TRUE(loaded.p);
  const FrozenState& state = loaded.p->state();
  EXPECT_EQ(state.seed, 7);
  ASSERT_TRUE(state.pair && state.pair->a && state.pair->b);
  EXPECT_EQ(*state.pair->a->value, 1);
  EXPECT_EQ(*state.pair->b->value, 2);
  ASSERT_TRUE(loaded.q.a && loaded.q.b);
  EXPECT_EQ(*loaded.q.a->value, 3);
  EXPECT_EQ(loaded.q.b, state.pair->a);  // still one object
}

// The same type as the root of load<T>(): the root holder is read, the object itself written.
TEST_P(CrossCompiler, FromStateRootLoadsWhatItWrote) {
  const Frozen frozen(FrozenState{make_model().p->state().pair, 9});
  const Frozen loaded = picklejar::loads<Frozen>(picklejar::dumps(frozen, opts()));
  EXPECT_EQ(loaded.state().seed, 9);
  ASSERT_TRUE(loaded.state().pair && loaded.state().pair->b);
  EXPECT_EQ(*loaded.state().pair->b->value, 2);
}

}  // namespace cross_names

// ---- canonical names ----

namespace cross_names::shapes {
template <class T>
struct Box {
  T value{};
  PICKLEJAR_FIELDS(value)
};
template <class T, class U = int>
struct Two {};
template <int N>
struct Int {};
template <auto V>
struct Constant {};
enum class Color { red };
struct Outer {
  struct Inner {};
};
template <class T>
struct Nest {
  template <class U>
  struct In {};
};
namespace {
struct Hidden {};
}  // namespace
inline namespace v2 {
struct Versioned2 {};  // GCC's __PRETTY_FUNCTION__ names the inline namespace, Clang's does not
template <int N>
struct Grid {};
}  // namespace v2

// A versioned class template: its version table key names a template argument GCC and Clang
// spell differently ("long int" / "long").
template <class T>
struct Versioned {
  T value{};
  int added = 0;
  PICKLEJAR_FIELDS(value)
  PICKLEJAR_FIELDS_SINCE(1, added)
};
using VersionedLong = Versioned<long>;
}  // namespace cross_names::shapes

struct Global {};
PICKLEJAR_VERSION(cross_names::shapes::VersionedLong, 1)

namespace cross_names {

// Every row is compiled by GCC and by Clang (the test runs under both): the expected spelling is
// the same for both, whatever each compiler prints.
TEST(CanonicalTypeNames, AreTheSameFromEveryCompiler) {
  using picklejar::detail::type_name;
  using namespace shapes;
  EXPECT_EQ((type_name<int>()), "int");
  EXPECT_EQ((type_name<unsigned>()), "unsigned int");
  EXPECT_EQ((type_name<long>()), "long");
  EXPECT_EQ((type_name<unsigned long>()), "unsigned long");
  EXPECT_EQ((type_name<long long>()), "long long");
  EXPECT_EQ((type_name<unsigned long long>()), "unsigned long long");
  EXPECT_EQ((type_name<short>()), "short");
  EXPECT_EQ((type_name<unsigned short>()), "unsigned short");
  EXPECT_EQ((type_name<signed char>()), "signed char");
  EXPECT_EQ((type_name<unsigned char>()), "unsigned char");
  EXPECT_EQ((type_name<long double>()), "long double");
  EXPECT_EQ((type_name<Global>()), "Global");
  EXPECT_EQ((type_name<Box<char[4]>>()), "cross_names::shapes::Box<char[4]>");
  EXPECT_EQ((type_name<Box<int[2][3]>>()), "cross_names::shapes::Box<int[2][3]>");
  EXPECT_EQ((type_name<Box<int*>>()), "cross_names::shapes::Box<int*>");
  EXPECT_EQ((type_name<Box<const int*>>()), "cross_names::shapes::Box<const int*>");
  EXPECT_EQ((type_name<Box<int* const>>()), "cross_names::shapes::Box<int* const>");
  EXPECT_EQ((type_name<Box<const char* const*>>()), "cross_names::shapes::Box<const char* const*>");
  EXPECT_EQ((type_name<Two<int&, int&&>>()), "cross_names::shapes::Two<int&, int&&>");
  EXPECT_EQ((type_name<Box<int (*)(double, char)>>()), "cross_names::shapes::Box<int(*)(double, char)>");
  EXPECT_EQ((type_name<Two<int(double)>>()), "cross_names::shapes::Two<int(double)>");
  EXPECT_EQ((type_name<Two<int (Global::*)(int) const>>()), "cross_names::shapes::Two<int(Global::*)(int) const>");
  EXPECT_EQ((type_name<Box<Box<int>>>()), "cross_names::shapes::Box<cross_names::shapes::Box<int>>");
  EXPECT_EQ((type_name<Two<long, unsigned long>>()), "cross_names::shapes::Two<long, unsigned long>");
  EXPECT_EQ((type_name<Two<long, int>>()), "cross_names::shapes::Two<long>");  // the default left out
  EXPECT_EQ((type_name<Int<-3>>()), "cross_names::shapes::Int<-3>");
  EXPECT_EQ((type_name<Constant<5u>>()), "cross_names::shapes::Constant<5>");
  EXPECT_EQ((type_name<Constant<5ul>>()), "cross_names::shapes::Constant<5>");
  EXPECT_EQ((type_name<Constant<'a'>>()), "cross_names::shapes::Constant<'a'>");
  EXPECT_EQ((type_name<Constant<Color::red>>()), "cross_names::shapes::Constant<cross_names::shapes::Color::red>");
  EXPECT_EQ((type_name<Hidden>()), "cross_names::shapes::(anonymous namespace)::Hidden");
  EXPECT_EQ((type_name<Box<Hidden>>()), "cross_names::shapes::Box<cross_names::shapes::(anonymous namespace)::Hidden>");
  EXPECT_EQ((type_name<Outer::Inner>()), "cross_names::shapes::Outer::Inner");
  EXPECT_EQ((type_name<Versioned2>()), "cross_names::shapes::v2::Versioned2");
  EXPECT_EQ((type_name<Box<Versioned2>>()), "cross_names::shapes::Box<cross_names::shapes::v2::Versioned2>");
  EXPECT_EQ((type_name<Grid<3>>()), "cross_names::shapes::v2::Grid<3>");
  EXPECT_EQ((type_name<Nest<int>::In<long>>()), "cross_names::shapes::Nest<int>::In<long>");
  EXPECT_EQ((type_name<std::string>()), "std::basic_string<char>");
  EXPECT_EQ((type_name<std::vector<std::int64_t>>()), "std::vector<long>");
  EXPECT_EQ((type_name<std::map<std::string, std::vector<double>>>()),
            "std::map<std::basic_string<char>, std::vector<double>>");
  // GCC prints the defaulted arguments inside a parameter pack, Clang does not.
  EXPECT_EQ((type_name<std::tuple<std::vector<int>, std::string>>()),
            "std::tuple<std::vector<int>, std::basic_string<char>>");
  EXPECT_EQ((type_name<std::variant<int, std::string>>()), "std::variant<int, std::basic_string<char>>");
  EXPECT_EQ((type_name<Box<std::vector<std::string>*>>()),
            "cross_names::shapes::Box<std::vector<std::basic_string<char>>*>");
  EXPECT_EQ((type_name<std::array<int, 3>>()), "std::array<int, 3>");
  EXPECT_EQ((type_name<std::bitset<8>>()), "std::bitset<8>");
  EXPECT_EQ((type_name<std::pair<const int, std::optional<float>>>()), "std::pair<const int, std::optional<float>>");
  EXPECT_EQ((type_name<std::shared_ptr<Box<int>>>()), "std::shared_ptr<cross_names::shapes::Box<int>>");
  EXPECT_EQ((type_name<std::chrono::system_clock>()), "std::chrono::system_clock");
  EXPECT_EQ((type_name<std::chrono::duration<long long, std::milli>>()),
            "std::chrono::duration<long long, std::ratio<1, 1000>>");
  // Declared in the namespace the name is taken from (GCC once left the namespace out).
  EXPECT_EQ((type_name<picklejar::detail::state_holder<cross_names::Frozen>>()),
            "picklejar::detail::state_holder<cross_names::Frozen>");
}

// The spellings GCC, Clang and older picklejar versions wrote, read back from files.
TEST(CanonicalTypeNames, EverySpellingOfATypeNormalizesToOne) {
  using picklejar::detail::normalize_type_name;
  const std::vector<std::pair<std::string, std::string>> rows = {
      {"ns::Box<char [4]>", "ns::Box<char[4]>"},
      {"ns::Box<int *const>", "ns::Box<int* const>"},
      {"ns::Box<const char *const *>", "ns::Box<const char* const*>"},
      {"ns::Two<int &, int &&>", "ns::Two<int&, int&&>"},
      {"std::function<int (double)>", "std::function<int(double)>"},
      {"std::vector<ns::Box<int> >", "std::vector<ns::Box<int>>"},
      {"ns::Two<long int, long unsigned int>", "ns::Two<long, unsigned long>"},
      {"ns::Two<short unsigned int, long long unsigned int>", "ns::Two<unsigned short, unsigned long long>"},
      {"ns::{anonymous}::Hidden", "ns::(anonymous namespace)::Hidden"},
      {"std::__cxx11::basic_string<char>", "std::basic_string<char>"},
      {"std::__1::basic_string<char>", "std::basic_string<char>"},
      {"std::chrono::_V2::system_clock", "std::chrono::system_clock"},
      {"ns::Constant<5UL>", "ns::Constant<5>"},
      {"ns::Constant<-5L>", "ns::Constant<-5>"},
      {"ns::Constant<' '>", "ns::Constant<' '>"},
      {"ml::Classifier", "ml::Classifier"},
  };
  for (const auto& [spelled, canonical] : rows) {
    EXPECT_EQ(normalize_type_name(spelled), canonical) << spelled;
    EXPECT_EQ(normalize_type_name(canonical), canonical) << canonical;  // applying it twice changes nothing
  }
}

TEST(CanonicalTypeNames, VersionTableKeysAreCanonicalAndOtherSpellingsFindTheirType) {
  const shapes::VersionedLong value{4, 9};
  const std::string json = picklejar::dumps(value, picklejar::options(picklejar::format::json));
  const std::string canonical = "cross_names::shapes::Versioned<long>";
  ASSERT_NE(json.find("\"" + canonical + "\""), std::string::npos) << json;
  std::string edited = json;
  // GCC's spelling, in the root type and the version table: version 1 must still be found, or
  // `added` would silently be skipped as data from before version 1.
  for (std::size_t at = edited.find(canonical); at != std::string::npos; at = edited.find(canonical, at + 1))
    edited.replace(at, canonical.size(), "cross_names::shapes::Versioned<long int>");
  picklejar::options opts(picklejar::format::json);
  opts.verify_checksum = false;
  const auto loaded = picklejar::loads<shapes::VersionedLong>(edited, opts);
  EXPECT_EQ(loaded.value, 4);
  EXPECT_EQ(loaded.added, 9);
}

// The root type and the version table hold canonical names, and a file whose names another
// compiler spelled differently (an older picklejar wrote what the compiler printed) still loads.
TEST(CanonicalTypeNames, FilesRecordCanonicalNamesAndAcceptOtherSpellings) {
  using Saved = std::map<std::string, shapes::Box<std::int64_t>>;
  const Saved value = {{"a", {5}}};
  std::string json = picklejar::dumps(value, picklejar::options(picklejar::format::json));
  const std::string canonical = "std::map<std::basic_string<char>, cross_names::shapes::Box<long>>";
  EXPECT_NE(json.find("\"" + canonical + "\""), std::string::npos) << json;
  const std::string clang_spelling = "std::map<std::basic_string<char>, cross_names::shapes::Box<long> >";
  const std::string gcc_spelling = "std::map<std::__cxx11::basic_string<char>, cross_names::shapes::Box<long int> >";
  for (const std::string& spelling : {clang_spelling, gcc_spelling}) {
    std::string edited = json;
    edited.replace(edited.find(canonical), canonical.size(), spelling);
    picklejar::options opts(picklejar::format::json);
    opts.verify_checksum = false;
    const Saved loaded = picklejar::loads<Saved>(edited, opts);
    EXPECT_EQ(loaded.at("a").value, 5);
  }
}

INSTANTIATE_TEST_SUITE_P(AllFormats, CrossCompiler, testing::ValuesIn(pj_test::all_formats),
                         pj_test::format_name);

}  // namespace cross_names
