// How a row_shard talks to the checkpoint that saves or loads it, without knowing about MPI: while a
// sharded checkpoint is saved, row_shard::get_state() reports each shard's layout and memory to
// the active shard_save_recorder (so that the part's tensor index can be searched for its rows);
// while one is loaded, row_shard::set_state() asks the active shard_loader what to do with the
// state it was given: take it (the rank's own part), or keep the layout the caller asked for and
// fetch those rows from the parts that hold them (another number of ranks).
//
// Both are thread_local pointers set for the duration of one save or load on the calling thread
// (picklejar serializes on the thread that calls it), so unrelated saves on other threads, and
// plain picklejar::save/load of a row_shard, never see them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "picklejar/detail/declare/dtypes.hpp"

namespace picklejar {
class tensor_file;
}

namespace picklejar::detail {

/// Where one rank's rows sit in a global matrix.
struct shard_layout {
  std::int64_t global_rows = 0;
  std::int64_t global_cols = 0;
  std::int64_t row_offset = 0;
  std::int64_t local_rows = 0;

  friend bool operator==(const shard_layout& a, const shard_layout& b) noexcept {
    return a.global_rows == b.global_rows && a.global_cols == b.global_cols && a.row_offset == b.row_offset &&
           a.local_rows == b.local_rows;
  }
  friend bool operator!=(const shard_layout& a, const shard_layout& b) noexcept { return !(a == b); }
};

inline std::string to_string(const shard_layout& layout) {
  return "rows " + std::to_string(layout.row_offset) + ".." + std::to_string(layout.row_offset + layout.local_rows) +
         " of " + std::to_string(layout.global_rows) + "x" + std::to_string(layout.global_cols);
}

/// One row_shard met by a save: its layout, and how to recognise its local block in the file.
struct saved_shard {
  shard_layout layout;
  dtype type = dtype::f32;
  std::size_t element_size = 0;
  const void* matrix = nullptr;  // the row_shard's local matrix, alive while the save runs
  /// Whether `data` (the file's bytes of a [local_rows, global_cols] tensor, in Eigen's
  /// column-major order when `column_major`) holds exactly the matrix's elements.
  bool (*same_data)(const void* matrix, const char* data, bool column_major) = nullptr;
};

struct shard_save_recorder {
  std::vector<saved_shard> shards;  // in the order the save met them
};

inline shard_save_recorder*& active_shard_recorder() noexcept {
  thread_local shard_save_recorder* active = nullptr;
  return active;
}

/// Rows [source_row, source_row + rows) of rank `rank`'s block (tensor `tensor`, `tensor_rows`
/// rows) go to rows [target_row, ...) of the shard being loaded.
struct shard_piece {
  int rank = 0;
  std::string tensor;
  std::int64_t tensor_rows = 0;
  std::int64_t source_row = 0;
  std::int64_t target_row = 0;
  std::int64_t rows = 0;
};

/// What row_shard::set_state does with a saved state during a checkpoint load.
struct shard_plan {
  bool take_saved = true;        // use the state from the file as it is
  shard_layout layout;           // otherwise: this layout, filled from `pieces`
  std::vector<shard_piece> pieces;
};

class shard_loader {
 public:
  virtual ~shard_loader() = default;
  /// Called once per row_shard, in the order the load meets them. `requested` is the layout the
  /// caller gave the row_shard before the load (null: it has none); `saved` the one in the part
  /// being loaded. \throws picklejar::error when the two cannot be reconciled.
  virtual shard_plan plan(const shard_layout* requested, const shard_layout& saved) = 0;
  /// The tensor file of rank `rank`'s part (opened once, checked against the manifest).
  virtual const tensor_file& part(int rank) = 0;
  /// The rank whose part is being loaded: its blocks are in the saved state already.
  virtual int source_rank() const noexcept = 0;
};

inline shard_loader*& active_shard_loader() noexcept {
  thread_local shard_loader* active = nullptr;
  return active;
}

/// Sets a thread_local hook for one scope (restoring the previous one on the way out).
template <class Hook>
class scoped_hook {
 public:
  scoped_hook(Hook*& slot, Hook* hook) noexcept : slot_(slot), previous_(slot) { slot_ = hook; }
  scoped_hook(const scoped_hook&) = delete;
  scoped_hook& operator=(const scoped_hook&) = delete;
  ~scoped_hook() { slot_ = previous_; }

 private:
  Hook*& slot_;
  Hook* previous_;
};

}  // namespace picklejar::detail
