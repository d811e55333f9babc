// A realistic model type for tests and fuzz targets that need "a real checkpoint": Eigen weights
// (dense and sparse), strings, maps, vectors, optimizer state (Adam moments), polymorphic layers
// behind std::shared_ptr and std::unique_ptr (PICKLEJAR_REGISTER_AS), a std::weak_ptr
// back-reference, a shared tokenizer, a versioned config (PICKLEJAR_VERSION and
// PICKLEJAR_FIELDS_SINCE), a type with get_state()/set_state() and after_load(), a guarded
// object and transient members.
//
//   reference_model::Model model = reference_model::make_reference_model();
//   std::string bytes = picklejar::dumps(model, {picklejar::format::json});
//   reference_model::Model loaded = picklejar::loads<reference_model::Model>(bytes);
//   EXPECT_TRUE(reference_model::equal(model, loaded)) << reference_model::difference(model, loaded);
//
// Self-contained (picklejar and Eigen only), so that tests, the fuzz targets (fuzz/) and the
// corpus generator can all include it. Registered names are namespaced ("reference_model.Dense"),
// so they never clash with the types other tests register.
#pragma once

#include <picklejar/eigen.hpp>
#include <picklejar/json.hpp>
#include <picklejar/picklejar.hpp>
#include <picklejar/xml.hpp>

#include <Eigen/Core>
#include <Eigen/SparseCore>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <typeinfo>
#include <unordered_map>
#include <utility>
#include <vector>

namespace reference_model {

/// Hyper-parameters of a training run: version 3 (dropout came in 2, the schedule in 3).
struct TrainingConfig {
  int epochs = 20;
  double learning_rate = 1e-3;
  std::string optimizer = "adam";
  std::vector<int> hidden_sizes{8, 4};
  float dropout = 0.1f;                          // since version 2
  std::map<std::string, double> schedule;        // since version 3: epoch name -> learning rate
  std::optional<int> early_stopping_patience;    // since version 3
  PICKLEJAR_FIELDS(epochs, learning_rate, optimizer, hidden_sizes)
  PICKLEJAR_FIELDS_SINCE(2, dropout)
  PICKLEJAR_FIELDS_SINCE(3, schedule, early_stopping_patience)
};
PICKLEJAR_VERSION(TrainingConfig, 3)

/// Adam's state: hyper-parameters, the step counter and one pair of moments per parameter, keyed
/// by the parameter's name (like a PyTorch optimizer's state_dict).
struct AdamState {
  double beta1 = 0.9;
  double beta2 = 0.999;
  double epsilon = 1e-8;
  std::int64_t step = 0;
  std::map<std::string, std::vector<float>> first_moments;
  std::map<std::string, std::vector<float>> second_moments;
  PICKLEJAR_FIELDS(beta1, beta2, epsilon, step, first_moments, second_moments)
};

/// Saved as its state (the token list); the index is rebuilt by set_state(), and after_load()
/// checks it.
class Tokenizer {
 public:
  struct State {
    std::vector<std::string> tokens;
    bool lowercase = true;
    PICKLEJAR_FIELDS(tokens, lowercase)
  };

  Tokenizer() = default;
  explicit Tokenizer(std::vector<std::string> tokens, bool lowercase = true) {
    set_state(State{std::move(tokens), lowercase});
  }

  State get_state() const { return State{tokens_, lowercase_}; }
  void set_state(State state) {
    tokens_ = std::move(state.tokens);
    lowercase_ = state.lowercase;
    index_.clear();
    for (std::size_t i = 0; i < tokens_.size(); ++i) index_.emplace(tokens_[i], static_cast<int>(i));
  }
  void after_load() { loaded_ = true; }

  /// The token's id, or -1.
  int id(const std::string& token) const {
    auto found = index_.find(token);
    return found == index_.end() ? -1 : found->second;
  }
  const std::vector<std::string>& tokens() const { return tokens_; }
  bool lowercase() const { return lowercase_; }
  bool was_loaded() const { return loaded_; }

 private:
  std::vector<std::string> tokens_;
  bool lowercase_ = true;
  std::unordered_map<std::string, int> index_;
  bool loaded_ = false;
};

/// Input standardization; the inverse scale is derived in after_load() and never saved.
struct Normalizer {
  Eigen::VectorXd mean;
  Eigen::VectorXd scale;
  Eigen::VectorXd inverse_scale;  // transient: 1 / scale
  PICKLEJAR_FIELDS(mean, scale)
  PICKLEJAR_TRANSIENT(inverse_scale)

