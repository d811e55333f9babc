// What the fuzz targets' bodies share: a file holding the input, for the APIs that take a path
// (inspect, verify, open_tensors), and the one outcome that is not a finding.
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <picklejar/error.hpp>

#include <string>
#include <string_view>

namespace picklejar_fuzz {

/// Runs `action`; a picklejar::error is the expected answer to a bad input, anything else escapes.
template <class Action>
void rejecting_errors(Action&& action) {
  try {
    action();
  } catch (const picklejar::error&) {
  }
}

/// A file holding `bytes`, in memory (memfd), named by its /proc/self/fd path.
class memory_file {
 public:
  explicit memory_file(std::string_view bytes) : fd_(::memfd_create("picklejar-fuzz", MFD_CLOEXEC)) {
    if (fd_ < 0) return;
    for (std::size_t done = 0; done < bytes.size();) {
      const ssize_t written = ::write(fd_, bytes.data() + done, bytes.size() - done);
      if (written <= 0) {
        ::close(fd_);
        fd_ = -1;
        return;
      }
      done += static_cast<std::size_t>(written);
    }
  }
  memory_file(const memory_file&) = delete;
  memory_file& operator=(const memory_file&) = delete;
  ~memory_file() {
    if (fd_ >= 0) ::close(fd_);
  }
  bool ok() const { return fd_ >= 0; }
  std::string path() const { return "/proc/self/fd/" + std::to_string(fd_); }

 private:
  int fd_;
};

}  // namespace picklejar_fuzz
