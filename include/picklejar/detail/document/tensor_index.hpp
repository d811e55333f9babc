// Where the tensors of a file are: the layout both tensor files share (.safetensors, and the
// tensor index in a binary .pj file's trailer), and the .pj index's encoding.
//
// The .pj tensor index (container version 5; docs/file-format.md), after the version table:
//   "PJTI"  count u32  then per tensor: name (u32 length, bytes), dtype u8, order u8 (0 row-major,
//   1 column-major: Eigen's storage as written), rank u8 (1 or 2), rank × u64 extents, file offset
//   u64 of the data, size u64, XXH3-64 u64 of the data;  then XXH3-64 u64 of all of the above.
// Its own checksum lets open_tensors trust the index without reading the file; each tensor's
// checksum is verified before its bytes are handed out.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "picklejar/detail/declare/dtypes.hpp"
#include "picklejar/detail/document/checksum.hpp"
#include "picklejar/detail/document/container.hpp"
#include "picklejar/detail/session/tensor_names.hpp"
#include "picklejar/error.hpp"

namespace picklejar::detail {

/// One tensor of a tensor file: where its bytes are.
struct tensor_location {
  std::string name;
  dtype type = dtype::u8;
  std::vector<std::int64_t> shape;
  std::uint64_t begin = 0;  // .safetensors: from the start of the data; .pj: file offset
  std::uint64_t end = 0;
  bool column_major = false;  // .pj only: the data is Eigen's column-major storage of [rows, cols]
  bool has_checksum = false;
  std::uint64_t checksum = 0;
};

struct tensor_layout {
  std::vector<tensor_location> tensors;  // in the order of their data
  std::map<std::string, std::string> metadata;
  std::uint64_t data_start = 0;  // file offset that begin and end count from
};

/// `count` × `each`, or false when it overflows 64 bits.
inline bool checked_multiply(std::uint64_t count, std::uint64_t each, std::uint64_t& product) noexcept {
  return !__builtin_mul_overflow(count, each, &product);
}

inline constexpr std::string_view tensor_index_magic = "PJTI";
/// The alignment of an indexed tensor's data in a .pj file (docs/file-format.md says why).
inline constexpr std::uint64_t pj_tensor_alignment = 64;

/// The index of `tensors` (offsets relative to `origin`, the file's start); tensors no file can
/// hold (complex, sparse) and later tensors of a name already listed are left out.
inline std::string encode_tensor_index(const std::vector<recorded_tensor>& tensors, std::uint64_t origin) {
  if (tensors.empty()) return std::string();
  std::string index(tensor_index_magic);
  put_le(index, 0, 4);
  std::uint32_t count = 0;
  std::unordered_set<std::string_view> names;
  for (const recorded_tensor& tensor : tensors) {
    if (!tensor.kind->has_dtype || tensor.depth != 0 || !names.insert(tensor.name).second) continue;
    put_le(index, tensor.name.size(), 4);
    index += tensor.name;
    put_le(index, static_cast<std::uint8_t>(tensor.kind->type), 1);
    const bool column_major = !tensor.kind->row_major && !tensor.kind->is_vector && tensor.rows != 1 && tensor.cols != 1;
    put_le(index, column_major ? 1 : 0, 1);
    if (tensor.kind->is_vector) {
      put_le(index, 1, 1);
      put_le(index, static_cast<std::uint64_t>(tensor.rows * tensor.cols), 8);
    } else {
      put_le(index, 2, 1);
      put_le(index, static_cast<std::uint64_t>(tensor.rows), 8);
      put_le(index, static_cast<std::uint64_t>(tensor.cols), 8);
    }
    put_le(index, tensor.offset - origin, 8);
    put_le(index, static_cast<std::uint64_t>(tensor.rows * tensor.cols) * tensor.kind->element_size, 8);
    put_le(index, tensor.checksum, 8);
    ++count;
  }
  if (count == 0) return std::string();
  patch_le(index, tensor_index_magic.size(), count, 4);
  checksum_stream hash;
  hash.update(index);
  put_le(index, hash.digest(), 8);
  return index;
}

[[noreturn]] inline void bad_tensor_index(const std::string& reason) {
  throw error(errc::format, "the tensor index is damaged: " + reason);
}

/// Reads a .pj file's tensor index (`index`, the bytes after its version table), checking it:
/// its checksum, and every tensor's shape, size and place inside the payload
/// [payload_begin, payload_end).
inline tensor_layout parse_tensor_index(std::string_view index, std::uint64_t payload_begin, std::uint64_t payload_end) {
  tensor_layout layout;
  if (index.empty()) return layout;
  if (index.size() < tensor_index_magic.size() + 4 + 8 || index.substr(0, 4) != tensor_index_magic)
    bad_tensor_index("it does not start as one");
  checksum_stream hash;
  hash.update(index.substr(0, index.size() - 8));
  if (hash.digest() != get_le(index.data() + index.size() - 8, 8) && !checksum_bypassed_for_fuzzing)
    throw error(errc::integrity, "the tensor index's checksum does not match: the file is damaged");
  std::string_view rest = index.substr(4, index.size() - 12);
  auto take = [&rest](std::size_t count) {
    if (count > rest.size()) bad_tensor_index("it runs past its end");
    const std::string_view part = rest.substr(0, count);
    rest.remove_prefix(count);
    return part;
  };
  const std::uint64_t count = get_le(take(4).data(), 4);
  if (count > rest.size() / 39)  // an entry takes at least 39 bytes
  bad_tensor_index("it claims more tensors than it has room for");
  for (std::uint64_t i = 0; i < count; ++i) {
    tensor_location tensor;
    tensor.name = std::string(take(static_cast<std::size_t>(get_le(take(4).data(), 4))));
    const auto type = static_cast<std::uint8_t>(get_le(take(1).data(), 1));
    if (type > static_cast<std::uint8_t>(dtype::boolean)) bad_tensor_index("tensor '" + tensor.name + "' has an unknown dtype");
    tensor.type = static_cast<dtype>(type);
    const auto order = get_le(take(1).data(), 1);
    const auto rank = get_le(take(1).data(), 1);
    if (order > 1 || rank < 1 || rank > 2) bad_tensor_index("tensor '" + tensor.name + "' has an unknown layout");
    tensor.column_major = order == 1;
    std::uint64_t elements = 1;
    for (std::uint64_t d = 0; d < rank; ++d) {
      const std::uint64_t extent = get_le(take(8).data(), 8);
      if (extent > static_cast<std::uint64_t>(INT64_MAX) || !checked_multiply(elements, extent, elements))
        bad_tensor_index("tensor '" + tensor.name + "' has a shape that overflows");
      tensor.shape.push_back(static_cast<std::int64_t>(extent));
    }
    tensor.begin = get_le(take(8).data(), 8);
    const std::uint64_t bytes = get_le(take(8).data(), 8);
    tensor.checksum = get_le(take(8).data(), 8);
    tensor.has_checksum = true;
    std::uint64_t expected = 0;
    if (!checked_multiply(elements, dtype_size(tensor.type), expected) || expected != bytes)
      bad_tensor_index("tensor '" + tensor.name + "' has a size that does not match its shape");
    if (tensor.begin < payload_begin || tensor.begin > payload_end || bytes > payload_end - tensor.begin)
      bad_tensor_index("tensor '" + tensor.name + "' lies outside the payload");
    tensor.end = tensor.begin + bytes;
    layout.tensors.push_back(std::move(tensor));
  }
  if (!rest.empty()) bad_tensor_index("bytes follow its last entry");
  std::vector<const tensor_location*> sorted;
  for (const tensor_location& tensor : layout.tensors) sorted.push_back(&tensor);
  std::sort(sorted.begin(), sorted.end(), [](const tensor_location* a, const tensor_location* b) { return a->begin < b->begin; });
  for (std::size_t i = 1; i < sorted.size(); ++i) {
    if (sorted[i]->begin < sorted[i - 1]->end) bad_tensor_index("tensors '" + sorted[i - 1]->name + "' and '" + sorted[i]->name + "' overlap");
  }
  for (std::size_t i = 1; i < sorted.size(); ++i) {
    if (sorted[i]->name == sorted[i - 1]->name) bad_tensor_index("it lists '" + sorted[i]->name + "' twice");
  }
  return layout;
}

}  // namespace picklejar::detail
