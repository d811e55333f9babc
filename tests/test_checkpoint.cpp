// checkpoint_manager: file names and headers, retention (recent and best, min and max, NaN, 0),
// restarts, loading with fallback past damaged files, foreign files, stale temporaries, the
// directory lock, and a saver killed at random moments.
#include <picklejar/checkpoint.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "test_support.hpp"

namespace {

namespace fs = std::filesystem;
using picklejar::checkpoint_manager;
using picklejar::checkpoint_options;
using picklejar::errc;
using picklejar::metric_mode;
using pj_test::expect_error;

constexpr double no_metric = std::numeric_limits<double>::quiet_NaN();

/// A model whose every number says which step it was saved at, so a load shows which file it read.
struct TrainState {
  std::int64_t epoch = -1;
  std::vector<double> weights;
  PICKLEJAR_FIELDS(epoch, weights)
};

TrainState state_at(std::int64_t epoch, std::size_t size = 8) {
  TrainState state;
  state.epoch = epoch;
  for (std::size_t i = 0; i < size; ++i)
    state.weights.push_back(static_cast<double>(epoch) + 0.25 * static_cast<double>(i));
  return state;
}

bool is_state_at(const TrainState& state, std::int64_t epoch) {
  const TrainState expected = state_at(epoch, state.weights.size());
  return state.epoch == epoch && !state.weights.empty() && state.weights == expected.weights;
}

checkpoint_options retention(std::size_t keep_last, std::size_t keep_best,
                             metric_mode mode = metric_mode::min) {
  checkpoint_options opts;
  opts.keep_last = keep_last;
  opts.keep_best = keep_best;
  opts.mode = mode;
  return opts;
}

std::vector<std::int64_t> steps_of(const checkpoint_manager& manager) {
  std::vector<std::int64_t> steps;
  for (const auto& c : manager.checkpoints()) steps.push_back(c.step);
  return steps;
}

/// The checkpoint steps whose files are in the directory (what is really on disk).
std::vector<std::int64_t> steps_on_disk(const fs::path& directory) {
  std::vector<std::int64_t> steps;
  for (const auto& entry : fs::directory_iterator(directory)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("ckpt-", 0) == 0 && name.size() == 20 && name.substr(17) == ".pj")
      steps.push_back(std::stoll(name.substr(5, 12)));
  }
  std::sort(steps.begin(), steps.end());
  return steps;
}

bool mentions(const std::vector<std::string>& problems, const std::string& text) {
  return std::any_of(problems.begin(), problems.end(),
                     [&](const std::string& p) { return p.find(text) != std::string::npos; });
}

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

const std::vector<double> sample_metrics = {5, 3, 8, 1, 9, 7, 2, 6, 4, 10};

// ---- files and headers ----

TEST(Checkpoint, OneFilePerStepNamedToSortByStep) {
  pj_test::temp_dir dir;
  checkpoint_manager manager(dir.path(), retention(checkpoint_options::keep_all, 1));
  EXPECT_FALSE(manager.latest_path());
  EXPECT_FALSE(manager.best_path());
  for (std::int64_t step : {0, 7, 42}) {
    const fs::path written = manager.save(state_at(step), step, 1.0);
    EXPECT_EQ(written, dir / picklejar::detail::checkpoint_file_name(step));
  }
  EXPECT_TRUE(fs::exists(dir / "ckpt-000000000000.pj"));
  EXPECT_TRUE(fs::exists(dir / "ckpt-000000000007.pj"));
  EXPECT_TRUE(fs::exists(dir / "ckpt-000000000042.pj"));
  EXPECT_TRUE(fs::exists(dir / "picklejar-checkpoint.lock"));
  EXPECT_EQ(steps_of(manager), (std::vector<std::int64_t>{0, 7, 42}));
  EXPECT_EQ(manager.latest_path(), dir / "ckpt-000000000042.pj");
  EXPECT_EQ(manager.best_path(), dir / "ckpt-000000000000.pj");  // equal metrics: the earliest
  EXPECT_TRUE(manager.problems().empty());
  // A step wider than the padding still works (the manager sorts by number, not by name).
  manager.save(state_at(1234567890123), 1234567890123, 1.0);
  EXPECT_EQ(manager.latest()->step, 1234567890123);
  EXPECT_TRUE(fs::exists(dir / "ckpt-1234567890123.pj"));
}

