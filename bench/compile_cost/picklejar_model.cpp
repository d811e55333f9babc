// Compile-cost probe, picklejar side: one small model saved with picklejar. scripts/bench.sh times
// compiling this file (g++ -O2 -std=c++17 -c) against cereal_model.cpp, the same program written
// against plain cereal. Keep the two files doing the same thing.
#include <picklejar/eigen.hpp>
#include <picklejar/picklejar.hpp>

#include <string>
#include <vector>

struct Model {
  Eigen::MatrixXf weights;
  std::vector<float> bias;
  std::string name;
  int epochs = 0;
  PICKLEJAR_FIELDS(weights, bias, name, epochs)
};

int main(int argc, char** argv) {
  Model model;
  model.weights = Eigen::MatrixXf::Random(4, 3);
  model.bias = {0.5f, -0.25f, 1.0f};
  model.name = "probe";
  model.epochs = 3;
  picklejar::save(model, argc > 1 ? argv[1] : "model.pj");
  return 0;
}
