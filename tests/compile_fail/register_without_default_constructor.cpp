// expect: picklejar: a registered type needs a default constructor (loading creates the object, then reads its fields)
// max-lines: 12
// A registered subtype that cannot be created before its fields are read.
#include <picklejar/picklejar.hpp>

struct Layer {
  virtual ~Layer() = default;
  int units = 0;
  PICKLEJAR_FIELDS(units)
};

struct Dense : Layer {
#ifdef PICKLEJAR_TRIGGER
  explicit Dense(float s) : scale(s) {}
#endif
  float scale = 1;
  PICKLEJAR_FIELDS(scale)
};

PICKLEJAR_REGISTER(Dense, Layer)
