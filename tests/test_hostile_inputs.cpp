// Hostile inputs, as CTest cases, in every format (issue 6, item 2):
//   - sweeps: every truncation and every single-bit flip of a small, realistic reference checkpoint
//     is a picklejar::error, and no hook (after_load, set_state, a class's own cereal load) ever
//     runs on damaged data;
//   - size bombs: valid (resealed) files that claim 2^32, 2^63, 2^64-1, file size + 1 or
//     SIZE_MAX / sizeof(T) + 1 elements fail with errc::limit or errc::format, and a forked child
//     measures that the attempt grew peak memory by less than 2x the file size + 1 MiB;
//   - depth bombs: 10^6-deep JSON, 10^5-deep XML, 10^5-deep by-value nesting, 10^5-long chains
//     of shared_ptr and unique_ptr, saved and crafted. The HostileDepth suites also run with a
//     1 MiB stack (ctest: cxx17.small_stack.HostileDepth, see tests/CMakeLists.txt);
//   - the inputs of cereal issues #870 (type confusion through object ids) and #629 (an XML
//     node without a name where a value belongs).
// Times are recorded (RecordProperty "elapsed_ms", and printed), never asserted.
#include <picklejar/eigen.hpp>
#include <picklejar/picklejar.hpp>

#include <cereal/types/forward_list.hpp>  // not among picklejar's std types; a program may add it
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <forward_list>
#include <functional>
#include <limits>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <valarray>
#include <vector>

#include "child_probe.hpp"
#include "test_support.hpp"

// ---- the reference checkpoint: a small realistic model ----
//
// Eigen weights, strings, maps, optimizer state, polymorphic layers behind shared_ptr (one layer
// shared twice), a unique_ptr, a versioned config, and one type per kind of hook. Each hook counts
// its calls, so a test can tell whether any user code saw a file's contents.
namespace hostile {

struct hook_counts {
  int after_load = 0;
  int set_state = 0;
  int cereal_load = 0;
  int total() const { return after_load + set_state + cereal_load; }
};
inline hook_counts hooks_run;

struct Adam {
  std::int64_t step = 0;
  float learning_rate = 1e-3f;
  std::vector<float> m;
  std::vector<float> v;
  PICKLEJAR_FIELDS(step, learning_rate, m, v)
};

struct Config {
  int epochs = 10;
  double weight_decay = 0.0;
  std::string activation = "relu";  // since version 2
  std::vector<int> hidden;          // since version 2
  PICKLEJAR_FIELDS(epochs, weight_decay)
  PICKLEJAR_FIELDS_SINCE(2, activation, hidden)
};
PICKLEJAR_VERSION(Config, 2)

struct Layer {
  virtual ~Layer() = default;
  std::string name;
  PICKLEJAR_FIELDS(name)
};
struct Dense : Layer {
  Eigen::MatrixXf weights;
  Eigen::VectorXf bias;
  PICKLEJAR_FIELDS(weights, bias)
};
struct ReLU : Layer {};

/// after_load() rebuilds a cache from the loaded fields.
struct Normalizer {
  Eigen::VectorXf mean;
  Eigen::VectorXf scale;
  Eigen::VectorXf inverse_scale;  // derived
  PICKLEJAR_FIELDS(mean, scale)
  void after_load() {
    ++hooks_run.after_load;
    inverse_scale = scale.cwiseInverse();
  }
};

/// State hooks (__getstate__/__setstate__).
class Tokenizer {
 public:
  struct State {
    std::vector<std::string> vocabulary;
    std::map<std::string, std::int32_t> special;
    PICKLEJAR_FIELDS(vocabulary, special)
  };
  State get_state() const { return {vocabulary_, special_}; }
  void set_state(State state) {
    ++hooks_run.set_state;
    vocabulary_ = std::move(state.vocabulary);
    special_ = std::move(state.special);
  }
  std::vector<std::string> vocabulary_;
  std::map<std::string, std::int32_t> special_;
};

/// Plain cereal serialization, with its own load.
struct RunningStats {
  std::uint64_t seen = 0;
  double mean = 0;
  template <class Archive>
  void save(Archive& archive) const {
    archive(cereal::make_nvp("seen", seen), cereal::make_nvp("mean", mean));
  }
  template <class Archive>
  void load(Archive& archive) {
    ++hooks_run.cereal_load;
    archive(cereal::make_nvp("seen", seen), cereal::make_nvp("mean", mean));
  }
};

struct Model {
  std::string name;
  std::vector<std::string> labels;
  std::map<std::string, double> metrics;
  Config config;
  Adam optimizer;
  std::vector<std::shared_ptr<Layer>> layers;
  std::shared_ptr<Layer> output;  // the last of `layers` again
  std::shared_ptr<Tokenizer> tokenizer;
  std::unique_ptr<Normalizer> normalizer;
  RunningStats stats;
  std::optional<double> best_loss;
  PICKLEJAR_FIELDS(name, labels, metrics, config, optimizer, layers, output, tokenizer, normalizer, stats,
                   best_loss)
};

inline Model make_model() {
  Model model;
  model.name = "mlp-3-4-2";
  model.labels = {"cat", "dog"};
  model.metrics = {{"accuracy", 0.9375}, {"loss", 0.171875}};
  model.config.epochs = 12;
  model.config.weight_decay = 1e-4;
  model.config.hidden = {4};
  auto hidden = std::make_shared<Dense>();
  hidden->name = "hidden";
  hidden->weights = Eigen::MatrixXf::Constant(4, 3, 0.25f);
  hidden->weights(1, 2) = -1.5f;
  hidden->bias = Eigen::VectorXf::Constant(4, 0.125f);
  auto relu = std::make_shared<ReLU>();
  relu->name = "relu";
  auto out = std::make_shared<Dense>();
  out->name = "out";
  out->weights = Eigen::MatrixXf::Constant(2, 4, -0.5f);
  out->bias = Eigen::VectorXf::Zero(2);
  model.layers = {hidden, relu, out};
  model.output = out;
  model.optimizer.step = 96;
  model.optimizer.m.assign(12 + 4 + 8 + 2, 0.01f);
  model.optimizer.v.assign(12 + 4 + 8 + 2, 0.0001f);
  model.tokenizer = std::make_shared<Tokenizer>();
  model.tokenizer->vocabulary_ = {"<pad>", "<unk>", "the", "a", "cat", "dog"};
  model.tokenizer->special_ = {{"<pad>", 0}, {"<unk>", 1}};
  model.normalizer = std::make_unique<Normalizer>();
  model.normalizer->mean = Eigen::VectorXf::Constant(3, 0.5f);
  model.normalizer->scale = Eigen::VectorXf::Constant(3, 2.0f);
  model.stats = {600, 0.42};
  model.best_loss = 0.171875;
  return model;
}

// ---- chains and nesting for the depth bombs ----

struct Tree {  // by-value nesting
  std::int32_t value = 0;
  std::vector<Tree> children;
  PICKLEJAR_FIELDS(value, children)
};

/// By-value nesting whose after_load() notes how deep the stack is when it runs.
inline std::uintptr_t lowest_stack_address = UINTPTR_MAX;
struct StackProbe {
  std::int32_t value = 0;
  std::vector<StackProbe> children;
  PICKLEJAR_FIELDS(value, children)
  void after_load() {
    char marker = 0;
    lowest_stack_address = std::min(lowest_stack_address, reinterpret_cast<std::uintptr_t>(&marker));
  }
};

struct PlainLink {
  std::int32_t value = 0;
  std::shared_ptr<PlainLink> next;
  PICKLEJAR_FIELDS(value, next)
};
struct PlainChain {
  std::shared_ptr<PlainLink> head;
  PICKLEJAR_FIELDS(head)
};

/// The same layout as PlainLink, but after_load() must see its pointee first, so each link
/// finishes the rest of the chain before itself: that recursion is bounded by max_depth.
struct HookedLink {
  std::int32_t value = 0;
  std::shared_ptr<HookedLink> next;
  PICKLEJAR_FIELDS(value, next)
  void after_load() { ++hooks_run.after_load; }
};
struct HookedChain {
  std::shared_ptr<HookedLink> head;
  PICKLEJAR_FIELDS(head)
};

struct UniqueLink {
  std::int32_t value = 0;
  std::unique_ptr<UniqueLink> next;
  PICKLEJAR_FIELDS(value, next)
};

// ---- cereal #870: two unrelated types, one of them polymorphic ----

struct Text {  // attack 1: a string whose bytes the other type would read as a number
  std::string data = "foo";
  PICKLEJAR_FIELDS(data)
};
struct Number {
  std::uint64_t data = 42;
  PICKLEJAR_FIELDS(data)
};
struct Callable {  // attack 2: an object whose vtable pointer the attacker would supply
  virtual ~Callable() = default;
  virtual int call() const { return 1; }
  std::uint64_t data = 0x4142;
  PICKLEJAR_FIELDS(data)
};
struct Action : Callable {
  int call() const override { return 2; }
};
struct Unrelated {  // another registered hierarchy
  virtual ~Unrelated() = default;
  std::uint64_t data = 7;
  PICKLEJAR_FIELDS(data)
};
struct Impostor : Unrelated {};

}  // namespace hostile

