// expect: picklejar: this member's type cannot be saved; give it PICKLEJAR_FIELDS(...), get_state()/set_state(), or a cereal serialize(); or mark the member PICKLEJAR_TRANSIENT
// max-lines: 40
// An element type that cannot be saved, nested inside standard containers: picklejar's one
// message naming it (usable_type() [with T = Sample]), not cereal's 60 lines from inside.
#include <picklejar/picklejar.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

struct Sample {
  int x = 0;
#ifndef PICKLEJAR_TRIGGER
  PICKLEJAR_FIELDS(x)
#endif
};

struct Dataset {
  std::map<std::string, std::vector<std::optional<Sample>>> splits;
  PICKLEJAR_FIELDS(splits)
};

inline std::string save_it() { return picklejar::dumps(Dataset{}); }
