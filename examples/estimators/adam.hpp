// Adam (Kingma & Ba, 2015), shared by the estimators that train by gradient descent.
//
// Adam keeps two running averages per parameter. They are training state exactly like the
// weights: a model resumed from a checkpoint without them takes different steps from then on,
// so they are saved with the model (AdamMoments has PICKLEJAR_FIELDS).
#pragma once

#include <picklejar/eigen.hpp>
#include <picklejar/picklejar.hpp>

#include <cmath>

namespace estimators {

/// Adam's hyper-parameters; one set per model.
struct Adam {
  double learning_rate = 0.01;
  double beta1 = 0.9;    // decay of the gradient's running mean
  double beta2 = 0.999;  // decay of the squared gradient's running mean
  double epsilon = 1e-8;
  PICKLEJAR_FIELDS(learning_rate, beta1, beta2, epsilon)
};

/// The moment estimates of one parameter (an Eigen matrix or vector).
template <class Parameter>
struct AdamMoments {
  Parameter m;  // running mean of the gradient
  Parameter v;  // running mean of the squared gradient
  PICKLEJAR_FIELDS(m, v)

  /// One Adam step on `parameter`. `step` counts from 1; the caller owns the counter because
  /// all parameters of a model share it.
  void apply(const Adam& adam, long step, Parameter& parameter, const Parameter& gradient) {
    if (m.size() == 0) {  // first step: start from zero moments of the parameter's shape
      m = Parameter::Zero(parameter.rows(), parameter.cols());
      v = Parameter::Zero(parameter.rows(), parameter.cols());
    }
    m = adam.beta1 * m + (1 - adam.beta1) * gradient;
    v = adam.beta2 * v + (1 - adam.beta2) * gradient.cwiseAbs2();
    // The averages start at zero, so early ones are too small: divide that bias out.
    const double correction1 = 1 - std::pow(adam.beta1, static_cast<double>(step));
    const double correction2 = 1 - std::pow(adam.beta2, static_cast<double>(step));
    parameter.array() -= adam.learning_rate * (m.array() / correction1) /
                         ((v.array() / correction2).sqrt() + adam.epsilon);
  }
};

}  // namespace estimators
