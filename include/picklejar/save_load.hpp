/// \file
/// The entry points: save/load (paths and streams), dumps/loads (bytes), inspect (header only) and
/// verify (checksum). Included by picklejar/picklejar.hpp.
///
/// All of them take a picklejar::options last and throw picklejar::error; the path overloads name
/// the file in it, and loading errors name the field being read (error::field_path()). The kinds
/// a load can throw: errc::limit (options::max_bytes, max_depth, max_memory), errc::integrity
/// (checksum mismatch, truncation), errc::format (not a picklejar file, or data that does not fit
/// the type), errc::type (another root type, an unregistered subtype name, a missing external),
/// errc::version (a newer PICKLEJAR_VERSION or file layout). Whatever else a user's type or the
/// standard library throws during a save or load becomes a picklejar::error too: errc::format
/// (errc::limit for std::bad_alloc), with the original nested (std::rethrow_if_nested finds it).
/// Every byte of a file is verified against its checksum before anything reads it (unless
/// options::verify_checksum is false), so no user code ever sees unverified data. A save throws errc::type for a
/// pointer it cannot save (an unregistered subtype, a shared_ptr made by the aliasing
/// constructor), errc::limit past options::max_depth, errc::format for an invalid
/// options::format. A type that cannot be saved at all is a compile error instead.
///
/// ```cpp
/// picklejar::save(model, "model.pj");                        // binary, atomic, checksummed
/// picklejar::load(model, "model.pj");                        // into an existing object
/// Config config = picklejar::load<Config>("config.json");   // any format: the file says which
/// std::string bytes = picklejar::dumps(config, {picklejar::format::json});
/// picklejar::file_info info = picklejar::inspect("model.pj");
/// ```
#pragma once

#include <cereal/cereal.hpp>

#include <algorithm>
#include <exception>
#include <filesystem>
#include <future>
#include <istream>
#include <iterator>
#include <memory>
#include <new>
#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "picklejar/detail/archives/binary.hpp"
#include "picklejar/detail/archives/text.hpp"
#include "picklejar/detail/object_io/cereal_bridge.hpp"
#include "picklejar/detail/io/background_writer.hpp"
#include "picklejar/detail/document/container.hpp"
#include "picklejar/detail/io/file_io.hpp"
#include "picklejar/detail/session/memory_budget.hpp"
#include "picklejar/detail/document/optional_formats.hpp"
#include "picklejar/detail/document/tensor_index.hpp"
#include "picklejar/detail/graph/pointers.hpp"
#include "picklejar/detail/declare/type_name.hpp"
#include "picklejar/error.hpp"
#include "picklejar/options.hpp"