TEST(Checkpoint, HeaderMetadataMarksStepMetricAndTime) {
  pj_test::temp_dir dir;
  checkpoint_options opts;
  opts.file_options.metadata["run"] = "exp1";
  checkpoint_manager manager(dir.path(), opts);
  const double metric = 0.1 + 0.2;  // 0.30000000000000004: needs all 17 digits
  const fs::path path = manager.save(state_at(42), 42, metric);

  const picklejar::file_info info = picklejar::inspect(path);
  EXPECT_EQ(info.format, picklejar::format::binary);
  EXPECT_EQ(info.metadata.at("picklejar.checkpoint"), "1");
  EXPECT_EQ(info.metadata.at("picklejar.checkpoint.step"), "42");
  EXPECT_EQ(info.metadata.at("picklejar.checkpoint.metric"), "0.30000000000000004");
  EXPECT_EQ(info.metadata.at("run"), "exp1");
  const std::string time = info.metadata.at("picklejar.checkpoint.time");
  ASSERT_EQ(time.size(), 24u) << time;  // 2025-01-31T12:34:56.789Z
  EXPECT_EQ(time[4], '-');
  EXPECT_EQ(time[10], 'T');
  EXPECT_EQ(time[19], '.');
  EXPECT_EQ(time.back(), 'Z');
  EXPECT_GE(std::stoi(time.substr(0, 4)), 2024);
  EXPECT_EQ(manager.latest()->time, time);
}

TEST(Checkpoint, MetricsReadBackBitIdenticalAfterRestart) {
  pj_test::temp_dir dir;
  const std::vector<double> metrics = {
      0.1 + 0.2, -0.0, 1e-310, std::numeric_limits<double>::max(), -std::numeric_limits<double>::infinity(),
      2.0 / 3.0};
  {
    checkpoint_manager manager(dir.path(), retention(checkpoint_options::keep_all, 1));
    for (std::size_t i = 0; i < metrics.size(); ++i)
      manager.save(state_at(0), static_cast<std::int64_t>(i), metrics[i]);
  }
  checkpoint_manager reopened(dir.path(), retention(checkpoint_options::keep_all, 1));
  ASSERT_EQ(reopened.checkpoints().size(), metrics.size());
  for (std::size_t i = 0; i < metrics.size(); ++i)
    EXPECT_TRUE(pj_test::same_bits(reopened.checkpoints()[i].metric, metrics[i])) << i;
  EXPECT_EQ(reopened.best()->step, 4);  // -inf is the lowest
}

TEST(Checkpoint, FormatAndFileOptionsAreUsed) {
  pj_test::temp_dir dir;
  checkpoint_options opts;
  opts.format = picklejar::format::json;
  opts.file_options.format = picklejar::format::xml;  // replaced by opts.format
  checkpoint_manager manager(dir.path(), opts);
  const fs::path path = manager.save(state_at(3), 3, 0.5);
  EXPECT_EQ(picklejar::inspect(path).format, picklejar::format::json);
  EXPECT_EQ(read_text(path).front(), '{');
  TrainState loaded;
  EXPECT_EQ(manager.load_latest(loaded).step, 3);
  EXPECT_TRUE(is_state_at(loaded, 3));
}

// ---- retention ----

TEST(Checkpoint, RetentionMinModeKeepsLastAndBest) {
  pj_test::temp_dir dir;
  checkpoint_manager manager(dir.path(), retention(2, 3, metric_mode::min));
  for (std::size_t step = 0; step < sample_metrics.size(); ++step) {
    manager.save(state_at(static_cast<std::int64_t>(step)), static_cast<std::int64_t>(step),
                 sample_metrics[step]);
    EXPECT_LE(manager.checkpoints().size(), 5u);
    EXPECT_EQ(steps_of(manager), steps_on_disk(dir.path()));
  }
  // The last two (8, 9) and the three lowest metrics: 1 (step 3), 2 (step 6), 3 (step 1).
  EXPECT_EQ(steps_on_disk(dir.path()), (std::vector<std::int64_t>{1, 3, 6, 8, 9}));
  EXPECT_EQ(manager.best()->step, 3);
  EXPECT_EQ(manager.latest()->step, 9);
  EXPECT_TRUE(manager.problems().empty());
}

