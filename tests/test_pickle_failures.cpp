// The five Python pickle failures that motivate picklejar, each as a C++ estimator that saves
// and loads. In Python each raises "cannot pickle '...' object" or silently drops state.
#include <picklejar/eigen.hpp>
#include <picklejar/picklejar.hpp>

#include <Eigen/Cholesky>

#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "test_support.hpp"

namespace {

using pj_test::FormatTest;

// 1. A classifier holding a lock used in fit and predict (Keras' threading.Lock).
class LockedClassifier {
 public:
  void fit(const Eigen::MatrixXf& x, const Eigen::VectorXf& y) {
    std::lock_guard<std::mutex> hold(mutex_);
    // one least-squares solve: deterministic, so two fits agree bit for bit
    weights_ = (x.transpose() * x + 1e-3f * Eigen::MatrixXf::Identity(x.cols(), x.cols())).ldlt().solve(x.transpose() * y);
    ++fits_;
  }
  Eigen::VectorXf predict(const Eigen::MatrixXf& x) const {
    std::lock_guard<std::mutex> hold(mutex_);
    return x * weights_;
  }
  int fits() const { return fits_; }

 private:
  Eigen::VectorXf weights_;
  int fits_ = 0;
  mutable std::mutex mutex_;
  PICKLEJAR_FIELDS(weights_, fits_)
  PICKLEJAR_TRANSIENT(mutex_)
  PICKLEJAR_GUARDED_BY(mutex_)
};

class PickleFailures : public FormatTest {};

TEST_P(PickleFailures, ClassifierWithALockUsedInFitAndPredict) {
  pj_test::temp_dir dir;
  Eigen::MatrixXf x = Eigen::MatrixXf::Random(50, 4);
  Eigen::VectorXf y = x * Eigen::Vector4f(1, -2, 0.5f, 3) + 0.01f * Eigen::VectorXf::Random(50);
  LockedClassifier model;
  model.fit(x, y);
  // save while other threads keep predicting
  std::thread reader([&] {
    for (int i = 0; i < 100; ++i) (void)model.predict(x);
  });
  picklejar::save(model, dir / "clf", opts());
  reader.join();

  LockedClassifier loaded;
  picklejar::load(loaded, dir / "clf");
  Eigen::VectorXf expected = model.predict(x);
  Eigen::VectorXf got = loaded.predict(x);
  EXPECT_EQ(std::memcmp(expected.data(), got.data(), sizeof(float) * 50), 0);
  loaded.fit(x, y);  // the fresh lock works
  EXPECT_EQ(loaded.fits(), 2);
}

// 2. A lock manager: the locks cannot be saved, but which locks exist and how often they were
// taken must survive.
class LockManager {
 public:
  std::unique_lock<std::mutex> acquire(const std::string& name) {
    auto& slot = locks_[name];
    if (!slot) slot = std::make_unique<std::mutex>();
    ++acquisitions_[name];
    return std::unique_lock<std::mutex>(*slot);
  }
  std::size_t lock_count() const { return locks_.size(); }
  bool is_free(const std::string& name) const {
    auto found = locks_.find(name);
    if (found == locks_.end() || !found->second->try_lock()) return false;
    found->second->unlock();
    return true;
  }
  int acquisitions(const std::string& name) const { return acquisitions_.at(name); }

  struct State {
    std::map<std::string, int> acquisitions;
    PICKLEJAR_FIELDS(acquisitions)
  };
  State get_state() const { return State{acquisitions_}; }
  void set_state(State state) {
    acquisitions_ = std::move(state.acquisitions);
    locks_.clear();
    for (const auto& entry : acquisitions_) locks_[entry.first] = std::make_unique<std::mutex>();
  }

