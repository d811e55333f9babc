// picklejar demo: train a small classifier, checkpoint it, load it in a separate process and
// prove that the loaded model predicts bit for bit what the original predicted.
//
//   demo_classifier [OUTPUT_DIR]           train, save, then run itself again to verify
//   demo_classifier --verify MODEL PREDS   (the second process) load MODEL, compare with PREDS
//
// The classifier holds what real estimators hold: Eigen weights, an optimizer with its own state,
// a mutex guarding fit/predict, and per-thread scratch buffers. The last two are transient.
#include <picklejar/eigen.hpp>
#include <picklejar/json.hpp>
#include <picklejar/picklejar.hpp>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <unistd.h>

namespace fs = std::filesystem;

namespace demo {

struct Config {
  int classes = 3;
  int features = 4;
  float learning_rate = 0.05f;
  float l2 = 1e-4f;
  PICKLEJAR_FIELDS(classes, features, learning_rate, l2)
};

// Adam's moment estimates are part of the training state: resuming without them changes training.
struct Adam {
  float beta1 = 0.9f, beta2 = 0.999f, epsilon = 1e-8f;
  long step = 0;
  Eigen::MatrixXf m_weights, v_weights;
  Eigen::VectorXf m_bias, v_bias;
  PICKLEJAR_FIELDS(beta1, beta2, epsilon, step, m_weights, v_weights, m_bias, v_bias)

  void update(Eigen::MatrixXf& weights, Eigen::VectorXf& bias, const Eigen::MatrixXf& grad_w,
              const Eigen::VectorXf& grad_b, float learning_rate) {
    if (m_weights.size() == 0) {
      m_weights = v_weights = Eigen::MatrixXf::Zero(weights.rows(), weights.cols());
      m_bias = v_bias = Eigen::VectorXf::Zero(bias.size());
    }
    ++step;
    const float correction1 = 1 - std::pow(beta1, static_cast<float>(step));
    const float correction2 = 1 - std::pow(beta2, static_cast<float>(step));
    m_weights = beta1 * m_weights + (1 - beta1) * grad_w;
    v_weights = beta2 * v_weights + (1 - beta2) * grad_w.cwiseAbs2();
    m_bias = beta1 * m_bias + (1 - beta1) * grad_b;
    v_bias = beta2 * v_bias + (1 - beta2) * grad_b.cwiseAbs2();
    weights.array() -= learning_rate * (m_weights.array() / correction1) /
                       ((v_weights.array() / correction2).sqrt() + epsilon);
    bias.array() -= learning_rate * (m_bias.array() / correction1) /
                    ((v_bias.array() / correction2).sqrt() + epsilon);
  }
};

class SoftmaxClassifier {
 public:
  explicit SoftmaxClassifier(Config config = {}) : config_(config) {
    weights_ = Eigen::MatrixXf::Zero(config.features, config.classes);
    bias_ = Eigen::VectorXf::Zero(config.classes);
  }

  // One epoch of full-batch gradient descent; returns the mean cross-entropy.
  float fit_epoch(const Eigen::MatrixXf& x, const Eigen::VectorXi& y) {
    std::lock_guard<std::mutex> hold(mutex_);
    Eigen::MatrixXf probabilities = softmax(x);
    float loss = 0;
    for (Eigen::Index i = 0; i < x.rows(); ++i) {
      loss -= std::log(probabilities(i, y(i)) + 1e-12f);
      probabilities(i, y(i)) -= 1;  // now d(loss)/d(logits)
    }
    const float n = static_cast<float>(x.rows());
    Eigen::MatrixXf grad_w = x.transpose() * probabilities / n + config_.l2 * weights_;
    Eigen::VectorXf grad_b = probabilities.colwise().sum().transpose() / n;
    optimizer_.update(weights_, bias_, grad_w, grad_b, config_.learning_rate);
    ++epochs_;
    return loss / n;
  }

  // Class probabilities, computed in blocks by two threads, each with its own scratch buffer.
  Eigen::MatrixXf predict_proba(const Eigen::MatrixXf& x) const {
    std::lock_guard<std::mutex> hold(mutex_);
    Eigen::MatrixXf out(x.rows(), config_.classes);
    auto work = [&](Eigen::Index begin, Eigen::Index end) {
      Eigen::MatrixXf& scratch = scratch_for_this_thread();
      scratch = x.middleRows(begin, end - begin);
      out.middleRows(begin, end - begin) = softmax(scratch);
    };
    const Eigen::Index half = x.rows() / 2;
    std::thread helper(work, half, x.rows());
    work(0, half);
    helper.join();
    return out;
  }

  int epochs() const { return epochs_; }
  long optimizer_steps() const { return optimizer_.step; }
  std::size_t scratch_buffers() const { return scratch_.size(); }

 private:
  Eigen::MatrixXf softmax(const Eigen::MatrixXf& x) const {
    Eigen::MatrixXf logits = (x * weights_).rowwise() + bias_.transpose();
    logits = (logits.colwise() - logits.rowwise().maxCoeff()).array().exp();
    return logits.array().colwise() / logits.rowwise().sum().array();
  }

  Eigen::MatrixXf& scratch_for_this_thread() const {
    std::lock_guard<std::mutex> hold(scratch_mutex_);
    return scratch_[std::this_thread::get_id()];
  }

  Config config_;
  Eigen::MatrixXf weights_;
  Eigen::VectorXf bias_;
  Adam optimizer_;
  int epochs_ = 0;

  mutable std::mutex mutex_;
  mutable std::mutex scratch_mutex_;
  mutable std::unordered_map<std::thread::id, Eigen::MatrixXf> scratch_;

