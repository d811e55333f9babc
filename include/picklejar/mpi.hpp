/// \file
/// picklejar::mpi::checkpoint_manager: sharded checkpoints of a job that runs on several MPI ranks,
/// and picklejar::row_shard (picklejar/row_shard.hpp), the rows of a global matrix that one rank
/// holds. Opt-in: include `<picklejar/mpi.hpp>` and link `picklejar::mpi` (MPI::MPI_CXX).
///
/// ```cpp
/// struct Shard {
///   picklejar::row_shard<Eigen::MatrixXf> w;   // this rank's rows of a global matrix
///   AdamState opt;                             // per-rank state
///   PICKLEJAR_FIELDS(w, opt)
/// };
/// picklejar::mpi::checkpoint_manager ckpt(MPI_COMM_WORLD, "runs/exp1", opts);  // collective
/// shard.w = picklejar::row_shard<Eigen::MatrixXf>(rows, cols, my_offset, my_rows);
/// if (ckpt.latest()) ckpt.load_latest(shard);  // collective; any number of ranks
/// ckpt.save(shard, step, metric);              // collective; one atomic commit
/// ```
///
/// How it works, and why:
/// - Every member function except the accessors is collective: every rank of the communicator
///   calls it, in the same order, with the same step and metric (a rank whose step differs makes
///   the call fail everywhere). MPI carries only coordination (gathers, broadcasts); each rank
///   writes and reads its own files. The directory must be the same one for every rank (a shared
///   file system). A manager is used by one thread.
/// - Files (detail/mpi/manifest.hpp): a checkpoint is a directory `ckpt-<step>` holding one part
///   per rank, `rank-<r>.pj`, written by picklejar::save (atomic, checksummed), and `manifest.pj`:
///   the world size, each part's size and checksum, and for every row_shard (by field path) its
///   global shape and each rank's rows and tensor name. The parts are written into
///   `ckpt-<step>.tmp-<hex>`; once every rank reports its part on disk, rank 0 writes the
///   manifest, renames the directory to its final name (the commit) and flushes the run's
///   directory. A failure on any rank before that (an exception in a hook, a full disk) removes the
///   temporary directory, leaves the previous checkpoint the latest, and every rank throws the same
///   picklejar::error ("on rank 2 of 4: ..."). A rank that dies ends the job (Open MPI's default
///   error handling); its checkpoint was never renamed, and the next manager removes the leftover.
/// - Lock: rank 0 holds the single-process checkpoint_manager's lock on the directory
///   (`picklejar-checkpoint.lock`), so one job (or one checkpoint_manager) writes a run at a time.
/// - Loading on the number of ranks that saved: each rank loads its own part. On another number:
///   each rank first gives its row_shards the layout it wants (global shape, row offset, rows);
///   every member that is not a row_shard is loaded from rank 0's part, and each row_shard keeps
///   the rows it asked for, copied out of the parts that hold them, read one tensor at a time
///   through their tensor index (tensors.hpp). Keep per-rank state that must survive a change of
///   world size (e.g. optimizer moments) in row_shards. A row_shard must be a member the caller's
///   object already holds (not one created by the load, e.g. in a std::vector), since its layout
///   has to be set before the load. Costs on another world size: each rank reads rank 0's whole
///   part, plus the blocks of the parts its rows come from.
/// - Retention: as checkpoint_manager's keep_last / keep_best (checkpoint.hpp), applied by rank 0
///   after each commit, to whole committed checkpoints (every rank's part goes together); the
///   temporary directory of a running save is never touched. A checkpoint is first renamed
///   `ckpt-<step>.deleting-<hex>`, then removed.
/// - Damage: a checkpoint whose manifest cannot be read is skipped and reported by problems();
///   load_latest/load_best skip a checkpoint any rank finds damaged (errc::integrity, including a
///   part that is not the one its manifest describes) and try the next one, all ranks together.
///   Other errors are thrown on every rank.
/// - save_async and threads. The snapshot (each rank's part serialized into memory) is taken in
///   the call, collectively; the bytes are then written by picklejar's background writer thread
///   (the one picklejar::save_async uses), which never calls MPI. The collective rest — every rank
///   reports its written part, rank 0 writes the manifest and commits, retention — happens on the
///   calling thread at the next save, save_async (once max_pending snapshots wait), wait(), or
///   the destructor. So MPI needs no more than MPI_THREAD_FUNNELED from MPI_Init_thread (the
///   process has a thread besides the one calling MPI, but only that one calls MPI), or
///   MPI_THREAD_SERIALIZED if the manager is used from a thread other than the main one; never
///   MPI_THREAD_MULTIPLE. A checkpoint of save_async is committed (and listed by latest()) only
///   after that later call: call wait() to commit it.
#pragma once

