// Whole-file reads and atomic replacement (POSIX). Saving writes a temporary file in the target's
// directory, flushes it to disk, renames it over the target and flushes the directory, so a crash
// or a full disk leaves either the old file or the new one, never a torn one.
#pragma once

#include <fcntl.h>
#include <sys/stat.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <string_view>

#include "picklejar/error.hpp"

namespace picklejar::detail {

[[noreturn]] inline void fail_io(const std::string& what, const std::filesystem::path& file, int code) {
  throw error(errc::io, what + ": " + std::strerror(code), file.string());
}

/// Closes a descriptor on every path out of a scope.
class file_descriptor {
 public:
  explicit file_descriptor(int fd) noexcept : fd_(fd) {}
  file_descriptor(const file_descriptor&) = delete;
  file_descriptor& operator=(const file_descriptor&) = delete;
  ~file_descriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const noexcept { return fd_; }
  /// Closes now and reports the result (close can report a deferred write error).
  int close() noexcept {
    int result = ::close(fd_);
    fd_ = -1;
    return result;
  }

 private:
  int fd_;
};

/// Reads at most `limit` bytes from the start of a regular file; `size` receives the file's size.
inline std::string read_file_start(const std::filesystem::path& path, std::uint64_t limit, std::uint64_t& size) {
  file_descriptor file(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (file.get() < 0) fail_io("cannot open the file", path, errno);
  struct stat status {};
  if (::fstat(file.get(), &status) != 0) fail_io("cannot read the file's size", path, errno);
  if (!S_ISREG(status.st_mode)) throw error(errc::io, "not a regular file", path.string());
  size = static_cast<std::uint64_t>(status.st_size);
  std::string bytes(static_cast<std::size_t>(std::min(size, limit)), '\0');
  std::size_t done = 0;
  while (done < bytes.size()) {
    ssize_t got = ::read(file.get(), bytes.data() + done, bytes.size() - done);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) fail_io("cannot read the file", path, errno);
    if (got == 0) break;  // shrank while reading: the checks on the content will say so
    done += static_cast<std::size_t>(got);
  }
  bytes.resize(done);
  return bytes;
}

inline std::string read_whole_file(const std::filesystem::path& path, std::uint64_t max_bytes) {
  std::uint64_t size = 0;
  std::string bytes = read_file_start(path, max_bytes + 1, size);
  if (size > max_bytes || bytes.size() > max_bytes) {
    throw error(errc::limit, "the file is " + std::to_string(std::max<std::uint64_t>(size, bytes.size())) +
                                 " bytes, more than the limit of " + std::to_string(max_bytes) +
                                 " (options.max_bytes)",
                path.string());
  }
  return bytes;
}

inline void write_all(int fd, std::string_view bytes, const std::filesystem::path& path) {
  while (!bytes.empty()) {
    ssize_t written = ::write(fd, bytes.data(), bytes.size());
    if (written < 0 && errno == EINTR) continue;
    if (written < 0) fail_io("cannot write the file", path, errno);
    bytes.remove_prefix(static_cast<std::size_t>(written));
  }
}

/// Removes temporary files that earlier saves of `path` left behind when their process was killed
/// ("<path>.pj-tmp-<pid>-<n>" whose process no longer exists). A live process's temporary file is
/// left alone: it may be saving the same path right now.
inline void remove_stale_temporaries(const std::filesystem::path& path) {
  const std::string prefix = path.filename().string() + ".pj-tmp-";
  const std::filesystem::path directory = path.has_parent_path() ? path.parent_path() : ".";
  std::error_code ignored;
  for (std::filesystem::directory_iterator entry(directory, ignored), end; !ignored && entry != end;
       entry.increment(ignored)) {
    const std::string name = entry->path().filename().string();
    if (name.compare(0, prefix.size(), prefix) != 0) continue;
    const long pid = std::strtol(name.c_str() + prefix.size(), nullptr, 10);
    if (pid <= 0 || pid == ::getpid()) continue;
    if (::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) std::filesystem::remove(entry->path(), ignored);
  }
}

inline void write_file_atomically(const std::filesystem::path& path, std::string_view bytes) {
  static std::atomic<unsigned> counter{0};
  std::filesystem::path directory = path.has_parent_path() ? path.parent_path() : ".";
  std::filesystem::path temporary =
      path.string() + ".pj-tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
  file_descriptor file(::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666));
  if (file.get() < 0) fail_io("cannot create a temporary file next to it", path, errno);
  try {
    write_all(file.get(), bytes, path);
    if (::fsync(file.get()) != 0) fail_io("cannot flush the file to disk", path, errno);
    if (file.close() != 0) fail_io("cannot close the file", path, errno);
    if (::rename(temporary.c_str(), path.c_str()) != 0) fail_io("cannot replace the file", path, errno);
  } catch (...) {
    ::unlink(temporary.c_str());
    throw;
  }
  file_descriptor dir(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() >= 0 && ::fsync(dir.get()) != 0 && errno != EINVAL) {
    fail_io("cannot flush the directory to disk", path, errno);
  }
  remove_stale_temporaries(path);
}

}  // namespace picklejar::detail
