// A training run killed with SIGKILL at random moments, again and again: each child process
// opens a checkpoint_manager on the same directory, resumes after the latest checkpoint and
// saves checkpoints of a 3 MiB model continuously (keep_last 2, keep_best 1) until it is killed.
// After every kill:
//   - every checkpoint file in the directory verifies, loads, and is the model of its step
//     (the step field and every weight agree with the file's name): zero unloadable checkpoints;
//   - the latest step never goes backwards, and is at least the last step whose save returned
//     in the killed process: zero step regressions, no acknowledged checkpoint lost;
// and once the next process's first save has returned, the directory holds no temporary file
// of an earlier process (its manager removed them): zero leftover temporaries. The new manager
// reports nothing but those removals (no damaged or foreign checkpoint).
//
// Kills are counted by where they landed: with the killed process's temporary file partly
// written (mid-write); complete but not renamed (in fsync, close or rename); after the rename of
// a save that had not returned (directory fsync, retention); between saves (filling the model);
// or before the manager had opened the directory.
//
// KilledCheckpoint.AsyncSaves runs the same loop with checkpoint_manager::save_async
// (max_pending 1): a kill then also lands while a snapshot is being written in the background and
// the trainer has gone on. A step counts as acknowledged once the save_async of the next step has
// returned (with max_pending 1 that one waited until the previous was written).
//
// SIGKILL ends the process, not the kernel: this tests the protocol against a process dying at
// any instruction, not against power loss (see test_killed_save.cpp).
//
// The number of kills is 200 (what CI runs: about 10 s on 2 shared cores, 50 ms a kill). For a
// longer run, set PICKLEJAR_CRASH_KILLS in the environment:
//   PICKLEJAR_CRASH_KILLS=5000 build/tests/crash/picklejar_crash_tests --gtest_filter='KilledCheckpoint.*'
//   PICKLEJAR_CRASH_KILLS=2000 ctest --test-dir build -L crash
// or configure with -DPICKLEJAR_CRASH_KILLS=5000, which also raises the CTest timeout (300 s).
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <picklejar/checkpoint.hpp>

#include "test_support.hpp"

namespace crash_checkpoint_test {

/// A model of a training run at `step`: every weight depends on the step and its position, so
/// a checkpoint mixing two steps, or shifted, cannot pass for one (integers below 2^24).
struct Model {
  std::int64_t step = 0;
  std::vector<float> weights;
  std::vector<double> moments;  // optimizer state
  std::string note;
  PICKLEJAR_FIELDS(step, weights, moments, note)
};

constexpr std::size_t weight_count = std::size_t{3} << 18;  // 3 MiB of floats

float weight(std::int64_t step, std::size_t i) {
  return static_cast<float>((static_cast<std::uint64_t>(step) * 7919 + i) % 16'777'216);
}

void set_step(Model& model, std::int64_t step) {
  model.step = step;
  model.weights.resize(weight_count);
  for (std::size_t i = 0; i < weight_count; ++i) model.weights[i] = weight(step, i);
  model.moments.assign(64, static_cast<double>(step) * 0.5);
  model.note = "step " + std::to_string(step);
}

/// Empty if `model` is exactly the model of `step`; what differs otherwise.
std::string mismatch(const Model& model, std::int64_t step) {
  if (model.step != step) return "its step field is " + std::to_string(model.step);
  if (model.weights.size() != weight_count) return std::to_string(model.weights.size()) + " weights";
  for (std::size_t i = 0; i < weight_count; ++i) {
    if (model.weights[i] != weight(step, i)) return "weight " + std::to_string(i) + " belongs to another step";
  }
  if (model.moments != std::vector<double>(64, static_cast<double>(step) * 0.5)) return "its optimizer state differs";
  if (model.note != "step " + std::to_string(step)) return "its note is \"" + model.note + "\"";
  return {};
}

/// A validation loss that mostly falls, with noise, so the best checkpoint changes now and then.
double metric(std::int64_t step) {
  return 1.0 / static_cast<double>(step + 1) + static_cast<double>((step * 7919) % 13) * 0.002;
}

}  // namespace crash_checkpoint_test

