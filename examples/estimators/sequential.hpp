// A Keras-like Sequential network: a stack of polymorphic layers trained with Adam on softmax
// cross-entropy.
//
//   estimators::Sequential model(estimators::Adam{0.01}, /*batch_size=*/32);
//   model.add<estimators::Standardize>("scale");
//   model.add<estimators::Dense>("hidden", /*inputs=*/2, /*outputs=*/16, /*seed=*/1);
//   model.add<estimators::ReLU>("relu");
//   model.add<estimators::Dropout>("dropout", /*rate=*/0.2, /*seed=*/2);
//   model.add<estimators::Dense>("logits", 16, /*classes=*/3, 3);
//   model.fit_steps(x, labels, 500);
//   picklejar::save(model, "model.pj");
//
// The layers are held as std::unique_ptr<Layer>. Each layer type is registered with picklejar
// right after its class (PICKLEJAR_REGISTER, or PICKLEJAR_REGISTER_AS to choose the name), so a
// file records which layer each one is and loading rebuilds the same types; a name that is not
// registered is refused. Everything training depends on is saved: weights, Adam's moments and
// step counters, dropout's random engine, running statistics and the position in the mini-batch
// cycle. A model loaded from a checkpoint therefore trains on exactly as the original would have.
#pragma once

#include <picklejar/eigen.hpp>
#include <picklejar/picklejar.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <mutex>
#include <random>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "adam.hpp"
#include "random_engine.hpp"

namespace estimators {

/// One layer; samples are rows.
class Layer {
 public:
  virtual ~Layer() = default;

  /// Inference: changes nothing.
  virtual Eigen::MatrixXd forward(const Eigen::MatrixXd& input) const = 0;

  /// The training pass. Layers that train differently (dropout, running statistics) override it.
  virtual Eigen::MatrixXd train_forward(const Eigen::MatrixXd& input) { return forward(input); }

  /// Takes the input of the last train_forward and the loss gradient with respect to its output;
  /// returns the gradient with respect to the input, and takes one optimizer step on this layer's
  /// parameters, if it has any.
  virtual Eigen::MatrixXd backward(const Eigen::MatrixXd& input, const Eigen::MatrixXd& output_gradient,
                                   const Adam& optimizer) = 0;

  const std::string& name() const { return name_; }

 protected:
  Layer() = default;
  explicit Layer(std::string name) : name_(std::move(name)) {}

 private:
  std::string name_;

  // Saved with every derived layer, before the derived layer's own fields.
  PICKLEJAR_FIELDS(name_)
};

/// A fully connected layer: output = input * weights + bias.
class Dense : public Layer {
 public:
  Dense() = default;  // for loading
  Dense(std::string name, int inputs, int outputs, std::uint32_t seed)
      : Layer(std::move(name)), weights_(inputs, outputs), bias_(Eigen::VectorXd::Zero(outputs)) {
    // He initialisation, suited to ReLU. The engine is only needed here, so it is not kept.
    std::mt19937 random(seed);
    std::normal_distribution<double> normal(0.0, std::sqrt(2.0 / inputs));
    for (Eigen::Index i = 0; i < weights_.size(); ++i) weights_.data()[i] = normal(random);
  }

  Eigen::MatrixXd forward(const Eigen::MatrixXd& input) const override {
    return (input * weights_).rowwise() + bias_.transpose();
  }

  Eigen::MatrixXd backward(const Eigen::MatrixXd& input, const Eigen::MatrixXd& output_gradient,
                           const Adam& optimizer) override {
    Eigen::MatrixXd input_gradient = output_gradient * weights_.transpose();  // before the update
    const Eigen::MatrixXd weights_gradient = input.transpose() * output_gradient;
    const Eigen::VectorXd bias_gradient = output_gradient.colwise().sum().transpose();
    ++steps_;
    weights_moments_.apply(optimizer, steps_, weights_, weights_gradient);
    bias_moments_.apply(optimizer, steps_, bias_, bias_gradient);
    return input_gradient;
  }