 private:
  std::map<std::string, std::unique_ptr<std::mutex>> locks_;
  std::map<std::string, int> acquisitions_;
};

TEST_P(PickleFailures, LockManagerKeepsItsLockCount) {
  LockManager manager;
  { auto a = manager.acquire("weights"); }
  { auto b = manager.acquire("weights"); }
  { auto c = manager.acquire("optimizer"); }
  auto held = manager.acquire("data");  // still held while saving
  std::string bytes = picklejar::dumps(manager, opts());
  LockManager loaded = picklejar::loads<LockManager>(bytes);
  EXPECT_EQ(loaded.lock_count(), 3u);
  EXPECT_EQ(loaded.acquisitions("weights"), 2);
  EXPECT_EQ(loaded.acquisitions("data"), 1);
  EXPECT_TRUE(loaded.is_free("data")) << "a lock held at save time is a fresh, free lock after load";
  EXPECT_FALSE(manager.is_free("data"));
}

// 3. A regressor with per-thread backend state (Python's _thread._local), saved through
// get_state/set_state, which leaves the per-thread part out.
class ThreadedRegressor {
 public:
  struct State {
    std::vector<double> coef;
    double intercept = 0;
    PICKLEJAR_FIELDS(coef, intercept)
  };
  State get_state() const { return State{coef_, intercept_}; }
  void set_state(State state) {
    coef_ = std::move(state.coef);
    intercept_ = state.intercept;
    std::lock_guard<std::mutex> hold(backends_mutex_);
    backends_.clear();
  }
  void fit(const std::vector<double>& coef, double intercept) {
    coef_ = coef;
    intercept_ = intercept;
  }
  double predict(const std::vector<double>& x) const {
    Backend& backend = this_thread_backend();
    backend.buffer.assign(x.size(), 0.0);
    double sum = intercept_;
    for (std::size_t i = 0; i < x.size(); ++i) sum += (backend.buffer[i] = coef_[i] * x[i]);
    ++backend.calls;
    return sum;
  }
  std::size_t backend_count() const {
    std::lock_guard<std::mutex> hold(backends_mutex_);
    return backends_.size();
  }

 private:
  struct Backend {
    std::vector<double> buffer;
    int calls = 0;
  };
  Backend& this_thread_backend() const {
    std::lock_guard<std::mutex> hold(backends_mutex_);
    return backends_[std::this_thread::get_id()];
  }
  std::vector<double> coef_;
  double intercept_ = 0;
  mutable std::mutex backends_mutex_;
  mutable std::unordered_map<std::thread::id, Backend> backends_;
};

TEST_P(PickleFailures, PerThreadBackendStateThroughStateHooks) {
  ThreadedRegressor model;
  model.fit({0.5, -1.25, 2}, 0.75);
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t) threads.emplace_back([&] { (void)model.predict({1, 2, 3}); });
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(model.backend_count(), 3u);

  ThreadedRegressor loaded;
  (void)loaded.predict({});  // a backend for this thread, which loading must drop
  picklejar::loads(loaded, picklejar::dumps(model, opts()));
  EXPECT_EQ(loaded.backend_count(), 0u) << "per-thread state starts empty after load";
  double from_other_thread = 0;
  std::thread([&] { from_other_thread = loaded.predict({1, 2, 3}); }).join();
  EXPECT_EQ(from_other_thread, model.predict({1, 2, 3}));
}

// 4. A layer with a weak reference to large data owned elsewhere: the data is not pulled into
// the file, and the reference is empty until the owner attaches it again.
class EmbeddingLayer {
 public:
  void attach(const std::shared_ptr<const Eigen::MatrixXf>& table) { table_ = table; }
  bool attached() const { return !table_.expired(); }
  Eigen::VectorXf lookup(int row) const { return scale_ * table_.lock()->row(row).transpose(); }
  float scale_ = 1.0f;

 private:
  std::weak_ptr<const Eigen::MatrixXf> table_;
  PICKLEJAR_FIELDS(scale_)
  PICKLEJAR_TRANSIENT(table_)
};

