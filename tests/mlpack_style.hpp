// Models written the way mlpack 4 writes them (cereal only, no picklejar): serialize functions
// that ask which cereal archive they are in, a polymorphic layer hierarchy registered with
// CEREAL_REGISTER_TYPE (in the test file), load_and_construct, versioned minimal serialization,
// a private default constructor reached through cereal::access. mlpack itself is not packaged
// here; these reproduce what its serialization code relies on.
#pragma once

#include <cereal/archives/binary.hpp>
#include <cereal/archives/json.hpp>
#include <cereal/archives/portable_binary.hpp>
#include <cereal/archives/xml.hpp>
#include <cereal/cereal.hpp>
#include <cereal/types/base_class.hpp>
#include <cereal/types/memory.hpp>
#include <cereal/types/polymorphic.hpp>
#include <cereal/types/string.hpp>
#include <cereal/types/vector.hpp>

#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

namespace mlpack_style {

/// mlpack's test: "loading" means "one of cereal's own input archives" (core/cereal/is_loading.hpp).
template <class Archive>
constexpr bool is_loading() {
  return std::is_same_v<Archive, cereal::BinaryInputArchive> ||
         std::is_same_v<Archive, cereal::PortableBinaryInputArchive> ||
         std::is_same_v<Archive, cereal::JSONInputArchive> || std::is_same_v<Archive, cereal::XMLInputArchive>;
}

/// Like an Armadillo matrix: sized on load only when the archive says it is loading.
struct Matrix {
  std::uint64_t rows = 0, cols = 0;
  std::vector<double> values;
  double at(std::size_t r, std::size_t c) const { return values.at(c * rows + r); }

  template <class Archive>
  void serialize(Archive& ar) {
    ar(CEREAL_NVP(rows), CEREAL_NVP(cols));
    if (is_loading<Archive>()) values.assign(rows * cols, 0.0);
    for (std::size_t i = 0; i < rows * cols; ++i) ar(cereal::make_nvp("v", values.at(i)));
  }
};

inline Matrix make_matrix(std::uint64_t rows, std::uint64_t cols, double seed) {
  Matrix m{rows, cols, {}};
  for (std::size_t i = 0; i < rows * cols; ++i) m.values.push_back(std::sin(seed + 0.37 * static_cast<double>(i)) / 3.0);
  return m;
}

/// LinearRegression-like: the intercept flag and weights, versioned serialize.
class LinearRegression {
 public:
  LinearRegression() = default;
  explicit LinearRegression(double seed) : parameters_(make_matrix(4, 1, seed)), intercept_(true), lambda_(0.25) {}
  double predict(const std::vector<double>& x) const {
    if (parameters_.values.empty()) throw std::logic_error("LinearRegression: not trained");
    double sum = intercept_ ? parameters_.at(0, 0) : 0.0;
    for (std::size_t i = 0; i + 1 < parameters_.rows && i < x.size(); ++i) sum += parameters_.at(i + 1, 0) * x[i];
    return sum;
  }
  template <class Archive>
  void serialize(Archive& ar, const std::uint32_t /* version */) {
    ar(cereal::make_nvp("parameters", parameters_), cereal::make_nvp("lambda", lambda_),
       cereal::make_nvp("intercept", intercept_));
  }

 private:
  Matrix parameters_;
  bool intercept_ = false;
  double lambda_ = 0;
};

/// DecisionTree-like: a recursive tree of children held by unique_ptr, with a split per node.
class DecisionTree {
 public:
  DecisionTree() = default;
  DecisionTree(int depth, double seed) : split_(std::sin(seed)), label_(static_cast<int>(seed * 10) % 3) {
    if (depth > 0) {
      children_.push_back(std::make_unique<DecisionTree>(depth - 1, seed * 1.7 + 0.1));
      children_.push_back(std::make_unique<DecisionTree>(depth - 1, seed * 0.3 - 0.2));
    }
  }
  int predict(double x) const {
    if (children_.empty()) return label_;
    return children_[x < split_ ? 0 : 1]->predict(x);
  }
  template <class Archive>
  void serialize(Archive& ar) {
    if (is_loading<Archive>()) children_.clear();  // mlpack frees the old children first
    ar(CEREAL_NVP(split_), CEREAL_NVP(label_), CEREAL_NVP(children_));
  }

