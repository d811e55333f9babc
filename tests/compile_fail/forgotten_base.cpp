// expect: picklejar: this class and a base class of it both declare PICKLEJAR_FIELDS, so saving it would lose the base's fields; name the base beside the fields with PICKLEJAR_BASES(Base) (the next error lists both classes)
// max-lines: 40
// A derived class with fields of its own whose base has fields too: without PICKLEJAR_BASES the
// base's learning_rate would silently be dropped. The compiler's next error names both classes.
#include <picklejar/picklejar.hpp>

namespace zoo {
struct Optimizer {
  float learning_rate = 0.01f;
  PICKLEJAR_FIELDS(learning_rate)
};

struct Adam : Optimizer {
  float beta1 = 0.9f;
#ifndef PICKLEJAR_TRIGGER
  PICKLEJAR_BASES(Optimizer)
#endif
  PICKLEJAR_FIELDS(beta1)
};
}  // namespace zoo

inline std::string save_it() { return picklejar::dumps(zoo::Adam{}); }
