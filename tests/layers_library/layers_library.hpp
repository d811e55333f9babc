// A static library of layers, for the registration tests: one layer is registered in this header
// (so every translation unit that includes it registers it), the other only inside the library's
// .cpp file, the case where cereal's registration needs extra macros to survive static linking.
#pragma once

#include <picklejar/picklejar.hpp>

#include <memory>
#include <string>
#include <vector>

namespace layers_library {

class Layer {
 public:
  virtual ~Layer() = default;
  virtual std::string kind() const = 0;
  std::string name;
  PICKLEJAR_FIELDS(name)
};

class HeaderRegistered : public Layer {
 public:
  std::string kind() const override { return "header"; }
  std::vector<double> weights;
  PICKLEJAR_FIELDS(weights)
};

/// Registered only in layers_library.cpp; defined there too.
class SourceRegistered : public Layer {
 public:
  std::string kind() const override;
  int units = 0;
  PICKLEJAR_FIELDS(units)
};

std::unique_ptr<Layer> make_source_registered(int units);

}  // namespace layers_library

PICKLEJAR_REGISTER(layers_library::HeaderRegistered, layers_library::Layer)
