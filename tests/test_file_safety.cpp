// What an outsider can put where picklejar opens files (issue 12): a FIFO or device at a path that
// is read (refused at once with errc::io, never a hang), a symbolic or hard link planted as the
// checkpoint lock file (refused, its target untouched), a symbolic link at a save path (replaced,
// never written through), temporary files of savers this process cannot see (decided stale by
// their lock, not by a pid), names up to NAME_MAX, and the permissions of a file that a save
// replaces (kept). Every case that could hang runs in a child process under a watchdog (alarm), so
// a regression fails instead of hanging the suite.
#include <picklejar/checkpoint.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>
#include <vector>

#include "test_support.hpp"

namespace file_safety_test {

struct Weights {
  std::int64_t step = 0;
  std::vector<float> values;
  PICKLEJAR_FIELDS(step, values)
};

inline Weights weights_at(std::int64_t step) {
  Weights w;
  w.step = step;
  w.values.assign(64, static_cast<float>(step));
  return w;
}

}  // namespace file_safety_test

namespace {

namespace fs = std::filesystem;
using file_safety_test::Weights;
using file_safety_test::weights_at;
using picklejar::errc;

std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void write_bytes(const fs::path& path, const std::string& bytes) { std::ofstream(path, std::ios::binary) << bytes; }

std::vector<std::string> temporary_files(const pj_test::temp_dir& dir) {
  std::vector<std::string> found;
  for (const std::string& name : dir.file_names()) {
    if (name.find(".pj-tmp-") != std::string::npos) found.push_back(name);
  }
  return found;
}

mode_t mode_of(const fs::path& path) {
  struct stat status {};
  EXPECT_EQ(::lstat(path.c_str(), &status), 0) << path;
  return status.st_mode & 07777;
}

constexpr int watchdog_seconds = 20;

/// Runs `body` in a child process with an alarm as watchdog: a body that hangs (the bug: open()
/// of a FIFO blocks) is killed by SIGALRM and reported, instead of hanging the test run. `body`
/// returns an empty string on success, else what went wrong.
void expect_in_time(const std::string& what, const std::function<std::string()>& body) {
  int channel[2];
  ASSERT_EQ(::pipe(channel), 0);
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::close(channel[0]);
    ::alarm(watchdog_seconds);
    std::string message;
    try {
      message = body();
    } catch (const std::exception& failure) {
      message = std::string("unexpected exception: ") + failure.what();
    }
    const ssize_t written = ::write(channel[1], message.data(), message.size());
    static_cast<void>(written);
    ::_exit(message.empty() ? 0 : 1);
  }
  ::close(channel[1]);
  std::string message;
  char buffer[1024];
  for (ssize_t got; (got = ::read(channel[0], buffer, sizeof buffer)) > 0;)
    message.append(buffer, static_cast<std::size_t>(got));
  ::close(channel[0]);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM) {
    ADD_FAILURE() << what << ": still blocked after " << watchdog_seconds << " s (killed by the watchdog)";
    return;
  }
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << what << ": " << message;
}

/// In the child: runs `action` and says what is wrong unless it threw errc::io naming `file` and
/// saying `reason`.
std::string io_error_naming(const fs::path& file, const std::string& reason, const std::function<void()>& action) {
  try {
    action();
  } catch (const picklejar::error& failure) {
    if (failure.code() != errc::io) return std::string("not errc::io: ") + failure.what();
    if (failure.file() != file.string()) return "names " + failure.file() + ", not " + file.string();
    if (std::string(failure.what()).find(reason) == std::string::npos) return std::string("says: ") + failure.what();
    return {};
  }
  return "no error";
}

// ---- a FIFO (or any non-regular file) where a file is read ----

TEST(FileSafety, EveryReadingEntryPointRefusesAFifoAtOnce) {
  pj_test::temp_dir dir;
  const fs::path fifo = dir / "model.pj";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0644), 0);
  const std::string reason = "not a regular file (a FIFO)";
  expect_in_time("load<T>", [&] { return io_error_naming(fifo, reason, [&] { picklejar::load<Weights>(fifo); }); });
  expect_in_time("load(object)", [&] {
    Weights w;
    return io_error_naming(fifo, reason, [&] { picklejar::load(w, fifo); });
  });
  expect_in_time("load without mapping", [&] {
    picklejar::options opts;
    opts.memory_map = false;
    return io_error_naming(fifo, reason, [&] { picklejar::load<Weights>(fifo, opts); });
  });
  expect_in_time("inspect", [&] { return io_error_naming(fifo, reason, [&] { picklejar::inspect(fifo); }); });
  expect_in_time("verify", [&] { return io_error_naming(fifo, reason, [&] { picklejar::verify(fifo); }); });
  EXPECT_EQ(mode_of(fifo) & 0777, 0644u);  // still the FIFO: nothing was done to it
}

