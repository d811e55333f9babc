// libFuzzer target: .safetensors files from anywhere, read as open_tensors, view,
// load_tensor and load_safetensors do; its seeds are save_safetensors's files and hand-made odd ones.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  picklejar_fuzz::read_tensor_file(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
