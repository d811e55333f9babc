// picklejar_fuzz::parse_container: the body of the container target.
#include <picklejar/json.hpp>
#include <picklejar/picklejar.hpp>
#include <picklejar/xml.hpp>

#include <sys/mman.h>
#include <unistd.h>

#include <string>
#include <string_view>

#include "fuzz_targets.hpp"

namespace picklejar_fuzz {
namespace {

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

}  // namespace

void parse_container(std::string_view bytes) {
  namespace detail = picklejar::detail;
  for (const auto check : {detail::checksum_check::now, detail::checksum_check::skip}) {
    rejecting_errors([&] { (void)detail::read_binary_container(bytes, check); });
  }
  for (const bool verify_checksum : {true, false}) {
    rejecting_errors([&] {
      picklejar::options opts;
      opts.verify_checksum = verify_checksum;
      picklejar::file_info info;
      (void)detail::read_text_document(bytes, detail::detect_text_format(bytes), opts, info, nullptr);
    });
  }
  // inspect() reads only the header of a binary file, from the file itself: another code path.
  const memory_file file(bytes);
  if (file.ok()) {
    rejecting_errors([&] { (void)picklejar::inspect(file.path()); });
    rejecting_errors([&] { (void)picklejar::verify(file.path()); });
  }
}

}  // namespace picklejar_fuzz