TEST(Checkpoint, RetentionMaxModeKeepsLastAndBest) {
  pj_test::temp_dir dir;
  checkpoint_manager manager(dir.path(), retention(2, 3, metric_mode::max));
  for (std::size_t step = 0; step < sample_metrics.size(); ++step)
    manager.save(state_at(static_cast<std::int64_t>(step)), static_cast<std::int64_t>(step),
                 sample_metrics[step]);
  // The last two (8, 9) and the three highest: 10 (step 9), 9 (step 4), 8 (step 2).
  EXPECT_EQ(steps_on_disk(dir.path()), (std::vector<std::int64_t>{2, 4, 8, 9}));
  EXPECT_EQ(manager.best()->step, 9);
  EXPECT_EQ(manager.best_path(), manager.latest_path());
}

TEST(Checkpoint, BestIsNeverDeletedEvenWhenOld) {
  pj_test::temp_dir dir;
  checkpoint_manager manager(dir.path(), retention(1, 1));
  manager.save(state_at(0), 0, 0.0);
  for (std::int64_t step = 1; step <= 20; ++step) {
    manager.save(state_at(step), step, 1.0 + static_cast<double>(step));
    ASSERT_EQ(steps_on_disk(dir.path()), (std::vector<std::int64_t>{0, step}));
  }
  EXPECT_EQ(manager.best_path(), dir / "ckpt-000000000000.pj");
  TrainState loaded;
  EXPECT_EQ(manager.load_best(loaded).step, 0);
  EXPECT_TRUE(is_state_at(loaded, 0));
}

TEST(Checkpoint, KeepBestZeroStillKeepsTheBest) {
  pj_test::temp_dir dir;
  checkpoint_manager manager(dir.path(), retention(2, 0));
  for (std::int64_t step = 0; step < 6; ++step) manager.save(state_at(step), step, step == 1 ? 0.5 : 2.0);
  EXPECT_EQ(steps_on_disk(dir.path()), (std::vector<std::int64_t>{1, 4, 5}));
  EXPECT_EQ(manager.best()->step, 1);
}

TEST(Checkpoint, KeepLastZeroKeepsOnlyTheBest) {
  pj_test::temp_dir dir;
  checkpoint_manager manager(dir.path(), retention(0, 2));
  for (std::size_t step = 0; step < sample_metrics.size(); ++step)
    manager.save(state_at(static_cast<std::int64_t>(step)), static_cast<std::int64_t>(step),
                 sample_metrics[step]);
  EXPECT_EQ(steps_on_disk(dir.path()), (std::vector<std::int64_t>{3, 6}));
  EXPECT_EQ(manager.latest()->step, 6);  // the latest that is left
  // A checkpoint with no metric is kept only for being recent: here, not at all.
  manager.save(state_at(10), 10, no_metric);
  EXPECT_EQ(steps_on_disk(dir.path()), (std::vector<std::int64_t>{3, 6}));
}

TEST(Checkpoint, KeepAllKeepsEverything) {
  pj_test::temp_dir dir;
  checkpoint_manager manager(dir.path(), retention(checkpoint_options::keep_all, 1));
  for (std::int64_t step = 0; step < 12; ++step)
    manager.save(state_at(step), step, static_cast<double>(step));
  EXPECT_EQ(steps_on_disk(dir.path()).size(), 12u);
}

TEST(Checkpoint, NanMetricNeverCountsAsBest) {
  pj_test::temp_dir dir;
  checkpoint_manager manager(dir.path(), retention(1, 1));
  manager.save(state_at(0), 0, no_metric);
  EXPECT_FALSE(manager.best_path());
  expect_error(errc::io, [&] {
    TrainState loaded;
    manager.load_best(loaded);
  });
  manager.save(state_at(1), 1, 5.0);
  manager.save(state_at(2), 2, -no_metric);
  manager.save(state_at(3), 3, no_metric);
  EXPECT_EQ(manager.best()->step, 1);
  EXPECT_EQ(steps_on_disk(dir.path()), (std::vector<std::int64_t>{1, 3}));  // NaN ones: only the latest
  for (metric_mode mode : {metric_mode::min, metric_mode::max}) {
    checkpoint_options opts = retention(1, 1, mode);
    pj_test::temp_dir other;
    checkpoint_manager m(other.path(), opts);
    m.save(state_at(0), 0, 1.0);
    m.save(state_at(1), 1, no_metric);
    m.save(state_at(2), 2, no_metric);
    EXPECT_EQ(m.best()->step, 0);
    EXPECT_EQ(steps_on_disk(other.path()), (std::vector<std::int64_t>{0, 2}));
  }
}

