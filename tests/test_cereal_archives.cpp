// picklejar types inside cereal's own archives (binary, portable binary, JSON, XML): fields,
// transient members, state hooks, from_state behind a shared_ptr, versioned types, Eigen members,
// and registered subtypes behind a pointer to their base, which keep their base's fields whether
// they were registered with PICKLEJAR_REGISTER alone or with CEREAL_REGISTER_TYPE as well.
#include <cereal/archives/binary.hpp>
#include <cereal/archives/json.hpp>
#include <cereal/archives/portable_binary.hpp>
#include <cereal/archives/xml.hpp>
#include <cereal/types/polymorphic.hpp>

#include <picklejar/eigen.hpp>

#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include "test_support.hpp"

namespace cereal_archives {

struct Plain {
  int count = 0;
  std::string label;
  std::vector<double> values;
  std::map<std::string, int> index;
  PICKLEJAR_FIELDS(count, label, values, index)
};

struct WithTransient {
  int kept = 0;
  int cache = -1;  // reset to int{} on load
  mutable std::mutex mutex;
  PICKLEJAR_FIELDS(kept)
  PICKLEJAR_TRANSIENT(cache, mutex)
};

class Hooked {
 public:
  Hooked() = default;
  explicit Hooked(double w) : w_(w), doubled_(2 * w) {}
  double get_state() const { return w_; }
  void set_state(double w) {
    w_ = w;
    doubled_ = 2 * w;
  }
  double doubled() const { return doubled_; }

