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
///   It is opened with O_NOFOLLOW and refused unless it is a regular file with one link, so a link
///   planted under its name never makes the manager write another file.
///   A process that forks while holding a manager shares the lock with its child.
/// - Reading beside a writer. checkpoint_manager::open_read_only lists and loads the checkpoints of
///   a directory that a trainer is writing, or of one on a read-only file system: it creates,
///   writes, deletes and locks nothing (its save() is errc::io), and refresh() rereads the
///   directory; a checkpoint the trainer deleted meanwhile is skipped.
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
/// - Damage, and what is not damage. A file in the directory that is not a readable checkpoint (a
///   stray file, a truncated or foreign .pj, a symbolic link, FIFO or directory under a checkpoint's
///   name) is left alone, skipped, and reported by problems(). A temporary file of an interrupted
///   checkpoint save (`ckpt-*.pj.pj-tmp-*`) whose save no longer holds its lock is removed by the
///   writing manager. load_latest and load_best skip a checkpoint that turns out damaged
///   (errc::integrity, or errc::format from a file whose checksum does not verify) and load the
///   next one. Never skipped, but thrown: an I/O error (an EIO is not damage, and skipping the
///   newest checkpoint would silently resume from an older step; only a file deleted meanwhile is
///   skipped), and a checkpoint that is intact (its checksum verifies) but does not fit the type
///   (errc::format, the class changed without a version; errc::type, errc::version, errc::limit).
/// - Steps are chosen by the caller, are not negative, and only go up: saving a step at or below
///   the latest checkpoint in the directory is errc::io naming the latest step (a new run in an old
///   directory would otherwise get checkpoints that retention deletes at once). Resume from the
///   latest (load_latest, then save step + 1) or start a new directory.
/// - Saving without stalling (save_async). The snapshot is the checkpoint file's bytes, serialized
///   under the object's guard into a buffer the manager keeps (so the next copy lands in memory
///   already touched, several times faster than fresh memory); one background thread per manager,
///   started on the first save_async and joined by the destructor, writes the snapshots in the
///   order of their steps with the same atomic write as picklejar::save, then applies retention.
///   At most checkpoint_options::max_pending snapshots exist (the one being written counts); a
///   further save_async waits. A background failure is kept and thrown, once, by the next save,
///   save_async or wait(). Steps claimed by pending saves count as the latest. save() waits for
///   the pending saves first, so nothing overtakes.
/// - Threads. One manager may be used from several threads: one mutex guards its lists (held only
///   briefly), another orders the writes (a save holds it while it writes, so steps stay in
///   order and retention sees every checkpoint), and a third the pending asynchronous saves.
///   Loading runs outside all of them. POSIX only (flock, gmtime_r).
#pragma once

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <iostream>
#include <exception>
#include <filesystem>
#include <limits>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "picklejar/detail/io/background_writer.hpp"
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
  /// How many snapshots checkpoint_manager::save_async keeps in memory at most, the one being
  /// written included (0 is the same as 1); a further save_async waits until one is written.
  /// Each costs the memory of one checkpoint file, kept between saves (see save_async).
  std::size_t max_pending = 1;
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

/// A temporary file picklejar::save made for a checkpoint: "ckpt-<digits>.pj.pj-tmp-<pid>-<hex>"
/// (temporary_marker is in detail/io/file_io.hpp, with the rest of the naming).
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
/// kernel releases it when the process dies, so a crash never leaves a stale lock. The file is
/// opened by open_lock_file: never through a link, never a file with another name.
class directory_lock {
 public:
  /// No lock (a read-only manager).
  directory_lock() noexcept = default;
  explicit directory_lock(const std::filesystem::path& directory) {
    const std::filesystem::path file = directory / checkpoint_lock_name;
    try {
      file_ = open_lock_file(file);
    } catch (const error& failure) {
      throw failure.with_file(directory.string());  // errors name the run's directory
    }
    if (!try_lock_exclusively(file_.get())) {
      const int code = errno;
      const std::string owner = read_owner();
      file_.reset();
      if (code == EWOULDBLOCK) {
        throw error(errc::io,
                    "another checkpoint_manager" + (owner.empty() ? "" : " (process " + owner + ")") +
                        " is writing checkpoints to this directory; one directory holds one run at a time "
                        "(checkpoint_manager::open_read_only reads it beside the writer)",
                    directory.string());
      }
      fail_io("cannot lock " + file.string(), directory, code);
    }
    // The owner's pid, for the message above. Informational only: failures are ignored.
    const std::string pid = std::to_string(::getpid()) + "\n";
    if (::ftruncate(file_.get(), 0) == 0) {
      const ssize_t written = ::pwrite(file_.get(), pid.data(), pid.size(), 0);
      static_cast<void>(written);
    }
  }

