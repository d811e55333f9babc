/// \file
/// picklejar: save and restore whole C++ objects, the way Python's pickle does, without its
/// failures. The header to include: `#include <picklejar/picklejar.hpp>` brings the core (fields,
/// transient members, state hooks, registration, versioning, save/load/dumps/loads/inspect/verify,
/// errors, options, externals, the cereal bridge, the std types and the standard random
/// engines and distributions). Opt-in extras, included
/// separately: picklejar/eigen.hpp (Eigen matrices, arrays and sparse matrices) and
/// picklejar/checkpoint.hpp (picklejar::checkpoint_manager).
///
/// ```cpp
/// #include <picklejar/picklejar.hpp>
/// #include <picklejar/eigen.hpp>           // for the Eigen member
///
/// class Model {
///   Eigen::MatrixXf weights_;
///   Adam optimizer_;                        // has its own PICKLEJAR_FIELDS
///   mutable std::mutex mutex_;              // never saved
///   PICKLEJAR_FIELDS(weights_, optimizer_)
///   PICKLEJAR_TRANSIENT(mutex_)
/// };
/// picklejar::save(model, "model.pj");
/// picklejar::load(model, "model.pj");      // into an existing object (a mutex cannot be moved)
/// Adam adam = picklejar::load<Adam>("adam.json");   // a movable type can be returned
/// ```
#pragma once

#include "picklejar/error.hpp"
#include "picklejar/options.hpp"
#include "picklejar/fields.hpp"
#include "picklejar/versioning.hpp"
#include "picklejar/transient.hpp"
#include "picklejar/state.hpp"
#include "picklejar/std_types.hpp"
#include "picklejar/random.hpp"
#include "picklejar/detail/object_io/cereal_bridge.hpp"
#include "picklejar/registration.hpp"
#include "picklejar/save_load.hpp"

/// \namespace picklejar
/// Everything picklejar offers: save/load, dumps/loads, inspect/verify, options, error and the
/// hooks. Its macros start with PICKLEJAR_; names in picklejar::detail are internal.
