// Inputs the fuzz targets (fuzz/, scripts/fuzz.sh) found, each kept as a regression test: the
// minimized file as a byte-string literal, sealed with a valid checksum so that the default
// options reach the code that failed. Each test names the finding and the fix.
#include <picklejar/eigen.hpp>
#include <picklejar/picklejar.hpp>

#include <array>
#include <cstddef>
#include <optional>
#include <string>

#include "reference_model.hpp"
#include "test_support.hpp"

namespace fuzz_regressions {

struct OptionalField {
  std::optional<int> patience;
  PICKLEJAR_FIELDS(patience)
};

struct BoolBlock {
  std::array<bool, 3> flags{};
  PICKLEJAR_FIELDS(flags)
};

struct SparseField {
  Eigen::SparseMatrix<float> table;
  PICKLEJAR_FIELDS(table)
};

struct EmptyWeights {
  Eigen::MatrixXf weights;
  Eigen::VectorXd bias;
  PICKLEJAR_FIELDS(weights, bias)
};

}  // namespace fuzz_regressions

namespace {

using namespace fuzz_regressions;

/// The bytes of a string literal, embedded zeros included.
template <std::size_t N>
std::string bytes_of(const char (&literal)[N]) {
  return std::string(literal, N - 1);
}

// Finding 1 (binary target, UBSan, in the first seconds): saving an empty Eigen matrix passed
// its null data() to memcpy with a size of 0 (output_sink::write), which is undefined behaviour.
// Fixed: output_sink::write returns at once for an empty block. The input is a valid file; the
// test saves what it loads, which UBSan flags without the fix (the sanitizer CI build).
TEST(FuzzRegressions, EmptyMatricesSaveWithoutPassingNullToMemcpy) {
  const std::string file = bytes_of(
      "\x89\x50\x4a\x41\x52\x0d\x0a\x1a\x02\x00\x01\x01\x26\x00\x00\x00"
      "\x22\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00"
      "\x7d\x69\x5f\x48\x07\x54\x8d\x86\x1e\x00\x00\x00\x66\x75\x7a\x7a"
      "\x5f\x72\x65\x67\x72\x65\x73\x73\x69\x6f\x6e\x73\x3a\x3a\x45\x6d"
      "\x70\x74\x79\x57\x65\x69\x67\x68\x74\x73\x00\x00\x00\x00\x00\x00"
      "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
      "\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00");
  const auto loaded = picklejar::loads<EmptyWeights>(file);
  EXPECT_EQ(loaded.weights.size(), 0);
  EXPECT_EQ(loaded.bias.size(), 0);
  for (const auto fmt : pj_test::all_formats) {
    const auto again = pj_test::round_trip(loaded, fmt);
    EXPECT_EQ(again.weights.size(), 0) << picklejar::to_string(fmt);
  }
  // Saved again (in the current container version, which pads matrix data and indexes it), it
  // loads back and saves to the same bytes.
  const std::string saved = picklejar::dumps(loaded);
  EXPECT_EQ(picklejar::detail::get_le(saved.data() + 8, 2), picklejar::detail::container_version);
  EXPECT_EQ(picklejar::dumps(picklejar::loads<EmptyWeights>(saved)), saved);
}

// Finding 2 (binary target, UBSan "load of value 148, which is not a valid value for type
// 'bool'" in cereal/types/optional.hpp): the binary archive copied a byte of the file into a bool
// as it was; any byte but 0 or 1 makes a bool whose every use is undefined. Fixed in picklejar's
// binary archive: a bool is read as a byte and anything but 0 or 1 is errc::format (also for
// blocks of bools, below). Minimized: a std::optional whose "empty" flag is 0x94.
TEST(FuzzRegressions, BinaryBoolThatIsNeitherZeroNorOneIsRefused) {
  const std::string file = bytes_of(
      "\x89\x50\x4a\x41\x52\x0d\x0a\x1a\x02\x00\x01\x01\x27\x00\x00\x00"
      "\x01\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00"
      "\x58\xc4\x90\x62\x81\xd3\x85\xc8\x1f\x00\x00\x00\x66\x75\x7a\x7a"
      "\x5f\x72\x65\x67\x72\x65\x73\x73\x69\x6f\x6e\x73\x3a\x3a\x4f\x70"
      "\x74\x69\x6f\x6e\x61\x6c\x46\x69\x65\x6c\x64\x00\x00\x00\x00\x94");
  const auto failure =
      pj_test::expect_error(picklejar::errc::format, [&] { (void)picklejar::loads<OptionalField>(file); });
  EXPECT_NE(failure.reason().find("found the byte 148"), std::string::npos) << failure.what();
  EXPECT_EQ(failure.field_path(), "OptionalField.patience.nullopt");
}

// The same, for a block of bools moved in one piece (std::array<bool, N>, Eigen arrays of bool):
// the second flag is the byte 2.
TEST(FuzzRegressions, BinaryBoolBlockWithAnInvalidByteIsRefused) {
  const std::string file = bytes_of(
      "\x89\x50\x4a\x41\x52\x0d\x0a\x1a\x02\x00\x01\x01\x23\x00\x00\x00"
      "\x03\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00"
      "\x6d\xae\x14\x8c\x6a\x81\xef\x41\x1b\x00\x00\x00\x66\x75\x7a\x7a"
      "\x5f\x72\x65\x67\x72\x65\x73\x73\x69\x6f\x6e\x73\x3a\x3a\x42\x6f"
      "\x6f\x6c\x42\x6c\x6f\x63\x6b\x00\x00\x00\x00\x00\x02\x00");
  const auto failure =
      pj_test::expect_error(picklejar::errc::format, [&] { (void)picklejar::loads<BoolBlock>(file); });
  EXPECT_NE(failure.reason().find("found the byte 2"), std::string::npos) << failure.what();
}

// Finding 3 (binary target, ASan heap-buffer-overflow in load_sparse): the outer starts of a
// sparse matrix were checked for order one column at a time, inside the loop that reads the inner
// indices up to the next start; a start beyond the non-zeros followed by a smaller one
// ([0, 5, 1] for one non-zero) read inner indices past the end before the decrease was seen.
// Fixed: every outer start is checked before any is used as a bound. Minimized: a 2x2 matrix
// with one non-zero and outer starts [0, 5, 1].
TEST(FuzzRegressions, SparseOuterStartsBeyondTheNonZerosAreRefusedBeforeUse) {
  const std::string file = bytes_of(
      "\x89\x50\x4a\x41\x52\x0d\x0a\x1a\x02\x00\x01\x01\x25\x00\x00\x00"
      "\x2d\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00"
      "\xb3\x1c\xca\x26\xd7\x5f\x45\x60\x1d\x00\x00\x00\x66\x75\x7a\x7a"
      "\x5f\x72\x65\x67\x72\x65\x73\x73\x69\x6f\x6e\x73\x3a\x3a\x53\x70"
      "\x61\x72\x73\x65\x46\x69\x65\x6c\x64\x00\x00\x00\x00\x02\x00\x00"
      "\x00\x00\x00\x00\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00"
      "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x05\x00\x00\x00\x01\x00"
      "\x00\x00\x00\x00\x00\x00\x00\x00\x80\x3f");
  const auto failure =
      pj_test::expect_error(picklejar::errc::format, [&] { (void)picklejar::loads<SparseField>(file); });
  EXPECT_NE(failure.reason().find("outer starts decrease"), std::string::npos) << failure.what();
}

// The same outer starts in a JSON document (the text archives share load_sparse).
TEST(FuzzRegressions, SparseOuterStartsBeyondTheNonZerosAreRefusedInJson) {
  const std::string document = R"({
  "header": {"format": "picklejar", "container_version": 2, "type": "fuzz_regressions::SparseField"},
  "value": {"table": {"rows": 2, "cols": 2, "row_major": false, "nonzeros": 1,
                      "outer_starts": [0, 5, 1], "inner_indices": [0], "values": [1]}}
})";
  const auto failure = pj_test::expect_error(
      picklejar::errc::format, [&] { (void)picklejar::loads<SparseField>(document, pj_test::unverified()); });
  EXPECT_NE(failure.reason().find("outer starts decrease"), std::string::npos) << failure.what();
}

// The reference model that the fuzz targets load (tests/reference_model.hpp) round-trips in
// every format, graph shape included: the seeds the fuzzers start from are sound.
TEST(FuzzRegressions, ReferenceModelRoundTripsInEveryFormat) {
  const reference_model::Model model = reference_model::make_reference_model();
  for (const auto fmt : pj_test::all_formats) {
    const reference_model::Model loaded = picklejar::loads<reference_model::Model>(picklejar::dumps(model, fmt));
    EXPECT_EQ(reference_model::difference(model, loaded), "") << picklejar::to_string(fmt);
    ASSERT_TRUE(loaded.tokenizer);
    EXPECT_TRUE(loaded.tokenizer->was_loaded()) << "after_load() runs";
    EXPECT_EQ(loaded.tokenizer->id("cat"), 2) << "set_state() rebuilds the index";
    EXPECT_EQ(loaded.normalizer.inverse_scale.size(), 4) << "after_load() derives the transient member";
  }
}

}  // namespace
