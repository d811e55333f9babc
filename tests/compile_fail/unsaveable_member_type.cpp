// expect: picklejar: this member's type cannot be saved; give it PICKLEJAR_FIELDS(...), get_state()/set_state(), or a cereal serialize(); or mark the member PICKLEJAR_TRANSIENT
// max-lines: 23
#include <picklejar/picklejar.hpp>

struct Schedule {  // no way to save it yet
  double warmup = 0;
#ifndef PICKLEJAR_TRIGGER
  PICKLEJAR_FIELDS(warmup)
#endif
};

struct Trainer {
  Schedule schedule;
  PICKLEJAR_FIELDS(schedule)
};

inline std::string save_it() { return picklejar::dumps(Trainer{}); }
