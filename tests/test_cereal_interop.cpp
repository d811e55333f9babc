// Real cereal code inside picklejar objects (issue 13): mlpack-style models that ask which cereal
// archive they are in, CEREAL_REGISTER_TYPE layers behind pointers, load_and_construct, a private
// default constructor, versioned minimal serialization; every format, predictions bit-exact.
#include <picklejar/picklejar.hpp>

#include "mlpack_style.hpp"
#include "test_support.hpp"

#include <cereal/types/array.hpp>
#include <cereal/types/optional.hpp>

#include <array>
#include <deque>
#include <list>
#include <map>
#include <optional>

#include <cstring>
#include <mutex>
#include <sstream>
#include <thread>
#include <unordered_map>

// The types of tests/data/compat (outside the anonymous namespace: their names are in the files).
namespace compat_v2 {
struct CerealWeights {
  std::vector<double> values;
  int steps = 0;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(CEREAL_NVP(values), CEREAL_NVP(steps));
  }
};
struct Holder {
  CerealWeights weights;
  std::string name;
  PICKLEJAR_FIELDS(weights, name)
};
}  // namespace compat_v2

CEREAL_REGISTER_TYPE(mlpack_style::Linear)
CEREAL_REGISTER_TYPE(mlpack_style::ReLU)
CEREAL_REGISTER_TYPE(mlpack_style::LogSoftMax)

namespace {

using namespace mlpack_style;

class Service {
 public:
  void build() {
    linear_ = LinearRegression(0.3);
    tree_ = DecisionTree(4, 0.8);
    net_ = make_ffn();
    extra_layers_.push_back(std::make_unique<Linear>(3, 3, 2.5));
    extra_layers_.push_back(std::make_unique<ReLU>());
    shared_layer_ = std::make_shared<LogSoftMax>();
    constructed_ = std::make_unique<Constructed>(7, 0.125);
    privately_ = std::make_shared<PrivatelyBuilt>(PrivatelyBuilt::make("hidden"));
    temperature_.kelvin = 300.5;
  }

  /// Every model's output, as raw doubles to be compared bit for bit.
  std::vector<double> predictions() const {
    std::vector<double> out;
    const std::vector<double> x = {0.5, -1.25, 2.0};
    out.push_back(linear_.predict(x));
    for (double v : {-1.0, -0.2, 0.1, 0.7, 3.0}) out.push_back(tree_.predict(v));
    for (double v : net_.predict(x)) out.push_back(v);
    std::vector<double> y = x;
    for (const auto& layer : extra_layers_) y = layer->forward(y);
    y = shared_layer_->forward(y);
    out.insert(out.end(), y.begin(), y.end());
    out.push_back(constructed_->id() * constructed_->scale());
    out.push_back(static_cast<double>(privately_->name().size()));
    out.push_back(temperature_.kelvin);
    return out;
  }

 private:
  LinearRegression linear_;
  DecisionTree tree_;
  FFN net_;
  std::vector<std::unique_ptr<Layer>> extra_layers_;
  std::shared_ptr<Layer> shared_layer_;
  std::unique_ptr<Constructed> constructed_;
  std::shared_ptr<PrivatelyBuilt> privately_;
  Temperature temperature_;
  mutable std::mutex mutex_;
  std::unordered_map<std::thread::id, std::vector<double>> scratch_;