  Eigen::Index inputs() const { return weights_.rows(); }
  Eigen::Index outputs() const { return weights_.cols(); }
  const Eigen::MatrixXd& weights() const { return weights_; }
  const Eigen::VectorXd& bias() const { return bias_; }
  const AdamMoments<Eigen::MatrixXd>& weights_moments() const { return weights_moments_; }
  const AdamMoments<Eigen::VectorXd>& bias_moments() const { return bias_moments_; }
  long steps() const { return steps_; }

 private:
  Eigen::MatrixXd weights_;  // inputs x outputs
  Eigen::VectorXd bias_;
  AdamMoments<Eigen::MatrixXd> weights_moments_;
  AdamMoments<Eigen::VectorXd> bias_moments_;
  long steps_ = 0;  // Adam's bias correction depends on it

  PICKLEJAR_FIELDS(weights_, bias_, weights_moments_, bias_moments_, steps_)
};
// Registered names are global to the program. "Dense" is a common class name, so it gets a
// namespaced one: another library's Dense registered as "Dense" would otherwise make both refuse
// to save (picklejar never guesses which type a name means).
PICKLEJAR_REGISTER_AS(Dense, Layer, "estimators.Dense")

/// max(0, x). Nothing of its own to save: the base class's name is all there is.
class ReLU : public Layer {
 public:
  ReLU() = default;
  explicit ReLU(std::string name) : Layer(std::move(name)) {}

  Eigen::MatrixXd forward(const Eigen::MatrixXd& input) const override { return input.cwiseMax(0.0); }

  Eigen::MatrixXd backward(const Eigen::MatrixXd& input, const Eigen::MatrixXd& output_gradient,
                           const Adam&) override {
    return (input.array() > 0).select(output_gradient.array(), 0.0).matrix();
  }
};
PICKLEJAR_REGISTER(ReLU, Layer)

/// In training, zeroes each value with probability `rate` and scales the others by 1 / (1 - rate)
/// (inverted dropout); at inference it passes its input through.
class Dropout : public Layer {
 public:
  Dropout() = default;
  Dropout(std::string name, double rate, std::uint32_t seed) : Layer(std::move(name)), rate_(rate), random_(seed) {
    if (!(rate >= 0 && rate < 1)) throw std::invalid_argument("Dropout: rate must be in [0, 1)");
  }

  Eigen::MatrixXd forward(const Eigen::MatrixXd& input) const override { return input; }

  Eigen::MatrixXd train_forward(const Eigen::MatrixXd& input) override {
    std::bernoulli_distribution keep(1 - rate_);
    mask_.resize(input.rows(), input.cols());
    for (Eigen::Index i = 0; i < mask_.size(); ++i)
      mask_.data()[i] = keep(random_.engine()) ? 1 / (1 - rate_) : 0.0;
    return input.cwiseProduct(mask_);
  }

  Eigen::MatrixXd backward(const Eigen::MatrixXd&, const Eigen::MatrixXd& output_gradient, const Adam&) override {
    return output_gradient.cwiseProduct(mask_);
  }

  double rate() const { return rate_; }
  const RandomEngine& random_engine() const { return random_; }

 private:
  double rate_ = 0.5;
  RandomEngine random_;   // saved: a resumed run draws the masks the original would have drawn
  Eigen::MatrixXd mask_;  // only lives from train_forward to backward

  PICKLEJAR_FIELDS(rate_, random_)
  PICKLEJAR_TRANSIENT(mask_)
};
PICKLEJAR_REGISTER(Dropout, Layer)

/// A custom layer: standardizes its input with running statistics of everything it has seen in
/// training (like an input normalizer in reinforcement learning). Statistics can be fed from
/// other threads too (observe(), e.g. by a data loader) and read by a monitoring thread
/// (statistics()), so they are guarded by a mutex, which saving and loading hold as well.
class Standardize : public Layer {
 public:
  struct Statistics {
    double count = 0;
    Eigen::RowVectorXd mean;
    Eigen::RowVectorXd variance;
  };

