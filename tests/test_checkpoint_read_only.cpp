// checkpoint_manager beside a running trainer and on a read-only file system (open_read_only,
// refresh), what is not damage (an I/O error, an intact checkpoint that no longer fits the type:
// thrown, never skipped), and one manager used from several threads (issue 12, contract section 5).
#include <picklejar/checkpoint.hpp>

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "test_support.hpp"

namespace read_only_test {

struct TrainState {
  std::int64_t epoch = -1;
  std::vector<double> weights;
  PICKLEJAR_FIELDS(epoch, weights)
};

inline TrainState state_at(std::int64_t epoch) {
  TrainState state;
  state.epoch = epoch;
  for (int i = 0; i < 16; ++i) state.weights.push_back(static_cast<double>(epoch) + 0.5 * i);
  return state;
}

inline bool is_state_at(const TrainState& state, std::int64_t epoch) {
  const TrainState expected = state_at(epoch);
  return state.epoch == expected.epoch && state.weights == expected.weights;
}

/// A class that changed since its checkpoints were written, without a PICKLEJAR_VERSION: while
/// `changed` is set, loading it fails as a missing member does: errc::format.
struct Evolving {
  static inline bool changed = false;
  int value = 0;
  int get_state() const { return value; }
  void set_state(int v) {
    if (changed) throw picklejar::error(picklejar::errc::format, "the member 'rate' is missing");
    value = v;
  }
};

}  // namespace read_only_test

