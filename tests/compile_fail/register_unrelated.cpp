// expect: picklejar: PICKLEJAR_REGISTER(Derived, Base): Base must be a public base class of Derived
// max-lines: 12
// Registering a type under a class it does not derive from (the arguments swapped, say).
#include <picklejar/picklejar.hpp>

struct Layer {
  virtual ~Layer() = default;
  int units = 0;
  PICKLEJAR_FIELDS(units)
};

struct Dense : Layer {
  float scale = 1;
  PICKLEJAR_FIELDS(scale)
};

#ifdef PICKLEJAR_TRIGGER
PICKLEJAR_REGISTER(Layer, Dense)
#else
PICKLEJAR_REGISTER(Dense, Layer)
#endif