namespace {

namespace fs = std::filesystem;
using crash_checkpoint_test::Model;

constexpr std::uint32_t seed = 20250131;  // fixed: a failure can be replayed

picklejar::checkpoint_options run_options() {
  picklejar::checkpoint_options opts;
  opts.keep_last = 2;
  opts.keep_best = 1;
  opts.mode = picklejar::metric_mode::min;
  return opts;
}

/// PICKLEJAR_CRASH_KILLS from the environment of the run, else PICKLEJAR_CRASH_KILLS_DEFAULT (which
/// CTest sets from the CMake variable PICKLEJAR_CRASH_KILLS), else 200.
int kill_count() {
  for (const char* name : {"PICKLEJAR_CRASH_KILLS", "PICKLEJAR_CRASH_KILLS_DEFAULT"}) {
    const char* text = std::getenv(name);
    if (text != nullptr && std::atoi(text) > 0) return std::atoi(text);
  }
  return 200;
}

/// What a child tells the parent, one fixed-size message per write (atomic on a pipe).
struct message {
  enum kind_t : std::int32_t { opened = 1, saved = 2, failed = 3 } kind;
  std::int64_t a = 0;  // opened: latest step (-1: none); saved: step
  std::int64_t b = 0;  // opened: checkpoints listed;     saved: microseconds the save took
  std::int64_t c = 0;  // opened: problems other than removed temporary files
  std::int64_t d = 0;  // opened: temporary files removed
};

void send(int fd, const message& m) {
  const ssize_t written = ::write(fd, &m, sizeof m);
  static_cast<void>(written);  // the parent notices a missing message
}

/// The training run in a child process: resume after the latest checkpoint, then save
/// checkpoints continuously until killed. Never returns.
[[noreturn]] void run_child(const fs::path& dir, int channel, bool async) {
  try {
    picklejar::checkpoint_manager manager(dir, run_options());
    message opened{message::opened};
    opened.a = manager.latest() ? manager.latest()->step : -1;
    opened.b = static_cast<std::int64_t>(manager.checkpoints().size());
    for (const std::string& problem : manager.problems()) {
      if (problem.find("removed a temporary file left by an interrupted save") != std::string::npos) ++opened.d;
      else ++opened.c;
    }
    send(channel, opened);
    Model model;
    for (std::int64_t step = opened.a + 1;; ++step) {
      crash_checkpoint_test::set_step(model, step);
      const auto start = std::chrono::steady_clock::now();
      if (async) manager.save_async(model, step, crash_checkpoint_test::metric(step));
      else manager.save(model, step, crash_checkpoint_test::metric(step));
      // With save_async (max_pending 1), the previous step is on disk once this one returned.
      if (async && step == opened.a + 1) continue;
      message saved{message::saved};
      saved.a = async ? step - 1 : step;
      saved.b = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start).count();
      send(channel, saved);
    }
  } catch (const std::exception& failure) {
    std::fprintf(stderr, "checkpointing child: %s\n", failure.what());
    send(channel, message{message::failed});
  }
  ::_exit(1);
}

/// Reads whole messages from a non-blocking pipe into `out`, as many as there are now; false at
/// end of file.
bool drain(int fd, std::string& pending, std::vector<message>& out) {
  char buffer[4096];
  for (;;) {
    const ssize_t got = ::read(fd, buffer, sizeof buffer);
    if (got > 0) {
      pending.append(buffer, static_cast<std::size_t>(got));
      continue;
    }
    if (got < 0 && errno == EINTR) continue;
    while (pending.size() >= sizeof(message)) {
      message m{};
      std::memcpy(&m, pending.data(), sizeof m);
      pending.erase(0, sizeof m);
      out.push_back(m);
    }
    return got != 0;
  }
}

