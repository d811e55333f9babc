// Where a binary archive's bytes go: a std::string (dumps) or a file descriptor (save), through
// a small staging buffer, so that a field costs a bounds check and a memcpy rather than a call
// into a stream. Large blocks (Eigen weights) bypass the buffer and go straight from the user's
// memory to the string or the file. The payload is checksummed on the way out, a piece at a time
// while the piece is still in the cache, so nothing makes a second pass over the data and no copy
// of the whole file is ever built on save.
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>

#include "picklejar/detail/document/checksum.hpp"
#include "picklejar/detail/io/file_io.hpp"

namespace picklejar::detail {

class output_sink {
 public:
  /// Appends to `memory`.
  explicit output_sink(std::string& memory) : memory_(&memory), written_(memory.size()) {}
  /// Writes to the open descriptor `fd`, from its current offset (0); `path` names it in errors.
  output_sink(int fd, const std::filesystem::path& path) : fd_(fd), path_(&path) {}
  /// Counts the bytes and drops them: for a save that only walks the object (tensors.hpp).
  output_sink() = default;

  output_sink(const output_sink&) = delete;
  output_sink& operator=(const output_sink&) = delete;

  void write(const void* data, std::size_t size) {
    // An empty block (an empty Eigen matrix or vector) may come with a null `data`, which memcpy
    // must not be given even for zero bytes (undefined behaviour; UBSan reports it).
    if (size == 0) return;
    if (size <= static_cast<std::size_t>(end_ - cursor_)) {
      std::memcpy(cursor_, data, size);
      cursor_ += size;
      return;
    }
    write_slow(static_cast<const char*>(data), size);
  }

  /// Bytes written so far, counted from the start of the string or the file.
  std::uint64_t position() const noexcept { return written_ + static_cast<std::uint64_t>(cursor_ - staging_begin()); }

  /// Everything written from now on, until checksum(), is hashed.
  void start_checksum() {
    flush();
    hashing_ = true;
  }
  /// The hash of what was written since start_checksum(); hashing stops.
  checksum_stream& checksum() {
    flush();
    hashing_ = false;
    return checksum_;
  }

  /// Rewrites bytes already written (the header's sizes and checksum) at `offset`.
  void overwrite(std::uint64_t offset, std::string_view bytes) {
    flush();
    if (memory_ != nullptr) {
      memory_->replace(static_cast<std::size_t>(offset), bytes.size(), bytes.data(), bytes.size());
      return;
    }
    if (fd_ < 0) return;
    for (std::size_t done = 0; done < bytes.size();) {
      const ssize_t wrote = ::pwrite(fd_, bytes.data() + done, bytes.size() - done, static_cast<off_t>(offset + done));
      if (wrote < 0 && errno == EINTR) continue;
      if (wrote < 0) fail_io("cannot write the file", *path_, errno);
      done += static_cast<std::size_t>(wrote);
    }
  }

  /// Sends the staged bytes on.
  void flush() {
    const std::size_t staged = static_cast<std::size_t>(cursor_ - staging_begin());
    if (staged == 0) return;
    deliver(staging_begin(), staged);
    cursor_ = staging_begin();
  }

 private:
  static constexpr std::size_t staging_bytes = std::size_t{64} << 10;
  // Large blocks go out in pieces of this size: small enough that a piece is still in the cache
  // when it is hashed, large enough that a file gets few system calls.
  static constexpr std::size_t piece_bytes = std::size_t{256} << 10;
  static constexpr std::uint64_t writeback_window = std::uint64_t{8} << 20;

  char* staging_begin() const noexcept { return staging_.get(); }

  void write_slow(const char* data, std::size_t size) {
    if (!staging_) {  // first write: the buffer is made on demand, so an empty save costs nothing
      staging_.reset(new char[staging_bytes]);
      cursor_ = staging_begin();
      end_ = cursor_ + staging_bytes;
      if (size <= staging_bytes) return write(data, size);
    }
    flush();
    if (size < staging_bytes / 2) {
      std::memcpy(cursor_, data, size);
      cursor_ += size;
      return;
    }
    if (memory_ != nullptr && memory_->capacity() - memory_->size() < size) {
      // One allocation of the final size for a large block instead of repeated doubling (each
      // doubling copies everything so far); some room is left for what usually follows.
      memory_->reserve(memory_->size() + size + staging_bytes + memory_->size() / 8);
    }
    for (std::size_t done = 0; done < size; done += piece_bytes) deliver(data + done, std::min(piece_bytes, size - done));
  }

  void deliver(const char* data, std::size_t size) {
    if (memory_ != nullptr) memory_->append(data, size);
    else if (fd_ >= 0) write_all(fd_, std::string_view(data, size), *path_);
    if (hashing_) checksum_.update(data, size);
    written_ += size;
    if (fd_ >= 0 && written_ - writeback_started_ >= writeback_window) start_writeback();
  }

  // The disk writes of a large file start while the rest is still being produced, so the final
  // fsync waits for the last window only, not the whole file (measured for 256 MiB: the save
  // takes 165 ms instead of 240 ms). Only a hint: fsync still reports every error.
  void start_writeback() noexcept {
#if defined(SYNC_FILE_RANGE_WRITE)
    ::sync_file_range(fd_, static_cast<off_t>(writeback_started_), static_cast<off_t>(written_ - writeback_started_),
                      SYNC_FILE_RANGE_WRITE);
#endif
    writeback_started_ = written_;
  }

  std::string* memory_ = nullptr;
  int fd_ = -1;
  const std::filesystem::path* path_ = nullptr;
  std::unique_ptr<char[]> staging_;
  char* cursor_ = nullptr;
  char* end_ = nullptr;
  std::uint64_t written_ = 0;
  std::uint64_t writeback_started_ = 0;
  bool hashing_ = false;
  checksum_stream checksum_;
};

}  // namespace picklejar::detail
