// 100,000 small structs {int, float, 16-character std::string, std::array<float, 8>} in a
// std::vector, saved and loaded in binary, in memory, by picklejar and by the two libraries people
// compare it with, in the same run (issue 5, the small-object target):
//
//   save/picklejar   picklejar::dumps(items): the bytes of a picklejar file (header, checksum)
//   save/cereal      cereal::BinaryOutputArchive over a std::ostringstream; the bytes stay in the
//                    stream (calling str() would copy them once more, which dumps does not do)
//   save/boost       boost::archive::binary_oarchive over a std::ostringstream, likewise
//   load/picklejar   picklejar::loads<std::vector<Item>>(bytes): a new vector
//   load/cereal      cereal::BinaryInputArchive from a std::istringstream into a new vector; one
//                    stream, rewound each time, so copying the bytes into it is not timed
//   load/boost       boost::archive::binary_iarchive, likewise
//
// picklejar saves `Item`, declared with PICKLEJAR_FIELDS; cereal and Boost save `PlainItem`, the
// same members with each library's own serialize function (a class with PICKLEJAR_FIELDS may not
// also have a cereal serialize member). Boost is used as its documentation shows, with its default
// class settings (class information written once, object tracking on for class types saved by
// value only if they are also saved through pointers somewhere, which these are not).
//
// bitsery and zpp_bits are not in Debian, so they are not measured here; their published ratios
// to cereal and Boost are printed beside ours (see bench/README.md for the source).
//
//   build/bench/bench_small_structs --benchmark_repetitions=5
#include <benchmark/benchmark.h>
#include <picklejar/picklejar.hpp>

#include <boost/archive/binary_iarchive.hpp>
#include <boost/archive/binary_oarchive.hpp>
#include <boost/serialization/array.hpp>
#include <boost/serialization/string.hpp>
#include <boost/serialization/vector.hpp>
#include <cereal/archives/binary.hpp>
#include <cereal/types/array.hpp>
#include <cereal/types/string.hpp>
#include <cereal/types/vector.hpp>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "bench_support.hpp"

namespace {

constexpr int item_count = 100'000;

struct Item {
  int id = 0;
  float weight = 0;
  std::string name;  // 16 characters: longer than libstdc++'s short-string buffer, so on the heap
  std::array<float, 8> features{};
  PICKLEJAR_FIELDS(id, weight, name, features)
};

struct PlainItem {
  int id = 0;
  float weight = 0;
  std::string name;
  std::array<float, 8> features{};

  template <class Archive>
  void serialize(Archive& archive) {  // cereal's
    archive(id, weight, name, features);
  }
};

}  // namespace

// Boost's, as a free function in its namespace (found through its version argument's type), so
// that cereal, which would also accept a three-argument serialize found next to the type, does not
// see two functions.
namespace boost::serialization {
template <class Archive>
void serialize(Archive& archive, PlainItem& item, const unsigned int /*version*/) {
  archive & item.id & item.weight & item.name & item.features;
}
}  // namespace boost::serialization

