// expect: picklejar: PICKLEJAR_REGISTER(Derived, Base) needs a polymorphic Base (one with a virtual function; give it a virtual destructor)
// max-lines: 12
// Registering a subtype of a base without virtual functions: its dynamic type cannot be found.
#include <picklejar/picklejar.hpp>

struct Layer {
#ifndef PICKLEJAR_TRIGGER
  virtual ~Layer() = default;
#endif
  int units = 0;
  PICKLEJAR_FIELDS(units)
};

struct Dense : Layer {
  float scale = 1;
  PICKLEJAR_FIELDS(scale)
};

PICKLEJAR_REGISTER(Dense, Layer)
