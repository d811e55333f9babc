// libFuzzer target: the tensor index of binary .pj files, read as open_tensors, view,
// load_tensor and load_safetensors do; its seeds are binary files with tensors, old and new.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  picklejar_fuzz::read_tensor_file(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
