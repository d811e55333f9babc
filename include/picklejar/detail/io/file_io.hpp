// Every file picklejar opens goes through the few functions at the top of this header, which
// hold its rules against an outsider (another user who can write the directory, or a file that
// is not what its name says):
// - Reading (open_regular_file): the path's symbolic links are followed (the caller named the
//   file; reading changes nothing), but only a regular file is read. The file is opened with
//   O_NONBLOCK and checked with fstat before a byte is read, so a FIFO, a device or a directory
//   at the path is an errc::io error at once, never a hang.
// - Writing (atomic_file): a new temporary file in the target's directory, created with
//   O_CREAT | O_EXCL | O_NOFOLLOW (never an existing file, never through a link), flushed, renamed
//   over the target, and the directory flushed; a crash or a full disk leaves either the old file
//   or the new one, never a torn one. A symbolic link at the target is replaced by the new file,
//   like any other file there (rename semantics); its target is never written. An existing
//   regular file's permission bits (rwx for owner, group, others) are kept.
// - Temporary files are locked (flock) while their save runs. One whose lock is free was left by a
//   save that died, and the next save of that path removes it: no process ids are compared, so
//   savers in different PID namespaces (containers sharing a volume) never take each other's live
//   temporary files for stale ones.
// - Lock files (open_lock_file): O_NOFOLLOW, a regular file with exactly one link, or refused.
#pragma once

#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <string_view>

#include "picklejar/detail/session/limits.hpp"
#include "picklejar/error.hpp"