 private:
  std::string read_owner() const {
    char text[32] = {};
    const ssize_t got = ::pread(file_.get(), text, sizeof text - 1, 0);
    std::string owner(text, got > 0 ? static_cast<std::size_t>(got) : 0);
    while (!owner.empty() && (owner.back() == '\n' || owner.back() == ' ')) owner.pop_back();
    return owner;
  }

  file_descriptor file_;  // closing the last descriptor of the open file drops the lock
};

/// Whether nothing is at `path` any more (deleted since it was listed).
inline bool vanished(const std::filesystem::path& path) {
  struct stat status {};
  return ::lstat(path.c_str(), &status) != 0 && errno == ENOENT;
}

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
/// file names, the lock, retention and damage handling. Movable (not while other threads use it),
/// not copyable; one manager may be used from several threads.
class checkpoint_manager {
 public:
  /// Opens (creating it if needed) and locks `directory` for writing, removes temporary files
  /// left by interrupted saves, and reads the headers of the checkpoints in it (unreadable ones go
  /// to problems()). `options.file_options` is used for reading them too.
  /// \throws picklejar::error errc::io naming the directory if it cannot be created, listed or
  ///         locked (another manager, in this process or another, holds it; its lock file is a
  ///         link, a FIFO or has another name), or naming a checkpoint whose header cannot be
  ///         read for an I/O error; errc::version or errc::limit naming a checkpoint of a newer
  ///         picklejar or over the load limits (none of these is damage: never skipped).
  explicit checkpoint_manager(std::filesystem::path directory, checkpoint_options options = {})
      : directory_(std::move(directory)),
        options_(std::move(options)),
        lock_(detail::prepare_checkpoint_directory(directory_)) {
    install(scan());
  }

  /// A manager that only reads `directory`: of a run that another process is writing (it does not
  /// take the writer's lock), or on a read-only file system. It never creates, writes, deletes or
  /// locks anything; save() through it is errc::io; refresh() rereads the directory.
  /// \throws picklejar::error errc::io naming the directory if it is missing or cannot be listed;
  ///         errc::io, errc::version or errc::limit naming a checkpoint, as the constructor does.
  static checkpoint_manager open_read_only(std::filesystem::path directory, checkpoint_options options = {}) {
    return checkpoint_manager(read_only_tag{}, std::move(directory), std::move(options));
  }

  /// Moving first waits for `other`'s pending saves (a failure among them moves along, to be
  /// thrown by the new manager's next save, save_async or wait()).
  checkpoint_manager(checkpoint_manager&& other) noexcept {
    take_writer_results(other);
    const std::scoped_lock lock(other.write_mutex_, other.state_mutex_);
    take_guarded_state(other);
  }
  checkpoint_manager& operator=(checkpoint_manager&& other) noexcept {
    if (this != &other) {
      stop_writer();
      report_unhandled_failure();
      take_writer_results(other);
      const std::scoped_lock lock(write_mutex_, state_mutex_, other.write_mutex_, other.state_mutex_);
      take_guarded_state(other);
    }
    return *this;
  }
  checkpoint_manager(const checkpoint_manager&) = delete;
  checkpoint_manager& operator=(const checkpoint_manager&) = delete;
  /// Waits for the pending saves (save_async); a failure among them cannot be thrown from here and
  /// is written to stderr: call wait() first to handle it.
  ~checkpoint_manager() {
    stop_writer();
    report_unhandled_failure();
  }