#include <mpi.h>

#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <deque>
#include <exception>
#include <filesystem>
#include <future>
#include <iostream>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "picklejar/checkpoint.hpp"
#include "picklejar/detail/mpi/communicator.hpp"
#include "picklejar/detail/mpi/manifest.hpp"
#include "picklejar/detail/mpi/shard_hooks.hpp"
#include "picklejar/detail/mpi/shard_tensors.hpp"
#include "picklejar/row_shard.hpp"

namespace picklejar::detail {

/// The list of committed checkpoints, as rank 0 knows it and broadcasts it.
struct listed_checkpoint {
  std::int64_t step = 0;
  double metric = std::numeric_limits<double>::quiet_NaN();
  std::string time;
  PICKLEJAR_FIELDS(step, metric, time)
};
struct checkpoint_listing {
  std::vector<listed_checkpoint> checkpoints;  // by step
  std::vector<std::string> problems;
  PICKLEJAR_FIELDS(checkpoints, problems)
};

/// What each rank asks for when a save starts.
struct save_request {
  std::int64_t step = 0;
  double metric = 0;
  PICKLEJAR_FIELDS(step, metric)
};

/// What each rank reports of its written part.
struct part_report {
  std::uint64_t bytes = 0;
  std::string checksum;
  std::vector<saved_rows> row_shards;
  PICKLEJAR_FIELDS(bytes, checksum, row_shards)
};

inline bool same_number(double a, double b) noexcept {
  return std::memcmp(&a, &b, sizeof a) == 0 || (std::isnan(a) && std::isnan(b));
}

/// Flushes a directory's entries to disk; errc::io naming it.
inline void flush_directory(const std::filesystem::path& directory) {
  file_descriptor dir(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() < 0) fail_io("cannot open the directory", directory, errno);
  if (::fsync(dir.get()) != 0 && errno != EINVAL) fail_io("cannot flush the directory to disk", directory, errno);
}

}  // namespace picklejar::detail

namespace picklejar::mpi {

/// The sharded checkpoints of one run, in one directory shared by all ranks; see the top of this
/// header. Not copyable or movable; used by one thread.
class checkpoint_manager {
 public:
  /// Collective. Opens (creating it if needed) and, on rank 0, locks `directory`; removes what
  /// interrupted saves and deletions left; reads the checkpoints' manifests (unreadable ones go
  /// to problems()).
  /// \throws std::logic_error if MPI is not initialized; std::invalid_argument (every rank) if
  ///         options.format is not binary (the parts' tensor index serves resharding);
  ///         picklejar::error on every rank when rank 0 cannot create, lock or list the directory
  ///         or read a manifest for an I/O error.
  checkpoint_manager(MPI_Comm communicator, std::filesystem::path directory, checkpoint_options options = {})
      : channel_(communicator), directory_(std::move(directory)), options_(std::move(options)) {
    if (options_.format != format::binary) {
      throw std::invalid_argument(
          "picklejar::mpi::checkpoint_manager writes binary .pj parts (their tensor index serves resharding); "
          "checkpoint_options::format must be format::binary");
    }
    options_.file_options.format = format::binary;
    std::exception_ptr failure;
    std::string listing;
    if (channel_.is_root()) {
      try {
        detail::prepare_checkpoint_directory(directory_);
        lock_.emplace(directory_);
        listing = dumps(scan());
      } catch (...) {
        failure = std::current_exception();
      }
    }
    channel_.agree_or_throw(failure);
    install(listing);
  }

