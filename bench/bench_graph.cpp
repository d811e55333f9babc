// A 10,000-node shared object graph saved and loaded by picklejar, beside plain cereal saving the
// very same types (a PICKLEJAR_FIELDS type is cereal-serializable) with its own binary archive, and
// Boost.Serialization's binary archives (boost/serialization/shared_ptr.hpp and weak_ptr.hpp, with
// free serialize functions for the same types). Everything is in memory, so the figures are the
// cost of the serialization, not of the disk. picklejar's times include its file header and
// checksum (computed on save, verified on load); cereal and Boost have neither.
//
// The graph is a 4-ary tree whose nodes point back at their parent (std::weak_ptr), plus every
// 10th node hung under a second parent as well, and a flat index of all nodes in the root: every
// node is reached through at least two shared_ptrs (index and parent), 999 through three.
//
// cereal and Boost write each node inside the first pointer they meet (depth first), so this graph
// nests about 1,200 nodes deep in their encodings. picklejar writes pointers as references and the
// objects from a queue (detail/session/object_graph.hpp), so its encoding stays flat and loads with default
// options.
//
// Counters: bytes = size of the serialized graph (picklejar's includes its header and checksum);
// nodes/s = nodes saved or loaded per second. After the table, a summary prints picklejar time /
// cereal binary time and picklejar time / Boost time, for save and for load, measured in the same
// run (medians with --benchmark_repetitions).
//
//   build/bench/bench_graph --benchmark_repetitions=5
#include <benchmark/benchmark.h>
#include <picklejar/json.hpp>
#include <picklejar/picklejar.hpp>

#include <boost/archive/binary_iarchive.hpp>
#include <boost/archive/binary_oarchive.hpp>
#include <boost/serialization/shared_ptr.hpp>
#include <boost/serialization/string.hpp>
#include <boost/serialization/vector.hpp>
#include <boost/serialization/weak_ptr.hpp>
#include <cereal/archives/binary.hpp>
#include <cereal/types/memory.hpp>
#include <cereal/types/string.hpp>
#include <cereal/types/vector.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <unordered_set>
#include <vector>

#include "bench_support.hpp"

namespace {

constexpr int node_count = 10'000;
constexpr int tree_arity = 4;
constexpr int values_per_node = 16;
constexpr int second_parent_every = 10;

struct Node {
  std::string name;
  std::vector<float> values;
  int depth = 0;
  std::vector<std::shared_ptr<Node>> children;
  std::weak_ptr<Node> parent;  // the first parent only; a weak link back up, as in a scene graph
  PICKLEJAR_FIELDS(name, values, depth, children, parent)
};

struct Graph {
  std::vector<std::shared_ptr<Node>> nodes;  // all nodes, in creation order; nodes[0] is the root
  PICKLEJAR_FIELDS(nodes)
};

}  // namespace

// Boost.Serialization's functions for the same types, as free functions in its namespace (found
// through the type of their version argument); cereal never sees them, and a class with
// PICKLEJAR_FIELDS may not have a serialize member.
namespace boost::serialization {
template <class Archive>
void serialize(Archive& archive, Node& node, const unsigned int /*version*/) {
  archive & node.name & node.values & node.depth & node.children & node.parent;
}
template <class Archive>
void serialize(Archive& archive, Graph& graph, const unsigned int /*version*/) {
  archive & graph.nodes;
}
}  // namespace boost::serialization