  PICKLEJAR_FIELDS(linear_, tree_, net_, extra_layers_, shared_layer_, constructed_, privately_, temperature_)
  PICKLEJAR_TRANSIENT(mutex_, scratch_)
  PICKLEJAR_GUARDED_BY(mutex_)
};

bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

class CerealInterop : public pj_test::FormatTest {};

TEST_P(CerealInterop, MlpackStyleServiceRoundTripsBitExactly) {
  Service original;
  original.build();
  const std::string bytes = picklejar::dumps(original, opts());
  Service loaded;
  picklejar::loads(loaded, bytes);
  EXPECT_TRUE(same_bits(original.predictions(), loaded.predictions()));
}

TEST_P(CerealInterop, LoadingIntoAnUsedObjectReplacesEveryModel) {
  Service original;
  original.build();
  Service used;
  used.build();
  used.build();  // extra layers twice: the load must not append
  picklejar::loads(used, picklejar::dumps(original, opts()));
  EXPECT_TRUE(same_bits(original.predictions(), used.predictions()));
}

// cereal's own loaders size containers by what the data claims, outside options.max_memory: a
// file from a stranger that holds such data is refused, and nothing of it is loaded.
TEST_P(CerealInterop, UntrustedOptionsRefuseEmbeddedCerealData) {
  Service original;
  original.build();
  const std::string bytes = picklejar::dumps(original, opts());
  Service loaded;
  try {
    picklejar::loads(loaded, bytes, picklejar::options::untrusted());
    FAIL() << "embedded cereal data loaded under options::untrusted()";
  } catch (const picklejar::error& failure) {
    EXPECT_EQ(failure.code(), picklejar::errc::format);
    EXPECT_NE(std::string(failure.what()).find("refuse_embedded_cereal"), std::string::npos) << failure.what();
  }
  picklejar::options allowed = picklejar::options::untrusted();
  allowed.refuse_embedded_cereal = false;
  picklejar::loads(loaded, bytes, allowed);
  EXPECT_TRUE(same_bits(original.predictions(), loaded.predictions()));
}

// Default options bound embedded cereal data too: a count cereal reads is checked against the
// bytes that follow it and charged to options.max_memory before cereal allocates for it.
struct CerealWeights {
  std::vector<double> values;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(CEREAL_NVP(values));
  }
};
struct HoldsCerealWeights {
  CerealWeights weights;
  PICKLEJAR_FIELDS(weights)
};

/// `document` with the element count of the embedded vector (written as `from`) replaced by `to`,
/// resealed: the attacker's file.
std::string with_embedded_count(std::string document, picklejar::format fmt, std::uint64_t from, std::uint64_t to) {
  const auto replace_count = [&](std::string& bytes) {
    std::string old_count(8, '\0'), new_count(8, '\0');
    for (int i = 0; i < 8; ++i) {
      old_count[static_cast<std::size_t>(i)] = static_cast<char>((from >> (8 * i)) & 0xFF);
      new_count[static_cast<std::size_t>(i)] = static_cast<char>((to >> (8 * i)) & 0xFF);
    }
    const std::size_t at = bytes.find(old_count);
    EXPECT_NE(at, std::string::npos);
    if (at != std::string::npos) bytes.replace(at, 8, new_count);
  };
  if (fmt == picklejar::format::binary || fmt == picklejar::format::portable_binary) {
    // The embedded bytes follow their own 8-byte length; cereal's count follows its endianness byte.
    replace_count(document);
  } else {
    const std::size_t begin = document.find("AQ");  // base64 of cereal's endianness byte (1)
    const std::size_t end = document.find_first_of("\"<", begin);
    std::string bytes;
    EXPECT_TRUE(picklejar::detail::from_base64(document.substr(begin, end - begin), bytes));
    replace_count(bytes);
    document.replace(begin, end - begin, picklejar::detail::to_base64(bytes));
  }
  return pj_test::reseal(std::move(document));
}

TEST_P(CerealInterop, ACountInEmbeddedDataBeyondTheBytesThatFollowIsRefusedBeforeCerealAllocates) {
  HoldsCerealWeights original;
  original.weights.values = {0.5, -1.5, 2.25};
  const std::string forged = with_embedded_count(picklejar::dumps(original, opts()), GetParam(), 3, std::uint64_t{1} << 40);
  HoldsCerealWeights loaded;
  const picklejar::error failure =
      pj_test::expect_error(picklejar::errc::format, [&] { picklejar::loads(loaded, forged, opts()); });
  EXPECT_EQ(failure.field_path(), "HoldsCerealWeights.weights") << failure.what();
  EXPECT_NE(failure.reason().find("claims 1099511627776 elements"), std::string::npos) << failure.what();
}

