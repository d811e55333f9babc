// expect: picklejar: member 'buffer_' is a raw pointer, which does not say who owns the object; use std::unique_ptr or std::shared_ptr, or mark it PICKLEJAR_TRANSIENT(buffer_)
// max-lines: 22
#include <picklejar/picklejar.hpp>

struct Layer {
  int size = 0;
  float* buffer_ = nullptr;
#ifdef PICKLEJAR_TRIGGER
  PICKLEJAR_FIELDS(size, buffer_)
#else
  PICKLEJAR_FIELDS(size)
#endif
};

inline std::string save_it() { return picklejar::dumps(Layer{}); }
