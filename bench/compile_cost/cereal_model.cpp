// Compile-cost probe, cereal side: the program of picklejar_model.cpp written against plain cereal,
// the way a cereal user would: cereal's binary archive and std types, Eigen, a hand-written save
// for the matrix, and a std::ofstream. scripts/bench.sh times compiling both files.
#include <cereal/archives/binary.hpp>
#include <cereal/types/string.hpp>
#include <cereal/types/vector.hpp>

#include <Eigen/Core>

#include <fstream>
#include <string>
#include <vector>

namespace cereal {
template <class Archive>
void save(Archive& archive, const Eigen::MatrixXf& matrix) {
  archive(static_cast<std::int64_t>(matrix.rows()), static_cast<std::int64_t>(matrix.cols()));
  archive(binary_data(matrix.data(), static_cast<std::size_t>(matrix.size()) * sizeof(float)));
}
}  // namespace cereal

struct Model {
  Eigen::MatrixXf weights;
  std::vector<float> bias;
  std::string name;
  int epochs = 0;

  template <class Archive>
  void save(Archive& archive) const {
    archive(CEREAL_NVP(weights), CEREAL_NVP(bias), CEREAL_NVP(name), CEREAL_NVP(epochs));
  }
};

int main(int argc, char** argv) {
  Model model;
  model.weights = Eigen::MatrixXf::Random(4, 3);
  model.bias = {0.5f, -0.25f, 1.0f};
  model.name = "probe";
  model.epochs = 3;
  std::ofstream out(argc > 1 ? argv[1] : "model.cereal", std::ios::binary);
  cereal::BinaryOutputArchive archive(out);
  archive(CEREAL_NVP(model));
  return out ? 0 : 1;
}