  void after_load() { inverse_scale = scale.cwiseInverse(); }
};

struct Network;

/// A polymorphic layer; each one points back at the network that holds it.
struct Layer {
  virtual ~Layer() = default;
  std::string name;
  std::weak_ptr<Network> network;  // back-reference: loads pointing at the loaded network
  PICKLEJAR_FIELDS(name, network)
};

struct Dense : Layer {
  Eigen::MatrixXf weights;
  Eigen::VectorXf bias;
  PICKLEJAR_FIELDS(weights, bias)
};

/// Nothing of its own: only the base's fields are saved.
struct Relu : Layer {};

/// A sparse embedding table and the tokenizer it was built for (shared with the model).
struct Embedding : Layer {
  Eigen::SparseMatrix<float> table;
  std::shared_ptr<Tokenizer> tokenizer;
  PICKLEJAR_FIELDS(table, tokenizer)
};

/// The layers, shared by the model; saving and loading hold its mutex.
struct Network {
  std::vector<std::shared_ptr<Layer>> layers;
  std::string activation = "relu";
  mutable std::mutex mutex;
  std::vector<float> scratch;  // per-forward-pass buffer: never saved
  PICKLEJAR_FIELDS(layers, activation)
  PICKLEJAR_TRANSIENT(mutex, scratch)
  PICKLEJAR_GUARDED_BY(mutex)
};

/// The root object of the checkpoint.
struct Model {
  std::string name;
  TrainingConfig config;
  std::shared_ptr<Network> network;
  std::shared_ptr<Tokenizer> tokenizer;  // the same object as the embedding layer's
  std::unique_ptr<Layer> head;           // owned, polymorphic
  Normalizer normalizer;
  AdamState optimizer;
  std::map<std::string, std::string> tags;
  std::vector<double> loss_history;
  PICKLEJAR_FIELDS(name, config, network, tokenizer, head, normalizer, optimizer, tags, loss_history)
};

}  // namespace reference_model

PICKLEJAR_REGISTER_AS(reference_model::Dense, reference_model::Layer, "reference_model.Dense")
PICKLEJAR_REGISTER_AS(reference_model::Relu, reference_model::Layer, "reference_model.Relu")
PICKLEJAR_REGISTER_AS(reference_model::Embedding, reference_model::Layer, "reference_model.Embedding")