  /// Writes checkpoint `step` of `object` (atomically, with picklejar::save), then deletes the
  /// checkpoints retention no longer keeps (a deletion that fails goes to problems()). Returns
  /// the new file's path.
  /// \param object the object to save
  /// \param step   not negative, and above the latest checkpoint's; names the file and orders the
  ///               checkpoints
  /// \param metric ranks the checkpoint for keep_best; NaN (the default) never ranks
  /// \throws std::invalid_argument (not picklejar::error) for a negative step.
  /// \throws picklejar::error errc::io naming the directory for a step at or below the latest
  ///         checkpoint's (the message names it) or through a read-only manager; otherwise naming
  ///         the file, as picklejar::save throws. Nothing is deleted then. A failure of an
  ///         earlier save_async, if one is waiting to be thrown (nothing is saved then).
  ///
  /// Pending asynchronous saves are waited for first (as wait() does), so a synchronous save never
  /// overtakes them.
  template <class T>
  std::filesystem::path save(const T& object, std::int64_t step,
                             double metric = std::numeric_limits<double>::quiet_NaN()) {
    check_step_sign(step, "save");
    refuse_if_read_only();
    wait();
    const std::lock_guard<std::mutex> writing(write_mutex_);  // one write at a time: steps stay in order
    std::int64_t previous_claim = 0;
    {
      const std::lock_guard<std::mutex> async(async_mutex_);
      rethrow_failure();  // another thread's save_async failed since wait()
      previous_claim = claim_step(step);
    }
    const checkpoint_info info = describe(step, metric);
    try {
      picklejar::save(object, info.path, file_options_for(info));
    } catch (...) {
      release_claim(step, previous_claim);
      throw;
    }
    const std::lock_guard<std::mutex> state(state_mutex_);
    remember(info);
    apply_retention();
    return info.path;
  }

  /// Saves checkpoint `step` of `object` without waiting for the disk: takes the snapshot now,
  /// under the object's guard (the checkpoint file's bytes, serialized into a memory buffer; an
  /// Eigen matrix's weights are copied at memory speed), and returns; a background thread then
  /// writes it as save() would (temporary file, fsync, rename, directory fsync) and applies
  /// retention. Once this returns, `object` may change: the checkpoint holds it as it was at the
  /// call. Returns the path the checkpoint will have.
  ///
  /// At most options().max_pending snapshots are in memory (the one being written included): a
  /// further save_async waits until one is written. The buffers are kept for the next saves (a
  /// copy into memory already touched is several times faster than into fresh memory), so a
  /// manager that has saved asynchronously holds max_pending × the checkpoint file's size until
  /// it is destroyed. latest(), checkpoints() and load_latest() list a checkpoint once it is on
  /// disk; wait() first to see every one.
  /// \throws std::invalid_argument for a negative step.
  /// \throws picklejar::error the failure of an earlier background save, if one has not been
  ///         thrown yet (this save is not made then); errc::io for a step at or below the latest
  ///         checkpoint's, pending ones included, or through a read-only manager; errc::type,
  ///         errc::limit, errc::format naming the file when the snapshot fails (nothing is written).
  template <class T>
  std::filesystem::path save_async(const T& object, std::int64_t step,
                                   double metric = std::numeric_limits<double>::quiet_NaN()) {
    check_step_sign(step, "save_async");
    refuse_if_read_only();
    const std::size_t limit = std::max<std::size_t>(options_.max_pending, 1);
    std::unique_lock<std::mutex> async(async_mutex_);
    rethrow_failure();
    slot_free_.wait(async, [&] { return pending_.size() < limit || failure_; });
    rethrow_failure();
    checkpoint_info described = describe(step, metric);
    const std::int64_t previous_claim = claim_step(step);
    // The snapshot is taken outside the lock, into this entry's buffer: other threads may claim
    // later steps meanwhile; the writer takes the entries in the order of their steps' claims.
    std::string bytes;
    const checkpoint_info info = described;
    const std::size_t before = pending_.size();
    try {
      pending_save& job = pending_.emplace_back();
      job.previous_claim = previous_claim;
      job.info = std::move(described);
      if (!spare_buffers_.empty()) {
        bytes = std::move(spare_buffers_.back());
        spare_buffers_.pop_back();
      }
      if (!writer_.joinable()) writer_ = std::thread([this] { write_in_background(); });
    } catch (...) {
      // No entry may stay in the snapshot stage: it would hold the writer, and wait(), forever.
      if (pending_.size() > before) pending_.pop_back();
      claimed_step_ = previous_claim;
      throw;
    }
    async.unlock();
    bytes.clear();  // keeps its capacity: the copy below lands in memory already touched
    bool taken = false;
    try {
      if constexpr (detail::check_root<T>()) {
        detail::attributing_errors_to(
            info.path, [&] { detail::write_document(object, file_options_for(info), bytes, detail::sealing::by_writer); },
            "saving");
      }
      taken = true;
    } catch (...) {
      async.lock();
      finish_snapshot(step, std::move(bytes), false);
      throw;
    }
    async.lock();
    finish_snapshot(step, std::move(bytes), taken);
    return info.path;
  }

