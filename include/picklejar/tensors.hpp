/// \file
/// Tensors: every Eigen dense matrix, array and vector of an object, by name, in files other
/// programs read (safetensors, numpy's npz), mapped without copies, and one at a time. Opt-in:
/// include `<picklejar/tensors.hpp>` yourself (it brings picklejar/eigen.hpp).
///
/// ```cpp
/// picklejar::save_safetensors(model, "model.safetensors");   // PyTorch and Hugging Face read it
/// picklejar::save_npz(model, "model.npz");                   // numpy.load reads it
/// picklejar::tensor_report r = picklejar::load_safetensors(model, "model.safetensors");
/// picklejar::tensor_file f = picklejar::open_tensors("model.safetensors");
/// auto w = f.view<float>("layers.2.w");                      // an Eigen::Map into the mapped file
/// Eigen::MatrixXf b = picklejar::load_tensor<Eigen::MatrixXf>("model.safetensors", "layers.2.b");
/// ```
///
/// Names are field paths from the root in PyTorch's state_dict style: members joined by ".",
/// sequence elements by their index, map elements by their key ("layers.2.w", "optimizer.m.0").
/// Base classes and state hooks add no name of their own, pointers are transparent, and an object
/// reached twice is named by its first path. In files, tensors are row-major with shape
/// [rows, cols] (vectors and row vectors [n]); column-major matrices are transposed on the way.
#pragma once

#if defined(__has_include)
#if !__has_include(<Eigen/Core>)
#error "picklejar/tensors.hpp needs Eigen 3.4, which this build cannot find: install it (Debian: apt-get install libeigen3-dev) and let the build find it (CMake: picklejar::picklejar brings Eigen once find_package(Eigen3) can find it; pkg-config: use picklejar-eigen)"
#endif
#endif

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "picklejar/detail/document/npz.hpp"
#include "picklejar/detail/document/safetensors.hpp"
#include "picklejar/detail/document/tensor_data.hpp"
#include "picklejar/eigen.hpp"