  Standardize() = default;
  explicit Standardize(std::string name, double epsilon = 1e-8) : Layer(std::move(name)), epsilon_(epsilon) {}

  /// Adds a batch to the running statistics (Chan et al.'s parallel update of mean and variance).
  void observe(const Eigen::MatrixXd& batch) {
    std::lock_guard<std::mutex> hold(mutex_);
    const double batch_count = static_cast<double>(batch.rows());
    const Eigen::RowVectorXd batch_mean = batch.colwise().mean();
    const Eigen::RowVectorXd batch_squares = (batch.rowwise() - batch_mean).colwise().squaredNorm();
    if (count_ == 0) {
      mean_ = batch_mean;
      squared_deviations_ = batch_squares;
    } else {
      const Eigen::RowVectorXd delta = batch_mean - mean_;
      const double total = count_ + batch_count;
      mean_ += delta * (batch_count / total);
      squared_deviations_ += batch_squares + delta.cwiseAbs2() * (count_ * batch_count / total);
    }
    count_ += batch_count;
  }

  Eigen::MatrixXd forward(const Eigen::MatrixXd& input) const override {
    std::lock_guard<std::mutex> hold(mutex_);
    if (count_ == 0) return input;
    return (input.rowwise() - mean_).array().rowwise() / scale().array();
  }

  Eigen::MatrixXd train_forward(const Eigen::MatrixXd& input) override {
    observe(input);
    return forward(input);
  }

  // The statistics are treated as constants: they are estimates, not parameters.
  Eigen::MatrixXd backward(const Eigen::MatrixXd&, const Eigen::MatrixXd& output_gradient, const Adam&) override {
    std::lock_guard<std::mutex> hold(mutex_);
    if (count_ == 0) return output_gradient;
    return output_gradient.array().rowwise() / scale().array();
  }

  /// A consistent snapshot, safe to take while another thread trains.
  Statistics statistics() const {
    std::lock_guard<std::mutex> hold(mutex_);
    return {count_, mean_, count_ > 0 ? Eigen::RowVectorXd(squared_deviations_ / count_) : squared_deviations_};
  }

  /// Held by every member function above, and by picklejar while it saves or loads this layer.
  /// Exposed so that a caller can pause updates for longer than one call; do not call the member
  /// functions while holding it.
  std::mutex& mutex() const { return mutex_; }

 private:
  Eigen::RowVectorXd scale() const {  // callers hold mutex_
    return (squared_deviations_ / count_).array().sqrt() + epsilon_;
  }

  double epsilon_ = 1e-8;
  double count_ = 0;                       // a double: it only feeds floating-point formulas
  Eigen::RowVectorXd mean_;
  Eigen::RowVectorXd squared_deviations_;  // sum over samples of (x - mean)^2, per feature
  mutable std::mutex mutex_;               // fresh and unlocked after load

  PICKLEJAR_FIELDS(epsilon_, count_, mean_, squared_deviations_)
  PICKLEJAR_TRANSIENT(mutex_)
  PICKLEJAR_GUARDED_BY(mutex_)
};
PICKLEJAR_REGISTER_AS(Standardize, Layer, "estimators.Standardize")

/// Layers in order, trained with Adam on softmax cross-entropy. Labels are 0 .. classes-1, where
/// classes is the width of the last layer.
class Sequential {
 public:
  /// batch_size 0 trains on the whole data set at every step.
  explicit Sequential(Adam optimizer = {}, int batch_size = 0) : optimizer_(optimizer), batch_size_(batch_size) {}

  /// Appends a layer built from `arguments`, like Keras's model.add(Dense(...)).
  template <class LayerType, class... Arguments>
  LayerType& add(Arguments&&... arguments) {
    auto layer = std::make_unique<LayerType>(std::forward<Arguments>(arguments)...);
    LayerType& added = *layer;
    layers_.push_back(std::move(layer));
    return added;
  }

