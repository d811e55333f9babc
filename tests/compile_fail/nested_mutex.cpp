// expect: picklejar: a mutex or condition variable cannot be saved; mark the member that holds it PICKLEJAR_TRANSIENT(name)
// max-lines: 24
#include <picklejar/picklejar.hpp>

#include <memory>
#include <mutex>

struct Pool {
  int size = 0;
  std::unique_ptr<std::mutex> lock_ = std::make_unique<std::mutex>();
#ifdef PICKLEJAR_TRIGGER
  PICKLEJAR_FIELDS(size, lock_)
#else
  PICKLEJAR_FIELDS(size)
#endif
};

inline std::string save_it() { return picklejar::dumps(Pool{}); }
