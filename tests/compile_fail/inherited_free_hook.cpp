// expect: picklejar: this type's get_state()/set_state() were written for a base class and would save only the base part (slicing); declare them for the derived type
// max-lines: 14
#include <picklejar/picklejar.hpp>

namespace vendor {
struct Optimizer {
  double lr = 0.1;
};
struct Momentum : Optimizer {
  double beta = 0.9;
};
inline double get_state(const Optimizer& o) { return o.lr; }
inline void set_state(Optimizer& o, double lr) { o.lr = lr; }
#ifndef PICKLEJAR_TRIGGER
inline std::pair<double, double> get_state(const Momentum& m) { return {m.lr, m.beta}; }
inline void set_state(Momentum& m, std::pair<double, double> s) { m.lr = s.first; m.beta = s.second; }
#endif
}  // namespace vendor

inline std::string save_it() { return picklejar::dumps(vendor::Momentum{}); }
