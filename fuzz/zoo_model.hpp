// A model made of everything the reference model is not, for the fuzz targets that must see more
// than one type: maps of variants, optional, tuple, bitset, unordered containers, a multimap, a
// deque and a list, a pointer graph whose nodes share children and point back through weak
// pointers, a from_state type (no default constructor) behind shared pointers, fixed and dynamic
// Eigen matrices and a sparse one.
//
//   zoo::Zoo zoo = zoo::make_zoo(seed);
//   std::string bytes = picklejar::dumps(zoo, {picklejar::format::xml});
//   zoo::describe(picklejar::loads<zoo::Zoo>(bytes)) == zoo::describe(zoo)
//
// describe() is the equality the fuzz targets check: every value, unordered containers in sorted
// order, and the pointer graph by the order in which objects are first met.
#pragma once

#include <picklejar/eigen.hpp>
#include <picklejar/json.hpp>
#include <picklejar/picklejar.hpp>
#include <picklejar/xml.hpp>

#include <Eigen/Core>
#include <Eigen/SparseCore>

#include <algorithm>
#include <array>
#include <bitset>
#include <cstdint>
#include <cstring>
#include <deque>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <variant>
#include <vector>

namespace zoo {

/// A plain aggregate with fields.
struct Leaf {
  int id = 0;
  std::string label;
  PICKLEJAR_FIELDS(id, label)
};

/// Built only from its state: no default constructor.
class Frozen {
 public:
  struct State {
    std::int32_t code = 0;
    std::string text;
    PICKLEJAR_FIELDS(code, text)
  };
  static Frozen from_state(State state) { return Frozen(state.code, std::move(state.text)); }
  State get_state() const { return State{code_, text_}; }
  void set_state(State state) {
    code_ = state.code;
    text_ = std::move(state.text);
  }
  Frozen(std::int32_t code, std::string text) : code_(code), text_(std::move(text)) {}
  std::int32_t code() const { return code_; }
  const std::string& text() const { return text_; }

