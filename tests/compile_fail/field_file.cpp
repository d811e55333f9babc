// expect: picklejar: member 'log_' is a file handle (FILE* or a stream), which cannot be saved; mark it PICKLEJAR_TRANSIENT(log_)
// max-lines: 22
#include <picklejar/picklejar.hpp>

#include <cstdio>

struct Monitor {
  int epochs = 0;
  FILE* log_ = nullptr;
#ifdef PICKLEJAR_TRIGGER
  PICKLEJAR_FIELDS(epochs, log_)
#else
  PICKLEJAR_FIELDS(epochs)
  PICKLEJAR_TRANSIENT(log_)
#endif
};

inline std::string save_it() { return picklejar::dumps(Monitor{}); }
