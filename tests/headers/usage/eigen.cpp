// headers.link.picklejar/eigen.hpp: a class with Eigen members, with this header alone.
struct Layer {
  Eigen::MatrixXf weights;
  Eigen::VectorXd bias;
  PICKLEJAR_FIELDS(weights, bias)
};

int main() {
  Layer layer;
  layer.weights = Eigen::MatrixXf::Constant(3, 2, 0.5f);
  layer.bias = Eigen::VectorXd::LinSpaced(4, 0.0, 1.0);
  for (picklejar::format fmt : {picklejar::format::binary, picklejar::format::portable_binary}) {
    const Layer back = picklejar::loads<Layer>(picklejar::dumps(layer, picklejar::options(fmt)));
    if (back.weights != layer.weights || back.bias != layer.bias) return 1;
  }
  return 0;
}