TEST(Checkpoint, EqualMetricsRankTheEarlierStepFirst) {
  pj_test::temp_dir dir;
  checkpoint_manager manager(dir.path(), retention(1, 2));
  for (std::int64_t step = 0; step < 5; ++step) manager.save(state_at(step), step, 1.0);
  EXPECT_EQ(steps_on_disk(dir.path()), (std::vector<std::int64_t>{0, 1, 4}));
  EXPECT_EQ(manager.best()->step, 0);
}

// Steps only go up (contract section 5). Before, saving a step again replaced it, and a new run
// started in an old directory (steps 0, 1, ... below the old run's) got checkpoints that retention
// deleted at once, with problems() empty.
TEST(Checkpoint, AStepAtOrBelowTheLatestIsRefusedNamingTheLatest) {
  pj_test::temp_dir dir;
  checkpoint_manager manager(dir.path(), retention(3, 1));
  manager.save(state_at(3), 3, 2.0);
  const std::string before = read_text(dir / "ckpt-000000000003.pj");
  for (const std::int64_t step : {3, 2, 0}) {
    const picklejar::error failure = expect_error(errc::io, [&] { manager.save(state_at(step), step, 1.0); });
    EXPECT_EQ(failure.file(), dir.path().string());
    const std::string message = failure.what();
    EXPECT_NE(message.find("cannot save step " + std::to_string(step) +
                           ": the latest checkpoint in this directory is step 3"),
              std::string::npos)
        << message;
    EXPECT_NE(message.find("ckpt-000000000003.pj"), std::string::npos) << message;
  }
  EXPECT_EQ(read_text(dir / "ckpt-000000000003.pj"), before);  // untouched
  EXPECT_EQ(steps_of(manager), (std::vector<std::int64_t>{3}));
  EXPECT_EQ(dir.file_names().size(), 2u);  // the checkpoint and the lock: no temporary left
  manager.save(state_at(4), 4, 1.0);
  EXPECT_EQ(steps_of(manager), (std::vector<std::int64_t>{3, 4}));
}

TEST(Checkpoint, ANewRunInAnOldDirectoryIsRefusedNotDeleted) {
  pj_test::temp_dir dir;
  {
    checkpoint_manager old_run(dir.path(), retention(2, 1));
    for (std::int64_t step = 0; step < 10; ++step) old_run.save(state_at(step), step, 1.0 + static_cast<double>(step));
  }
  const std::vector<std::int64_t> on_disk = steps_on_disk(dir.path());
  checkpoint_manager new_run(dir.path(), retention(2, 1));
  const picklejar::error failure = expect_error(errc::io, [&] { new_run.save(state_at(0), 0, 0.5); });
  EXPECT_NE(std::string(failure.what()).find("the latest checkpoint in this directory is step 9"), std::string::npos)
      << failure.what();
  EXPECT_EQ(steps_on_disk(dir.path()), on_disk);
  // Resuming is what works: load the latest, then save the next step.
  TrainState state;
  EXPECT_EQ(new_run.load_latest(state).step, 9);
  new_run.save(state_at(10), 10, 0.5);
  EXPECT_EQ(new_run.latest()->step, 10);
}

TEST(Checkpoint, NegativeStepIsRefused) {
  pj_test::temp_dir dir;
  checkpoint_manager manager(dir.path());
  EXPECT_THROW(manager.save(state_at(0), -1, 0.0), std::invalid_argument);
  EXPECT_TRUE(manager.checkpoints().empty());
}

// A type whose saving fails (its state hook throws): the save writes nothing and deletes nothing.
struct FailsToSave {
  bool fail = false;
  int get_state() const {
    if (fail) throw picklejar::error(errc::type, "refusing to be saved");
    return 1;
  }
  void set_state(int) {}
};

TEST(Checkpoint, AFailedSaveDeletesNothing) {
  pj_test::temp_dir dir;
  checkpoint_manager manager(dir.path(), retention(1, 1));
  manager.save(FailsToSave{}, 0, 1.0);
  manager.save(FailsToSave{}, 1, 2.0);
  expect_error(errc::type, [&] { manager.save(FailsToSave{true}, 2, 0.5); });
  EXPECT_EQ(steps_on_disk(dir.path()), (std::vector<std::int64_t>{0, 1}));
  EXPECT_EQ(steps_of(manager), (std::vector<std::int64_t>{0, 1}));
  EXPECT_EQ(dir.file_names().size(), 3u);  // two checkpoints and the lock: no temporary left
}

