// expect: picklejar: PICKLEJAR_VERSION on a type with get_state()/set_state() has no effect: the state is what is saved; version the state's type instead
// max-lines: 16
// The state is what is written, so a version on the class would be recorded nowhere, and files
// from a newer program would not be refused.
#include <picklejar/picklejar.hpp>

struct ScalerState {
  double mean = 0;
  PICKLEJAR_FIELDS(mean)
};

class Scaler {
 public:
  ScalerState get_state() const { return {mean_}; }
  void set_state(ScalerState state) { mean_ = state.mean; }

 private:
  double mean_ = 0;
};

#ifdef PICKLEJAR_TRIGGER
PICKLEJAR_VERSION(Scaler, 2)
#else
PICKLEJAR_VERSION(ScalerState, 2)
#endif

inline std::string save_it() { return picklejar::dumps(Scaler{}); }
