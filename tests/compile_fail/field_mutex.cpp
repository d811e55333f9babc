// expect: picklejar: member 'mutex_' is a mutex or condition variable, which cannot be saved; mark it PICKLEJAR_TRANSIENT(mutex_)
// max-lines: 22
// A std::mutex listed as a field.
#include <picklejar/picklejar.hpp>

#include <mutex>

class Classifier {
  std::vector<float> weights_;
  std::mutex mutex_;
#ifdef PICKLEJAR_TRIGGER
  PICKLEJAR_FIELDS(weights_, mutex_)
#else
  PICKLEJAR_FIELDS(weights_)
  PICKLEJAR_TRANSIENT(mutex_)
#endif
};

inline std::string save_it() { return picklejar::dumps(Classifier{}); }
