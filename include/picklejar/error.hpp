// picklejar::error and picklejar::errc: the one exception type every failure is reported with.
#pragma once

#include <stdexcept>
#include <string>
#include <utility>

namespace picklejar {

/// What kind of failure an error is; programs branch on this, people read the message.
enum class errc {
  io = 1,     ///< the file or stream could not be opened, read or written
  format,     ///< the bytes are not a picklejar file, or not what the type expects
  integrity,  ///< the file is damaged: checksum mismatch or truncation
  limit,      ///< the input claims more than the limits in picklejar::options allow
  type,       ///< the file holds another type than the one asked for
  version,    ///< the file was written by a newer program or format version
};

/// The name used in messages and error ids: "io", "format", ...
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
class error : public std::runtime_error {
 public:
  error(errc code, std::string reason, std::string file = {}, std::string field_path = {})
      : std::runtime_error(compose(code, reason, file, field_path)),
        code_(code),
        reason_(std::move(reason)),
        file_(std::move(file)),
        field_path_(std::move(field_path)) {}

  errc code() const noexcept { return code_; }
  /// The failure without file and path, e.g. "expected a number, found a string".
  const std::string& reason() const noexcept { return reason_; }
  /// The file being read or written; empty for streams and byte strings.
  const std::string& file() const noexcept { return file_; }
  /// Where in the object the failure happened, e.g. "Classifier.layers_[2].weights"; may be empty.
  const std::string& field_path() const noexcept { return field_path_; }

  /// The same error, attributed to a file (entry points add it once they know it).
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