TEST(FileSafety, ADeviceOrDirectoryIsRefusedToo) {
  pj_test::temp_dir dir;
  expect_in_time("a character device", [&] {
    return io_error_naming("/dev/zero", "not a regular file (a character device)",
                           [&] { picklejar::load<Weights>("/dev/zero"); });
  });
  const fs::path directory = dir / "a-directory.pj";
  fs::create_directory(directory);
  expect_in_time("a directory", [&] {
    return io_error_naming(directory, "not a regular file (a directory)", [&] { picklejar::inspect(directory); });
  });
}

TEST(FileSafety, ASymbolicLinkToARegularFileIsReadThrough) {
  // Reading follows links (the caller named the file; reading changes nothing).
  pj_test::temp_dir dir;
  picklejar::save(weights_at(7), dir / "real.pj");
  fs::create_symlink(dir / "real.pj", dir / "link.pj");
  EXPECT_EQ(picklejar::load<Weights>(dir / "link.pj").step, 7);
  EXPECT_EQ(picklejar::verify(dir / "link.pj").type_name, picklejar::inspect(dir / "real.pj").type_name);
}

TEST(FileSafety, CheckpointManagersListAFifoAsAProblemWithoutBlocking) {
  pj_test::temp_dir dir;
  {
    picklejar::checkpoint_manager writer(dir.path());
    writer.save(weights_at(1), 1, 1.0);
  }
  const fs::path fifo = dir / "ckpt-000000000005.pj";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0644), 0);
  expect_in_time("checkpoint_manager constructor", [&]() -> std::string {
    picklejar::checkpoint_manager manager(dir.path());
    if (!manager.latest() || manager.latest()->step != 1) return "the checkpoint of step 1 is not the latest";
    for (const std::string& problem : manager.problems()) {
      if (problem == fifo.string() + ": ignored: not a regular file (a FIFO)") return {};
    }
    return "the FIFO is not among the problems";
  });
  expect_in_time("open_read_only", [&]() -> std::string {
    picklejar::checkpoint_manager reader = picklejar::checkpoint_manager::open_read_only(dir.path());
    Weights w;
    if (reader.load_latest(w).step != 1 || w.step != 1) return "did not load step 1";
    return reader.problems().size() == 1 ? std::string() : "expected one problem, the FIFO";
  });
  EXPECT_TRUE(fs::is_fifo(fifo));  // never deleted
}

// ---- the checkpoint lock file ----

TEST(FileSafety, ALockFileThatIsASymbolicLinkIsRefusedAndItsTargetUntouched) {
  pj_test::temp_dir dir;
  const fs::path victim = dir / "precious.txt";
  write_bytes(victim, "precious contents\n");
  fs::create_directory(dir / "run");
  fs::create_symlink(victim, dir / "run" / "picklejar-checkpoint.lock");
  expect_in_time("checkpoint_manager", [&] {
    return io_error_naming(dir / "run", "is a symbolic link: refused",
                           [&] { picklejar::checkpoint_manager manager(dir / "run"); });
  });
  EXPECT_EQ(read_bytes(victim), "precious contents\n");  // the bug: truncated, the pid written
  // A dangling link is refused too, and creates nothing at its target.
  fs::remove(dir / "run" / "picklejar-checkpoint.lock");
  fs::create_symlink(dir / "created-through-link", dir / "run" / "picklejar-checkpoint.lock");
  pj_test::expect_error(errc::io, [&] { picklejar::checkpoint_manager manager(dir / "run"); });
  EXPECT_FALSE(fs::exists(dir / "created-through-link"));
}

TEST(FileSafety, ALockFileWithASecondHardLinkIsRefusedAndUntouched) {
  pj_test::temp_dir dir;
  const fs::path victim = dir / "precious.txt";
  write_bytes(victim, "precious contents\n");
  fs::create_directory(dir / "run");
  fs::create_hard_link(victim, dir / "run" / "picklejar-checkpoint.lock");
  const picklejar::error failure =
      pj_test::expect_error(errc::io, [&] { picklejar::checkpoint_manager manager(dir / "run"); });
  EXPECT_EQ(failure.file(), (dir / "run").string());
  EXPECT_NE(std::string(failure.what()).find("has 2 hard links: refused"), std::string::npos) << failure.what();
  EXPECT_EQ(read_bytes(victim), "precious contents\n");
}

