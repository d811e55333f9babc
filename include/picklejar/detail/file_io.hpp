// Whole-file reads (mapped when large) and atomic replacement (POSIX). Saving writes a temporary file in the target's
// directory, flushes it to disk, renames it over the target and flushes the directory, so a crash
// or a full disk leaves either the old file or the new one, never a torn one.
#pragma once

#include <fcntl.h>
#include <sys/mman.h>
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
    if (written == 0) fail_io("cannot write the file", path, EIO);  // no progress: never loop forever
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

/// A file written under a temporary name in the target's directory and renamed over the target
/// by commit(), after it is flushed to disk; the directory is flushed too. Until commit(), the
/// target is untouched, and a failure or a destruction without commit() removes the temporary.
class atomic_file {
 public:
  explicit atomic_file(std::filesystem::path path) : path_(std::move(path)) {
    static std::atomic<unsigned> counter{0};
    temporary_ = path_.string() + ".pj-tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
    fd_ = ::open(temporary_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd_ < 0) fail_io("cannot create a temporary file next to it", path_, errno);
  }
  atomic_file(const atomic_file&) = delete;
  atomic_file& operator=(const atomic_file&) = delete;
  ~atomic_file() {
    if (fd_ >= 0) ::close(fd_);
    if (!committed_) ::unlink(temporary_.c_str());
  }

  int descriptor() const noexcept { return fd_; }
  const std::filesystem::path& path() const noexcept { return path_; }

  void commit() {
    if (::fsync(fd_) != 0) fail_io("cannot flush the file to disk", path_, errno);
    const int result = ::close(fd_);
    fd_ = -1;
    if (result != 0) fail_io("cannot close the file", path_, errno);
    if (::rename(temporary_.c_str(), path_.c_str()) != 0) fail_io("cannot replace the file", path_, errno);
    committed_ = true;
    const std::filesystem::path directory = path_.has_parent_path() ? path_.parent_path() : ".";
    file_descriptor dir(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dir.get() >= 0 && ::fsync(dir.get()) != 0 && errno != EINVAL) {
      fail_io("cannot flush the directory to disk", path_, errno);
    }
    remove_stale_temporaries(path_);
  }

 private:
  std::filesystem::path path_;
  std::string temporary_;
  int fd_ = -1;
  bool committed_ = false;
};

inline void write_file_atomically(const std::filesystem::path& path, std::string_view bytes) {
  atomic_file file(path);
  write_all(file.descriptor(), bytes, path);
  file.commit();
}

/// Reads `length` bytes at `offset` of a file (fewer if it is shorter).
inline std::string read_file_range(const std::filesystem::path& path, std::uint64_t offset, std::uint64_t length) {
  file_descriptor file(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (file.get() < 0) fail_io("cannot open the file", path, errno);
  std::string bytes(static_cast<std::size_t>(length), '\0');
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t got = ::pread(file.get(), bytes.data() + done, bytes.size() - done, static_cast<off_t>(offset + done));
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) fail_io("cannot read the file", path, errno);
    if (got == 0) break;
    done += static_cast<std::size_t>(got);
  }
  bytes.resize(done);
  return bytes;
}

/// A whole file's bytes for loading: a large file is mapped read-only (its pages stay page cache,
/// shared with the system, instead of becoming a copy on the heap the size of the file); a small
/// one is read.
///
/// A mapping has one hazard: if another process truncates the file in place while it is loaded,
/// touching the lost pages raises SIGBUS. picklejar's own saves never do that (they replace a file
/// by renaming a new one over it, and the mapping keeps the old one), so only a file rewritten in
/// place by something else is exposed; options.memory_map = false reads such files instead.
class file_contents {
 public:
  file_contents(const std::filesystem::path& path, std::uint64_t max_bytes, bool allow_mapping) {
    file_descriptor file(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (file.get() < 0) fail_io("cannot open the file", path, errno);
    struct stat status {};
    if (::fstat(file.get(), &status) != 0) fail_io("cannot read the file's size", path, errno);
    if (!S_ISREG(status.st_mode)) throw error(errc::io, "not a regular file", path.string());
    const auto size = static_cast<std::uint64_t>(status.st_size);
    if (size > max_bytes) {
      throw error(errc::limit, "the file is " + std::to_string(size) + " bytes, more than the limit of " +
                                   std::to_string(max_bytes) + " (options.max_bytes)",
                  path.string());
    }
    if (allow_mapping && size >= mapping_threshold && size <= SIZE_MAX) {
      // MAP_POPULATE maps the cached pages up front: one call instead of a fault per 64 KiB.
      void* mapped = ::mmap(nullptr, static_cast<std::size_t>(size), PROT_READ, MAP_PRIVATE | MAP_POPULATE,
                            file.get(), 0);
      if (mapped != MAP_FAILED) {
        mapped_ = mapped;
        bytes_ = std::string_view(static_cast<const char*>(mapped), static_cast<std::size_t>(size));
        return;
      }
    }
    read_ = read_whole_file(path, max_bytes);
    bytes_ = read_;
  }
  file_contents(const file_contents&) = delete;
  file_contents& operator=(const file_contents&) = delete;
  ~file_contents() {
    if (mapped_ != nullptr) ::munmap(mapped_, bytes_.size());
  }

  std::string_view bytes() const noexcept { return bytes_; }

 private:
  static constexpr std::uint64_t mapping_threshold = std::uint64_t{1} << 20;

  void* mapped_ = nullptr;
  std::string read_;
  std::string_view bytes_;
};

/// Asks the kernel to back a large block that is about to be written with huge pages: a fresh
/// 256 MiB destination then takes 128 page faults instead of 65,536 (measured: 74 ms instead of
/// 158 ms to fill it, see docs/performance.md). Only the whole pages inside the block are
/// advised; where transparent huge pages are off, this does nothing.
inline void advise_huge_pages(void* data, std::size_t bytes) noexcept {
#if defined(MADV_HUGEPAGE)
  constexpr std::size_t huge_page = std::size_t{2} << 20;
  if (bytes < 4 * huge_page) return;
  const auto page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
  const auto begin = (reinterpret_cast<std::uintptr_t>(data) + page - 1) / page * page;
  const auto end = (reinterpret_cast<std::uintptr_t>(data) + bytes) / page * page;
  if (end > begin) ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
#else
  (void)data;
  (void)bytes;
#endif
}

}  // namespace picklejar::detail