  /// Waits until every pending save_async is written (or failed).
  /// \throws picklejar::error the failure of a background save, if one has not been thrown yet
  ///         (the first one; later ones are in problems()).
  void wait() {
    std::unique_lock<std::mutex> async(async_mutex_);
    slot_free_.wait(async, [&] { return pending_.empty(); });
    rethrow_failure();
  }

  /// Loads the checkpoint with the highest step into `object` and says which it was. A damaged
  /// checkpoint (errc::integrity, or errc::format from a file whose checksum does not verify) is
  /// reported in problems(), dropped from checkpoints() (never deleted), and the next one down is
  /// tried; so is one deleted since it was listed.
  /// \throws picklejar::error errc::io naming the directory if it holds no checkpoint,
  ///         errc::integrity if none of them loads. Not damage, so thrown as they come from the
  ///         first checkpoint that raises them: errc::io (an I/O error: resuming from an older
  ///         checkpoint instead would lose steps silently), errc::format from an intact checkpoint
  ///         that does not fit the type (the message says so), errc::type, errc::version and
  ///         errc::limit (the program's to fix).
  template <class T>
  checkpoint_info load_latest(T& object) {
    std::vector<checkpoint_info> candidates = checkpoints();
    std::reverse(candidates.begin(), candidates.end());
    return load_first_loadable(object, candidates, "latest");
  }

  /// Loads the best checkpoint by metric into `object`, skipping damaged ones as load_latest does
  /// (the next best is tried). Returns which one it loaded.
  /// \throws picklejar::error errc::io naming the directory if no checkpoint has a metric (none,
  ///         or all NaN), errc::integrity if none of them loads; other kinds as load_latest.
  template <class T>
  checkpoint_info load_best(T& object) {
    std::vector<checkpoint_info> candidates;
    {
      const std::lock_guard<std::mutex> state(state_mutex_);
      candidates = ranked_by_metric();
    }
    return load_first_loadable(object, candidates, "best");
  }

  /// Rereads the directory, as the constructor does (a writing manager also removes abandoned
  /// temporary files): checkpoints another process wrote appear, deleted ones disappear, and
  /// problems() is the new reading's. For a read-only manager beside a running trainer.
  /// \throws picklejar::error as the constructor does; the manager is unchanged then.
  void refresh() {
    const std::lock_guard<std::mutex> writing(write_mutex_);
    install(scan());
  }

  /// The checkpoint with the highest step, if any.
  std::optional<checkpoint_info> latest() const {
    const std::lock_guard<std::mutex> state(state_mutex_);
    if (checkpoints_.empty()) return std::nullopt;
    return checkpoints_.back();
  }
  /// The checkpoint with the best metric (NaN never counts), if any.
  std::optional<checkpoint_info> best() const {
    const std::lock_guard<std::mutex> state(state_mutex_);
    const std::vector<checkpoint_info> ranked = ranked_by_metric();
    if (ranked.empty()) return std::nullopt;
    return ranked.front();
  }
  /// The file of latest(), if any.
  std::optional<std::filesystem::path> latest_path() const { return path_of(latest()); }
  /// The file of best(), if any: the one checkpoint retention never deletes.
  std::optional<std::filesystem::path> best_path() const { return path_of(best()); }

  /// Every checkpoint kept in the directory, by step (lowest first). A copy: other threads may
  /// save meanwhile.
  std::vector<checkpoint_info> checkpoints() const {
    const std::lock_guard<std::mutex> state(state_mutex_);
    return checkpoints_;
  }
  /// What the manager skipped, removed or could not do, one sentence each, naming the file:
  /// foreign and damaged files, stale temporary files it removed, deletions that failed. A copy.
  std::vector<std::string> problems() const {
    const std::lock_guard<std::mutex> state(state_mutex_);
    return problems_;
  }
  /// The directory given to the constructor.
  const std::filesystem::path& directory() const noexcept { return directory_; }
  /// The options given to the constructor.
  const checkpoint_options& options() const noexcept { return options_; }
  /// Whether this manager was made by open_read_only (it never writes).
  bool read_only() const noexcept { return read_only_; }