 private:
  double w_ = 0;
  double doubled_ = 0;
};

// No default constructor: built from its state.
class Handle {
 public:
  explicit Handle(std::string path) : path_(std::move(path)) {}
  const std::string& get_state() const { return path_; }
  static Handle from_state(std::string path) { return Handle(std::move(path)); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct HoldsHandles {
  std::shared_ptr<Handle> first;
  std::shared_ptr<Handle> same;  // the same object: cereal's archives keep sharing too
  std::unique_ptr<Handle> owned;
  PICKLEJAR_FIELDS(first, same, owned)
};

struct Versioned {
  int a = 0;
  int b = 0;
  PICKLEJAR_FIELDS(a)
  PICKLEJAR_FIELDS_SINCE(2, b)
};

struct WithEigen {
  Eigen::MatrixXf weights;
  Eigen::Vector3d bias;
  PICKLEJAR_FIELDS(weights, bias)
};

// ---- polymorphic layers ------------------------------------------------------------------
struct Layer {
  virtual ~Layer() = default;
  std::string name;
  PICKLEJAR_FIELDS(name)
};
struct ArchiveDense : Layer {  // PICKLEJAR_REGISTER only
  int units = 0;
  PICKLEJAR_FIELDS(units)
};
struct ArchiveDropout : Layer {  // both PICKLEJAR_REGISTER and CEREAL_REGISTER_TYPE
  double rate = 0;
  PICKLEJAR_FIELDS(rate)
};
struct ArchiveConv : Layer {  // a middle class
  int kernel = 0;
  PICKLEJAR_FIELDS(kernel)
};
struct ArchiveConv2D : ArchiveConv {
  int channels = 0;
  PICKLEJAR_FIELDS(channels)
};
struct Renamed : Layer {  // PICKLEJAR_REGISTER_AS and a CEREAL_REGISTER_TYPE under another name
  int depth = 0;
  PICKLEJAR_FIELDS(depth)
};

struct Network {
  std::vector<std::unique_ptr<Layer>> layers;
  std::shared_ptr<Layer> shared;
  PICKLEJAR_FIELDS(layers, shared)
};

PICKLEJAR_REGISTER(ArchiveDense, Layer)
PICKLEJAR_REGISTER(ArchiveDropout, Layer)
PICKLEJAR_REGISTER(ArchiveConv, Layer)
PICKLEJAR_REGISTER(ArchiveConv2D, ArchiveConv)
PICKLEJAR_REGISTER_AS(Renamed, Layer, "cereal_archives.Renamed")

}  // namespace cereal_archives

PICKLEJAR_VERSION(cereal_archives::Versioned, 2)

CEREAL_REGISTER_TYPE(cereal_archives::ArchiveDropout)
CEREAL_REGISTER_POLYMORPHIC_RELATION(cereal_archives::Layer, cereal_archives::ArchiveDropout)
CEREAL_REGISTER_TYPE_WITH_NAME(cereal_archives::Renamed, "cereal.Renamed")
CEREAL_REGISTER_POLYMORPHIC_RELATION(cereal_archives::Layer, cereal_archives::Renamed)

namespace cereal_archives {
namespace {

template <class Out, class In>
struct ArchivePair {
  using output = Out;
  using input = In;
};

template <class P>
class CerealArchives : public testing::Test {
 protected:
  template <class T>
  std::string save(const T& value) {
    std::stringstream stream;
    {
      typename P::output archive(stream);
      archive(cereal::make_nvp("value", value));
    }
    return stream.str();
  }
  template <class T>
  void load(T& value, const std::string& bytes) {
    std::stringstream stream(bytes);
    typename P::input archive(stream);
    archive(cereal::make_nvp("value", value));
  }
  template <class T>
  void round_trip(const T& value, T& copy) {
    load(copy, save(value));
  }
};

using Archives = testing::Types<ArchivePair<cereal::BinaryOutputArchive, cereal::BinaryInputArchive>,
                                ArchivePair<cereal::PortableBinaryOutputArchive, cereal::PortableBinaryInputArchive>,
                                ArchivePair<cereal::JSONOutputArchive, cereal::JSONInputArchive>,
                                ArchivePair<cereal::XMLOutputArchive, cereal::XMLInputArchive>>;
TYPED_TEST_SUITE(CerealArchives, Archives, );  // the empty argument: -Wpedantic before C++20

TYPED_TEST(CerealArchives, FieldsRoundTrip) {
  Plain value{42, "name \"quoted\" <xml>", {1.5, -0.0, 1e-300}, {{"a", 1}, {"b", 2}}};
  Plain copy;
  this->round_trip(value, copy);
  EXPECT_EQ(copy.count, 42);
  EXPECT_EQ(copy.label, value.label);
  EXPECT_EQ(copy.values, value.values);
  EXPECT_EQ(copy.index, value.index);
}

TYPED_TEST(CerealArchives, TransientMembersAreResetNotSaved) {
  WithTransient value;
  value.kept = 5;
  value.cache = 99;
  WithTransient copy;
  copy.cache = 77;
  this->round_trip(value, copy);
  EXPECT_EQ(copy.kept, 5);
  EXPECT_EQ(copy.cache, 0);
}

TYPED_TEST(CerealArchives, StateHooksRoundTrip) {
  Hooked copy;
  this->round_trip(Hooked(1.25), copy);
  EXPECT_EQ(copy.doubled(), 2.5);
}


TYPED_TEST(CerealArchives, FromStateBehindSharedAndUniquePointers) {
  HoldsHandles value;
  value.first = std::make_shared<Handle>("/data/a");
  value.same = value.first;
  value.owned = std::make_unique<Handle>("/data/b");
  HoldsHandles copy;
  this->round_trip(value, copy);
  ASSERT_TRUE(copy.first && copy.owned);
  EXPECT_EQ(copy.first->path(), "/data/a");
  EXPECT_EQ(copy.same, copy.first);
  EXPECT_EQ(copy.owned->path(), "/data/b");
}

TYPED_TEST(CerealArchives, VersionedTypeWritesEveryCurrentField) {
  Versioned copy;
  this->round_trip(Versioned{3, 4}, copy);
  EXPECT_EQ(copy.a, 3);
  EXPECT_EQ(copy.b, 4);
}

TYPED_TEST(CerealArchives, EigenMembersRoundTripExactly) {
  WithEigen value;
  value.weights = Eigen::MatrixXf::Random(3, 5);
  value.weights(0, 0) = 1e-38f;
  value.bias << 0.1, -2.5e300, 3;
  WithEigen copy;
  this->round_trip(value, copy);
  EXPECT_EQ(copy.weights, value.weights);
  EXPECT_EQ(copy.bias, value.bias);
}

Network make_network() {
  Network net;
  auto dense = std::make_unique<ArchiveDense>();
  dense->name = "dense";
  dense->units = 64;
  auto dropout = std::make_unique<ArchiveDropout>();
  dropout->name = "dropout";
  dropout->rate = 0.25;
  auto conv = std::make_unique<ArchiveConv2D>();
  conv->name = "conv";
  conv->kernel = 3;
  conv->channels = 16;
  auto renamed = std::make_unique<Renamed>();
  renamed->name = "renamed";
  renamed->depth = 9;
  net.layers.push_back(std::move(dense));
  net.layers.push_back(std::move(dropout));
  net.layers.push_back(std::move(conv));
  net.layers.push_back(std::move(renamed));
  auto shared = std::make_shared<ArchiveDense>();
  shared->name = "shared";
  shared->units = 7;
  net.shared = shared;
  return net;
}

// The silent loss: the base's fields (name) went missing in cereal archives.
TYPED_TEST(CerealArchives, RegisteredSubtypesKeepTheirBaseFields) {
  Network copy;
  this->round_trip(make_network(), copy);
  ASSERT_EQ(copy.layers.size(), 4u);
  auto* dense = dynamic_cast<ArchiveDense*>(copy.layers[0].get());
  auto* dropout = dynamic_cast<ArchiveDropout*>(copy.layers[1].get());
  auto* conv = dynamic_cast<ArchiveConv2D*>(copy.layers[2].get());
  auto* renamed = dynamic_cast<Renamed*>(copy.layers[3].get());
  ASSERT_TRUE(dense && dropout && conv && renamed);
  EXPECT_EQ(dense->name, "dense");  // PICKLEJAR_REGISTER only
  EXPECT_EQ(dense->units, 64);
  EXPECT_EQ(dropout->name, "dropout");  // both registrations
  EXPECT_EQ(dropout->rate, 0.25);
  EXPECT_EQ(conv->name, "conv");  // two levels
  EXPECT_EQ(conv->kernel, 3);
  EXPECT_EQ(conv->channels, 16);
  EXPECT_EQ(renamed->name, "renamed");
  EXPECT_EQ(renamed->depth, 9);
  auto* shared = dynamic_cast<ArchiveDense*>(copy.shared.get());
  ASSERT_TRUE(shared);
  EXPECT_EQ(shared->name, "shared");
  EXPECT_EQ(shared->units, 7);
}

// A subtype saved directly (not through a pointer) keeps its base's fields too.
TYPED_TEST(CerealArchives, RegisteredSubtypeSavedDirectlyKeepsItsBase) {
  ArchiveConv2D value;
  value.name = "direct";
  value.kernel = 5;
  value.channels = 2;
  ArchiveConv2D copy;
  this->round_trip(value, copy);
  EXPECT_EQ(copy.name, "direct");
  EXPECT_EQ(copy.kernel, 5);
  EXPECT_EQ(copy.channels, 2);
}

// picklejar's registration name is the one written; a type registered with cereal under another
// name as well reads both.
TEST(CerealArchivesNames, PicklejarNameIsWrittenAndCerealNameStillReads) {
  std::stringstream stream;
  {
    cereal::JSONOutputArchive archive(stream);
    std::unique_ptr<Layer> layer = std::make_unique<Renamed>();
    archive(cereal::make_nvp("layer", layer));
  }
  const std::string json = stream.str();
  EXPECT_NE(json.find("\"cereal_archives.Renamed\""), std::string::npos) << json;
  std::string renamed = json;
  renamed.replace(renamed.find("cereal_archives.Renamed"), std::string("cereal_archives.Renamed").size(),
                  "cereal.Renamed");
  std::stringstream input(renamed);
  cereal::JSONInputArchive archive(input);
  std::unique_ptr<Layer> layer;
  archive(cereal::make_nvp("layer", layer));
  EXPECT_NE(dynamic_cast<Renamed*>(layer.get()), nullptr);
}

// picklejar's own archives are unchanged by the cereal bindings.
TEST(CerealArchivesNames, PicklejarArchivesStillKeepBaseFields) {
  for (picklejar::format fmt : pj_test::all_formats) {
    const Network copy = pj_test::round_trip(make_network(), fmt);
    ASSERT_EQ(copy.layers.size(), 4u);
    EXPECT_EQ(copy.layers[0]->name, "dense") << picklejar::to_string(fmt);
    EXPECT_EQ(copy.layers[2]->name, "conv") << picklejar::to_string(fmt);
    EXPECT_EQ(dynamic_cast<ArchiveConv2D&>(*copy.layers[2]).kernel, 3) << picklejar::to_string(fmt);
  }
}

}  // namespace
}  // namespace cereal_archives