namespace picklejar {

/// One tensor of a file.
struct tensor_entry {
  std::string name;
  picklejar::dtype dtype = picklejar::dtype::f32;
  std::vector<std::int64_t> shape;  ///< row-major: [rows, cols], or [n] for a vector
  std::uint64_t bytes = 0;          ///< the size of its data
};

/// What load_safetensors did, by tensor name.
struct tensor_report {
  std::vector<std::string> loaded;      ///< filled from the file
  std::vector<std::string> missing;     ///< the object has it, the file does not (lenient only)
  std::vector<std::string> unexpected;  ///< the file has it, the object has no place for it (lenient only)
};

/// A read-only view of one tensor as a row-major [rows, cols] matrix, straight into a
/// tensor_file's memory. Strided: a column-major matrix that a .pj file holds as Eigen stored it
/// is viewed in place too.
template <class T>
using tensor_view = Eigen::Map<const Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>,
                               Eigen::Unaligned, Eigen::Stride<Eigen::Dynamic, Eigen::Dynamic>>;

namespace detail {

/// rows x cols of a file's tensor as an object of `kind` holds it; errc::type when it cannot.
inline void tensor_dims(const std::string& name, const std::vector<std::int64_t>& shape, const tensor_kind& kind,
                        std::int64_t& rows, std::int64_t& cols) {
  auto shape_text = [&shape] {
    std::string text = "[";
    for (std::size_t i = 0; i < shape.size(); ++i) text += (i != 0 ? ", " : "") + std::to_string(shape[i]);
    return text + "]";
  };
  const bool row_vector = kind.is_vector && kind.fixed_rows == 1;
  if (shape.size() > 2) {
    throw error(errc::type, "tensor '" + name + "' has shape " + shape_text() +
                                ": Eigen matrices hold tensors of one or two dimensions");
  }
  if (shape.empty()) {
    rows = cols = 1;
  } else if (shape.size() == 1) {
    rows = row_vector ? 1 : shape[0];
    cols = row_vector ? shape[0] : 1;
  } else {
    rows = shape[0];
    cols = shape[1];
  }
  // Each dimension on its own too, as eigen.hpp bounds a loaded shape: an empty 0 x 2^62 matrix
  // holds nothing, but code that loops over its columns would never end.
  const auto most = static_cast<std::int64_t>(std::numeric_limits<std::int32_t>::max());
  if (rows > most || cols > most) {
    throw error(errc::limit, "tensor '" + name + "' has shape " + shape_text() +
                                 ": a dimension over 2^31 - 1 is more than an Eigen matrix here may hold");
  }
  const bool fits = (kind.fixed_rows < 0 || rows == kind.fixed_rows) && (kind.fixed_cols < 0 || cols == kind.fixed_cols);
  if (!fits) {
    auto extent = [](std::int64_t fixed) { return fixed < 0 ? std::string("Dynamic") : std::to_string(fixed); };
    throw error(errc::type, "tensor '" + name + "' has shape " + shape_text() + ", which does not fit " +
                                kind.description + " of shape " + extent(kind.fixed_rows) + "x" +
                                extent(kind.fixed_cols));
  }
}

/// The file shape of an object's block: [rows, cols], or [n] for a vector.
inline std::vector<std::int64_t> file_shape(const recorded_tensor& tensor) {
  if (tensor.kind->is_vector) return {tensor.rows * tensor.cols};
  return {tensor.rows, tensor.cols};
}

/// The tensors of `object`, in the order a binary save meets them (nothing is written).
template <class T>
tensor_recorder record_tensors(const T& object, const options& opts, std::vector<bool> left_out = {},
                               std::string* payload = nullptr) {
  tensor_recorder names;
  names.keep_data();
  names.leave_out(std::move(left_out));
  options binary = opts;
  binary.format = format::binary;
  translate_save_failures([&] {
    if (payload == nullptr) {
      output_sink discard;
      write_binary_document(object, binary, discard, sealing::by_writer, &names);
    } else {
      output_sink sink(*payload);
      write_binary_document(object, binary, sink, sealing::now, &names);
      sink.flush();
    }
  });
  return names;
}

/// The tensors of `object` that a file of `format_name` holds: each with a dtype, each name once.
template <class T>
tensor_recorder tensors_to_write(const T& object, const options& opts, const char* format_name, bool (*holds)(dtype)) {
  tensor_recorder recorded = record_tensors(object, opts);
  const std::vector<recorded_tensor>& tensors = recorded.tensors();
  std::unordered_map<std::string_view, std::size_t> seen;
  for (const recorded_tensor& tensor : tensors) {
    if (!tensor.kind->has_dtype || !holds(tensor.kind->type)) {
      throw error(errc::type, std::string("a ") + format_name + " file cannot hold " + tensor.kind->description, {},
                  tensor.name);
    }
    if (!seen.emplace(tensor.name, 0).second) {
      throw error(errc::type, "two tensors have the name '" + tensor.name + "' (a map key that looks like a path?)",
                  {}, tensor.name);
    }
  }
  return recorded;
}

inline bool any_dtype(dtype) { return true; }
inline bool numpy_dtype(dtype type) { return !numpy_descr(type).empty(); }

inline void require_little_endian_host() {
  if (!host_is_little_endian()) throw error(errc::format, "tensor files are little-endian; this host is not");
}

/// A block's bytes in the file's row-major order: its own memory when that is already so.
inline std::string_view row_major_bytes(const recorded_tensor& tensor, std::string& scratch) {
  const auto bytes = static_cast<std::size_t>(tensor.rows * tensor.cols) * tensor.kind->element_size;
  if (tensor.kind->row_major || tensor.kind->is_vector || tensor.rows == 1 || tensor.cols == 1)
    return std::string_view(static_cast<const char*>(tensor.data), bytes);
  scratch.clear();
  append_row_major(tensor.data, tensor.rows, tensor.cols, *tensor.kind, scratch);
  return scratch;
}

/// The file's tensors found by name, and what to fill each of an object's blocks from.
struct tensor_matching {
  std::string_view data;  // the file's data section
  std::vector<const tensor_location*> sources;  // per recorded block; null: not filled
  std::vector<std::pair<std::int64_t, std::int64_t>> dims;
};

inline void fill_from_file(void* source, std::size_t ordinal, void* object, const tensor_kind& kind) {
  const tensor_matching& matching = *static_cast<const tensor_matching*>(source);
  const tensor_location& from = *matching.sources[ordinal];
  const auto [rows, cols] = matching.dims[ordinal];
  void* target = kind.resize(object, rows, cols);
  fill_tensor(matching.data.data() + from.begin, from.type, false, rows, cols, target, kind, from.name);
}

/// The location of `name` in a tensor file's index, or null.
inline const tensor_location* find_tensor(const tensor_layout& layout, std::string_view name) {
  for (const tensor_location& tensor : layout.tensors) {
    if (tensor.name == name) return &tensor;
  }
  return nullptr;
}

inline constexpr const char* no_tensor_index =
    "this file has no tensor index: only binary .pj files of container version 5 or later carry one (load "
    "it and save it again to add one)";

/// A JSON or XML picklejar document rather than a .safetensors file (whose first 8 bytes are a
/// size that fits the file, followed by '{').
inline bool is_text_document(std::string_view start, std::uint64_t file_size) {
  if (start.size() >= 9 && start[8] == '{' && get_le(start.data(), 8) <= file_size - 8) return false;
  const std::size_t first = start.find_first_not_of(" \t\r\n");
  return first != std::string_view::npos && (start[first] == '{' || start[first] == '<');
}

/// Reads and checks where a tensor file's tensors are, without reading their data: a .safetensors
/// header, or a binary .pj file's header and tensor index. Offsets in the result are file offsets.
inline tensor_layout read_tensor_layout(const std::filesystem::path& path, const options& opts) {
  std::uint64_t size = 0;
  const std::string start = read_file_start(path, fixed_header_bytes, size);
  tensor_layout layout;
  if (looks_binary(start)) {
    const binary_layout parts = read_binary_layout(start, size);
    std::string head = read_file_start(path, parts.header_bytes(), size);
    binary_container container = read_binary_container(head, checksum_check::skip, size);
    const std::string trailer = read_file_range(path, parts.trailer_offset(), parts.trailer_bytes);
    if (trailer.size() != parts.trailer_bytes) throw error(errc::integrity, "the file shrank while it was read");
    const std::string_view index = read_version_table(trailer, container.info);
    if (container.info.container_version < first_version_aligning_tensors) throw error(errc::format, no_tensor_index);
    layout = parse_tensor_index(index, parts.header_bytes(), parts.trailer_offset());
    layout.metadata = std::move(container.info.metadata);
    return layout;
  }
  if (is_text_document(start, size)) throw error(errc::format, no_tensor_index);
  const std::uint64_t header = safetensors_header_size(start, size);
  const std::string json = read_file_range(path, 8, header);
  if (json.size() != header) throw error(errc::integrity, "the file shrank while it was read");
  memory_budget budget(opts.memory_limit(header));
  layout = parse_safetensors_header(json, size, &budget);
  for (tensor_location& tensor : layout.tensors) {
    tensor.begin += layout.data_start;
    tensor.end += layout.data_start;
  }
  layout.data_start = 0;
  return layout;
}

/// The same, from a file's bytes in memory (a mapped file).
inline tensor_layout tensor_layout_of(std::string_view bytes, const options& opts) {
  tensor_layout layout;
  if (looks_binary(bytes)) {
    binary_container container = read_binary_container(bytes, checksum_check::skip);
    if (container.info.container_version < first_version_aligning_tensors) throw error(errc::format, no_tensor_index);
    layout = parse_tensor_index(container.tensor_index, container.info.header_bytes,
                                container.info.header_bytes + container.info.payload_bytes);
    layout.metadata = std::move(container.info.metadata);
    return layout;
  }
  if (is_text_document(bytes.substr(0, 64), bytes.size())) throw error(errc::format, no_tensor_index);
  const std::uint64_t header = safetensors_header_size(bytes, bytes.size());
  memory_budget budget(opts.memory_limit(header));
  layout = parse_safetensors_header(bytes.substr(8, static_cast<std::size_t>(header)), bytes.size(), &budget);
  for (tensor_location& tensor : layout.tensors) {
    tensor.begin += layout.data_start;
    tensor.end += layout.data_start;
  }
  layout.data_start = 0;
  return layout;
}

/// Checks a tensor's bytes before they are handed out: a .pj tensor's against the index's
/// checksum (errc::integrity), and a BOOL tensor's for bytes other than 0 and 1, which no bool may
/// hold (errc::format).
inline void verify_tensor_bytes(const tensor_location& tensor, const char* data) {
  const auto size = static_cast<std::size_t>(tensor.end - tensor.begin);
  if (tensor.has_checksum && checksum_of(data, size) != tensor.checksum && !checksum_bypassed_for_fuzzing)
    throw error(errc::integrity, "tensor '" + tensor.name + "' does not match its checksum: the file is damaged");
  if (tensor.type == dtype::boolean) {
    for (std::size_t i = 0; i < size; ++i) {
      if (static_cast<unsigned char>(data[i]) > 1)
        throw error(errc::format, "tensor '" + tensor.name + "' holds a BOOL byte other than 0 or 1");
    }
  }
}

/// What a tensor_file and its copies share: the mapped bytes and which tensors were verified.
struct mapped_tensors {
  mapped_tensors(const std::filesystem::path& path, const options& opts)
      : contents(path, opts.max_bytes, true, 1), layout(tensor_layout_of(contents.bytes(), opts)),
        verified(new std::atomic<bool>[layout.tensors.size()]) {
    for (std::size_t i = 0; i < layout.tensors.size(); ++i) verified[i] = false;
  }
  file_contents contents;
  tensor_layout layout;
  std::unique_ptr<std::atomic<bool>[]> verified;
};

}  // namespace detail

/// A tensor file (.safetensors, or a binary .pj file, which carries a tensor index) opened for
/// reading: its index, and zero-copy views into its memory (the file is mapped). Copies share the
/// mapping; views stay valid as long as a tensor_file of it lives.
class tensor_file {
 public:
  /// Every tensor, in the order of the index.
  const std::vector<tensor_entry>& tensors() const noexcept { return entries_; }
  /// The file's metadata (a .safetensors file's "__metadata__", a .pj file's options.metadata).
  const std::map<std::string, std::string>& metadata() const noexcept {
    static const std::map<std::string, std::string> none;
    return state_ != nullptr ? state_->layout.metadata : none;  // a default-constructed tensor_file holds nothing
  }
  const std::filesystem::path& path() const noexcept { return path_; }

