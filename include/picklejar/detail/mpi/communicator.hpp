// The MPI calls of sharded checkpoints, all collective, all on the calling thread: broadcasts,
// gathers and one agreement step that turns a failure on any rank into the same picklejar::error
// on every rank. MPI is used for coordination only; each rank does its own file I/O.
//
// The communicator is a duplicate of the caller's (MPI_Comm_dup), so checkpoint traffic never
// matches the application's own messages. Every collective here is entered by every rank in the
// same order, whatever failed locally: a rank that fails records its failure and still takes part,
// so no rank waits for one that gave up (a rank that dies ends the job: Open MPI's default).
#pragma once

#include <mpi.h>

#include <climits>
#include <cstdint>
#include <exception>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "picklejar/error.hpp"
#include "picklejar/picklejar.hpp"

namespace picklejar::detail {

/// A failure as it travels from one rank to the others.
struct failure_message {
  std::int32_t code = 0;
  std::int32_t rank = 0;
  std::string reason;
  std::string file;
  std::string field_path;
  PICKLEJAR_FIELDS(code, rank, reason, file, field_path)
};

/// How bad a rank's outcome is; the worst one on any rank decides (agree()).
enum class outcome : int { ok = 0, skippable = 1, failed = 2 };

inline failure_message describe_failure(const std::exception_ptr& failure, int rank) {
  failure_message message;
  message.rank = rank;
  message.code = static_cast<std::int32_t>(errc::io);
  try {
    std::rethrow_exception(failure);
  } catch (const error& e) {
    message.code = static_cast<std::int32_t>(e.code());
    message.reason = e.reason();
    message.file = e.file();
    message.field_path = e.field_path();
  } catch (const std::exception& e) {
    message.reason = e.what();
  } catch (...) {
    message.reason = "an exception that is not a std::exception";
  }
  return message;
}

inline error rebuild_failure(const failure_message& message, int world_size) {
  const bool known = message.code >= static_cast<std::int32_t>(errc::io) &&
                     message.code <= static_cast<std::int32_t>(errc::version);
  const errc code = known ? static_cast<errc>(message.code) : errc::io;
  return error(code,
               "on rank " + std::to_string(message.rank) + " of " + std::to_string(world_size) + ": " + message.reason,
               message.file, message.field_path);
}

class mpi_channel {
 public:
  /// Collective over `communicator`. \throws std::logic_error when MPI is not initialized.
  explicit mpi_channel(MPI_Comm communicator) {
    int initialized = 0;
    int finalized = 0;
    MPI_Initialized(&initialized);
    MPI_Finalized(&finalized);
    if (!initialized || finalized) {
      throw std::logic_error("picklejar::mpi::checkpoint_manager needs MPI to be initialized (and not finalized)");
    }
    MPI_Comm_dup(communicator, &communicator_);
    MPI_Comm_rank(communicator_, &rank_);
    MPI_Comm_size(communicator_, &size_);
  }
  mpi_channel(const mpi_channel&) = delete;
  mpi_channel& operator=(const mpi_channel&) = delete;
  ~mpi_channel() {
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (!finalized && communicator_ != MPI_COMM_NULL) MPI_Comm_free(&communicator_);
  }

  int rank() const noexcept { return rank_; }
  int size() const noexcept { return size_; }
  bool is_root() const noexcept { return rank_ == 0; }
  MPI_Comm communicator() const noexcept { return communicator_; }

  /// Every rank ends with the root's `bytes`.
  void broadcast(std::string& bytes, int root = 0) const {
    std::uint64_t size = bytes.size();
    MPI_Bcast(&size, 1, MPI_UINT64_T, root, communicator_);
    if (size > static_cast<std::uint64_t>(INT_MAX)) throw std::length_error("picklejar: MPI message too large");
    if (rank_ != root) bytes.resize(static_cast<std::size_t>(size));
    if (size != 0) MPI_Bcast(bytes.data(), static_cast<int>(size), MPI_CHAR, root, communicator_);
  }

  /// The root gets every rank's `mine`, by rank; the others get nothing.
  std::vector<std::string> gather(const std::string& mine, int root = 0) const {
    const int size = mine.size() > static_cast<std::size_t>(INT_MAX) ? -1 : static_cast<int>(mine.size());
    std::vector<int> sizes(rank_ == root ? static_cast<std::size_t>(size_) : 0);
    MPI_Gather(&size, 1, MPI_INT, sizes.data(), 1, MPI_INT, root, communicator_);
    std::vector<std::string> all;
    std::vector<int> offsets;
    std::string joined;
    if (rank_ == root) {
      std::int64_t total = 0;
      for (int s : sizes) {
        offsets.push_back(static_cast<int>(total));
        total += s < 0 ? 0 : s;
        if (s < 0 || total > INT_MAX) throw std::length_error("picklejar: MPI message too large");
      }
      joined.resize(static_cast<std::size_t>(total));
    }
    MPI_Gatherv(mine.data(), size < 0 ? 0 : size, MPI_CHAR, joined.data(), sizes.data(), offsets.data(), MPI_CHAR,
                root, communicator_);
    if (rank_ == root) {
      for (int r = 0; r < size_; ++r) {
        all.push_back(joined.substr(static_cast<std::size_t>(offsets[static_cast<std::size_t>(r)]),
                                    static_cast<std::size_t>(sizes[static_cast<std::size_t>(r)])));
      }
    }
    return all;
  }

  /// Every rank brings its outcome (and the failure behind it, if any); every rank learns the worst
  /// outcome of all and, when it is not ok, the failure of the first rank that had it, as the same
  /// picklejar::error everywhere.
  std::pair<outcome, std::optional<error>> agree(outcome mine, const std::exception_ptr& failure) const {
    std::vector<int> outcomes(static_cast<std::size_t>(size_));
    int own = static_cast<int>(mine);
    MPI_Allgather(&own, 1, MPI_INT, outcomes.data(), 1, MPI_INT, communicator_);
    int worst = 0;
    int teller = 0;
    for (int r = 0; r < size_; ++r) {
      if (outcomes[static_cast<std::size_t>(r)] > worst) {
        worst = outcomes[static_cast<std::size_t>(r)];
        teller = r;
      }
    }
    if (worst == 0) return {outcome::ok, std::nullopt};
    std::string bytes;
    if (rank_ == teller) {
      const failure_message message =
          failure ? describe_failure(failure, rank_) : failure_message{static_cast<std::int32_t>(errc::io), rank_,
                                                                       "failed without saying why", {}, {}};
      bytes = dumps(message);
    }
    broadcast(bytes, teller);
    return {static_cast<outcome>(worst), rebuild_failure(loads<failure_message>(bytes), size_)};
  }

  /// agree() for plain success or failure: throws the agreed failure on every rank.
  void agree_or_throw(const std::exception_ptr& failure) const {
    auto agreed = agree(failure ? outcome::failed : outcome::ok, failure);
    if (agreed.second) throw *agreed.second;
  }

 private:
  MPI_Comm communicator_ = MPI_COMM_NULL;
  int rank_ = 0;
  int size_ = 1;
};

}  // namespace picklejar::detail