  checkpoint_manager(const checkpoint_manager&) = delete;
  checkpoint_manager& operator=(const checkpoint_manager&) = delete;

  /// Commits the pending save_async checkpoints (collective, as wait()) unless an exception is
  /// propagating or MPI is finalized: then they stay uncommitted (the previous checkpoint stays
  /// the latest) and a note goes to stderr. A failure cannot be thrown from here and goes to
  /// stderr: call wait() first to handle it.
  ~checkpoint_manager() {
    if (pending_.empty()) return;
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (finalized || std::uncaught_exceptions() > 0) {
      for (pending_save& save : pending_) save.written.wait();
      if (channel_.is_root()) {
        std::cerr << "picklejar::mpi::checkpoint_manager: " << pending_.size()
                  << " save_async checkpoint(s) of " << directory_.string()
                  << " left uncommitted (destroyed while an exception propagated or after MPI_Finalize; "
                     "call wait() to commit)\n";
      }
      return;
    }
    try {
      wait();
    } catch (const std::exception& failure) {
      std::cerr << "picklejar::mpi::checkpoint_manager: a save_async checkpoint failed: " << failure.what() << "\n";
    } catch (...) {
      std::cerr << "picklejar::mpi::checkpoint_manager: a save_async checkpoint failed\n";
    }
  }

  /// Collective: every rank saves `object`'s part of checkpoint `step`, and the checkpoint is
  /// committed once every part is on disk (see the top of this header). Pending save_async
  /// checkpoints are committed first. Returns the checkpoint's directory.
  /// \throws std::invalid_argument for a negative step (on every rank that passed it).
  /// \throws picklejar::error, the same on every rank: errc::io for a step at or below the latest
  ///         checkpoint's, for steps that differ between ranks, or for a failed write; whatever
  ///         picklejar::save throws on any rank (naming it). The previous checkpoint stays the
  ///         latest.
  template <class T>
  std::filesystem::path save(const T& object, std::int64_t step,
                             double metric = std::numeric_limits<double>::quiet_NaN()) {
    check_step_sign(step, "save");
    wait();
    const std::filesystem::path temporary = begin_save(step, metric);
    std::exception_ptr failure;
    detail::part_report report;
    try {
      const std::filesystem::path part = temporary / detail::part_file_name(channel_.rank());
      detail::shard_save_recorder recorder;
      {
        const detail::scoped_hook<detail::shard_save_recorder> active(detail::active_shard_recorder(), &recorder);
        picklejar::save(object, part, part_options(step, metric));
      }
      if (!recorder.shards.empty()) {
        const detail::file_contents written(part, std::numeric_limits<std::uint64_t>::max() / 2, true);
        report.row_shards = detail::attributing_errors_to(
            part, [&] { return detail::name_saved_shards(written.bytes(), recorder.shards, options_.file_options); });
      }
      describe_written(part, report);
    } catch (...) {
      failure = std::current_exception();
    }
    return commit(step, metric, temporary, failure, report);
  }