 private:
  std::int32_t code_;
  std::string text_;
};

/// A node of a directed graph: children may be shared, parents are weak.
struct GraphNode {
  std::int64_t value = 0;
  std::vector<std::shared_ptr<GraphNode>> children;
  std::weak_ptr<GraphNode> parent;
  PICKLEJAR_FIELDS(value, children, parent)
};

using Setting = std::variant<std::int64_t, double, std::string, std::vector<float>, bool>;

struct Zoo {
  std::map<std::string, Setting> settings;
  std::optional<std::array<std::int16_t, 3>> maybe;
  std::optional<std::string> nothing;
  std::tuple<int, std::string, double> triple{0, "", 0.0};
  std::bitset<70> flags;
  std::unordered_map<std::string, std::int32_t> counts;
  std::unordered_set<std::int64_t> ids;
  std::multimap<int, std::string> tags;
  std::set<std::pair<int, int>> edges;
  std::deque<Leaf> leaves;
  std::list<std::uint8_t> bytes;
  std::unique_ptr<Leaf> owned;
  std::shared_ptr<GraphNode> graph;
  std::vector<std::shared_ptr<Frozen>> frozen;  // the same Frozen may appear twice
  Eigen::MatrixXd dense;
  Eigen::Matrix<float, 3, 2> fixed = Eigen::Matrix<float, 3, 2>::Zero();
  Eigen::Array<std::int32_t, Eigen::Dynamic, 1> counters;
  Eigen::SparseMatrix<double> sparse;
  PICKLEJAR_FIELDS(settings, maybe, nothing, triple, flags, counts, ids, tags, edges, leaves, bytes, owned,
                   graph, frozen, dense, fixed, counters, sparse)
};

/// A zoo whose sizes and values vary with `seed` (0 gives the smallest non-empty one).
inline Zoo make_zoo(unsigned seed) {
  Zoo zoo;
  const int n = 1 + static_cast<int>(seed % 5);
  zoo.settings["lr"] = 0.001 * (seed + 1);
  zoo.settings["name"] = std::string("run-") + std::to_string(seed);
  zoo.settings["steps"] = std::int64_t{1000} * n;
  zoo.settings["widths"] = std::vector<float>(static_cast<std::size_t>(n), 0.5f);
  zoo.settings["on"] = (seed % 2) == 0;
  if (seed % 3 != 1) zoo.maybe = std::array<std::int16_t, 3>{1, -2, static_cast<std::int16_t>(seed)};
  zoo.triple = {n, "three", -1.5};
  zoo.flags.set(0).set(69).set(static_cast<std::size_t>(seed % 70));
  for (int i = 0; i < n; ++i) {
    zoo.counts["k" + std::to_string(i)] = i * 7;
    zoo.ids.insert(std::int64_t{1} << (i * 9));
    zoo.tags.emplace(i % 2, "tag" + std::to_string(i));
    zoo.edges.insert({i, i + 1});
    zoo.leaves.push_back(Leaf{i, std::string(static_cast<std::size_t>(i), 'x')});
    zoo.bytes.push_back(static_cast<std::uint8_t>(250 + i));
  }
  if (seed % 2 == 0) zoo.owned = std::make_unique<Leaf>(Leaf{42, "owned"});

  // A diamond with a back-edge: root -> a, b; a -> shared; b -> shared; shared's parent is a.
  auto root = std::make_shared<GraphNode>();
  root->value = 1;
  auto a = std::make_shared<GraphNode>();
  auto b = std::make_shared<GraphNode>();
  auto shared = std::make_shared<GraphNode>();
  a->value = 2;
  b->value = 3;
  shared->value = static_cast<std::int64_t>(seed) - 4;
  a->parent = root;
  b->parent = root;
  shared->parent = a;
  a->children.push_back(shared);
  b->children.push_back(shared);
  root->children = {a, b};
  zoo.graph = root;

  auto frozen = std::make_shared<Frozen>(7, "f\xc3\xa9");
  zoo.frozen = {frozen, std::make_shared<Frozen>(-1, ""), frozen};

  zoo.dense = Eigen::MatrixXd::Constant(n, 2, 0.25);
  zoo.dense(0, 1) = -3.0;
  zoo.fixed(2, 1) = 9.5f;
  zoo.counters = Eigen::Array<std::int32_t, Eigen::Dynamic, 1>::LinSpaced(n, 0, n * 3);
  zoo.sparse.resize(4, 5);
  zoo.sparse.insert(0, 0) = 1.0;
  zoo.sparse.insert(3, static_cast<Eigen::Index>(seed % 5)) = -2.0;
  zoo.sparse.makeCompressed();
  return zoo;
}

namespace describing {

inline void put(std::string& out, const std::string& s) { out += std::to_string(s.size()) + ":" + s + ";"; }

template <class Number>
void put_number(std::string& out, Number value) {
  char bytes[sizeof(Number)];
  std::memcpy(bytes, &value, sizeof(Number));  // bit-exact, NaN and -0.0 included
  out += std::string(bytes, sizeof(Number)) + ";";
}

inline void put_graph(std::string& out, const std::shared_ptr<GraphNode>& node,
                      std::map<const GraphNode*, std::size_t>& seen) {
  // An explicit stack: a hostile file's chain must not overflow ours either.
  std::vector<std::shared_ptr<GraphNode>> pending{node};
  while (!pending.empty()) {
    std::shared_ptr<GraphNode> current = pending.back();
    pending.pop_back();
    if (!current) {
      out += "null;";
      continue;
    }
    auto [where, fresh] = seen.emplace(current.get(), seen.size());
    out += "#" + std::to_string(where->second) + ";";
    if (!fresh) continue;
    put_number(out, current->value);
    const std::shared_ptr<GraphNode> parent = current->parent.lock();
    const auto parent_at = parent ? seen.find(parent.get()) : seen.end();
    out += parent ? (parent_at != seen.end() ? "^" + std::to_string(parent_at->second) : "^?") : "^-";
    out += "[" + std::to_string(current->children.size()) + "]";
    for (auto child = current->children.rbegin(); child != current->children.rend(); ++child)
      pending.push_back(*child);
  }
}

}  // namespace describing

/// Every value of `zoo` as one string: equal strings, equal zoos.
inline std::string describe(const Zoo& zoo) {
  using namespace describing;
  std::string out;
  for (const auto& [key, setting] : zoo.settings) {
    put(out, key);
    out += std::to_string(setting.index()) + "=";
    std::visit(
        [&](const auto& value) {
          using V = std::decay_t<decltype(value)>;
          if constexpr (std::is_same_v<V, std::string>) put(out, value);
          else if constexpr (std::is_same_v<V, std::vector<float>>) {
            for (float f : value) put_number(out, f);
          } else put_number(out, value);
        },
        setting);
  }
  out += zoo.maybe ? "maybe;" : "none;";
  if (zoo.maybe)
    for (auto v : *zoo.maybe) put_number(out, v);
  out += zoo.nothing ? "s:" + *zoo.nothing : "none";
  put_number(out, std::get<0>(zoo.triple));
  put(out, std::get<1>(zoo.triple));
  put_number(out, std::get<2>(zoo.triple));
  put(out, zoo.flags.to_string());
  const std::map<std::string, std::int32_t> counts(zoo.counts.begin(), zoo.counts.end());
  for (const auto& [key, value] : counts) {
    put(out, key);
    put_number(out, value);
  }
  const std::set<std::int64_t> ids(zoo.ids.begin(), zoo.ids.end());
  for (auto id : ids) put_number(out, id);
  for (const auto& [key, value] : zoo.tags) {
    put_number(out, key);
    put(out, value);
  }
  for (const auto& [from, to] : zoo.edges) {
    put_number(out, from);
    put_number(out, to);
  }
  for (const Leaf& leaf : zoo.leaves) {
    put_number(out, leaf.id);
    put(out, leaf.label);
  }
  for (auto byte : zoo.bytes) put_number(out, byte);
  out += zoo.owned ? "owned:" + std::to_string(zoo.owned->id) + zoo.owned->label : "unowned";
  std::map<const GraphNode*, std::size_t> seen;
  put_graph(out, zoo.graph, seen);
  std::map<const Frozen*, std::size_t> frozen_seen;
  for (const auto& frozen : zoo.frozen) {
    if (!frozen) {
      out += "null;";
      continue;
    }
    auto [where, fresh] = frozen_seen.emplace(frozen.get(), frozen_seen.size());
    out += "@" + std::to_string(where->second);
    if (fresh) {
      put_number(out, frozen->code());
      put(out, frozen->text());
    }
  }
  auto put_matrix = [&](const auto& m) {
    out += std::to_string(m.rows()) + "x" + std::to_string(m.cols()) + ";";
    for (Eigen::Index j = 0; j < m.cols(); ++j)
      for (Eigen::Index i = 0; i < m.rows(); ++i) put_number(out, m(i, j));
  };
  put_matrix(zoo.dense);
  put_matrix(zoo.fixed);
  put_matrix(zoo.counters);
  out += std::to_string(zoo.sparse.rows()) + "x" + std::to_string(zoo.sparse.cols()) + ";";
  for (int k = 0; k < zoo.sparse.outerSize(); ++k)
    for (Eigen::SparseMatrix<double>::InnerIterator it(zoo.sparse, k); it; ++it) {
      put_number(out, it.row());
      put_number(out, it.col());
      put_number(out, it.value());
    }
  return out;
}

}  // namespace zoo