namespace {

int first_parent_of(int index) { return (index - 1) / tree_arity; }

// A second, earlier parent in another part of the tree, or -1. Always an earlier node, so the
// graph stays acyclic through shared_ptrs (cycles go only through the weak parent links).
int second_parent_of(int index) {
  if (index == 0 || index % second_parent_every != 0) return -1;
  const int candidate = index / 7;
  return candidate == first_parent_of(index) ? -1 : candidate;
}

float value_of(int index, int slot) { return static_cast<float>(index * values_per_node + slot) * 0.001f; }

Graph build_graph() {
  Graph graph;
  graph.nodes.reserve(node_count);
  for (int index = 0; index < node_count; ++index) {
    auto node = std::make_shared<Node>();
    node->name = "node-" + std::to_string(index);
    for (int slot = 0; slot < values_per_node; ++slot) node->values.push_back(value_of(index, slot));
    if (index > 0) {
      const auto& parent = graph.nodes[static_cast<std::size_t>(first_parent_of(index))];
      node->depth = parent->depth + 1;
      node->parent = parent;
      parent->children.push_back(node);
    }
    if (const int second = second_parent_of(index); second >= 0)
      graph.nodes[static_cast<std::size_t>(second)]->children.push_back(node);
    graph.nodes.push_back(std::move(node));
  }
  return graph;
}

const Graph& original_graph() {
  static const Graph graph = build_graph();
  return graph;
}

// How many nodes deep the depth-first encoding nests: a node is written inside the first link to
// it that the encoder meets, children first, then the weak parent link.
int encoding_nesting(const Graph& graph) {
  std::unordered_set<const Node*> written;
  int deepest = 0;
  const auto write = [&](const auto& self, const Node* node, int level) -> void {
    if (node == nullptr || !written.insert(node).second) return;
    deepest = std::max(deepest, level);
    for (const auto& child : node->children) self(self, child.get(), level + 1);
    self(self, node->parent.lock().get(), level + 1);
  };
  for (const auto& node : graph.nodes) write(write, node.get(), 1);
  return deepest;
}

// --- the serializers, each as "object -> stream" and "stream -> object" ----------------------------

void cereal_save(const Graph& graph, std::ostream& out) {
  cereal::BinaryOutputArchive archive(out);
  archive(graph);
}

void cereal_load(std::istream& in, Graph& graph) {
  cereal::BinaryInputArchive archive(in);
  archive(graph);
}

void boost_save(const Graph& graph, std::ostream& out) {
  boost::archive::binary_oarchive archive(out);
  archive << graph;
}

void boost_load(std::istream& in, Graph& graph) {
  boost::archive::binary_iarchive archive(in);
  archive >> graph;
}

using stream_save = void (*)(const Graph&, std::ostream&);
using stream_load = void (*)(std::istream&, Graph&);

std::string bytes_of(stream_save save, const Graph& graph) {
  std::ostringstream out(std::ios::binary);
  save(graph, out);
  return out.str();
}

Graph graph_from(stream_load load, const std::string& bytes) {
  std::istringstream in(bytes, std::ios::binary);
  Graph graph;
  load(in, graph);
  return graph;
}

// --- correctness, checked once before anything is timed -------------------------------------------

[[noreturn]] void fail(const std::string& who, const std::string& what) {
  std::fprintf(stderr, "bench_graph: %s: the loaded graph is wrong: %s\n", who.c_str(), what.c_str());
  std::abort();
}

// The loaded graph must have node_count distinct nodes wired exactly as the original: each child
// and parent link the very node the index holds at that position (so aliasing survived), and the
// same contents.
void verify(const std::string& who, const Graph& loaded) {
  const Graph& original = original_graph();
  if (loaded.nodes.size() != original.nodes.size())
    fail(who, std::to_string(loaded.nodes.size()) + " nodes in the index instead of " +
                  std::to_string(original.nodes.size()));
  std::map<const Node*, std::size_t> position;
  for (std::size_t i = 0; i < loaded.nodes.size(); ++i) {
    if (!loaded.nodes[i]) fail(who, "node " + std::to_string(i) + " is null");
    position.emplace(loaded.nodes[i].get(), i);
  }
  if (position.size() != loaded.nodes.size())
    fail(who, "only " + std::to_string(position.size()) + " distinct nodes: shared nodes were merged");

  const auto position_of = [&](const std::shared_ptr<Node>& node) -> long {
    const auto found = position.find(node.get());
    return found == position.end() ? -1 : static_cast<long>(found->second);
  };
  const auto original_position_of = [&](const std::shared_ptr<Node>& node) {
    return static_cast<long>(std::stoi(node->name.substr(5)));  // "node-<index>"
  };
  for (std::size_t i = 0; i < loaded.nodes.size(); ++i) {
    const Node& got = *loaded.nodes[i];
    const Node& want = *original.nodes[i];
    const std::string where = "node " + std::to_string(i) + ": ";
    if (got.name != want.name || got.values != want.values || got.depth != want.depth)
      fail(who, where + "name, values or depth differ");
    if (got.children.size() != want.children.size()) fail(who, where + "wrong number of children");
    for (std::size_t c = 0; c < got.children.size(); ++c) {
      if (position_of(got.children[c]) != original_position_of(want.children[c]))
        fail(who, where + "child " + std::to_string(c) +
                      " is a separate copy, not the node in the index (aliasing lost)");
    }
    const auto want_parent = want.parent.lock();
    const auto got_parent = got.parent.lock();
    if (static_cast<bool>(got_parent) != static_cast<bool>(want_parent) ||
        (want_parent && position_of(got_parent) != original_position_of(want_parent)))
      fail(who, where + "the weak parent link does not point at the parent node in the index");
  }
}

// Checks every round trip once, before timing. Also prints the graph's shape, so a reader sees that
// aliasing really is exercised. Every load uses default options.
void verify_all_round_trips() {
  const Graph& graph = original_graph();
  std::size_t child_links = 0;
  for (const auto& node : graph.nodes) child_links += node->children.size();
  std::printf("graph: %d nodes, %zu child links (%zu nodes have a second parent), all nodes also in "
              "a flat index; each node has a weak parent link\n",
              node_count, child_links, child_links - (node_count - 1));
  std::printf("cereal's and Boost's depth-first encodings nest %d nodes deep; picklejar's stays flat\n",
              encoding_nesting(graph));

  for (const auto format : {picklejar::format::binary, picklejar::format::portable_binary,
                            picklejar::format::json}) {
    const std::string who = std::string("picklejar ") + picklejar::to_string(format);
    try {
      verify(who, picklejar::loads<Graph>(picklejar::dumps(graph, picklejar::options(format))));
    } catch (const std::exception& failure) {
      fail(who, std::string("round trip threw: ") + failure.what());
    }
  }
  const struct {
    const char* who;
    stream_save save;
    stream_load load;
  } baselines[] = {{"cereal binary", cereal_save, cereal_load}, {"boost binary", boost_save, boost_load}};
  for (const auto& baseline : baselines) {
    try {
      verify(baseline.who, graph_from(baseline.load, bytes_of(baseline.save, graph)));
    } catch (const std::exception& failure) {
      fail(baseline.who, std::string("round trip threw: ") + failure.what());
    }
  }
  std::printf("verified: every round trip gives %d distinct nodes with sharing and parent links intact\n",
              node_count);
}

// --- the benchmarks ---------------------------------------------------------------------------------

void report(benchmark::State& state, std::size_t bytes) {
  state.counters["bytes"] = static_cast<double>(bytes);
  // Iteration-invariant rate: node_count per iteration, divided by the time.
  state.counters["nodes/s"] = benchmark::Counter(node_count, benchmark::Counter::kIsIterationInvariantRate);
}

void save_picklejar(benchmark::State& state, picklejar::format format) {
  std::size_t bytes = 0;
  for (auto _ : state) {
    std::string data = picklejar::dumps(original_graph(), picklejar::options(format));
    bytes = data.size();
    benchmark::DoNotOptimize(data.data());
  }
  report(state, bytes);
}

void load_picklejar(benchmark::State& state, picklejar::format format) {
  const std::string data = picklejar::dumps(original_graph(), picklejar::options(format));
  for (auto _ : state) {
    Graph graph = picklejar::loads<Graph>(data);
    benchmark::DoNotOptimize(graph.nodes.data());
  }  // freeing the 10,000 nodes is inside the loop for cereal and Boost too
  report(state, data.size());
}

template <stream_save save>
void save_to_stream(benchmark::State& state) {
  std::size_t bytes = 0;
  for (auto _ : state) {
    // The bytes stay in the stream: in C++17, str() would copy them, which picklejar does not do.
    std::ostringstream out(std::ios::binary);
    save(original_graph(), out);
    bytes = static_cast<std::size_t>(out.tellp());
    benchmark::DoNotOptimize(out);
  }
  report(state, bytes);
}

template <stream_save save, stream_load load>
void load_from_stream(benchmark::State& state) {
  const std::string data = bytes_of(save, original_graph());
  // One stream rewound each time, so the copy of the bytes into it is not timed (picklejar reads
  // the bytes in place).
  std::istringstream in(data, std::ios::binary);
  for (auto _ : state) {
    in.clear();
    in.seekg(0);
    Graph graph;
    load(in, graph);
    benchmark::DoNotOptimize(graph.nodes.data());
  }  // freeing the 10,000 nodes is inside the loop for every library
  report(state, data.size());
}

struct PicklejarFormat {
  const char* name;
  picklejar::format format;
};
constexpr PicklejarFormat picklejar_formats[] = {
    {"picklejar_binary", picklejar::format::binary},
    {"picklejar_portable_binary", picklejar::format::portable_binary},
    {"picklejar_json", picklejar::format::json},
};

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  verify_all_round_trips();  // aborts with a message if a round trip is broken