// ---- loading ----

TEST(Checkpoint, LoadLatestAndLoadBestRestoreTheirState) {
  pj_test::temp_dir dir;
  checkpoint_manager manager(dir.path(), retention(2, 3));
  for (std::size_t step = 0; step < sample_metrics.size(); ++step)
    manager.save(state_at(static_cast<std::int64_t>(step), 64), static_cast<std::int64_t>(step),
                 sample_metrics[step]);
  TrainState latest;
  EXPECT_EQ(manager.load_latest(latest).step, 9);
  EXPECT_TRUE(is_state_at(latest, 9));
  EXPECT_EQ(latest.weights.size(), 64u);
  TrainState best;
  const picklejar::checkpoint_info info = manager.load_best(best);
  EXPECT_EQ(info.step, 3);
  EXPECT_EQ(info.metric, 1.0);
  EXPECT_EQ(info.path, dir / "ckpt-000000000003.pj");
  EXPECT_TRUE(is_state_at(best, 3));
}

TEST(Checkpoint, EmptyDirectoryHasNothingToLoad) {
  pj_test::temp_dir dir;
  checkpoint_manager manager(dir / "new" / "run");  // created
  EXPECT_TRUE(fs::is_directory(dir / "new" / "run"));
  TrainState state;
  const picklejar::error failure = expect_error(errc::io, [&] { manager.load_latest(state); });
  EXPECT_EQ(failure.file(), (dir / "new" / "run").string());
  expect_error(errc::io, [&] { manager.load_best(state); });
}

TEST(Checkpoint, TheWrongTypeIsATypeErrorNotAFallback) {
  pj_test::temp_dir dir;
  checkpoint_manager manager(dir.path(), retention(3, 1));
  manager.save(state_at(0), 0, 1.0);
  manager.save(state_at(1), 1, 2.0);
  std::vector<int> wrong;
  expect_error(errc::type, [&] { manager.load_latest(wrong); });
  EXPECT_EQ(manager.checkpoints().size(), 2u);  // nothing was taken for damaged
}

// ---- restarts ----

TEST(Checkpoint, ASecondManagerSeesTheRunAndContinuesIt) {
  pj_test::temp_dir dir;
  const checkpoint_options opts = retention(2, 1);
  {
    checkpoint_manager first(dir.path(), opts);
    for (std::int64_t step = 0; step < 5; ++step) first.save(state_at(step), step, step == 1 ? 0.1 : 1.0);
    EXPECT_EQ(steps_on_disk(dir.path()), (std::vector<std::int64_t>{1, 3, 4}));
  }
  checkpoint_manager second(dir.path(), opts);
  EXPECT_TRUE(second.problems().empty());
  EXPECT_EQ(steps_of(second), (std::vector<std::int64_t>{1, 3, 4}));
  EXPECT_EQ(second.latest_path(), dir / "ckpt-000000000004.pj");
  EXPECT_EQ(second.best_path(), dir / "ckpt-000000000001.pj");
  TrainState resumed;
  const std::int64_t next = second.load_latest(resumed).step + 1;
  EXPECT_TRUE(is_state_at(resumed, 4));
  EXPECT_EQ(next, 5);
  // Retention counts the first manager's checkpoints with the new ones.
  second.save(state_at(5), 5, 2.0);
  EXPECT_EQ(steps_on_disk(dir.path()), (std::vector<std::int64_t>{1, 4, 5}));
  second.save(state_at(6), 6, 0.05);
  EXPECT_EQ(steps_on_disk(dir.path()), (std::vector<std::int64_t>{5, 6}));
  EXPECT_EQ(second.best()->step, 6);
}

// ---- what else is in the directory ----

