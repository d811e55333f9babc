// JSON (issue 5: "a 1,000-field config saves and loads in under 1 ms; report MB/s for a 1M-float
// matrix"), in memory, beside cereal's JSON archives on the same data in the same run:
//
//   config_save/picklejar   picklejar::dumps(config, {format::json}) of a config of 1,000 scalar
//                           fields: 20 sections of 50 fields each (13 int, 13 double, 12
//                           std::string, 12 bool), declared with PICKLEJAR_FIELDS
//   config_load/picklejar   picklejar::loads<Config>(text): a new config, checksum verified
//   config_save/cereal      cereal::JSONOutputArchive over a std::ostringstream, of the same
//                           members with a cereal serialize function (names as keys)
//   config_load/cereal      cereal::JSONInputArchive from a std::istringstream (rewound each time)
//   matrix_save/...         the same for a 1000 x 1000 Eigen::MatrixXf (1M floats, 4 MB of float
//   matrix_load/...         data); cereal's side writes the shape and the numbers with a
//                           hand-written save/load, as a cereal user would (cereal has no Eigen
//                           support)
//
// picklejar's JSON carries a header and a checksum; cereal's does not. MB/s in the table are
// megabytes of float data (4 bytes a number) per second, the same basis for both libraries; the
// sizes of the texts are the `bytes` counters.
//
//   build/bench/bench_json --benchmark_repetitions=5
#include <benchmark/benchmark.h>
#include <picklejar/eigen.hpp>
#include <picklejar/json.hpp>
#include <picklejar/picklejar.hpp>

#include <cereal/archives/json.hpp>
#include <cereal/types/string.hpp>

#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>

#include "bench_support.hpp"

namespace {

// --- the config: 20 sections x 50 fields ---------------------------------------------------------

// The members of a section, once for both libraries: X(type, name).
#define PJ_BENCH_SECTION_MEMBERS(X)                                                                 \
  X(int, i00) X(int, i01) X(int, i02) X(int, i03) X(int, i04) X(int, i05) X(int, i06) X(int, i07)   \
  X(int, i08) X(int, i09) X(int, i10) X(int, i11) X(int, i12)                                       \
  X(double, d00) X(double, d01) X(double, d02) X(double, d03) X(double, d04) X(double, d05)         \
  X(double, d06) X(double, d07) X(double, d08) X(double, d09) X(double, d10) X(double, d11)         \
  X(double, d12)                                                                                    \
  X(std::string, s00) X(std::string, s01) X(std::string, s02) X(std::string, s03)                   \
  X(std::string, s04) X(std::string, s05) X(std::string, s06) X(std::string, s07)                   \
  X(std::string, s08) X(std::string, s09) X(std::string, s10) X(std::string, s11)                   \
  X(bool, b00) X(bool, b01) X(bool, b02) X(bool, b03) X(bool, b04) X(bool, b05) X(bool, b06)        \
  X(bool, b07) X(bool, b08) X(bool, b09) X(bool, b10) X(bool, b11)

#define PJ_BENCH_DECLARE(type, name) type name{};
#define PJ_BENCH_CEREAL_NVP(type, name) archive(cereal::make_nvp(#name, name));
#define PJ_BENCH_FILL(type, name) fill(section.name, seed++);
#define PJ_BENCH_EQUAL(type, name) &&a.name == b.name

struct Section {
  PJ_BENCH_SECTION_MEMBERS(PJ_BENCH_DECLARE)
  PICKLEJAR_FIELDS(i00, i01, i02, i03, i04, i05, i06, i07, i08, i09, i10, i11, i12,
                   d00, d01, d02, d03, d04, d05, d06, d07, d08, d09, d10, d11, d12,
                   s00, s01, s02, s03, s04, s05, s06, s07, s08, s09, s10, s11,
                   b00, b01, b02, b03, b04, b05, b06, b07, b08, b09, b10, b11)
};

struct CerealSection {
  PJ_BENCH_SECTION_MEMBERS(PJ_BENCH_DECLARE)
  template <class Archive>
  void serialize(Archive& archive) {
    PJ_BENCH_SECTION_MEMBERS(PJ_BENCH_CEREAL_NVP)
  }
};

#define PJ_BENCH_CONFIG_SECTIONS(X)                                                                 \
  X(SectionType, net) X(SectionType, optimizer) X(SectionType, schedule) X(SectionType, data)      \
  X(SectionType, augment) X(SectionType, loss) X(SectionType, metrics) X(SectionType, logging)    \
  X(SectionType, checkpoint) X(SectionType, eval) X(SectionType, export_) X(SectionType, hardware)\
  X(SectionType, distributed) X(SectionType, tokenizer) X(SectionType, embedding)                 \
  X(SectionType, attention) X(SectionType, decoder) X(SectionType, sampler) X(SectionType, cache) \
  X(SectionType, misc)

struct Config {
  using SectionType = Section;
  PJ_BENCH_CONFIG_SECTIONS(PJ_BENCH_DECLARE)
  PICKLEJAR_FIELDS(net, optimizer, schedule, data, augment, loss, metrics, logging, checkpoint, eval, export_,
                   hardware, distributed, tokenizer, embedding, attention, decoder, sampler, cache, misc)
};

struct CerealConfig {
  using SectionType = CerealSection;
  PJ_BENCH_CONFIG_SECTIONS(PJ_BENCH_DECLARE)
  template <class Archive>
  void serialize(Archive& archive) {
    PJ_BENCH_CONFIG_SECTIONS(PJ_BENCH_CEREAL_NVP)
  }
};

constexpr int config_fields = 20 * 50;

void fill(int& value, int seed) { value = seed * 37 - 5000; }
void fill(double& value, int seed) { value = seed * 0.0173 + 1.0 / (seed + 3); }  // not short in decimal
void fill(std::string& value, int seed) { value = "value-" + std::to_string(seed); }
void fill(bool& value, int seed) { value = seed % 3 == 0; }

template <class Section>
void fill_section(Section& section, int seed) {
  PJ_BENCH_SECTION_MEMBERS(PJ_BENCH_FILL)
}

template <class Config>
Config make_config() {
  Config config;
  int section_index = 0;
#define PJ_BENCH_FILL_SECTION(type, name) fill_section(config.name, 1000 * section_index++);
  PJ_BENCH_CONFIG_SECTIONS(PJ_BENCH_FILL_SECTION)
#undef PJ_BENCH_FILL_SECTION
  return config;
}

template <class A, class B>
bool same_section(const A& a, const B& b) {
  return true PJ_BENCH_SECTION_MEMBERS(PJ_BENCH_EQUAL);
}

template <class A, class B>
bool same_config(const A& a, const B& b) {
#define PJ_BENCH_SAME_SECTION(type, name) &&same_section(a.name, b.name)
  return true PJ_BENCH_CONFIG_SECTIONS(PJ_BENCH_SAME_SECTION);
#undef PJ_BENCH_SAME_SECTION
}

const Config& config() {
  static const Config value = make_config<Config>();
  return value;
}
const CerealConfig& cereal_config() {
  static const CerealConfig value = make_config<CerealConfig>();
  return value;
}

// --- the matrix: 1000 x 1000 floats -------------------------------------------------------------

constexpr Eigen::Index matrix_side = 1000;
constexpr double matrix_float_bytes = double(matrix_side) * matrix_side * sizeof(float);

const Eigen::MatrixXf& matrix() {
  static const Eigen::MatrixXf value = Eigen::MatrixXf::Random(matrix_side, matrix_side);
  return value;
}

/// cereal's side: the shape, then the numbers as a JSON array, with cereal's own calls.
struct CerealMatrix {
  Eigen::MatrixXf value;

