// Binary logistic regression trained by full-batch gradient descent (Adam), with an L2 penalty.
//
//   estimators::LogisticRegression model;
//   model.fit(x, labels);                              // labels are 0 or 1
//   Eigen::VectorXd p = model.predict_proba(x);        // P(label = 1)
//   model.fit_steps(x, labels, 50);                    // continue training, e.g. after loading
//   picklejar::save(model, "logistic.pj");
#pragma once

#include <picklejar/eigen.hpp>
#include <picklejar/picklejar.hpp>

#include <cmath>
#include <stdexcept>

#include "adam.hpp"

namespace estimators {

class LogisticRegression {
 public:
  explicit LogisticRegression(double l2 = 1e-4, Adam optimizer = {}) : l2_(l2), optimizer_(optimizer) {}

  /// Trains for `steps` Adam steps (a fixed budget keeps fitting deterministic and bounded).
  void fit(const Eigen::MatrixXd& x, const Eigen::VectorXi& labels, int steps = 300) {
    fit_steps(x, labels, steps);
  }

  /// `steps` more Adam steps from the current weights (zeros on the first call); returns the
  /// objective (mean log loss plus penalty) before the last step.
  double fit_steps(const Eigen::MatrixXd& x, const Eigen::VectorXi& labels, int steps) {
    if (x.rows() == 0 || x.rows() != labels.size())
      throw std::invalid_argument("LogisticRegression: x needs one row per label");
    if (weights_.size() != x.cols() + 1) weights_ = Eigen::VectorXd::Zero(x.cols() + 1);
    const Eigen::VectorXd target = labels.cast<double>();
    const double n = static_cast<double>(x.rows());
    double objective = 0;
    for (int i = 0; i < steps; ++i) {
      const Eigen::VectorXd logits = decision_function(x);
      objective = mean_log_loss(logits, target) + l2_ * weights_.head(x.cols()).squaredNorm() / 2;
      const Eigen::VectorXd error = sigmoid(logits) - target;  // d(log loss)/d(logit)
      Eigen::VectorXd gradient(weights_.size());
      gradient.head(x.cols()) = x.transpose() * error / n + l2_ * weights_.head(x.cols());
      gradient(x.cols()) = error.mean();
      moments_.apply(optimizer_, ++steps_, weights_, gradient);
    }
    return objective;
  }

  /// x w + b, the log-odds of label 1.
  Eigen::VectorXd decision_function(const Eigen::MatrixXd& x) const {
    if (weights_.size() != x.cols() + 1)
      throw std::invalid_argument("LogisticRegression: not fitted, or fitted on another number of features");
    return (x * weights_.head(x.cols())).array() + weights_(x.cols());
  }

  Eigen::VectorXd predict_proba(const Eigen::MatrixXd& x) const { return sigmoid(decision_function(x)); }

  Eigen::VectorXi predict(const Eigen::MatrixXd& x) const {
    return (decision_function(x).array() > 0).cast<int>();  // probability > 0.5
  }

  Eigen::VectorXd coefficients() const { return weights_.head(weights_.size() - 1); }
  double intercept() const { return weights_(weights_.size() - 1); }
  long steps() const { return steps_; }
  const AdamMoments<Eigen::VectorXd>& moments() const { return moments_; }

 private:
  static Eigen::VectorXd sigmoid(const Eigen::VectorXd& logits) {
    return logits.unaryExpr([](double z) {
      // Two forms so that exp() never overflows.
      return z >= 0 ? 1 / (1 + std::exp(-z)) : std::exp(z) / (1 + std::exp(z));
    });
  }

  // -mean(t log p + (1 - t) log(1 - p)), written in logits so that it never takes log(0).
  static double mean_log_loss(const Eigen::VectorXd& logits, const Eigen::VectorXd& target) {
    const Eigen::ArrayXd z = logits.array();
    return (z.max(0.0) - z * target.array() + (-z.abs()).exp().log1p()).mean();
  }

  double l2_ = 1e-4;
  Adam optimizer_;
  Eigen::VectorXd weights_;  // the coefficients, then the intercept: one Adam state covers both
  AdamMoments<Eigen::VectorXd> moments_;
  long steps_ = 0;           // Adam's bias correction depends on it, so it is saved too

  PICKLEJAR_FIELDS(l2_, optimizer_, weights_, moments_, steps_)
};

}  // namespace estimators