namespace picklejar {
namespace detail {

template <class T>
struct root_type {
  using type = T;
};
/// The root of a load<T>() of a type without a default constructor: T's state, read so that
/// T::from_state can build the object.
template <class T>
struct root_type<state_holder<T>> {
  using type = T;
};

template <class T>
std::string root_type_name() {
  return type_name<typename root_type<T>::type>();
}

/// Whether a document is sealed (its checksum filled in) as it is written, or later by the
/// background writer that writes it to disk (save_async: the hash then costs the trainer nothing).
enum class sealing { now, by_writer };

/// Writes a binary container to `sink`: the header with room for its sizes and checksum, the
/// payload as the archive produces it (hashed on the way), the trailer, and then the header again,
/// complete. Nothing is buffered beyond the sink's staging buffer. With sealing::by_writer the
/// checksum field stays 0 and nothing is hashed (write_bytes_atomically seals it).
/// The Eigen blocks the save meets are recorded into `names` (tensors.hpp), or into a recorder of
/// its own; their index goes into the trailer.
template <class T>
void write_binary_document(const T& object, const options& opts, output_sink& sink, sealing seal = sealing::now,
                           tensor_recorder* names = nullptr) {
  const bool little_endian = opts.format == format::portable_binary || host_is_little_endian();
  const std::uint64_t start = sink.position();
  const std::string section = binary_header_section(root_type_name<T>(), opts);
  sink.write(std::string(fixed_header_bytes, '\0').data(), fixed_header_bytes);  // completed below
  sink.write(section.data(), section.size());
  if (seal == sealing::now) sink.start_checksum();
  binary_output_archive archive(sink, little_endian);
  archive.session().configure(&opts.externals, opts.max_depth);
  tensor_recorder own_names;
  tensor_recorder& recorder = names != nullptr ? *names : own_names;
  archive.record_tensors(&recorder, start);
  archive(cereal::make_nvp("value", object));
  finish_pending_objects(archive);
  archive.graph().check_owners();
  const std::uint64_t payload_bytes = sink.position() - start - fixed_header_bytes - section.size();
  // The index gives little-endian data (safetensors' order): a big-endian host's native file has none.
  const std::string trailer = binary_trailer(archive.session().versions(),
                                             little_endian ? encode_tensor_index(recorder.tensors(), 0) : std::string());
  if (seal == sealing::by_writer) {
    sink.write(trailer.data(), trailer.size());
    std::string fixed = binary_fixed_header(opts.format, little_endian, section.size(), payload_bytes, trailer.size());
    put_le(fixed, 0, 8);
    sink.overwrite(start, fixed);
    return;
  }
  checksum_stream& checksum = sink.checksum();
  sink.write(trailer.data(), trailer.size());
  checksum.update(trailer);
  std::string fixed = binary_fixed_header(opts.format, little_endian, section.size(), payload_bytes, trailer.size());
  put_le(fixed, complete_binary_checksum(checksum, section, fixed), 8);
  sink.overwrite(start, fixed);
}

template <class T>
void write_text_document(const T& object, const options& opts, std::string& out) {
  const text_codec& codec = require_text_codec(opts.format);
  text_node document = codec.document->start(root_type_name<T>(), opts);
  text_output_archive archive(document);
  archive.session().configure(&opts.externals, opts.max_depth);
  archive(cereal::make_nvp("value", object));
  finish_pending_objects(archive);
  archive.graph().check_owners();
  codec.document->finish(document, archive.take_objects(), archive.session().versions(), codec, out);
}

inline bool is_binary_format(format fmt) {
  if (fmt == format::binary || fmt == format::portable_binary) return true;
  if (fmt == format::json || fmt == format::xml) return false;
  throw error(errc::format, "unknown format code " + std::to_string(static_cast<int>(fmt)));
}

/// Throws the picklejar::error that stands for the exception being handled: picklejar's own
/// errors pass as they are; anything else a user's type, cereal or the standard library throws
/// becomes errc::format (errc::limit when memory ran out), located at `field` (may be empty),
/// with the original nested (std::rethrow_if_nested finds it; cereal's own refusals of the data
/// are not nested: they say what is wrong with it). Called only inside a catch block.
[[noreturn]] inline void rethrow_as_picklejar_error(const char* doing, const std::string& field) {
  try {
    throw;
  } catch (const error&) {
    throw;
  } catch (const cereal::Exception& failure) {
    // cereal's refusals of the data (a variant index out of range, ...): data, not code, failed
    throw error(errc::format, failure.what(), {}, field);
  } catch (const std::bad_alloc&) {
    std::throw_with_nested(error(errc::limit, std::string("out of memory while ") + doing, {}, field));
  } catch (const std::length_error& failure) {
    std::throw_with_nested(
        error(errc::limit, std::string("a length is too large while ") + doing + ": " + failure.what(), {}, field));
  } catch (const std::exception& failure) {
    std::throw_with_nested(error(errc::format, std::string("an exception was thrown while ") + doing + ": " +
                                                   failure.what(), {}, field));
  } catch (...) {
    std::throw_with_nested(
        error(errc::format, std::string("an exception that is not a std::exception was thrown while ") + doing,
              {}, field));
  }
}

/// Throws `replacement` (the same error with more context), keeping what `original` nests.
[[noreturn]] inline void rethrow_replaced(const error& original, error replacement) {
  const auto* nested = dynamic_cast<const std::nested_exception*>(&original);
  if (nested != nullptr && nested->nested_ptr() != nullptr) {
    try {
      nested->rethrow_nested();
    } catch (...) {
      std::throw_with_nested(std::move(replacement));
    }
  }
  throw replacement;
}

/// Runs a save, turning every foreign exception into a picklejar error (the original nested).
template <class Save>
void translate_save_failures(Save&& save) {
  try {
    save();
  } catch (const cereal::Exception& failure) {
    // cereal refuses, e.g., an object of an unregistered type behind a polymorphic pointer
    std::throw_with_nested(error(errc::type, std::string("cannot save: ") + failure.what()));
  } catch (...) {
    rethrow_as_picklejar_error("saving", {});
  }
}

/// Appends the whole file to `out` (a binary one unsealed with sealing::by_writer).
template <class T>
void write_document(const T& object, const options& opts, std::string& out, sealing seal = sealing::now) {
  translate_save_failures([&] {
    if (is_binary_format(opts.format)) {
      output_sink sink(out);
      write_binary_document(object, opts, sink, seal);
      sink.flush();
    } else {
      write_text_document(object, opts, out);
    }
  });
}

/// Writes the whole file to an open descriptor, streaming binary formats.
template <class T>
void write_document(const T& object, const options& opts, int fd, const std::filesystem::path& path) {
  translate_save_failures([&] {
    if (is_binary_format(opts.format)) {
      output_sink sink(fd, path);
      write_binary_document(object, opts, sink);
      sink.flush();
    } else {
      std::string bytes;
      write_text_document(object, opts, bytes);
      write_all(fd, bytes, path);
    }
  });
}

inline void check_root_type(const std::string& found, const std::string& expected) {
  if (found != expected) {
    throw error(errc::type, "the file holds a " + found + ", not a " + expected);
  }
}

/// Runs a load, turning foreign exceptions into picklejar errors located at the current field.
template <class Load>
void translate_failures(const field_path& path, Load&& load) {
  try {
    load();
  } catch (const error&) {
    throw;
  } catch (...) {
    rethrow_as_picklejar_error("loading", path.str());
  }
}

/// The objects a failed load created through shared pointers, released in id order once the
/// partly loaded root is gone. A chain of shared pointers (a linked list) is released one object
/// at a time then: each object's table entry is its last owner when its turn comes, since the
/// object before it is gone. Destroyed with the root instead, a 100,000-link chain from a crafted
/// file that fails at its end would be destroyed by 100,000 nested destructor calls, overflowing
/// the stack. Declared before the root, so that it outlives it.
using objects_kept_alive = std::vector<std::shared_ptr<void>>;

template <class Archive>
void keep_objects_alive(Archive& archive, objects_kept_alive* kept) noexcept {
  if (kept == nullptr) return;
  try {
    archive.graph().hand_over_owners(*kept);
  } catch (...) {  // no memory for the list: the objects go with the root, as they otherwise would
  }
}

/// `substitution`, when given, fills the tensors a binary document was written without (tensors.hpp).
template <class T>
void read_document(std::string_view bytes, const options& opts, T& object, objects_kept_alive* kept = nullptr,
                   tensor_substitution* substitution = nullptr) {
  check_input_size(bytes.size(), opts.max_bytes, "data");
  const std::string expected = root_type_name<T>();
  // Everything this load allocates because of what the bytes say is charged here first.
  memory_budget budget(opts.memory_limit(bytes.size()));
  if (looks_binary(bytes)) {
    // The whole file is verified before the archive reads a byte of it: no user code (hooks,
    // load_minimal, comparators, hash functions, constructors) ever sees unverified data.
    const binary_container container =
        read_binary_container(bytes, opts.verify_checksum ? checksum_check::now : checksum_check::skip);
    field_path path(short_type_name(expected), opts.max_depth, &budget);
    binary_input_archive archive(container.payload.data(), container.payload.size(),
                                 container.little_endian, path);
    archive.session().configure_load(opts, container.info);
    archive.graph().refuse_cycles(opts.refuse_ownership_cycles);
    archive.substitute_tensors(substitution);
    try {
      check_root_type(container.info.type_name, expected);
      translate_failures(path, [&] {
        archive(cereal::make_nvp("value", object));
        finish_pending_objects(archive);
        if (archive.remaining() != 0) {
          path.fail(errc::format, std::to_string(archive.remaining()) +
                                      " bytes remain after the object was read: the data does not "
                                      "match the type");
        }
      });
    } catch (...) {
      keep_objects_alive(archive, kept);
      throw;
    }
    return;
  }
  const format fmt = detect_text_format(bytes);
  file_info info;
  const text_node document = require_text_codec(fmt).document->read(bytes, fmt, opts, info, &budget);
  check_root_type(info.type_name, expected);
  field_path path(short_type_name(expected), opts.max_depth, &budget);
  text_input_archive archive(document, fmt == format::xml, path);
  archive.session().configure_load(opts, info);
  archive.graph().refuse_cycles(opts.refuse_ownership_cycles);
  for (const auto& part : document.children) {
    if (part.name == "objects") archive.set_objects(&part);
  }
  try {
    translate_failures(path, [&] {
      archive(cereal::make_nvp("value", object));
      finish_pending_objects(archive);
      if (archive.graph().items_read() != archive.object_count()) {
        path.fail(errc::format, "the document's objects list has " + std::to_string(archive.object_count()) +
                                    " entries, but the data points at " +
                                    std::to_string(archive.graph().items_read()));
      }
    });
  } catch (...) {
    keep_objects_alive(archive, kept);
    throw;
  }
}

/// Adds the file name to any picklejar error thrown by `action`; any other exception becomes one
/// first (rethrow_as_picklejar_error).
template <class Action>
decltype(auto) attributing_errors_to(const std::filesystem::path& file, Action&& action,
                                     const char* doing = "reading the file") {
  try {
    try {
      return action();
    } catch (const error&) {
      throw;
    } catch (...) {
      rethrow_as_picklejar_error(doing, {});
    }
  } catch (const error& failure) {
    if (!failure.file().empty()) throw;
    rethrow_replaced(failure, failure.with_file(file.string()));
  }
}

/// Runs a load entry point: what escapes the archive's own translation (a from_state() hook, a
/// constructor, memory running out while parsing) becomes a picklejar error at the root too.
template <class T, class Load>
decltype(auto) translating_load_failures(Load&& load) {
  try {
    return load();
  } catch (const error&) {
    throw;
  } catch (...) {
    rethrow_as_picklejar_error("loading", short_type_name(root_type_name<T>()));
  }
}

template <class T>
T load_new_object(std::string_view bytes, const options& opts) {
  constexpr bool built_by_from_state = is_built_by_from_state<T>();
  if constexpr (std::is_default_constructible_v<T> && std::is_move_constructible_v<T>) {
    objects_kept_alive kept;  // on failure, outlives the partly loaded object
    T object{};
    read_document(bytes, opts, object, &kept);
    return object;
  } else if constexpr (built_by_from_state) {
    objects_kept_alive kept;
    state_holder<T> root;
    read_document(bytes, opts, root, &kept);
    return call_from_state<T>(std::move(root.state));  // a prvalue: T need not be movable
  } else {
    // The one rule checked at its entry point rather than in detail/object_io/type_rules.hpp:
    // here its diagnostic is 12 lines; from a rule function it was 19.
    static_assert(std::is_move_constructible_v<T> || built_by_from_state,
                  "picklejar: load<T>() returns a T, but T cannot be moved (a std::mutex member?); "
                  "load into an existing object with picklejar::load(object, path), or hold the "
                  "mutex as picklejar::transient<std::mutex>");
    static_assert(std::is_default_constructible_v<T> || built_by_from_state,
                  "picklejar: load<T>() needs T to be default-constructible or to have a static "
                  "from_state(State) hook; or load into an existing object with load(object, ...)");
    throw error(errc::type, "unreachable");
  }
}

}  // namespace detail

/// The bytes of a picklejar file holding `object`, in memory: the same bytes save() writes.
/// \param object the root object (any saveable type)
/// \param opts   format (binary by default), metadata, externals
/// \throws picklejar::error errc::type, errc::limit or errc::format, as for save(); no file name.
template <class T>
std::string dumps(const T& object, const options& opts = {}) {
  std::string bytes;
  if constexpr (detail::check_root<T>()) detail::write_document(object, opts, bytes);
  return bytes;
}

/// Builds a T from the bytes of a picklejar file in any format, such as dumps() returns.
/// T must be default-constructible and movable, or have a from_state hook (compile error
/// otherwise); `Model m = picklejar::loads<Model>(bytes);`.
/// \param bytes the whole file; errc::limit if larger than opts.max_bytes
/// \param opts  load limits, verify_checksum, externals
/// \throws picklejar::error of any kind a load throws (see the file comment), with the field path.
template <class T>
T loads(std::string_view bytes, const options& opts = {}) {
  if constexpr (detail::check_root<T>())
    return detail::translating_load_failures<T>([&] { return detail::load_new_object<T>(bytes, opts); });
  else return T{};
}

/// Loads into an existing object: transient members are reset, the saved members replaced,
/// after_load() runs; members not saved are left as they are. If it throws, `object` may be
/// partly loaded, but no after_load(), set_state() or from_state() has seen unverified data.
/// \param object the object to load into (its type must be the file's root type)
/// \param bytes  the whole file; errc::limit if larger than opts.max_bytes
/// \param opts   load limits, verify_checksum, externals
/// \throws picklejar::error of any kind a load throws (see the file comment), with the field path.
template <class T>
void loads(T& object, std::string_view bytes, const options& opts = {}) {
  if constexpr (detail::check_root<T>())
    detail::translating_load_failures<T>([&] { detail::read_document(bytes, opts, object); });
}

/// Writes `object` to `path` atomically: a temporary file `<path>.pj-tmp-<pid>-<hex>` in the same
/// directory (created O_EXCL | O_NOFOLLOW, locked while written), flushed to disk, renamed over
/// `path`, then the directory flushed. A crash or an error leaves the previous file as it was (and
/// no temporary file, unless the process died; later saves of the same path remove those whose
/// lock is free). The new file keeps the permission bits of the regular file it replaces (a new
/// one gets 0666 less the umask); a symbolic link at `path` is replaced, its target never written
/// (detail/io/file_io.hpp). Binary formats are streamed to the file; JSON and XML are built in
/// memory first.
/// \param object the root object (any saveable type)
/// \param path   the file to create or replace; its directory must exist
/// \param opts   format (binary by default), metadata, externals
/// \throws picklejar::error naming the file: errc::io when the file cannot be created, written,
///         flushed or renamed; errc::type, errc::limit or errc::format as described above.
template <class T>
void save(const T& object, const std::filesystem::path& path, const options& opts = {}) {
  if constexpr (detail::check_root<T>()) {
    detail::attributing_errors_to(path, [&] {
      detail::atomic_file file(path);
      detail::write_document(object, opts, file.descriptor(), path);
      file.commit();
    }, "saving");
  }
}

/// Saves `object` to `path` without waiting for the disk: takes the snapshot now, on the calling
/// thread and under the object's guard (the file's bytes, serialized into memory: what dumps()
/// makes), and returns; one background thread, shared by the process, then writes it to `path`
/// atomically as save() does (temporary file, fsync, rename, directory fsync). Once this returns,
/// `object` may change: the file holds it as it was at the call.
///
/// Costs: memory for the whole file until it is written (a fresh buffer per call, freed after the
/// write; for repeated saves of a large model, checkpoint_manager::save_async keeps its buffers
/// and bounds how many wait). Saves are written one at a time in the order of the calls.
///
/// At exit: the returned future's destructor never blocks, and a save still pending at a normal
/// exit (return from main, std::exit) is written before the process ends (the writer is joined by
/// a static object's destructor). If the process dies first (a crash, a kill, _exit), the save
/// is lost as one interrupted by a crash would be: the previous file at `path` stays whole.
/// \returns a future that becomes ready once the file is on disk; get() throws the
///          picklejar::error (naming the file, errc::io) of a write that failed.
/// \throws picklejar::error naming the file, at once, when the snapshot fails (errc::type,
///         errc::limit, errc::format as for save()).
template <class T>
[[nodiscard]] std::future<void> save_async(const T& object, const std::filesystem::path& path,
                                           const options& opts = {}) {
  std::string bytes;
  if constexpr (detail::check_root<T>()) {
    detail::attributing_errors_to(
        path, [&] { detail::write_document(object, opts, bytes, detail::sealing::by_writer); }, "saving");
  }
  return detail::shared_background_writer::instance().submit(path, std::move(bytes));
}

/// Writes the bytes dumps() returns to `out`, then flushes it. Not atomic: a failure may leave
/// part of the file in the stream. load() from a stream reads it to its end, so write one object
/// per stream: two files back to back read as one damaged file (errc::integrity).
/// \throws picklejar::error errc::io if the stream fails; dumps()'s errors.
template <class T>
void save(const T& object, std::ostream& out, const options& opts = {}) {
  std::string bytes = dumps(object, opts);
  try {
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.flush();
  } catch (...) {  // a stream with exceptions() set
    std::throw_with_nested(error(errc::io, "cannot write to the stream"));
  }
  if (!out) throw error(errc::io, "cannot write to the stream");
}

/// Builds a T from the file at `path` (any format), as loads<T>() does from bytes. A file of
/// 1 MiB or more is memory-mapped unless opts.memory_map is false.
/// `Config config = picklejar::load<Config>("config.json");`
/// \throws picklejar::error naming the file: errc::io if it cannot be opened or is not a regular
///         file, errc::limit if it is larger than opts.max_bytes, and any kind a load throws.
template <class T>
T load(const std::filesystem::path& path, const options& opts = {}) {
  return detail::attributing_errors_to(path, [&] {
    const detail::file_contents contents(path, opts.max_bytes, opts.memory_map);
    return loads<T>(contents.bytes(), opts);
  });
}

/// Loads the file at `path` into an existing object, as loads(object, bytes) does (transients
/// reset, after_load() run; on failure `object` may be partly loaded).
/// `picklejar::load(model, "model.pj");`
/// \throws picklejar::error naming the file: errc::io if it cannot be opened or is not a regular
///         file, errc::limit if it is larger than opts.max_bytes, and any kind a load throws.
template <class T>
void load(T& object, const std::filesystem::path& path, const options& opts = {}) {
  detail::attributing_errors_to(path, [&] {
    const detail::file_contents contents(path, opts.max_bytes, opts.memory_map);
    loads(object, contents.bytes(), opts);
  });
}

namespace detail {
inline std::string read_stream(std::istream& in, std::uint64_t max_bytes) {
  std::string bytes;
  char buffer[1 << 16];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    bytes.append(buffer, static_cast<std::size_t>(in.gcount()));
    check_input_size(bytes.size(), max_bytes, "stream", {}, /*at_least=*/true);
  }
  if (in.bad()) throw error(errc::io, "cannot read from the stream");
  return bytes;
}
}  // namespace detail

