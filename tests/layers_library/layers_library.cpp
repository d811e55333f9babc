#include "layers_library.hpp"

namespace layers_library {

std::string SourceRegistered::kind() const { return "source"; }

std::unique_ptr<Layer> make_source_registered(int units) {
  auto layer = std::make_unique<SourceRegistered>();
  layer->units = units;
  return layer;
}

}  // namespace layers_library

PICKLEJAR_REGISTER_AS(layers_library::SourceRegistered, layers_library::Layer, "library.SourceRegistered")
