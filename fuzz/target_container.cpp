// libFuzzer target: the file container and header parser (binary and text), as load, inspect
// and verify read it; its seed corpus is every file make_corpus writes.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  picklejar_fuzz::parse_container(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