/// Loads into an existing object from a stream, read to its end (the stream must hold one file
/// and nothing after it).
/// \throws picklejar::error errc::io if the stream fails, errc::limit if it holds more than
///         opts.max_bytes, and any kind a load throws.
template <class T>
void load(T& object, std::istream& in, const options& opts = {}) {
  const std::string bytes = detail::translating_load_failures<T>([&] { return detail::read_stream(in, opts.max_bytes); });
  loads(object, bytes, opts);
}

/// Builds a T from a stream, read to its end (the stream must hold one file and nothing after it).
/// \throws picklejar::error errc::io if the stream fails, errc::limit if it holds more than
///         opts.max_bytes, and any kind a load throws.
template <class T>
T load(std::istream& in, const options& opts = {}) {
  const std::string bytes = detail::translating_load_failures<T>([&] { return detail::read_stream(in, opts.max_bytes); });
  return loads<T>(bytes, opts);
}

/// Reads a file's header (format, root type, versions, metadata, sizes, stored checksum) without
/// loading the object; a binary file's payload is not even read (a JSON or XML file is parsed
/// whole, under opts.max_bytes and max_depth). The sizes are checked against the file's; the
/// checksum is not verified: verify() does that.
/// `picklejar::inspect("model.pj").metadata.at("epochs")`
/// \throws picklejar::error naming the file: errc::io (cannot open), errc::integrity (truncated),
///         errc::format (not a picklejar file), errc::version (newer file layout), errc::limit.
inline file_info inspect(const std::filesystem::path& path, const options& opts = {}) {
  return detail::attributing_errors_to(path, [&] {
    std::uint64_t size = 0;
    std::string head = detail::read_file_start(path, detail::fixed_header_bytes, size);
    if (detail::looks_binary(head) && head.size() == detail::fixed_header_bytes) {
      const std::uint64_t header_bytes = detail::fixed_header_bytes + detail::get_le(head.data() + 12, 4);
      head = detail::read_file_start(path, std::min<std::uint64_t>(header_bytes, size), size);
      detail::binary_container container = detail::read_binary_container(head, detail::checksum_check::skip, size);
      const detail::binary_layout layout = detail::read_binary_layout(head, size);
      if (layout.trailer_bytes != 0) {
        const std::string trailer = detail::read_file_range(path, layout.trailer_offset(), layout.trailer_bytes);
        if (trailer.size() != layout.trailer_bytes) throw error(errc::integrity, "the file shrank while it was read");
        detail::read_version_table(trailer, container.info);
      }
      return container.info;
    }
    std::string bytes = detail::read_whole_file(path, opts.max_bytes);
    file_info info;
    options unverified = opts;
    unverified.verify_checksum = false;
    const format fmt = detail::detect_text_format(bytes);
    detail::require_text_codec(fmt).document->read(bytes, fmt, unverified, info, nullptr);
    return info;
  });
}

/// Reads a whole file and checks it as load() would before trusting it: the container, the sizes
/// and the checksum (always, whatever opts.verify_checksum says). Returns the header. The object
/// itself is not loaded, so this says nothing about whether it fits a type.
/// \throws picklejar::error naming the file: errc::integrity for a damaged file (checksum
///         mismatch, missing checksum, truncation), and errc::io, errc::format, errc::version or
///         errc::limit as inspect() does.
inline file_info verify(const std::filesystem::path& path, const options& opts = {}) {
  return detail::attributing_errors_to(path, [&] {
    const detail::file_contents contents(path, opts.max_bytes, opts.memory_map);
    const std::string_view bytes = contents.bytes();
    if (detail::looks_binary(bytes)) return detail::read_binary_container(bytes, detail::checksum_check::now).info;
    file_info info;
    options verified = opts;
    verified.verify_checksum = true;
    const format fmt = detail::detect_text_format(bytes);
    detail::require_text_codec(fmt).document->read(bytes, fmt, verified, info, nullptr);
    return info;
  });
}

}  // namespace picklejar