// In the binary formats nothing but the embedded data is large, so a limit below it is met there.
TEST(CerealInteropLimits, EmbeddedCerealDataIsChargedToMaxMemory) {
  HoldsCerealWeights original;
  original.weights.values.assign(20000, 0.25);
  for (const picklejar::format fmt : {picklejar::format::binary, picklejar::format::portable_binary}) {
    const std::string document = picklejar::dumps(original, picklejar::options(fmt));
    picklejar::options tight(fmt);
    tight.max_memory = 64 << 10;  // less than the 160,000 bytes of the 20,000 elements
    HoldsCerealWeights loaded;
    const picklejar::error failure =
        pj_test::expect_error(picklejar::errc::limit, [&] { picklejar::loads(loaded, document, tight); });
    EXPECT_EQ(failure.field_path(), "HoldsCerealWeights.weights") << failure.what();
    EXPECT_NE(failure.reason().find("max_memory"), std::string::npos) << failure.what();
    picklejar::loads(loaded, document, picklejar::options(fmt));  // the default limit holds it
    EXPECT_EQ(loaded.weights.values, original.weights.values);
  }
}

// What cereal allocates is charged at what it costs in memory, not per byte of the file: an empty
// optional is one byte on disk and 64 KiB in a vector; a pointer's object is charged when cereal
// constructs it.
using cereal_page = std::array<double, 8192>;
struct SparsePages {
  std::vector<std::optional<cereal_page>> pages;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(CEREAL_NVP(pages));
  }
};
struct EmptyPageOwner {
  std::optional<cereal_page> page;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(CEREAL_NVP(page));
  }
};
struct PointedPages {
  std::vector<std::unique_ptr<EmptyPageOwner>> owners;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(CEREAL_NVP(owners));
  }
};
struct HoldsPages {
  SparsePages sparse;
  PointedPages pointed;
  PICKLEJAR_FIELDS(sparse, pointed)
};

TEST_P(CerealInterop, EmbeddedElementsAndPointeesAreChargedAtWhatTheyCostInMemory) {
  // The default limit is 64 MiB + 32 bytes per input byte; 2,000 pages are 131 MB from 2 KB.
  HoldsPages few;
  few.sparse.pages.resize(100);
  for (int i = 0; i < 100; ++i) few.pointed.owners.push_back(std::make_unique<EmptyPageOwner>());
  HoldsPages loaded;
  picklejar::loads(loaded, picklejar::dumps(few, opts()), opts());
  EXPECT_EQ(loaded.sparse.pages.size(), 100u);
  EXPECT_EQ(loaded.pointed.owners.size(), 100u);

  HoldsPages many_values;
  many_values.sparse.pages.resize(2000);
  const picklejar::error by_value = pj_test::expect_error(
      picklejar::errc::limit, [&] { picklejar::loads(loaded, picklejar::dumps(many_values, opts()), opts()); });
  EXPECT_EQ(by_value.field_path(), "HoldsPages.sparse") << by_value.what();
  EXPECT_NE(by_value.reason().find("max_memory"), std::string::npos) << by_value.what();

  HoldsPages many_pointees;
  for (int i = 0; i < 2000; ++i) many_pointees.pointed.owners.push_back(std::make_unique<EmptyPageOwner>());
  const picklejar::error by_pointer = pj_test::expect_error(
      picklejar::errc::limit, [&] { picklejar::loads(loaded, picklejar::dumps(many_pointees, opts()), opts()); });
  EXPECT_EQ(by_pointer.field_path(), "HoldsPages.pointed") << by_pointer.what();
  EXPECT_NE(by_pointer.reason().find("max_memory"), std::string::npos) << by_pointer.what();
}

