// expect: picklejar: this class has both PICKLEJAR_FIELDS and a cereal serialize/save/load member; remove one of them
// max-lines: 15
#include <picklejar/picklejar.hpp>

struct Config {
  int depth = 3;
  PICKLEJAR_FIELDS(depth)
#ifdef PICKLEJAR_TRIGGER
  template <class Archive>
  void serialize(Archive& archive) { archive(depth); }
#endif
};

inline std::string save_it() { return picklejar::dumps(Config{}); }