  bool contains(std::string_view name) const { return by_name_.find(name) != by_name_.end(); }

  /// The entry named `name`. \throws picklejar::error errc::type when the file holds none.
  const tensor_entry& at(std::string_view name) const { return entries_[index_of(name)]; }

  /// A zero-copy row-major view of the tensor `name` (a [n] tensor views as n x 1). A .pj
  /// tensor's bytes are checked against its checksum before its first view is returned.
  /// \throws picklejar::error naming the file: errc::type when the file holds no such tensor, its
  ///         dtype is not T's or it has more than two dimensions; errc::format when its bytes are
  ///         not aligned for T (a foreign file whose writer did not align them: load_tensor copies
  ///         instead); errc::integrity when a .pj tensor's bytes do not match their checksum.
  template <class T>
  tensor_view<T> view(std::string_view name) const {
    static_assert(detail::dtype_of<T>::known,
                  "picklejar: view<T> needs T to be a tensor element type: double, float, Eigen::half, "
                  "Eigen::bfloat16, std::int64_t, std::int32_t, std::int16_t, std::int8_t, std::uint8_t or bool");
    const std::size_t index = index_of(name);
    const tensor_entry& entry = entries_[index];
    const detail::tensor_location& where = state_->layout.tensors[index];
    if (entry.dtype != detail::dtype_of<T>::value) {
      fail(errc::type, "tensor '" + entry.name + "' holds " + to_string(entry.dtype) + ", not " +
                           to_string(detail::dtype_of<T>::value));
    }
    if (entry.shape.size() > 2) {
      fail(errc::type, "tensor '" + entry.name + "' has " + std::to_string(entry.shape.size()) +
                           " dimensions; a view holds one or two");
    }
    const char* data = state_->contents.bytes().data() + where.begin;
    if (reinterpret_cast<std::uintptr_t>(data) % alignof(T) != 0) {
      fail(errc::format, "tensor '" + entry.name + "' is not aligned for " + to_string(entry.dtype) +
                             " in this file (its writer did not align it), so it cannot be viewed without a "
                             "copy: use picklejar::load_tensor");
    }
    if (!state_->verified[index].load(std::memory_order_acquire)) {
      detail::attributing_errors_to(path_, [&] { detail::verify_tensor_bytes(where, data); });
      state_->verified[index].store(true, std::memory_order_release);
    }
    const Eigen::Index rows = entry.shape.empty() ? 1 : static_cast<Eigen::Index>(entry.shape[0]);
    const Eigen::Index cols = entry.shape.size() == 2 ? static_cast<Eigen::Index>(entry.shape[1]) : 1;
    // Row-major: rows are cols apart; Eigen's column-major storage: columns are rows apart.
    const Eigen::Stride<Eigen::Dynamic, Eigen::Dynamic> stride =
        where.column_major ? Eigen::Stride<Eigen::Dynamic, Eigen::Dynamic>(1, rows)
                           : Eigen::Stride<Eigen::Dynamic, Eigen::Dynamic>(cols, 1);
    return tensor_view<T>(reinterpret_cast<const T*>(data), rows, cols, stride);
  }

