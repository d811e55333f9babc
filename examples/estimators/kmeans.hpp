// k-means clustering with k-means++ seeding.
//
//   estimators::KMeans model(/*clusters=*/3, /*seed=*/42);
//   model.fit(x);                                   // one sample per row
//   Eigen::VectorXi cluster = model.predict(x);
//   double spread = model.inertia();
//   picklejar::save(model, "kmeans.pj");
//
// The random engine is part of the model and is saved with it: fitting a loaded model on new
// data draws exactly the numbers the original would have drawn, so it finds the same clusters.
#pragma once

#include <picklejar/eigen.hpp>
#include <picklejar/picklejar.hpp>

#include <cstdint>
#include <random>
#include <stdexcept>
#include <utility>

#include "random_engine.hpp"

namespace estimators {

class KMeans {
 public:
  explicit KMeans(int clusters = 8, std::uint32_t seed = 0, int max_iterations = 300, double tolerance = 1e-10)
      : clusters_(clusters), max_iterations_(max_iterations), tolerance_(tolerance), random_(seed) {
    if (clusters < 1) throw std::invalid_argument("KMeans: needs at least one cluster");
  }

  /// k-means++ seeding, then Lloyd iterations until the centres stop moving.
  void fit(const Eigen::MatrixXd& x) {
    initialize(x);
    iterations_ = 0;
    while (iterations_ < max_iterations_) {
      ++iterations_;
      if (step(x) <= tolerance_) break;
    }
    inertia_ = inertia(x);
  }

  /// k-means++: the first centre is a random sample; each next one is a sample drawn with
  /// probability proportional to its squared distance to the nearest centre chosen so far.
  void initialize(const Eigen::MatrixXd& x) {
    if (x.rows() < clusters_) throw std::invalid_argument("KMeans: fewer samples than clusters");
    centers_.resize(clusters_, x.cols());
    centers_.row(0) = x.row(random_index(x.rows()));
    Eigen::VectorXd nearest = (x.rowwise() - centers_.row(0)).rowwise().squaredNorm();
    for (int c = 1; c < clusters_; ++c) {
      const Eigen::Index chosen = nearest.sum() > 0 ? weighted_index(nearest) : random_index(x.rows());
      centers_.row(c) = x.row(chosen);
      nearest = nearest.cwiseMin((x.rowwise() - centers_.row(c)).rowwise().squaredNorm());
    }
  }

  /// One Lloyd iteration: assign every sample to its nearest centre, move each centre to the mean
  /// of its samples. A centre left without samples jumps to a random sample. Returns how far the
  /// centres moved (sum of squared shifts).
  double step(const Eigen::MatrixXd& x) {
    const Eigen::VectorXi assignment = predict(x);
    Eigen::MatrixXd sums = Eigen::MatrixXd::Zero(clusters_, x.cols());
    Eigen::VectorXd counts = Eigen::VectorXd::Zero(clusters_);
    for (Eigen::Index i = 0; i < x.rows(); ++i) {
      sums.row(assignment(i)) += x.row(i);
      counts(assignment(i)) += 1;
    }
    Eigen::MatrixXd moved(clusters_, x.cols());
    for (int c = 0; c < clusters_; ++c)
      moved.row(c) = counts(c) > 0 ? Eigen::RowVectorXd(sums.row(c) / counts(c))
                                   : Eigen::RowVectorXd(x.row(random_index(x.rows())));
    const double shift = (moved - centers_).squaredNorm();
    centers_ = std::move(moved);
    return shift;
  }

  /// The nearest centre of each sample.
  Eigen::VectorXi predict(const Eigen::MatrixXd& x) const {
    check_fitted(x);
    Eigen::VectorXi assignment(x.rows());
    for (Eigen::Index i = 0; i < x.rows(); ++i)
      (centers_.rowwise() - x.row(i)).rowwise().squaredNorm().minCoeff(&assignment(i));
    return assignment;
  }

  /// Sum of squared distances of the samples to their nearest centre.
  double inertia(const Eigen::MatrixXd& x) const {
    check_fitted(x);
    double total = 0;
    for (Eigen::Index i = 0; i < x.rows(); ++i)
      total += (centers_.rowwise() - x.row(i)).rowwise().squaredNorm().minCoeff();
    return total;
  }

  /// The inertia of the training data at the end of the last fit().
  double inertia() const { return inertia_; }
  const Eigen::MatrixXd& centers() const { return centers_; }
  int iterations() const { return iterations_; }
  const RandomEngine& random_engine() const { return random_; }

 private:
  Eigen::Index random_index(Eigen::Index size) {
    return std::uniform_int_distribution<Eigen::Index>(0, size - 1)(random_.engine());
  }

  // An index drawn with probability weights(i) / weights.sum().
  Eigen::Index weighted_index(const Eigen::VectorXd& weights) {
    double remaining = std::uniform_real_distribution<double>(0, weights.sum())(random_.engine());
    for (Eigen::Index i = 0; i < weights.size(); ++i) {
      remaining -= weights(i);
      if (remaining < 0) return i;
    }
    // Rounding can leave a sliver at the end: it belongs to the last sample with any weight.
    Eigen::Index last = weights.size() - 1;
    while (weights(last) == 0) --last;
    return last;
  }

  void check_fitted(const Eigen::MatrixXd& x) const {
    if (centers_.rows() != clusters_ || centers_.cols() != x.cols())
      throw std::invalid_argument("KMeans: not fitted, or fitted on another number of features");
  }

  int clusters_ = 8;
  int max_iterations_ = 300;
  double tolerance_ = 1e-10;
  RandomEngine random_;       // saved: resuming draws the numbers the original would have drawn
  Eigen::MatrixXd centers_;   // one centre per row
  double inertia_ = 0;
  int iterations_ = 0;

  PICKLEJAR_FIELDS(clusters_, max_iterations_, tolerance_, random_, centers_, inertia_, iterations_)
};

}  // namespace estimators
