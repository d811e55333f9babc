// picklejar example: checkpoint a training run and resume it bit for bit.
//
//   train_sequential [OUTPUT_DIR]
//
// Trains a small Sequential network (standardize, dense, ReLU, dropout, dense) with Adam on
// mini-batches, saves a checkpoint half way, loads it back and continues both the original and
// the loaded copy. Exits 0 only if both end bit-identical: same weights, same Adam moments, same
// dropout random engine, same predictions. That holds because everything training depends on is
// saved, including the random engine that draws the dropout masks and the position in the
// mini-batch cycle.
#include <picklejar/eigen.hpp>
#include <picklejar/picklejar.hpp>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>

#include "estimators/sequential.hpp"

namespace fs = std::filesystem;
using estimators::Sequential;

namespace {

// Three classes of points, on very different scales in x and y (the Standardize layer's job).
void make_data(Eigen::MatrixXd& x, Eigen::VectorXi& labels, int samples = 600) {
  std::mt19937 random(2024);
  std::normal_distribution<double> noise(0.0, 1.0);
  const double centers[3][2] = {{2, 0}, {-1, 2}, {-1, -2}};
  x.resize(samples, 2);
  labels.resize(samples);
  for (int i = 0; i < samples; ++i) {
    labels(i) = i % 3;
    x(i, 0) = 100 + 5 * (centers[labels(i)][0] + noise(random));
    x(i, 1) = -50 + 0.5 * (centers[labels(i)][1] + noise(random));
  }
}

Sequential make_network() {
  Sequential model(estimators::Adam{0.01, 0.9, 0.999, 1e-8}, /*batch_size=*/64);
  model.add<estimators::Standardize>("input_scaling");
  model.add<estimators::Dense>("hidden", 2, 32, /*seed=*/1);
  model.add<estimators::ReLU>("hidden_activation");
  model.add<estimators::Dropout>("hidden_dropout", 0.2, /*seed=*/2);
  model.add<estimators::Dense>("logits", 32, 3, /*seed=*/3);
  return model;
}

const char* kind(const estimators::Layer& layer) {
  if (dynamic_cast<const estimators::Dense*>(&layer)) return "Dense";
  if (dynamic_cast<const estimators::ReLU*>(&layer)) return "ReLU";
  if (dynamic_cast<const estimators::Dropout*>(&layer)) return "Dropout";
  if (dynamic_cast<const estimators::Standardize*>(&layer)) return "Standardize";
  return "unknown";
}

// Counts the numbers that differ in their bits (so -0.0 and 0.0 differ too).
template <class Matrix>
long differing(const Matrix& a, const Matrix& b, long& compared) {
  compared += static_cast<long>(a.size());
  if (a.size() != b.size()) return static_cast<long>(a.size());
  long count = 0;
  for (Eigen::Index i = 0; i < a.size(); ++i)
    count += std::memcmp(a.data() + i, b.data() + i, sizeof(typename Matrix::Scalar)) != 0;
  return count;
}

// Compares what the two runs learned and what they will draw next.
long count_differences(const Sequential& a, const Sequential& b, const Eigen::MatrixXd& x, long& compared) {
  long count = differing(a.predict_proba(x), b.predict_proba(x), compared);
  for (std::size_t i = 0; i < a.layers().size(); ++i) {
    if (const auto* dense = dynamic_cast<const estimators::Dense*>(a.layers()[i].get())) {
      const auto& other = dynamic_cast<const estimators::Dense&>(*b.layers()[i]);
      count += differing(dense->weights(), other.weights(), compared);
      count += differing(dense->bias(), other.bias(), compared);
      count += differing(dense->weights_moments().m, other.weights_moments().m, compared);
      count += differing(dense->weights_moments().v, other.weights_moments().v, compared);
      count += differing(dense->bias_moments().m, other.bias_moments().m, compared);
      count += differing(dense->bias_moments().v, other.bias_moments().v, compared);
    } else if (const auto* dropout = dynamic_cast<const estimators::Dropout*>(a.layers()[i].get())) {
      const auto& other = dynamic_cast<const estimators::Dropout&>(*b.layers()[i]);
      count += dropout->random_engine() != other.random_engine();
      compared += 1;
    }
  }
  return count;
}

double accuracy(const Sequential& model, const Eigen::MatrixXd& x, const Eigen::VectorXi& labels) {
  return (model.predict(x).array() == labels.array()).cast<double>().mean();
}

int run(const fs::path& directory) {
  fs::create_directories(directory);
  Eigen::MatrixXd x;
  Eigen::VectorXi labels;
  make_data(x, labels);
  const int checkpoint_step = 150;
  const int more_steps = 150;

  Sequential original = make_network();
  double loss = original.fit_steps(x, labels, checkpoint_step);
  std::printf("trained a %zu-layer network for %ld steps of Adam on batches of 64 out of %ld samples: loss %.3f, "
              "accuracy %.1f%%\n",
              original.layers().size(), original.steps(), static_cast<long>(x.rows()), loss,
              100 * accuracy(original, x, labels));

  const fs::path checkpoint = directory / "sequential.pj";
  picklejar::save(original, checkpoint);
  std::printf("saved %s (%.1f KiB)\n", checkpoint.string().c_str(),
              static_cast<double>(fs::file_size(checkpoint)) / 1024.0);

  Sequential resumed = picklejar::load<Sequential>(checkpoint);
  std::printf("loaded it as:");
  for (const auto& layer : resumed.layers()) std::printf(" %s(\"%s\")", kind(*layer), layer->name().c_str());
  std::printf("\n");

  loss = original.fit_steps(x, labels, more_steps);
  const double resumed_loss = resumed.fit_steps(x, labels, more_steps);
  std::printf("continued both for %d more steps: loss %.6f (original) and %.6f (loaded), accuracy %.1f%%\n",
              more_steps, loss, resumed_loss, 100 * accuracy(resumed, x, labels));

  long compared = 0;
  const long differences = count_differences(original, resumed, x, compared);
  std::printf("%ld of %ld predictions, weights, Adam moments and random engines differ\n", differences, compared);
  const bool same = differences == 0 && std::memcmp(&loss, &resumed_loss, sizeof loss) == 0;
  std::printf(same ? "ok: the resumed run is bit-identical to the uninterrupted one\n"
                   : "FAILED: the resumed run differs from the uninterrupted one\n");
  return same ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const fs::path directory =
        argc > 1 ? fs::path(argv[1])
                 : (fs::path(argv[0]).parent_path() / "train-sequential-output").lexically_normal();
    return run(directory);
  } catch (const picklejar::error& failure) {
    std::fprintf(stderr, "picklejar error: %s\n", failure.what());
    return 2;
  }
}
