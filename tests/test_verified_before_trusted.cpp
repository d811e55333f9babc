// "load verifies the checksum before it trusts a byte": no user code of any kind (load_minimal,
// comparators, hash functions, constructors built from data, set_state, from_state, after_load,
// a class's own cereal functions) runs on the data of a damaged file. Every payload byte of a
// saved file is flipped in turn, in every format; each load must fail with errc::integrity while
// a recorder counts every call into user code that sees loaded data.

#include <gtest/gtest.h>

#include <cstddef>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "picklejar/picklejar.hpp"
#include "test_support.hpp"

namespace {

int user_calls = 0;  // every call into user code that sees loaded data

// An enum-like value class read through cereal's load_minimal.
struct Level {
  int value = 0;
  template <class Archive>
  int save_minimal(const Archive&) const {
    return value;
  }
  template <class Archive>
  void load_minimal(const Archive&, const int& saved) {
    ++user_calls;
    value = saved;
  }
};

// A real enum with free minimal functions: no class, so nothing of picklejar's runs around it.
enum class Color : int { red = 1, green = 2 };
template <class Archive>
int save_minimal(const Archive&, const Color& color) {
  return static_cast<int>(color);
}
template <class Archive>
void load_minimal(const Archive&, Color& color, const int& saved) {
  ++user_calls;
  color = static_cast<Color>(saved);
}

struct Key {
  int id = 0;
  PICKLEJAR_FIELDS(id)
};
bool operator<(const Key& a, const Key& b) {
  ++user_calls;
  return a.id < b.id;
}
bool operator==(const Key& a, const Key& b) {
  ++user_calls;
  return a.id == b.id;
}
struct KeyHash {
  std::size_t operator()(const Key& key) const {
    ++user_calls;
    return std::hash<int>()(key.id);
  }
};

// Built from its state: from_state is a constructor that sees data.
class Built {
 public:
  struct State {
    int seed = 0;
    PICKLEJAR_FIELDS(seed)
  };
  explicit Built(int seed) : seed_(seed) {}
  State get_state() const { return {seed_}; }
  static Built from_state(State state) {
    ++user_calls;
    return Built(state.seed);
  }
  int seed() const { return seed_; }

 private:
  int seed_;
};

class Hooked {
 public:
  struct State {
    std::vector<double> values;
    PICKLEJAR_FIELDS(values)
  };
  State get_state() const { return {values_}; }
  void set_state(State state) {
    ++user_calls;
    values_ = std::move(state.values);
  }

