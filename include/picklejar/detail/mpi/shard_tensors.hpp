// The two ends of resharding, without MPI:
// - After a rank's part is serialized, which tensor of its index holds each row_shard's rows
//   (name_saved_shards): the candidates are the tensors called "local" or "*.local" of the right
//   dtype and shape, and the one whose bytes are the row_shard's own is taken (so a member of the
//   user's that happens to be called `local` is never mistaken for it).
// - While a checkpoint is loaded, what each row_shard gets (manifest_shard_loader): its own part's
//   rows on the number of ranks that saved it, or the rows it asks for, cut out of the parts that
//   hold them (read through their tensor index, one tensor at a time, verified by its checksum).
#pragma once

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "picklejar/detail/mpi/manifest.hpp"
#include "picklejar/detail/mpi/shard_hooks.hpp"
#include "picklejar/tensors.hpp"

namespace picklejar::detail {

/// One row_shard as one rank saved it; what the rank tells rank 0 for the manifest.
struct saved_rows {
  std::int64_t global_rows = 0;
  std::int64_t global_cols = 0;
  std::int64_t row_offset = 0;
  std::int64_t local_rows = 0;
  std::string tensor;
  PICKLEJAR_FIELDS(global_rows, global_cols, row_offset, local_rows, tensor)
};

inline bool names_a_local_block(std::string_view name) {
  constexpr std::string_view local = "local";
  if (name == local) return true;
  return name.size() > local.size() && name.substr(name.size() - local.size() - 1) == ".local";
}

/// The tensors of a part (the bytes of a binary .pj document, sealed or not) that hold the
/// row_shards a save recorded, in the recorder's order.
/// \throws picklejar::error errc::type when a row_shard's block cannot be found.
inline std::vector<saved_rows> name_saved_shards(std::string_view document, const std::vector<saved_shard>& shards,
                                                 const options& opts) {
  std::vector<saved_rows> named;
  if (shards.empty()) return named;
  const tensor_layout layout = tensor_layout_of(document, opts);
  std::vector<bool> taken(layout.tensors.size(), false);
  for (const saved_shard& shard : shards) {
    const std::int64_t rows = shard.layout.local_rows;
    const std::int64_t cols = shard.layout.global_cols;
    std::size_t found = layout.tensors.size();
    for (std::size_t i = 0; i < layout.tensors.size() && found == layout.tensors.size(); ++i) {
      const tensor_location& tensor = layout.tensors[i];
      if (taken[i] || tensor.type != shard.type || !names_a_local_block(tensor.name)) continue;
      const bool shaped = (tensor.shape.size() == 2 && tensor.shape[0] == rows && tensor.shape[1] == cols) ||
                          (tensor.shape.size() == 1 && cols == 1 && tensor.shape[0] == rows);
      const auto bytes = static_cast<std::uint64_t>(rows) * static_cast<std::uint64_t>(cols) * shard.element_size;
      if (!shaped || tensor.end - tensor.begin != bytes || tensor.end > document.size()) continue;
      if (shard.same_data(shard.matrix, document.data() + tensor.begin, tensor.column_major)) found = i;
    }
    if (found == layout.tensors.size()) {
      throw error(errc::type, "cannot find the rows of a row_shard (" + to_string(shard.layout) +
                                  ") in its part's tensor index: is it inside a type that hides its Eigen members?");
    }
    taken[found] = true;
    named.push_back(saved_rows{shard.layout.global_rows, shard.layout.global_cols, shard.layout.row_offset,
                               shard.layout.local_rows, layout.tensors[found].name});
  }
  return named;
}

/// The field path of a row_shard whose block is the tensor `tensor` ("w.local" -> "w").
inline std::string shard_field_of(const std::string& tensor) {
  return tensor == "local" ? std::string() : tensor.substr(0, tensor.size() - 6);
}

/// Checks that a part on disk is the one the manifest describes (same size, same checksum).
inline void check_part_matches(const std::filesystem::path& file, const manifest_part& expected, const options& opts) {
  const file_info header = inspect(file, opts);
  if (header.file_bytes != expected.bytes || header.checksum != expected.checksum) {
    throw error(errc::integrity,
                "this part of the checkpoint is not the one its manifest describes (" +
                    std::to_string(header.file_bytes) + " bytes, " + header.checksum + "; the manifest says " +
                    std::to_string(expected.bytes) + " bytes, " + expected.checksum + ")",
                file.string());
  }
}

/// What row_shards get while one rank loads a checkpoint (see shard_hooks.hpp).
class manifest_shard_loader final : public shard_loader {
 public:
  /// `source`: the rank whose part is being loaded (this rank's own on the same number of ranks,
  /// else rank 0's).
  manifest_shard_loader(const checkpoint_manifest& manifest, std::filesystem::path directory, int world_size,
                        int source, options opts)
      : manifest_(manifest),
        directory_(std::move(directory)),
        same_world_(manifest.world_size == world_size),
        source_(source),
        opts_(std::move(opts)) {}

