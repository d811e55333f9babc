// expect: picklejar: this class declares both PICKLEJAR_FIELDS and get_state()/set_state(); keep one of them
// max-lines: 15
#include <picklejar/picklejar.hpp>

struct Regressor {
  std::vector<double> w;
  PICKLEJAR_FIELDS(w)
#ifdef PICKLEJAR_TRIGGER
  std::vector<double> get_state() const { return w; }
  void set_state(std::vector<double> s) { w = std::move(s); }
#endif
};

inline std::string save_it() { return picklejar::dumps(Regressor{}); }
