// picklejar: save and restore whole C++ objects, the way Python's pickle does, without its
// failures. This header brings the core; opt-in extras are picklejar/eigen.hpp and
// picklejar/checkpoint.hpp.
//
//   class Model {
//     Eigen::MatrixXf weights_; Adam optimizer_; std::mutex mutex_;
//     PICKLEJAR_FIELDS(weights_, optimizer_)
//     PICKLEJAR_TRANSIENT(mutex_)
//   };
//   picklejar::save(model, "model.pj");
//   Model restored = picklejar::load<Model>("model.pj");
#pragma once

#include "picklejar/error.hpp"
#include "picklejar/options.hpp"
#include "picklejar/fields.hpp"
#include "picklejar/transient.hpp"
#include "picklejar/state.hpp"
#include "picklejar/std_types.hpp"
#include "picklejar/cereal_bridge.hpp"
#include "picklejar/registration.hpp"
#include "picklejar/save_load.hpp"
