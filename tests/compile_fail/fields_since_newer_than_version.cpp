// expect: picklejar: PICKLEJAR_FIELDS_SINCE(N, ...) names a version newer than PICKLEJAR_VERSION declares; raise the version
// max-lines: 14
// Members added in version 3 while the type still says version 2: they would never be saved.
#include <picklejar/picklejar.hpp>

#include <string>

struct Config {
  int epochs = 10;
  std::string optimizer = "adam";
  PICKLEJAR_FIELDS(epochs)
  PICKLEJAR_FIELDS_SINCE(3, optimizer)
};

#ifdef PICKLEJAR_TRIGGER
PICKLEJAR_VERSION(Config, 2)
#else
PICKLEJAR_VERSION(Config, 3)
#endif

inline std::string save_it() { return picklejar::dumps(Config{}); }
