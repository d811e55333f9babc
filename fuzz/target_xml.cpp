// libFuzzer target: xml files of the reference model (tests/reference_model.hpp), fed to
// picklejar::loads; its seed corpus is the xml files that make_corpus writes.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  picklejar_fuzz::load_reference_model(std::string_view(reinterpret_cast<const char*>(data), size),
                                       picklejar::format::xml);
  return 0;
}
