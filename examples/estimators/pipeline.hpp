// A scikit-learn style pipeline: standardize the features, then hand them to a model. The
// scaler's mean and scale are saved with the model, so a loaded pipeline transforms new data
// exactly as the one that was trained.
//
//   estimators::Pipeline<estimators::LogisticRegression> pipeline;
//   pipeline.fit(x, labels);
//   picklejar::save(pipeline, "pipeline.pj");
//   auto loaded = picklejar::load<estimators::Pipeline<estimators::LogisticRegression>>("pipeline.pj");
//   Eigen::VectorXi predicted = loaded.predict(x_new);
#pragma once

#include <picklejar/eigen.hpp>
#include <picklejar/picklejar.hpp>

#include <stdexcept>
#include <utility>

namespace estimators {

/// Removes each feature's mean and divides by its standard deviation.
class StandardScaler {
 public:
  void fit(const Eigen::MatrixXd& x) {
    if (x.rows() == 0) throw std::invalid_argument("StandardScaler: no samples");
    mean_ = x.colwise().mean().transpose();
    scale_ = ((x.rowwise() - mean_.transpose()).colwise().squaredNorm() / static_cast<double>(x.rows()))
                 .cwiseSqrt()
                 .transpose();
    // A constant feature has nothing to scale; dividing by zero would turn it into NaNs.
    scale_ = (scale_.array() > 0).select(scale_, 1.0);
  }

  Eigen::MatrixXd transform(const Eigen::MatrixXd& x) const {
    if (!fitted() || x.cols() != mean_.size())
      throw std::invalid_argument("StandardScaler: not fitted, or fitted on another number of features");
    return (x.rowwise() - mean_.transpose()).array().rowwise() / scale_.transpose().array();
  }

  Eigen::MatrixXd fit_transform(const Eigen::MatrixXd& x) {
    fit(x);
    return transform(x);
  }

  bool fitted() const { return mean_.size() > 0; }
  const Eigen::VectorXd& mean() const { return mean_; }
  const Eigen::VectorXd& scale() const { return scale_; }

 private:
  Eigen::VectorXd mean_;
  Eigen::VectorXd scale_;

  PICKLEJAR_FIELDS(mean_, scale_)
};

/// A StandardScaler followed by `Model`, saved and loaded as one object. Model needs
/// fit_steps(x, y, steps) and predict(x); predict_proba(x) is forwarded when it has one.
template <class Model>
class Pipeline {
 public:
  explicit Pipeline(Model model = Model{}) : model_(std::move(model)) {}

  /// Fits the scaler, then trains the model on the scaled data.
  template <class Target>
  void fit(const Eigen::MatrixXd& x, const Target& y, int steps) {
    scaler_.fit(x);
    model_.fit_steps(scaler_.transform(x), y, steps);
  }

  /// Continues training. The scaler is fitted on the first call only, and kept afterwards:
  /// moving the model's inputs while it trains would undo what it has learned.
  template <class Target>
  double fit_steps(const Eigen::MatrixXd& x, const Target& y, int steps) {
    if (!scaler_.fitted()) scaler_.fit(x);
    return model_.fit_steps(scaler_.transform(x), y, steps);
  }

  auto predict(const Eigen::MatrixXd& x) const { return model_.predict(scaler_.transform(x)); }
  auto predict_proba(const Eigen::MatrixXd& x) const { return model_.predict_proba(scaler_.transform(x)); }

  const StandardScaler& scaler() const { return scaler_; }
  const Model& model() const { return model_; }

 private:
  StandardScaler scaler_;
  Model model_;

  PICKLEJAR_FIELDS(scaler_, model_)
};

}  // namespace estimators
