// headers.link.picklejar/tensors.hpp: a model's weights to .safetensors and back, and one tensor
// of its .pj file, with this header alone.
struct Layer {
  Eigen::MatrixXf weights;
  Eigen::VectorXd bias;
  PICKLEJAR_FIELDS(weights, bias)
};

int main() {
  Layer layer;
  layer.weights = Eigen::MatrixXf::Constant(3, 2, 0.5f);
  layer.bias = Eigen::VectorXd::LinSpaced(4, 0.0, 1.0);
  picklejar::save_safetensors(layer, "layer.safetensors");
  Layer back;
  if (picklejar::load_safetensors(back, "layer.safetensors").loaded.size() != 2) return 1;
  if (back.weights != layer.weights || back.bias != layer.bias) return 1;
  picklejar::save(layer, "layer.pj");
  const picklejar::tensor_file file = picklejar::open_tensors("layer.pj");
  if (Eigen::MatrixXf(file.view<float>("weights")) != layer.weights) return 1;
  return picklejar::load_tensor<Eigen::VectorXd>("layer.pj", "bias") == layer.bias ? 0 : 1;
}