  /// Collective: takes a snapshot of every rank's part now (serialized into memory), hands it to
  /// picklejar's background writer, and returns; the checkpoint is committed, collectively, by a
  /// later save, save_async, wait() or the destructor (see the top of this header: this is what
  /// keeps MPI off the background thread). At most options().max_pending snapshots wait (0 is 1);
  /// one more commits the oldest first.
  /// \throws as save(): a failed snapshot on any rank (nothing is written), or the failure of an
  ///         earlier save_async met while committing it (this save is not made then).
  template <class T>
  std::filesystem::path save_async(const T& object, std::int64_t step,
                                   double metric = std::numeric_limits<double>::quiet_NaN()) {
    check_step_sign(step, "save_async");
    while (pending_.size() >= std::max<std::size_t>(options_.max_pending, 1)) commit_oldest();
    const std::filesystem::path temporary = begin_save(step, metric);
    const std::filesystem::path part = temporary / detail::part_file_name(channel_.rank());
    std::exception_ptr failure;
    std::string bytes;
    detail::part_report report;
    try {
      detail::shard_save_recorder recorder;
      if constexpr (detail::check_root<T>()) {
        const detail::scoped_hook<detail::shard_save_recorder> active(detail::active_shard_recorder(), &recorder);
        detail::attributing_errors_to(
            part, [&] { detail::write_document(object, part_options(step, metric), bytes, detail::sealing::by_writer); },
            "saving");
      }
      // Named now, while the object still holds what the snapshot holds.
      report.row_shards = detail::attributing_errors_to(
          part, [&] { return detail::name_saved_shards(bytes, recorder.shards, options_.file_options); });
    } catch (...) {
      failure = std::current_exception();
    }
    const auto agreed = channel_.agree(failure ? detail::outcome::failed : detail::outcome::ok, failure);
    if (agreed.second) {
      abandon(temporary, step);
      throw *agreed.second;
    }
    pending_.push_back(pending_save{step, metric, temporary, std::move(report),
                                    detail::shared_background_writer::instance().submit(part, std::move(bytes))});
    return directory_ / detail::step_directory_name(step);
  }

  /// Collective: commits every pending save_async checkpoint, oldest first.
  /// \throws picklejar::error (every rank) the first failure met; the later ones are still pending.
  void wait() {
    while (!pending_.empty()) commit_oldest();
  }

  /// Collective: loads the committed checkpoint with the highest step into `object` (see the top
  /// of this header for another number of ranks), skipping damaged ones, and says which it was.
  /// \throws picklejar::error (every rank) errc::io if there is no checkpoint, errc::integrity if
  ///         none loads, errc::type if the object does not fit (a row_shard without a layout on
  ///         another number of ranks, another global shape, another number of row_shards), and
  ///         any other failure of a rank's load.
  template <class T>
  checkpoint_info load_latest(T& object) {
    std::vector<checkpoint_info> candidates = checkpoints();
    std::reverse(candidates.begin(), candidates.end());
    return load_first_loadable(object, candidates, "latest");
  }

  /// Collective: loads the best checkpoint by metric (see checkpoint_options::mode), as
  /// load_latest does. \throws picklejar::error errc::io if no checkpoint has a metric.
  template <class T>
  checkpoint_info load_best(T& object) {
    return load_first_loadable(object, ranked_by_metric(), "best");
  }

  /// The committed checkpoints, by step (lowest first); every rank has the same list.
  std::vector<checkpoint_info> checkpoints() const {
    std::vector<checkpoint_info> all;
    for (const detail::listed_checkpoint& c : listing_.checkpoints) all.push_back(info_of(c));
    return all;
  }
  std::optional<checkpoint_info> latest() const {
    if (listing_.checkpoints.empty()) return std::nullopt;
    return info_of(listing_.checkpoints.back());
  }
  std::optional<std::int64_t> latest_step() const {
    if (listing_.checkpoints.empty()) return std::nullopt;
    return listing_.checkpoints.back().step;
  }
  std::optional<checkpoint_info> best() const {
    const std::vector<checkpoint_info> ranked = ranked_by_metric();
    if (ranked.empty()) return std::nullopt;
    return ranked.front();
  }
  std::optional<std::filesystem::path> best_path() const {
    const std::optional<checkpoint_info> found = best();
    if (!found) return std::nullopt;
    return found->path;
  }
  /// What was skipped or could not be deleted (unreadable manifests, failed deletions), as rank 0
  /// saw it; plus, on each rank, the checkpoints its loads skipped as damaged.
  const std::vector<std::string>& problems() const noexcept { return listing_.problems; }
  /// How many save_async checkpoints wait to be committed.
  std::size_t pending() const noexcept { return pending_.size(); }
  const std::filesystem::path& directory() const noexcept { return directory_; }
  const checkpoint_options& options() const noexcept { return options_; }
  int rank() const noexcept { return channel_.rank(); }
  int world_size() const noexcept { return channel_.size(); }

