// picklejar_fuzz::parse_container: the body of the container target.
#include <picklejar/json.hpp>
#include <picklejar/picklejar.hpp>
#include <picklejar/xml.hpp>

#include <string>
#include <string_view>

#include "fuzz_targets.hpp"
#include "fuzz_support.hpp"

namespace picklejar_fuzz {

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