  PICKLEJAR_FIELDS(config_, weights_, bias_, optimizer_, epochs_)
  PICKLEJAR_TRANSIENT(mutex_, scratch_mutex_, scratch_)
  PICKLEJAR_GUARDED_BY(mutex_)
};

// Three Gaussian blobs in four dimensions; the same seed gives the same data in both processes.
void make_data(Eigen::MatrixXf& x, Eigen::VectorXi& y, int samples = 600) {
  std::mt19937 rng(20261122);
  std::normal_distribution<float> noise(0.0f, 0.8f);
  const float centers[3][4] = {{2, 0, 0, 1}, {-1, 2, 0, -1}, {0, -2, 1.5f, 0}};
  x.resize(samples, 4);
  y.resize(samples);
  for (int i = 0; i < samples; ++i) {
    y(i) = i % 3;
    for (int j = 0; j < 4; ++j) x(i, j) = centers[y(i)][j] + noise(rng);
  }
}

float accuracy(const Eigen::MatrixXf& probabilities, const Eigen::VectorXi& y) {
  int correct = 0;
  for (Eigen::Index i = 0; i < probabilities.rows(); ++i) {
    Eigen::Index best = 0;
    probabilities.row(i).maxCoeff(&best);
    correct += best == y(i);
  }
  return static_cast<float>(correct) / static_cast<float>(y.size());
}

std::string size_text(const fs::path& file) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f KiB", static_cast<double>(fs::file_size(file)) / 1024.0);
  return text;
}

int train_and_save(const std::string& self, const fs::path& directory) {
  fs::create_directories(directory);
  Eigen::MatrixXf x;
  Eigen::VectorXi y;
  make_data(x, y);

  SoftmaxClassifier model;
  float loss = 0;
  for (int epoch = 0; epoch < 60; ++epoch) loss = model.fit_epoch(x, y);
  const Eigen::MatrixXf probabilities = model.predict_proba(x);
  std::printf("trained a softmax classifier: %d epochs of Adam on %ld samples, loss %.3f, accuracy %.1f%%\n",
              model.epochs(), static_cast<long>(x.rows()), loss, 100 * accuracy(probabilities, y));

  const fs::path binary = directory / "classifier.pj";
  const fs::path json = directory / "classifier.json";
  picklejar::options options;
  options.metadata = {{"epochs", std::to_string(model.epochs())}, {"loss", std::to_string(loss)}};
  picklejar::save(model, binary, options);
  options.format = picklejar::format::json;
  picklejar::save(model, json, options);
  std::printf("saved %s (%s, binary) and %s (%s, JSON); the mutexes and %zu scratch buffers were skipped\n",
              binary.string().c_str(), size_text(binary).c_str(), json.filename().string().c_str(),
              size_text(json).c_str(), model.scratch_buffers());

  const fs::path predictions = directory / "predictions.bin";
  {
    std::ofstream out(predictions, std::ios::binary);
    out.write(reinterpret_cast<const char*>(probabilities.data()),
              static_cast<std::streamsize>(sizeof(float) * static_cast<std::size_t>(probabilities.size())));
  }
  int failures = 0;
  std::fflush(stdout);  // keep this process's lines before the child's
  for (const fs::path& model_file : {binary, json}) {
    const std::string command =
        "\"" + self + "\" --verify \"" + model_file.string() + "\" \"" + predictions.string() + "\"";
    failures += std::system(command.c_str()) != 0;
  }
  std::printf(failures == 0 ? "ok: the reloaded model predicts bit-identically\n"
                            : "FAILED: a reloaded model predicted differently\n");
  return failures == 0 ? 0 : 1;
}

int verify(const fs::path& model_file, const fs::path& predictions_file) {
  Eigen::MatrixXf x;
  Eigen::VectorXi y;
  make_data(x, y);
  SoftmaxClassifier model;  // holds a std::mutex, so it is loaded in place
  picklejar::load(model, model_file);
  const Eigen::MatrixXf probabilities = model.predict_proba(x);

  std::vector<float> expected(static_cast<std::size_t>(probabilities.size()));
  std::ifstream in(predictions_file, std::ios::binary);
  in.read(reinterpret_cast<char*>(expected.data()),
          static_cast<std::streamsize>(sizeof(float) * expected.size()));
  std::size_t differing = 0;
  for (std::size_t i = 0; i < expected.size(); ++i)
    differing += std::memcmp(&expected[i], probabilities.data() + i, sizeof(float)) != 0;
  const picklejar::file_info info = picklejar::inspect(model_file);
  std::printf("  process %ld loaded %s (%s, %s epochs, optimizer at step %ld): %zu of %zu probabilities differ\n",
              static_cast<long>(::getpid()), model_file.filename().string().c_str(),
              picklejar::to_string(info.format), info.metadata.at("epochs").c_str(), model.optimizer_steps(),
              differing, expected.size());
  return !in || differing != 0 ? 1 : 0;
}

}  // namespace demo

int main(int argc, char** argv) {
  try {
    if (argc == 4 && std::string(argv[1]) == "--verify") return demo::verify(argv[2], argv[3]);
    const fs::path directory =
        argc > 1 ? fs::path(argv[1]) : (fs::path(argv[0]).parent_path() / "demo-output").lexically_normal();
    return demo::train_and_save(fs::absolute(argv[0]).string(), directory);
  } catch (const picklejar::error& failure) {
    std::fprintf(stderr, "picklejar error: %s\n", failure.what());
    return 2;
  }
}