 private:
  struct pending_save {
    std::int64_t step;
    double metric;
    std::filesystem::path temporary;
    detail::part_report report;
    std::future<void> written;
  };

  static void check_step_sign(std::int64_t step, const char* operation) {
    if (step < 0) {
      throw std::invalid_argument(std::string("picklejar::mpi::checkpoint_manager::") + operation +
                                  ": the step must not be negative, got " + std::to_string(step));
    }
  }

  checkpoint_info info_of(const detail::listed_checkpoint& c) const {
    checkpoint_info info;
    info.path = directory_ / detail::step_directory_name(c.step);
    info.step = c.step;
    info.metric = c.metric;
    info.time = c.time;
    return info;
  }

  std::vector<checkpoint_info> ranked_by_metric() const {
    std::vector<checkpoint_info> ranked;
    for (const detail::listed_checkpoint& c : listing_.checkpoints) {
      if (!std::isnan(c.metric)) ranked.push_back(info_of(c));
    }
    std::sort(ranked.begin(), ranked.end(), [this](const checkpoint_info& a, const checkpoint_info& b) {
      if (a.metric != b.metric) return options_.mode == metric_mode::min ? a.metric < b.metric : a.metric > b.metric;
      return a.step < b.step;
    });
    return ranked;
  }

  picklejar::options part_options(std::int64_t step, double metric) const {
    picklejar::options opts = options_.file_options;
    opts.metadata[detail::checkpoint_key] = "sharded-1";
    opts.metadata[detail::checkpoint_step_key] = std::to_string(step);
    opts.metadata[detail::checkpoint_metric_key] = detail::metric_text(metric);
    opts.metadata["picklejar.checkpoint.rank"] = std::to_string(channel_.rank());
    opts.metadata["picklejar.checkpoint.world_size"] = std::to_string(channel_.size());
    return opts;
  }

  void describe_written(const std::filesystem::path& part, detail::part_report& report) const {
    const file_info header = inspect(part, options_.file_options);
    report.bytes = header.file_bytes;
    report.checksum = header.checksum;
  }

  void install(const std::string& listing_bytes) {
    std::string bytes = listing_bytes;
    channel_.broadcast(bytes);
    listing_ = loads<detail::checkpoint_listing>(bytes);
  }

  /// Rank 0: the committed checkpoints in the directory; removes what interrupted saves and
  /// deletions left (this job holds the lock, so no save of another job is running).
  detail::checkpoint_listing scan() {
    detail::checkpoint_listing found;
    std::error_code failure;
    std::filesystem::directory_iterator entries(directory_, failure);
    if (failure) throw error(errc::io, "cannot list the directory: " + failure.message(), directory_.string());
    for (; entries != std::filesystem::directory_iterator(); entries.increment(failure)) {
      const std::filesystem::path path = entries->path();
      const std::string name = path.filename().string();
      if (detail::is_abandoned_step_directory(name)) {
        std::error_code ignored;
        std::filesystem::remove_all(path, ignored);
        if (ignored) found.problems.push_back(path.string() + ": cannot remove this leftover: " + ignored.message());
        continue;
      }
      const std::optional<std::int64_t> step = detail::step_from_directory_name(name);
      if (!step) continue;
      struct stat status {};
      if (::lstat(path.c_str(), &status) != 0 || !S_ISDIR(status.st_mode)) {
        found.problems.push_back(path.string() + ": not a directory; skipped");
        continue;
      }
      try {
        const detail::checkpoint_manifest manifest = detail::read_manifest(path, *step);
        found.checkpoints.push_back(detail::listed_checkpoint{*step, manifest.metric, manifest.time});
      } catch (const error& e) {
        if (e.code() == errc::io && !detail::vanished(path / detail::manifest_file_name)) throw;
        found.problems.push_back(std::string(e.what()) + " (skipped)");
      }
    }
    if (failure) throw error(errc::io, "cannot list the directory: " + failure.message(), directory_.string());
    std::sort(found.checkpoints.begin(), found.checkpoints.end(),
              [](const detail::listed_checkpoint& a, const detail::listed_checkpoint& b) { return a.step < b.step; });
    return found;
  }

