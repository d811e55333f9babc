// Integrity before trust: every file carries an XXH3-64 checksum, verified before anything else
// is read. Every flipped bit and every truncation, anywhere in a file, is an error; inspect()
// reads only the header; verify() checks a whole file without loading it.
#include <picklejar/eigen.hpp>
#include <picklejar/picklejar.hpp>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "test_support.hpp"

namespace {

using picklejar::errc;

struct Small {
  std::vector<float> weights{0.5f, -1.0f, 2.0f};
  std::string name = "small";
  std::shared_ptr<std::vector<int>> shared = std::make_shared<std::vector<int>>(std::vector<int>{7, 8});
  PICKLEJAR_FIELDS(weights, name, shared)
};

struct Weights {
  Eigen::MatrixXf matrix = Eigen::MatrixXf::Constant(64, 64, 1.5f);
  PICKLEJAR_FIELDS(matrix)
};

void write_file(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

class Integrity : public pj_test::FormatTest {};

TEST_P(Integrity, EveryFlippedBitIsAnIntegrityOrHeaderError) {
  const std::string bytes = picklejar::dumps(Small{}, opts());
  std::size_t integrity = 0;
  for (std::size_t at = 0; at < bytes.size(); ++at) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string damaged = bytes;
      damaged[at] = static_cast<char>(damaged[at] ^ (1 << bit));
      try {
        picklejar::loads<Small>(damaged);
        ADD_FAILURE() << "a file with bit " << bit << " of byte " << at << " flipped loaded";
      } catch (const picklejar::error& failure) {
        // integrity, or format when the damage makes the start no longer a picklejar file
        ASSERT_TRUE(failure.code() == errc::integrity || failure.code() == errc::format)
            << "byte " << at << " bit " << bit << ": " << failure.what();
        integrity += failure.code() == errc::integrity;
      }
    }
  }
  EXPECT_GT(integrity, bytes.size() * 8 * 3 / 4) << "most damage is found by the checksum";
}

TEST_P(Integrity, AFlippedPayloadByteIsNamedWithTheFile) {
  pj_test::temp_dir dir;
  std::string bytes = picklejar::dumps(Weights{}, opts());
  bytes[bytes.size() * 2 / 3] ^= 0x10;  // deep inside the numbers
  write_file(dir / "weights.pj", bytes);
  auto failure = pj_test::expect_error(errc::integrity, [&] { picklejar::load<Weights>(dir / "weights.pj"); });
  EXPECT_EQ(failure.file(), (dir / "weights.pj").string());
  EXPECT_NE(failure.reason().find("checksum"), std::string::npos) << failure.what();
  pj_test::expect_error(errc::integrity, [&] { picklejar::verify(dir / "weights.pj"); });
  // loading it anyway is possible, and deliberate (a damaged number in binary still parses)
  if (!is_text()) {
    EXPECT_NO_THROW(picklejar::load<Weights>(dir / "weights.pj", pj_test::unverified()));
  }
}

TEST_P(Integrity, VerifyChecksAWholeFileWithoutLoadingIt) {
  pj_test::temp_dir dir;
  picklejar::options with_metadata = opts();
  with_metadata.metadata["epoch"] = "12";
  picklejar::save(Small{}, dir / "small.pj", with_metadata);
  const picklejar::file_info info = picklejar::verify(dir / "small.pj");
  EXPECT_EQ(info.format, GetParam());
  EXPECT_EQ(info.type_name, picklejar::detail::type_name<Small>());
  EXPECT_EQ(info.metadata.at("epoch"), "12");
  EXPECT_EQ(info.checksum.rfind("xxh3-64:", 0), 0u) << info.checksum;
  EXPECT_EQ(info.checksum.size(), 8u + 16u);
  EXPECT_EQ(picklejar::inspect(dir / "small.pj").checksum, info.checksum);
}

TEST_P(Integrity, EveryTruncationIsAnError) {
  const std::string bytes = picklejar::dumps(Weights{}, opts());
  for (std::size_t length : {std::size_t{0}, std::size_t{1}, std::size_t{39}, std::size_t{40}, bytes.size() / 2,
                             bytes.size() - 2}) {
    try {
      picklejar::loads<Weights>(std::string_view(bytes).substr(0, length));
      ADD_FAILURE() << "a prefix of " << length << " bytes loaded";
    } catch (const picklejar::error& failure) {
      EXPECT_TRUE(failure.code() == errc::integrity || failure.code() == errc::format) << failure.what();
    }
  }
}

PJ_INSTANTIATE_FOR_ALL_FORMATS(Integrity);

TEST(Inspect, ReadsOnlyTheHeaderOfABinaryFile) {
  pj_test::temp_dir dir;
  picklejar::options opts;
  opts.metadata["note"] = "header only";
  std::string bytes = picklejar::dumps(Weights{}, opts);
  const picklejar::file_info intact = picklejar::inspect([&] {
    write_file(dir / "intact.pj", bytes);
    return dir / "intact.pj";
  }());
  // A damaged payload does not stop inspect(), which never reads it; verify() finds it.
  bytes[intact.header_bytes + intact.payload_bytes - 5] ^= 0x01;
  write_file(dir / "damaged.pj", bytes);
  const picklejar::file_info info = picklejar::inspect(dir / "damaged.pj");
  EXPECT_EQ(info.metadata.at("note"), "header only");
  EXPECT_EQ(info.payload_bytes, intact.payload_bytes);
  EXPECT_EQ(info.file_bytes, bytes.size());
  EXPECT_EQ(info.header_bytes + info.payload_bytes + info.trailer_bytes, info.file_bytes);
  EXPECT_EQ(info.trailer_bytes, intact.trailer_bytes);
  pj_test::expect_error(errc::integrity, [&] { picklejar::verify(dir / "damaged.pj"); });
  // a file cut short is still noticed from its header
  write_file(dir / "short.pj", bytes.substr(0, bytes.size() - 100));
  pj_test::expect_error(errc::integrity, [&] { picklejar::inspect(dir / "short.pj"); });
}

TEST(Inspect, AFileFromBeforeChecksumsIsRefusedUnlessVerificationIsOff) {
  std::string bytes = picklejar::dumps(Small{});
  std::memset(&bytes[24], 0, 16);  // checksum kind "none", checksum zero
  auto failure = pj_test::expect_error(errc::integrity, [&] { picklejar::loads<Small>(bytes); });
  EXPECT_NE(failure.reason().find("no checksum"), std::string::npos) << failure.what();
  EXPECT_EQ(picklejar::loads<Small>(bytes, pj_test::unverified()).name, "small");
}

TEST(Inspect, AJsonDocumentWithoutAChecksumIsRefused) {
  std::string json = picklejar::dumps(Small{}, {picklejar::format::json});
  const auto at = json.find("xxh3-64:");
  json.replace(at, 8, "sha0-64:");  // no longer a checksum picklejar knows
  pj_test::expect_error(errc::integrity, [&] { picklejar::loads<Small>(json); });
  EXPECT_EQ(picklejar::loads<Small>(json, pj_test::unverified()).name, "small");
}

}  // namespace
