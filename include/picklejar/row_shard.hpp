/// \file
/// picklejar::row_shard<M>: one rank's rows of a global matrix, for sharded checkpoints
/// (picklejar/mpi.hpp). Needs Eigen; no MPI: a row_shard saves and loads like any other member.
///
/// ```cpp
/// // rows [row_offset, row_offset + local_rows) of a global_rows x global_cols matrix
/// picklejar::row_shard<Eigen::MatrixXf> w(global_rows, global_cols, row_offset, local_rows);
/// w.local().setRandom();   // local_rows x global_cols
/// ```
///
/// What is saved: the layout (global_rows, global_cols, row_offset, local_rows) and the local
/// matrix as a field called `local`, so a row_shard member `w` is the tensor "w.local" in the
/// file's tensor index (tensors.hpp). That name is how a sharded checkpoint loaded on another
/// number of ranks finds the rows it needs in the other ranks' files.
///
/// Loading outside a sharded checkpoint takes the saved layout and rows. Inside one
/// (mpi::checkpoint_manager::load_latest), a row_shard that the caller gave a layout keeps it and
/// gets exactly those rows, from whichever parts hold them.
#pragma once

#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <utility>

#include "picklejar/detail/mpi/shard_hooks.hpp"
#include "picklejar/eigen.hpp"
#include "picklejar/picklejar.hpp"
#include "picklejar/tensors.hpp"

namespace picklejar {

namespace detail {

/// Whether `data`, the file's bytes of a block shaped like `matrix`, holds exactly its elements
/// (compared bit for bit: a NaN equals itself).
template <class M>
bool same_block_data(const void* matrix, const char* data, bool column_major) {
  const M& m = *static_cast<const M*>(matrix);
  using scalar = typename M::Scalar;
  const Eigen::Index rows = m.rows();
  const Eigen::Index cols = m.cols();
  for (Eigen::Index i = 0; i < rows; ++i) {
    for (Eigen::Index j = 0; j < cols; ++j) {
      const Eigen::Index at = column_major ? j * rows + i : i * cols + j;
      const scalar value = m(i, j);
      if (std::memcmp(&value, data + static_cast<std::size_t>(at) * sizeof(scalar), sizeof(scalar)) != 0)
        return false;
    }
  }
  return true;
}

/// Checks a layout read from a file: errc::format when it contradicts itself.
inline void check_saved_shard(const shard_layout& saved, std::int64_t rows, std::int64_t cols) {
  const bool fits = saved.global_rows >= 0 && saved.global_cols >= 0 && saved.row_offset >= 0 &&
                    saved.local_rows >= 0 && saved.row_offset <= saved.global_rows &&
                    saved.local_rows <= saved.global_rows - saved.row_offset && rows == saved.local_rows &&
                    cols == saved.global_cols;
  if (!fits) {
    throw error(errc::format, "a row_shard's saved layout (" + to_string(saved) + ") does not fit its local matrix (" +
                                  std::to_string(rows) + "x" + std::to_string(cols) + ")");
  }
}

}  // namespace detail

/// Rows [row_offset(), row_offset() + local_rows()) of a global_rows() x global_cols() matrix; the
/// rows themselves are local(). M is an Eigen dense matrix with a dynamic number of rows
/// (Eigen::MatrixXf, a row-major matrix, Eigen::VectorXd, ...) whose scalar a tensor can hold.
template <class M>
class row_shard {
  static_assert(M::RowsAtCompileTime == Eigen::Dynamic,
                "picklejar::row_shard<M>: M must have a dynamic number of rows (Eigen::MatrixXf, ...)");
  static_assert(detail::dtype_of<typename M::Scalar>::known,
                "picklejar::row_shard<M>: M's scalar must be a tensor element type (float, double, integers, ...)");

 public:
  using matrix_type = M;
  using scalar_type = typename M::Scalar;

  /// What is saved (written inline: its fields appear directly under the row_shard's name).
  struct state {
    std::int64_t global_rows = 0;
    std::int64_t global_cols = 0;
    std::int64_t row_offset = 0;
    std::int64_t local_rows = 0;
    M local;
    PICKLEJAR_FIELDS(global_rows, global_cols, row_offset, local_rows, local)
  };

  /// No layout yet: loading a checkpoint on the number of ranks that saved it gives it the saved
  /// one; on another number of ranks, give it a layout first.
  row_shard() = default;

