// The example estimators in examples/estimators/, saved and loaded in every format: a loaded model
// predicts bit for bit what the original predicted, and training resumed from a checkpoint ends
// bit for bit where uninterrupted training ends (weights, optimizer moments, random engines).
#include <picklejar/eigen.hpp>
#include <picklejar/picklejar.hpp>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <future>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "estimators/kmeans.hpp"
#include "estimators/linear_regression.hpp"
#include "estimators/logistic_regression.hpp"
#include "estimators/pipeline.hpp"
#include "estimators/random_engine.hpp"
#include "estimators/sequential.hpp"
#include "test_support.hpp"

namespace {

using estimators::KMeans;
using estimators::LinearRegression;
using estimators::LogisticRegression;
using estimators::Pipeline;
using estimators::RandomEngine;
using estimators::Sequential;

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

/// Three overlapping classes in two dimensions, far from the origin (the Standardize layer's job).
Dataset make_three_classes(int samples, std::uint32_t seed) {
  std::mt19937 random(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  Dataset data;
  data.x.resize(samples, 2);
  data.labels.resize(samples);
  const double centers[3][2] = {{2, 0}, {-1, 2}, {-1, -2}};
  for (int i = 0; i < samples; ++i) {
    data.labels(i) = i % 3;
    data.x(i, 0) = 100.0 + 5.0 * (centers[data.labels(i)][0] + normal(random));
    data.x(i, 1) = -50.0 + 0.5 * (centers[data.labels(i)][1] + normal(random));
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

// A truncated or damaged engine state: test_random_engines.cpp (DamagedStateIsAFormatError).

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
// Sequential: polymorphic layers behind std::unique_ptr<Layer>

/// Standardize -> Dense -> ReLU -> Dropout -> Dense; the same arguments build the same network.
Sequential make_network(int batch_size = 32) {
  Sequential model(estimators::Adam{0.01, 0.9, 0.999, 1e-8}, batch_size);
  model.add<estimators::Standardize>("input_scaling");
  model.add<estimators::Dense>("hidden", 2, 16, /*seed=*/21);
  model.add<estimators::ReLU>("hidden_activation");
  model.add<estimators::Dropout>("hidden_dropout", 0.25, /*seed=*/22);
  model.add<estimators::Dense>("logits", 16, 3, /*seed=*/23);
  return model;
}

template <class LayerType>
const LayerType* layer_as(const Sequential& model, std::size_t index) {
  return index < model.layers().size() ? dynamic_cast<const LayerType*>(model.layers()[index].get()) : nullptr;
}

/// Everything that training depends on, layer by layer, compared bit for bit.
void expect_identical_networks(const Sequential& actual, const Sequential& expected) {
  ASSERT_EQ(actual.layers().size(), expected.layers().size());
  EXPECT_EQ(actual.steps(), expected.steps());
  for (std::size_t i = 0; i < expected.layers().size(); ++i) {
    SCOPED_TRACE("layer " + std::to_string(i) + " (" + expected.layers()[i]->name() + ")");
    EXPECT_EQ(actual.layers()[i]->name(), expected.layers()[i]->name());
    if (const auto* dense = layer_as<estimators::Dense>(expected, i)) {
      const auto* other = layer_as<estimators::Dense>(actual, i);
      ASSERT_NE(other, nullptr);
      EXPECT_TRUE(identical(other->weights(), dense->weights()));
      EXPECT_TRUE(identical(other->bias(), dense->bias()));
      EXPECT_TRUE(identical(other->weights_moments().m, dense->weights_moments().m));
      EXPECT_TRUE(identical(other->weights_moments().v, dense->weights_moments().v));
      EXPECT_TRUE(identical(other->bias_moments().m, dense->bias_moments().m));
      EXPECT_TRUE(identical(other->bias_moments().v, dense->bias_moments().v));
      EXPECT_EQ(other->steps(), dense->steps());
    } else if (const auto* dropout = layer_as<estimators::Dropout>(expected, i)) {
      const auto* other = layer_as<estimators::Dropout>(actual, i);
      ASSERT_NE(other, nullptr);
      EXPECT_TRUE(identical(other->rate(), dropout->rate()));
      EXPECT_TRUE(other->random_engine() == dropout->random_engine());
    } else if (const auto* standardize = layer_as<estimators::Standardize>(expected, i)) {
      const auto* other = layer_as<estimators::Standardize>(actual, i);
      ASSERT_NE(other, nullptr);
      const auto mine = other->statistics();
      const auto theirs = standardize->statistics();
      EXPECT_TRUE(identical(mine.count, theirs.count));
      EXPECT_TRUE(identical(mine.mean, theirs.mean));
      EXPECT_TRUE(identical(mine.variance, theirs.variance));
    } else {
      EXPECT_NE(layer_as<estimators::ReLU>(actual, i), nullptr);
    }
  }
}

class SequentialEstimator : public pj_test::FormatTest {};

TEST_P(SequentialEstimator, LoadedNetworkPredictsIdentically) {
  const Dataset train = make_three_classes(300, 31);
  const Dataset test = make_three_classes(150, 32);
  Sequential model = make_network();
  model.fit_steps(train.x, train.labels, 300);
  ASSERT_GT(accuracy(model.predict(test.x), test.labels), 0.8) << "the network did not learn";

  const Sequential loaded = save_and_load(model, GetParam());
  EXPECT_TRUE(identical(loaded.predict_proba(test.x), model.predict_proba(test.x)));
  EXPECT_EQ(loaded.predict(test.x), model.predict(test.x));
  expect_identical_networks(loaded, model);
}

TEST_P(SequentialEstimator, LoadedLayersKeepTheirTypesAndNames) {
  const Sequential model = make_network();
  const Sequential loaded = save_and_load(model, GetParam());
  ASSERT_EQ(loaded.layers().size(), 5u);
  EXPECT_NE(layer_as<estimators::Standardize>(loaded, 0), nullptr);
  EXPECT_NE(layer_as<estimators::Dense>(loaded, 1), nullptr);
  EXPECT_NE(layer_as<estimators::ReLU>(loaded, 2), nullptr);
  EXPECT_NE(layer_as<estimators::Dropout>(loaded, 3), nullptr);
  EXPECT_NE(layer_as<estimators::Dense>(loaded, 4), nullptr);
  // The name lives in the Layer base class and is saved through each derived layer.
  for (std::size_t i = 0; i < model.layers().size(); ++i) {
    EXPECT_FALSE(model.layers()[i]->name().empty());
    EXPECT_EQ(loaded.layers()[i]->name(), model.layers()[i]->name());
  }
  EXPECT_EQ(layer_as<estimators::Dense>(loaded, 4)->outputs(), 3);
  EXPECT_TRUE(identical(layer_as<estimators::Dropout>(loaded, 3)->rate(), 0.25));
}

TEST_P(SequentialEstimator, FileRecordsTheRegisteredNames) {
  const std::string bytes = picklejar::dumps(make_network(), opts());
  EXPECT_NE(bytes.find("estimators.Standardize"), std::string::npos) << "PICKLEJAR_REGISTER_AS name";
  EXPECT_NE(bytes.find("estimators.Dense"), std::string::npos) << "PICKLEJAR_REGISTER_AS name";
  EXPECT_NE(bytes.find("Dropout"), std::string::npos) << "PICKLEJAR_REGISTER name";
  EXPECT_NE(bytes.find("ReLU"), std::string::npos) << "PICKLEJAR_REGISTER name";
}

// Mini-batches of 32 out of 300 samples and a checkpoint after 70 steps: the resumed run must
// continue in the middle of the batch cycle, with the same dropout masks and Adam moments.
TEST_P(SequentialEstimator, ResumedTrainingIsBitIdentical) {
  const Dataset data = make_three_classes(300, 33);
  Sequential uninterrupted = make_network();
  const double uninterrupted_loss = uninterrupted.fit_steps(data.x, data.labels, 150);

  Sequential interrupted = make_network();
  interrupted.fit_steps(data.x, data.labels, 70);
  pj_test::temp_dir directory;
  picklejar::save(interrupted, directory / "network.pj", opts());
  Sequential resumed = picklejar::load<Sequential>(directory / "network.pj");
  expect_identical_networks(resumed, interrupted);
  const double resumed_loss = resumed.fit_steps(data.x, data.labels, 80);

  EXPECT_FALSE(identical(layer_as<estimators::Dense>(resumed, 1)->weights(),
                         layer_as<estimators::Dense>(interrupted, 1)->weights()))
      << "the 80 steps after loading changed nothing";
  EXPECT_TRUE(identical(resumed_loss, uninterrupted_loss));
  expect_identical_networks(resumed, uninterrupted);
  EXPECT_TRUE(identical(resumed.predict_proba(data.x), uninterrupted.predict_proba(data.x)));
}

// Loading into an existing network replaces its layers; the new Standardize layer's mutex is a
// fresh one, unlocked, and guards the statistics while two threads use the layer.
TEST_P(SequentialEstimator, StandardizeMutexWorksAfterLoad) {
  const Dataset data = make_three_classes(300, 34);
  Sequential model = make_network();
  model.fit_steps(data.x, data.labels, 20);
  Sequential loaded = make_network();
  picklejar::loads(loaded, picklejar::dumps(model, opts()));

  auto* standardize = dynamic_cast<estimators::Standardize*>(loaded.layers()[0].get());
  ASSERT_NE(standardize, nullptr);
  ASSERT_TRUE(standardize->mutex().try_lock()) << "the mutex is held after load";
  standardize->mutex().unlock();

  const double count_before = standardize->statistics().count;
  std::thread trainer([&] { loaded.fit_steps(data.x, data.labels, 50); });
  for (int i = 0; i < 50; ++i) {
    const auto snapshot = standardize->statistics();  // locks; must never see a torn update
    EXPECT_EQ(snapshot.mean.size(), 2);
    EXPECT_GE(snapshot.count, count_before);
  }
  trainer.join();
  EXPECT_GT(standardize->statistics().count, count_before);
  ASSERT_TRUE(standardize->mutex().try_lock());
  standardize->mutex().unlock();
}

// PICKLEJAR_GUARDED_BY(mutex_) on a layer saved through std::unique_ptr<Layer>: saving waits
// while another thread holds the layer's mutex.
TEST_P(SequentialEstimator, SavingHoldsTheStandardizeMutex) {
  const Sequential model = make_network();
  auto& standardize = dynamic_cast<estimators::Standardize&>(*model.layers()[0]);
  std::unique_lock<std::mutex> held(standardize.mutex());
  auto saving = std::async(std::launch::async, [&] { return picklejar::dumps(model, opts()); });
  EXPECT_EQ(saving.wait_for(std::chrono::milliseconds(200)), std::future_status::timeout)
      << "saving did not wait for the layer's mutex";
  held.unlock();
  const std::string bytes = saving.get();
  const Sequential loaded = picklejar::loads<Sequential>(bytes);
  EXPECT_EQ(loaded.layers().size(), model.layers().size());
}

// A layer type nobody registered: saving it through std::unique_ptr<Layer> must fail loudly
// rather than write only its Layer part.
class UnregisteredLayer : public estimators::Layer {
 public:
  UnregisteredLayer() : Layer("unregistered") {}
  Eigen::MatrixXd forward(const Eigen::MatrixXd& input) const override { return input; }
  Eigen::MatrixXd backward(const Eigen::MatrixXd&, const Eigen::MatrixXd& gradient,
                           const estimators::Adam&) override {
    return gradient;
  }
};

TEST_P(SequentialEstimator, SavingAnUnregisteredLayerIsAnError) {
  Sequential model = make_network();
  model.add<UnregisteredLayer>();
  const picklejar::error failure =
      pj_test::expect_error(picklejar::errc::type, [&] { picklejar::dumps(model, opts()); });
  EXPECT_NE(std::string(failure.what()).find("UnregisteredLayer"), std::string::npos) << failure.what();
}

PJ_INSTANTIATE_FOR_ALL_FORMATS(SequentialEstimator);

// ---------------------------------------------------------------------------------------------
// Pipeline: a StandardScaler and a model (LogisticRegression, Sequential) as one object

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

// A pipeline whose model is a Sequential: the scaler and the network are one object.
TEST_P(PipelineEstimator, SequentialPipelineResumesBitIdentically) {
  const Dataset data = make_three_classes(300, 35);
  Pipeline<Sequential> uninterrupted(make_network());
  uninterrupted.fit_steps(data.x, data.labels, 60);

  Pipeline<Sequential> interrupted(make_network());
  interrupted.fit_steps(data.x, data.labels, 25);
  Pipeline<Sequential> resumed = save_and_load(interrupted, GetParam());
  EXPECT_TRUE(identical(resumed.scaler().mean(), interrupted.scaler().mean()));
  EXPECT_TRUE(identical(resumed.predict_proba(data.x), interrupted.predict_proba(data.x)));
  resumed.fit_steps(data.x, data.labels, 35);

  expect_identical_networks(resumed.model(), uninterrupted.model());
  EXPECT_TRUE(identical(resumed.predict_proba(data.x), uninterrupted.predict_proba(data.x)));
}

PJ_INSTANTIATE_FOR_ALL_FORMATS(PipelineEstimator);

}  // namespace