 private:
  std::vector<double> values_{1.5, -2.25};
};

// A class with its own cereal function.
struct OwnCereal {
  int a = 7;
  template <class Archive>
  void save(Archive& archive) const {
    archive(cereal::make_nvp("a", a));
  }
  template <class Archive>
  void load(Archive& archive) {
    ++user_calls;
    archive(cereal::make_nvp("a", a));
  }
};

// Default-constructed empty, so that constructing one calls no comparator: the recorder then
// counts only what a load does.
struct Everything {
  Color color = Color::red;
  Level level;
  std::map<Key, int> by_key;
  std::set<Key> keys;
  std::unordered_map<Key, int, KeyHash> hashed;
  std::unordered_set<Key, KeyHash> hashed_set;
  std::shared_ptr<Built> built;
  Hooked hooked;
  OwnCereal own;
  std::string text = "damage";
  void after_load() { ++user_calls; }
  PICKLEJAR_FIELDS(color, by_key, keys, hashed, hashed_set, built, hooked, level, own, text)
};

Everything make_everything() {
  Everything value;
  value.level.value = 42;
  value.color = Color::green;
  value.by_key = {{Key{2147483647}, 1}, {Key{3}, 2}};
  value.keys = {Key{5}, Key{6}};
  value.hashed = {{Key{9}, 1}};
  value.hashed_set = {Key{10}};
  value.built = std::make_shared<Built>(11);
  return value;
}

class VerifiedBeforeTrusted : public pj_test::FormatTest {};

// The range of bytes the checksum alone protects: a binary file's payload, a text document's
// bytes after its header's checksum field.
std::pair<std::size_t, std::size_t> payload_range(const std::string& bytes, picklejar::format fmt) {
  if (fmt == picklejar::format::binary || fmt == picklejar::format::portable_binary) {
    const picklejar::file_info info = [&] {
      pj_test::temp_dir dir;
      const auto path = dir / "file.pj";
      std::ofstream(path, std::ios::binary) << bytes;
      return picklejar::inspect(path);
    }();
    return {static_cast<std::size_t>(info.header_bytes),
            static_cast<std::size_t>(info.header_bytes + info.payload_bytes)};
  }
  const std::size_t at = bytes.find(picklejar::detail::text_checksum_prefix);
  return {at + picklejar::detail::text_checksum_prefix.size() + picklejar::detail::text_checksum_digits,
          bytes.size()};
}

TEST_P(VerifiedBeforeTrusted, NoUserCodeSeesAFlippedPayloadByte) {
  const std::string bytes = picklejar::dumps(make_everything(), opts());
  user_calls = 0;
  const auto loaded = picklejar::loads<Everything>(bytes);  // the recorder works
  EXPECT_GT(user_calls, 5);
  EXPECT_EQ(loaded.level.value, 42);
  const auto [first, last] = payload_range(bytes, GetParam());
  ASSERT_LT(first, last);
  for (std::size_t at = first; at < last; ++at) {
    std::string damaged = bytes;
    damaged[at] = static_cast<char>(damaged[at] ^ 0x5A);
    user_calls = 0;
    try {
      (void)picklejar::loads<Everything>(damaged);
      ADD_FAILURE() << "a file with byte " << at << " flipped loaded";
    } catch (const picklejar::error& failure) {
      EXPECT_EQ(failure.code(), picklejar::errc::integrity) << "byte " << at << ": " << failure.what();
    }
    EXPECT_EQ(user_calls, 0) << "user code ran on unverified data (byte " << at << " flipped)";
    Everything existing;
    user_calls = 0;
    EXPECT_THROW(picklejar::loads(existing, damaged), picklejar::error);
    EXPECT_EQ(user_calls, 0) << "user code ran on unverified data (byte " << at << ", into an object)";
    if (::testing::Test::HasFailure()) return;  // one report is enough
  }
}

TEST_P(VerifiedBeforeTrusted, StreamAndFileLoadsVerifyFirstToo) {
  std::string bytes = picklejar::dumps(make_everything(), opts());
  const auto [first, last] = payload_range(bytes, GetParam());
  bytes[(first + last) / 2] ^= 0x21;
  user_calls = 0;
  std::istringstream in(bytes);
  pj_test::expect_error(picklejar::errc::integrity, [&] { (void)picklejar::load<Everything>(in); });
  pj_test::temp_dir dir;
  const auto path = dir / "damaged.pj";
  std::ofstream(path, std::ios::binary) << bytes;
  for (bool memory_map : {false, true}) {
    picklejar::options options;
    options.memory_map = memory_map;
    pj_test::expect_error(picklejar::errc::integrity, [&] { (void)picklejar::load<Everything>(path, options); });
  }
  EXPECT_EQ(user_calls, 0);
}

TEST_P(VerifiedBeforeTrusted, VerificationOffTrustsTheFileExplicitly) {
  const std::string bytes = picklejar::dumps(make_everything(), opts());
  const auto loaded = picklejar::loads<Everything>(bytes, pj_test::unverified());
  EXPECT_EQ(loaded.level.value, 42);
  EXPECT_EQ(loaded.built->seed(), 11);
  EXPECT_EQ(loaded.by_key.count(Key{2147483647}), 1u);
}

PJ_INSTANTIATE_FOR_ALL_FORMATS(VerifiedBeforeTrusted);

}  // namespace