  shard_plan plan(const shard_layout* requested, const shard_layout& saved) override {
    const std::size_t ordinal = next_++;
    if (ordinal >= manifest_.row_shards.size()) {
      fail("the object has more row_shards than the " + std::to_string(manifest_.row_shards.size()) +
           " the checkpoint holds");
    }
    const manifest_row_shard& shard = manifest_.row_shards[ordinal];
    const manifest_rows& source_rows = shard.ranks[static_cast<std::size_t>(source_)];
    const std::string name = "row_shard '" + shard.field + "'";
    if (saved != shard_layout{shard.global_rows, shard.global_cols, source_rows.row_offset, source_rows.local_rows}) {
      fail(name + ": the part's layout (" + to_string(saved) + ") is not the manifest's");
    }
    shard_plan plan;
    if (requested == nullptr) {
      if (same_world_) return plan;
      fail(name + " has no layout: the checkpoint was saved on " + std::to_string(manifest_.world_size) +
           " ranks, so give every row_shard its global shape, row offset and rows before loading it on another number");
    }
    if (requested->global_rows != shard.global_rows || requested->global_cols != shard.global_cols) {
      throw error(errc::type, name + " is " + std::to_string(shard.global_rows) + "x" +
                                  std::to_string(shard.global_cols) + " in the checkpoint, but the object's is " +
                                  std::to_string(requested->global_rows) + "x" + std::to_string(requested->global_cols),
                  directory_.string());
    }
    if (same_world_ && *requested == saved) return plan;
    plan.take_saved = false;
    plan.layout = *requested;
    const std::int64_t begin = requested->row_offset;
    const std::int64_t end = begin + requested->local_rows;
    for (std::size_t rank = 0; rank < shard.ranks.size(); ++rank) {
      const manifest_rows& held = shard.ranks[rank];
      const std::int64_t from = std::max(begin, held.row_offset);
      const std::int64_t to = std::min(end, held.row_offset + held.local_rows);
      if (from >= to) continue;
      plan.pieces.push_back(shard_piece{static_cast<int>(rank), held.tensor, held.local_rows, from - held.row_offset,
                                        from - begin, to - from});
    }
    return plan;
  }

  const tensor_file& part(int rank) override {
    auto found = parts_.find(rank);
    if (found != parts_.end()) return found->second;
    const std::filesystem::path file = directory_ / manifest_.parts[static_cast<std::size_t>(rank)].file;
    check_part_matches(file, manifest_.parts[static_cast<std::size_t>(rank)], opts_);
    return parts_.emplace(rank, open_tensors(file, opts_)).first->second;
  }

  int source_rank() const noexcept override { return source_; }

  /// After the load: every row_shard of the checkpoint found its place.
  void finish() const {
    if (next_ != manifest_.row_shards.size()) {
      fail("the object has " + std::to_string(next_) + " row_shards, the checkpoint " +
           std::to_string(manifest_.row_shards.size()));
    }
  }

 private:
  [[noreturn]] void fail(const std::string& what) const { throw error(errc::type, what, directory_.string()); }

  const checkpoint_manifest& manifest_;
  std::filesystem::path directory_;
  bool same_world_;
  int source_;
  options opts_;
  std::size_t next_ = 0;
  std::map<int, tensor_file> parts_;
};

}  // namespace picklejar::detail