// What one element of each of cereal's sized containers is charged (a node's links beside it).
TEST(CerealInteropLimits, ElementCostsFollowTheContainersLayout) {
  using picklejar::detail::node_overhead_bytes;
  using picklejar::detail::sized_container_element;
  EXPECT_EQ(sized_container_element<std::vector<double>>::value, sizeof(double));
  EXPECT_EQ(sized_container_element<std::string>::value, 1u);
  EXPECT_EQ(sized_container_element<std::vector<bool>>::value, 1u);
  EXPECT_EQ(sized_container_element<std::deque<char>>::value, 1u);
  EXPECT_EQ((sized_container_element<std::map<int, double>>::value), sizeof(std::pair<const int, double>) + node_overhead_bytes);
  EXPECT_EQ(sized_container_element<std::list<cereal_page>>::value, sizeof(cereal_page) + node_overhead_bytes);
  EXPECT_EQ((sized_container_element<std::unordered_map<int, int>>::value), sizeof(std::pair<const int, int>) + node_overhead_bytes);
  EXPECT_EQ(sized_container_element<cereal_page>::value, 0u);  // std::array reads no count
}

// cereal recurses as deep as the data nests; inside picklejar that recursion counts against
// options.max_depth on save and on load, so a forged chain is an error, not a stack overflow.
struct CerealChain {
  std::unique_ptr<CerealChain> next;
  CerealChain() = default;
  CerealChain(CerealChain&&) = default;
  CerealChain& operator=(CerealChain&&) = default;
  ~CerealChain() {
    while (next) next = std::move(next->next);  // iteratively: the chains below are deep
  }
  template <class Archive>
  void serialize(Archive& ar) {
    ar(CEREAL_NVP(next));
  }
};
struct HoldsChain {
  CerealChain chain;
  PICKLEJAR_FIELDS(chain)
};
HoldsChain chain_of(std::size_t links) {
  HoldsChain holder;
  CerealChain* last = &holder.chain;
  for (std::size_t i = 0; i < links; ++i) {
    last->next = std::make_unique<CerealChain>();
    last = last->next.get();
  }
  return holder;
}
/// cereal's portable binary of a chain: the endianness byte, a "valid" byte per link, a 0.
std::string chain_bytes(std::size_t links) {
  std::string bytes(links + 2, '\1');
  bytes.back() = '\0';
  return bytes;
}
/// `document` with the embedded bytes `from` replaced by `to`, resealed.
std::string with_embedded_bytes(std::string document, picklejar::format fmt, const std::string& from,
                                const std::string& to) {
  const auto length_of = [](const std::string& bytes) {
    std::string length(8, '\0');
    for (std::size_t i = 0; i < 8; ++i) length[i] = static_cast<char>((std::uint64_t{bytes.size()} >> (8 * i)) & 0xFF);
    return length;
  };
  const bool binary = fmt == picklejar::format::binary || fmt == picklejar::format::portable_binary;
  const std::string old_text = binary ? length_of(from) + from : picklejar::detail::to_base64(from);
  const std::string new_text = binary ? length_of(to) + to : picklejar::detail::to_base64(to);
  const std::size_t at = document.find(old_text);
  EXPECT_NE(at, std::string::npos);
  if (at != std::string::npos) document.replace(at, old_text.size(), new_text);
  if (binary) {  // the payload's size in the fixed header
    const std::uint64_t payload = picklejar::detail::get_le(document.data() + 16, 8);
    picklejar::detail::patch_le(document, 16, payload + new_text.size() - old_text.size(), 8);
  }
  return pj_test::reseal(std::move(document));
}