 private:
  // A move, in two parts: what `other`'s writer thread leaves (its failure, its buffers, the step
  // it claimed), once the thread has stopped; then, under the locks the caller holds, the rest.
  void take_writer_results(checkpoint_manager& other) noexcept {
    other.stop_writer();
    failure_ = std::move(other.failure_);
    spare_buffers_ = std::move(other.spare_buffers_);
    claimed_step_ = other.claimed_step_;
  }
  void take_guarded_state(checkpoint_manager& other) noexcept {
    directory_ = std::move(other.directory_);
    options_ = std::move(other.options_);
    read_only_ = other.read_only_;
    lock_ = std::move(other.lock_);
    checkpoints_ = std::move(other.checkpoints_);
    problems_ = std::move(other.problems_);
  }
  struct read_only_tag {};
  struct listing {
    std::vector<checkpoint_info> checkpoints;
    std::vector<std::string> problems;
  };

  checkpoint_manager(read_only_tag, std::filesystem::path directory, checkpoint_options options)
      : directory_(std::move(directory)), options_(std::move(options)), read_only_(true) {
    std::error_code failure;
    if (!std::filesystem::is_directory(directory_, failure)) {
      throw error(errc::io,
                  failure ? "cannot open the checkpoint directory: " + failure.message() : std::string("not a directory"),
                  directory_.string());
    }
    install(scan());
  }

  void install(listing found) {
    const std::lock_guard<std::mutex> state(state_mutex_);
    checkpoints_ = std::move(found.checkpoints);
    problems_ = std::move(found.problems);
  }

  /// Reads the directory: what a new manager would list. Only file I/O, no member but the
  /// directory and options is touched (the caller holds write_mutex_).
  listing scan() const {
    listing found;
    try {
      for (const auto& entry : std::filesystem::directory_iterator(directory_)) {
        const std::filesystem::path& path = entry.path();
        const std::string name = path.filename().string();
        if (name == detail::checkpoint_lock_name) continue;
        if (detail::is_checkpoint_temporary(name)) {
          // A reader leaves them to the writer: one may be a save in progress.
          if (!read_only_) remove_abandoned_temporary(path, found.problems);
          continue;
        }
        const std::optional<std::int64_t> step = detail::step_from_file_name(name);
        if (!step) {
          found.problems.push_back(path.string() + ": ignored: not a checkpoint (their names are ckpt-<step>.pj)");
          continue;
        }
        struct stat status {};
        if (::lstat(path.c_str(), &status) != 0) {
          if (errno == ENOENT) continue;  // deleted since it was listed
          detail::fail_io("cannot examine the checkpoint", path, errno);
        }
        if (!S_ISREG(status.st_mode)) {
          found.problems.push_back(path.string() + ": ignored: not a regular file (" +
                                   detail::file_kind(status.st_mode) + ")");
          continue;
        }
        try {
          found.checkpoints.push_back(detail::read_checkpoint_header(path, *step, options_.file_options));
        } catch (const error& failure) {
          // Damaged or foreign: skipped. Anything else is not damage, and skipping it (the newest,
          // say) would make the run resume from an older step without a word: thrown.
          if (failure.code() == errc::integrity || failure.code() == errc::format) {
            found.problems.push_back(std::string(failure.what()) + " (skipped)");
            continue;
          }
          if (failure.code() == errc::io && detail::vanished(path)) continue;  // deleted meanwhile
          throw error(failure.code(),
                      failure.reason() +
                          (failure.code() == errc::io
                               ? " (an I/O error is not damage: the checkpoint is not skipped; retry, or move the "
                                 "file out of the directory)"
                               : " (not damage: the checkpoint is not skipped)"),
                      failure.file(), failure.field_path());
        }
      }
    } catch (const std::filesystem::filesystem_error& failure) {
      throw error(errc::io, std::string("cannot list the checkpoint directory: ") + failure.code().message(),
                  directory_.string());
    }
    std::sort(found.checkpoints.begin(), found.checkpoints.end(),
              [](const checkpoint_info& a, const checkpoint_info& b) { return a.step < b.step; });
    return found;
  }