namespace picklejar::detail {

[[noreturn]] inline void fail_io(const std::string& what, const std::filesystem::path& file, int code) {
  throw error(errc::io, what + ": " + std::strerror(code), file.string());
}

/// Closes a descriptor on every path out of a scope.
class file_descriptor {
 public:
  explicit file_descriptor(int fd = -1) noexcept : fd_(fd) {}
  file_descriptor(file_descriptor&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  file_descriptor& operator=(file_descriptor&& other) noexcept {
    if (this != &other) {
      reset();
      fd_ = other.fd_;
      other.fd_ = -1;
    }
    return *this;
  }
  file_descriptor(const file_descriptor&) = delete;
  file_descriptor& operator=(const file_descriptor&) = delete;
  ~file_descriptor() { reset(); }
  int get() const noexcept { return fd_; }
  /// Closes now and reports the result (close can report a deferred write error).
  int close() noexcept {
    int result = ::close(fd_);
    fd_ = -1;
    return result;
  }
  void reset() noexcept {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

/// What a non-regular file is, for messages.
inline const char* file_kind(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISLNK(mode)) return "a symbolic link";
  return "not a regular file";
}

[[noreturn]] inline void fail_not_regular(mode_t mode, const std::filesystem::path& path) {
  throw error(errc::io, std::string("not a regular file (") + file_kind(mode) + "): refused", path.string());
}

/// Opens a regular file for reading, following symbolic links, without ever blocking: O_NONBLOCK
/// lets the open of a FIFO (or a device) return at once, and fstat then refuses it before any
/// read. `status` receives the file's fstat.
inline file_descriptor open_regular_file(const std::filesystem::path& path, struct stat& status) {
  file_descriptor file(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY));
  if (file.get() < 0) fail_io("cannot open the file", path, errno);
  if (::fstat(file.get(), &status) != 0) fail_io("cannot read the file's size", path, errno);
  if (!S_ISREG(status.st_mode)) fail_not_regular(status.st_mode, path);
  // A regular file never blocks; the flag is cleared anyway so that reads behave as usual (on
  // FUSE, say). F_SETFL 0: none of the other flags it sets (O_APPEND, O_DIRECT...) was asked for.
  ::fcntl(file.get(), F_SETFL, 0);
  return file;
}

/// Opens (creating it, 0666 less the umask) the lock file at `path` for reading and writing,
/// never through a symbolic link, never a FIFO or device, and never a file that has another name
/// too: the caller truncates and writes it, which must not reach a file someone else planted
/// there (as root: any file on the file system).
inline file_descriptor open_lock_file(const std::filesystem::path& path) {
  file_descriptor file(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY, 0666));
  if (file.get() < 0) {
    const int code = errno;
    if (code == ELOOP) {
      throw error(errc::io, "the lock file " + path.string() + " is a symbolic link: refused (it is never followed)",
                  path.string());
    }
    fail_io("cannot open the lock file " + path.string(), path, code);
  }
  struct stat status {};
  if (::fstat(file.get(), &status) != 0) fail_io("cannot examine the lock file " + path.string(), path, errno);
  if (!S_ISREG(status.st_mode)) {
    throw error(errc::io,
                "the lock file " + path.string() + " is not a regular file (" + file_kind(status.st_mode) + "): refused",
                path.string());
  }
  if (status.st_nlink != 1) {
    throw error(errc::io,
                "the lock file " + path.string() + " has " + std::to_string(status.st_nlink) +
                    " hard links: refused (another name of it may be someone else's file)",
                path.string());
  }
  ::fcntl(file.get(), F_SETFL, 0);  // O_NONBLOCK off again, as in open_regular_file
  return file;
}

/// Takes an exclusive flock(2) without waiting; false if someone else holds one.
inline bool try_lock_exclusively(int fd) noexcept {
  int result = 0;
  do {
    result = ::flock(fd, LOCK_EX | LOCK_NB);
  } while (result != 0 && errno == EINTR);
  return result == 0;
}

/// Reads at most `limit` bytes from the start of `file`, open at its start; `size` is its size.
inline std::string read_open_file(const file_descriptor& file, const std::filesystem::path& path, std::uint64_t limit,
                                  std::uint64_t size) {
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

/// Reads at most `limit` bytes from the start of a regular file; `size` receives the file's size.
inline std::string read_file_start(const std::filesystem::path& path, std::uint64_t limit, std::uint64_t& size) {
  struct stat status {};
  const file_descriptor file = open_regular_file(path, status);
  size = static_cast<std::uint64_t>(status.st_size);
  return read_open_file(file, path, limit, size);
}

/// The whole of an open file of `size` bytes (its fstat size), at most `max_bytes`: errc::limit
/// otherwise. A file that changes meanwhile is caught by the checks on the content.
inline std::string read_whole_open_file(const file_descriptor& file, const std::filesystem::path& path,
                                        std::uint64_t max_bytes, std::uint64_t size) {
  std::string bytes = read_open_file(file, path, max_bytes + 1, size);
  check_input_size(std::max<std::uint64_t>(size, bytes.size()), max_bytes, "file", path.string());
  return bytes;
}

inline std::string read_whole_file(const std::filesystem::path& path, std::uint64_t max_bytes) {
  struct stat status {};
  const file_descriptor file = open_regular_file(path, status);
  return read_whole_open_file(file, path, max_bytes, static_cast<std::uint64_t>(status.st_size));
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

inline constexpr std::string_view temporary_marker = ".pj-tmp-";

/// 16 hexadecimal digits.
inline std::string hex64(std::uint64_t value) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string text(16, '0');
  for (int i = 15; i >= 0; --i, value >>= 4) text[static_cast<std::size_t>(i)] = digits[value & 15];
  return text;
}

/// The start of every temporary file name of a save of a file named `name`, in a directory whose
/// names are at most `name_max` bytes: "<name>.pj-tmp-"; or, when that leaves no room for the
/// unique part (a name of more than 220 bytes where the limit is 255), "<its first bytes>~<hash of
/// the whole name>.pj-tmp-", so that a name up to the limit can still be saved and its leftovers found.
inline std::string temporary_prefix(const std::string& name, long name_max) {
  constexpr std::size_t unique_part = 10 + 1 + 16;  // "<pid>-<16 hex digits>"
  const auto limit = static_cast<std::size_t>(name_max > 0 ? name_max : 255);
  if (name.size() + temporary_marker.size() + unique_part <= limit) return name + std::string(temporary_marker);
  std::uint64_t hash = 14695981039346656037ull;  // FNV-1a: stable across processes and builds
  for (const char c : name) hash = (hash ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  const std::size_t reserved = temporary_marker.size() + unique_part + 1 + 16;
  const std::size_t kept = limit > reserved ? std::min(name.size(), limit - reserved) : 0;
  return name.substr(0, kept) + "~" + hex64(hash) + std::string(temporary_marker);
}

inline long name_max_of(const std::filesystem::path& directory) {
  const long limit = ::pathconf(directory.c_str(), _PC_NAME_MAX);
  return limit > 0 ? limit : 255;
}

inline std::filesystem::path directory_of(const std::filesystem::path& path) {
  return path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
}

/// A number no other temporary file is likely to use; O_EXCL settles the rest.
inline std::uint64_t unique_number() {
  static std::atomic<std::uint64_t> counter{0};
  std::uint64_t value = 0;
  if (::getrandom(&value, sizeof value, GRND_NONBLOCK) != static_cast<ssize_t>(sizeof value)) value = 0;
  value ^= static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
  value ^= (counter.fetch_add(1) + 1) * 0x9E3779B97F4A7C15ull;
  value ^= static_cast<std::uint64_t>(::getpid()) << 40;
  return value;
}

/// What remove_if_abandoned found.
enum class temporary_file_state { removed, in_use, gone, not_removed };

/// Removes the temporary file `path` if no save holds its lock (its save died: the kernel drops a
/// flock with the last descriptor of its file). A live save's file, a file that is not a regular
/// file or cannot be opened, is left alone. `failure` gets why a removal failed (not_removed).
inline temporary_file_state remove_if_abandoned(const std::filesystem::path& path, int& failure) noexcept {
  failure = 0;
  file_descriptor file(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY));
  if (file.get() < 0) {
    if (errno == ENOENT) return temporary_file_state::gone;
    failure = errno;
    return temporary_file_state::not_removed;
  }
  struct stat opened {};
  if (::fstat(file.get(), &opened) != 0 || !S_ISREG(opened.st_mode)) return temporary_file_state::in_use;
  if (!try_lock_exclusively(file.get())) return temporary_file_state::in_use;
  // Still the file the name holds (not replaced since it was opened)? Then, holding its lock,
  // remove it; a save that created it and has not locked it yet sees, once it does, that it has
  // no name any more and makes another.
  struct stat named {};
  if (::lstat(path.c_str(), &named) != 0) return temporary_file_state::gone;
  if (named.st_dev != opened.st_dev || named.st_ino != opened.st_ino) return temporary_file_state::in_use;
  if (::unlink(path.c_str()) != 0) {
    failure = errno;
    return errno == ENOENT ? temporary_file_state::gone : temporary_file_state::not_removed;
  }
  return temporary_file_state::removed;
}

/// Removes the temporary files that earlier saves of `path` left behind when their process died
/// (see remove_if_abandoned); a temporary file another save is writing right now is left alone.
inline void remove_stale_temporaries(const std::filesystem::path& path) {
  const std::filesystem::path directory = directory_of(path);
  const std::string prefix = temporary_prefix(path.filename().string(), name_max_of(directory));
  std::error_code ignored;
  for (std::filesystem::directory_iterator entry(directory, ignored), end; !ignored && entry != end;
       entry.increment(ignored)) {
    const std::string name = entry->path().filename().string();
    if (name.compare(0, prefix.size(), prefix) != 0) continue;
    int failure = 0;
    remove_if_abandoned(entry->path(), failure);
  }
}

/// A file written under a temporary name in the target's directory and renamed over the target
/// by commit(), after it is flushed to disk; the directory is flushed too. Until commit(), the
/// target is untouched, and a failure or a destruction without commit() removes the temporary.
///
/// The temporary file is created with O_EXCL | O_NOFOLLOW and held locked (flock, on a second,
/// read-only descriptor that stays open until after the rename, so that closing the written one
/// to catch a deferred write error does not release it). If the target is a regular file, the new
/// file gets its permission bits; it is created 0600 and given them before a byte is written, so
/// a file that was private is never readable by others on the way.
class atomic_file {
 public:
  explicit atomic_file(std::filesystem::path path) : path_(std::move(path)) {
    const std::filesystem::path directory = directory_of(path_);
    const std::string prefix = temporary_prefix(path_.filename().string(), name_max_of(directory));
    struct stat target {};
    const bool keep_mode = ::lstat(path_.c_str(), &target) == 0 && S_ISREG(target.st_mode);
    const mode_t kept_mode = target.st_mode & 0777;  // never setuid, setgid or sticky
    for (int attempt = 0;; ++attempt) {
      temporary_ = (directory / (prefix + std::to_string(::getpid()) + "-" + hex64(unique_number()))).string();
      file_descriptor file(
          ::open(temporary_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY,
                 keep_mode ? 0600 : 0666));
      if (file.get() < 0) {
        if (errno == EEXIST && attempt < 100) continue;
        fail_io("cannot create a temporary file next to it", path_, errno);
      }
      struct stat created {};
      if (::fstat(file.get(), &created) != 0) fail_io("cannot create a temporary file next to it", path_, errno);
      // Owner read is needed for the lock descriptor; only a umask that removes it needs this.
      const bool needs_read = (created.st_mode & S_IRUSR) == 0;
      if (needs_read) ::fchmod(file.get(), (created.st_mode & 0777) | S_IRUSR);
      file_descriptor lock(::open(temporary_.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY));
      if (lock.get() < 0) {
        const int code = errno;
        if (code == ENOENT && attempt < 100) continue;  // already removed by another save's clean-up
        if (code != ENOENT) ::unlink(temporary_.c_str());
        fail_io("cannot create a temporary file next to it", path_, code);
      }
      struct stat locked {};
      const bool same_file = ::fstat(lock.get(), &locked) == 0 && locked.st_dev == created.st_dev &&
                             locked.st_ino == created.st_ino;
      // Not the file just created, or locked by someone else, or no longer linked: another save's
      // clean-up took it between its creation and this lock (it removes it). Make another one.
      if (!same_file || !try_lock_exclusively(lock.get()) || ::fstat(lock.get(), &locked) != 0 ||
          locked.st_nlink == 0) {
        if (attempt < 100) continue;
        fail_io("cannot create a temporary file next to it", path_, EEXIST);
      }
      if (keep_mode || needs_read) {
        if (::fchmod(file.get(), keep_mode ? kept_mode : created.st_mode & 0777) != 0) {
          const int code = errno;
          ::unlink(temporary_.c_str());
          fail_io("cannot give the new file the permissions of the one it replaces", path_, code);
        }
      }
      fd_ = std::move(file);
      lock_ = std::move(lock);
      return;
    }
  }
  atomic_file(const atomic_file&) = delete;
  atomic_file& operator=(const atomic_file&) = delete;
  ~atomic_file() {
    // Removed while still locked, so that no clean-up can mistake it for another file.
    if (!committed_) ::unlink(temporary_.c_str());
  }

  int descriptor() const noexcept { return fd_.get(); }
  const std::filesystem::path& path() const noexcept { return path_; }

  void commit() {
    if (::fsync(fd_.get()) != 0) fail_io("cannot flush the file to disk", path_, errno);
    if (fd_.close() != 0) fail_io("cannot close the file", path_, errno);
    if (::rename(temporary_.c_str(), path_.c_str()) != 0) fail_io("cannot replace the file", path_, errno);
    committed_ = true;
    lock_.reset();  // the temporary name is gone; nothing left to protect
    const std::filesystem::path directory = directory_of(path_);
    file_descriptor dir(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dir.get() >= 0 && ::fsync(dir.get()) != 0 && errno != EINVAL) {
      fail_io("cannot flush the directory to disk", path_, errno);
    }
    remove_stale_temporaries(path_);
  }

 private:
  std::filesystem::path path_;
  std::string temporary_;
  file_descriptor fd_;
  file_descriptor lock_;
  bool committed_ = false;
};

inline void write_file_atomically(const std::filesystem::path& path, std::string_view bytes) {
  atomic_file file(path);
  write_all(file.descriptor(), bytes, path);
  file.commit();
}

/// Reads `length` bytes at `offset` of a file (fewer if it is shorter).
inline std::string read_file_range(const std::filesystem::path& path, std::uint64_t offset, std::uint64_t length) {
  struct stat status {};
  const file_descriptor file = open_regular_file(path, status);
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
  static constexpr std::uint64_t mapping_threshold = std::uint64_t{1} << 20;

  /// `map_from`: the smallest file that is mapped (tensor files map every file, so that their
  /// views are aligned as the file is).
  file_contents(const std::filesystem::path& path, std::uint64_t max_bytes, bool allow_mapping,
                std::uint64_t map_from = mapping_threshold) {
    struct stat status {};
    const file_descriptor file = open_regular_file(path, status);
    const auto size = static_cast<std::uint64_t>(status.st_size);
    check_input_size(size, max_bytes, "file", path.string());
    if (allow_mapping && size >= std::max<std::uint64_t>(map_from, 1) && size <= SIZE_MAX) {
      // MAP_POPULATE maps the cached pages up front: one call instead of a fault per 64 KiB.
      void* mapped = ::mmap(nullptr, static_cast<std::size_t>(size), PROT_READ, MAP_PRIVATE | MAP_POPULATE,
                            file.get(), 0);
      if (mapped != MAP_FAILED) {
        mapped_ = mapped;
        bytes_ = std::string_view(static_cast<const char*>(mapped), static_cast<std::size_t>(size));
        return;
      }
    }
    read_ = read_whole_open_file(file, path, max_bytes, size);
    bytes_ = read_;
  }
  file_contents(const file_contents&) = delete;
  file_contents& operator=(const file_contents&) = delete;
  ~file_contents() {
    if (mapped_ != nullptr) ::munmap(mapped_, bytes_.size());
  }

  std::string_view bytes() const noexcept { return bytes_; }

 private:
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
