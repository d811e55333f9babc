// The example estimators in examples/estimators/, saved and loaded in every format: a loaded model
// predicts bit for bit what the original predicted, and training resumed from a checkpoint ends
// bit for bit where uninterrupted training ends (weights, optimizer moments, random engines).
#include <picklejar/eigen.hpp>
#include <picklejar/picklejar.hpp>

#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "estimators/kmeans.hpp"
#include "estimators/linear_regression.hpp"
#include "estimators/logistic_regression.hpp"
#include "estimators/pipeline.hpp"
#include "estimators/random_engine.hpp"
#include "test_support.hpp"

namespace {

using estimators::KMeans;
using estimators::LinearRegression;
using estimators::LogisticRegression;
using estimators::Pipeline;
using estimators::RandomEngine;

// ---------------------------------------------------------------------------------------------
// Helpers

/// Same shape and same bytes: tells -0.0 from 0.0, and any rounding difference at all.
template <class A, class B>
testing::AssertionResult identical(const A& a, const B& b) {
  const auto& left = a.derived();
  const auto& right = b.derived();
  if (left.rows() != right.rows() || left.cols() != right.cols())
    return testing::AssertionFailure() << "shapes differ: " << left.rows() << "x" << left.cols() << " and "
                                       << right.rows() << "x" << right.cols();
  using Scalar = typename A::Scalar;
  for (Eigen::Index i = 0; i < left.size(); ++i) {
    if (std::memcmp(left.data() + i, right.data() + i, sizeof(Scalar)) != 0)
      return testing::AssertionFailure() << "element " << i << " differs: " << left.data()[i] << " vs "
                                         << right.data()[i];
  }
  return testing::AssertionSuccess();
}

testing::AssertionResult identical(double a, double b) {
  if (pj_test::same_bits(a, b)) return testing::AssertionSuccess();
  return testing::AssertionFailure() << a << " and " << b << " differ in their bits";
}

template <class T>
T save_and_load(const T& model, picklejar::format format) {
  return picklejar::loads<T>(picklejar::dumps(model, picklejar::options(format)));
}

struct Dataset {
  Eigen::MatrixXd x;
  Eigen::VectorXd y;       // regression target
  Eigen::VectorXi labels;  // class labels
};

/// y = x w + 3 + noise, with features on different scales (so scaling matters).
Dataset make_regression(int samples, std::uint32_t seed) {
  std::mt19937 random(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  Dataset data;
  data.x.resize(samples, 3);
  data.y.resize(samples);
  const Eigen::Vector3d weights(1.5, -2.0, 0.25);
  const Eigen::Vector3d scales(1.0, 10.0, 0.1);
  for (int i = 0; i < samples; ++i) {
    for (int j = 0; j < 3; ++j) data.x(i, j) = scales(j) * normal(random);
    data.y(i) = data.x.row(i).dot(weights) + 3.0 + 0.1 * normal(random);
  }
  return data;
}

/// Two overlapping Gaussian clouds labelled 0 and 1, offset from the origin.
Dataset make_two_classes(int samples, std::uint32_t seed) {
  std::mt19937 random(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  Dataset data;
  data.x.resize(samples, 2);
  data.labels.resize(samples);
  for (int i = 0; i < samples; ++i) {
    data.labels(i) = i % 2;
    const double shift = data.labels(i) == 1 ? 1.5 : -1.5;
    data.x(i, 0) = 5.0 + shift + normal(random);
    data.x(i, 1) = -2.0 + 20.0 * (shift + normal(random));
  }
  return data;
}

/// `clusters` Gaussian blobs around random centres.
Eigen::MatrixXd make_blobs(int samples, int clusters, std::uint32_t seed) {
  std::mt19937 random(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::uniform_real_distribution<double> center(-10.0, 10.0);
  Eigen::MatrixXd centers(clusters, 2);
  for (Eigen::Index i = 0; i < centers.size(); ++i) centers.data()[i] = center(random);
  Eigen::MatrixXd x(samples, 2);
  for (int i = 0; i < samples; ++i)
    for (int j = 0; j < 2; ++j) x(i, j) = centers(i % clusters, j) + normal(random);
  return x;
}

double accuracy(const Eigen::VectorXi& predicted, const Eigen::VectorXi& labels) {
  return (predicted.array() == labels.array()).cast<double>().mean();
}

// ---------------------------------------------------------------------------------------------
// RandomEngine: the saveable std::mt19937 the other estimators use

class RandomEngineEstimator : public pj_test::FormatTest {};

TEST_P(RandomEngineEstimator, LoadedEngineDrawsTheSameNumbers) {
  RandomEngine original(7);
  original.engine().discard(1000);  // somewhere in the middle of its sequence
  RandomEngine loaded = save_and_load(original, GetParam());
  EXPECT_TRUE(loaded == original);
  EXPECT_TRUE(loaded != RandomEngine(7)) << "the saved engine must be the advanced one";
  for (int i = 0; i < 2000; ++i) ASSERT_EQ(loaded.engine()(), original.engine()()) << "draw " << i;
}

TEST(RandomEngineEstimatorState, TruncatedStateIsAnError) {
  std::vector<std::uint32_t> state = RandomEngine(7).get_state();
  ASSERT_GT(state.size(), 600u);
  state.resize(state.size() / 2);
  RandomEngine engine;
  pj_test::expect_error(picklejar::errc::format, [&] { engine.set_state(state); });
}

PJ_INSTANTIATE_FOR_ALL_FORMATS(RandomEngineEstimator);

// ---------------------------------------------------------------------------------------------
// LinearRegression

class LinearRegressionEstimator : public pj_test::FormatTest {};

TEST_P(LinearRegressionEstimator, LoadedModelPredictsIdentically) {
  const Dataset train = make_regression(200, 1);
  const Dataset test = make_regression(50, 2);
  LinearRegression model(/*alpha=*/0.5);
  model.fit(train.x, train.y);

  const LinearRegression loaded = save_and_load(model, GetParam());
  EXPECT_TRUE(identical(loaded.predict(test.x), model.predict(test.x)));
  EXPECT_TRUE(identical(loaded.coefficients(), model.coefficients()));
  EXPECT_TRUE(identical(loaded.intercept(), model.intercept()));

  // The hyper-parameter came back too: refitting the loaded model on new data matches.
  LinearRegression refitted = loaded;
  refitted.fit(test.x, test.y);
  model.fit(test.x, test.y);
  EXPECT_TRUE(identical(refitted.coefficients(), model.coefficients()));
}

TEST_P(LinearRegressionEstimator, ResumedGradientDescentIsBitIdentical) {
  const Dataset data = make_regression(200, 3);
  LinearRegression uninterrupted(0.1, estimators::Adam{0.05, 0.9, 0.999, 1e-8});
  LinearRegression interrupted = uninterrupted;
  uninterrupted.fit_steps(data.x, data.y, 70);

  interrupted.fit_steps(data.x, data.y, 30);
  LinearRegression resumed = save_and_load(interrupted, GetParam());
  const Eigen::VectorXd at_checkpoint = resumed.coefficients();
  resumed.fit_steps(data.x, data.y, 40);

  EXPECT_FALSE(identical(at_checkpoint, resumed.coefficients())) << "the 40 steps after loading changed nothing";
  EXPECT_EQ(resumed.steps(), 70);
  EXPECT_TRUE(identical(resumed.coefficients(), uninterrupted.coefficients()));
  EXPECT_TRUE(identical(resumed.intercept(), uninterrupted.intercept()));
  EXPECT_TRUE(identical(resumed.moments().m, uninterrupted.moments().m));
  EXPECT_TRUE(identical(resumed.moments().v, uninterrupted.moments().v));
}

PJ_INSTANTIATE_FOR_ALL_FORMATS(LinearRegressionEstimator);

// Not about saving: the two ways of fitting agree, so the estimator is worth copying.
TEST(LinearRegressionEstimatorFit, GradientDescentReachesTheClosedForm) {
  const Dataset data = make_regression(200, 4);
  LinearRegression closed_form(0.5);
  closed_form.fit(data.x, data.y);
  LinearRegression descent(0.5, estimators::Adam{0.05, 0.9, 0.999, 1e-8});
  descent.fit_steps(data.x, data.y, 3000);
  EXPECT_TRUE(closed_form.coefficients().isApprox(descent.coefficients(), 1e-4))
      << closed_form.coefficients().transpose() << " vs " << descent.coefficients().transpose();
  EXPECT_NEAR(closed_form.intercept(), descent.intercept(), 1e-3);
}

// ---------------------------------------------------------------------------------------------
// LogisticRegression

class LogisticRegressionEstimator : public pj_test::FormatTest {};

TEST_P(LogisticRegressionEstimator, LoadedModelPredictsIdentically) {
  const Dataset train = make_two_classes(300, 5);
  const Dataset test = make_two_classes(100, 6);
  LogisticRegression model(1e-3, estimators::Adam{0.05, 0.9, 0.999, 1e-8});
  model.fit(train.x, train.labels, 200);
  ASSERT_GT(accuracy(model.predict(test.x), test.labels), 0.8) << "the model did not learn";

  const LogisticRegression loaded = save_and_load(model, GetParam());
  EXPECT_TRUE(identical(loaded.predict_proba(test.x), model.predict_proba(test.x)));
  EXPECT_EQ(loaded.predict(test.x), model.predict(test.x));
  EXPECT_EQ(loaded.steps(), model.steps());
}

TEST_P(LogisticRegressionEstimator, ResumedTrainingIsBitIdentical) {
  const Dataset data = make_two_classes(300, 7);
  LogisticRegression uninterrupted(1e-3, estimators::Adam{0.05, 0.9, 0.999, 1e-8});
  LogisticRegression interrupted = uninterrupted;
  const double uninterrupted_loss = uninterrupted.fit_steps(data.x, data.labels, 120);

  interrupted.fit_steps(data.x, data.labels, 50);
  pj_test::temp_dir directory;  // through a file this time
  picklejar::save(interrupted, directory / "logistic.pj", opts());
  LogisticRegression resumed = picklejar::load<LogisticRegression>(directory / "logistic.pj");
  const Eigen::VectorXd at_checkpoint = resumed.coefficients();
  const double resumed_loss = resumed.fit_steps(data.x, data.labels, 70);

  EXPECT_FALSE(identical(at_checkpoint, resumed.coefficients())) << "the 70 steps after loading changed nothing";
  EXPECT_TRUE(identical(resumed_loss, uninterrupted_loss));
  EXPECT_TRUE(identical(resumed.coefficients(), uninterrupted.coefficients()));
  EXPECT_TRUE(identical(resumed.intercept(), uninterrupted.intercept()));
  EXPECT_TRUE(identical(resumed.moments().m, uninterrupted.moments().m));
  EXPECT_TRUE(identical(resumed.moments().v, uninterrupted.moments().v));
  EXPECT_EQ(resumed.steps(), uninterrupted.steps());
}

PJ_INSTANTIATE_FOR_ALL_FORMATS(LogisticRegressionEstimator);

// ---------------------------------------------------------------------------------------------
// KMeans

class KMeansEstimator : public pj_test::FormatTest {};

TEST_P(KMeansEstimator, LoadedModelPredictsIdentically) {
  const Eigen::MatrixXd train = make_blobs(300, 4, 8);
  const Eigen::MatrixXd test = make_blobs(100, 4, 9);
  KMeans model(4, /*seed=*/11);
  model.fit(train);
  ASSERT_GT(model.iterations(), 0);

  const KMeans loaded = save_and_load(model, GetParam());
  EXPECT_TRUE(identical(loaded.centers(), model.centers()));
  EXPECT_EQ(loaded.predict(test), model.predict(test));
  EXPECT_TRUE(identical(loaded.inertia(), model.inertia()));
  EXPECT_TRUE(identical(loaded.inertia(test), model.inertia(test)));
  EXPECT_EQ(loaded.iterations(), model.iterations());
}

// fit() seeds with random draws, so refitting a loaded model only matches the original when the
// engine's state was saved.
TEST_P(KMeansEstimator, RefittingALoadedModelDrawsTheSameNumbers) {
  const Eigen::MatrixXd first = make_blobs(300, 5, 10);
  const Eigen::MatrixXd second = make_blobs(300, 5, 11);
  KMeans uninterrupted(5, /*seed=*/12);
  KMeans interrupted = uninterrupted;
  uninterrupted.fit(first);
  uninterrupted.fit(second);

  interrupted.fit(first);
  KMeans resumed = save_and_load(interrupted, GetParam());
  EXPECT_TRUE(resumed.random_engine() == interrupted.random_engine());
  EXPECT_TRUE(resumed.random_engine() != KMeans(5, 12).random_engine()) << "the engine was not advanced";
  resumed.fit(second);

  EXPECT_TRUE(identical(resumed.centers(), uninterrupted.centers()));
  EXPECT_TRUE(identical(resumed.inertia(), uninterrupted.inertia()));
  EXPECT_TRUE(resumed.random_engine() == uninterrupted.random_engine());
}

// Lloyd iterations one at a time, interrupted half way; the many clusters on few blobs make
// clusters go empty, and an empty cluster jumps to a random sample.
TEST_P(KMeansEstimator, ResumedIterationsAreBitIdentical) {
  const Eigen::MatrixXd data = make_blobs(60, 2, 13);
  KMeans uninterrupted(12, /*seed=*/14);
  uninterrupted.initialize(data);
  KMeans interrupted = uninterrupted;
  for (int i = 0; i < 10; ++i) uninterrupted.step(data);

  for (int i = 0; i < 4; ++i) interrupted.step(data);
  KMeans resumed = save_and_load(interrupted, GetParam());
  for (int i = 0; i < 6; ++i) resumed.step(data);

  EXPECT_TRUE(identical(resumed.centers(), uninterrupted.centers()));
  EXPECT_TRUE(resumed.random_engine() == uninterrupted.random_engine());
}

PJ_INSTANTIATE_FOR_ALL_FORMATS(KMeansEstimator);

// ---------------------------------------------------------------------------------------------
// Pipeline: StandardScaler + LogisticRegression as one object

using ScaledLogistic = Pipeline<LogisticRegression>;

class PipelineEstimator : public pj_test::FormatTest {};

TEST_P(PipelineEstimator, LoadedPipelinePredictsIdentically) {
  const Dataset train = make_two_classes(300, 15);
  const Dataset test = make_two_classes(100, 16);
  ScaledLogistic pipeline(LogisticRegression(1e-3, estimators::Adam{0.05, 0.9, 0.999, 1e-8}));
  pipeline.fit(train.x, train.labels, 200);
  ASSERT_GT(accuracy(pipeline.predict(test.x), test.labels), 0.8) << "the pipeline did not learn";

  pj_test::temp_dir directory;
  picklejar::save(pipeline, directory / "pipeline.pj", opts());
  const ScaledLogistic loaded = picklejar::load<ScaledLogistic>(directory / "pipeline.pj");
  EXPECT_TRUE(identical(loaded.scaler().mean(), pipeline.scaler().mean()));
  EXPECT_TRUE(identical(loaded.scaler().scale(), pipeline.scaler().scale()));
  EXPECT_TRUE(identical(loaded.predict_proba(test.x), pipeline.predict_proba(test.x)));
  EXPECT_EQ(loaded.predict(test.x), pipeline.predict(test.x));
}

TEST_P(PipelineEstimator, ResumedTrainingIsBitIdentical) {
  const Dataset data = make_two_classes(300, 17);
  ScaledLogistic uninterrupted(LogisticRegression(1e-3, estimators::Adam{0.02, 0.9, 0.999, 1e-8}));
  ScaledLogistic interrupted = uninterrupted;
  uninterrupted.fit_steps(data.x, data.labels, 100);

  interrupted.fit_steps(data.x, data.labels, 40);
  ScaledLogistic resumed = save_and_load(interrupted, GetParam());
  resumed.fit_steps(data.x, data.labels, 60);

  EXPECT_TRUE(identical(resumed.model().coefficients(), uninterrupted.model().coefficients()));
  EXPECT_TRUE(identical(resumed.model().moments().v, uninterrupted.model().moments().v));
  EXPECT_TRUE(identical(resumed.predict_proba(data.x), uninterrupted.predict_proba(data.x)));
}

PJ_INSTANTIATE_FOR_ALL_FORMATS(PipelineEstimator);

}  // namespace