PICKLEJAR_REGISTER_AS(hostile::Dense, hostile::Layer, "hostile.Dense")
PICKLEJAR_REGISTER_AS(hostile::ReLU, hostile::Layer, "hostile.ReLU")
PICKLEJAR_REGISTER_AS(hostile::Action, hostile::Callable, "hostile.Action")
PICKLEJAR_REGISTER_AS(hostile::Impostor, hostile::Unrelated, "hostile.Impostor")

namespace {

using pj_test::probe_result;
using pj_test::run_probed;
using pj_test::describe;

using picklejar::errc;
using picklejar::format;

bool is_text_format(format fmt) { return fmt == format::json || fmt == format::xml; }

std::string power_text(std::uint64_t value) {
  for (int bit = 0; bit < 64; ++bit) {
    if (value == std::uint64_t{1} << bit) return "2^" + std::to_string(bit);
  }
  if (value == std::numeric_limits<std::uint64_t>::max()) return "2^64-1";
  return std::to_string(value);
}


/// The bound of issue 6: peak memory growth under 2x the file size + 1 MiB.
long memory_bound_kib(std::size_t file_bytes) { return static_cast<long>((2 * file_bytes + (1 << 20)) / 1024); }

/// Loads `bytes` as T in a child and expects errc::limit or errc::format within the memory
/// bound; records the figures under `label`.
template <class T>
void expect_bounded_refusal(const std::string& label, const std::string& bytes, const picklejar::options& opts = {}) {
  const probe_result result = run_probed([&] { (void)picklejar::loads<T>(bytes, opts); });
  const long bound = memory_bound_kib(bytes.size());
  std::printf("  %-58s %-9s %7.3f ms  peak growth: virtual %6ld KiB, resident %6ld KiB (bound %ld KiB)\n",
              label.c_str(),
              result.outcome == probe_result::picklejar_error ? picklejar::to_string(static_cast<errc>(result.code)) : "FAILED",
              result.elapsed_ms, result.virtual_growth_kib, result.resident_growth_kib, bound);
  testing::Test::RecordProperty(label + ".elapsed_ms", std::to_string(result.elapsed_ms));
  testing::Test::RecordProperty(label + ".peak_kib", std::to_string(std::max(result.virtual_growth_kib, result.resident_growth_kib)));
  ASSERT_EQ(result.outcome, probe_result::picklejar_error) << label << ": " << describe(result);
  const auto code = static_cast<errc>(result.code);
  EXPECT_TRUE(code == errc::limit || code == errc::format) << label << ": " << result.what;
  if (pj_test::address_sanitizer) return;  // its quarantine holds every freed node: see test_support.hpp
  EXPECT_LT(result.virtual_growth_kib, bound) << label << ": address space grew by " << result.virtual_growth_kib
                                              << " KiB for a file of " << bytes.size() << " bytes; " << result.what;
  EXPECT_LT(result.resident_growth_kib, bound) << label << ": resident memory grew by " << result.resident_growth_kib
                                               << " KiB for a file of " << bytes.size() << " bytes; " << result.what;
}

// The probe must be able to fail: it sees a large block that is never touched (malloc, as Eigen
// allocates) and memory that is written.
TEST(HostileMemoryProbe, SeesAllocationsTouchedOrNot) {
  constexpr std::size_t block = std::size_t{256} << 20;
  const probe_result untouched = run_probed([] {
    void* volatile memory = std::malloc(block);
    if (memory == nullptr) throw std::bad_alloc();
    std::free(memory);
  });
  ASSERT_EQ(untouched.outcome, probe_result::returned) << describe(untouched);
  EXPECT_GE(untouched.virtual_growth_kib, static_cast<long>(block / 1024)) << "VmPeak missed an untouched malloc";
  const probe_result written = run_probed([] {
    std::vector<char> memory(std::size_t{32} << 20, 'x');
    if (memory[12345] != 'x') throw std::logic_error("unreachable");
  });
  ASSERT_EQ(written.outcome, probe_result::returned) << describe(written);
  EXPECT_GE(written.resident_growth_kib, 31L * 1024) << "VmHWM missed 32 MiB written";
  EXPECT_GE(written.virtual_growth_kib, 31L * 1024);
  // and a load that fails allocates next to nothing
  const probe_result nothing = run_probed([] { (void)picklejar::loads<hostile::Model>("not a picklejar file"); });
  EXPECT_EQ(nothing.outcome, probe_result::picklejar_error) << describe(nothing);
  EXPECT_LT(nothing.virtual_growth_kib, 1024);
  // a child that crashes is reported as such
  const probe_result crash = run_probed([] { std::abort(); });
  EXPECT_EQ(crash.outcome, probe_result::crashed);
  EXPECT_EQ(crash.signal, SIGABRT);
}

// ---- sweeps: every truncation and every bit flip of the reference checkpoint ----

/// Where a damaged byte may give errc::format instead of errc::integrity: where the damage stops
/// the input from being recognized as a picklejar file or from carrying a checksum at all.
///  - binary: the 8 magic bytes (without them the input is neither binary nor text);
///  - text: the first character ('{' or '<' tells JSON from XML) and the 8 bytes of the
///    "xxh3-64:" marker (without it there is no checksum to verify; the document is then parsed
///    under the limits, so that non-picklejar input is errc::format, and refused as errc::integrity
///    only if it parses).
/// Everywhere else the checksum covers the byte, is verified before anything read is trusted, and
/// its mismatch is the error reported.
struct damage_rules {
  format fmt;
  std::size_t first_character = 0;  // text: '{' or '<'
  std::size_t marker_at = 0;        // text: offset of "xxh3-64:"
  std::size_t checksum_end = 0;     // text: one past the 16 hex digits