TEST_P(CerealInterop, EmbeddedDataNestsNoDeeperThanMaxDepth) {
  EXPECT_EQ(picklejar::detail::cereal_bytes_of(chain_of(3).chain, 0, 512), chain_bytes(3));
  const std::string three_deep = picklejar::dumps(chain_of(3), opts());

  const std::string forged = with_embedded_bytes(three_deep, GetParam(), chain_bytes(3), chain_bytes(100000));
  HoldsChain loaded;
  const picklejar::error deep =
      pj_test::expect_error(picklejar::errc::limit, [&] { picklejar::loads(loaded, forged, opts()); });
  EXPECT_EQ(deep.field_path(), "HoldsChain.chain") << deep.what();
  EXPECT_NE(deep.reason().find("nesting deeper than the limit of 512 levels (options.max_depth), in embedded cereal data"), std::string::npos) << deep.what();

  const picklejar::error deep_save =
      pj_test::expect_error(picklejar::errc::limit, [&] { (void)picklejar::dumps(chain_of(100000), opts()); });
  EXPECT_NE(std::string(deep_save.what()).find("max_depth"), std::string::npos) << deep_save.what();

  // Whatever saves under a max_depth loads under it; one link more does not save.
  picklejar::options shallow = opts();
  shallow.max_depth = 64;
  std::size_t longest_saved = 0;
  std::string longest;
  for (std::size_t links = 0; links < 80; ++links) {
    try {
      longest = picklejar::dumps(chain_of(links), shallow);
    } catch (const picklejar::error& failure) {
      EXPECT_EQ(failure.code(), picklejar::errc::limit) << failure.what();
      break;
    }
    longest_saved = links;
    EXPECT_NO_THROW(picklejar::loads(loaded, longest, shallow)) << links << " links";
  }
  pj_test::expect_error(picklejar::errc::limit, [&] {
    picklejar::loads(loaded, with_embedded_bytes(longest, GetParam(), chain_bytes(longest_saved), chain_bytes(longest_saved + 1)),
                     shallow);
  });
  EXPECT_GE(longest_saved, 20u);
  EXPECT_LT(longest_saved, 64u);
}

// Files of container version 2 stored a class with its own cereal functions field by field;
// reading that as embedded bytes would be a confusing error (or, by chance, wrong data).

TEST_P(CerealInterop, AFileThatStoredTheClassFieldByFieldIsAVersionErrorNamingTheField) {
  const std::string file = std::string(PICKLEJAR_TEST_DATA_DIR) + "/compat/cereal_class_v2." + picklejar::to_string(GetParam());
  EXPECT_EQ(picklejar::inspect(file).container_version, 2);
  compat_v2::Holder loaded;
  const picklejar::error failure = pj_test::expect_error(picklejar::errc::version, [&] { picklejar::load(loaded, file); });
  EXPECT_EQ(failure.field_path(), "Holder.weights") << failure.what();
  EXPECT_NE(failure.reason().find("container version 2"), std::string::npos) << failure.what();
  // What this build writes, it reads.
  compat_v2::Holder original;
  original.weights.values = {0.5, -1.5};
  original.weights.steps = 7;
  original.name = "m";
  pj_test::temp_dir dir;
  picklejar::save(original, (dir / "new").string(), opts());
  EXPECT_EQ(picklejar::inspect((dir / "new").string()).container_version, 5);
  compat_v2::Holder back;
  picklejar::load(back, (dir / "new").string());
  EXPECT_EQ(back.weights.values, original.weights.values);
  EXPECT_EQ(back.weights.steps, 7);
}

TEST_P(CerealInterop, SavingTwiceWritesTheSameBytes) {
  Service original;
  original.build();
  EXPECT_EQ(picklejar::dumps(original, opts()), picklejar::dumps(original, opts()));
}

struct HoldsReadsFewer {
  ReadsFewer value;
  PICKLEJAR_FIELDS(value)
};

TEST_P(CerealInterop, ALoadThatReadsLessThanItsSaveWroteIsAnError) {
  HoldsReadsFewer holder;
  holder.value = {1, 2};
  const std::string bytes = picklejar::dumps(holder, opts());
  const auto failure = pj_test::expect_error(picklejar::errc::format, [&] { picklejar::loads<HoldsReadsFewer>(bytes); });
  EXPECT_NE(std::string(failure.what()).find("remain"), std::string::npos) << failure.what();
  EXPECT_NE(std::string(failure.what()).find("value"), std::string::npos) << failure.what();
}

TEST_P(CerealInterop, VersionedMinimalTypeAsTheRootRoundTrips) {
  Temperature t;
  t.kelvin = 0.1 + 0.2;
  const std::string bytes = picklejar::dumps(t, opts());
  const Temperature back = picklejar::loads<Temperature>(bytes);
  EXPECT_EQ(std::memcmp(&back.kelvin, &t.kelvin, sizeof(double)), 0);
}

