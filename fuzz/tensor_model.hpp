// The object the tensor targets load .safetensors files into, and their seeds are made from.
#pragma once

#include <picklejar/tensors.hpp>

namespace tensor_model {

struct Layer {
  Eigen::MatrixXf w;
  Eigen::VectorXd b;
  PICKLEJAR_FIELDS(w, b)
};
struct Small {
  Layer layer;
  Eigen::Matrix<Eigen::half, Eigen::Dynamic, Eigen::Dynamic> h;
  Eigen::Matrix3f fixed;
  Eigen::Array<bool, Eigen::Dynamic, 1> flags;
  PICKLEJAR_FIELDS(layer, h, fixed, flags)
};

/// A Small with every tensor filled, shaped by `seed`.
inline Small make_small(int seed) {
  Small small;
  small.layer.w = Eigen::MatrixXf::Constant(2 + seed, 3, 0.5f * static_cast<float>(seed));
  small.layer.b = Eigen::VectorXd::LinSpaced(2 + seed, -1.0, 1.0);
  small.h = Eigen::Matrix<Eigen::half, Eigen::Dynamic, Eigen::Dynamic>::Constant(1, 2 + seed, Eigen::half(1.5f));
  small.fixed = Eigen::Matrix3f::Identity();
  small.flags = Eigen::Array<bool, Eigen::Dynamic, 1>::Constant(seed + 1, seed % 2 == 0);
  return small;
}

}  // namespace tensor_model