TEST(Checkpoint, ForeignAndDamagedFilesAreReportedSkippedAndKept) {
  pj_test::temp_dir dir;
  {
    checkpoint_manager writer(dir.path(), retention(5, 1));
    for (std::int64_t step = 0; step < 3; ++step)
      writer.save(state_at(step), step, static_cast<double>(step));
  }
  write_text(dir / "notes.txt", "learning rate 0.01\n");
  write_text(dir / "ckpt-abc.pj", "not a step");
  fs::create_directory(dir / "ckpt-000000000077.pj");  // a directory with a checkpoint's name
  // A truncated checkpoint with a higher step than every good one.
  const std::string whole = read_text(dir / "ckpt-000000000002.pj");
  write_text(dir / "ckpt-000000000099.pj", whole.substr(0, whole.size() / 2));
  // A picklejar file that is no checkpoint, and a checkpoint renamed to another step.
  picklejar::save(state_at(50), dir / "ckpt-000000000050.pj");
  fs::copy_file(dir / "ckpt-000000000001.pj", dir / "ckpt-000000000060.pj");
  write_text(dir / "ckpt-000000000070.pj", "");

  checkpoint_manager manager(dir.path(), retention(1, 1));
  EXPECT_EQ(steps_of(manager), (std::vector<std::int64_t>{0, 1, 2}));
  const auto& problems = manager.problems();
  EXPECT_EQ(problems.size(), 7u);
  EXPECT_TRUE(mentions(problems, "notes.txt: ignored: not a checkpoint"));
  EXPECT_TRUE(mentions(problems, "ckpt-abc.pj: ignored"));
  EXPECT_TRUE(mentions(problems, "[picklejar.error.integrity] " + (dir / "ckpt-000000000099.pj").string()));
  EXPECT_TRUE(mentions(problems, "ckpt-000000000050.pj: not a picklejar checkpoint"));
  EXPECT_TRUE(mentions(problems, "ckpt-000000000060.pj: the header's step (1)"));
  EXPECT_TRUE(mentions(problems, "ckpt-000000000070.pj"));
  EXPECT_TRUE(mentions(problems, "ckpt-000000000077.pj"));
  EXPECT_EQ(manager.latest_path(), dir / "ckpt-000000000002.pj");
  TrainState loaded;
  EXPECT_EQ(manager.load_latest(loaded).step, 2);
  EXPECT_TRUE(is_state_at(loaded, 2));

  // Retention deletes only checkpoints the manager read, never what it did not understand.
  manager.save(state_at(3), 3, 5.0);
  EXPECT_EQ(steps_of(manager), (std::vector<std::int64_t>{0, 3}));
  for (const char* name : {"notes.txt", "ckpt-abc.pj", "ckpt-000000000099.pj", "ckpt-000000000050.pj",
                           "ckpt-000000000060.pj", "ckpt-000000000070.pj", "ckpt-000000000077.pj"})
    EXPECT_TRUE(fs::exists(dir / name)) << name;
}

TEST(Checkpoint, DamageFoundWhileLoadingFallsBackToTheNextCheckpoint) {
  pj_test::temp_dir dir;
  checkpoint_manager manager(dir.path(), retention(3, 2));
  for (std::int64_t step = 0; step < 4; ++step)
    manager.save(state_at(step), step, 10.0 - static_cast<double>(step));
  // Now on disk: 1, 2, 3 (recent) and 3, 2 (best). Damage 3 behind the manager's back.
  const fs::path damaged = dir / "ckpt-000000000003.pj";
  const std::string whole = read_text(damaged);
  write_text(damaged, whole.substr(0, whole.size() - 5));

  TrainState loaded;
  EXPECT_EQ(manager.load_latest(loaded).step, 2);
  EXPECT_TRUE(is_state_at(loaded, 2));
  EXPECT_TRUE(mentions(manager.problems(), damaged.string()));
  EXPECT_EQ(manager.latest_path(), dir / "ckpt-000000000002.pj");  // 3 is no longer offered
  EXPECT_EQ(manager.best_path(), dir / "ckpt-000000000002.pj");

  // load_best skips a damaged best the same way.
  write_text(dir / "ckpt-000000000002.pj", "garbage");
  TrainState best;
  EXPECT_EQ(manager.load_best(best).step, 1);
  EXPECT_TRUE(is_state_at(best, 1));

  // None loadable: errc::integrity naming the directory; the damaged files are still there.
  write_text(dir / "ckpt-000000000001.pj", "");
  const picklejar::error failure = expect_error(errc::integrity, [&] { manager.load_latest(loaded); });
  EXPECT_EQ(failure.file(), dir.path().string());
  EXPECT_NE(std::string(failure.what()).find("ckpt-000000000001.pj"), std::string::npos) << failure.what();
  EXPECT_TRUE(fs::exists(damaged));
}