  explicit damage_rules(format f, const std::string& bytes) : fmt(f) {
    if (is_text_format(f)) {
      marker_at = bytes.find(picklejar::detail::text_checksum_prefix);
      checksum_end = marker_at + picklejar::detail::text_checksum_prefix.size() + picklejar::detail::text_checksum_digits;
    }
  }
  bool flip_may_be_format(std::size_t at) const {
    if (!is_text_format(fmt)) return at < 8;
    return at == first_character || (at >= marker_at && at < marker_at + 8);
  }
  /// A prefix of `length` bytes.
  bool truncation_may_be_format(std::size_t length) const {
    if (!is_text_format(fmt)) return length > 0 && length < 8;
    return length > 0 && length < checksum_end;  // no complete checksum left: parsed, then found malformed
  }
};

class HostileSweep : public pj_test::FormatTest {
 protected:
  void SetUp() override {
    bytes_ = picklejar::dumps(hostile::make_model(), opts());
    // The intact file loads, and every kind of hook runs on it: the counters can tell.
    hostile::hooks_run = {};
    const hostile::Model loaded = picklejar::loads<hostile::Model>(bytes_);
    ASSERT_EQ(loaded.output, loaded.layers.back());
    ASSERT_EQ(loaded.normalizer->inverse_scale(0), 0.5f);
    ASSERT_EQ(loaded.tokenizer->vocabulary_.size(), 6u);
    ASSERT_GE(hostile::hooks_run.after_load, 1);
    ASSERT_GE(hostile::hooks_run.set_state, 1);
    ASSERT_GE(hostile::hooks_run.cereal_load, 1);
  }

  /// Loads damaged bytes: must throw a picklejar::error with no hook run. Returns the code.
  errc load_damaged(std::string_view damaged, const std::string& what) {
    hostile::hooks_run = {};
    errc code = errc::io;
    try {
      (void)picklejar::loads<hostile::Model>(damaged);
      ADD_FAILURE() << what << " loaded";
    } catch (const picklejar::error& failure) {
      code = failure.code();
      last_message_ = failure.what();
    }
    EXPECT_EQ(hostile::hooks_run.total(), 0)
        << what << ": user code saw damaged data (after_load " << hostile::hooks_run.after_load << ", set_state "
        << hostile::hooks_run.set_state << ", cereal load " << hostile::hooks_run.cereal_load << ")";
    return code;
  }

