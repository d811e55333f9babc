// expect: picklejar: member 'trace_' is a file handle (FILE* or a stream), which cannot be saved; mark it PICKLEJAR_TRANSIENT(trace_)
// max-lines: 22
#include <picklejar/picklejar.hpp>

#include <fstream>

struct Tracer {
  int steps = 0;
  std::ofstream trace_;
#ifdef PICKLEJAR_TRIGGER
  PICKLEJAR_FIELDS(steps, trace_)
#else
  PICKLEJAR_FIELDS(steps)
  PICKLEJAR_TRANSIENT(trace_)
#endif
};

inline std::string save_it() { return picklejar::dumps(Tracer{}); }
