// The fast paths: save streams a binary file through a small buffer (checksummed on the way, the
// version table in a trailer), load maps large files and verifies the checksum while it copies.
// What must hold whatever path is taken: a saved file is byte for byte what dumps() returns, a
// mapped and a read file load alike, files of container version 1 still load, and no user code
// (after_load, set_state, from_state, a class's own cereal load) ever sees damaged data.
#include <picklejar/eigen.hpp>
#include <picklejar/picklejar.hpp>

#include <cereal/cereal.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "test_support.hpp"

namespace streaming {

using picklejar::errc;

std::string read_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void write_bytes(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

struct Settings {
  int layers = 3;
  std::string activation = "relu";
  PICKLEJAR_FIELDS(layers, activation)
};

}  // namespace streaming
PICKLEJAR_VERSION(streaming::Settings, 2);

namespace streaming {

/// Small fields before and after weights larger than the save buffer, the file-writing pieces
/// and the disk write-back window, so every path of the writer is taken in one file.
struct BigModel {
  std::string name = "big";
  std::vector<std::string> labels{"cat", "dog", "bird"};
  Eigen::MatrixXf weights;
  std::vector<double> bias;
  std::shared_ptr<Settings> settings = std::make_shared<Settings>();
  std::map<std::string, int> counts{{"epochs", 12}, {"steps", 3400}};
  PICKLEJAR_FIELDS(name, labels, weights, bias, settings, counts)
};

BigModel make_big_model() {
  BigModel model;
  model.weights = Eigen::MatrixXf::Random(1600, 1600);  // 10 MiB
  model.bias.resize(100000);
  for (std::size_t i = 0; i < model.bias.size(); ++i) model.bias[i] = 0.5 * static_cast<double>(i);
  return model;
}

void expect_same(const BigModel& loaded, const BigModel& original) {
  EXPECT_EQ(loaded.name, original.name);
  EXPECT_EQ(loaded.labels, original.labels);
  EXPECT_TRUE(loaded.weights == original.weights);
  EXPECT_EQ(loaded.bias, original.bias);
  ASSERT_TRUE(loaded.settings);
  EXPECT_EQ(loaded.settings->activation, original.settings->activation);
  EXPECT_EQ(loaded.counts, original.counts);
}

class Streaming : public pj_test::FormatTest {};

TEST_P(Streaming, ASavedFileIsExactlyWhatDumpsReturns) {
  pj_test::temp_dir dir;
  const BigModel model = make_big_model();
  picklejar::save(model, dir / "model.pj", opts());
  const std::string dumped = picklejar::dumps(model, opts());
  const std::string saved = read_bytes(dir / "model.pj");
  ASSERT_EQ(saved.size(), dumped.size());
  EXPECT_TRUE(saved == dumped) << "the streamed file differs from dumps()";
  EXPECT_GT(saved.size(), std::size_t{10} << 20);
}

TEST_P(Streaming, AMappedAndAReadFileLoadAlike) {
  pj_test::temp_dir dir;
  const BigModel model = make_big_model();
  picklejar::save(model, dir / "model.pj", opts());
  picklejar::options mapped;
  picklejar::options read;
  read.memory_map = false;
  expect_same(picklejar::load<BigModel>(dir / "model.pj", mapped), model);
  expect_same(picklejar::load<BigModel>(dir / "model.pj", read), model);
  BigModel existing = make_big_model();
  existing.weights.setZero();
  picklejar::load(existing, dir / "model.pj", mapped);
  expect_same(existing, model);
}

TEST_P(Streaming, DamageInsideLargeWeightsIsAnIntegrityErrorWhetherMappedOrRead) {
  pj_test::temp_dir dir;
  const BigModel model = make_big_model();
  std::string bytes = picklejar::dumps(model, opts());
  const std::size_t middle = bytes.size() / 2;  // inside the weights in every format
  bytes[middle] = static_cast<char>(bytes[middle] ^ 0x10);
  write_bytes(dir / "damaged.pj", bytes);
  picklejar::options read;
  read.memory_map = false;
  for (const picklejar::options& options : {picklejar::options(), read}) {
    auto failure = pj_test::expect_error(errc::integrity, [&] { picklejar::load<BigModel>(dir / "damaged.pj", options); });
    EXPECT_NE(failure.file().find("damaged.pj"), std::string::npos);
  }
}

TEST_P(Streaming, TheVersionTableTravelsInTheTrailerAndInspectFindsIt) {
  pj_test::temp_dir dir;
  picklejar::save(BigModel{}, dir / "model.pj", opts());
  const picklejar::file_info info = picklejar::inspect(dir / "model.pj");
  ASSERT_EQ(info.type_versions.count("streaming::Settings"), 1u);
  EXPECT_EQ(info.type_versions.at("streaming::Settings"), 2u);
  EXPECT_EQ(picklejar::verify(dir / "model.pj").type_versions, info.type_versions);
  if (!is_text()) {
    // A count, then the name's length, the name and the version; then the tensor index (of
    // `weights`), which starts with its magic.
    const std::size_t table = 4u + 4 + 19 + 4;
    ASSERT_GT(info.trailer_bytes, table);
    EXPECT_EQ(info.file_bytes, info.header_bytes + info.payload_bytes + info.trailer_bytes);
    std::ifstream in(dir / "model.pj", std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(bytes.substr(info.header_bytes + info.payload_bytes + table, 4), "PJTI");
  }
}

// ---- no user code sees damaged data ----

int hooks_run = 0;

struct AfterLoad {
  int value = 1;
  PICKLEJAR_FIELDS(value)
  void after_load() { ++hooks_run; }
};

struct WithState {
  int value = 2;
  int get_state() const { return value; }
  void set_state(int state) {
    ++hooks_run;
    value = state;
  }
};

struct BuiltFromState {
  explicit BuiltFromState(int v) : value(v) {}
  int value;
  int get_state() const { return value; }
  static BuiltFromState from_state(int state) {
    ++hooks_run;
    return BuiltFromState(state);
  }
};

/// A class with its own cereal functions: its load is user code too.
struct OwnCereal {
  int value = 3;
  template <class Archive>
  void save(Archive& archive) const {
    archive(CEREAL_NVP(value));
  }
  template <class Archive>
  void load(Archive& archive) {
    ++hooks_run;
    archive(CEREAL_NVP(value));
  }
};

/// Every kind of hook early in the payload, then a long tail of plain data where the damage goes.
struct Hooked {
  AfterLoad after;
  WithState state;
  std::shared_ptr<BuiltFromState> built = std::make_shared<BuiltFromState>(4);
  OwnCereal own;
  std::vector<float> tail = std::vector<float>(4096, 0.25f);
  PICKLEJAR_FIELDS(after, state, built, own, tail)
};

TEST_P(Streaming, NoHookRunsOnDamagedData) {
  hooks_run = 0;
  const std::string bytes = picklejar::dumps(Hooked{}, opts());
  picklejar::loads<Hooked>(bytes);
  EXPECT_EQ(hooks_run, 4) << "each hook runs once on intact data";
  std::string damaged = bytes;
  damaged[damaged.size() - 40] = static_cast<char>(damaged[damaged.size() - 40] ^ 0x01);  // in the tail
  hooks_run = 0;
  pj_test::expect_error(errc::integrity, [&] { picklejar::loads<Hooked>(damaged); });
  EXPECT_EQ(hooks_run, 0) << "a hook saw data before the checksum was verified";
  Hooked existing;
  pj_test::expect_error(errc::integrity, [&] { picklejar::loads(existing, damaged); });
  EXPECT_EQ(hooks_run, 0);
}

TEST_P(Streaming, DamageThatBreaksTheStructureIsStillReportedAsDamage) {
  // A flipped length makes the reader fail before it reaches the end; the checksum is then
  // verified anyway, and the damage (not the symptom) is what gets reported.
  BigModel model;
  model.name = std::string(300, 'n');
  const std::string bytes = picklejar::dumps(model, opts());
  const std::size_t at = bytes.find(std::string(300, 'n'));
  ASSERT_NE(at, std::string::npos);
  for (std::size_t offset = 1; offset <= 8 && offset <= at; ++offset) {  // the bytes before the name
    std::string damaged = bytes;
    damaged[at - offset] = static_cast<char>(damaged[at - offset] ^ 0x40);
    pj_test::expect_error(errc::integrity, [&] { picklejar::loads<BigModel>(damaged); });
  }
}

INSTANTIATE_TEST_SUITE_P(AllFormats, Streaming, testing::ValuesIn(pj_test::all_formats), pj_test::format_name);

TEST(ContainerVersions, FilesOfContainerVersionOneStillLoad) {
  // tests/data/versioning holds files written before the trailer existed (container version 1,
  // the version table inside the header); test_versioning.cpp checks their contents.
  const std::filesystem::path file =
      std::filesystem::path(PICKLEJAR_TEST_DATA_DIR) / "versioning" / "hyperparameters_v2.binary";
  ASSERT_TRUE(std::filesystem::exists(file)) << file;
  const picklejar::file_info info = picklejar::inspect(file);
  EXPECT_EQ(info.container_version, 1);
  EXPECT_FALSE(info.type_versions.empty());
  EXPECT_EQ(picklejar::verify(file).checksum, info.checksum);
}

TEST(ContainerVersions, NewBinaryFilesAreVersionFive) {
  const std::string bytes = picklejar::dumps(streaming::Settings{});
  EXPECT_EQ(picklejar::detail::get_le(bytes.data() + 8, 2), 5u);
}

}  // namespace streaming