 private:
  friend tensor_file open_tensors(const std::filesystem::path& path, const options& opts);

  std::size_t index_of(std::string_view name) const {
    auto found = by_name_.find(name);
    if (found == by_name_.end()) fail(errc::type, "the file holds no tensor '" + std::string(name) + "'");
    return found->second;
  }
  [[noreturn]] void fail(errc code, std::string reason) const { throw error(code, std::move(reason), path_.string()); }

  std::filesystem::path path_;
  std::shared_ptr<detail::mapped_tensors> state_;
  std::vector<tensor_entry> entries_;
  std::map<std::string, std::size_t, std::less<>> by_name_;
};

/// Opens a tensor file: a .safetensors file, or a binary .pj file (which carries a tensor
/// index). Maps it and checks its header and index, reading no tensor's data; views then read
/// straight from the mapping.
/// \throws picklejar::error naming the file: errc::io; errc::format for a file that is neither,
///         a JSON or XML document or an older .pj file ("no tensor index"), or one that breaks the
///         format's rules; errc::integrity for a damaged .pj index; errc::limit (options.max_bytes).
inline tensor_file open_tensors(const std::filesystem::path& path, const options& opts = {}) {
  return detail::attributing_errors_to(path, [&] {
    detail::require_little_endian_host();
    tensor_file file;
    file.path_ = path;
    file.state_ = std::make_shared<detail::mapped_tensors>(path, opts);
    for (const detail::tensor_location& tensor : file.state_->layout.tensors) {
      file.by_name_.emplace(tensor.name, file.entries_.size());
      file.entries_.push_back(tensor_entry{tensor.name, tensor.type, tensor.shape, tensor.end - tensor.begin});
    }
    return file;
  });
}

/// Reads one tensor of a tensor file (.safetensors or binary .pj) into a new M (an Eigen dense
/// type), reading only the header, the index and that tensor's bytes (a .pj tensor's are checked
/// against its checksum). dtypes widen as load_safetensors's do.
/// \throws picklejar::error naming the file and the tensor: errc::type (no such tensor, a shape
///         M cannot hold, a narrowing dtype), errc::format, errc::integrity, errc::io.
template <class M>
M load_tensor(const std::filesystem::path& path, std::string_view name, const options& opts = {}) {
  return detail::attributing_errors_to(path, [&] {
    detail::require_little_endian_host();
    const detail::tensor_layout layout = detail::read_tensor_layout(path, opts);
    const detail::tensor_location* found = detail::find_tensor(layout, name);
    if (found == nullptr) throw error(errc::type, "the file holds no tensor '" + std::string(name) + "'");
    const detail::tensor_kind& kind = detail::dense_kind<M>();
    if (!detail::widens_to(found->type, kind.type)) {
      throw error(errc::type, "tensor '" + found->name + "' holds " + to_string(found->type) +
                                  ", which cannot be loaded into " + kind.description + " without loss");
    }
    std::int64_t rows = 0, cols = 0;
    detail::tensor_dims(found->name, found->shape, kind, rows, cols);
    const std::string data = detail::read_file_range(path, found->begin, found->end - found->begin);
    if (data.size() != found->end - found->begin) throw error(errc::integrity, "the file shrank while it was read");
    detail::verify_tensor_bytes(*found, data.data());
    M result;
    void* target = kind.resize(&result, rows, cols);
    detail::fill_tensor(data.data(), found->type, found->column_major, rows, cols, target, kind, found->name);
    return result;
  });
}

/// Writes every tensor of `object` to a .safetensors file at `path` (atomically), named as this
/// header's comment says; options.metadata becomes the file's "__metadata__". Tensors are ordered
/// by element size, widest first, after a header padded to 64 bytes, so each is aligned for its
/// type when the file is mapped.
/// \throws picklejar::error naming the file: errc::type naming the tensor for a scalar the format
///         cannot hold (complex) or a sparse matrix, or two tensors with one name; errc::io.
template <class T>
void save_safetensors(const T& object, const std::filesystem::path& path, const options& opts = {}) {
  detail::attributing_errors_to(path, [&] {
    detail::require_little_endian_host();
    detail::tensor_recorder recorded = detail::tensors_to_write(object, opts, ".safetensors", &detail::any_dtype);
    std::vector<detail::recorded_tensor>& tensors = recorded.tensors();
    std::stable_sort(tensors.begin(), tensors.end(), [](const detail::recorded_tensor& a, const detail::recorded_tensor& b) {
      return a.kind->element_size > b.kind->element_size;
    });
    std::vector<detail::tensor_location> locations;
    std::uint64_t offset = 0;
    for (const detail::recorded_tensor& tensor : tensors) {
      const auto bytes = static_cast<std::uint64_t>(tensor.rows * tensor.cols) * tensor.kind->element_size;
      locations.push_back(detail::tensor_location{tensor.name, tensor.kind->type, detail::file_shape(tensor), offset, offset + bytes});
      offset += bytes;
    }
    detail::atomic_file file(path);
    detail::write_all(file.descriptor(), detail::safetensors_header(locations, opts.metadata), path);
    std::string scratch;
    for (const detail::recorded_tensor& tensor : tensors)
      detail::write_all(file.descriptor(), detail::row_major_bytes(tensor, scratch), path);
    file.commit();
  }, "saving");
}

/// Writes every tensor of `object` to a .npz file at `path` (atomically), one .npy entry per
/// tensor ("layers.2.w.npy"), which numpy.load reads as the dict of arrays.
/// \throws picklejar::error naming the file: errc::type naming the tensor for a scalar numpy has
///         no dtype for (BF16, complex) or a sparse matrix; errc::io.
template <class T>
void save_npz(const T& object, const std::filesystem::path& path, const options& opts = {}) {
  detail::attributing_errors_to(path, [&] {
    detail::require_little_endian_host();
    detail::tensor_recorder recorded = detail::tensors_to_write(object, opts, ".npz", &detail::numpy_dtype);
    const std::vector<detail::recorded_tensor>& tensors = recorded.tensors();
    detail::atomic_file file(path);
    detail::zip_writer zip;
    std::string scratch;
    for (const detail::recorded_tensor& tensor : tensors) {
      const std::string header = detail::npy_header(tensor.kind->type, detail::file_shape(tensor));
      const std::string_view data = detail::row_major_bytes(tensor, scratch);
      const std::uint32_t crc = detail::crc32(data.data(), data.size(), detail::crc32(header.data(), header.size()));
      detail::write_all(file.descriptor(), zip.local_header(tensor.name + ".npy", header.size() + data.size(), crc), path);
      detail::write_all(file.descriptor(), header, path);
      detail::write_all(file.descriptor(), data, path);
    }
    detail::write_all(file.descriptor(), zip.finish(), path);
    file.commit();
  }, "saving");
}

/// Fills the tensors of `object` from a .safetensors file, by name (see this header's comment).
/// Dynamic matrices are resized, fixed-size ones must match; nothing is created (a tensor behind
/// a null pointer or in an empty container has no place, so the file's tensor is unexpected).
/// F16/BF16 widen to float or double, F32 to double, integers to wider ones; narrowing is an
/// error. The object goes through a load, so after_load() and set_state() run as for load().
/// Strict by default: a missing or unexpected tensor is errc::type naming it, and the object is
/// left as it was; options.tensor_match = tensor_match::lenient loads what matches and reports
/// the rest. A tensor of the wrong shape or dtype is an error either way.
/// \throws picklejar::error naming the file (and the tensor): errc::type, errc::format for a file
///         that breaks the format's rules, errc::io, errc::limit.
template <class T>
tensor_report load_safetensors(T& object, const std::filesystem::path& path, const options& opts = {}) {
  return detail::attributing_errors_to(path, [&] {
    detail::require_little_endian_host();
    const detail::file_contents contents(path, opts.max_bytes, opts.memory_map);
    const std::string_view bytes = contents.bytes();
    const std::uint64_t header = detail::safetensors_header_size(bytes, bytes.size());
    detail::memory_budget budget(opts.memory_limit(header));
    const detail::tensor_layout layout =
        detail::parse_safetensors_header(bytes.substr(8, static_cast<std::size_t>(header)), bytes.size(), &budget);
    std::unordered_map<std::string_view, const detail::tensor_location*> by_name;
    for (const detail::tensor_location& tensor : layout.tensors) by_name.emplace(tensor.name, &tensor);

    detail::tensor_recorder recorded = detail::record_tensors(object, opts);
    const std::vector<detail::recorded_tensor>& tensors = recorded.tensors();
    detail::tensor_matching matching{bytes.substr(static_cast<std::size_t>(layout.data_start)), {}, {}};
    matching.sources.resize(tensors.size(), nullptr);
    matching.dims.resize(tensors.size());
    std::vector<bool> filled(tensors.size(), false);
    std::unordered_map<std::string_view, bool> used;
    tensor_report report;
    for (std::size_t i = 0; i < tensors.size(); ++i) {
      const detail::recorded_tensor& tensor = tensors[i];
      auto found = by_name.find(tensor.name);
      if (found == by_name.end()) {
        report.missing.push_back(tensor.name);
        continue;
      }
      const detail::tensor_location& source = *found->second;
      if (!used.emplace(source.name, true).second) {
        throw error(errc::type, "two tensors of the object have the name '" + tensor.name + "'", {}, tensor.name);
      }
      if (!tensor.kind->has_dtype) {
        throw error(errc::type, "tensor '" + tensor.name + "' is " + tensor.kind->description +
                                    ", which a .safetensors file cannot hold");
      }
      if (!detail::widens_to(source.type, tensor.kind->type)) {
        throw error(errc::type, "tensor '" + tensor.name + "' holds " + to_string(source.type) +
                                    " in the file, which cannot be loaded into " + tensor.kind->description +
                                    " without loss");
      }
      detail::tensor_dims(tensor.name, source.shape, *tensor.kind, matching.dims[i].first, matching.dims[i].second);
      matching.sources[i] = &source;
      filled[i] = true;
      report.loaded.push_back(tensor.name);
    }
    for (const detail::tensor_location& tensor : layout.tensors) {
      if (used.find(tensor.name) == used.end()) report.unexpected.push_back(tensor.name);
    }
    if (opts.tensor_match == tensor_match::strict && (!report.missing.empty() || !report.unexpected.empty())) {
      auto listed = [](const std::vector<std::string>& names) {
        std::string text;
        for (std::size_t i = 0; i < names.size() && i < 8; ++i) text += (i != 0 ? "', '" : "'") + names[i];
        return text + "'" + (names.size() > 8 ? " and " + std::to_string(names.size() - 8) + " more" : "");
      };
      std::string reason = "the file's tensors do not match the object's: ";
      if (!report.missing.empty()) reason += "missing from the file: " + listed(report.missing);
      if (!report.missing.empty() && !report.unexpected.empty()) reason += "; ";
      if (!report.unexpected.empty()) reason += "not in the object: " + listed(report.unexpected);
      throw error(errc::type, reason + " (options.tensor_match = picklejar::tensor_match::lenient loads what matches)");
    }
    if (report.loaded.empty()) return report;
    // The object goes through a save without the data of the tensors to fill, and a load that
    // fills them from the file: state hooks, after_load() and pointers behave as for load().
    std::string payload;
    detail::record_tensors(object, opts, filled, &payload);
    detail::tensor_substitution substitution{&filled, &matching, &detail::fill_from_file};
    options own = opts;
    own.verify_checksum = false;  // written just now, in memory
    own.max_memory = UINT64_MAX;
    detail::translating_load_failures<T>([&] { detail::read_document(payload, own, object, nullptr, &substitution); });
    return report;
  });
}

}  // namespace picklejar