 private:
  double split_ = 0;
  int label_ = -1;
  std::vector<std::unique_ptr<DecisionTree>> children_;
};

// ---- a polymorphic layer hierarchy, registered with CEREAL_REGISTER_TYPE in the test file ----

class Layer {
 public:
  virtual ~Layer() = default;
  virtual std::vector<double> forward(const std::vector<double>& in) const = 0;
  template <class Archive>
  void serialize(Archive&) {}
};

class Linear : public Layer {
 public:
  Linear() = default;
  Linear(std::uint64_t in, std::uint64_t out, double seed) : weights_(make_matrix(out, in, seed)) {}
  std::vector<double> forward(const std::vector<double>& in) const override {
    std::vector<double> out(weights_.rows, 0.0);
    for (std::size_t r = 0; r < weights_.rows; ++r)
      for (std::size_t c = 0; c < weights_.cols && c < in.size(); ++c) out[r] += weights_.at(r, c) * in[c];
    return out;
  }
  template <class Archive>
  void serialize(Archive& ar) {
    ar(cereal::base_class<Layer>(this), CEREAL_NVP(weights_));
  }

 private:
  Matrix weights_;
};

class ReLU : public Layer {
 public:
  std::vector<double> forward(const std::vector<double>& in) const override {
    std::vector<double> out(in);
    for (double& v : out) v = v > 0 ? v : 0;
    return out;
  }
  template <class Archive>
  void serialize(Archive& ar) {
    ar(cereal::base_class<Layer>(this));
  }
};

class LogSoftMax : public Layer {
 public:
  std::vector<double> forward(const std::vector<double>& in) const override {
    double total = 0;
    for (double v : in) total += std::exp(v);
    std::vector<double> out(in);
    for (double& v : out) v -= std::log(total);
    return out;
  }
  template <class Archive>
  void serialize(Archive& ar) {
    ar(cereal::base_class<Layer>(this));
  }
};

/// FFN-like: owns its layers through pointers to the base.
class FFN {
 public:
  void add(std::unique_ptr<Layer> layer) { network_.push_back(std::move(layer)); }
  std::vector<double> predict(std::vector<double> x) const {
    if (network_.empty()) throw std::logic_error("FFN: no layers");
    for (const auto& layer : network_) x = layer->forward(x);
    return x;
  }
  template <class Archive>
  void serialize(Archive& ar) {
    if (is_loading<Archive>()) network_.clear();
    ar(CEREAL_NVP(network_));
  }

 private:
  std::vector<std::unique_ptr<Layer>> network_;
};

inline FFN make_ffn() {
  FFN net;
  net.add(std::make_unique<Linear>(3, 5, 0.5));
  net.add(std::make_unique<ReLU>());
  net.add(std::make_unique<Linear>(5, 2, 1.5));
  net.add(std::make_unique<LogSoftMax>());
  return net;
}

/// Built by load_and_construct: no default constructor at all.
class Constructed {
 public:
  Constructed(int id, double scale) : id_(id), scale_(scale) {}
  int id() const { return id_; }
  double scale() const { return scale_; }
  template <class Archive>
  void serialize(Archive& ar) {
    ar(CEREAL_NVP(id_), CEREAL_NVP(scale_));
  }
  template <class Archive>
  static void load_and_construct(Archive& ar, cereal::construct<Constructed>& construct) {
    int id = 0;
    double scale = 0;
    ar(id, scale);
    construct(id, scale);
  }

 private:
  int id_;
  double scale_;
};

/// A private default constructor that only cereal reaches.
class PrivatelyBuilt {
 public:
  static PrivatelyBuilt make(std::string name) {
    PrivatelyBuilt built;
    built.name_ = std::move(name);
    return built;
  }
  const std::string& name() const { return name_; }

 private:
  PrivatelyBuilt() = default;
  friend class cereal::access;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(CEREAL_NVP(name_));
  }
  std::string name_;
};

/// Versioned minimal serialization: a value cereal writes as a single leaf with a class version.
struct Temperature {
  double kelvin = 0;
  template <class Archive>
  double save_minimal(const Archive&, const std::uint32_t version) const {
    return version >= 2 ? kelvin : kelvin - 273.15;
  }
  template <class Archive>
  void load_minimal(const Archive&, const double& value, const std::uint32_t version) {
    kelvin = version >= 2 ? value : value + 273.15;
  }
};

/// Its load reads less than its save wrote: an error wherever it is loaded.
struct ReadsFewer {
  int kept = 0;
  int dropped = 0;
  template <class Archive>
  void save(Archive& ar) const {
    ar(CEREAL_NVP(kept), CEREAL_NVP(dropped));
  }
  template <class Archive>
  void load(Archive& ar) {
    ar(CEREAL_NVP(kept));
  }
};

}  // namespace mlpack_style

CEREAL_CLASS_VERSION(mlpack_style::LinearRegression, 1)
CEREAL_CLASS_VERSION(mlpack_style::Temperature, 2)
