// Errors: every failure is a picklejar::error with a kind, the file and the field path; damaged,
// truncated and hostile input never crashes, hangs or allocates what the input cannot hold.
#include <picklejar/picklejar.hpp>

#include <algorithm>
#include <fstream>
#include <memory>

#include "test_support.hpp"

namespace {

using pj_test::expect_error;
using pj_test::FormatTest;
using picklejar::errc;

struct Adam {
  std::vector<float> m{0.5f, 1.5f, 2.5f, 3.5f};
  std::vector<float> v{1, 2};
  PICKLEJAR_FIELDS(m, v)
};

struct Classifier {
  std::string name = "clf";
  Adam optimizer_;
  std::int8_t small = 1;
  PICKLEJAR_FIELDS(name, optimizer_, small)
};

std::string replace_once(std::string text, const std::string& from, const std::string& to) {
  auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from << " not in " << text;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

TEST(ErrorMessages, NameTheFileAndTheFieldPath) {
  pj_test::temp_dir dir;
  std::string json = picklejar::dumps(Classifier{}, {picklejar::format::json});
  json = pj_test::reseal(replace_once(json, "3.5", "\"oops\""));
  {
    std::ofstream out(dir / "clf.json", std::ios::binary);
    out << json;
  }
  auto error = expect_error(errc::format, [&] { picklejar::load<Classifier>(dir / "clf.json"); });
  EXPECT_EQ(error.field_path(), "Classifier.optimizer_.m[3]");
  EXPECT_EQ(error.file(), (dir / "clf.json").string());
  std::string message = error.what();
  EXPECT_NE(message.find("[picklejar.error.format]"), std::string::npos) << message;
  EXPECT_NE(message.find("clf.json"), std::string::npos) << message;
  EXPECT_NE(message.find("Classifier.optimizer_.m[3]"), std::string::npos) << message;
  EXPECT_NE(message.find("expected a number"), std::string::npos) << message;
}

TEST(ErrorMessages, NumbersThatDoNotFitTheirTypeAndMissingFields) {
  std::string json = picklejar::dumps(Classifier{}, {picklejar::format::json});
  auto too_big = expect_error(errc::format, [&] {
    picklejar::loads<Classifier>(pj_test::reseal(replace_once(json, "\"small\": 1", "\"small\": 300")));
  });
  EXPECT_EQ(too_big.field_path(), "Classifier.small");
  auto missing = expect_error(errc::format, [&] {
    picklejar::loads<Classifier>(pj_test::reseal(replace_once(json, "\"name\": \"clf\",", "")));
  });
  EXPECT_NE(std::string(missing.what()).find("'name' is missing"), std::string::npos) << missing.what();
  expect_error(errc::format, [&] {
    picklejar::loads<Classifier>(pj_test::reseal(replace_once(json, "\"name\": \"clf\"", "\"name\": 12")));
  });
}

TEST(ErrorMessages, BinaryPathsToo) {
  Classifier clf;
  std::string bytes = picklejar::dumps(clf);
  // Claim more elements of optimizer_.v than the bytes left could hold (beyond the allowance for
  // elements written as nothing): the size of v sits before its data.
  std::string tail(reinterpret_cast<const char*>(clf.optimizer_.v.data()), 2 * sizeof(float));
  auto at = bytes.rfind(tail);
  ASSERT_NE(at, std::string::npos);
  bytes[at - 8] = 0;
  bytes[at - 6] = 0x10;  // 2^20 elements
  auto error = expect_error(errc::limit, [&] { picklejar::loads<Classifier>(pj_test::reseal(bytes)); });
  EXPECT_EQ(error.field_path(), "Classifier.optimizer_.v") << error.what();
}

TEST(Errors, KindsAreDistinctAndNamed) {
  EXPECT_STREQ(picklejar::to_string(errc::io), "io");
  EXPECT_STREQ(picklejar::to_string(errc::format), "format");
  EXPECT_STREQ(picklejar::to_string(errc::integrity), "integrity");
  EXPECT_STREQ(picklejar::to_string(errc::limit), "limit");
  EXPECT_STREQ(picklejar::to_string(errc::type), "type");
  EXPECT_STREQ(picklejar::to_string(errc::version), "version");
  picklejar::error error(errc::limit, "too big", "f.pj", "A.b");
  const std::runtime_error& base = error;
  EXPECT_STREQ(base.what(), "[picklejar.error.limit] f.pj: A.b: too big");
}

TEST(Errors, FilesThatAreNotThere) {
  pj_test::temp_dir dir;
  auto missing = expect_error(errc::io, [&] { picklejar::load<Classifier>(dir / "nope.pj"); });
  EXPECT_NE(std::string(missing.what()).find("nope.pj"), std::string::npos);
  expect_error(errc::io, [&] { picklejar::load<Classifier>(dir.path()); });
  expect_error(errc::io, [&] { picklejar::save(Classifier{}, dir / "no-such-dir" / "x.pj"); });
  expect_error(errc::io, [&] { picklejar::inspect(dir / "nope.pj"); });
}

TEST(Errors, NotPicklejarData) {
  expect_error(errc::integrity, [] { picklejar::loads<Classifier>(""); });  // truncated to nothing
  expect_error(errc::format, [] { picklejar::loads<Classifier>("hello"); });
  expect_error(errc::format, [] { picklejar::loads<Classifier>("{\"a\": 1}"); });
  expect_error(errc::format, [] { picklejar::loads<Classifier>("<a>1</a>"); });
  expect_error(errc::format, [] { picklejar::loads<Classifier>("{\"header\": {\"format\": \"other\"}}"); });
}

TEST(Errors, BinaryContainerDamage) {
  std::string bytes = picklejar::dumps(Classifier{});
  expect_error(errc::integrity, [&] { picklejar::loads<Classifier>(bytes.substr(0, bytes.size() - 1)); });
  expect_error(errc::integrity, [&] { picklejar::loads<Classifier>(bytes + "x"); });
  expect_error(errc::integrity, [&] { picklejar::loads<Classifier>(bytes.substr(0, 20)); });
  std::string newer = bytes;
  newer[8] = 9;  // container version: damage, unless the checksum says it was written that way
  auto damaged = expect_error(errc::integrity, [&] { picklejar::loads<Classifier>(newer); });
  EXPECT_NE(std::string(damaged.what()).find("newer picklejar (container version 9)"), std::string::npos);
  auto version = expect_error(errc::version, [&] { picklejar::loads<Classifier>(pj_test::reseal(newer)); });
  EXPECT_NE(std::string(version.what()).find("9"), std::string::npos);
  std::string unknown_format = bytes;
  unknown_format[10] = 77;
  expect_error(errc::integrity, [&] { picklejar::loads<Classifier>(unknown_format); });
  expect_error(errc::format, [&] { picklejar::loads<Classifier>(pj_test::reseal(unknown_format)); });
}

// Every prefix of a valid file is rejected with a picklejar::error, in every format.
class Truncation : public FormatTest {};

TEST_P(Truncation, EveryPrefixIsAnError) {
  Classifier clf;
  const std::string bytes = picklejar::dumps(clf, opts());
  for (std::size_t length = 0; length < bytes.size(); ++length) {
    // an exact-size copy, so a sanitizer would catch any read past the end
    std::unique_ptr<char[]> copy(new char[length + 1]);
    std::memcpy(copy.get(), bytes.data(), length);
    std::string_view prefix(copy.get(), length);
    try {
      Classifier loaded = picklejar::loads<Classifier>(prefix);
      // A text prefix can only load if all that was cut is trailing whitespace.
      EXPECT_TRUE(is_text() && bytes.find_first_not_of(" \n", length) == std::string::npos)
          << "prefix of " << length << " bytes loaded";
    } catch (const picklejar::error& failure) {
      EXPECT_TRUE(failure.code() == errc::format || failure.code() == errc::integrity ||
                  failure.code() == errc::limit)
          << failure.what();
    }
  }
}

PJ_INSTANTIATE_FOR_ALL_FORMATS(Truncation);

// Claims of enormous sizes in small inputs fail at once, without allocating them.
struct Strings {
  std::vector<std::string> items{"a", "bb"};
  PICKLEJAR_FIELDS(items)
};

TEST(HostileInput, SizeClaimsBeyondTheInputFailFast) {
  std::string bytes = picklejar::dumps(Strings{});
  // items: u64 count (2), then each string: u64 length + bytes
  auto count_at = bytes.size() - (8 + 8 + 1 + 8 + 2);
  for (std::uint64_t claim : {std::uint64_t{1} << 31, std::uint64_t{1} << 40, ~std::uint64_t{0},
                              std::uint64_t{1} << 63}) {
    std::string hostile = bytes;
    std::memcpy(&hostile[count_at], &claim, sizeof claim);
    expect_error(errc::limit, [&] { picklejar::loads<Strings>(pj_test::reseal(hostile)); });
    // and the claimed length of one string
    std::string hostile_string = bytes;
    std::memcpy(&hostile_string[count_at + 8], &claim, sizeof claim);
    expect_error(errc::limit, [&] { picklejar::loads<Strings>(pj_test::reseal(hostile_string)); });
  }
}

// An element can take far more memory than file bytes (here 4 KiB against 8). A count is only
// checked against the bytes left, so the vector must grow with the elements that are really
// there, never be sized by the claim. The allocator records every block asked for.
using pj_test::recording_allocator;

struct Wide {
  std::string tag;
  std::array<double, 512> scratch{};  // never saved
  PICKLEJAR_FIELDS(tag)
};

struct ManyWide {
  std::vector<Wide, recording_allocator<Wide>> items;
  PICKLEJAR_FIELDS(items)
};

TEST(HostileInput, AllocationFollowsTheDataNotTheClaim) {
  ManyWide many;
  many.items.resize(100);
  const std::string bytes = picklejar::dumps(many);
  // the count sits just before the 100 elements of 8 bytes (an empty string's length) each
  const std::size_t count_at = bytes.size() - 100 * 8 - 8;
  std::uint64_t count = 0;
  std::memcpy(&count, &bytes[count_at], sizeof count);
  ASSERT_EQ(count, 100u);
  const std::uint64_t claim = 100 * 8;  // as many elements as there are bytes left: passes the count check
  std::string hostile = bytes;
  std::memcpy(&hostile[count_at], &claim, sizeof claim);
  pj_test::allocated_bytes.clear();
  pj_test::expect_error(errc::format, [&] { picklejar::loads<ManyWide>(pj_test::reseal(hostile)); });
  ASSERT_FALSE(pj_test::allocated_bytes.empty());
  const std::size_t largest_allocation =
      *std::max_element(pj_test::allocated_bytes.begin(), pj_test::allocated_bytes.end());
  EXPECT_LT(largest_allocation, claim * sizeof(Wide) / 2)
      << "the vector was sized by the claim of " << claim << " elements";
  EXPECT_GE(largest_allocation, 100 * sizeof(Wide)) << "the 100 real elements were read";
}

// A text document's tree takes far more memory than its text; max_bytes bounds the tree too.
TEST(HostileInput, MaxMemoryBoundsTheParsedTreeOfTextDocuments) {
  struct Numbers {
    std::vector<int> values = std::vector<int>(20000, 0);
    PICKLEJAR_FIELDS(values)
  };
  for (auto fmt : {picklejar::format::json, picklejar::format::xml}) {
    const std::string text = picklejar::dumps(Numbers{}, {fmt});
    picklejar::options tight;
    tight.max_memory = 4 * text.size();  // room for the text, not for a tree of 20,000 nodes
    auto failure = expect_error(errc::limit, [&] { picklejar::loads<Numbers>(text, tight); });
    EXPECT_NE(failure.reason().find("max_memory"), std::string::npos) << failure.what();
    EXPECT_EQ(picklejar::loads<Numbers>(text).values.size(), 20000u);
  }
}

TEST(HostileInput, MaxBytes) {
  std::string bytes = picklejar::dumps(Strings{});
  picklejar::options tight;
  tight.max_bytes = 10;
  expect_error(errc::limit, [&] { picklejar::loads<Strings>(bytes, tight); });
  pj_test::temp_dir dir;
  picklejar::save(Strings{}, dir / "s.pj");
  expect_error(errc::limit, [&] { picklejar::load<Strings>(dir / "s.pj", tight); });
}

struct Node {
  int value = 0;
  std::unique_ptr<Node> next;
  PICKLEJAR_FIELDS(value, next)
};

class Depth : public FormatTest {};

// Nesting by value still nests (pointers do not: see test_object_graphs.cpp).
struct Tree {
  int value = 0;
  std::vector<Tree> children;
  PICKLEJAR_FIELDS(value, children)
};

TEST_P(Depth, NestingBeyondMaxDepthIsALimitError) {
  Tree root;
  Tree* tail = &root;
  for (int i = 0; i < 100; ++i) {
    tail->children.emplace_back();
    tail = &tail->children.back();
    tail->value = i + 1;
  }
  std::string bytes = picklejar::dumps(root, opts());
  picklejar::options shallow;
  shallow.max_depth = 50;
  expect_error(errc::limit, [&] { picklejar::loads<Tree>(bytes, shallow); });
  Tree loaded = picklejar::loads<Tree>(bytes);  // the default limit is generous enough
  int length = 0;
  for (const Tree* n = &loaded; !n->children.empty(); n = &n->children.front()) ++length;
  EXPECT_EQ(length, 100);
}

PJ_INSTANTIATE_FOR_ALL_FORMATS(Depth);

TEST(HostileInput, DeeplyNestedTextNeverOverflowsTheStack) {
  std::string json = "{\"header\": {\"format\": \"picklejar\", \"container_version\": 1, \"type\": \"Node\"}, "
                     "\"value\": " + std::string(1000000, '[') + std::string(1000000, ']') + "}";
  expect_error(errc::limit, [&] { picklejar::loads<Node>(json); });
  std::string xml = "<picklejar><header><format>picklejar</format></header><value>";
  for (int i = 0; i < 100000; ++i) xml += "<a>";
  expect_error(errc::limit, [&] { picklejar::loads<Node>(xml); });
}

TEST(HostileInput, MalformedJsonIsAnErrorNeverAnAbort) {
  const std::string valid = picklejar::dumps(Classifier{}, {picklejar::format::json});
  for (const char* bad : {"{", "{\"header\": ", "{\"header\": {\"format\": \"picklejar\",}", "{]", "{\"a\" 1}",
                          "{\"value\": 1e999999}", "\x01\x02", "{\"header\": nul}"}) {
    expect_error(errc::format, [&] { picklejar::loads<Classifier>(bad); });
  }
  // flip every byte of a valid document to each of a few troublesome characters
  for (std::size_t i = 0; i < valid.size(); ++i) {
    for (char replacement : {'"', '{', '[', '\\', 'x', '\0'}) {
      std::string mutated = valid;
      mutated[i] = replacement;
      try {
        (void)picklejar::loads<Classifier>(mutated);
      } catch (const picklejar::error&) {
      }
    }
  }
}

struct LayerBase {
  virtual ~LayerBase() = default;
  int units = 0;
  PICKLEJAR_FIELDS(units)
};
struct UnregisteredDense : LayerBase {
  std::vector<float> weights{1, 2};
  PICKLEJAR_FIELDS(units, weights)
};
struct Network {
  std::unique_ptr<LayerBase> layer;
  PICKLEJAR_FIELDS(layer)
};

// A derived object behind a base pointer is never silently saved as its base.
TEST(Errors, AnUnregisteredDerivedTypeIsAnErrorOnSave) {
  Network network;
  network.layer = std::make_unique<UnregisteredDense>();
  auto error = expect_error(errc::type, [&] { (void)picklejar::dumps(network); });
  EXPECT_NE(std::string(error.what()).find("UnregisteredDense"), std::string::npos) << error.what();
  pj_test::temp_dir dir;
  expect_error(errc::type, [&] { picklejar::save(network, dir / "net.pj"); });
  EXPECT_TRUE(dir.file_names().empty()) << "no file, and no temporary file, is left behind";
}

struct Samples {
  std::vector<float> values{1.0f, 2.0f, 3.0f};
  std::string label = "x";
  PICKLEJAR_FIELDS(values, label)
};

// "the data ends inside an array", not "inside a array" (issue 15): every kind carries its article.
TEST(ErrorMessages, ACountBeyondTheDataSaysWhatItEndsInside) {
  for (const picklejar::format fmt : {picklejar::format::binary, picklejar::format::portable_binary}) {
    std::string bytes = picklejar::dumps(Samples{}, picklejar::options(fmt));
    std::string three(8, '\0');
    three[0] = 3;  // the vector's count, little-endian, before its first float
    const std::size_t at = bytes.find(three + std::string("\x00\x00\x80\x3f", 4));
    ASSERT_NE(at, std::string::npos);
    bytes[at] = 100;
    const auto error = expect_error(errc::format, [&] { (void)picklejar::loads<Samples>(pj_test::reseal(bytes)); });
    EXPECT_NE(std::string(error.what()).find("the data ends inside an array: it needs 400 bytes"), std::string::npos)
        << error.what();
    EXPECT_EQ(error.field_path(), "Samples.values");
  }
}

}  // namespace