TEST(Checkpoint, StaleTemporaryFilesAreRemoved) {
  pj_test::temp_dir dir;
  {
    checkpoint_manager writer(dir.path());
    writer.save(state_at(4), 4, 1.0);
  }
  const fs::path stale = dir / "ckpt-000000000005.pj.pj-tmp-99999-0";
  write_text(stale, "half a checkpoint");
  const fs::path not_ours = dir / "model.pj.pj-tmp-99999-0";  // another program's save: left alone
  write_text(not_ours, "x");

  checkpoint_manager manager(dir.path());
  EXPECT_FALSE(fs::exists(stale));
  EXPECT_TRUE(fs::exists(not_ours));
  EXPECT_TRUE(mentions(manager.problems(),
                       stale.string() + ": removed a temporary file left by an interrupted save"));
  EXPECT_TRUE(mentions(manager.problems(), not_ours.string() + ": ignored"));
  EXPECT_EQ(steps_of(manager), (std::vector<std::int64_t>{4}));
}

// ---- the lock ----

TEST(Checkpoint, TwoManagersOnOneDirectoryAreRefused) {
  pj_test::temp_dir dir;
  std::optional<checkpoint_manager> first(std::in_place, dir.path());
  const picklejar::error failure = expect_error(errc::io, [&] { checkpoint_manager second(dir.path()); });
  EXPECT_EQ(failure.file(), dir.path().string());
  const std::string message = failure.what();
  EXPECT_NE(message.find("another checkpoint_manager (process " + std::to_string(::getpid()) + ")"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find(dir.path().string()), std::string::npos) << message;

  // A moved manager keeps the lock.
  checkpoint_manager moved(std::move(*first));
  first.reset();
  expect_error(errc::io, [&] { checkpoint_manager second(dir.path()); });
  moved.save(state_at(1), 1, 1.0);
  EXPECT_EQ(steps_on_disk(dir.path()), (std::vector<std::int64_t>{1}));
}

TEST(Checkpoint, AManagerAfterTheFirstIsDestroyedWorks) {
  pj_test::temp_dir dir;
  { checkpoint_manager first(dir.path()); }
  checkpoint_manager second(dir.path());
  second.save(state_at(0), 0, 1.0);
  EXPECT_EQ(second.latest()->step, 0);
}

// The lock works across processes, and a killed owner leaves no stale lock.
TEST(Checkpoint, TheLockOfAKilledProcessIsReleased) {
  pj_test::temp_dir dir;
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(ready[0]);
    try {
      checkpoint_manager owner(dir.path());
      owner.save(state_at(1), 1, 1.0);
      if (::write(ready[1], "x", 1) != 1) ::_exit(3);
      for (;;) ::pause();  // hold the lock until killed
    } catch (...) {
      ::_exit(2);
    }
  }
  ::close(ready[1]);
  char byte = 0;
  ASSERT_EQ(::read(ready[0], &byte, 1), 1);
  ::close(ready[0]);

  const picklejar::error failure = expect_error(errc::io, [&] { checkpoint_manager second(dir.path()); });
  EXPECT_NE(std::string(failure.what()).find("(process " + std::to_string(child) + ")"), std::string::npos)
      << failure.what();

  ::kill(child, SIGKILL);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFSIGNALED(status));
  checkpoint_manager after(dir.path());  // the lock file is still there, the lock is not
  EXPECT_TRUE(fs::exists(dir / "picklejar-checkpoint.lock"));
  EXPECT_EQ(after.latest()->step, 1);
  EXPECT_EQ(read_text(dir / "picklejar-checkpoint.lock"), std::to_string(::getpid()) + "\n");
}

// ---- a saver killed at random moments ----

double crash_metric(std::int64_t step) { return static_cast<double>((step * 7919) % 101) / 10.0; }

/// In the child: resume where the directory ends and save checkpoints until killed.
[[noreturn]] void save_until_killed(const fs::path& directory, const checkpoint_options& opts, int ready) {
  try {
    checkpoint_manager manager(directory, opts);
    std::int64_t step = manager.latest() ? manager.latest()->step + 1 : 0;
    if (::write(ready, "x", 1) != 1) ::_exit(3);
    for (;;) {
      manager.save(state_at(step, 20000), step, crash_metric(step));
      ++step;
    }
  } catch (...) {
    ::_exit(2);
  }
}