  // Names are "<operation>/<serializer>", which the ratio summary pairs up.
  for (const auto& [name, format] : picklejar_formats) {
    benchmark::RegisterBenchmark((std::string("save/") + name).c_str(), save_picklejar, format)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark((std::string("load/") + name).c_str(), load_picklejar, format)
        ->Unit(benchmark::kMillisecond);
  }
  benchmark::RegisterBenchmark("save/cereal_binary", save_to_stream<cereal_save>)->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("load/cereal_binary", load_from_stream<cereal_save, cereal_load>)
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("save/boost_binary", save_to_stream<boost_save>)->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("load/boost_binary", load_from_stream<boost_save, boost_load>)
      ->Unit(benchmark::kMillisecond);

  pj_bench::timing_reporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();

  // Every format against both baselines, for information; the targets (the table below) are for
  // picklejar's default format, binary.
  std::printf("\npicklejar time / baseline time, same run (medians; 1.00 = as fast as the baseline):\n");
  for (const char* operation : {"save", "load"}) {
    for (const auto& [name, format] : picklejar_formats) {
      const auto mine = reporter.seconds(std::string(operation) + "/" + name);
      const auto cereal = reporter.seconds(std::string(operation) + "/cereal_binary");
      const auto boost = reporter.seconds(std::string(operation) + "/boost_binary");
      if (!mine || !cereal || !boost) continue;  // filtered out
      std::printf("  %s %-26s %6.2f of cereal binary, %6.2f of Boost binary  (%.3f ms)\n", operation, name,
                  *mine / *cereal, *mine / *boost, *mine * 1e3);
    }
  }

  pj_bench::ratio_table table("bench_graph");
  const std::string what = "10k-node shared_ptr graph, binary, ";
  for (const char* operation : {"save", "load"}) {
    const std::string mine = std::string(operation) + "/picklejar_binary";
    table.add_times(reporter, what + operation + " vs cereal", mine, std::string(operation) + "/cereal_binary",
                    "cereal", pj_bench::ratio_at_most(1.0));
    table.add_times(reporter, what + operation + " vs Boost", mine, std::string(operation) + "/boost_binary",
                    "boost", pj_bench::faster_by(3));
  }
  table.finish();
  return 0;
}
