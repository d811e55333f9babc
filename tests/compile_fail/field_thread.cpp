// expect: picklejar: member 'worker_' is a std::thread, which cannot be saved; mark it PICKLEJAR_TRANSIENT(worker_)
// max-lines: 22
#include <picklejar/picklejar.hpp>

#include <thread>

struct Prefetcher {
  int batch = 32;
  std::thread worker_;
#ifdef PICKLEJAR_TRIGGER
  PICKLEJAR_FIELDS(batch, worker_)
#else
  PICKLEJAR_FIELDS(batch)
  PICKLEJAR_TRANSIENT(worker_)
#endif
};

inline std::string save_it() { return picklejar::dumps(Prefetcher{}); }
