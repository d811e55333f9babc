// libFuzzer target: see picklejar_fuzz::load_untrusted (fuzz_targets.hpp); its seed corpus is the
// untrusted directory that make_corpus writes.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  picklejar_fuzz::load_untrusted(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
