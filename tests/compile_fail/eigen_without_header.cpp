// expect: picklejar: an Eigen matrix or array is saved by picklejar/eigen.hpp; add #include <picklejar/eigen.hpp> to this file
// max-lines: 44
// An Eigen member in a file that includes Eigen and picklejar.hpp but not picklejar/eigen.hpp.
#include <Eigen/Core>
#include <picklejar/picklejar.hpp>

struct Layer {
  Eigen::MatrixXf weights;
  int units = 0;
  PICKLEJAR_FIELDS(weights, units)
};

#ifdef PICKLEJAR_TRIGGER
inline std::string save_it() { return picklejar::dumps(Layer{}); }
#endif
