/// \file
/// picklejar::checkpoint_manager: the checkpoints of one training run, in one directory: the most
/// recent ones, the best ones by a metric, and what to load when the run restarts. Opt-in: include
/// `<picklejar/checkpoint.hpp>` yourself (it brings picklejar/picklejar.hpp; picklejar.hpp does not
/// bring it).
///
/// ```cpp
/// picklejar::checkpoint_options opts;
/// opts.keep_last = 2;                          // the two most recent
/// opts.keep_best = 3;                          // and the three lowest validation losses
/// opts.mode = picklejar::metric_mode::min;
/// picklejar::checkpoint_manager ckpt("runs/exp1", opts);
/// int first = 0;
/// if (ckpt.latest()) first = static_cast<int>(ckpt.load_latest(model).step) + 1;   // resume
/// for (int epoch = first; epoch < n; ++epoch) { train(); ckpt.save(model, epoch, val_loss); }
/// ckpt.load_best(model);
/// ```
///
/// How it works, and why:
/// - Files. One file per checkpoint, `ckpt-<step>.pj` with the step zero-padded to 12 digits (so a
///   directory listing sorts by step), written by picklejar::save: a temporary file, fsync, rename,
///   directory fsync. A crash at any moment therefore leaves every completed checkpoint whole. The
///   file's header metadata says what it is (readable with picklejar::inspect and picklejar-inspect),
///   plus the caller's own checkpoint_options::file_options.metadata:
///   ```
///   picklejar.checkpoint         "1" (marks the file as a checkpoint; version of this scheme)
///   picklejar.checkpoint.step    the step, in decimal
///   picklejar.checkpoint.metric  the metric in the shortest text that reads back to the same
///                                double (std::to_chars): "0.1", "-0", "inf", "nan"
///   picklejar.checkpoint.time    when it was saved, UTC: "2025-01-31T12:34:56.789Z"
///   ```
/// - No index file: the directory is the truth. A new manager lists the directory and reads each
///   checkpoint's header with picklejar::inspect. There is nothing to get out of step with the
///   files and nothing to repair after a crash. Opening a directory reads each checkpoint's header
///   only (inspect checks the sizes; the checksum is verified when a checkpoint is loaded, and a
///   damaged one is then skipped). After opening, the manager keeps the list in memory.
/// - Lock. One manager writes a directory at a time: it holds flock(2) on
///   `<dir>/picklejar-checkpoint.lock` for its lifetime, and a second manager (in any process, this
///   one included) gets errc::io naming the directory. The kernel drops a flock when its process
///   dies, so a killed run never leaves a stale lock. The file holds the owner's pid for that error
///   message and is never deleted (deleting a lock file races with a process about to lock it).
///   A process that forks while holding a manager shares the lock with its child.
/// - Retention, after each successful save (never before the new file is on disk, never when
///   opening a directory): kept are the keep_last checkpoints with the highest steps and the
///   keep_best best by metric (lowest for metric_mode::min, highest for max; of equal metrics the
///   earlier step ranks first, as it reached the value first); every other checkpoint is deleted.
///   A NaN metric never ranks, so such a checkpoint is kept only for being recent.
///   - keep_last = 0: nothing is kept for being recent; only the best ones stay ("save best only";
///     a checkpoint with a NaN metric is then deleted as soon as it is written).
///   - keep_best = 0: the same as 1. The best checkpoint (best_path()) is never deleted; to not
///     rank checkpoints at all, save them with a NaN metric (the default).
///   - checkpoint_options::keep_all keeps every checkpoint for that reason.
///
///   Files the manager did not write (other names, damaged checkpoints) are never deleted.
/// - Damage. A file in the directory that is not a readable checkpoint (a stray file, a truncated
///   or foreign .pj) is left alone, skipped, and reported by problems(). A temporary file of an
///   interrupted checkpoint save (`ckpt-*.pj.pj-tmp-*`) is removed: only the lock holder writes
///   checkpoints here, so it is stale. load_latest and load_best skip a checkpoint that turns out
///   damaged and load the next one.
/// - Steps are chosen by the caller and are not negative. Saving a step that exists replaces that
///   checkpoint; latest() is the highest step, not the last one written.
/// - One thread uses a manager at a time (it is not synchronized). POSIX only (flock, gmtime_r).
#pragma once

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <exception>
#include <filesystem>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "picklejar/error.hpp"
#include "picklejar/options.hpp"
#include "picklejar/picklejar.hpp"