/// The pid in a temporary file's name "<target>.pj-tmp-<pid>-<n>", or 0.
long temporary_pid(const std::string& name) {
  const std::size_t marker = name.find(".pj-tmp-");
  if (marker == std::string::npos) return 0;
  return std::strtol(name.c_str() + marker + 8, nullptr, 10);
}

std::vector<std::string> temporary_files(const fs::path& dir) {
  std::vector<std::string> found;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (temporary_pid(name) != 0) found.push_back(name);
  }
  return found;
}

struct directory_state {
  std::map<std::int64_t, fs::path> checkpoints;  // every ckpt-<step>.pj
  std::vector<std::string> unloadable;            // what was wrong with each one that failed
};

/// Verifies and loads every checkpoint file in `dir` (not only those a manager would list).
directory_state check_checkpoints(const fs::path& dir) {
  directory_state state;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    const std::optional<std::int64_t> step = picklejar::detail::step_from_file_name(name);
    if (!step) continue;
    state.checkpoints[*step] = entry.path();
    try {
      picklejar::verify(entry.path());
      const std::string wrong = crash_checkpoint_test::mismatch(picklejar::load<Model>(entry.path()), *step);
      if (!wrong.empty()) state.unloadable.push_back(name + ": loads, but " + wrong);
    } catch (const picklejar::error& failure) {
      state.unloadable.push_back(failure.what());
    }
  }
  return state;
}

