// The model the fault tests save: recognisable by its version, so that a file that loads can be
// told to be the old one or the new one, never a mix. Shared by the saver program (run under the
// fault shim) and the test driver.
#pragma once

#include <picklejar/picklejar.hpp>

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace fault_test {

struct Model {
  std::uint32_t version = 0;
  std::string name;
  std::vector<float> weights;
  std::map<std::string, double> hyper;
  PICKLEJAR_FIELDS(version, name, weights, hyper)
};

/// 1 MiB of weights: a binary save makes several write() calls (the staging buffer, then the
/// weights in 256 KiB pieces) and one pwrite() (the header, written last).
inline constexpr std::size_t weight_count = std::size_t{256} * 1024;

/// Every weight depends on the version and its position (integers below 2^24: exact as floats).
inline Model make_model(std::uint32_t version) {
  Model model;
  model.version = version;
  model.name = "model v" + std::to_string(version);
  model.weights.resize(weight_count);
  for (std::size_t i = 0; i < weight_count; ++i) model.weights[i] = static_cast<float>(version * 1'000'000 + i % 1'000'000);
  model.hyper = {{"learning_rate", 0.001 * version}, {"momentum", 0.9}};
  return model;
}

/// Whether `model` is exactly make_model(version).
inline bool is_model(const Model& model, std::uint32_t version) {
  const Model expected = make_model(version);
  return model.version == expected.version && model.name == expected.name && model.weights == expected.weights &&
         model.hyper == expected.hyper;
}

}  // namespace fault_test