namespace {

template <class T>
std::vector<T> make_items() {
  std::vector<T> items(item_count);
  for (int i = 0; i < item_count; ++i) {
    T& item = items[static_cast<std::size_t>(i)];
    item.id = i;
    item.weight = static_cast<float>(i) * 0.25f;
    char name[32];
    std::snprintf(name, sizeof name, "item-%011d", i);  // 16 characters
    item.name = name;
    for (std::size_t f = 0; f < item.features.size(); ++f) item.features[f] = static_cast<float>(i) + 0.125f * f;
  }
  return items;
}

const std::vector<Item>& items() {
  static const std::vector<Item> value = make_items<Item>();
  return value;
}
const std::vector<PlainItem>& plain_items() {
  static const std::vector<PlainItem> value = make_items<PlainItem>();
  return value;
}

// --- the three serializers, as "items -> bytes" and "bytes -> items" ------------------------------

void cereal_save(std::ostream& out) {
  cereal::BinaryOutputArchive archive(out);
  archive(plain_items());
}
void cereal_load(std::istream& in, std::vector<PlainItem>& loaded) {
  cereal::BinaryInputArchive archive(in);
  archive(loaded);
}
void boost_save(std::ostream& out) {
  boost::archive::binary_oarchive archive(out);
  archive << plain_items();
}
void boost_load(std::istream& in, std::vector<PlainItem>& loaded) {
  boost::archive::binary_iarchive archive(in);
  archive >> loaded;
}

template <class Save>
std::string bytes_of(Save save) {
  std::ostringstream out(std::ios::binary);
  save(out);
  return out.str();
}

// --- correctness, checked once before anything is timed -------------------------------------------

template <class T>
void verify(const char* who, const std::vector<T>& loaded) {
  const std::vector<Item>& original = items();
  bool same = loaded.size() == original.size();
  for (std::size_t i = 0; same && i < loaded.size(); ++i) {
    same = loaded[i].id == original[i].id && loaded[i].weight == original[i].weight &&
           loaded[i].name == original[i].name && loaded[i].features == original[i].features;
  }
  if (!same) {
    std::fprintf(stderr, "bench_small_structs: %s: the loaded items differ from the saved ones\n", who);
    std::abort();
  }
}

void verify_all_round_trips() {
  verify("picklejar", picklejar::loads<std::vector<Item>>(picklejar::dumps(items())));
  {
    std::istringstream in(bytes_of(cereal_save), std::ios::binary);
    std::vector<PlainItem> loaded;
    cereal_load(in, loaded);
    verify("cereal", loaded);
  }
  {
    std::istringstream in(bytes_of(boost_save), std::ios::binary);
    std::vector<PlainItem> loaded;
    boost_load(in, loaded);
    verify("boost", loaded);
  }
}

// --- the benchmarks ---------------------------------------------------------------------------------

void report(benchmark::State& state, std::size_t bytes) {
  state.counters["bytes"] = static_cast<double>(bytes);
  state.counters["items/s"] = benchmark::Counter(item_count, benchmark::Counter::kIsIterationInvariantRate);
}

void save_picklejar(benchmark::State& state) {
  std::size_t bytes = 0;
  for (auto _ : state) {
    std::string data = picklejar::dumps(items());
    bytes = data.size();
    benchmark::DoNotOptimize(data.data());
  }
  report(state, bytes);
}

template <void (*save)(std::ostream&)>
void save_to_stream(benchmark::State& state) {
  std::size_t bytes = 0;
  for (auto _ : state) {
    std::ostringstream out(std::ios::binary);
    save(out);
    bytes = static_cast<std::size_t>(out.tellp());
    benchmark::DoNotOptimize(out);
  }
  report(state, bytes);
}

void load_picklejar(benchmark::State& state) {
  const std::string data = picklejar::dumps(items());
  for (auto _ : state) {
    std::vector<Item> loaded = picklejar::loads<std::vector<Item>>(data);
    benchmark::DoNotOptimize(loaded.data());
  }  // freeing the vector is inside the loop for every library
  report(state, data.size());
}

template <void (*save)(std::ostream&), void (*load)(std::istream&, std::vector<PlainItem>&)>
void load_from_stream(benchmark::State& state) {
  const std::string data = bytes_of(save);
  std::istringstream in(data, std::ios::binary);
  for (auto _ : state) {
    in.clear();
    in.seekg(0);
    std::vector<PlainItem> loaded;
    load(in, loaded);
    benchmark::DoNotOptimize(loaded.data());
  }
  report(state, data.size());
}

// Published figures of the libraries not in Debian: fraillt/cpp_serializers_benchmark, README at
// commit a4c0ebfb083c3b07ad16adc4301c9d7a7951f46e (2022-01-01), table "GCC 11 (Ubuntu 20.04 x64)",
// test case "general": total time of 300,000 samples of serializing / deserializing 50 "Monster"
// objects (strings, vectors, nested structs). Milliseconds.
struct published_figures {
  const char* library;
  double save_ms, load_ms;
};
constexpr published_figures published[] = {
    {"bitsery", 1470, 1524},
    {"zpp_bits", 733, 693},
    {"cereal", 10777, 9088},
    {"boost", 15126, 12724},
};

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  verify_all_round_trips();  // aborts with a message if a round trip is broken
  std::printf("items: %d structs {int, float, 16-char string, 8 floats}; every round trip verified\n", item_count);

  benchmark::RegisterBenchmark("save/picklejar", save_picklejar)->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("save/cereal", save_to_stream<cereal_save>)->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("save/boost", save_to_stream<boost_save>)->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("load/picklejar", load_picklejar)->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("load/cereal", load_from_stream<cereal_save, cereal_load>)
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("load/boost", load_from_stream<boost_save, boost_load>)->Unit(benchmark::kMillisecond);

  pj_bench::timing_reporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();

  pj_bench::ratio_table table("bench_small_structs");
  const std::string what = "100k small structs, binary, ";
  table.add_times(reporter, what + "save vs cereal", "save/picklejar", "save/cereal", "cereal",
                  pj_bench::faster_by(1.5));
  table.add_times(reporter, what + "load vs cereal", "load/picklejar", "load/cereal", "cereal",
                  pj_bench::ratio_at_most(1.0));
  table.add_times(reporter, what + "save vs Boost", "save/picklejar", "save/boost", "boost", pj_bench::faster_by(2));
  table.add_times(reporter, what + "load vs Boost", "load/picklejar", "load/boost", "boost", pj_bench::faster_by(2));
  // The published ratios, beside ours: the same ratio (library / baseline, save/load), measured
  // on other data and another machine.
  const published_figures& cereal = published[2];
  const published_figures& boost = published[3];
  for (const published_figures& library : {published[0], published[1]}) {
    for (const published_figures* baseline : {&cereal, &boost}) {
      table.add_text(std::string("published [1]: ") + library.library + " vs " + baseline->library + ", save/load",
                     library.library + pj_bench::printed(" %.0f", library.save_ms) +
                         pj_bench::printed("/%.0f ms", library.load_ms),
                     baseline->library + pj_bench::printed(" %.0f", baseline->save_ms) +
                         pj_bench::printed("/%.0f ms", baseline->load_ms),
                     pj_bench::printed("%.2f", library.save_ms / baseline->save_ms) +
                         pj_bench::printed("/%.2f", library.load_ms / baseline->load_ms),
                     "published");
    }
  }
  table.finish();
  std::printf("[1] fraillt/cpp_serializers_benchmark, README at commit a4c0ebf (2022), GCC 11 table, test case "
              "\"general\": 50 \"Monster\" objects, 300,000 samples; other data, other machine.\n");
  return 0;
}