void run_kill_loop(bool async) {
  const int kills = kill_count();
  pj_test::temp_dir dir;
  std::mt19937 random(seed);

  int mid_write = 0;            // the killed process's temporary file was partly written
  int before_rename = 0;        // ... was complete (killed in fsync, close or rename)
  int after_rename = 0;         // no temporary file, a checkpoint newer than the last reported save
  int between_saves = 0;        // no temporary file otherwise
  int before_open = 0;          // killed before its manager had opened the directory
  int unloadable = 0;
  int regressions = 0;
  int lost_acknowledged = 0;    // a step whose save had returned was gone after the kill
  int stale_found = 0;          // temporary files found in the directory after kills (any process's)
  int stale_after_next_save = 0;
  int next_save_checks = 0;     // kills followed by a save of the next process that was checked
  int reported_damage = 0;      // problems a new manager reported, other than removed temporaries
  int removed_by_manager = 0;
  long long checkpoints_saved = 0;
  long long save_microseconds = 0;
  std::int64_t latest = -1;
  double average_save_ms = 30;  // adapted as saves are measured
  const auto started = std::chrono::steady_clock::now();

  for (int attempt = 0; attempt < kills; ++attempt) {
    int channel[2];
    ASSERT_EQ(::pipe(channel), 0);
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0) << "fork() failed";
    if (pid == 0) {
      ::close(channel[0]);
      run_child(dir.path(), channel[1], async);
    }
    ::close(channel[1]);
    const int input = channel[0];
    // Whatever happens below, the child is killed and reaped before this iteration ends.
    struct child_guard {
      pid_t pid;
      int fd;
      bool reaped = false;
      ~child_guard() {
        if (!reaped) {
          ::kill(pid, SIGKILL);
          ::waitpid(pid, nullptr, 0);
        }
        ::close(fd);
      }
    } child{pid, input};
    ASSERT_EQ(::fcntl(input, F_SETFL, O_NONBLOCK), 0);

    // When to kill: one kill in four within 8 ms of the fork (the manager opening the
    // directory, removing temporary files, the first save); the others at a random moment of
    // the first three saves after the manager has opened.
    std::string pending;
    std::vector<message> messages;
    bool open_seen = false;
    bool ended = false;
    auto wait_until = [&](auto deadline, bool stop_at_open) {
      for (;;) {
        const auto now = std::chrono::steady_clock::now();
        if (now >= deadline || ended || (stop_at_open && open_seen)) return;
        pollfd ready{input, POLLIN, 0};
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count();
        ::poll(&ready, 1, static_cast<int>(std::max<long long>(1, std::min<long long>(left, 1000))));
        const std::size_t before = messages.size();
        ended = !drain(input, pending, messages);
        for (std::size_t i = before; i < messages.size(); ++i) {
          if (messages[i].kind == message::opened) open_seen = true;
          if (messages[i].kind == message::failed) ended = true;
        }
      }
    };
    if (attempt % 4 == 0) {
      const auto delay = std::chrono::microseconds(std::uniform_int_distribution<int>(0, 8'000)(random));
      wait_until(std::chrono::steady_clock::now() + delay, false);
    } else {
      wait_until(std::chrono::steady_clock::now() + std::chrono::seconds(30), true);
      ASSERT_TRUE(open_seen) << "the child did not open the checkpoint directory (see its message above)";
      // save_async: a step is on disk one call later, so kills spread over twice as long.
      const int window = static_cast<int>((async ? 6 : 3) * average_save_ms * 1000);
      const auto delay = std::chrono::microseconds(std::uniform_int_distribution<int>(0, window)(random));
      wait_until(std::chrono::steady_clock::now() + delay, false);
    }
    ::kill(pid, SIGKILL);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    child.reaped = true;
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
        << "the checkpointing child ended by itself (a save failed; see its message above)";
    drain(input, pending, messages);  // the child is gone: everything it wrote, then end of file

    // What the killed process said: its manager's view on opening, and the saves that returned.
    std::int64_t acknowledged = -1;
    bool checked_next_save = false;
    bool opened = false;
    for (const message& m : messages) {
      if (m.kind == message::opened) {
        opened = true;
        reported_damage += static_cast<int>(m.c);
        removed_by_manager += static_cast<int>(m.d);
        EXPECT_EQ(m.c, 0) << "after kill " << attempt - 1 << ", a new manager reported a damaged or foreign file";
        EXPECT_EQ(m.a, latest) << "the new manager's latest checkpoint is not the latest on disk";
      } else if (m.kind == message::saved) {
        acknowledged = std::max(acknowledged, m.a);
        ++checkpoints_saved;
        save_microseconds += m.b;
        average_save_ms = 0.9 * average_save_ms + 0.1 * static_cast<double>(m.b) / 1000.0;
        checked_next_save = true;
      }
    }

    // Where the kill landed, told by the killed process's temporary file.
    bool own_temporary = false;
    for (const std::string& name : temporary_files(dir.path())) {
      ++stale_found;
      if (temporary_pid(name) != pid) {
        // An earlier process's, still there: allowed only if this process never completed a
        // save (its manager removes them on opening, before its first save).
        if (checked_next_save) {
          ++stale_after_next_save;
          ADD_FAILURE() << "after kill " << attempt << ": " << name
                        << " of an earlier process is still there after the next process's first save";
        }
        continue;
      }
      own_temporary = true;
      try {
        picklejar::verify(dir.path() / name);
        ++before_rename;
      } catch (const picklejar::error&) {
        ++mid_write;
      }
    }
    if (checked_next_save) ++next_save_checks;

    // Every checkpoint file loads as the model of its step; the run never goes back.
    const directory_state state = check_checkpoints(dir.path());
    for (const std::string& problem : state.unloadable) {
      ++unloadable;
      ADD_FAILURE() << "after kill " << attempt << " (seed " << seed << "): " << problem;
    }
    const std::int64_t now_latest = state.checkpoints.empty() ? -1 : state.checkpoints.rbegin()->first;
    if (now_latest < latest || now_latest < acknowledged) {
      ++regressions;
      if (now_latest < acknowledged) ++lost_acknowledged;
      ADD_FAILURE() << "after kill " << attempt << ": the latest checkpoint is step " << now_latest
                    << ", before the kill it was " << latest << " and the killed process had saved up to "
                    << acknowledged;
    }
    if (!own_temporary) {
      // No temporary file: before the manager opened, after a rename whose save had not
      // returned (a checkpoint newer than the last acknowledged one is on disk), or between
      // saves (filling the model, opening the temporary file).
      if (!opened) ++before_open;
      else if (now_latest > std::max(latest, acknowledged)) ++after_rename;
      else ++between_saves;
    }
    latest = std::max(latest, now_latest);
    if (testing::Test::HasFailure()) break;
  }

  // A last process that is not killed: its manager removes what the last kill left, reports no
  // damage, and its save leaves the checkpoints and nothing else.
  {
    picklejar::checkpoint_manager manager(dir.path(), run_options());
    for (const std::string& problem : manager.problems()) {
      EXPECT_NE(problem.find("removed a temporary file left by an interrupted save"), std::string::npos) << problem;
    }
    ASSERT_TRUE(manager.latest().has_value());
    EXPECT_EQ(manager.latest()->step, latest);
    Model model;
    crash_checkpoint_test::set_step(model, latest + 1);
    manager.save(model, latest + 1, crash_checkpoint_test::metric(latest + 1));
    EXPECT_EQ(temporary_files(dir.path()), std::vector<std::string>{});
    const directory_state state = check_checkpoints(dir.path());
    EXPECT_EQ(state.unloadable, std::vector<std::string>{});
    EXPECT_EQ(state.checkpoints.size(), manager.checkpoints().size());
    Model loaded;
    EXPECT_EQ(manager.load_latest(loaded).step, latest + 1);
    EXPECT_EQ(crash_checkpoint_test::mismatch(loaded, latest + 1), "");
  }

  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("%s: %d kills (seed %u) of processes saving checkpoints of a %zu MiB model: %d mid-write (temporary "
              "file partly written), %d with the temporary file complete but not renamed, %d after the rename "
              "(directory fsync, retention), %d between saves, %d before the manager had opened the directory\n",
              async ? "save_async" : "save", kills, seed, crash_checkpoint_test::weight_count * sizeof(float) >> 20, mid_write, before_rename,
              after_rename, between_saves, before_open);
  std::printf("%lld checkpoints saved (mean save %.1f ms), latest step %lld; unloadable checkpoints: %d, step "
              "regressions: %d (acknowledged saves lost: %d), damage reported by a new manager: %d; temporary "
              "files found after kills: %d, removed by the next manager: %d, left after the next process's "
              "first save: %d (checked after %d kills); %.1f s\n",
              checkpoints_saved, checkpoints_saved ? save_microseconds / 1000.0 / checkpoints_saved : 0.0,
              static_cast<long long>(latest), unloadable, regressions, lost_acknowledged, reported_damage,
              stale_found, removed_by_manager, stale_after_next_save, next_save_checks, seconds);
  testing::Test::RecordProperty("kills", kills);
  testing::Test::RecordProperty("kills_mid_write", mid_write);
  testing::Test::RecordProperty("kills_before_rename", before_rename);
  testing::Test::RecordProperty("kills_after_rename", after_rename);
  testing::Test::RecordProperty("kills_between_saves", between_saves);
  testing::Test::RecordProperty("kills_before_open", before_open);
  testing::Test::RecordProperty("checkpoints_saved", static_cast<int>(checkpoints_saved));
  testing::Test::RecordProperty("unloadable", unloadable);
  testing::Test::RecordProperty("step_regressions", regressions);
  testing::Test::RecordProperty("temporaries_found", stale_found);
  testing::Test::RecordProperty("temporaries_left_after_next_save", stale_after_next_save);
  testing::Test::RecordProperty("seconds", static_cast<int>(seconds + 0.5));
}

TEST(KilledCheckpoint, EveryCheckpointLoadsAndTheRunNeverGoesBack) { run_kill_loop(false); }

TEST(KilledCheckpoint, AsyncSaves) { run_kill_loop(true); }

}  // namespace
