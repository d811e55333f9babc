// expect: picklejar: this type has both get_state()/set_state() and a cereal serialize/save/load member; remove one of them
// max-lines: 13
#include <picklejar/picklejar.hpp>

struct Scaler {
  double mean = 0, scale = 1;
  std::pair<double, double> get_state() const { return {mean, scale}; }
  void set_state(std::pair<double, double> s) { mean = s.first; scale = s.second; }
#ifdef PICKLEJAR_TRIGGER
  template <class Archive>
  void serialize(Archive& archive) { archive(mean, scale); }
#endif
};

inline std::string save_it() { return picklejar::dumps(Scaler{}); }
