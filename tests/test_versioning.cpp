// Versioning: PICKLEJAR_VERSION and PICKLEJAR_FIELDS_SINCE. Old files are real bytes, checked in
// under tests/data/versioning and written by tests/data/versioning/make_old_files.cpp with the
// test type as older releases (and one newer release) of a program defined it.
#include <picklejar/picklejar.hpp>

#include <filesystem>
#include <memory>
#include <string>

#include "test_support.hpp"

namespace versioning {

// The current release: version 3. Version 0 (before versioning) had epochs and learning_rate;
// version 2 added optimizer; version 3 added warmup_steps.
struct Hyperparameters {
  int epochs = 10;
  float learning_rate = 0.01f;
  std::string optimizer = "adam";
  int warmup_steps = 100;
  PICKLEJAR_FIELDS(epochs, learning_rate)
  PICKLEJAR_FIELDS_SINCE(2, optimizer)
  PICKLEJAR_FIELDS_SINCE(3, warmup_steps)
};

struct Experiment {
  std::string name;
  std::unique_ptr<Hyperparameters> params;
  PICKLEJAR_FIELDS(name, params)
};

}  // namespace versioning

PICKLEJAR_VERSION(versioning::Hyperparameters, 3)

namespace {

using versioning::Experiment;
using versioning::Hyperparameters;

std::filesystem::path old_file(const std::string& stem, picklejar::format fmt) {
  return std::filesystem::path(PICKLEJAR_TEST_DATA_DIR) / "versioning" / (stem + "." + picklejar::to_string(fmt));
}

class Versioning : public pj_test::FormatTest {};

TEST_P(Versioning, CurrentVersionRoundTripsEveryField) {
  Hyperparameters params{5, 0.5f, "sgd", 42};
  Hyperparameters loaded = pj_test::round_trip(params, GetParam());
  EXPECT_EQ(loaded.epochs, 5);
  EXPECT_EQ(loaded.learning_rate, 0.5f);
  EXPECT_EQ(loaded.optimizer, "sgd");
  EXPECT_EQ(loaded.warmup_steps, 42);
}

TEST_P(Versioning, FilesRecordTheVersion) {
  const std::string bytes = picklejar::dumps(Hyperparameters{}, opts());
  pj_test::temp_dir dir;
  picklejar::save(Hyperparameters{}, dir / "params.pj", opts());
  const picklejar::file_info info = picklejar::inspect(dir / "params.pj");
  EXPECT_EQ(info.type_versions.at("versioning::Hyperparameters"), 3u);
}

TEST_P(Versioning, AFileFromBeforeVersioningLoadsWithDefaultsForNewFields) {
  const auto loaded = picklejar::load<Hyperparameters>(old_file("hyperparameters_v0", GetParam()));
  EXPECT_EQ(loaded.epochs, 20);
  EXPECT_EQ(loaded.learning_rate, 0.5f);
  EXPECT_EQ(loaded.optimizer, "adam") << "added in version 2: keeps its default";
  EXPECT_EQ(loaded.warmup_steps, 100) << "added in version 3: keeps its default";
}

TEST_P(Versioning, AnOlderVersionLoadsWithDefaultsForNewerFields) {
  const auto loaded = picklejar::load<Hyperparameters>(old_file("hyperparameters_v2", GetParam()));
  EXPECT_EQ(loaded.epochs, 22);
  EXPECT_EQ(loaded.optimizer, "sgd") << "present since version 2";
  EXPECT_EQ(loaded.warmup_steps, 100) << "added in version 3: keeps its default";
}

TEST_P(Versioning, VersionedObjectsInsideAGraph) {
  const auto v0 = picklejar::load<Experiment>(old_file("experiment_v0", GetParam()));
  ASSERT_TRUE(v0.params);
  EXPECT_EQ(v0.name, "run-0");
  EXPECT_EQ(v0.params->epochs, 20);
  EXPECT_EQ(v0.params->optimizer, "adam");
  const auto v2 = picklejar::load<Experiment>(old_file("experiment_v2", GetParam()));
  ASSERT_TRUE(v2.params);
  EXPECT_EQ(v2.params->optimizer, "sgd");
  EXPECT_EQ(v2.params->warmup_steps, 100);
}

TEST_P(Versioning, ANewerVersionIsAVersionErrorNamingBothVersions) {
  for (const char* stem : {"hyperparameters_v9", "experiment_v9"}) {
    auto failure = pj_test::expect_error(picklejar::errc::version, [&] {
      if (std::string(stem) == "experiment_v9") picklejar::load<Experiment>(old_file(stem, GetParam()));
      else picklejar::load<Hyperparameters>(old_file(stem, GetParam()));
    });
    EXPECT_NE(failure.reason().find("version 9 of versioning::Hyperparameters"), std::string::npos) << failure.what();
    EXPECT_NE(failure.reason().find("up to 3"), std::string::npos) << failure.what();
    EXPECT_NE(failure.file().find(stem), std::string::npos);
  }
}

TEST_P(Versioning, UnversionedTypesWriteNoVersionTable) {
  struct Plain {
    int a = 1;
    PICKLEJAR_FIELDS(a)
  };
  const picklejar::file_info info = [&] {
    pj_test::temp_dir dir;
    picklejar::save(Plain{}, dir / "plain.pj", opts());
    return picklejar::inspect(dir / "plain.pj");
  }();
  EXPECT_TRUE(info.type_versions.empty());
  EXPECT_EQ(picklejar::dumps(Plain{}, opts()).find("versions"), std::string::npos);
}

PJ_INSTANTIATE_FOR_ALL_FORMATS(Versioning);

}  // namespace