  template <class Archive>
  void save(Archive& archive) const {
    archive(cereal::make_nvp("rows", static_cast<std::int64_t>(value.rows())),
            cereal::make_nvp("cols", static_cast<std::int64_t>(value.cols())));
    archive.setNextName("data");
    archive.startNode();
    archive.makeArray();
    for (Eigen::Index i = 0; i < value.size(); ++i) archive(value.data()[i]);
    archive.finishNode();
  }

  template <class Archive>
  void load(Archive& archive) {
    std::int64_t rows = 0, cols = 0;
    archive(cereal::make_nvp("rows", rows), cereal::make_nvp("cols", cols));
    value.resize(static_cast<Eigen::Index>(rows), static_cast<Eigen::Index>(cols));
    archive.setNextName("data");
    archive.startNode();
    for (Eigen::Index i = 0; i < value.size(); ++i) archive(value.data()[i]);
    archive.finishNode();
  }
};

// --- cereal, as "object -> text" and "text -> object" -------------------------------------------

template <class T>
void cereal_save(const T& object, std::ostream& out) {
  cereal::JSONOutputArchive archive(out);  // writes the document when it goes out of scope
  archive(cereal::make_nvp("value", object));
}

template <class T>
void cereal_load(std::istream& in, T& object) {
  cereal::JSONInputArchive archive(in);  // parses the whole document here
  archive(cereal::make_nvp("value", object));
}

template <class T>
std::string cereal_text(const T& object) {
  std::ostringstream out;
  cereal_save(object, out);
  return out.str();
}

template <class T>
T cereal_from_text(const std::string& text) {
  std::istringstream in(text);
  T object;
  cereal_load(in, object);
  return object;
}

// --- correctness, checked once before anything is timed -------------------------------------------

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "bench_json: %s\n", what);
  std::abort();
}

void verify_all_round_trips() {
  const picklejar::options json(picklejar::format::json);
  if (!same_config(picklejar::loads<Config>(picklejar::dumps(config(), json)), config()))
    fail("picklejar's JSON config did not load back as saved");
  if (!same_config(cereal_from_text<CerealConfig>(cereal_text(cereal_config())), config()))
    fail("cereal's JSON config did not load back as saved");
  if (picklejar::loads<Eigen::MatrixXf>(picklejar::dumps(matrix(), json)) != matrix())
    fail("picklejar's JSON matrix did not load back as saved");
  if (cereal_from_text<CerealMatrix>(cereal_text(CerealMatrix{matrix()})).value != matrix())
    fail("cereal's JSON matrix did not load back as saved");
}

