// save() replaces a file atomically: a save that fails at any point (the disk full, an exception
// from the user's get_state, a directory that is missing or read-only) leaves the previous file
// as it was and no temporary file behind. A save killed outright is tested in tests/crash.
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <functional>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

#include "test_support.hpp"

namespace atomic_save_test {

struct Weights {
  std::uint32_t version = 0;
  std::vector<float> values;
  PICKLEJAR_FIELDS(version, values)
};

Weights make_weights(std::uint32_t version, std::size_t count) {
  Weights weights;
  weights.version = version;
  for (std::size_t i = 0; i < count; ++i) weights.values.push_back(static_cast<float>(version * 1000 + i % 1000));
  return weights;
}

/// A type whose get_state throws when asked to: the user's own code failing mid-save.
struct Fragile {
  std::vector<float> values;
  bool fail_on_save = false;

  std::vector<float> get_state() const {
    if (fail_on_save) throw std::runtime_error("get_state failed on purpose");
    return values;
  }
  void set_state(std::vector<float> state) { values = std::move(state); }
};

/// Fragile comes after a large member, so the failure happens with much already serialized.
struct Holder {
  std::vector<float> big;
  Fragile fragile;
  PICKLEJAR_FIELDS(big, fragile)
};

}  // namespace atomic_save_test