  /// Collective: checks that every rank saves the same step and metric, above the latest one, and
  /// makes the temporary directory the parts go to.
  std::filesystem::path begin_save(std::int64_t step, double metric) {
    const std::vector<std::string> requests = channel_.gather(dumps(detail::save_request{step, metric}));
    std::exception_ptr failure;
    std::string temporary;
    if (channel_.is_root()) {
      try {
        for (std::size_t r = 0; r < requests.size(); ++r) {
          const detail::save_request asked = loads<detail::save_request>(requests[r]);
          if (asked.step != step || !detail::same_number(asked.metric, metric)) {
            throw error(errc::io, "rank " + std::to_string(r) + " saves step " + std::to_string(asked.step) +
                                      " (metric " + detail::metric_text(asked.metric) + "), rank 0 step " +
                                      std::to_string(step) + " (metric " + detail::metric_text(metric) +
                                      "): every rank must save the same checkpoint",
                        directory_.string());
          }
        }
        if (const std::optional<std::int64_t> latest = latest_claimed(); latest && step <= *latest) {
          throw error(errc::io, "step " + std::to_string(step) + " is not above the latest checkpoint's, " +
                                    std::to_string(*latest) + ": resume from it, or start a new directory",
                      directory_.string());
        }
        const std::filesystem::path made =
            directory_ / (detail::step_directory_name(step) + std::string(detail::temporary_step_marker) +
                          detail::hex64(detail::unique_number()));
        if (::mkdir(made.c_str(), 0777) != 0) detail::fail_io("cannot create the checkpoint's directory", made, errno);
        temporary = made.string();
      } catch (...) {
        failure = std::current_exception();
      }
    }
    channel_.agree_or_throw(failure);
    channel_.broadcast(temporary);
    return temporary;
  }

  /// The highest step committed or pending.
  std::optional<std::int64_t> latest_claimed() const {
    std::optional<std::int64_t> latest = latest_step();
    for (const pending_save& save : pending_) {
      if (!latest || save.step > *latest) latest = save.step;
    }
    return latest;
  }

  /// Rank 0: removes a temporary directory whose save failed (best effort).
  void abandon(const std::filesystem::path& temporary, std::int64_t step) {
    if (!channel_.is_root()) return;
    std::error_code failure;
    std::filesystem::remove_all(temporary, failure);
    if (failure) {
      listing_.problems.push_back(temporary.string() + ": cannot remove the directory of failed step " +
                                  std::to_string(step) + ": " + failure.message());
    }
  }

  void commit_oldest() {
    pending_save save = std::move(pending_.front());
    pending_.pop_front();
    std::exception_ptr failure;
    try {
      save.written.get();
      describe_written(save.temporary / detail::part_file_name(channel_.rank()), save.report);
    } catch (...) {
      failure = std::current_exception();
    }
    commit(save.step, save.metric, save.temporary, failure, save.report);
  }

