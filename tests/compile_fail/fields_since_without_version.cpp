// expect: picklejar: PICKLEJAR_FIELDS_SINCE needs PICKLEJAR_VERSION(Type, N) at namespace scope
// max-lines: 14
// Fields added in version 2 of a type that declares no version would never be saved.
#include <picklejar/picklejar.hpp>

#include <string>

struct Config {
  int epochs = 10;
  std::string optimizer = "adam";
  PICKLEJAR_FIELDS(epochs)
  PICKLEJAR_FIELDS_SINCE(2, optimizer)
};

#ifndef PICKLEJAR_TRIGGER
PICKLEJAR_VERSION(Config, 2)
#endif

inline std::string save_it() { return picklejar::dumps(Config{}); }