namespace {

namespace fs = std::filesystem;
using atomic_save_test::make_weights;
using atomic_save_test::Weights;

std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

/// The temporary files save() writes before renaming: "<name>.pj-tmp-<pid>-<n>".
std::vector<std::string> temporary_files(const pj_test::temp_dir& dir) {
  std::vector<std::string> found;
  for (const std::string& name : dir.file_names()) {
    if (name.find(".pj-tmp-") != std::string::npos) found.push_back(name);
  }
  return found;
}

std::string joined(const std::vector<std::string>& names) {
  std::string text;
  for (const std::string& name : names) text += name + " ";
  return text;
}

struct child_result {
  int exit_code = -1;  ///< the child's exit status, or -1 if it did not exit normally
  std::string message;
};

/// Runs `body` in a fork()ed child, for what must not touch this process (resource limits,
/// dropped privileges). `body` returns the exit code and may fill in a message for the parent;
/// the child never returns into the test framework.
child_result run_in_child(const std::function<int(std::string& message)>& body) {
  child_result result;
  int channel[2];
  if (::pipe(channel) != 0) {
    ADD_FAILURE() << "pipe() failed";
    return result;
  }
  const pid_t pid = ::fork();
  if (pid < 0) {
    ADD_FAILURE() << "fork() failed";
    return result;
  }
  if (pid == 0) {
    ::close(channel[0]);
    std::string message;
    int code = 100;
    try {
      code = body(message);
    } catch (const std::exception& failure) {
      message = std::string("unexpected exception: ") + failure.what();
    }
    for (std::size_t done = 0; done < message.size();) {
      const ssize_t written = ::write(channel[1], message.data() + done, message.size() - done);
      if (written <= 0) break;
      done += static_cast<std::size_t>(written);
    }
    ::_exit(code);
  }
  ::close(channel[1]);
  char buffer[1024];
  for (ssize_t got; (got = ::read(channel[0], buffer, sizeof buffer)) > 0;)
    result.message.append(buffer, static_cast<std::size_t>(got));
  ::close(channel[0]);
  int status = 0;
  if (::waitpid(pid, &status, 0) == pid && WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  return result;
}

// Exit codes of the children below.
constexpr int saved_anyway = 10;
constexpr int wrong_error = 11;
constexpr int setup_failed = 12;

TEST(AtomicSave, FullDiskLeavesThePreviousFileAndNoTemporary) {
  pj_test::temp_dir dir;
  const fs::path path = dir / "weights.pj";
  const Weights old_weights = make_weights(1, 1000);
  picklejar::save(old_weights, path);
  const std::string old_bytes = read_bytes(path);
  const Weights new_weights = make_weights(2, 1 << 20);  // 4 MiB, far over the limit below

  // A file size limit stands in for a full disk: the write stops part way with EFBIG, as it
  // would with ENOSPC. The child ignores SIGXFSZ, which would otherwise kill it at the limit.
  const child_result child = run_in_child([&](std::string& message) {
    ::signal(SIGXFSZ, SIG_IGN);
    const rlimit limit{64 * 1024, 64 * 1024};
    if (::setrlimit(RLIMIT_FSIZE, &limit) != 0) return setup_failed;
    try {
      picklejar::save(new_weights, path);
      return saved_anyway;
    } catch (const picklejar::error& failure) {
      message = failure.what();
      return failure.code() == picklejar::errc::io && failure.file() == path.string() ? 0 : wrong_error;
    }
  });
  ASSERT_EQ(child.exit_code, 0) << child.message;
  EXPECT_NE(child.message.find("cannot write the file: File too large"), std::string::npos) << child.message;

  EXPECT_EQ(read_bytes(path), old_bytes);
  EXPECT_EQ(picklejar::load<Weights>(path).values, old_weights.values);
  EXPECT_EQ(temporary_files(dir), std::vector<std::string>{}) << "the failed save left its temporary file";

  // The next save, without the limit, succeeds and leaves only the file.
  picklejar::save(new_weights, path);
  EXPECT_EQ(dir.file_names(), std::vector<std::string>{"weights.pj"});
  EXPECT_EQ(picklejar::load<Weights>(path).values, new_weights.values);
}

TEST(AtomicSave, ExceptionFromGetStateLeavesThePreviousFile) {
  pj_test::temp_dir dir;
  const fs::path path = dir / "holder.pj";
  atomic_save_test::Holder holder;
  holder.big.assign(1 << 18, 1.5f);
  holder.fragile.values = {1, 2, 3};
  picklejar::save(holder, path);
  const std::string old_bytes = read_bytes(path);

  holder.big.assign(1 << 18, 2.5f);
  holder.fragile.fail_on_save = true;
  try {
    picklejar::save(holder, path);
    ADD_FAILURE() << "the save did not fail";
  } catch (const std::exception& failure) {  // the user's exception, passed through
    EXPECT_NE(std::string(failure.what()).find("get_state failed on purpose"), std::string::npos) << failure.what();
  }
  EXPECT_EQ(read_bytes(path), old_bytes);
  EXPECT_EQ(picklejar::load<atomic_save_test::Holder>(path).big, std::vector<float>(1 << 18, 1.5f));
  EXPECT_EQ(dir.file_names(), std::vector<std::string>{"holder.pj"});
}

TEST(AtomicSave, MissingDirectoryIsAnIoErrorNamingTheFile) {
  pj_test::temp_dir dir;
  const fs::path path = dir / "no-such-directory" / "weights.pj";
  const picklejar::error failure =
      pj_test::expect_error(picklejar::errc::io, [&] { picklejar::save(make_weights(1, 10), path); });
  EXPECT_EQ(failure.file(), path.string());
  EXPECT_NE(std::string(failure.what()).find("No such file or directory"), std::string::npos) << failure.what();
  EXPECT_TRUE(dir.file_names().empty());
}

TEST(AtomicSave, ReadOnlyDirectoryIsAnIoErrorAndKeepsThePreviousFile) {
  pj_test::temp_dir dir;
  const fs::path path = dir / "weights.pj";
  picklejar::save(make_weights(1, 100), path);
  const std::string old_bytes = read_bytes(path);
  ASSERT_EQ(::chmod(dir.path().c_str(), 0555), 0);

  // Permissions do not stop root (CI runs as root): then the save runs in a child that has
  // dropped to the "nobody" user and group first. Without that right the test is skipped.
  const bool as_root = ::geteuid() == 0;
  const child_result child = run_in_child([&](std::string& message) {
    if (as_root && (::setgid(65534) != 0 || ::setuid(65534) != 0)) return setup_failed;
    try {
      picklejar::save(make_weights(2, 100), path);
      return saved_anyway;
    } catch (const picklejar::error& failure) {
      message = failure.what();
      return failure.code() == picklejar::errc::io && failure.file() == path.string() ? 0 : wrong_error;
    }
  });
  ::chmod(dir.path().c_str(), 0755);
  if (child.exit_code == setup_failed) GTEST_SKIP() << "running as root and cannot drop to uid 65534";

  EXPECT_EQ(child.exit_code, 0) << child.message;
  EXPECT_NE(child.message.find("cannot create a temporary file next to it: Permission denied"), std::string::npos)
      << child.message;
  EXPECT_EQ(read_bytes(path), old_bytes);
  EXPECT_EQ(dir.file_names(), std::vector<std::string>{"weights.pj"});
}

// A process killed mid-save leaves "<path>.pj-tmp-<pid>-<hex>" behind (tests/crash counts how
// often); the next save of that path removes the ones whose lock no save holds (their process
// died). Pids decide nothing: tests/test_file_safety.cpp has the cases of other PID namespaces.
TEST(AtomicSave, NextSaveRemovesTheTemporaryOfAKilledSave) {
  pj_test::temp_dir dir;
  const fs::path path = dir / "weights.pj";
  picklejar::save(make_weights(1, 100), path);

  // What a save killed mid-write leaves: a partial temporary file whose lock died with it.
  const child_result child = run_in_child([&](std::string&) {
    std::ofstream(path.string() + ".pj-tmp-" + std::to_string(::getpid()) + "-0") << "partial";
    return 0;
  });
  ASSERT_EQ(child.exit_code, 0);
  ASSERT_EQ(temporary_files(dir).size(), 1u);
  // A temporary file a live save holds locked (it may be saving right now) and another file's are
  // left alone.
  const fs::path live = path.string() + ".pj-tmp-" + std::to_string(::getppid()) + "-0";
  const fs::path other = dir / ("other.pj.pj-tmp-" + std::to_string(::getpid() + 1) + "-0");
  std::ofstream(live.string()) << "in progress";
  std::ofstream(other.string()) << "partial";
  const int live_lock = ::open(live.c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(live_lock, 0);
  ASSERT_EQ(::flock(live_lock, LOCK_EX | LOCK_NB), 0);

  picklejar::save(make_weights(2, 100), path);
  EXPECT_EQ(temporary_files(dir).size(), 2u) << joined(temporary_files(dir));
  EXPECT_TRUE(fs::exists(live));
  EXPECT_TRUE(fs::exists(other));
  ::close(live_lock);
}

}  // namespace