TEST_P(PickleFailures, LayerWithAWeakReferenceToLargeData) {
  auto table = std::make_shared<const Eigen::MatrixXf>(Eigen::MatrixXf::Random(1000, 256));
  EmbeddingLayer layer;
  layer.scale_ = 0.5f;
  layer.attach(table);
  std::string bytes = picklejar::dumps(layer, opts());
  EXPECT_LT(bytes.size(), 1000u) << "the 1 MB table must not be in the file";
  EmbeddingLayer loaded;
  loaded.attach(table);
  picklejar::loads(loaded, bytes);
  EXPECT_FALSE(loaded.attached());
  loaded.attach(table);
  EXPECT_EQ(loaded.lookup(3), layer.lookup(3));
}

// 5. A model holding a callback closure, a file handle and a connection object: none is saved;
// after_load() reopens the handle and reconnects from saved configuration.
class Connection {
 public:
  void open(const std::string& endpoint) {
    endpoint_ = endpoint;
    connected_ = true;
    ++opens;
  }
  bool connected() const { return connected_; }
  const std::string& endpoint() const { return endpoint_; }
  static inline int opens = 0;

 private:
  std::string endpoint_;
  bool connected_ = false;
};

class MonitoredModel {
 public:
  MonitoredModel() = default;
  MonitoredModel(const MonitoredModel&) = delete;
  MonitoredModel& operator=(const MonitoredModel&) = delete;
  ~MonitoredModel() {
    if (log_ != nullptr) std::fclose(log_);
  }
  void start(std::string log_path, std::string endpoint) {
    log_path_ = std::move(log_path);
    endpoint_ = std::move(endpoint);
    after_load();
  }
  void after_load() {
    if (log_ != nullptr) std::fclose(log_);
    log_ = log_path_.empty() ? nullptr : std::fopen(log_path_.c_str(), "a");
    if (!endpoint_.empty()) metrics_.open(endpoint_);
  }
  void train_epoch() {
    ++epochs_;
    if (log_ != nullptr) std::fprintf(log_, "epoch %d\n", epochs_);
    if (on_epoch_) on_epoch_(epochs_);
  }
  std::function<void(int)> on_epoch_;
  FILE* log() const { return log_; }
  const Connection& metrics() const { return metrics_; }
  int epochs() const { return epochs_; }

 private:
  int epochs_ = 0;
  std::string log_path_;
  std::string endpoint_;
  FILE* log_ = nullptr;
  Connection metrics_;
  PICKLEJAR_FIELDS(epochs_, log_path_, endpoint_)
  PICKLEJAR_TRANSIENT(on_epoch_, log_, metrics_)
};

TEST_P(PickleFailures, CallbackFileHandleAndConnection) {
  pj_test::temp_dir dir;
  int seen = 0;
  MonitoredModel model;
  model.start((dir / "train.log").string(), "metrics.local:9000");
  model.on_epoch_ = [&seen](int epoch) { seen = epoch; };
  model.train_epoch();
  model.train_epoch();
  EXPECT_EQ(seen, 2);
  std::string bytes = picklejar::dumps(model, opts());

  const int opens_before = Connection::opens;
  MonitoredModel loaded;
  picklejar::loads(loaded, bytes);
  EXPECT_EQ(loaded.epochs(), 2);
  EXPECT_FALSE(loaded.on_epoch_) << "closures are not saved";
  EXPECT_NE(loaded.log(), nullptr) << "after_load reopened the log";
  EXPECT_TRUE(loaded.metrics().connected());
  EXPECT_EQ(loaded.metrics().endpoint(), "metrics.local:9000");
  EXPECT_EQ(Connection::opens, opens_before + 1);
  loaded.train_epoch();
  EXPECT_EQ(loaded.epochs(), 3);
  EXPECT_EQ(seen, 2);
}

PJ_INSTANTIATE_FOR_ALL_FORMATS(PickleFailures);

}  // namespace