  /// Collective: every rank says whether its part is on disk; if all are, rank 0 writes the
  /// manifest and renames the directory (the commit), then applies retention.
  std::filesystem::path commit(std::int64_t step, double metric, const std::filesystem::path& temporary,
                               const std::exception_ptr& local_failure, const detail::part_report& report) {
    const auto agreed = channel_.agree(local_failure ? detail::outcome::failed : detail::outcome::ok, local_failure);
    if (agreed.second) {
      abandon(temporary, step);
      throw *agreed.second;
    }
    const std::vector<std::string> reports = channel_.gather(dumps(report));
    const std::filesystem::path final_path = directory_ / detail::step_directory_name(step);
    std::exception_ptr failure;
    std::string listing;
    if (channel_.is_root()) {
      bool renamed = false;
      try {
        detail::checkpoint_manifest manifest = build_manifest(step, metric, reports);
        picklejar::save(manifest, temporary / detail::manifest_file_name);
        if (::rename(temporary.c_str(), final_path.c_str()) != 0)
          detail::fail_io("cannot commit the checkpoint (rename)", final_path, errno);
        renamed = true;
        detail::flush_directory(directory_);
        listing_.checkpoints.push_back(detail::listed_checkpoint{step, metric, manifest.time});
        apply_retention();
        listing = dumps(listing_);
      } catch (...) {
        failure = std::current_exception();
        if (!renamed) abandon(temporary, step);
      }
    }
    channel_.agree_or_throw(failure);
    install(listing);
    return final_path;
  }

  /// Rank 0: the manifest from every rank's report; errc::type when the row_shards do not agree.
  detail::checkpoint_manifest build_manifest(std::int64_t step, double metric,
                                             const std::vector<std::string>& reports) const {
    detail::checkpoint_manifest manifest;
    manifest.step = step;
    manifest.metric = metric;
    manifest.time = detail::utc_time_text(std::chrono::system_clock::now());
    manifest.world_size = channel_.size();
    std::vector<detail::part_report> parts;
    for (const std::string& bytes : reports) parts.push_back(loads<detail::part_report>(bytes));
    for (std::size_t r = 0; r < parts.size(); ++r) {
      manifest.parts.push_back(
          detail::manifest_part{detail::part_file_name(static_cast<int>(r)), parts[r].bytes, parts[r].checksum});
    }
    const std::size_t shards = parts.front().row_shards.size();
    for (std::size_t k = 0; k < shards; ++k) {
      const detail::saved_rows& first = parts.front().row_shards[k];
      detail::manifest_row_shard shard;
      shard.field = detail::shard_field_of(first.tensor);
      shard.global_rows = first.global_rows;
      shard.global_cols = first.global_cols;
      for (std::size_t r = 0; r < parts.size(); ++r) {
        if (parts[r].row_shards.size() != shards) {
          throw error(errc::type, "rank " + std::to_string(r) + " saves " + std::to_string(parts[r].row_shards.size()) +
                                      " row_shards, rank 0 " + std::to_string(shards) +
                                      ": every rank's object must hold the same row_shards",
                      directory_.string());
        }
        const detail::saved_rows& rows = parts[r].row_shards[k];
        if (rows.global_rows != shard.global_rows || rows.global_cols != shard.global_cols) {
          throw error(errc::type, "row_shard '" + shard.field + "' is " + std::to_string(rows.global_rows) + "x" +
                                      std::to_string(rows.global_cols) + " on rank " + std::to_string(r) + " and " +
                                      std::to_string(shard.global_rows) + "x" + std::to_string(shard.global_cols) +
                                      " on rank 0",
                      directory_.string());
        }
        if (shard.field.empty() && rows.local_rows > 0) shard.field = detail::shard_field_of(rows.tensor);
        shard.ranks.push_back(detail::manifest_rows{rows.row_offset, rows.local_rows, rows.tensor});
      }
      manifest.row_shards.push_back(std::move(shard));
    }
    // The same checks a load makes: the ranks' rows must tile each matrix.
    try {
      detail::check_manifest(manifest, step, {});
    } catch (const error& e) {
      throw error(errc::type, "cannot save this sharded checkpoint: " + e.reason(), directory_.string());
    }
    return manifest;
  }