  /// `steps` Adam steps. Mini-batches are taken in order and the cycle continues across calls
  /// (and across a save and load): step k uses batch k modulo the number of batches. Returns the
  /// mean cross-entropy of the last batch, before its update.
  double fit_steps(const Eigen::MatrixXd& x, const Eigen::VectorXi& labels, int steps) {
    if (x.rows() == 0 || x.rows() != labels.size())
      throw std::invalid_argument("Sequential: x needs one row per label");
    if (layers_.empty()) throw std::logic_error("Sequential: add layers before training");
    const Eigen::Index batch = batch_size_ > 0 && batch_size_ < x.rows() ? batch_size_ : x.rows();
    const long batches = static_cast<long>((x.rows() + batch - 1) / batch);
    double loss = 0;
    for (int i = 0; i < steps; ++i) {
      const Eigen::Index start = static_cast<Eigen::Index>(steps_ % batches) * batch;
      const Eigen::Index count = std::min(batch, x.rows() - start);
      loss = train_step(x.middleRows(start, count), labels.segment(start, count));
      ++steps_;
    }
    return loss;
  }

  /// Class probabilities, one row per sample.
  Eigen::MatrixXd predict_proba(const Eigen::MatrixXd& x) const {
    Eigen::MatrixXd activation = x;
    for (const auto& layer : layers_) activation = layer->forward(activation);
    return softmax(activation);
  }

  Eigen::VectorXi predict(const Eigen::MatrixXd& x) const {
    const Eigen::MatrixXd probabilities = predict_proba(x);
    Eigen::VectorXi classes(probabilities.rows());
    for (Eigen::Index i = 0; i < probabilities.rows(); ++i) probabilities.row(i).maxCoeff(&classes(i));
    return classes;
  }

  const std::vector<std::unique_ptr<Layer>>& layers() const { return layers_; }
  long steps() const { return steps_; }

 private:
  double train_step(const Eigen::MatrixXd& x, const Eigen::VectorXi& labels) {
    // Forward, keeping every layer's input for the backward pass.
    std::vector<Eigen::MatrixXd> inputs;
    inputs.reserve(layers_.size());
    Eigen::MatrixXd activation = x;
    for (const auto& layer : layers_) {
      inputs.push_back(activation);
      activation = layer->train_forward(inputs.back());
    }
    // Softmax cross-entropy in log space, so that a confident mistake costs a large finite loss.
    const Eigen::MatrixXd shifted = activation.colwise() - activation.rowwise().maxCoeff();
    const Eigen::VectorXd log_sums = shifted.array().exp().rowwise().sum().log();
    Eigen::MatrixXd gradient = (shifted.colwise() - log_sums).array().exp();  // the probabilities
    double loss = 0;
    for (Eigen::Index i = 0; i < gradient.rows(); ++i) {
      if (labels(i) < 0 || labels(i) >= gradient.cols())
        throw std::invalid_argument("Sequential: label out of range");
      loss -= shifted(i, labels(i)) - log_sums(i);
      gradient(i, labels(i)) -= 1;  // d(loss)/d(logits) = probabilities - one-hot label
    }
    const double n = static_cast<double>(x.rows());
    gradient /= n;
    for (std::size_t i = layers_.size(); i-- > 0;)
      gradient = layers_[i]->backward(inputs[i], gradient, optimizer_);
    return loss / n;
  }

  static Eigen::MatrixXd softmax(const Eigen::MatrixXd& logits) {
    // Subtracting each row's maximum keeps exp() finite and changes nothing else.
    Eigen::MatrixXd exponentials = (logits.colwise() - logits.rowwise().maxCoeff()).array().exp();
    return exponentials.array().colwise() / exponentials.rowwise().sum().array();
  }

  Adam optimizer_;
  int batch_size_ = 0;
  std::vector<std::unique_ptr<Layer>> layers_;
  long steps_ = 0;  // where the mini-batch cycle is

  PICKLEJAR_FIELDS(optimizer_, batch_size_, layers_, steps_)
};

}  // namespace estimators