TEST(FileSafety, ALockFileThatIsAFifoIsRefusedAtOnce) {
  pj_test::temp_dir dir;
  ASSERT_EQ(::mkfifo((dir / "picklejar-checkpoint.lock").c_str(), 0666), 0);
  expect_in_time("checkpoint_manager", [&] {
    return io_error_naming(dir.path(), "is not a regular file (a FIFO): refused",
                           [&] { picklejar::checkpoint_manager manager(dir.path()); });
  });
}

// ---- a symbolic link at a save path ----

TEST(FileSafety, SavingToASymbolicLinkReplacesTheLinkAndNeverWritesItsTarget) {
  pj_test::temp_dir dir;
  const fs::path victim = dir / "precious.txt";
  write_bytes(victim, "precious contents\n");
  const fs::path link = dir / "model.pj";
  fs::create_symlink(victim, link);
  picklejar::save(weights_at(3), link);
  EXPECT_FALSE(fs::is_symlink(link));
  EXPECT_TRUE(fs::is_regular_file(link));
  EXPECT_EQ(picklejar::load<Weights>(link).step, 3);
  EXPECT_EQ(read_bytes(victim), "precious contents\n");
  EXPECT_EQ(temporary_files(dir), std::vector<std::string>{});
}

TEST(FileSafety, SavingOverAFifoReplacesItWithoutBlocking) {
  pj_test::temp_dir dir;
  const fs::path path = dir / "model.pj";
  ASSERT_EQ(::mkfifo(path.c_str(), 0644), 0);
  expect_in_time("save over a FIFO", [&]() -> std::string {
    picklejar::save(weights_at(4), path);
    return picklejar::load<Weights>(path).step == 4 ? std::string() : "the saved file does not load";
  });
  EXPECT_TRUE(fs::is_regular_file(path));
}

// ---- temporary files: stale is decided by their lock, not by a pid ----

/// A temporary file of a save of `path` that another process is writing right now: it holds the
/// file's lock. The pid in its name is one that does not exist here, as a saver in another PID
/// namespace (a container sharing the volume) looks: kill(pid, 0) says ESRCH for it.
struct live_temporary {
  fs::path file;
  int fd = -1;
  live_temporary(const fs::path& target, const std::string& pid_in_name) {
    file = target.string() + ".pj-tmp-" + pid_in_name + "-0";
    write_bytes(file, "half written by another container");
    fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    EXPECT_GE(fd, 0);
    EXPECT_EQ(::flock(fd, LOCK_EX | LOCK_NB), 0);
  }
  ~live_temporary() {
    if (fd >= 0) ::close(fd);
  }
  void release() {
    ::close(fd);
    fd = -1;
  }
};

TEST(FileSafety, ALockedTemporaryIsNeverRemovedWhateverPidItsNameHolds) {
  pj_test::temp_dir dir;
  const fs::path path = dir / "model.pj";
  live_temporary other_container(path, "999999999");  // no such process here
  picklejar::save(weights_at(1), path);
  EXPECT_TRUE(fs::exists(other_container.file)) << "a live save's temporary file was deleted";
  EXPECT_EQ(read_bytes(other_container.file), "half written by another container");
  // Its save is over (the lock released) but the file is still there: it is stale now.
  other_container.release();
  picklejar::save(weights_at(2), path);
  EXPECT_FALSE(fs::exists(other_container.file));
  EXPECT_EQ(dir.file_names(), std::vector<std::string>{"model.pj"});
}

TEST(FileSafety, AnUnlockedTemporaryIsStaleEvenIfItsPidIsAlive) {
  // The pid of a live process here (ours, the parent's) says nothing: in another namespace it is
  // another process. No lock: its save died.
  pj_test::temp_dir dir;
  const fs::path path = dir / "model.pj";
  const fs::path stale = path.string() + ".pj-tmp-" + std::to_string(::getppid()) + "-0";
  write_bytes(stale, "left by a killed save");
  picklejar::save(weights_at(1), path);
  EXPECT_FALSE(fs::exists(stale));
  EXPECT_EQ(dir.file_names(), std::vector<std::string>{"model.pj"});
}

/// What a probe saw of the save's temporary file from inside the save (its get_state runs while
/// the temporary file is being written): 1 locked, 0 not locked, -1 no temporary file.
int seen_by_probe = -2;

struct Probe {
  fs::path directory;
  int get_state() const {
    seen_by_probe = -1;
    for (const auto& entry : fs::directory_iterator(directory)) {
      if (entry.path().filename().string().find(".pj-tmp-") == std::string::npos) continue;
      const int fd = ::open(entry.path().c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0) return seen_by_probe = -3;
      seen_by_probe = ::flock(fd, LOCK_EX | LOCK_NB) != 0 ? 1 : 0;
      ::close(fd);
    }
    return seen_by_probe;
  }
  void set_state(int) {}
};