  static void remove_abandoned_temporary(const std::filesystem::path& path, std::vector<std::string>& problems) {
    int failure = 0;
    switch (detail::remove_if_abandoned(path, failure)) {
      case detail::temporary_file_state::removed:
        problems.push_back(path.string() + ": removed a temporary file left by an interrupted save");
        break;
      case detail::temporary_file_state::not_removed:
        problems.push_back(path.string() + ": cannot remove this temporary file left by an interrupted save: " +
                           std::strerror(failure));
        break;
      case detail::temporary_file_state::in_use:  // a save in progress (its lock is held)
      case detail::temporary_file_state::gone:
        break;
    }
  }

  /// Adds a checkpoint just written (state_mutex_ held).
  void remember(const checkpoint_info& info) {
    auto position =
        std::lower_bound(checkpoints_.begin(), checkpoints_.end(), info.step,
                         [](const checkpoint_info& a, std::int64_t step) { return a.step < step; });
    if (position != checkpoints_.end() && position->step == info.step)
      *position = info;
    else
      checkpoints_.insert(position, info);
  }

  /// Drops a checkpoint from the list (state_mutex_ held).
  void forget(const checkpoint_info& info) {
    checkpoints_.erase(std::remove_if(checkpoints_.begin(), checkpoints_.end(),
                                      [&](const checkpoint_info& c) { return c.step == info.step && c.path == info.path; }),
                       checkpoints_.end());
  }

  /// Whether `a` ranks before `b` (both have a metric): a better metric, or the same and earlier.
  bool ranks_before(const checkpoint_info& a, const checkpoint_info& b) const {
    if (a.metric != b.metric)
      return options_.mode == metric_mode::min ? a.metric < b.metric : a.metric > b.metric;
    return a.step < b.step;
  }

  /// The checkpoints with a metric, best first (state_mutex_ held).
  std::vector<checkpoint_info> ranked_by_metric() const {
    std::vector<checkpoint_info> ranked;
    for (const checkpoint_info& c : checkpoints_) {
      if (!std::isnan(c.metric)) ranked.push_back(c);
    }
    std::sort(ranked.begin(), ranked.end(),
              [this](const checkpoint_info& a, const checkpoint_info& b) { return ranks_before(a, b); });
    return ranked;
  }

  /// Deletes what retention no longer keeps (state_mutex_ held; unlinks only, no data I/O).
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

  /// Records a checkpoint skipped while loading and drops it from the list.
  void skip(const checkpoint_info& candidate, const std::string& why) {
    const std::lock_guard<std::mutex> state(state_mutex_);
    problems_.push_back(why);
    forget(candidate);  // never again latest or best, never deleted by retention
  }

