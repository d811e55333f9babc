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

// Version 2 of a schedule: version 1 called learning_rate "lr" and had a member dropout (between
// learning_rate and decay); version 2 added warmup. Version 3 (a newer program,
// tests/data/versioning/make_schedule_files.cpp) adds label_smoothing and milestones.
struct Schedule {
  int steps = 0;
  double learning_rate = 0.01;
  double decay = 0.5;
  int warmup = 10;
  PICKLEJAR_FIELDS(steps, learning_rate, dropout, decay)
  PICKLEJAR_FIELDS_SINCE(2, warmup)
  PICKLEJAR_RENAMED(2, lr, learning_rate)
  PICKLEJAR_REMOVED(2, dropout, float)
};

// Not versioned: a file holding more members than it has is a changed type.
struct Plain {
  int a = 1;
  int b = 2;
  PICKLEJAR_FIELDS(a, b)
};

}  // namespace versioning

PICKLEJAR_VERSION(versioning::Hyperparameters, 3)
PICKLEJAR_VERSION(versioning::Schedule, 2)

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

TEST_P(Versioning, ARenamedMemberLoadsFromItsOldNameAndARemovedOneIsDropped) {
  const auto loaded = picklejar::load<versioning::Schedule>(old_file("schedule_v1", GetParam()));
  EXPECT_EQ(loaded.steps, 1001);
  EXPECT_EQ(loaded.learning_rate, 0.25) << "saved as 'lr' by version 1";
  EXPECT_EQ(loaded.decay, 0.75) << "saved after the removed member: read past it";
  EXPECT_EQ(loaded.warmup, 10) << "added in version 2: keeps its default";
}

TEST_P(Versioning, RenamedAndRemovedMembersRoundTripUnderTheirNewNames) {
  versioning::Schedule schedule;
  schedule.steps = 5;
  schedule.learning_rate = 0.125;
  schedule.warmup = 3;
  const std::string bytes = picklejar::dumps(schedule, opts());
  if (GetParam() == picklejar::format::json || GetParam() == picklejar::format::xml) {
    EXPECT_NE(bytes.find("learning_rate"), std::string::npos);
    EXPECT_EQ(bytes.find("\"lr\""), std::string::npos);
    EXPECT_EQ(bytes.find("dropout"), std::string::npos) << "a removed member is never saved";
  }
  const auto loaded = picklejar::loads<versioning::Schedule>(bytes);
  EXPECT_EQ(loaded.steps, 5);
  EXPECT_EQ(loaded.learning_rate, 0.125);
  EXPECT_EQ(loaded.warmup, 3);
}

TEST_P(Versioning, ANewerFileIsAVersionErrorThatNamesTheOptionToSkip) {
  auto failure = pj_test::expect_error(picklejar::errc::version, [&] {
    picklejar::load<versioning::Schedule>(old_file("schedule_v3", GetParam()));
  });
  EXPECT_NE(failure.reason().find("version 3 of versioning::Schedule"), std::string::npos) << failure.what();
  EXPECT_NE(failure.reason().find("unknown_fields::skip"), std::string::npos) << failure.what();
}

TEST_P(Versioning, WithUnknownFieldsSkippedAnOlderProgramLoadsANewerFile) {
  picklejar::options skip;
  skip.unknown_fields = picklejar::unknown_fields::skip;
  const auto loaded = picklejar::load<versioning::Schedule>(old_file("schedule_v3", GetParam()), skip);
  EXPECT_EQ(loaded.steps, 1003);
  EXPECT_EQ(loaded.learning_rate, 0.25);
  EXPECT_EQ(loaded.decay, 0.75);
  EXPECT_EQ(loaded.warmup, 30) << "version 2's member is read; version 3's are skipped";
}

TEST_P(Versioning, SkippingNeedsABinaryFileThatRecordsWhereNewerMembersEnd) {
  picklejar::options skip;
  skip.unknown_fields = picklejar::unknown_fields::skip;
  const bool binary = GetParam() == picklejar::format::binary || GetParam() == picklejar::format::portable_binary;
  if (binary) {
    // Written with container version 1, before the members of a version were sized.
    auto failure = pj_test::expect_error(picklejar::errc::version, [&] {
      picklejar::load<Experiment>(old_file("experiment_v9", GetParam()), skip);
    });
    EXPECT_NE(failure.reason().find("does not record where the members of newer versions end"), std::string::npos)
        << failure.what();
  } else {
    const auto loaded = picklejar::load<Experiment>(old_file("experiment_v9", GetParam()), skip);
    EXPECT_EQ(loaded.name, "run-9");
    ASSERT_TRUE(loaded.params);
    EXPECT_EQ(loaded.params->warmup_steps, 7);
  }
}

// Text formats only: a member a binary file holds cannot be told apart from the next value.
TEST(VersioningText, AMemberTheTypeDoesNotHaveIsAFormatErrorUnlessSkipped) {
  for (auto fmt : {picklejar::format::json, picklejar::format::xml}) {
    std::string text = picklejar::dumps(versioning::Plain{}, fmt);
    const std::string known = fmt == picklejar::format::json ? "\"b\": 2" : "<b>2</b>";
    const std::string extra = fmt == picklejar::format::json ? "\"b\": 2, \"c\": 3" : "<b>2</b><c>3</c>";
    ASSERT_NE(text.find(known), std::string::npos) << text;
    text.replace(text.find(known), known.size(), extra);
    picklejar::options edited;
    edited.verify_checksum = false;
    auto failure = pj_test::expect_error(picklejar::errc::format, [&] { picklejar::loads<versioning::Plain>(text, edited); });
    EXPECT_NE(failure.reason().find("a member 'c' that versioning::Plain does not have"), std::string::npos)
        << failure.what();
    EXPECT_NE(failure.reason().find("the file is intact"), std::string::npos) << failure.what();
    edited.unknown_fields = picklejar::unknown_fields::skip;
    const auto loaded = picklejar::loads<versioning::Plain>(text, edited);
    EXPECT_EQ(loaded.b, 2);
  }
}

PJ_INSTANTIATE_FOR_ALL_FORMATS(Versioning);

}  // namespace