// --- the benchmarks ---------------------------------------------------------------------------------

template <class T>
void save_picklejar(benchmark::State& state, const T& object) {
  std::size_t bytes = 0;
  for (auto _ : state) {
    std::string text = picklejar::dumps(object, picklejar::options(picklejar::format::json));
    bytes = text.size();
    benchmark::DoNotOptimize(text.data());
  }
  state.counters["bytes"] = static_cast<double>(bytes);
}

template <class T>
void load_picklejar(benchmark::State& state, const std::string& text) {
  for (auto _ : state) {
    T object = picklejar::loads<T>(text);
    benchmark::DoNotOptimize(object);
  }
  state.counters["bytes"] = static_cast<double>(text.size());
}

template <class T>
void save_cereal(benchmark::State& state, const T& object) {
  std::size_t bytes = 0;
  for (auto _ : state) {
    std::ostringstream out;  // the text stays in the stream: str() would copy it once more
    cereal_save(object, out);
    bytes = static_cast<std::size_t>(out.tellp());
    benchmark::DoNotOptimize(out);
  }
  state.counters["bytes"] = static_cast<double>(bytes);
}

template <class T>
void load_cereal(benchmark::State& state, const std::string& text) {
  std::istringstream in(text);  // one stream, rewound each time: copying the text is not timed
  for (auto _ : state) {
    in.clear();
    in.seekg(0);
    T object;
    cereal_load(in, object);
    benchmark::DoNotOptimize(object);
  }
  state.counters["bytes"] = static_cast<double>(text.size());
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  verify_all_round_trips();  // aborts with a message if a round trip is broken
  std::printf("config: %d fields in 20 sections; matrix: %lld x %lld floats; every round trip verified\n",
              config_fields, static_cast<long long>(matrix_side), static_cast<long long>(matrix_side));

  const picklejar::options json(picklejar::format::json);
  const std::string config_text = picklejar::dumps(config(), json);
  const std::string cereal_config_text = cereal_text(cereal_config());
  const CerealMatrix cereal_matrix{matrix()};
  const std::string matrix_text = picklejar::dumps(matrix(), json);
  const std::string cereal_matrix_text = cereal_text(cereal_matrix);

  const auto us = benchmark::kMicrosecond;
  const auto ms = benchmark::kMillisecond;
  benchmark::RegisterBenchmark("config_save/picklejar", save_picklejar<Config>, config())->Unit(us);
  benchmark::RegisterBenchmark("config_save/cereal", save_cereal<CerealConfig>, cereal_config())->Unit(us);
  benchmark::RegisterBenchmark("config_load/picklejar", load_picklejar<Config>, config_text)->Unit(us);
  benchmark::RegisterBenchmark("config_load/cereal", load_cereal<CerealConfig>, cereal_config_text)->Unit(us);
  benchmark::RegisterBenchmark("matrix_save/picklejar", save_picklejar<Eigen::MatrixXf>, matrix())->Unit(ms);
  benchmark::RegisterBenchmark("matrix_save/cereal", save_cereal<CerealMatrix>, cereal_matrix)->Unit(ms);
  benchmark::RegisterBenchmark("matrix_load/picklejar", load_picklejar<Eigen::MatrixXf>, matrix_text)->Unit(ms);
  benchmark::RegisterBenchmark("matrix_load/cereal", load_cereal<CerealMatrix>, cereal_matrix_text)->Unit(ms);

  pj_bench::timing_reporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();

  pj_bench::ratio_table table("bench_json");
  table.add_times(reporter, "JSON 1,000-field config, dumps", "config_save/picklejar", "config_save/cereal", "cereal",
                  pj_bench::picklejar_under(1e-3));
  table.add_times(reporter, "JSON 1,000-field config, loads", "config_load/picklejar", "config_load/cereal", "cereal",
                  pj_bench::picklejar_under(1e-3));
  table.add_rates(reporter, "JSON 1M-float matrix, dumps (MB/s of floats)", "matrix_save/picklejar",
                  "matrix_save/cereal", "cereal", matrix_float_bytes, matrix_float_bytes, pj_bench::report("MB/s"));
  table.add_rates(reporter, "JSON 1M-float matrix, loads (MB/s of floats)", "matrix_load/picklejar",
                  "matrix_load/cereal", "cereal", matrix_float_bytes, matrix_float_bytes, pj_bench::report("MB/s"));
  table.finish();
  std::printf("JSON text: config %s (cereal %s), matrix %s (cereal %s)\n",
              pj_bench::format_bytes(static_cast<double>(config_text.size())).c_str(),
              pj_bench::format_bytes(static_cast<double>(cereal_config_text.size())).c_str(),
              pj_bench::format_bytes(static_cast<double>(matrix_text.size())).c_str(),
              pj_bench::format_bytes(static_cast<double>(cereal_matrix_text.size())).c_str());
  return 0;
}