namespace reference_model {

/// A small, fully filled model: every kind of member above holds something, including a NaN with a
/// payload, an infinity, a negative zero, an empty string and UTF-8 text. The binary file is about
/// 1.5 KiB, small enough for sweeps over every byte.
inline Model make_reference_model() {
  Model model;
  model.name = "tiny-classifier \xC3\xA9t\xC3\xA9";  // "été" in UTF-8
  model.config.epochs = 12;
  model.config.learning_rate = 0.003;
  model.config.optimizer = "adam";
  model.config.hidden_sizes = {6, 3};
  model.config.dropout = 0.25f;
  model.config.schedule = {{"warmup", 1e-4}, {"main", 3e-3}, {"decay", 3e-4}};
  model.config.early_stopping_patience = 3;

  auto tokenizer = std::make_shared<Tokenizer>(std::vector<std::string>{"<pad>", "the", "cat", "sat", ""});
  model.tokenizer = tokenizer;

  auto network = std::make_shared<Network>();
  auto embedding = std::make_shared<Embedding>();
  embedding->name = "embed";
  embedding->table.resize(5, 4);
  embedding->table.insert(1, 0) = 0.5f;
  embedding->table.insert(2, 3) = -1.25f;
  embedding->table.insert(4, 1) = 2.0f;
  embedding->table.makeCompressed();
  embedding->tokenizer = tokenizer;

  auto hidden = std::make_shared<Dense>();
  hidden->name = "hidden";
  hidden->weights.resize(3, 4);
  hidden->weights << 0.1f, -0.2f, 0.3f, -0.4f, 0.5f, -0.6f, 0.7f, -0.8f, 0.9f, -1.0f, 1.1f, -1.2f;
  hidden->bias.resize(3);
  hidden->bias << 0.0f, -0.0f, std::numeric_limits<float>::infinity();

  auto relu = std::make_shared<Relu>();
  relu->name = "relu";

  network->layers = {embedding, hidden, relu, hidden};  // the same layer twice: stored once
  for (const auto& layer : network->layers) layer->network = network;
  network->activation = "relu";
  network->scratch.assign(16, 1.0f);
  model.network = network;

  auto head = std::make_unique<Dense>();
  head->name = "head";
  head->weights.resize(2, 3);
  head->weights << 1.0f, 2.0f, 3.0f, 4.0f, 5.0f, 6.0f;
  head->bias.resize(2);
  std::uint32_t payload_nan_bits = 0x7fc00001u;
  float payload_nan = 0;
  std::memcpy(&payload_nan, &payload_nan_bits, sizeof payload_nan);
  head->bias << payload_nan, -3.5f;
  head->network = network;
  model.head = std::move(head);

  model.normalizer.mean.resize(4);
  model.normalizer.mean << 0.5, -1.5, 2.25, 1e-300;
  model.normalizer.scale.resize(4);
  model.normalizer.scale << 1.0, 2.0, 0.5, 4.0;
  model.normalizer.after_load();

  model.optimizer.step = 42;
  model.optimizer.first_moments = {{"hidden.weights", {0.01f, -0.02f, 0.03f}}, {"head.bias", {1e-7f, -1e-7f}}};
  model.optimizer.second_moments = {{"hidden.weights", {1e-4f, 4e-4f, 9e-4f}}, {"head.bias", {0.0f, 1e-14f}}};

  model.tags = {{"author", "Ada"}, {"dataset", "toy <v2> & \"friends\""}, {"", "empty key"}};
  model.loss_history = {2.3, 1.1, 0.7, 0.45, std::nan("")};
  return model;
}

namespace detail {

template <class T>
bool same_bits(const T& a, const T& b) {
  return std::memcmp(&a, &b, sizeof(T)) == 0;
}

template <class Dense>
bool same_dense(const Dense& a, const Dense& b) {
  if (a.rows() != b.rows() || a.cols() != b.cols()) return false;
  for (Eigen::Index i = 0; i < a.size(); ++i) {
    if (!same_bits(a.data()[i], b.data()[i])) return false;
  }
  return true;
}

/// Compares the stored structure (never a dense copy: a loaded matrix may be 2^31 x 2^31).
inline bool same_sparse(const Eigen::SparseMatrix<float>& a, const Eigen::SparseMatrix<float>& b) {
  if (!a.isCompressed() || !b.isCompressed()) {
    Eigen::SparseMatrix<float> compressed_a = a, compressed_b = b;
    compressed_a.makeCompressed();
    compressed_b.makeCompressed();
    return same_sparse(compressed_a, compressed_b);
  }
  if (a.rows() != b.rows() || a.cols() != b.cols() || a.nonZeros() != b.nonZeros()) return false;
  const auto outer = static_cast<std::size_t>(a.outerSize()) + 1;
  const auto nonzeros = static_cast<std::size_t>(a.nonZeros());
  return std::equal(a.outerIndexPtr(), a.outerIndexPtr() + outer, b.outerIndexPtr()) &&
         std::equal(a.innerIndexPtr(), a.innerIndexPtr() + nonzeros, b.innerIndexPtr()) &&
         std::equal(a.valuePtr(), a.valuePtr() + nonzeros, b.valuePtr(),
                    [](float x, float y) { return same_bits(x, y); });
}

template <class T>
bool same_vector(const std::vector<T>& a, const std::vector<T>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!same_bits(a[i], b[i])) return false;
  }
  return true;
}

inline std::string layer_difference(const Layer* a, const Layer* b, const std::string& where) {
  if ((a == nullptr) != (b == nullptr)) return where + ": one is null";
  if (a == nullptr) return {};
  if (typeid(*a) != typeid(*b)) return where + ": different layer types";
  if (a->name != b->name) return where + ".name";
  const auto network_a = a->network.lock();
  const auto network_b = b->network.lock();
  if ((network_a == nullptr) != (network_b == nullptr)) return where + ".network: one is empty";
  if (const auto* dense_a = dynamic_cast<const Dense*>(a)) {
    const auto* dense_b = dynamic_cast<const Dense*>(b);
    if (!same_dense(dense_a->weights, dense_b->weights)) return where + ".weights";
    if (!same_dense(dense_a->bias, dense_b->bias)) return where + ".bias";
  }
  if (const auto* embedding_a = dynamic_cast<const Embedding*>(a)) {
    const auto* embedding_b = dynamic_cast<const Embedding*>(b);
    if (!same_sparse(embedding_a->table, embedding_b->table)) return where + ".table";
    if ((embedding_a->tokenizer == nullptr) != (embedding_b->tokenizer == nullptr)) return where + ".tokenizer";
  }
  return {};
}

}  // namespace detail