TEST_P(CerealInterop, PolymorphicPointersAsTheRoot) {
  std::vector<std::unique_ptr<Layer>> layers;
  layers.push_back(std::make_unique<Linear>(2, 2, 0.75));
  layers.push_back(std::make_unique<LogSoftMax>());
  const auto back = pj_test::round_trip(layers, GetParam());
  ASSERT_EQ(back.size(), 2u);
  EXPECT_TRUE(same_bits(layers[0]->forward({1, 2}), back[0]->forward({1, 2})));
  EXPECT_NE(dynamic_cast<LogSoftMax*>(back[1].get()), nullptr);
}

PJ_INSTANTIATE_FOR_ALL_FORMATS(CerealInterop);

// What the embedding costs: shared pointers to a cereal class that picklejar must hand to cereal
// whole (polymorphic) are not shared with the rest of the object after a load (docs/guide.md).
struct TwoOwners {
  std::shared_ptr<Layer> a, b;
  PICKLEJAR_FIELDS(a, b)
};

TEST(CerealInteropBoundary, PolymorphicCerealPointeesAreNotSharedAcrossTheBoundary) {
  TwoOwners owners;
  owners.a = std::make_shared<ReLU>();
  owners.b = owners.a;
  const auto back = pj_test::round_trip(owners, picklejar::format::binary);
  ASSERT_NE(back.a, nullptr);
  ASSERT_NE(back.b, nullptr);
  EXPECT_NE(back.a, back.b);  // documented: each pointer is its own cereal archive
}

// A subtype cereal does not know (no CEREAL_REGISTER_TYPE): the save fails with picklejar's
// error, and the object saved is as it was.
struct Unknown : Layer {
  std::vector<double> forward(const std::vector<double>& in) const override { return in; }
  template <class Archive>
  void serialize(Archive& ar) {
    ar(cereal::base_class<Layer>(this));
  }
};

TEST(CerealInteropBoundary, AFailingSaveLeavesTheObjectAsItWas) {
  for (picklejar::format fmt : pj_test::all_formats) {
    TwoOwners owners;
    owners.a = std::make_shared<ReLU>();
    owners.b = std::make_shared<Unknown>();
    Layer* const a = owners.a.get();
    Layer* const b = owners.b.get();
    const auto failure =
        pj_test::expect_error(picklejar::errc::type, [&] { (void)picklejar::dumps(owners, picklejar::options(fmt)); });
    EXPECT_NE(std::string(failure.what()).find("CEREAL_REGISTER_TYPE"), std::string::npos) << failure.what();
    EXPECT_EQ(owners.a.get(), a);
    EXPECT_EQ(owners.b.get(), b);
    EXPECT_EQ(owners.a.use_count(), 1);
  }
}

// Including picklejar changes nothing for plain cereal archives.
template <class OutputArchive, class InputArchive>
void plain_cereal_round_trip() {
  FFN net = make_ffn();
  DecisionTree tree(3, 0.4);
  std::stringstream stream;
  {
    OutputArchive out(stream);
    out(cereal::make_nvp("net", net), cereal::make_nvp("tree", tree));
  }
  FFN net_back;
  DecisionTree tree_back;
  {
    InputArchive in(stream);
    in(cereal::make_nvp("net", net_back), cereal::make_nvp("tree", tree_back));
  }
  EXPECT_TRUE(same_bits(net.predict({1, 2, 3}), net_back.predict({1, 2, 3})));
  for (double v : {-1.0, 0.0, 1.0}) EXPECT_EQ(tree.predict(v), tree_back.predict(v));
}

TEST(CerealInteropPlainCereal, ModelsStillWorkInCerealsOwnArchives) {
  plain_cereal_round_trip<cereal::BinaryOutputArchive, cereal::BinaryInputArchive>();
  plain_cereal_round_trip<cereal::PortableBinaryOutputArchive, cereal::PortableBinaryInputArchive>();
  plain_cereal_round_trip<cereal::JSONOutputArchive, cereal::JSONInputArchive>();
  plain_cereal_round_trip<cereal::XMLOutputArchive, cereal::XMLInputArchive>();
}

