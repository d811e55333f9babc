// libFuzzer target: see picklejar_fuzz::load_zoo (fuzz_targets.hpp); its seed corpus is the
// zoo directory that make_corpus writes.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  picklejar_fuzz::load_zoo(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
