/// \file
/// picklejar::error and picklejar::errc: the one exception type every failure is reported with.
/// Included by picklejar/picklejar.hpp (and by every other public header that throws).
#pragma once

#include <stdexcept>
#include <string>
#include <utility>

namespace picklejar {

/// What kind of failure an error is (error::code()); programs branch on this, people read the
/// message.
enum class errc {
  /// A file, stream or directory could not be opened, read, written, flushed or renamed; also a
  /// checkpoint directory that another checkpoint_manager holds, or one with no checkpoint.
  io = 1,
  /// The bytes are not a picklejar file, or not what the type expects: malformed JSON/XML, a
  /// missing field, a wrong kind of value, data left over, a shape an Eigen type cannot hold.
  format,
  /// The file is damaged: checksum mismatch, missing checksum, truncated or empty.
  integrity,
  /// The input exceeds a limit of picklejar::options (max_bytes, max_depth) or memory: checked
  /// before anything large is allocated.
  limit,
  /// A type problem: the file holds another root type than the one asked for, names an
  /// unregistered subtype or an external object not given in options::externals; or, when
  /// saving, a pointer that cannot be saved (an unregistered subtype, an aliasing shared_ptr).
  type,
  /// The file was written by a newer program (a PICKLEJAR_VERSION higher than this program's)
  /// or a newer picklejar file layout.
  version,
};

/// The name used in messages and error ids: "io", "format", "integrity", "limit", "type",
/// "version" ("unknown" for a value outside the enumeration).
constexpr const char* to_string(errc code) noexcept {
  switch (code) {
    case errc::io: return "io";
    case errc::format: return "format";
    case errc::integrity: return "integrity";
    case errc::limit: return "limit";
    case errc::type: return "type";
    case errc::version: return "version";
  }
  return "unknown";
}

/// Thrown by every picklejar entry point. what() reads
/// "[picklejar.error.format] model.pj: Classifier.optimizer_.m[3]: expected a number, found a string";
/// code(), file(), field_path() and reason() give the parts to programs.
///
/// ```cpp
/// try {
///   picklejar::load(model, "model.pj");
/// } catch (const picklejar::error& failure) {
///   if (failure.code() == picklejar::errc::integrity) restore_backup();
///   else throw;
/// }
/// ```
class error : public std::runtime_error {
 public:
  /// \param code       the kind of failure
  /// \param reason     what went wrong, without file or path
  /// \param file       the file being read or written; empty for streams and byte strings
  /// \param field_path where in the object, like "Model.layers[2].weights"; may be empty
  error(errc code, std::string reason, std::string file = {}, std::string field_path = {})
      : std::runtime_error(compose(code, reason, file, field_path)),
        code_(code),
        reason_(std::move(reason)),
        file_(std::move(file)),
        field_path_(std::move(field_path)) {}

  /// The kind of failure, for programs to branch on.
  errc code() const noexcept { return code_; }
  /// The failure without file and path: "expected a number, found a string".
  const std::string& reason() const noexcept { return reason_; }
  /// The file being read or written; empty for streams and byte strings.
  const std::string& file() const noexcept { return file_; }
  /// Where in the object the failure happened, like "Classifier.layers_[2].weights"; may be empty.
  const std::string& field_path() const noexcept { return field_path_; }

  /// The same error, attributed to a file (the path entry points add it on the way out).
  error with_file(std::string file) const { return error(code_, reason_, std::move(file), field_path_); }
  /// The same error, located at a field path (archives add it on the way out).
  error with_field_path(std::string path) const { return error(code_, reason_, file_, std::move(path)); }

 private:
  static std::string compose(errc code, const std::string& reason, const std::string& file,
                             const std::string& field_path) {
    std::string text = "[picklejar.error.";
    text += to_string(code);
    text += "] ";
    if (!file.empty()) text += file + ": ";
    if (!field_path.empty()) text += field_path + ": ";
    text += reason;
    return text;
  }

  errc code_;
  std::string reason_;
  std::string file_;
  std::string field_path_;
};

}  // namespace picklejar