TEST(CheckpointCrash, ASaverKilledAtRandomMomentsLeavesLoadableCheckpoints) {
  pj_test::temp_dir dir;
  const checkpoint_options opts = retention(2, 2);
  std::mt19937 random(20240607);
  // Kills land within about three saves of the child opening the directory, as measured here:
  // a fixed window is wrong on a sanitizer build or a slow disk, where one save can take longer
  // than the whole window and no checkpoint would ever complete.
  const auto save_started = std::chrono::steady_clock::now();
  for (int i = 0; i < 3; ++i) picklejar::save(state_at(i, 20000), dir / ("timing-" + std::to_string(i) + ".pj"));
  const auto save_us = std::chrono::duration_cast<std::chrono::microseconds>(
                           std::chrono::steady_clock::now() - save_started).count() / 3;
  for (int i = 0; i < 3; ++i) fs::remove(dir / ("timing-" + std::to_string(i) + ".pj"));
  // The child's saves can still be slower than the parent's (a forked sanitizer process copies
  // its shadow memory on first touch; other tests share the cores): a kill that found no new
  // checkpoint widens the window by half, up to 2 s, so that saves always complete again.
  long long window_us = std::max<long long>(15000, 3 * save_us);
  std::int64_t previous_latest = -1;
  std::optional<double> best_metric;
  int kills = 0, removed_temporaries = 0;
  // At least 20 kills however slow the build; up to 100 while the first 12 seconds last.
  const auto start = std::chrono::steady_clock::now();
  const auto elapsed = [&] { return std::chrono::steady_clock::now() - start; };
  while (kills < 100 && (kills < 20 || elapsed() < std::chrono::seconds(12)) && elapsed() < std::chrono::minutes(3)) {
    int ready[2];
    ASSERT_EQ(::pipe(ready), 0);
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      ::close(ready[0]);
      save_until_killed(dir.path(), opts, ready[1]);
    }
    ::close(ready[1]);
    char byte = 0;
    const ssize_t got = ::read(ready[0], &byte, 1);
    ::close(ready[0]);
    std::this_thread::sleep_for(std::chrono::microseconds(std::uniform_int_distribution<long long>(0, window_us)(random)));
    ::kill(child, SIGKILL);
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_EQ(got, 1) << "the saver failed before it started";
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
        << "the saver stopped by itself, status " << status;
    ++kills;

    checkpoint_manager manager(dir.path(), opts);
    for (const std::string& problem : manager.problems()) {
      ASSERT_NE(problem.find("removed a temporary file left by an interrupted save"), std::string::npos)
          << problem;
      ++removed_temporaries;
    }
    if (previous_latest >= 0) {
      ASSERT_TRUE(manager.latest()) << "the completed checkpoint " << previous_latest << " is gone";
    }
    if (!manager.latest() || manager.latest()->step == previous_latest) {
      window_us = std::min<long long>(window_us * 3 / 2, 2'000'000);
    }
    if (!manager.latest()) continue;
    EXPECT_GE(manager.latest()->step, previous_latest);
    // The best is never deleted: the best metric only ever improves. (The count of files is not
    // bounded by retention here: a saver killed between its rename and its deletions leaves one
    // extra checkpoint, which the next save's retention removes.)
    if (best_metric) {
      EXPECT_LE(manager.best()->metric, *best_metric);
    }
    // Every checkpoint the manager offers loads and holds the state of its step.
    for (const auto& info : manager.checkpoints()) {
      TrainState state = picklejar::load<TrainState>(info.path);
      ASSERT_TRUE(is_state_at(state, info.step)) << info.path;
    }
    TrainState latest;
    EXPECT_EQ(manager.load_latest(latest).step, manager.latest()->step);
    EXPECT_TRUE(is_state_at(latest, manager.latest()->step));
    TrainState best;
    EXPECT_EQ(manager.load_best(best).step, manager.best()->step);
    EXPECT_TRUE(is_state_at(best, manager.best()->step));
    EXPECT_EQ(manager.best()->metric, crash_metric(manager.best()->step));
    for (const std::string& problem : manager.problems())
      ASSERT_NE(problem.find("removed a temporary file"), std::string::npos) << problem;
    previous_latest = manager.latest()->step;
    best_metric = manager.best()->metric;
  }
  EXPECT_GE(kills, 20);
  EXPECT_GT(previous_latest, 0) << "no checkpoint was ever completed";
  std::printf("[ crash    ] %d kills, %lld checkpoints saved in all, %d interrupted saves cleaned up\n",
              kills, static_cast<long long>(previous_latest + 1), removed_temporaries);
}

}  // namespace