  std::string bytes_;
  std::string last_message_;
};

TEST_P(HostileSweep, EveryTruncationIsRejectedBeforeAnyHookRuns) {
  const damage_rules rules(GetParam(), bytes_);
  std::map<errc, std::size_t> codes;
  const auto start = std::chrono::steady_clock::now();
  for (std::size_t length = 0; length < bytes_.size(); ++length) {
    // an exact-size copy, so that a sanitizer sees any read past the end
    std::unique_ptr<char[]> copy(new char[length + 1]);
    std::memcpy(copy.get(), bytes_.data(), length);
    const errc code = load_damaged(std::string_view(copy.get(), length), "a prefix of " + std::to_string(length) + " bytes");
    ++codes[code];
    if (code != errc::integrity) {
      ASSERT_TRUE(code == errc::format && rules.truncation_may_be_format(length))
          << "a prefix of " << length << " bytes: " << last_message_;
    }
  }
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  std::printf("  %s: %zu truncations of a %zu-byte checkpoint: %zu integrity, %zu format (%.0f ms)\n",
              picklejar::to_string(GetParam()), bytes_.size(), bytes_.size(), codes[errc::integrity],
              codes[errc::format], ms);
  RecordProperty("file_bytes", std::to_string(bytes_.size()));
  RecordProperty("truncations", std::to_string(bytes_.size()));
  RecordProperty("integrity", std::to_string(codes[errc::integrity]));
  RecordProperty("format", std::to_string(codes[errc::format]));
  RecordProperty("elapsed_ms", std::to_string(ms));
}

TEST_P(HostileSweep, EveryBitFlipIsRejectedBeforeAnyHookRuns) {
  const damage_rules rules(GetParam(), bytes_);
  std::map<errc, std::size_t> codes;
  const auto start = std::chrono::steady_clock::now();
  std::string damaged = bytes_;
  for (std::size_t at = 0; at < bytes_.size(); ++at) {
    for (int bit = 0; bit < 8; ++bit) {
      damaged[at] = static_cast<char>(bytes_[at] ^ (1 << bit));
      const errc code = load_damaged(damaged, "bit " + std::to_string(bit) + " of byte " + std::to_string(at) + " flipped");
      ++codes[code];
      if (code != errc::integrity) {
        ASSERT_TRUE(code == errc::format && rules.flip_may_be_format(at))
            << "bit " << bit << " of byte " << at << " flipped: " << last_message_;
      }
    }
    damaged[at] = bytes_[at];
  }
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  std::printf("  %s: %zu bit flips of a %zu-byte checkpoint: %zu integrity, %zu format (%.0f ms)\n",
              picklejar::to_string(GetParam()), bytes_.size() * 8, bytes_.size(), codes[errc::integrity],
              codes[errc::format], ms);
  RecordProperty("file_bytes", std::to_string(bytes_.size()));
  RecordProperty("bit_flips", std::to_string(bytes_.size() * 8));
  RecordProperty("integrity", std::to_string(codes[errc::integrity]));
  RecordProperty("format", std::to_string(codes[errc::format]));
  RecordProperty("elapsed_ms", std::to_string(ms));
}

// Loading into an existing object goes through the same checks (transients reset, after_load).
TEST_P(HostileSweep, DamageIsRejectedWhenLoadingIntoAnExistingObjectToo) {
  std::string damaged = bytes_;
  damaged[damaged.size() / 2] ^= 0x04;
  hostile::Model existing = hostile::make_model();
  hostile::hooks_run = {};
  pj_test::expect_error(errc::integrity, [&] { picklejar::loads(existing, damaged); });
  EXPECT_EQ(hostile::hooks_run.total(), 0);
}

PJ_INSTANTIATE_FOR_ALL_FORMATS(HostileSweep);

// Found by the bit-flip sweep: a flipped checksum-kind byte (offset 24) was errc::format ("checksum
// kind 3, which this program does not know"), unlike damage anywhere else. That byte is covered by
// the checksum: damaged, it is errc::integrity; only a file whose XXH3-64 matches (crafted, or
// resealed) is refused for the unknown kind itself.
TEST(HostileContainer, AFlippedChecksumKindIsAnIntegrityError) {
  for (format fmt : {format::binary, format::portable_binary}) {
    const std::string bytes = picklejar::dumps(hostile::make_model(), {fmt});
    for (int bit = 1; bit < 8; ++bit) {
      std::string damaged = bytes;
      damaged[24] = static_cast<char>(damaged[24] ^ (1 << bit));
      auto failure = pj_test::expect_error(errc::integrity, [&] { (void)picklejar::loads<hostile::Model>(damaged); });
      EXPECT_NE(failure.reason().find("checksum kind"), std::string::npos) << failure.what();
      pj_test::expect_error(errc::format, [&] { (void)picklejar::loads<hostile::Model>(pj_test::reseal(damaged)); });
    }
  }
}

// ---- size bombs, binary formats ----
//
// Each target sits right after a marker, so its length field is found in the payload; the
// checksum is recomputed after the edit (pj_test::reseal), as an attacker would, so that what is
// tested is the loader's bounds, not the checksum.

constexpr std::uint64_t bomb_marker = 0x424d4f42'4b52414dULL;  // "MARKBOMB"

template <class T>
struct Bombed {
  std::uint64_t marker = bomb_marker;
  T target{};
  std::string padding;
  PICKLEJAR_FIELDS(marker, target, padding)
};

struct Point {
  float x = 0;
  float y = 0;
  std::string label;
  PICKLEJAR_FIELDS(x, y, label)
};

const std::vector<format> binary_formats = {format::binary, format::portable_binary};

/// Offset of the first byte after the marker in a binary file.
std::size_t after_marker(const std::string& bytes) {
  const std::size_t payload = picklejar::detail::fixed_header_bytes + picklejar::detail::get_le(bytes.data() + 12, 4);
  std::string marker(8, '\0');
  picklejar::detail::patch_le(marker, 0, bomb_marker, 8);
  const std::size_t at = bytes.find(marker, payload);
  EXPECT_NE(at, std::string::npos);
  return at + 8;
}

std::size_t payload_end(const std::string& bytes) {
  return picklejar::detail::fixed_header_bytes + picklejar::detail::get_le(bytes.data() + 12, 4) +
         picklejar::detail::get_le(bytes.data() + 16, 8);
}

std::string with_u64(std::string bytes, std::size_t at, std::uint64_t value) {
  picklejar::detail::patch_le(bytes, at, value, 8);
  return pj_test::reseal(bytes);
}

/// The claims of issue 6 for a container of elements of `element_size` bytes in a file of
/// `file_bytes` bytes.
std::vector<std::pair<std::string, std::uint64_t>> claims(std::size_t element_size, std::size_t file_bytes) {
  std::vector<std::pair<std::string, std::uint64_t>> list = {
      {"2^32", std::uint64_t{1} << 32},
      {"2^63", std::uint64_t{1} << 63},
      {"2^64-1", std::numeric_limits<std::uint64_t>::max()},
      {"file size + 1", file_bytes + 1},
  };
  // SIZE_MAX / 1 + 1 is 2^64, which no u64 holds; 2^64-1 stands for it.
  if (element_size > 1) list.emplace_back("SIZE_MAX/" + std::to_string(element_size) + "+1", SIZE_MAX / element_size + 1);
  return list;
}

template <class T>
void bomb_count(const std::string& type_label, const T& value, std::size_t element_size) {
  for (format fmt : binary_formats) {
    Bombed<T> original;
    original.target = value;
    const std::string bytes = picklejar::dumps(original, {fmt});
    const std::size_t count_at = after_marker(bytes);
    for (const auto& [claim_label, claim] : claims(element_size, bytes.size())) {
      expect_bounded_refusal<Bombed<T>>(std::string(picklejar::to_string(fmt)) + " " + type_label + " count " + claim_label,
                                        with_u64(bytes, count_at, claim));
    }
  }
}

/// The largest count the element check lets through: one element per byte that remains, in a
/// file that holds 1 MiB after the count. An element takes more memory than one byte, so a
/// loader that sizes the container by the count would allocate several times the file.
template <class T>
void bomb_count_at_the_limit(const std::string& type_label, const T& value) {
  for (format fmt : binary_formats) {
    Bombed<T> original;
    original.target = value;
    original.padding.assign(std::size_t{1} << 20, 'x');
    const std::string bytes = picklejar::dumps(original, {fmt});
    const std::size_t count_at = after_marker(bytes);
    const std::uint64_t remaining = payload_end(bytes) - (count_at + 8);
    expect_bounded_refusal<Bombed<T>>(std::string(picklejar::to_string(fmt)) + " " + type_label + " count = bytes left (" +
                                          std::to_string(remaining) + ")",
                                      with_u64(bytes, count_at, remaining));
  }
}

TEST(HostileSizeBomb, VectorOfFloats) {
  bomb_count("vector<float>", std::vector<float>{1, 2, 3}, sizeof(float));
  bomb_count_at_the_limit("vector<float>", std::vector<float>{1, 2, 3});
  bomb_count_at_the_limit("vector<double>", std::vector<double>{1, 2, 3});
}

TEST(HostileSizeBomb, VectorOfStrings) {
  bomb_count("vector<string>", std::vector<std::string>{"a", "bb"}, sizeof(std::string));
  bomb_count_at_the_limit("vector<string>", std::vector<std::string>{"a", "bb"});
}

TEST(HostileSizeBomb, VectorOfStructs) {
  bomb_count("vector<Point>", std::vector<Point>{{1, 2, "p"}, {3, 4, "q"}}, sizeof(Point));
  bomb_count_at_the_limit("vector<Point>", std::vector<Point>{{1, 2, "p"}});
}

TEST(HostileSizeBomb, String) {
  bomb_count("string", std::string("hello"), sizeof(char));
  bomb_count_at_the_limit("string", std::string("hello"));
}

TEST(HostileSizeBomb, Map) {
  using map_type = std::map<std::string, float>;
  bomb_count("map<string,float>", map_type{{"a", 1.0f}, {"b", 2.0f}}, sizeof(map_type::value_type));
  bomb_count_at_the_limit("map<string,float>", map_type{{"a", 1.0f}});
}

// Found by the claims at the limit above: cereal sizes these by the claimed count before reading
// (resize or reserve), so one element per byte left made them allocate several times the file:
// 4x for vector<float>, 8x for vector<double> and unordered_set<int> (buckets), 32x for list<int>. The binary archive now
// checks a block of numbers at its size in bytes, and grows the other sequences as elements arrive.
TEST(HostileSizeBomb, OtherStandardContainersAtTheLimit) {
  bomb_count_at_the_limit("vector<int64_t>", std::vector<std::int64_t>{1, 2});
  bomb_count_at_the_limit("deque<double>", std::deque<double>{1, 2});
  // Strings, so that the first element read from the padding is refused at once: a list of ints
  // would read 262,144 ints from the 1 MiB of padding, and rightly take 8 MiB of nodes for them.
  bomb_count_at_the_limit("list<string>", std::list<std::string>{"a", "b"});
  bomb_count_at_the_limit("forward_list<string>", std::forward_list<std::string>{"a", "b"});
  bomb_count_at_the_limit("unordered_set<int>", std::unordered_set<int>{1, 2});
  bomb_count_at_the_limit("unordered_map<string,int>", std::unordered_map<std::string, int>{{"a", 1}});
  bomb_count_at_the_limit("valarray<double>", std::valarray<double>{1.0, 2.0});
  bomb_count_at_the_limit("vector<vector<float>>", std::vector<std::vector<float>>{{1.0f}});
}

// Eigen writes rows and cols (int64) before the numbers: each alone, and both together so that
// rows x cols (x sizeof) overflows, wrapping to a small number where the check is missing.
TEST(HostileSizeBomb, EigenRowsColsAndTheirProduct) {
  for (format fmt : binary_formats) {
    Bombed<Eigen::MatrixXf> original;
    original.target = Eigen::MatrixXf::Constant(3, 5, 1.0f);
    const std::string bytes = picklejar::dumps(original, {fmt});
    const std::size_t rows_at = after_marker(bytes);
    const std::size_t cols_at = rows_at + 8;
    const std::string prefix = std::string(picklejar::to_string(fmt)) + " MatrixXf ";
    for (const auto& [claim_label, claim] : claims(sizeof(float), bytes.size())) {
      expect_bounded_refusal<Bombed<Eigen::MatrixXf>>(prefix + "rows " + claim_label, with_u64(bytes, rows_at, claim));
      expect_bounded_refusal<Bombed<Eigen::MatrixXf>>(prefix + "cols " + claim_label, with_u64(bytes, cols_at, claim));
    }
    const std::vector<std::pair<std::uint64_t, std::uint64_t>> overflowing = {
        {std::uint64_t{1} << 32, std::uint64_t{1} << 32},        // rows x cols = 2^64: wraps to 0
        {std::uint64_t{1} << 31, std::uint64_t{1} << 31},        // x sizeof(float) = 2^64: wraps to 0
        {(std::uint64_t{1} << 62) + 1, 4},                       // rows x cols wraps to 4
        {std::uint64_t{1} << 20, std::uint64_t{1} << 20},        // 4 TiB, no wrap: more than the file
        {(SIZE_MAX / sizeof(float)) / 3 + 1, 3},                 // just past SIZE_MAX / sizeof(float)
    };
    for (const auto& [rows, cols] : overflowing) {
      std::string crafted = bytes;
      picklejar::detail::patch_le(crafted, rows_at, rows, 8);
      expect_bounded_refusal<Bombed<Eigen::MatrixXf>>(prefix + "rows x cols = " + power_text(rows) + " x " + power_text(cols),
                                                      with_u64(crafted, cols_at, cols));
    }
  }
}

// A shape whose numbers fit in the bytes that remain is read (and fails later, since those bytes
// are the padding): what it allocates is bounded by the file.
TEST(HostileSizeBomb, EigenShapeThatFitsTheBytesLeft) {
  for (format fmt : binary_formats) {
    Bombed<Eigen::MatrixXf> original;
    original.target = Eigen::MatrixXf::Constant(3, 5, 1.0f);
    original.padding.assign(std::size_t{1} << 20, 'x');
    const std::string bytes = picklejar::dumps(original, {fmt});
    const std::size_t rows_at = after_marker(bytes);
    const std::uint64_t remaining = payload_end(bytes) - (rows_at + 8 + 8 + 1);
    expect_bounded_refusal<Bombed<Eigen::MatrixXf>>(
        std::string(picklejar::to_string(fmt)) + " MatrixXf rows = bytes left / (5 x 4)",
        with_u64(bytes, rows_at, remaining / (5 * sizeof(float))));
  }
}

// ---- size bombs, text formats ----
//
// A text document has no counts to lie about: a container holds the elements that are there, and
// a string is as long as its text. What remains is (1) a document whose parsed tree is far larger
// than its text, bounded by options.max_bytes, (2) one huge value where a small one belongs, and
// (3) Eigen shapes, which JSON and XML do state.

const std::vector<format> text_formats = {format::json, format::xml};

struct Crowd {
  std::vector<Point> items;
  PICKLEJAR_FIELDS(items)
};

std::string replace_first(std::string text, const std::string& from, const std::string& to) {
  const std::size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

TEST(HostileTextBomb, TenMillionEmptyObjectsAreBoundedByMaxMemory) {
  constexpr std::size_t count = 10'000'000;
  for (format fmt : text_formats) {
    const std::string document = picklejar::dumps(Crowd{}, {fmt});
    std::string items;
    if (fmt == format::json) {
      items.reserve(3 * count + 2);
      items += '[';
      for (std::size_t i = 0; i < count; ++i) items += i == 0 ? "{}" : ",{}";
      items += ']';
    } else {
      items.reserve(7 * count + 20);
      items += "<items>";
      for (std::size_t i = 0; i < count; ++i) items += "<item/>";
      items += "</items>";
    }
    const std::string crafted =
        pj_test::reseal(replace_first(document, fmt == format::json ? "\"items\": []" : "<items></items>",
                                      fmt == format::json ? "\"items\": " + items : items));
    picklejar::options opts;
    opts.max_memory = crafted.size();  // the file fits; a tree of 10^7 nodes (about 1 GB) does not
    expect_bounded_refusal<Crowd>(std::string(picklejar::to_string(fmt)) + " 10^7 empty objects, max_memory = file size",
                                  crafted, opts);
  }
}

TEST(HostileTextBomb, AHugeStringWhereANumberBelongs) {
  for (format fmt : text_formats) {
    Bombed<std::int32_t> original;
    original.target = 12345;
    const std::string document = picklejar::dumps(original, {fmt});
    const std::string huge(std::size_t{16} << 20, 'x');
    const std::string crafted = pj_test::reseal(
        fmt == format::json ? replace_first(document, "\"target\": 12345", "\"target\": \"" + huge + "\"")
                            : replace_first(document, "<target>12345</target>", "<target>" + huge + "</target>"));
    expect_bounded_refusal<Bombed<std::int32_t>>(std::string(picklejar::to_string(fmt)) + " 16 MiB string as an int32",
                                                 crafted);
    const std::string digits(std::size_t{16} << 20, '7');
    const std::string crafted_number = pj_test::reseal(
        fmt == format::json ? replace_first(document, "\"target\": 12345", "\"target\": " + digits)
                            : replace_first(document, "<target>12345</target>", "<target>" + digits + "</target>"));
    expect_bounded_refusal<Bombed<std::int32_t>>(std::string(picklejar::to_string(fmt)) + " 16 MiB of digits as an int32",
                                                 crafted_number);
  }
}

TEST(HostileTextBomb, EigenShapeClaims) {
  for (format fmt : text_formats) {
    Bombed<Eigen::MatrixXf> original;
    original.target = Eigen::MatrixXf::Constant(3, 5, 1.0f);
    const std::string document = picklejar::dumps(original, {fmt});
    auto with_shape = [&](const std::string& rows, const std::string& cols) {
      if (fmt == format::json)
        return pj_test::reseal(replace_first(replace_first(document, "\"rows\": 3", "\"rows\": " + rows), "\"cols\": 5",
                                             "\"cols\": " + cols));
      return pj_test::reseal(replace_first(replace_first(document, "<rows>3</rows>", "<rows>" + rows + "</rows>"),
                                           "<cols>5</cols>", "<cols>" + cols + "</cols>"));
    };
    const std::vector<std::pair<std::string, std::string>> shapes = {
        {"4294967296", "5"},                     // 2^32 rows
        {"3", "4294967296"},                     // 2^32 cols
        {"9223372036854775807", "5"},            // 2^63 - 1 rows
        {"9223372036854775808", "5"},            // 2^63: not an int64
        {"18446744073709551615", "5"},           // 2^64 - 1
        {"-1", "5"},
        {"4294967296", "4294967296"},            // rows x cols = 2^64
        {"2147483648", "2147483648"},            // x sizeof(float) = 2^64
        {"4611686018427387905", "4"},            // rows x cols wraps to 4
        {"1000000", "1000000"},                  // 4 TB, no wrap
    };
    for (const auto& [rows, cols] : shapes) {
      expect_bounded_refusal<Bombed<Eigen::MatrixXf>>(
          std::string(picklejar::to_string(fmt)) + " MatrixXf " + rows + " x " + cols, with_shape(rows, cols));
    }
  }
}

// ---- depth bombs ----
//
// Parsers and pointer chains are iterative; only by-value nesting and objects that must finish
// their pointees first recurse, and options.max_depth bounds both. These suites also run with a
// 1 MiB stack (cxx17.small_stack.HostileDepth in tests/CMakeLists.txt).

/// Replaces a binary file's payload (the trailer, if any, is kept) and reseals it.
std::string with_payload(const std::string& file, const std::string& payload) {
  namespace detail = picklejar::detail;
  const std::size_t section = detail::get_le(file.data() + 12, 4);
  const std::size_t trailer = detail::get_le(file.data() + 28, 4);
  std::string out = file.substr(0, detail::fixed_header_bytes + section) + payload + file.substr(file.size() - trailer);
  detail::patch_le(out, 16, payload.size(), 8);
  return pj_test::reseal(out);
}

/// Gives a file another root type name (a crafted file of the same layout).
std::string with_root_type(const std::string& file, const std::string& from, const std::string& to) {
  namespace detail = picklejar::detail;
  if (!detail::looks_binary(file)) return pj_test::reseal(replace_first(file, from, to));  // the header comes first
  const std::size_t name_at = detail::fixed_header_bytes;
  EXPECT_EQ(detail::get_le(file.data() + name_at, 4), from.size());
  EXPECT_EQ(file.compare(name_at + 4, from.size(), from), 0);
  std::string out = file;
  std::string length;
  detail::put_le(length, to.size(), 4);
  out.replace(name_at, 4 + from.size(), length + to);
  detail::patch_le(out, 12, detail::get_le(file.data() + 12, 4) - from.size() + to.size(), 4);
  return pj_test::reseal(out);
}

/// Unlinks a chain in a loop: destroying it by recursion would overflow the stack.
template <class Link>
void unlink(std::shared_ptr<Link> node) {
  while (node) node = std::exchange(node->next, nullptr);
}
void unlink(std::unique_ptr<hostile::UniqueLink> node) {
  while (node) node = std::move(node->next);
}

constexpr int chain_length = 100'000;

std::shared_ptr<hostile::PlainLink> make_chain() {
  auto head = std::make_shared<hostile::PlainLink>();
  auto tail = head;
  for (int i = 1; i < chain_length; ++i) {
    tail->next = std::make_shared<hostile::PlainLink>();
    tail = tail->next;
    tail->value = i;
  }
  return head;
}

TEST(HostileDepth, JsonNestedAMillionDeepIsALimitError) {
  const std::string document = picklejar::dumps(Bombed<std::int32_t>{}, {format::json});
  for (const auto& [open, close] : {std::pair<std::string, std::string>{"[", "]"}, {"{\"a\": ", "}"}}) {
    std::string nested;
    nested.reserve((open.size() + close.size()) * 1'000'000 + 1);
    for (int i = 0; i < 1'000'000; ++i) nested += open;
    nested += '0';
    for (int i = 0; i < 1'000'000; ++i) nested += close;
    const std::string crafted = pj_test::reseal(replace_first(document, "\"target\": 0", "\"target\": " + nested));
    const auto start = std::chrono::steady_clock::now();
    auto failure = pj_test::expect_error(errc::limit, [&] { (void)picklejar::loads<Bombed<std::int32_t>>(crafted); });
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    std::printf("  JSON %s x 10^6: %s (%.1f ms)\n", open.c_str(), failure.what(), ms);
    RecordProperty("elapsed_ms_" + std::to_string(open.size()), std::to_string(ms));
  }
}

TEST(HostileDepth, XmlNestedAHundredThousandDeepIsALimitError) {
  const std::string document = picklejar::dumps(Bombed<std::int32_t>{}, {format::xml});
  std::string nested;
  for (int i = 0; i < 100'000; ++i) nested += "<a>";
  nested += '0';
  for (int i = 0; i < 100'000; ++i) nested += "</a>";
  const std::string crafted = pj_test::reseal(replace_first(document, "<target>0</target>", "<target>" + nested + "</target>"));
  const auto start = std::chrono::steady_clock::now();
  auto failure = pj_test::expect_error(errc::limit, [&] { (void)picklejar::loads<Bombed<std::int32_t>>(crafted); });
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  std::printf("  XML <a> x 10^5: %s (%.1f ms)\n", failure.what(), ms);
  RecordProperty("elapsed_ms", std::to_string(ms));
  // unclosed, too
  std::string unclosed;
  for (int i = 0; i < 100'000; ++i) unclosed += "<a>";
  pj_test::expect_error(errc::limit, [&] {
    (void)picklejar::loads<Bombed<std::int32_t>>(
        pj_test::reseal(replace_first(document, "<target>0</target>", "<target>" + unclosed + "</target>")));
  });
}

class HostileDepthFormats : public pj_test::FormatTest {};

// A tree nested 10^5 deep by value, crafted (a save would recurse as deep): read up to
// options.max_depth levels (binary), or parsed up to max_depth + 4 (text), then errc::limit.
TEST_P(HostileDepthFormats, ByValueNestingIsALimitError) {
  constexpr int depth = 100'000;
  const std::string document = picklejar::dumps(hostile::Tree{}, opts());
  std::string crafted;
  if (!is_text()) {
    std::string payload;  // both binary formats are little-endian on this machine
    for (int i = 0; i < depth; ++i) {
      picklejar::detail::put_le(payload, static_cast<std::uint32_t>(i), 4);
      picklejar::detail::put_le(payload, i + 1 < depth ? 1 : 0, 8);
    }
    crafted = with_payload(document, payload);
  } else if (GetParam() == format::json) {
    std::string nested;
    for (int i = 0; i < depth; ++i) nested += "[{\"value\": 1, \"children\": ";
    nested += "[]";
    for (int i = 0; i < depth; ++i) nested += "}]";
    crafted = pj_test::reseal(replace_first(document, "\"children\": []", "\"children\": " + nested));
  } else {
    std::string nested;
    for (int i = 0; i < depth; ++i) nested += "<item><value>1</value><children>";
    for (int i = 0; i < depth; ++i) nested += "</children></item>";
    crafted = pj_test::reseal(replace_first(document, "<children></children>", "<children>" + nested + "</children>"));
  }
  const auto start = std::chrono::steady_clock::now();
  auto failure = pj_test::expect_error(errc::limit, [&] { (void)picklejar::loads<hostile::Tree>(crafted); });
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  std::printf("  %s Tree x 10^5 by value: %s (%.1f ms)\n", picklejar::to_string(GetParam()), failure.reason().c_str(), ms);
  RecordProperty("elapsed_ms", std::to_string(ms));
  // Each Tree is two levels (the Tree and its vector): 200 nested Trees are within the default
  // limit of 512, and load, also with a 1 MiB stack.
  hostile::Tree deep;
  hostile::Tree* tail = &deep;
  for (int i = 0; i < 200; ++i) tail = &tail->children.emplace_back();
  EXPECT_NO_THROW((void)pj_test::round_trip(deep, GetParam()));
}

// How much stack a load at the default max_depth takes: 255 nested objects (each two levels, the
// object and its vector) is the deepest the default limit of 512 lets through. The small-stack
// run (1 MiB) needs it to fit with room to spare.
TEST_P(HostileDepthFormats, StackUsedAtTheDefaultDepthLimit) {
  hostile::StackProbe root;
  hostile::StackProbe* tail = &root;
  for (int i = 0; i < 254; ++i) tail = &tail->children.emplace_back();
  const std::string bytes = picklejar::dumps(root, opts());
  picklejar::options one_less;
  one_less.max_depth = 508;
  pj_test::expect_error(errc::limit, [&] { (void)picklejar::loads<hostile::StackProbe>(bytes, one_less); });
  if (pj_test::address_sanitizer) GTEST_SKIP() << "ASan moves locals to a fake stack; the normal build measures this";
  char top = 0;
  hostile::lowest_stack_address = UINTPTR_MAX;
  (void)picklejar::loads<hostile::StackProbe>(bytes);
  const auto used = static_cast<long>(reinterpret_cast<std::uintptr_t>(&top) - hostile::lowest_stack_address);
  std::printf("  %s: 509 levels of nesting take %ld KiB of stack (%ld bytes a level)\n", picklejar::to_string(GetParam()),
              used / 1024, used / 509);
  RecordProperty("stack_bytes_at_max_depth", std::to_string(used));
  EXPECT_LT(used, 768L * 1024) << "the default max_depth no longer fits a 1 MiB stack with room to spare";
}

// A saved chain of 10^5 shared_ptr loads: pointers never nest.
TEST_P(HostileDepthFormats, SharedChainOfAHundredThousandLoads) {
  hostile::PlainChain chain{make_chain()};
  const std::string bytes = picklejar::dumps(chain, opts());
  const auto start = std::chrono::steady_clock::now();
  hostile::PlainChain loaded = picklejar::loads<hostile::PlainChain>(bytes);
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  int count = 0;
  for (auto* link = loaded.head.get(); link != nullptr; link = link->next.get()) ASSERT_EQ(link->value, count++);
  EXPECT_EQ(count, chain_length);
  std::printf("  %s shared_ptr chain of 10^5 (%zu bytes) loads in %.1f ms\n", picklejar::to_string(GetParam()), bytes.size(), ms);
  RecordProperty("elapsed_ms", std::to_string(ms));
  unlink(std::move(chain.head));
  unlink(std::move(loaded.head));
}

// Crafted from a saved chain: the last link points back at the first (a cycle, which loads) or
// at an object that does not exist yet (errc::format). That failure comes after 10^5 links were
// created: destroyed with the root, they were destroyed recursively (one destructor call per
// link) and overflowed the stack, even an 8 MiB one, in a Debug build. The loader now releases
// them one at a time (objects_kept_alive in save_load.hpp).
TEST_P(HostileDepthFormats, CraftedSharedChainEnds) {
  hostile::PlainChain chain{make_chain()};
  const std::string bytes = picklejar::dumps(chain, opts());
  unlink(std::move(chain.head));
  auto last_site = [&](std::uint32_t id) {
    std::string crafted = bytes;
    if (GetParam() == format::json) {
      crafted.replace(crafted.rfind("\"id\": 0"), 7, "\"id\": " + std::to_string(id));
    } else if (GetParam() == format::xml) {
      crafted.replace(crafted.rfind("<id>0</id>"), 10, "<id>" + std::to_string(id) + "</id>");
    } else {
      // the last link is the last thing in the payload: its value, then its null site (u32 0)
      picklejar::detail::patch_le(crafted, payload_end(crafted) - 4, id, 4);
    }
    return pj_test::reseal(crafted);
  };
  hostile::PlainChain cycle = picklejar::loads<hostile::PlainChain>(last_site(1));
  auto* last = cycle.head.get();
  for (int i = 1; i < chain_length; ++i) last = last->next.get();
  EXPECT_EQ(last->next, cycle.head) << "the crafted back-reference loads as a cycle";
  last->next.reset();
  unlink(std::move(cycle.head));
  auto failure = pj_test::expect_error(errc::format, [&] { (void)picklejar::loads<hostile::PlainChain>(last_site(chain_length + 7)); });
  EXPECT_NE(failure.reason().find("object #100007"), std::string::npos) << failure.what();
}

// A chain of 10^5 objects that each must finish their pointee before after_load() runs recurses
// once per link: crafted (a save would refuse it at max_depth), it is a limit error at 512.
TEST_P(HostileDepthFormats, HookedChainOfAHundredThousandIsALimitError) {
  hostile::PlainChain chain{make_chain()};
  const std::string bytes = with_root_type(picklejar::dumps(chain, opts()), picklejar::detail::type_name<hostile::PlainChain>(),
                                           picklejar::detail::type_name<hostile::HookedChain>());
  unlink(std::move(chain.head));
  hostile::hooks_run = {};
  const auto start = std::chrono::steady_clock::now();
  auto failure = pj_test::expect_error(errc::limit, [&] { (void)picklejar::loads<hostile::HookedChain>(bytes); });
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  EXPECT_NE(failure.reason().find("max_depth"), std::string::npos) << failure.what();
  EXPECT_EQ(hostile::hooks_run.after_load, 0) << "no after_load() ran before the limit stopped the load";
  std::printf("  %s after_load chain of 10^5: %s (%.1f ms)\n", picklejar::to_string(GetParam()), failure.what(), ms);
  RecordProperty("elapsed_ms", std::to_string(ms));
}

TEST_P(HostileDepthFormats, UniqueChainOfAHundredThousandLoadsAndCraftedEndsAreRefused) {
  hostile::UniqueLink head;
  hostile::UniqueLink* tail = &head;
  for (int i = 1; i < chain_length; ++i) {
    tail->next = std::make_unique<hostile::UniqueLink>();
    tail = tail->next.get();
    tail->value = i;
  }
  const std::string bytes = picklejar::dumps(head, opts());
  unlink(std::move(head.next));
  const auto start = std::chrono::steady_clock::now();
  hostile::UniqueLink loaded = picklejar::loads<hostile::UniqueLink>(bytes);
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  int count = 0;
  for (const auto* link = &loaded; link != nullptr; link = link->next.get()) ASSERT_EQ(link->value, count++);
  EXPECT_EQ(count, chain_length);
  unlink(std::move(loaded.next));
  std::printf("  %s unique_ptr chain of 10^5 loads in %.1f ms\n", picklejar::to_string(GetParam()), ms);
  RecordProperty("elapsed_ms", std::to_string(ms));
  // the last link claims the first object (owned already) or one that does not exist
  for (std::uint32_t id : {1u, static_cast<std::uint32_t>(chain_length) + 7}) {
    std::string crafted = bytes;
    if (GetParam() == format::json) {
      crafted.replace(crafted.rfind("\"id\": 0"), 7, "\"id\": " + std::to_string(id));
    } else if (GetParam() == format::xml) {
      crafted.replace(crafted.rfind("<id>0</id>"), 10, "<id>" + std::to_string(id) + "</id>");
    } else {
      picklejar::detail::patch_le(crafted, payload_end(crafted) - 4, id, 4);
    }
    pj_test::expect_error(errc::format, [&] {
      hostile::UniqueLink partial;
      try {
        picklejar::loads(partial, pj_test::reseal(crafted));
      } catch (...) {
        unlink(std::move(partial.next));
        throw;
      }
    });
  }
}

PJ_INSTANTIATE_FOR_ALL_FORMATS(HostileDepthFormats);

// ---- cereal #870: one object id claimed by pointers of two types ----
//
// cereal keeps a table id -> shared_ptr<void> and casts an entry to whatever type the next
// pointer wants: a std::shared_ptr<B> back-referencing an A reads A's bytes as B (attack 1:
// an address leak through a string's pointer read as a uint64_t; attack 2: a vtable pointer taken
// from attacker data). picklejar records each object's dynamic type and converts only through
// registered bases; test_object_graphs.cpp (CraftedGraphs) covers two plain types. Here: the
// exact shapes of both attacks, with weak_ptr and polymorphic variants.

struct Attack1 {
  std::shared_ptr<hostile::Text> text;
  std::shared_ptr<hostile::Number> number;
  PICKLEJAR_FIELDS(text, number)
};
struct Attack1Weak {
  std::shared_ptr<hostile::Text> text;
  std::weak_ptr<hostile::Number> number;
  PICKLEJAR_FIELDS(text, number)
};
struct Attack2 {  // a polymorphic pointer back-referencing a plain object
  std::shared_ptr<hostile::Number> number;
  std::shared_ptr<hostile::Callable> callable;
  PICKLEJAR_FIELDS(number, callable)
};
struct Attack2Registered {  // a polymorphic pointer back-referencing an object of another hierarchy
  std::shared_ptr<hostile::Unrelated> unrelated;
  std::shared_ptr<hostile::Callable> callable;
  PICKLEJAR_FIELDS(unrelated, callable)
};
struct Attack2Unique {  // a new polymorphic object whose type name is of another hierarchy
  std::unique_ptr<hostile::Callable> callable;
  PICKLEJAR_FIELDS(callable)
};

class HostileCereal870 : public pj_test::FormatTest {
 protected:
  /// The second pointer's site claims object #1 (which the first pointer created).
  std::string second_claims_first(const std::string& bytes) const {
    std::string crafted = bytes;
    if (GetParam() == format::json) {
      crafted.replace(crafted.find("\"id\": 2"), 7, "\"id\": 1");
    } else if (GetParam() == format::xml) {
      crafted.replace(crafted.find("<id>2</id>"), 10, "<id>1</id>");
    } else {
      // the payload starts with the first site (u32 1, u8 origin, [u32 type number]), then the second
      const std::size_t payload = picklejar::detail::fixed_header_bytes + picklejar::detail::get_le(crafted.data() + 12, 4);
      std::string id2(4, '\0');
      picklejar::detail::patch_le(id2, 0, 2, 4);
      id2 += '\0';  // origin 0: an object in this file
      const std::size_t at = crafted.find(id2, payload);
      EXPECT_LT(at, payload + 64);
      picklejar::detail::patch_le(crafted, at, 1, 4);
    }
    return pj_test::reseal(crafted);
  }
  template <class T>
  void expect_type_confusion_refused(const T& original) {
    const std::string crafted = second_claims_first(picklejar::dumps(original, opts()));
    auto failure = pj_test::expect_error(errc::format, [&] { (void)picklejar::loads<T>(crafted); });
    EXPECT_NE(failure.reason().find("object #1 is a"), std::string::npos) << failure.what();
  }
};

TEST_P(HostileCereal870, Attack1AStringReadAsANumber) {
  expect_type_confusion_refused(Attack1{std::make_shared<hostile::Text>(), std::make_shared<hostile::Number>()});
  auto number = std::make_shared<hostile::Number>();
  Attack1Weak weak{std::make_shared<hostile::Text>(), number};
  // a weak_ptr to an object owned outside the graph is written as null; own it through a second field
  struct Owned {
    Attack1Weak graph;
    std::shared_ptr<hostile::Number> owner;
    PICKLEJAR_FIELDS(graph, owner)
  };
  expect_type_confusion_refused(Owned{weak, number});
}

TEST_P(HostileCereal870, Attack2AVtableFromAPlainObject) {
  expect_type_confusion_refused(Attack2{std::make_shared<hostile::Number>(), std::make_shared<hostile::Action>()});
  expect_type_confusion_refused(Attack2{std::make_shared<hostile::Number>(), std::make_shared<hostile::Callable>()});
}

TEST_P(HostileCereal870, Attack2AnObjectOfAnotherRegisteredHierarchy) {
  expect_type_confusion_refused(
      Attack2Registered{std::make_shared<hostile::Impostor>(), std::make_shared<hostile::Action>()});
}

// The registry creates only registered names, and only as a subtype of the pointer's type: a new
// object named as a type of another hierarchy is refused before anything is read into it.
struct Attack2Shared {
  std::shared_ptr<hostile::Callable> callable;
  PICKLEJAR_FIELDS(callable)
};

/// Renames the registered type of the first polymorphic site from `from` to `to`.
std::string with_subtype_name(const std::string& bytes, const std::string& from, const std::string& to) {
  if (!picklejar::detail::looks_binary(bytes)) return pj_test::reseal(replace_first(bytes, from, to));
  // a name is a u32-length string in the site; the lengths differ, so the payload is rebuilt
  std::string old_name, new_name;
  picklejar::detail::put_le(old_name, from.size(), 4);
  old_name += from;
  picklejar::detail::put_le(new_name, to.size(), 4);
  new_name += to;
  const std::size_t payload_at = picklejar::detail::fixed_header_bytes + picklejar::detail::get_le(bytes.data() + 12, 4);
  return with_payload(bytes, replace_first(bytes.substr(payload_at, payload_end(bytes) - payload_at), old_name, new_name));
}

TEST_P(HostileCereal870, ANewObjectNamedAsATypeOfAnotherHierarchy) {
  Attack2Unique unique;
  unique.callable = std::make_unique<hostile::Action>();
  const std::string crafted = with_subtype_name(picklejar::dumps(unique, opts()), "hostile.Action", "hostile.Impostor");
  auto failure = pj_test::expect_error(errc::format, [&] { (void)picklejar::loads<Attack2Unique>(crafted); });
  EXPECT_NE(failure.reason().find("hostile::Impostor"), std::string::npos) << failure.what();
  const std::string shared = with_subtype_name(picklejar::dumps(Attack2Shared{std::make_shared<hostile::Action>()}, opts()),
                                               "hostile.Action", "hostile.Impostor");
  failure = pj_test::expect_error(errc::format, [&] { (void)picklejar::loads<Attack2Shared>(shared); });
  EXPECT_NE(failure.reason().find("hostile::Impostor"), std::string::npos) << failure.what();
  // a name nobody registered is errc::type
  const std::string unknown = with_subtype_name(picklejar::dumps(Attack2Shared{std::make_shared<hostile::Action>()}, opts()),
                                                "hostile.Action", "hostile.Nobody");
  pj_test::expect_error(errc::type, [&] { (void)picklejar::loads<Attack2Shared>(unknown); });
}

PJ_INSTANTIATE_FOR_ALL_FORMATS(HostileCereal870);

// ---- cereal #629: an XML node without a name where a value belongs ----
//
// cereal's XML archive (rapidxml) dereferenced a null name for `<cereal><?>a</?></cereal>`: a
// processing instruction with no target, met where a value was expected. picklejar has its own
// strict parser; here are that input and its relatives (an empty element name, an end tag with
// no name, no value at all, a value that is only a comment, PI or CDATA), each as a valid,
// resealed document and also with the checksum check off.

struct Letter {
  char c = 'q';
  std::int32_t n = 5;
  PICKLEJAR_FIELDS(c, n)
};

TEST(HostileCereal629, AProcessingInstructionWithoutATargetWhereAValueBelongs) {
  const std::string document = picklejar::dumps(Letter{}, {format::xml});
  const std::string value_c = "<c>113</c>";
  ASSERT_NE(document.find(value_c), std::string::npos) << document;
  const std::size_t header_end = document.find("</header>") + 9;
  ASSERT_NE(header_end, std::string::npos + 9);
  const std::string declaration = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  std::vector<std::pair<std::string, std::string>> cases;  // what, document
  for (const std::string& replacement :
       {std::string("<c><?>a</?></c>"),  // the input of #629, inside the field
        std::string("<?>a</?>"),          // in place of the field
        std::string("<c><?></c>"), std::string("<c><?>"),
        std::string("<c><>a</></c>"),     // an element without a name
        std::string("<>113</>"),
        std::string("<c>113</>"),         // an end tag without a name
        std::string("<c/>"),              // no value
        std::string("<c></c>"),
        std::string("<c><!-- 113 --></c>"),    // only a comment
        std::string("<c><?pi 113?></c>"),      // only a processing instruction
        std::string("<c><![CDATA[]]></c>"),    // an empty CDATA section
        std::string("<c><c>113</c></c>"),      // an element where text belongs
        std::string("")}) {                    // the field missing
    cases.emplace_back(replacement, replace_first(document, value_c, replacement));
  }
  cases.emplace_back("an empty root (cereal #690)", declaration + "<picklejar></picklejar>\n");
  cases.emplace_back("#629 as a whole document", declaration + "<picklejar><?>a</?></picklejar>\n");
  cases.emplace_back("a header, then <?>a</?>", document.substr(0, header_end) + "<?>a</?></picklejar>\n");
  cases.emplace_back("a header, then nothing", document.substr(0, header_end) + "</picklejar>\n");
  for (const auto& [what, crafted] : cases) {
    for (bool verify : {true, false}) {
      picklejar::options opts;
      opts.verify_checksum = verify;
      try {
        const Letter loaded = picklejar::loads<Letter>(verify ? pj_test::reseal(crafted) : crafted, opts);
        ADD_FAILURE() << what << " loaded as '" << loaded.c << "'";
      } catch (const picklejar::error& failure) {
        // format; or integrity where no checksum is left to verify but the document parses
        EXPECT_TRUE(failure.code() == errc::format || failure.code() == errc::integrity) << what << ": " << failure.what();
        if (crafted.find(picklejar::detail::text_checksum_prefix) != std::string::npos || !verify) {
          EXPECT_EQ(failure.code(), errc::format) << what << ": " << failure.what();
        }
      }
    }
  }
  // The same shapes in JSON: a key without a name, a value that is not there or of another kind.
  const std::string json = picklejar::dumps(Letter{}, {format::json});
  for (const std::string& replacement : {std::string("\"\": 113"), std::string("\"c\": "), std::string("\"c\": null"),
                                         std::string("\"c\": {}"), std::string("\"c\": []"), std::string("\"c\": \"\"")}) {
    const std::string crafted = pj_test::reseal(replace_first(json, "\"c\": 113", replacement));
    pj_test::expect_error(errc::format, [&] { (void)picklejar::loads<Letter>(crafted); });
  }
}

}  // namespace
