// Linear regression: ordinary least squares, or ridge when alpha > 0.
//
//   estimators::LinearRegression model(/*alpha=*/0.1);
//   model.fit(x, y);                        // closed form
//   model.fit_steps(x, y, 100);             // or gradient descent (Adam), resumable
//   Eigen::VectorXd predictions = model.predict(x);
//   picklejar::save(model, "linear.pj");
//
// Both ways of fitting minimise the same objective,
//   mean((x w + b - y)^2) / 2 + alpha |w|^2 / 2    (the intercept b is not penalised),
// so gradient descent converges to the closed-form solution.
#pragma once

#include <Eigen/Cholesky>  // LDLT, for the closed form
#include <picklejar/eigen.hpp>
#include <picklejar/picklejar.hpp>

#include <stdexcept>

#include "adam.hpp"

namespace estimators {

class LinearRegression {
 public:
  explicit LinearRegression(double alpha = 0.0, Adam optimizer = {}) : alpha_(alpha), optimizer_(optimizer) {}

  /// Closed form: solve the normal equations on centred data, then recover the intercept.
  void fit(const Eigen::MatrixXd& x, const Eigen::VectorXd& y) {
    check_shapes(x, y);
    const double n = static_cast<double>(x.rows());
    const Eigen::RowVectorXd x_mean = x.colwise().mean();
    const double y_mean = y.mean();
    const Eigen::MatrixXd centred = x.rowwise() - x_mean;
    Eigen::MatrixXd normal = centred.transpose() * centred / n;
    normal.diagonal().array() += alpha_;
    weights_.resize(x.cols() + 1);
    // LDLT: the normal matrix is symmetric positive (semi-)definite.
    weights_.head(x.cols()) = normal.ldlt().solve(centred.transpose() * (y.array() - y_mean).matrix() / n);
    weights_(x.cols()) = y_mean - x_mean.dot(weights_.head(x.cols()));
  }

  /// `steps` full-batch Adam steps from the current weights (zeros on the first call); returns
  /// the objective before the last step. Calling it again continues the same run.
  double fit_steps(const Eigen::MatrixXd& x, const Eigen::VectorXd& y, int steps) {
    check_shapes(x, y);
    if (weights_.size() != x.cols() + 1) weights_ = Eigen::VectorXd::Zero(x.cols() + 1);
    const double n = static_cast<double>(x.rows());
    double objective = 0;
    for (int i = 0; i < steps; ++i) {
      const Eigen::VectorXd residual = predict(x) - y;
      objective = residual.squaredNorm() / (2 * n) + alpha_ * weights_.head(x.cols()).squaredNorm() / 2;
      Eigen::VectorXd gradient(weights_.size());
      gradient.head(x.cols()) = x.transpose() * residual / n + alpha_ * weights_.head(x.cols());
      gradient(x.cols()) = residual.mean();
      moments_.apply(optimizer_, ++steps_, weights_, gradient);
    }
    return objective;
  }

  Eigen::VectorXd predict(const Eigen::MatrixXd& x) const {
    if (weights_.size() != x.cols() + 1)
      throw std::invalid_argument("LinearRegression: not fitted, or fitted on another number of features");
    return (x * coefficients()).array() + intercept();
  }

  Eigen::VectorXd coefficients() const { return weights_.head(weights_.size() - 1); }
  double intercept() const { return weights_(weights_.size() - 1); }
  long steps() const { return steps_; }
  const AdamMoments<Eigen::VectorXd>& moments() const { return moments_; }

 private:
  static void check_shapes(const Eigen::MatrixXd& x, const Eigen::VectorXd& y) {
    if (x.rows() == 0 || x.rows() != y.size())
      throw std::invalid_argument("LinearRegression: x needs one row per target in y");
  }

  double alpha_ = 0;
  Adam optimizer_;
  Eigen::VectorXd weights_;  // the coefficients, then the intercept: one Adam state covers both
  AdamMoments<Eigen::VectorXd> moments_;
  long steps_ = 0;           // Adam's bias correction depends on it, so it is saved too

  PICKLEJAR_FIELDS(alpha_, optimizer_, weights_, moments_, steps_)
};

}  // namespace estimators