namespace picklejar {

/// Whether a lower or a higher metric is better (a loss or an accuracy).
enum class metric_mode { min /**< lower is better (a loss) */, max /**< higher is better (an accuracy) */ };

/// How a checkpoint_manager keeps and writes checkpoints; given to its constructor.
struct checkpoint_options {
  /// For keep_last or keep_best: keep every checkpoint.
  static constexpr std::size_t keep_all = std::numeric_limits<std::size_t>::max();

  /// How many of the most recent checkpoints (highest steps) are kept; 0: none for being recent.
  std::size_t keep_last = 3;
  /// How many of the best checkpoints by metric are kept; 0 is the same as 1 (the best one is
  /// never deleted).
  std::size_t keep_best = 1;
  /// Which metric is best: the lowest (min, the default) or the highest (max).
  metric_mode mode = metric_mode::min;
  /// Encoding of the checkpoint files (a directory may hold files of several formats).
  picklejar::format format = picklejar::format::binary;
  /// Everything else given to picklejar::save and picklejar::load: extra header metadata,
  /// externals, load limits. Its own `format` is replaced by `format` above.
  picklejar::options file_options;
};

/// One checkpoint on disk, as its header describes it.
struct checkpoint_info {
  std::filesystem::path path;  ///< the file: `<directory>/ckpt-<step, 12 digits>.pj`
  std::int64_t step = 0;       ///< the step given to checkpoint_manager::save (not negative)
  double metric = std::numeric_limits<double>::quiet_NaN();  ///< NaN: none
  std::string time;  ///< when it was saved, UTC, ISO 8601: "2025-01-31T12:34:56.789Z"
};

namespace detail {

inline constexpr const char* checkpoint_lock_name = "picklejar-checkpoint.lock";
inline constexpr const char* checkpoint_key = "picklejar.checkpoint";
inline constexpr const char* checkpoint_step_key = "picklejar.checkpoint.step";
inline constexpr const char* checkpoint_metric_key = "picklejar.checkpoint.metric";
inline constexpr const char* checkpoint_time_key = "picklejar.checkpoint.time";
inline constexpr std::string_view checkpoint_prefix = "ckpt-";
inline constexpr std::string_view checkpoint_suffix = ".pj";
inline constexpr std::string_view temporary_marker = ".pj-tmp-";  // see write_file_atomically

inline std::string checkpoint_file_name(std::int64_t step) {
  std::string digits = std::to_string(step);
  if (digits.size() < 12) digits.insert(0, 12 - digits.size(), '0');
  return std::string(checkpoint_prefix) + digits + std::string(checkpoint_suffix);
}

/// A non-negative decimal integer and nothing else around it.
inline std::optional<std::int64_t> parse_step(std::string_view digits) {
  if (digits.empty() || digits.front() < '0' || digits.front() > '9') return std::nullopt;
  std::int64_t step = 0;
  const auto result = std::from_chars(digits.data(), digits.data() + digits.size(), step);
  if (result.ec != std::errc() || result.ptr != digits.data() + digits.size()) return std::nullopt;
  return step;
}

/// The step in a name "ckpt-<digits>.pj"; nothing for any other name.
inline std::optional<std::int64_t> step_from_file_name(std::string_view name) {
  if (name.size() <= checkpoint_prefix.size() + checkpoint_suffix.size() ||
      name.substr(0, checkpoint_prefix.size()) != checkpoint_prefix ||
      name.substr(name.size() - checkpoint_suffix.size()) != checkpoint_suffix) {
    return std::nullopt;
  }
  name.remove_prefix(checkpoint_prefix.size());
  name.remove_suffix(checkpoint_suffix.size());
  return parse_step(name);
}

/// A temporary file picklejar::save made for a checkpoint: "ckpt-<digits>.pj.pj-tmp-<pid>-<n>".
inline bool is_checkpoint_temporary(std::string_view name) {
  const std::size_t marker = name.find(temporary_marker);
  return marker != std::string_view::npos && step_from_file_name(name.substr(0, marker)).has_value();
}

/// Shortest text that std::from_chars reads back to the same double (NaN reads back as a NaN).
inline std::string metric_text(double metric) {
  char text[64];
  const auto result = std::to_chars(text, text + sizeof text, metric);
  return std::string(text, result.ptr);
}

inline std::optional<double> parse_metric(std::string_view text) {
  double metric = 0;
  const auto result = std::from_chars(text.data(), text.data() + text.size(), metric);
  if (result.ec != std::errc() || result.ptr != text.data() + text.size()) return std::nullopt;
  return metric;
}

inline std::string utc_time_text(std::chrono::system_clock::time_point when) {
  using namespace std::chrono;
  const std::time_t seconds = system_clock::to_time_t(when);
  std::tm parts{};
  ::gmtime_r(&seconds, &parts);  // POSIX: the thread-safe gmtime
  const auto milliseconds_part = duration_cast<milliseconds>(when.time_since_epoch()).count() % 1000;
  char text[64];
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", parts.tm_year + 1900,
                parts.tm_mon + 1, parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec,
                static_cast<int>(milliseconds_part));
  return text;
}

/// Reads a checkpoint's header; errc::format if the file is a picklejar file but no checkpoint
/// (or not the one its name says), and whatever inspect throws if it is damaged.
inline checkpoint_info read_checkpoint_header(const std::filesystem::path& path, std::int64_t step,
                                              const options& opts) {
  const file_info header = inspect(path, opts);
  auto entry = [&](const char* key) -> const std::string& {
    const auto found = header.metadata.find(key);
    if (found == header.metadata.end()) {
      throw error(errc::format,
                  std::string("not a picklejar checkpoint: its header has no ") + key + " entry",
                  path.string());
    }
    return found->second;
  };
  entry(checkpoint_key);
  checkpoint_info info;
  info.path = path;
  const std::optional<std::int64_t> recorded_step = parse_step(entry(checkpoint_step_key));
  if (recorded_step != step) {
    throw error(errc::format,
                "the header's step (" + entry(checkpoint_step_key) + ") is not the one in the file name",
                path.string());
  }
  info.step = step;
  const std::optional<double> metric = parse_metric(entry(checkpoint_metric_key));
  if (!metric) {
    throw error(errc::format, "the header's metric \"" + entry(checkpoint_metric_key) + "\" is not a number",
                path.string());
  }
  info.metric = *metric;
  info.time = entry(checkpoint_time_key);
  return info;
}

/// An exclusive flock(2) on a lock file, held while the object lives. flock (not fcntl locks):
/// it belongs to the open file, so two managers in one process exclude each other too, and the
/// kernel releases it when the process dies, so a crash never leaves a stale lock.
class directory_lock {
 public:
  explicit directory_lock(const std::filesystem::path& directory) {
    const std::filesystem::path file = directory / checkpoint_lock_name;
    fd_ = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (fd_ < 0) fail_io("cannot open the lock file " + file.string(), directory, errno);
    int result = 0;
    do {
      result = ::flock(fd_, LOCK_EX | LOCK_NB);
    } while (result != 0 && errno == EINTR);
    if (result != 0) {
      const int code = errno;
      const std::string owner = read_owner();
      ::close(fd_);
      fd_ = -1;
      if (code == EWOULDBLOCK) {
        throw error(errc::io,
                    "another checkpoint_manager" + (owner.empty() ? "" : " (process " + owner + ")") +
                        " is writing checkpoints to this directory; one directory holds one run at a time",
                    directory.string());
      }
      fail_io("cannot lock " + file.string(), directory, code);
    }
    // The owner's pid, for the message above. Informational only: failures are ignored.
    const std::string pid = std::to_string(::getpid()) + "\n";
    if (::ftruncate(fd_, 0) == 0) {
      const ssize_t written = ::pwrite(fd_, pid.data(), pid.size(), 0);
      static_cast<void>(written);
    }
  }
  directory_lock(directory_lock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  directory_lock& operator=(directory_lock&& other) noexcept {
    if (this != &other) {
      release();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  directory_lock(const directory_lock&) = delete;
  directory_lock& operator=(const directory_lock&) = delete;
  ~directory_lock() { release(); }

 private:
  void release() noexcept {
    if (fd_ >= 0) ::close(fd_);  // closing the last descriptor of the open file drops the lock
    fd_ = -1;
  }
  std::string read_owner() const {
    char text[32] = {};
    const ssize_t got = ::pread(fd_, text, sizeof text - 1, 0);
    std::string owner(text, got > 0 ? static_cast<std::size_t>(got) : 0);
    while (!owner.empty() && (owner.back() == '\n' || owner.back() == ' ')) owner.pop_back();
    return owner;
  }

  int fd_ = -1;
};

/// Creates the directory if needed; errc::io naming it otherwise.
inline const std::filesystem::path& prepare_checkpoint_directory(const std::filesystem::path& directory) {
  std::error_code failure;
  std::filesystem::create_directories(directory, failure);
  if (failure) {
    throw error(errc::io, "cannot create the checkpoint directory: " + failure.message(), directory.string());
  }
  if (!std::filesystem::is_directory(directory, failure)) {
    throw error(errc::io, "not a directory", directory.string());
  }
  return directory;
}

}  // namespace detail

/// The checkpoints of one training run in one directory; see the top of this header for the
/// file names, the lock, retention and damage handling. Movable, not copyable; not synchronized
/// (one thread at a time).
class checkpoint_manager {
 public:
  /// Opens (creating it if needed) and locks `directory`, removes temporary files left by an
  /// interrupted save, and reads the headers of the checkpoints in it (unreadable ones go to
  /// problems()). `options.file_options` is used for reading them too.
  /// \throws picklejar::error errc::io naming the directory if it cannot be created, listed or
  ///         locked (another manager, in this process or another, holds it).
  explicit checkpoint_manager(std::filesystem::path directory, checkpoint_options options = {})
      : directory_(std::move(directory)),
        options_(std::move(options)),
        lock_(detail::prepare_checkpoint_directory(directory_)) {
    scan();
  }

  /// Writes checkpoint `step` of `object` (atomically, with picklejar::save), then deletes the
  /// checkpoints retention no longer keeps (a deletion that fails goes to problems()). Returns
  /// the new file's path. An existing checkpoint of the same step is replaced.
  /// \param object the object to save
  /// \param step   not negative; names the file and orders the checkpoints
  /// \param metric ranks the checkpoint for keep_best; NaN (the default) never ranks
  /// \throws std::invalid_argument (not picklejar::error) for a negative step.
  /// \throws picklejar::error naming the file, as picklejar::save throws; nothing is deleted then.
  template <class T>
  std::filesystem::path save(const T& object, std::int64_t step,
                             double metric = std::numeric_limits<double>::quiet_NaN()) {
    if (step < 0) {
      throw std::invalid_argument("picklejar::checkpoint_manager::save: the step is " + std::to_string(step) +
                                  "; steps are not negative");
    }
    checkpoint_info info;
    info.path = directory_ / detail::checkpoint_file_name(step);
    info.step = step;
    info.metric = metric;
    info.time = detail::utc_time_text(std::chrono::system_clock::now());

    picklejar::options opts = options_.file_options;
    opts.format = options_.format;
    opts.metadata[detail::checkpoint_key] = "1";
    opts.metadata[detail::checkpoint_step_key] = std::to_string(step);
    opts.metadata[detail::checkpoint_metric_key] = detail::metric_text(metric);
    opts.metadata[detail::checkpoint_time_key] = info.time;
    picklejar::save(object, info.path, opts);

    remember(info);
    apply_retention();
    return info.path;
  }

  /// Loads the checkpoint with the highest step into `object` and says which it was. A checkpoint
  /// that fails with errc::integrity, errc::format or errc::io is taken as damaged: reported in
  /// problems(), dropped from checkpoints() (never deleted), and the next one down is tried.
  /// \throws picklejar::error errc::io naming the directory if it holds no checkpoint,
  ///         errc::integrity if none of them loads; errc::type, errc::version and errc::limit
  ///         (not damage: the program's to fix) are thrown as they are, from the first checkpoint
  ///         that raises them.
  template <class T>
  checkpoint_info load_latest(T& object) {
    std::vector<checkpoint_info> candidates(checkpoints_.rbegin(), checkpoints_.rend());
    return load_first_loadable(object, candidates, "latest");
  }

  /// Loads the best checkpoint by metric into `object`, skipping damaged ones as load_latest does
  /// (the next best is tried). Returns which one it loaded.
  /// \throws picklejar::error errc::io naming the directory if no checkpoint has a metric (none,
  ///         or all NaN), errc::integrity if none of them loads; other kinds as load_latest.
  template <class T>
  checkpoint_info load_best(T& object) {
    return load_first_loadable(object, ranked_by_metric(), "best");
  }

  /// The checkpoint with the highest step, if any.
  std::optional<checkpoint_info> latest() const {
    if (checkpoints_.empty()) return std::nullopt;
    return checkpoints_.back();
  }
  /// The checkpoint with the best metric (NaN never counts), if any.
  std::optional<checkpoint_info> best() const {
    const std::vector<checkpoint_info> ranked = ranked_by_metric();
    if (ranked.empty()) return std::nullopt;
    return ranked.front();
  }
  /// The file of latest(), if any.
  std::optional<std::filesystem::path> latest_path() const { return path_of(latest()); }
  /// The file of best(), if any: the one checkpoint retention never deletes.
  std::optional<std::filesystem::path> best_path() const { return path_of(best()); }

  /// Every checkpoint kept in the directory, by step (lowest first).
  const std::vector<checkpoint_info>& checkpoints() const noexcept { return checkpoints_; }
  /// What the manager skipped, removed or could not do, one sentence each, naming the file:
  /// foreign and damaged files, stale temporary files it removed, deletions that failed.
  const std::vector<std::string>& problems() const noexcept { return problems_; }
  /// The directory given to the constructor.
  const std::filesystem::path& directory() const noexcept { return directory_; }
  /// The options given to the constructor.
  const checkpoint_options& options() const noexcept { return options_; }

 private:
  void scan() {
    try {
      for (const auto& entry : std::filesystem::directory_iterator(directory_)) {
        const std::filesystem::path& path = entry.path();
        const std::string name = path.filename().string();
        if (name == detail::checkpoint_lock_name) continue;
        if (detail::is_checkpoint_temporary(name)) {
          remove_stale_temporary(path);
          continue;
        }
        const std::optional<std::int64_t> step = detail::step_from_file_name(name);
        if (!step) {
          problems_.push_back(path.string() + ": ignored: not a checkpoint (their names are ckpt-<step>.pj)");
          continue;
        }
        try {
          checkpoints_.push_back(detail::read_checkpoint_header(path, *step, options_.file_options));
        } catch (const error& failure) {
          problems_.push_back(std::string(failure.what()) + " (skipped)");
        }
      }
    } catch (const std::filesystem::filesystem_error& failure) {
      throw error(errc::io, std::string("cannot list the checkpoint directory: ") + failure.code().message(),
                  directory_.string());
    }
    std::sort(checkpoints_.begin(), checkpoints_.end(),
              [](const checkpoint_info& a, const checkpoint_info& b) { return a.step < b.step; });
  }

  void remove_stale_temporary(const std::filesystem::path& path) {
    std::error_code failure;
    std::filesystem::remove(path, failure);
    problems_.push_back(
        path.string() +
        (failure ? ": cannot remove this temporary file left by an interrupted save: " + failure.message()
                 : ": removed a temporary file left by an interrupted save"));
  }

  /// Adds a checkpoint just written, replacing one of the same step.
  void remember(const checkpoint_info& info) {
    auto position =
        std::lower_bound(checkpoints_.begin(), checkpoints_.end(), info.step,
                         [](const checkpoint_info& a, std::int64_t step) { return a.step < step; });
    if (position != checkpoints_.end() && position->step == info.step)
      *position = info;
    else
      checkpoints_.insert(position, info);
  }

  void forget(std::int64_t step) {
    checkpoints_.erase(std::remove_if(checkpoints_.begin(), checkpoints_.end(),
                                      [step](const checkpoint_info& c) { return c.step == step; }),
                       checkpoints_.end());
  }

  /// Whether `a` ranks before `b` (both have a metric): a better metric, or the same and earlier.
  bool ranks_before(const checkpoint_info& a, const checkpoint_info& b) const {
    if (a.metric != b.metric)
      return options_.mode == metric_mode::min ? a.metric < b.metric : a.metric > b.metric;
    return a.step < b.step;
  }

  /// The checkpoints with a metric, best first.
  std::vector<checkpoint_info> ranked_by_metric() const {
    std::vector<checkpoint_info> ranked;
    for (const checkpoint_info& c : checkpoints_) {
      if (!std::isnan(c.metric)) ranked.push_back(c);
    }
    std::sort(ranked.begin(), ranked.end(),
              [this](const checkpoint_info& a, const checkpoint_info& b) { return ranks_before(a, b); });
    return ranked;
  }

  void apply_retention() {
    std::vector<std::int64_t> kept;
    const std::size_t recent = std::min(options_.keep_last, checkpoints_.size());
    for (std::size_t i = checkpoints_.size() - recent; i < checkpoints_.size(); ++i) {
      kept.push_back(checkpoints_[i].step);
    }
    const std::vector<checkpoint_info> ranked = ranked_by_metric();
    const std::size_t best = std::min(std::max<std::size_t>(options_.keep_best, 1), ranked.size());
    for (std::size_t i = 0; i < best; ++i) kept.push_back(ranked[i].step);

    std::vector<checkpoint_info> still_there;
    for (const checkpoint_info& c : checkpoints_) {
      if (std::find(kept.begin(), kept.end(), c.step) != kept.end()) {
        still_there.push_back(c);
        continue;
      }
      std::error_code failure;
      std::filesystem::remove(c.path, failure);
      if (failure) {
        problems_.push_back(c.path.string() + ": cannot delete this old checkpoint: " + failure.message());
        still_there.push_back(c);  // it is still on disk, so it still counts
      }
    }
    checkpoints_ = std::move(still_there);
  }

  template <class T>
  checkpoint_info load_first_loadable(T& object, const std::vector<checkpoint_info>& candidates,
                                      const char* which) {
    if (candidates.empty()) {
      throw error(
          errc::io,
          std::string(checkpoints_.empty() ? "the directory holds no checkpoint"
                                           : "no checkpoint has a metric (all are NaN), so none is best") +
              " (load_" + which + ")",
          directory_.string());
    }
    std::string failures;
    for (const checkpoint_info& candidate : candidates) {
      try {
        picklejar::load(object, candidate.path, options_.file_options);
        return candidate;
      } catch (const error& failure) {
        // Only damage is skipped; a type or version mismatch is the caller's to fix, and an older
        // checkpoint of the same run would fail the same way. So is an exception the program's
        // own code threw (nested in the error): the checkpoint is not damaged.
        const bool thrown_by_code = dynamic_cast<const std::nested_exception*>(&failure) != nullptr;
        if ((failure.code() != errc::integrity && failure.code() != errc::format &&
             failure.code() != errc::io) || thrown_by_code) {
          throw;
        }
        problems_.push_back(std::string(failure.what()) + " (skipped by load_" + which + ")");
        failures += std::string("; ") + failure.what();
        forget(candidate.step);  // damaged: never again latest or best, never deleted by retention
      }
    }
    throw error(errc::integrity, std::string("no checkpoint could be loaded (load_") + which + ")" + failures,
                directory_.string());
  }

  static std::optional<std::filesystem::path> path_of(const std::optional<checkpoint_info>& info) {
    if (!info) return std::nullopt;
    return info->path;
  }

  std::filesystem::path directory_;
  checkpoint_options options_;
  detail::directory_lock lock_;
  std::vector<checkpoint_info> checkpoints_;  // by step
  std::vector<std::string> problems_;
};

}  // namespace picklejar
