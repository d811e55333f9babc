// The entry points and the file container: save/load with paths and streams, dumps/loads,
// format detection, the root type check, metadata and inspect(), cereal interoperability.
#include <picklejar/eigen.hpp>
#include <picklejar/picklejar.hpp>

#include <cereal/archives/binary.hpp>
#include <cereal/archives/json.hpp>

#include <fstream>
#include <sstream>

#include "test_support.hpp"

namespace thirdparty_like {
struct Model {};
}  // namespace thirdparty_like

namespace {

using pj_test::FormatTest;

struct Config {
  std::string optimizer = "adam";
  double learning_rate = 3e-4;
  std::vector<int> layers{64, 32, 10};
  PICKLEJAR_FIELDS(optimizer, learning_rate, layers)
  bool operator==(const Config& o) const {
    return optimizer == o.optimizer && learning_rate == o.learning_rate && layers == o.layers;
  }
};

struct Other {
  int x = 0;
  PICKLEJAR_FIELDS(x)
};

// A type with plain cereal serialization, used inside a picklejar object.
struct CerealOnly {
  int a = 0;
  std::string b;
  template <class Archive>
  void serialize(Archive& archive) {
    archive(CEREAL_NVP(a), CEREAL_NVP(b));
  }
};

struct Mixed {
  CerealOnly legacy;
  Eigen::Vector3d weights = Eigen::Vector3d::Zero();
  PICKLEJAR_FIELDS(legacy, weights)
};

// A plain cereal type holding picklejar types.
struct CerealHolder {
  Config config;
  Eigen::MatrixXf matrix;
  template <class Archive>
  void serialize(Archive& archive) {
    archive(CEREAL_NVP(config), CEREAL_NVP(matrix));
  }
};

class Formats : public FormatTest {};

TEST_P(Formats, SaveAndLoadAFile) {
  pj_test::temp_dir dir;
  Config original;
  original.learning_rate = 0.125;
  picklejar::save(original, dir / "config.pj", opts());
  EXPECT_EQ(picklejar::load<Config>(dir / "config.pj"), original);
  Config into;
  picklejar::load(into, dir / "config.pj");
  EXPECT_EQ(into, original);
  // the options argument is accepted on load too
  EXPECT_EQ(picklejar::load<Config>(dir / "config.pj", picklejar::options{}), original);
}

TEST_P(Formats, FileHoldsTheSameBytesAsDumps) {
  pj_test::temp_dir dir;
  Config original;
  picklejar::save(original, dir / "a.pj", opts());
  std::ifstream in(dir / "a.pj", std::ios::binary);
  std::string file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(file, picklejar::dumps(original, opts()));
}

TEST_P(Formats, Streams) {
  Config original;
  original.layers = {1, 2};
  std::stringstream stream;
  picklejar::save(original, stream, opts());
  Config loaded;
  picklejar::load(loaded, stream);
  EXPECT_EQ(loaded, original);
}

TEST_P(Formats, LoadDetectsTheFormatByItself) {
  Config original;
  std::string bytes = picklejar::dumps(original, opts());
  picklejar::options other_format(picklejar::format::xml);  // ignored on load
  EXPECT_EQ(picklejar::loads<Config>(bytes, other_format), original);
}

TEST_P(Formats, TheRootTypeIsChecked) {
  std::string bytes = picklejar::dumps(Config{}, opts());
  auto error = pj_test::expect_error(picklejar::errc::type, [&] { picklejar::loads<Other>(bytes); });
  std::string message = error.what();
  EXPECT_NE(message.find("Config"), std::string::npos) << message;
  EXPECT_NE(message.find("Other"), std::string::npos) << message;
}

TEST_P(Formats, MetadataAndInspect) {
  pj_test::temp_dir dir;
  picklejar::options options = opts();
  options.metadata = {{"epoch", "12"}, {"note", "best so far <ok> & \"quoted\""}, {"empty", ""}};
  picklejar::save(Config{}, dir / "model.pj", options);
  picklejar::file_info info = picklejar::inspect(dir / "model.pj");
  EXPECT_EQ(info.format, GetParam());
  EXPECT_EQ(info.metadata, options.metadata);
  EXPECT_NE(info.type_name.find("Config"), std::string::npos) << info.type_name;
  EXPECT_EQ(info.container_version, 5);
  EXPECT_EQ(info.file_bytes, std::filesystem::file_size(dir / "model.pj"));
  EXPECT_GT(info.payload_bytes, 0u);
  EXPECT_LE(info.payload_bytes, info.file_bytes);
  EXPECT_EQ(picklejar::load<Config>(dir / "model.pj"), Config{});
}

TEST_P(Formats, PlainCerealTypesInsidePicklejarObjects) {
  Mixed original;
  original.legacy = {7, "seven"};
  original.weights = {1, 2, 3};
  Mixed loaded = pj_test::round_trip(original, GetParam());
  EXPECT_EQ(loaded.legacy.a, 7);
  EXPECT_EQ(loaded.legacy.b, "seven");
  EXPECT_EQ(loaded.weights, original.weights);
}

TEST_P(Formats, SavingReplacesTheFileAndLeavesNoTemporaryFiles) {
  pj_test::temp_dir dir;
  Config first;
  Config second;
  second.optimizer = "sgd";
  picklejar::save(first, dir / "model.pj", opts());
  picklejar::save(second, dir / "model.pj", opts());
  EXPECT_EQ(picklejar::load<Config>(dir / "model.pj"), second);
  EXPECT_EQ(dir.file_names(), std::vector<std::string>{"model.pj"});
}

struct Flaky {
  bool fail = false;
  int value = 1;
  int get_state() const {
    if (fail) throw std::runtime_error("get_state failed");
    return value;
  }
  void set_state(int state) { value = state; }
};

TEST_P(Formats, AFailingGetStateLeavesThePreviousFileIntact) {
  pj_test::temp_dir dir;
  Flaky good;
  good.value = 42;
  picklejar::save(good, dir / "flaky.pj", opts());
  Flaky bad;
  bad.fail = true;
  EXPECT_THROW(picklejar::save(bad, dir / "flaky.pj", opts()), std::runtime_error);
  EXPECT_EQ(picklejar::load<Flaky>(dir / "flaky.pj").value, 42);
  EXPECT_EQ(dir.file_names(), std::vector<std::string>{"flaky.pj"});
}

PJ_INSTANTIATE_FOR_ALL_FORMATS(Formats);

TEST(CerealInterop, PicklejarTypesInsidePlainCerealArchives) {
  CerealHolder original{Config{}, Eigen::MatrixXf::Identity(2, 3)};
  original.config.learning_rate = 0.5;
  {
    std::stringstream stream;
    {
      cereal::BinaryOutputArchive archive(stream);
      archive(original);
    }
    CerealHolder loaded;
    cereal::BinaryInputArchive archive(stream);
    archive(loaded);
    EXPECT_EQ(loaded.config, original.config);
    EXPECT_EQ(loaded.matrix, original.matrix);
  }
  {
    std::stringstream stream;
    {
      cereal::JSONOutputArchive archive(stream);
      archive(original);
    }
    EXPECT_NE(stream.str().find("\"learning_rate\": 0.5"), std::string::npos) << stream.str();
    CerealHolder loaded;
    cereal::JSONInputArchive archive(stream);
    archive(loaded);
    EXPECT_EQ(loaded.config, original.config);
    EXPECT_EQ(loaded.matrix, original.matrix);
  }
}

TEST(Container, BinaryFilesStartWithTheMagicAndTextFilesAreReadable) {
  std::string binary = picklejar::dumps(Config{});
  EXPECT_EQ(binary.substr(0, 8), std::string("\x89PJAR\r\n\x1a", 8));
  std::string json = picklejar::dumps(Config{}, {picklejar::format::json});
  EXPECT_EQ(json.substr(0, 1), "{");
  EXPECT_NE(json.find("\"format\": \"picklejar\""), std::string::npos);
  std::string xml = picklejar::dumps(Config{}, {picklejar::format::xml});
  EXPECT_EQ(xml.substr(0, 5), "<?xml");
}

TEST(Container, PortableBinaryIsLittleEndian) {
  struct Probe {  // a local class
    std::uint32_t value = 0x01020304;
    PICKLEJAR_FIELDS(value)
  };
  std::string bytes = picklejar::dumps(Probe{}, {picklejar::format::portable_binary});
  EXPECT_EQ(bytes.substr(bytes.size() - 4), std::string("\x04\x03\x02\x01", 4));
}

template <class T>
struct Box {};

// Files record the root type's name; GCC and Clang must spell it the same way, or a file written
// by a program built with one would not load in a program built with the other.
TEST(TypeNames, OneSpellingForGccAndClang) {
  using picklejar::detail::type_name;
  EXPECT_EQ(type_name<Config>(), "(anonymous namespace)::Config");
  EXPECT_EQ(type_name<Box<std::vector<long>>>(), "(anonymous namespace)::Box<std::vector<long>>");
  using Map = std::map<std::string, unsigned long>;
  EXPECT_EQ(type_name<Box<Map>>(), "(anonymous namespace)::Box<std::map<std::basic_string<char>, unsigned long>>");
  EXPECT_EQ(type_name<Box<short unsigned int>>(), "(anonymous namespace)::Box<unsigned short>");
  EXPECT_EQ(type_name<thirdparty_like::Model>(), "thirdparty_like::Model");
}

}  // namespace