  /// Rank 0, after a commit: as checkpoint_manager's retention (checkpoint.hpp), per checkpoint
  /// directory. A failed deletion goes to problems().
  void apply_retention() {
    std::vector<std::int64_t> kept;
    std::vector<detail::listed_checkpoint>& all = listing_.checkpoints;
    const std::size_t recent = std::min(options_.keep_last, all.size());
    for (std::size_t i = all.size() - recent; i < all.size(); ++i) kept.push_back(all[i].step);
    const std::vector<checkpoint_info> ranked = ranked_by_metric();
    const std::size_t best = std::min(std::max<std::size_t>(options_.keep_best, 1), ranked.size());
    for (std::size_t i = 0; i < best; ++i) kept.push_back(ranked[i].step);

    std::vector<detail::listed_checkpoint> still_there;
    bool removed_any = false;
    for (const detail::listed_checkpoint& c : all) {
      if (std::find(kept.begin(), kept.end(), c.step) != kept.end()) {
        still_there.push_back(c);
        continue;
      }
      const std::filesystem::path path = directory_ / detail::step_directory_name(c.step);
      const std::filesystem::path retired =
          directory_ / (detail::step_directory_name(c.step) + std::string(detail::deleting_step_marker) +
                        detail::hex64(detail::unique_number()));
      if (::rename(path.c_str(), retired.c_str()) != 0) {
        listing_.problems.push_back(path.string() + ": cannot delete this old checkpoint: " + std::strerror(errno));
        still_there.push_back(c);
        continue;
      }
      removed_any = true;
      std::error_code failure;
      std::filesystem::remove_all(retired, failure);
      if (failure) listing_.problems.push_back(retired.string() + ": cannot remove: " + failure.message());
    }
    all = std::move(still_there);
    if (removed_any) {
      try {
        detail::flush_directory(directory_);
      } catch (const error& e) {
        listing_.problems.push_back(e.what());
      }
    }
  }

  /// Collective: tries the candidates in turn until one loads on every rank.
  template <class T>
  checkpoint_info load_first_loadable(T& object, const std::vector<checkpoint_info>& candidates, const char* which) {
    if (candidates.empty()) {
      throw error(errc::io,
                  std::string("no ") + (std::string(which) == "best" ? "checkpoint with a metric" : "checkpoint") +
                      " to load",
                  directory_.string());
    }
    for (const checkpoint_info& candidate : candidates) {
      std::exception_ptr failure;
      detail::outcome mine = detail::outcome::ok;
      try {
        load_checkpoint(object, candidate);
      } catch (const error& e) {
        failure = std::current_exception();
        mine = e.code() == errc::integrity ? detail::outcome::skippable : detail::outcome::failed;
      } catch (...) {
        failure = std::current_exception();
        mine = detail::outcome::failed;
      }
      const auto agreed = channel_.agree(mine, failure);
      if (agreed.first == detail::outcome::ok) return candidate;
      if (agreed.first == detail::outcome::failed) throw *agreed.second;
      listing_.problems.push_back(std::string(agreed.second->what()) + " (skipped)");
    }
    throw error(errc::integrity, std::string("none of the ") + std::to_string(candidates.size()) +
                                     " checkpoints loads (see problems())",
                directory_.string());
  }

  template <class T>
  void load_checkpoint(T& object, const checkpoint_info& checkpoint) {
    const detail::checkpoint_manifest manifest = detail::read_manifest(checkpoint.path, checkpoint.step);
    const bool same_world = manifest.world_size == channel_.size();
    const int source = same_world ? channel_.rank() : 0;
    const detail::manifest_part& part = manifest.parts[static_cast<std::size_t>(source)];
    const std::filesystem::path file = checkpoint.path / part.file;
    detail::check_part_matches(file, part, options_.file_options);
    detail::manifest_shard_loader loader(manifest, checkpoint.path, channel_.size(), source, options_.file_options);
    {
      const detail::scoped_hook<detail::shard_loader> active(detail::active_shard_loader(), &loader);
      picklejar::load(object, file, options_.file_options);
    }
    loader.finish();
  }

  detail::mpi_channel channel_;
  std::filesystem::path directory_;
  checkpoint_options options_;
  std::optional<detail::directory_lock> lock_;  // rank 0 only
  detail::checkpoint_listing listing_;
  std::deque<pending_save> pending_;
};

}  // namespace picklejar::mpi
