// expect: picklejar: this type has get_state() but no set_state(State) (or static from_state(State)) taking what get_state() returns; add one
// max-lines: 15
#include <picklejar/picklejar.hpp>

struct Counter {
  int count = 0;
  int get_state() const { return count; }
#ifndef PICKLEJAR_TRIGGER
  void set_state(int s) { count = s; }
#endif
};

inline void load_it(const std::string& bytes) {
  Counter counter;
  picklejar::loads(counter, bytes);
}
