// expect: picklejar: member 'on_epoch_' is a std::function (a callback), which cannot be saved; mark it PICKLEJAR_TRANSIENT(on_epoch_)
// max-lines: 22
#include <picklejar/picklejar.hpp>

#include <functional>

struct Trainer {
  int epochs = 0;
  std::function<void(int, float)> on_epoch_;
#ifdef PICKLEJAR_TRIGGER
  PICKLEJAR_FIELDS(epochs, on_epoch_)
#else
  PICKLEJAR_FIELDS(epochs)
#endif
};

inline std::string save_it() { return picklejar::dumps(Trainer{}); }