namespace {

namespace fs = std::filesystem;
using picklejar::checkpoint_manager;
using picklejar::checkpoint_options;
using picklejar::errc;
using pj_test::expect_error;
using read_only_test::is_state_at;
using read_only_test::state_at;
using read_only_test::TrainState;

checkpoint_options retention(std::size_t keep_last, std::size_t keep_best) {
  checkpoint_options opts;
  opts.keep_last = keep_last;
  opts.keep_best = keep_best;
  return opts;
}

std::vector<std::int64_t> steps_of(const checkpoint_manager& manager) {
  std::vector<std::int64_t> steps;
  for (const auto& c : manager.checkpoints()) steps.push_back(c.step);
  return steps;
}

bool mentions(const std::vector<std::string>& problems, const std::string& text) {
  for (const std::string& p : problems) {
    if (p.find(text) != std::string::npos) return true;
  }
  return false;
}

void write_bytes(const fs::path& path, const std::string& bytes) { std::ofstream(path, std::ios::binary) << bytes; }

std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

/// Everything a reader could change in a directory: each entry's inode, size, mode and
/// modification time, and the directory's own modification time.
std::map<std::string, std::tuple<ino_t, off_t, mode_t, long long>> snapshot(const fs::path& dir) {
  std::map<std::string, std::tuple<ino_t, off_t, mode_t, long long>> entries;
  auto add = [&](const std::string& name, const fs::path& path) {
    struct stat status {};
    EXPECT_EQ(::lstat(path.c_str(), &status), 0);
    entries[name] = {status.st_ino, status.st_size, status.st_mode,
                     static_cast<long long>(status.st_mtim.tv_sec) * 1'000'000'000 + status.st_mtim.tv_nsec};
  };
  add(".", dir);
  for (const auto& entry : fs::directory_iterator(dir)) add(entry.path().filename().string(), entry.path());
  return entries;
}

/// Runs `body` in a child process; returns its message (empty: success). "skip: ..." means the
/// child could not set up what it needed.
std::string in_child(const std::function<std::string()>& body) {
  int channel[2];
  if (::pipe(channel) != 0) return "pipe() failed";
  const pid_t pid = ::fork();
  if (pid < 0) return "fork() failed";
  if (pid == 0) {
    ::close(channel[0]);
    ::alarm(60);  // a watchdog: a hang fails instead of blocking the run
    std::string message;
    try {
      message = body();
    } catch (const std::exception& failure) {
      message = std::string("unexpected exception: ") + failure.what();
    }
    const ssize_t written = ::write(channel[1], message.data(), message.size());
    static_cast<void>(written);
    ::_exit(0);
  }
  ::close(channel[1]);
  std::string message;
  char buffer[1024];
  for (ssize_t got; (got = ::read(channel[0], buffer, sizeof buffer)) > 0;)
    message.append(buffer, static_cast<std::size_t>(got));
  ::close(channel[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (!WIFEXITED(status)) return "the child did not exit normally (status " + std::to_string(status) + ")";
  return message;
}

/// In a child: makes `dir` unwritable for this process. A read-only bind mount in a mount namespace
/// of its own (as root: a real read-only file system, EROFS), else the "nobody" user with the
/// directory at 0555, else (not root) the directory at 0555. Returns how, or "" if impossible.
std::string make_unwritable(const fs::path& dir) {
  if (::geteuid() == 0 && ::unshare(CLONE_NEWNS) == 0 &&
      ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) == 0 &&
      ::mount(dir.c_str(), dir.c_str(), nullptr, MS_BIND, nullptr) == 0 &&
      ::mount(nullptr, dir.c_str(), nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY, nullptr) == 0) {
    return "a read-only bind mount";
  }
  if (::chmod(dir.c_str(), 0555) != 0) return "";
  if (::geteuid() == 0 && (::setgid(65534) != 0 || ::setuid(65534) != 0)) return "";
  return ::geteuid() == 0 ? "" : "a directory without write permission";
}

// ---- open_read_only ----

TEST(CheckpointReadOnly, ListsAndLoadsBesideARunningWriter) {
  pj_test::temp_dir dir;
  checkpoint_manager writer(dir.path(), retention(3, 1));
  for (std::int64_t step = 0; step < 3; ++step) writer.save(state_at(step), step, 3.0 - static_cast<double>(step));
  // The bug: the only way to read the run was a second manager, refused while the writer runs.
  expect_error(errc::io, [&] { checkpoint_manager second(dir.path()); });
  checkpoint_manager reader = checkpoint_manager::open_read_only(dir.path(), retention(3, 1));
  EXPECT_TRUE(reader.read_only());
  EXPECT_FALSE(writer.read_only());
  EXPECT_EQ(steps_of(reader), (std::vector<std::int64_t>{0, 1, 2}));
  EXPECT_TRUE(reader.problems().empty());
  TrainState loaded;
  EXPECT_EQ(reader.load_latest(loaded).step, 2);
  EXPECT_TRUE(is_state_at(loaded, 2));
  EXPECT_EQ(reader.load_best(loaded).step, 2);
  // The writer goes on: refresh() shows its new checkpoints.
  writer.save(state_at(3), 3, 0.5);
  EXPECT_EQ(steps_of(reader), (std::vector<std::int64_t>{0, 1, 2}));
  reader.refresh();
  EXPECT_EQ(steps_of(reader), (std::vector<std::int64_t>{1, 2, 3}));
  EXPECT_EQ(reader.latest_path(), writer.latest_path());
  EXPECT_EQ(reader.best_path(), writer.best_path());
}

TEST(CheckpointReadOnly, ACheckpointTheWriterDeletedMeanwhileIsSkipped) {
  pj_test::temp_dir dir;
  checkpoint_manager writer(dir.path(), retention(2, 1));
  writer.save(state_at(0), 0, 0.1);  // the best, kept throughout
  writer.save(state_at(1), 1, 1.0);
  writer.save(state_at(2), 2, 1.0);
  checkpoint_manager reader = checkpoint_manager::open_read_only(dir.path());
  EXPECT_EQ(steps_of(reader), (std::vector<std::int64_t>{0, 1, 2}));
  writer.save(state_at(3), 3, 1.0);  // deletes 1
  writer.save(state_at(4), 4, 1.0);  // deletes 2
  TrainState loaded;
  EXPECT_EQ(reader.load_latest(loaded).step, 0);  // 2 and 1 are gone: skipped, not an error
  EXPECT_TRUE(is_state_at(loaded, 0));
  EXPECT_TRUE(mentions(reader.problems(), "ckpt-000000000002.pj: deleted since the directory was read"));
  EXPECT_TRUE(mentions(reader.problems(), "ckpt-000000000001.pj: deleted since the directory was read"));
  EXPECT_EQ(steps_of(reader), (std::vector<std::int64_t>{0}));
  reader.refresh();
  EXPECT_EQ(steps_of(reader), (std::vector<std::int64_t>{0, 3, 4}));
  EXPECT_TRUE(reader.problems().empty());
  EXPECT_EQ(reader.load_latest(loaded).step, 4);
}

TEST(CheckpointReadOnly, NeverCreatesWritesDeletesOrLocksAnything) {
  pj_test::temp_dir dir;
  {
    checkpoint_manager writer(dir.path(), retention(5, 1));
    for (std::int64_t step = 0; step < 4; ++step) writer.save(state_at(step), step, 1.0);
  }
  fs::remove(dir / "picklejar-checkpoint.lock");  // a reader must not create it
  // What a writer would clean up or skip: a temporary file of a killed save, a damaged newest
  // checkpoint, a foreign file.
  write_bytes(dir / "ckpt-000000000009.pj.pj-tmp-4242-0", "half a checkpoint");
  const std::string whole = read_bytes(dir / "ckpt-000000000003.pj");
  write_bytes(dir / "ckpt-000000000003.pj", whole.substr(0, whole.size() - 3));
  write_bytes(dir / "notes.txt", "lr 0.1\n");
  const auto before = snapshot(dir.path());

  checkpoint_manager reader = checkpoint_manager::open_read_only(dir.path());
  EXPECT_EQ(steps_of(reader), (std::vector<std::int64_t>{0, 1, 2}));  // 3's header says it is truncated
  TrainState loaded;
  EXPECT_EQ(reader.load_latest(loaded).step, 2);
  EXPECT_EQ(reader.load_best(loaded).step, 0);
  reader.refresh();
  const picklejar::error failure = expect_error(errc::io, [&] { reader.save(state_at(10), 10, 1.0); });
  EXPECT_EQ(failure.file(), dir.path().string());
  EXPECT_NE(std::string(failure.what()).find("opened read-only"), std::string::npos) << failure.what();

  EXPECT_EQ(snapshot(dir.path()), before) << "the read-only manager changed the directory";
  EXPECT_FALSE(fs::exists(dir / "picklejar-checkpoint.lock"));
}

TEST(CheckpointReadOnly, AMissingDirectoryIsAnErrorAndIsNotCreated) {
  pj_test::temp_dir dir;
  const picklejar::error failure =
      expect_error(errc::io, [&] { checkpoint_manager::open_read_only(dir / "no-such-run"); });
  EXPECT_EQ(failure.file(), (dir / "no-such-run").string());
  EXPECT_FALSE(fs::exists(dir / "no-such-run"));
}

TEST(CheckpointReadOnly, WorksOnAReadOnlyFileSystem) {
  pj_test::temp_dir dir;
  {
    checkpoint_manager writer(dir.path(), retention(3, 1));
    for (std::int64_t step = 0; step < 3; ++step) writer.save(state_at(step), step, 3.0 - static_cast<double>(step));
  }
  std::string how;
  const std::string message = in_child([&]() -> std::string {
    how = make_unwritable(dir.path());
    if (how.empty()) return "skip: cannot make the directory unwritable here";
    // A writer cannot open it (the bug: neither could anything else).
    try {
      checkpoint_manager writer(dir.path());
      return "a writing manager opened an unwritable directory (" + how + ")";
    } catch (const picklejar::error& failure) {
      if (failure.code() != errc::io) return std::string("the writer's error is not errc::io: ") + failure.what();
    }
    checkpoint_manager reader = checkpoint_manager::open_read_only(dir.path());
    if (steps_of(reader) != std::vector<std::int64_t>{0, 1, 2}) return "the reader does not list steps 0, 1, 2";
    TrainState loaded;
    if (reader.load_latest(loaded).step != 2 || !is_state_at(loaded, 2)) return "load_latest did not load step 2";
    if (reader.load_best(loaded).step != 2) return "load_best did not load step 2";
    reader.refresh();
    if (!reader.problems().empty()) return "problems: " + reader.problems().front();
    return {};
  });
  ::chmod(dir.path().c_str(), 0755);
  if (message.rfind("skip:", 0) == 0) GTEST_SKIP() << message;
  EXPECT_EQ(message, "");
}

// ---- what is not damage ----

TEST(CheckpointNotDamage, AnUnreadableNewestCheckpointIsAnErrorNotAnOlderResume) {
  // An I/O error on the newest checkpoint (here EACCES; tests/faults injects EIO) is not damage:
  // the bug skipped it, and the run resumed from an older step without a word.
  pj_test::temp_dir dir;
  {
    checkpoint_manager writer(dir.path(), retention(3, 1));
    for (std::int64_t step = 0; step < 3; ++step) writer.save(state_at(step), step, 1.0);
  }
  const fs::path newest = dir / "ckpt-000000000002.pj";
  ASSERT_EQ(::chmod(newest.c_str(), 0), 0);
  ASSERT_EQ(::chmod((dir / "picklejar-checkpoint.lock").c_str(), 0666), 0);  // the child may lock it
  const std::string message = in_child([&]() -> std::string {
    if (::geteuid() == 0 && (::setgid(65534) != 0 || ::setuid(65534) != 0)) return "skip: cannot drop root";
    for (const bool read_only : {true, false}) {
      try {
        if (read_only) {
          checkpoint_manager reader = checkpoint_manager::open_read_only(dir.path());
          return "open_read_only listed steps up to " + std::to_string(reader.latest()->step);
        }
        checkpoint_manager writer(dir.path());
        return "the writer's constructor listed steps up to " + std::to_string(writer.latest()->step);
      } catch (const picklejar::error& failure) {
        if (failure.code() != errc::io) return std::string("not errc::io: ") + failure.what();
        if (failure.file() != newest.string()) return "names " + failure.file();
        if (std::string(failure.what()).find("not damage") == std::string::npos) return failure.what();
      }
    }
    return {};
  });
  ::chmod(newest.c_str(), 0644);
  if (message.rfind("skip:", 0) == 0) GTEST_SKIP() << message;
  EXPECT_EQ(message, "");
}

TEST(CheckpointNotDamage, ANewestCheckpointOfANewerPicklejarIsAnErrorNotSkipped) {
  // Written by a newer picklejar (its container version is higher): not damage. Skipped, the run
  // would resume from the step before it.
  pj_test::temp_dir dir;
  {
    checkpoint_manager writer(dir.path(), retention(3, 1));
    for (std::int64_t step = 0; step < 3; ++step) writer.save(state_at(step), step, 1.0);
  }
  const fs::path newest = dir / "ckpt-000000000002.pj";
  std::string bytes = read_bytes(newest);
  bytes[8] = static_cast<char>(bytes[8] + 1);  // container version, u16 at offset 8
  write_bytes(newest, pj_test::reseal(bytes));
  for (const bool read_only : {false, true}) {
    const picklejar::error failure = expect_error(errc::version, [&] {
      if (read_only) checkpoint_manager::open_read_only(dir.path());
      else checkpoint_manager writer(dir.path());
    });
    EXPECT_EQ(failure.file(), newest.string());
    EXPECT_NE(std::string(failure.what()).find("not damage"), std::string::npos) << failure.what();
  }
}

TEST(CheckpointNotDamage, AnIntactCheckpointThatNoLongerFitsTheTypeIsReportedNotSkipped) {
  using read_only_test::Evolving;
  pj_test::temp_dir dir;
  checkpoint_manager manager(dir.path(), retention(3, 1));
  for (std::int64_t step = 0; step < 3; ++step) manager.save(Evolving{static_cast<int>(step)}, step, 1.0 + step);
  Evolving::changed = true;
  Evolving loaded;
  const picklejar::error failure = expect_error(errc::format, [&] { manager.load_latest(loaded); });
  Evolving::changed = false;
  EXPECT_EQ(failure.file(), (dir / "ckpt-000000000002.pj").string());
  EXPECT_NE(std::string(failure.what()).find("the checkpoint is intact"), std::string::npos) << failure.what();
  // Nothing was taken for damage: every checkpoint is still listed, none reported.
  EXPECT_EQ(steps_of(manager), (std::vector<std::int64_t>{0, 1, 2}));
  EXPECT_TRUE(manager.problems().empty());
  EXPECT_EQ(manager.load_latest(loaded).step, 2);
  EXPECT_EQ(loaded.value, 2);
  // Real damage is still skipped: a flipped byte fails the checksum.
  std::string bytes = read_bytes(dir / "ckpt-000000000002.pj");
  bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 0x10);
  write_bytes(dir / "ckpt-000000000002.pj", bytes);
  EXPECT_EQ(manager.load_latest(loaded).step, 1);
}

// ---- threads ----

TEST(CheckpointThreads, SavingLoadingListingAndRefreshingFromSeveralThreads) {
  pj_test::temp_dir dir;
  checkpoint_manager manager(dir.path(), retention(3, 2));
  constexpr std::int64_t total_steps = 300;
  std::atomic<std::int64_t> next_step{0};
  std::atomic<int> saved{0}, refused{0}, loads{0}, wrong{0};
  std::atomic<bool> done{false};
  std::vector<std::string> errors;
  std::mutex errors_mutex;
  auto record = [&](const std::string& what) {
    const std::lock_guard<std::mutex> lock(errors_mutex);
    errors.push_back(what);
  };

  auto saver = [&] {
    for (std::int64_t step; (step = next_step.fetch_add(1)) < total_steps;) {
      try {
        manager.save(state_at(step), step, std::fmod(static_cast<double>(step) * 7.3, 11.0));
        ++saved;
      } catch (const picklejar::error& failure) {
        // Another thread saved a higher step first: refused, as steps only go up.
        if (failure.code() == errc::io && std::string(failure.what()).find("steps only go up") != std::string::npos)
          ++refused;
        else
          record(failure.what());
      }
    }
  };
  auto loader = [&] {
    while (!done) {
      try {
        TrainState state;
        const picklejar::checkpoint_info info = loads % 2 == 0 ? manager.load_latest(state) : manager.load_best(state);
        if (!is_state_at(state, info.step)) ++wrong;
        ++loads;
      } catch (const picklejar::error& failure) {
        // Before the first save, nothing to load; a snapshot of the list whose every entry was
        // deleted by retention meanwhile has nothing to load either.
        if (failure.code() != errc::io && failure.code() != errc::integrity) record(failure.what());
      }
    }
  };
  auto lister = [&] {
    for (int round = 0; !done; ++round) {
      const std::vector<picklejar::checkpoint_info> listed = manager.checkpoints();
      for (std::size_t i = 1; i < listed.size(); ++i) {
        if (listed[i - 1].step >= listed[i].step) record("checkpoints() is not sorted by step");
      }
      static_cast<void>(manager.latest());
      static_cast<void>(manager.best_path());
      static_cast<void>(manager.problems());
      if (round % 16 == 0) manager.refresh();
    }
  };
  std::thread loading(loader), listing(lister);
  std::thread saving_a(saver), saving_b(saver);
  saving_a.join();
  saving_b.join();
  done = true;
  loading.join();
  listing.join();

  const std::lock_guard<std::mutex> lock(errors_mutex);
  EXPECT_EQ(errors, std::vector<std::string>{});
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(saved + refused, total_steps);
  EXPECT_GT(saved.load(), 0);
  for (const std::string& problem : manager.problems())
    EXPECT_NE(problem.find("deleted since the directory was read"), std::string::npos) << problem;
  // The manager's list is what is on disk, and every checkpoint in it loads.
  manager.refresh();
  checkpoint_manager::open_read_only(dir.path());
  for (const picklejar::checkpoint_info& info : manager.checkpoints()) {
    EXPECT_TRUE(is_state_at(picklejar::load<TrainState>(info.path), info.step)) << info.path;
  }
  EXPECT_EQ(steps_of(manager), steps_of(checkpoint_manager::open_read_only(dir.path())));
  std::printf("[ threads  ] %d saves, %d refused (a higher step came first), %d loads meanwhile\n", saved.load(),
              refused.load(), loads.load());
}

}  // namespace