/// Where two models differ (e.g. "network.layers[1].weights"), or "" when they are equal: every
/// saved member bit for bit (NaNs included), and the shape of the graph (which pointers share an
/// object, where weak pointers point). Transient members are not compared.
inline std::string difference(const Model& a, const Model& b) {
  using detail::same_bits;
  if (a.name != b.name) return "name";
  const TrainingConfig& ca = a.config;
  const TrainingConfig& cb = b.config;
  if (ca.epochs != cb.epochs || !same_bits(ca.learning_rate, cb.learning_rate) || ca.optimizer != cb.optimizer ||
      ca.hidden_sizes != cb.hidden_sizes || !same_bits(ca.dropout, cb.dropout) ||
      ca.early_stopping_patience != cb.early_stopping_patience)
    return "config";
  // Bit for bit: a NaN learning rate equals itself.
  if (ca.schedule.size() != cb.schedule.size() ||
      !std::equal(ca.schedule.begin(), ca.schedule.end(), cb.schedule.begin(),
                  [](const auto& x, const auto& y) { return x.first == y.first && same_bits(x.second, y.second); }))
    return "config.schedule";

  if ((a.tokenizer == nullptr) != (b.tokenizer == nullptr)) return "tokenizer: one is null";
  if (a.tokenizer && (a.tokenizer->tokens() != b.tokenizer->tokens() || a.tokenizer->lowercase() != b.tokenizer->lowercase()))
    return "tokenizer";

  if ((a.network == nullptr) != (b.network == nullptr)) return "network: one is null";
  if (a.network) {
    const auto& la = a.network->layers;
    const auto& lb = b.network->layers;
    if (a.network->activation != b.network->activation) return "network.activation";
    if (la.size() != lb.size()) return "network.layers: sizes differ";
    for (std::size_t i = 0; i < la.size(); ++i) {
      const std::string where = "network.layers[" + std::to_string(i) + "]";
      if (std::string found = detail::layer_difference(la[i].get(), lb[i].get(), where); !found.empty()) return found;
      // The same sharing: layer i is layer j in one model exactly when it is in the other.
      for (std::size_t j = 0; j < i; ++j) {
        if ((la[i] == la[j]) != (lb[i] == lb[j])) return where + ": shared with layer " + std::to_string(j) + " in one model only";
      }
      if (la[i] && (la[i]->network.lock() == a.network) != (lb[i]->network.lock() == b.network))
        return where + ".network: does not point back at the network in one model";
      const auto* ea = dynamic_cast<const Embedding*>(la[i].get());
      const auto* eb = dynamic_cast<const Embedding*>(lb[i].get());
      if (ea && (ea->tokenizer == a.tokenizer) != (eb->tokenizer == b.tokenizer))
        return where + ".tokenizer: shared with the model's in one model only";
    }
  }
  if (std::string found = detail::layer_difference(a.head.get(), b.head.get(), "head"); !found.empty()) return found;

  if (!detail::same_dense(a.normalizer.mean, b.normalizer.mean)) return "normalizer.mean";
  if (!detail::same_dense(a.normalizer.scale, b.normalizer.scale)) return "normalizer.scale";

  const AdamState& oa = a.optimizer;
  const AdamState& ob = b.optimizer;
  if (!same_bits(oa.beta1, ob.beta1) || !same_bits(oa.beta2, ob.beta2) || !same_bits(oa.epsilon, ob.epsilon) ||
      oa.step != ob.step)
    return "optimizer";
  auto same_moments = [](const std::map<std::string, std::vector<float>>& x,
                         const std::map<std::string, std::vector<float>>& y) {
    if (x.size() != y.size()) return false;
    for (auto i = x.begin(), j = y.begin(); i != x.end(); ++i, ++j) {
      if (i->first != j->first || !detail::same_vector(i->second, j->second)) return false;
    }
    return true;
  };
  if (!same_moments(oa.first_moments, ob.first_moments)) return "optimizer.first_moments";
  if (!same_moments(oa.second_moments, ob.second_moments)) return "optimizer.second_moments";

  if (a.tags != b.tags) return "tags";
  if (!detail::same_vector(a.loss_history, b.loss_history)) return "loss_history";
  return {};
}

/// Whether two models are equal in everything that is saved (see difference()).
inline bool equal(const Model& a, const Model& b) { return difference(a, b).empty(); }

}  // namespace reference_model
