// expect: picklejar: a member is listed in both PICKLEJAR_FIELDS and PICKLEJAR_TRANSIENT; list it in one of them
// max-lines: 14
#include <picklejar/picklejar.hpp>

struct Cache {
  std::vector<int> data;
  std::vector<int> memo;
  PICKLEJAR_FIELDS(data)
#ifdef PICKLEJAR_TRIGGER
  PICKLEJAR_TRANSIENT(memo, data)
#else
  PICKLEJAR_TRANSIENT(memo)
#endif
};

inline std::string save_it() { return picklejar::dumps(Cache{}); }
