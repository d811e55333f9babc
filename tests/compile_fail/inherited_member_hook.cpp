// expect: picklejar: this type's get_state()/set_state() were written for a base class and would save only the base part (slicing); declare them for the derived type
// max-lines: 14
#include <picklejar/picklejar.hpp>

struct Layer {
  int units = 0;
  int get_state() const { return units; }
  void set_state(int s) { units = s; }
};

struct Dense : Layer {
  std::vector<float> weights;  // would be lost: Layer's hooks know nothing of it
#ifndef PICKLEJAR_TRIGGER
  std::pair<int, std::vector<float>> get_state() const { return {units, weights}; }
  void set_state(std::pair<int, std::vector<float>> s) { units = s.first; weights = std::move(s.second); }
#endif
};

inline std::string save_it() { return picklejar::dumps(Dense{}); }
