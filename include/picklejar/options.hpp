/// \file
/// picklejar::format, picklejar::options and picklejar::file_info: how to save, what limits to
/// apply when loading, and what a file's header says. Included by picklejar/picklejar.hpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

#include "picklejar/externals.hpp"

namespace picklejar {

/// How a file is encoded (options::format). The file records it, so load() reads any of them.
enum class format : std::uint8_t {
  binary = 1,           ///< fastest; native byte order (recorded, converted on load if it differs)
  portable_binary = 2,  ///< little-endian on every machine
  json = 3,             ///< readable, diffable; numbers round-trip to the last bit
  xml = 4,              ///< readable, for tools that want XML
};

/// The enumerator's name: "binary", "portable_binary", "json", "xml" ("unknown" otherwise).
constexpr const char* to_string(format f) noexcept {
  switch (f) {
    case format::binary: return "binary";
    case format::portable_binary: return "portable_binary";
    case format::json: return "json";
    case format::xml: return "xml";
  }
  return "unknown";
}

/// What a load does with members that the file holds and the reading type does not know
/// (options::unknown_fields).
enum class unknown_fields : std::uint8_t {
  error = 0,  ///< the default: errc::version when the file holds a newer version of the type, else errc::format
  skip = 1,   ///< ignore them: an older program loads a newer file whose types only added members
};

/// How load_safetensors matches a file's tensors to an object's (options::tensor_match).
enum class tensor_match : std::uint8_t {
  strict = 0,   ///< the default: a tensor missing from the file, or one the object has no place for, is errc::type
  lenient = 1,  ///< load what matches; the report lists what is missing and what was unexpected
};

/// Passed last to every entry point: `picklejar::save(model, path, {picklejar::format::json})`.
/// The defaults: binary; on load, checksum verified, at most 64 GiB, 512 levels of nesting and
/// 64 MiB + 32 bytes per input byte of memory. For a file from a stranger, start from
/// options::untrusted().
///
/// ```cpp
/// picklejar::options opts;
/// opts.format = picklejar::format::json;
/// opts.metadata["epochs"] = "60";             // readable later with picklejar::inspect
/// picklejar::save(model, "model.json", opts);
///
/// picklejar::options strict = picklejar::options::untrusted();
/// strict.max_bytes = 64 << 20;                // refuse files over 64 MiB (errc::limit)
/// Model m = picklejar::load<Model>(path, strict);
/// ```
struct options {
  /// Binary format, no metadata, the default limits, checksum verified, large files mapped.
  options() = default;
  /// Lets `{picklejar::format::json}` stand for "these options, in JSON".
  options(picklejar::format encoding) : format(encoding) {}  // NOLINT: implicit on purpose