TEST(FileSafety, ASaveHoldsTheLockOfItsTemporaryFileWhileItWrites) {
  pj_test::temp_dir dir;
  for (const picklejar::format fmt : pj_test::all_formats) {
    seen_by_probe = -2;
    picklejar::save(Probe{dir.path()}, dir / "probe.pj", picklejar::options(fmt));
    EXPECT_EQ(seen_by_probe, 1) << picklejar::to_string(fmt) << ": the temporary file was not locked";
  }
}

TEST(FileSafety, CheckpointManagersRemoveOnlyUnlockedTemporaries) {
  pj_test::temp_dir dir;
  {
    picklejar::checkpoint_manager writer(dir.path());
    writer.save(weights_at(1), 1, 1.0);
  }
  live_temporary live(dir / "ckpt-000000000002.pj", "999999999");
  const fs::path stale = dir / ("ckpt-000000000003.pj.pj-tmp-" + std::to_string(::getpid()) + "-0");
  write_bytes(stale, "left by a killed save");
  picklejar::checkpoint_manager manager(dir.path());
  EXPECT_TRUE(fs::exists(live.file));
  EXPECT_FALSE(fs::exists(stale));
  const std::vector<std::string> problems = manager.problems();
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0], stale.string() + ": removed a temporary file left by an interrupted save");
}

// ---- names up to NAME_MAX ----

TEST(FileSafety, NamesUpToTheLongestTheFileSystemAllowsSaveAndLoad) {
  pj_test::temp_dir dir;
  for (const std::size_t length : {200u, 220u, 240u, 250u, 255u}) {
    const fs::path path = dir / (std::string(length - 3, 'n') + ".pj");
    ASSERT_EQ(path.filename().string().size(), length);
    picklejar::save(weights_at(static_cast<std::int64_t>(length)), path);  // the bug: ENAMETOOLONG
    EXPECT_EQ(picklejar::load<Weights>(path).step, static_cast<std::int64_t>(length)) << length;
    picklejar::save(weights_at(1), path);  // and again, over it
    EXPECT_EQ(picklejar::load<Weights>(path).step, 1) << length;
  }
  EXPECT_EQ(temporary_files(dir), std::vector<std::string>{});
  // A save of a long name killed half way leaves a temporary file under the shortened name; the
  // next save of that name finds and removes it, and leaves those of other long names alone.
  const std::string long_name = std::string(252, 'n') + ".pj";
  const std::string prefix = picklejar::detail::temporary_prefix(long_name, 255);
  ASSERT_LE(prefix.size() + 27, 255u);
  const fs::path stale = dir / (prefix + "12345-0123456789abcdef");
  write_bytes(stale, "left by a killed save");
  const std::string other_prefix = picklejar::detail::temporary_prefix(std::string(252, 'm') + ".pj", 255);
  const fs::path other = dir / (other_prefix + "12345-0123456789abcdef");
  write_bytes(other, "another file's");
  picklejar::save(weights_at(2), dir / long_name);
  EXPECT_FALSE(fs::exists(stale));
  EXPECT_TRUE(fs::exists(other));
}

// ---- permissions ----

TEST(FileSafety, ASaveKeepsThePermissionsOfTheFileItReplaces) {
  pj_test::temp_dir dir;
  const fs::path path = dir / "model.pj";
  const mode_t old_umask = ::umask(077);  // would make a new file 0600
  for (const mode_t mode : {0600u, 0640u, 0644u, 0444u, 0664u}) {
    picklejar::save(weights_at(1), path);
    ASSERT_EQ(::chmod(path.c_str(), mode), 0);
    picklejar::save(weights_at(2), path);  // the bug: the new file got 0666 less the umask
    EXPECT_EQ(mode_of(path), mode) << std::oct << mode;
    EXPECT_EQ(picklejar::load<Weights>(path).step, 2);
  }
  // Never setuid, setgid or sticky: only the read, write and execute bits are carried over.
  ASSERT_EQ(::chmod(path.c_str(), 04750), 0);
  picklejar::save(weights_at(3), path);
  EXPECT_EQ(mode_of(path), 0750u);
  // A new file gets 0666 less the umask, as any program's.
  ::umask(022);
  picklejar::save(weights_at(1), dir / "new.pj");
  EXPECT_EQ(mode_of(dir / "new.pj"), 0644u);
  ::umask(old_umask);
  EXPECT_EQ(temporary_files(dir), std::vector<std::string>{});
}

}  // namespace
