// The manifest of a sharded checkpoint: what makes a step directory a committed checkpoint, and
// everything a load needs to find any rank's rows. A picklejar binary file of plain structs
// (checksummed, read with untrusted limits), checked field by field before anything trusts it: a
// hostile or damaged manifest is a picklejar::error naming it, never a crash or a path outside
// its directory.
//
// A checkpoint directory:
//   <run>/ckpt-<step, 12 digits>/manifest.pj          written last, by rank 0
//   <run>/ckpt-<step, 12 digits>/rank-<rank, 5+ digits>.pj   one part per rank (picklejar::save)
// While it is written it is called ckpt-<step>.tmp-<hex>; renaming it is the commit. A retired
// one is renamed ckpt-<step>.deleting-<hex> before it is removed, so a crash halfway through a
// deletion never leaves a half-deleted directory under a committed name.
#pragma once

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "picklejar/checkpoint.hpp"
#include "picklejar/picklejar.hpp"

namespace picklejar::detail {

inline constexpr std::uint32_t sharded_checkpoint_scheme = 1;
inline constexpr const char* manifest_file_name = "manifest.pj";
inline constexpr std::string_view temporary_step_marker = ".tmp-";
inline constexpr std::string_view deleting_step_marker = ".deleting-";
/// Bounds on what a manifest may describe (a real one is far below them).
inline constexpr std::int32_t max_manifest_world_size = 1 << 20;
inline constexpr std::uint64_t max_manifest_bytes = std::uint64_t{256} << 20;
inline constexpr std::size_t max_manifest_text = 4096;

/// One rank's part file.
struct manifest_part {
  std::string file;          // "rank-00003.pj", nothing else
  std::uint64_t bytes = 0;   // its size
  std::string checksum;      // as picklejar::inspect reports it: "xxh3-64:..."
  PICKLEJAR_FIELDS(file, bytes, checksum)
};

/// One rank's rows of a row_shard, and the tensor that holds them in its part.
struct manifest_rows {
  std::int64_t row_offset = 0;
  std::int64_t local_rows = 0;
  std::string tensor;  // "w.local"
  PICKLEJAR_FIELDS(row_offset, local_rows, tensor)
};

/// One row_shard of the object (the n-th the save met), over all ranks.
struct manifest_row_shard {
  std::string field;  // its field path, "w" (the tensor name without ".local")
  std::int64_t global_rows = 0;
  std::int64_t global_cols = 0;
  std::vector<manifest_rows> ranks;  // by rank
  PICKLEJAR_FIELDS(field, global_rows, global_cols, ranks)
};

struct checkpoint_manifest {
  std::uint32_t scheme = sharded_checkpoint_scheme;
  std::int64_t step = 0;
  double metric = std::numeric_limits<double>::quiet_NaN();
  std::string time;  // UTC, ISO 8601
  std::int32_t world_size = 0;
  std::vector<manifest_part> parts;           // by rank
  std::vector<manifest_row_shard> row_shards;  // in the order a save meets them
  PICKLEJAR_FIELDS(scheme, step, metric, time, world_size, parts, row_shards)
};

inline std::string padded_number(std::int64_t value, std::size_t digits) {
  std::string text = std::to_string(value);
  if (text.size() < digits) text.insert(0, digits - text.size(), '0');
  return text;
}

inline std::string step_directory_name(std::int64_t step) { return "ckpt-" + padded_number(step, 12); }
inline std::string part_file_name(int rank) { return "rank-" + padded_number(rank, 5) + ".pj"; }

/// The step of a committed checkpoint's directory name ("ckpt-" and exactly the 12 or more
/// digits step_directory_name writes); nothing for any other name.
inline std::optional<std::int64_t> step_from_directory_name(std::string_view name) {
  if (name.substr(0, 5) != "ckpt-") return std::nullopt;
  const std::optional<std::int64_t> step = parse_step(name.substr(5));
  if (!step || step_directory_name(*step) != name) return std::nullopt;
  return step;
}

/// A directory a save or a deletion was interrupted in: "ckpt-<step>.tmp-<hex>" or
/// "ckpt-<step>.deleting-<hex>".
inline bool is_abandoned_step_directory(std::string_view name) {
  for (std::string_view marker : {temporary_step_marker, deleting_step_marker}) {
    const std::size_t at = name.find(marker);
    if (at != std::string_view::npos && step_from_directory_name(name.substr(0, at))) return true;
  }
  return false;
}

/// Checks everything a load relies on; errc::format naming `file` for the first thing wrong.
inline void check_manifest(const checkpoint_manifest& manifest, std::int64_t step, const std::string& file) {
  auto fail = [&](const std::string& what) { throw error(errc::format, "bad checkpoint manifest: " + what, file); };
  if (manifest.scheme != sharded_checkpoint_scheme) {
    throw error(errc::version, "checkpoint manifest of scheme " + std::to_string(manifest.scheme) +
                                   "; this picklejar reads scheme " + std::to_string(sharded_checkpoint_scheme),
                file);
  }
  if (manifest.step != step) fail("its step " + std::to_string(manifest.step) + " is not the directory's");
  if (manifest.time.size() > 64) fail("its time is too long");
  if (manifest.world_size < 1 || manifest.world_size > max_manifest_world_size)
    fail("world size " + std::to_string(manifest.world_size));
  const auto world = static_cast<std::size_t>(manifest.world_size);
  if (manifest.parts.size() != world) fail("it lists " + std::to_string(manifest.parts.size()) + " parts for " +
                                           std::to_string(world) + " ranks");
  for (std::size_t rank = 0; rank < world; ++rank) {
    const manifest_part& part = manifest.parts[rank];
    if (part.file != part_file_name(static_cast<int>(rank))) fail("part " + std::to_string(rank) + " has a bad file name");
    if (part.checksum.size() > 64) fail("part " + std::to_string(rank) + " has a bad checksum");
  }
  for (const manifest_row_shard& shard : manifest.row_shards) {
    const std::string name = "row_shard '" + shard.field.substr(0, 200) + "'";
    if (shard.field.size() > max_manifest_text) fail("a row_shard's field path is too long");
    if (shard.global_rows < 0 || shard.global_cols < 0) fail(name + " has a negative size");
    if (shard.ranks.size() != world) fail(name + " lists " + std::to_string(shard.ranks.size()) + " ranks");
    // The ranks' rows tile the global matrix: sorted by offset, each starts where the last ended.
    std::vector<std::pair<std::int64_t, std::int64_t>> ranges;
    for (const manifest_rows& rows : shard.ranks) {
      if (rows.tensor.empty() || rows.tensor.size() > max_manifest_text) fail(name + " has a bad tensor name");
      if (rows.row_offset < 0 || rows.local_rows < 0 || rows.row_offset > shard.global_rows ||
          rows.local_rows > shard.global_rows - rows.row_offset) {
        fail(name + " has rows outside its matrix");
      }
      if (rows.local_rows > 0) ranges.emplace_back(rows.row_offset, rows.local_rows);
    }
    std::sort(ranges.begin(), ranges.end());
    std::int64_t covered = 0;
    for (const auto& [offset, count] : ranges) {
      if (offset != covered) fail(name + ": the ranks' rows overlap or leave a gap at row " + std::to_string(covered));
      covered += count;
    }
    if (covered != shard.global_rows) fail(name + ": the ranks' rows do not cover the matrix");
  }
}

/// Reads and checks the manifest of the checkpoint in `directory` (step `step`).
inline checkpoint_manifest read_manifest(const std::filesystem::path& directory, std::int64_t step) {
  const std::filesystem::path file = directory / manifest_file_name;
  options limits = options::untrusted();
  limits.max_bytes = max_manifest_bytes;
  checkpoint_manifest manifest = load<checkpoint_manifest>(file, limits);
  check_manifest(manifest, step, file.string());
  return manifest;
}

}  // namespace picklejar::detail