  /// Encoding used by save/dumps (ignored by load, which reads the file's own).
  picklejar::format format = picklejar::format::binary;
  /// Strings stored in the file's header, readable with inspect() without loading the object.
  std::map<std::string, std::string> metadata;
  /// Largest file, stream or byte string load accepts (errc::limit beyond). Every length inside a
  /// file is also checked against the bytes that remain; what the loaded objects take is bounded
  /// by max_memory.
  std::uint64_t max_bytes = std::uint64_t{1} << 36;  // 64 GiB
  /// Deepest nesting of objects (errc::limit beyond); guards the stack. Save and load count it
  /// the same way, so whatever saves with some options loads with them: every class-type value
  /// (a struct, a container, an optional) inside another is one level, and so is each object
  /// that must finish its pointees first (after_load(), state hooks or a guard, reached through
  /// pointers).
  std::size_t max_depth = 512;
  /// The most memory a load may allocate (errc::limit beyond), counting what the loaded objects
  /// take: an element costs its sizeof, however little the file spends on it, and a JSON or XML
  /// document's parse tree, the objects behind pointers and the load's bookkeeping count too.
  /// 0 (the default) means memory_base + memory_per_input_byte × the size of the input. A type
  /// whose empty elements are large may need more even for a file it saved itself.
  std::uint64_t max_memory = 0;
  /// The fixed part of the default max_memory.
  std::uint64_t memory_base = std::uint64_t{64} << 20;  // 64 MiB
  /// The part of the default max_memory per byte of input.
  std::uint64_t memory_per_input_byte = 32;
  /// Refuse (errc::format) a file whose shared_ptrs own each other in a cycle, which would never
  /// be freed; weak_ptrs may close cycles. Off by default: a program that saves such a graph on
  /// purpose gets it back, and breaks the cycle itself (see docs/reliability.md).
  bool refuse_ownership_cycles = false;
  /// Refuse (errc::format) data that a class's own cereal functions load (embedded cereal data,
  /// docs/file-format.md). What cereal allocates there is charged to max_memory and its recursion
  /// to max_depth, but what a class's own cereal functions allocate from numbers they read is
  /// beyond picklejar's reach. On in untrusted(); off by default, for files of your own programs.
  bool refuse_embedded_cereal = false;
  /// Check the file's checksum (errc::integrity when it does not match or is missing) before the
  /// loaded data is trusted: before any after_load(), set_state() or from_state() sees it, and
  /// before load returns. Turn off only to load a hand-edited JSON or XML file.
  bool verify_checksum = true;
  /// Loading: members the file holds that the reading type does not know (a newer version's
  /// PICKLEJAR_FIELDS_SINCE lists, or a class changed without a version) are an error, or with
  /// unknown_fields::skip ignored, in every format. Skipping needs binary files written by
  /// picklejar with container version 4 or later, which record where those members end.
  picklejar::unknown_fields unknown_fields = picklejar::unknown_fields::error;
  /// load_safetensors (tensors.hpp): whether every tensor must match by name. A tensor of the
  /// wrong shape, or of a dtype that would have to narrow, is an error either way.
  picklejar::tensor_match tensor_match = picklejar::tensor_match::strict;
  /// Let load map a large file (1 MiB or more) instead of reading it into memory: faster, and
  /// no heap copy of the file. Turn off for a file that another program may truncate while it
  /// is being loaded (the lost pages would raise SIGBUS); picklejar's saves never do that.
  bool memory_map = true;
  /// Objects that belong to the application: saved as their names, resolved by name on load
  /// (errc::type when a name the file refers to is missing). See picklejar::externals.
  picklejar::externals externals;

  /// The memory limit of a load of `input_bytes` bytes: max_memory, or the default formula.
  std::uint64_t memory_limit(std::uint64_t input_bytes) const noexcept {
    if (max_memory != 0) return max_memory;
    const std::uint64_t most = UINT64_MAX;
    const std::uint64_t scaled =
        memory_per_input_byte != 0 && input_bytes > most / memory_per_input_byte ? most : input_bytes * memory_per_input_byte;
    return scaled > most - memory_base ? most : memory_base + scaled;
  }

  /// The options for a file from a stranger: files up to 1 GiB, 64 levels of nesting, at most
  /// 16 MiB + 4 bytes per input byte of memory, ownership cycles and embedded cereal data refused
  /// (cereal's own loaders are not bounded by max_memory). Nothing such a file
  /// says can make the load crash, hang, run quadratic, leak or allocate more than these limits.
  /// `Model m = picklejar::load<Model>(path, picklejar::options::untrusted());`
  static options untrusted() {
    options strict;
    strict.max_bytes = std::uint64_t{1} << 30;
    strict.max_depth = 64;
    strict.memory_base = std::uint64_t{16} << 20;
    strict.memory_per_input_byte = 4;
    strict.refuse_ownership_cycles = true;
    strict.refuse_embedded_cereal = true;
    return strict;
  }
};

/// What a file's header says; from picklejar::inspect(path) without loading the object, or
/// from picklejar::verify(path) after checking the whole file.
struct file_info {
  picklejar::format format = picklejar::format::binary;  ///< how the file is encoded
  std::uint16_t container_version = 0;  ///< version of picklejar's file layout
  std::string type_name;                ///< the root object's type, like "ml::Classifier"
  std::map<std::string, std::string> metadata;  ///< options::metadata as it was saved
  /// The version of every versioned type in the file (PICKLEJAR_VERSION), by type name.
  std::map<std::string, std::uint32_t> type_versions;
  std::string checksum;             ///< "xxh3-64:" and 16 hex digits, as stored in the file
  std::uint64_t file_bytes = 0;     ///< the whole file
  std::uint64_t header_bytes = 0;   ///< everything before the payload (binary formats)
  std::uint64_t payload_bytes = 0;  ///< the serialized object itself (JSON/XML: the whole file)
  std::uint64_t trailer_bytes = 0;  ///< the version table after the payload (binary formats)
};

}  // namespace picklejar
