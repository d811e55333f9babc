// expect: picklejar: member 'dropout' is declared PICKLEJAR_REMOVED but is in no field list; keep it in the PICKLEJAR_FIELDS or PICKLEJAR_FIELDS_SINCE list where it was saved (binary files find it by that position)
// A member removed in version 2 and taken out of the field list too: binary files of version 1
// hold it between learning_rate and decay, so a reader must know where it was.
#include <picklejar/picklejar.hpp>

namespace train {
struct Schedule {
  int steps = 0;
  float learning_rate = 0.01f;
  double decay = 0.5;
#ifdef PICKLEJAR_TRIGGER
  PICKLEJAR_FIELDS(steps, learning_rate, decay)
#else
  PICKLEJAR_FIELDS(steps, learning_rate, dropout, decay)
#endif
  PICKLEJAR_REMOVED(2, dropout, float)
};
}  // namespace train
PICKLEJAR_VERSION(train::Schedule, 2)

inline std::string save_it() { return picklejar::dumps(train::Schedule{}); }