TEST(CerealInteropText, TheEmbeddedDataIsABase64StringOfCerealsPortableBinary) {
  HoldsReadsFewer holder;
  holder.value = {5, 6};
  const std::string embedded =
      picklejar::detail::to_base64(picklejar::detail::cereal_bytes_of(holder.value, 0, 512));
  for (picklejar::format fmt : {picklejar::format::json, picklejar::format::xml}) {
    const std::string text = picklejar::dumps(holder, picklejar::options(fmt));
    const auto at = text.find(embedded);
    ASSERT_NE(at, std::string::npos) << text;
    std::string broken = text;
    broken.replace(at, 4, "!!!!");
    picklejar::options unchecked;
    unchecked.verify_checksum = false;  // reach the embedded data
    const auto failure =
        pj_test::expect_error(picklejar::errc::format, [&] { picklejar::loads<HoldsReadsFewer>(broken, unchecked); });
    EXPECT_NE(std::string(failure.what()).find("base64"), std::string::npos) << failure.what();
  }
}

}  // namespace

// picklejar's own polymorphic types: the registration a message suggests compiles as written,
// even for a template whose name holds a comma.
namespace advice {
struct Unit {
  virtual ~Unit() = default;
  int id = 0;
  PICKLEJAR_FIELDS(id)
};
template <class A, class B>
struct Pair : Unit {
  int w = 0;
  PICKLEJAR_FIELDS(w)
};
struct Net {
  std::unique_ptr<Unit> unit;
  PICKLEJAR_FIELDS(unit)
};
}  // namespace advice

// The suggested form, for another instantiation: it compiles and registers.
using Pair_type = advice::Pair<char, short>;
PICKLEJAR_REGISTER_AS(Pair_type, advice::Unit, "advice::Pair<char, short>")

TEST(CerealInteropAdvice, TheSuggestedFormRegisters) {
  advice::Net net;
  net.unit = std::make_unique<advice::Pair<char, short>>();
  const auto back = pj_test::round_trip(net, picklejar::format::json);
  const bool right_type = dynamic_cast<advice::Pair<char, short>*>(back.unit.get()) != nullptr;
  EXPECT_TRUE(right_type);
}

TEST(CerealInteropAdvice, TheSuggestedRegistrationIsALineThatCompiles) {
  advice::Net net;
  net.unit = std::make_unique<advice::Pair<int, double>>();
  const auto failure = pj_test::expect_error(picklejar::errc::type, [&] { (void)picklejar::dumps(net); });
  const std::string what = failure.what();
  EXPECT_NE(what.find("using Pair_type = advice::Pair<int, double>; "
                      "PICKLEJAR_REGISTER_AS(Pair_type, advice::Unit, \"advice::Pair<int, double>\")"),
            std::string::npos)
      << what;
}

// A type held as std::vector<std::shared_ptr<Base>> whose Base has no serialize, registered with
// CEREAL_REGISTER_TYPE: compiles with cereal alone, so it must compile with picklejar included.
namespace plain_cereal_program {
struct Base {  // abstract and without serialize, as cereal allows
  virtual ~Base() = default;
  virtual int kind() const = 0;
};
struct Node : Base {
  int kind() const override { return 1; }
  int value = 0;
  std::vector<std::shared_ptr<Base>> children;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(value, children);
  }
};
}  // namespace plain_cereal_program
CEREAL_REGISTER_TYPE(plain_cereal_program::Node)
CEREAL_REGISTER_POLYMORPHIC_RELATION(plain_cereal_program::Base, plain_cereal_program::Node)

TEST(CerealInteropPlainCereal, IncludingPicklejarKeepsACerealProgramCompiling) {
  using plain_cereal_program::Node;
  auto root = std::make_shared<Node>();
  root->value = 1;
  auto child = std::make_shared<Node>();
  child->value = 2;
  root->children.push_back(child);
  std::stringstream stream;
  {
    cereal::BinaryOutputArchive out(stream);
    out(root);
  }
  std::shared_ptr<Node> back;
  {
    cereal::BinaryInputArchive in(stream);
    in(back);
  }
  ASSERT_EQ(back->children.size(), 1u);
  EXPECT_EQ(std::static_pointer_cast<Node>(back->children[0])->value, 2);
}