  template <class T>
  checkpoint_info load_first_loadable(T& object, const std::vector<checkpoint_info>& candidates,
                                      const char* which) {
    const std::string skipped = std::string(" (skipped by load_") + which + ")";
    if (candidates.empty()) {
      const bool none = checkpoints().empty();
      throw error(errc::io,
                  std::string(none ? "the directory holds no checkpoint"
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
        if (!is_damage(failure, candidate)) throw;
        if (detail::vanished(candidate.path)) {
          skip(candidate, candidate.path.string() + ": deleted since the directory was read" + skipped);
          continue;
        }
        skip(candidate, std::string(failure.what()) + skipped);
        failures += std::string("; ") + failure.what();
      }
    }
    throw error(errc::integrity, std::string("no checkpoint could be loaded (load_") + which + ")" + failures,
                directory_.string());
  }

  /// Whether a load's failure means the checkpoint is damaged (or gone) and the next may be
  /// tried; throws the failure, explained, when it is not damage.
  bool is_damage(const error& failure, const checkpoint_info& candidate) const {
    // An exception the program's own code threw (nested in the error) is not damage either.
    if (dynamic_cast<const std::nested_exception*>(&failure) != nullptr) return false;
    switch (failure.code()) {
      case errc::integrity:
        return true;
      case errc::io:
        if (detail::vanished(candidate.path)) return true;
        throw error(errc::io,
                    failure.reason() +
                        " (an I/O error is not damage: load_latest and load_best do not skip the checkpoint, "
                        "which would resume from an older step; retry, or move the file out of the directory)",
                    failure.file(), failure.field_path());
      case errc::format: {
        // Damage or a type that changed? The checksum tells: an intact file that does not load
        // into this type is the program's to fix, and an older checkpoint would fail the same way.
        try {
          picklejar::verify(candidate.path, options_.file_options);
        } catch (const error& check) {
          if (check.code() == errc::integrity || check.code() == errc::format) return true;
          if (check.code() == errc::io && detail::vanished(candidate.path)) return true;
          throw;
        }
        throw error(errc::format,
                    failure.reason() +
                        " (the checkpoint is intact, its checksum verifies, but it does not fit this type: did "
                        "the class change without a PICKLEJAR_VERSION?)",
                    failure.file(), failure.field_path());
      }
      default:
        return false;  // type, version, limit: the caller's to fix
    }
  }

  /// A save_async from its step's claim until its file is written (or its snapshot failed).
  struct pending_save {
    checkpoint_info info;
    std::string bytes;                // the whole file, once ready
    std::int64_t previous_claim = -1;  // claimed_step_ before this one claimed its step
    enum class stage { snapshot, ready, abandoned } state = stage::snapshot;
  };

  static void check_step_sign(std::int64_t step, const char* function) {
    if (step < 0) {
      throw std::invalid_argument(std::string("picklejar::checkpoint_manager::") + function + ": the step is " +
                                  std::to_string(step) + "; steps are not negative");
    }
  }

  void refuse_if_read_only() const {
    if (read_only_) {
      throw error(errc::io, "this checkpoint_manager was opened read-only (open_read_only): it cannot save",
                  directory_.string());
    }
  }

  checkpoint_info describe(std::int64_t step, double metric) const {
    checkpoint_info info;
    info.path = directory_ / detail::checkpoint_file_name(step);
    info.step = step;
    info.metric = metric;
    info.time = detail::utc_time_text(std::chrono::system_clock::now());
    return info;
  }

  picklejar::options file_options_for(const checkpoint_info& info) const {
    picklejar::options opts = options_.file_options;
    opts.format = options_.format;
    opts.metadata[detail::checkpoint_key] = "1";
    opts.metadata[detail::checkpoint_step_key] = std::to_string(info.step);
    opts.metadata[detail::checkpoint_metric_key] = detail::metric_text(info.metric);
    opts.metadata[detail::checkpoint_time_key] = info.time;
    return opts;
  }

  /// Throws the background failure not thrown yet, if any, and forgets it (async_mutex_ held).
  void rethrow_failure() {
    if (!failure_) return;
    std::exception_ptr failure = std::move(failure_);
    failure_ = nullptr;
    std::rethrow_exception(failure);
  }

  /// Makes `step` the latest claimed one, or throws errc::io if it is not above the latest
  /// checkpoint (on disk, pending or being saved). Returns the claim it replaces (async_mutex_ held).
  std::int64_t claim_step(std::int64_t step) {
    const std::optional<checkpoint_info> newest = latest();
    const std::int64_t on_disk = newest ? newest->step : -1;
    if (step <= on_disk || step <= claimed_step_) {
      const bool pending = claimed_step_ > on_disk;
      const std::int64_t latest_step = pending ? claimed_step_ : on_disk;
      const std::string where =
          pending ? "being saved (save_async)" : newest->path.string();
      throw error(errc::io,
                  "cannot save step " + std::to_string(step) + ": the latest checkpoint in this directory is step " +
                      std::to_string(latest_step) + " (" + where + "), and steps only go up; resume from step " +
                      std::to_string(latest_step) + " (load_latest) or start a new directory",
                  directory_.string());
    }
    const std::int64_t previous = claimed_step_;
    claimed_step_ = step;
    return previous;
  }

  /// A save of `step` failed: its claim goes back, unless a later step was claimed since
  /// (async_mutex_ taken here).
  void release_claim(std::int64_t step, std::int64_t previous) {
    const std::lock_guard<std::mutex> async(async_mutex_);
    if (claimed_step_ == step) claimed_step_ = previous;
  }

  /// The snapshot of `step` is taken (or failed): its entry becomes ready for the writer, or is
  /// abandoned (async_mutex_ held).
  void finish_snapshot(std::int64_t step, std::string bytes, bool taken) {
    for (pending_save& job : pending_) {
      if (job.info.step != step || job.state != pending_save::stage::snapshot) continue;
      job.bytes = std::move(bytes);
      job.state = taken ? pending_save::stage::ready : pending_save::stage::abandoned;
      if (!taken && claimed_step_ == step) claimed_step_ = job.previous_claim;
      break;
    }
    writer_wake_.notify_all();
  }

  /// The background writer: takes the pending saves in order, waiting for each one's snapshot.
  void write_in_background() {
    std::unique_lock<std::mutex> async(async_mutex_);
    for (;;) {
      // Stopping waits for a snapshot still being taken too: every claimed save gets written.
      writer_wake_.wait(async, [&] {
        return pending_.empty() ? stopping_writer_ : pending_.front().state != pending_save::stage::snapshot;
      });
      if (pending_.empty()) return;  // stopping, and nothing left
      pending_save& job = pending_.front();
      if (job.state == pending_save::stage::ready) {
        async.unlock();
        std::exception_ptr failure = write_pending(job);
        async.lock();
        if (failure) {
          if (claimed_step_ == job.info.step) claimed_step_ = job.previous_claim;  // may be saved again
          if (!failure_) failure_ = failure;
        }
      }
      job.bytes.clear();
      if (job.bytes.capacity() > 0) spare_buffers_.push_back(std::move(job.bytes));
      pending_.pop_front();
      slot_free_.notify_all();
    }
  }

  /// Writes one snapshot and applies retention; returns its failure (also put in problems()).
  std::exception_ptr write_pending(const pending_save& job) {
    const std::lock_guard<std::mutex> writing(write_mutex_);
    try {
      detail::write_bytes_atomically(job.info.path, job.bytes);
    } catch (...) {
      std::exception_ptr failure = detail::as_background_failure(job.info.path);
      try {
        std::rethrow_exception(failure);
      } catch (const std::exception& what) {
        const std::lock_guard<std::mutex> state(state_mutex_);
        problems_.push_back(std::string(what.what()) + " (save_async of step " + std::to_string(job.info.step) +
                            ": not written)");
      }
      return failure;
    }
    const std::lock_guard<std::mutex> state(state_mutex_);
    remember(job.info);
    apply_retention();
    return nullptr;
  }

  /// Waits for every pending save and ends the background thread (none runs after this).
  void stop_writer() noexcept {
    {
      const std::lock_guard<std::mutex> async(async_mutex_);
      stopping_writer_ = true;
      writer_wake_.notify_all();
    }
    if (writer_.joinable()) writer_.join();
    const std::lock_guard<std::mutex> async(async_mutex_);
    stopping_writer_ = false;
  }

  /// A background failure nobody can be told of any more goes to stderr.
  void report_unhandled_failure() noexcept {
    if (!failure_) return;
    try {
      std::rethrow_exception(failure_);
    } catch (const std::exception& failure) {
      std::fprintf(stderr, "picklejar: checkpoint_manager: a background save failed and wait() was not called: %s\n",
                   failure.what());
    } catch (...) {
      std::fprintf(stderr, "picklejar: checkpoint_manager: a background save failed and wait() was not called\n");
    }
    failure_ = nullptr;
  }

  static std::optional<std::filesystem::path> path_of(const std::optional<checkpoint_info>& info) {
    if (!info) return std::nullopt;
    return info->path;
  }

  std::filesystem::path directory_;
  checkpoint_options options_;
  bool read_only_ = false;
  detail::directory_lock lock_;  // none when read_only_
  mutable std::mutex write_mutex_;  // held by save() and refresh() for their whole run: orders the writes
  mutable std::mutex state_mutex_;  // guards checkpoints_ and problems_; held briefly, never while loading
  std::vector<checkpoint_info> checkpoints_;  // by step
  std::vector<std::string> problems_;
  // save_async. Lock order: async_mutex_, then state_mutex_; the writer holds write_mutex_ (then
  // state_mutex_) only while no async_mutex_ is held.
  mutable std::mutex async_mutex_;           // guards everything below
  std::condition_variable slot_free_;        // pending_ shrank
  std::condition_variable writer_wake_;      // a snapshot is ready, or the writer must stop
  std::deque<pending_save> pending_;         // in the order of the steps' claims
  std::vector<std::string> spare_buffers_;   // written snapshots' buffers, kept for their capacity
  std::exception_ptr failure_;               // the first background failure not thrown yet
  std::int64_t claimed_step_ = -1;           // the highest step being saved or pending
  bool stopping_writer_ = false;
  std::thread writer_;
};

}  // namespace picklejar