  /// \throws std::invalid_argument when the rows do not lie inside the global matrix, or M's
  ///         fixed number of columns is not global_cols.
  row_shard(std::int64_t global_rows, std::int64_t global_cols, std::int64_t row_offset, std::int64_t local_rows)
      : has_layout_(true) {
    if (global_rows < 0 || global_cols < 0 || row_offset < 0 || local_rows < 0 || row_offset > global_rows ||
        local_rows > global_rows - row_offset) {
      throw std::invalid_argument("picklejar::row_shard: rows " + std::to_string(row_offset) + ".." +
                                  std::to_string(row_offset + local_rows) + " do not lie inside a matrix of " +
                                  std::to_string(global_rows) + " rows (or a size is negative)");
    }
    if (M::ColsAtCompileTime != Eigen::Dynamic && global_cols != M::ColsAtCompileTime) {
      throw std::invalid_argument("picklejar::row_shard: M has " + std::to_string(M::ColsAtCompileTime) +
                                  " columns, not " + std::to_string(global_cols));
    }
    state_.global_rows = global_rows;
    state_.global_cols = global_cols;
    state_.row_offset = row_offset;
    state_.local_rows = local_rows;
    state_.local.resize(static_cast<Eigen::Index>(local_rows), static_cast<Eigen::Index>(global_cols));
  }

  std::int64_t global_rows() const noexcept { return state_.global_rows; }
  std::int64_t global_cols() const noexcept { return state_.global_cols; }
  std::int64_t row_offset() const noexcept { return state_.row_offset; }
  std::int64_t local_rows() const noexcept { return state_.local_rows; }
  /// This rank's rows: local_rows() x global_cols(). Keep that shape (a save checks it).
  M& local() noexcept { return state_.local; }
  const M& local() const noexcept { return state_.local; }
  /// Whether it was given a layout (by the constructor or a load).
  bool has_layout() const noexcept { return has_layout_; }

  /// Saving hook. \throws picklejar::error errc::type when local() lost its shape.
  const state& get_state() const {
    if (state_.local.rows() != state_.local_rows || state_.local.cols() != state_.global_cols) {
      throw error(errc::type, "row_shard::local() is " + std::to_string(state_.local.rows()) + "x" +
                                  std::to_string(state_.local.cols()) + " but its layout says " +
                                  detail::to_string(layout()) + " (local_rows x global_cols)");
    }
    if (detail::shard_save_recorder* recorder = detail::active_shard_recorder()) {
      recorder->shards.push_back(detail::saved_shard{layout(), detail::dtype_of<scalar_type>::value, sizeof(scalar_type),
                                                     &state_.local, &detail::same_block_data<M>});
    }
    return state_;
  }

  /// Loading hook (see the top of this header for what a sharded checkpoint load does).
  void set_state(state saved) {
    const detail::shard_layout saved_layout{saved.global_rows, saved.global_cols, saved.row_offset, saved.local_rows};
    detail::check_saved_shard(saved_layout, saved.local.rows(), saved.local.cols());
    detail::shard_loader* loader = detail::active_shard_loader();
    const detail::shard_layout requested = layout();
    const detail::shard_plan plan =
        loader != nullptr ? loader->plan(has_layout_ ? &requested : nullptr, saved_layout) : detail::shard_plan{};
    if (plan.take_saved) {
      state_ = std::move(saved);
      has_layout_ = true;
      return;
    }
    M local(static_cast<Eigen::Index>(plan.layout.local_rows), static_cast<Eigen::Index>(plan.layout.global_cols));
    for (const detail::shard_piece& piece : plan.pieces) {
      const auto target = static_cast<Eigen::Index>(piece.target_row);
      const auto rows = static_cast<Eigen::Index>(piece.rows);
      if (piece.rank == loader->source_rank()) {
        local.middleRows(target, rows) = saved.local.middleRows(static_cast<Eigen::Index>(piece.source_row), rows);
        continue;
      }
      const tensor_file& part = loader->part(piece.rank);
      const tensor_view<scalar_type> block = part.template view<scalar_type>(piece.tensor);
      if (block.rows() != piece.tensor_rows || block.cols() != plan.layout.global_cols) {
        throw error(errc::format,
                    "tensor '" + piece.tensor + "' is " + std::to_string(block.rows()) + "x" +
                        std::to_string(block.cols()) + ", but the checkpoint's manifest says " +
                        std::to_string(piece.tensor_rows) + "x" + std::to_string(plan.layout.global_cols),
                    part.path().string());
      }
      local.middleRows(target, rows) = block.middleRows(static_cast<Eigen::Index>(piece.source_row), rows);
    }
    state_.global_rows = plan.layout.global_rows;
    state_.global_cols = plan.layout.global_cols;
    state_.row_offset = plan.layout.row_offset;
    state_.local_rows = plan.layout.local_rows;
    state_.local = std::move(local);
    has_layout_ = true;
  }

 private:
  detail::shard_layout layout() const noexcept {
    return {state_.global_rows, state_.global_cols, state_.row_offset, state_.local_rows};
  }

  state state_;
  bool has_layout_ = false;
};

}  // namespace picklejar
