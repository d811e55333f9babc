// expect: picklejar: this class inherits PICKLEJAR_FIELDS from a base class, so saving it would lose its own members; declare PICKLEJAR_FIELDS(...) in the derived class too
// max-lines: 14
#include <picklejar/picklejar.hpp>

struct Layer {
  int units = 0;
  PICKLEJAR_FIELDS(units)
};

struct Dense : Layer {
  std::vector<float> weights;
#ifndef PICKLEJAR_TRIGGER
  PICKLEJAR_BASES(Layer)
  PICKLEJAR_FIELDS(weights)
#endif
};

inline std::string save_it() { return picklejar::dumps(Dense{}); }
