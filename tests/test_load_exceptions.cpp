// Every exception a user's type or the standard library throws during a load or save becomes a
// picklejar::error: errc::format (errc::limit for std::bad_alloc), naming the file and field path,
// with the original nested so that std::rethrow_if_nested finds it.

#include <gtest/gtest.h>

#include <bitset>
#include <exception>
#include <fstream>
#include <new>
#include <sstream>
#include <stdexcept>
#include <string>

#include "picklejar/checkpoint.hpp"
#include "picklejar/picklejar.hpp"
#include "test_support.hpp"

namespace {

struct custom_failure {
  int code;
};
struct custom_exception : std::exception {
  const char* what() const noexcept override { return "custom exception"; }
};

enum class throws { nothing, custom, out_of_range, integer, bad_alloc };
throws thrown_on_load = throws::nothing;
throws thrown_on_save = throws::nothing;

void throw_now(throws what) {
  switch (what) {
    case throws::nothing: return;
    case throws::custom: throw custom_exception();
    case throws::out_of_range: throw std::out_of_range("index 7 out of range");
    case throws::integer: throw 42;
    case throws::bad_alloc: throw std::bad_alloc();
  }
}

class Picky {
 public:
  struct State {
    int value = 0;
    PICKLEJAR_FIELDS(value)
  };
  State get_state() const {
    throw_now(thrown_on_save);
    return {value_};
  }
  void set_state(State state) {
    throw_now(thrown_on_load);
    value_ = state.value;
  }

 private:
  int value_ = 3;
};

// Built only by from_state, which throws: a load<T>() runs it after the archive is done.
class Built {
 public:
  struct State {
    int value = 0;
    PICKLEJAR_FIELDS(value)
  };
  explicit Built(int value) : value_(value) {}
  State get_state() const { return {value_}; }
  static Built from_state(State state) {
    throw_now(thrown_on_load);
    return Built(state.value);
  }

 private:
  int value_;
};

struct Holder {
  int before = 1;
  Picky picky;
  std::string label = "label";
  PICKLEJAR_FIELDS(before, picky, label)
};

// Past 64 bits set, cereal writes a bitset as a string of '0' and '1'.
struct Bits {
  std::bitset<80> bits = std::bitset<80>(0x5555).set(79);
  PICKLEJAR_FIELDS(bits)
};

class LoadExceptions : public pj_test::FormatTest {
 protected:
  void TearDown() override {
    thrown_on_load = throws::nothing;
    thrown_on_save = throws::nothing;
  }
};

// Whether the picklejar::error `action` throws nests a `Nested`.
template <class Nested, class Action>
bool nests(Action&& action) {
  try {
    action();
  } catch (const picklejar::error& failure) {
    try {
      std::rethrow_if_nested(failure);
    } catch (const Nested&) {
      return true;
    } catch (...) {
      return false;
    }
  }
  return false;
}

TEST_P(LoadExceptions, ABitsetFromAStringWithAnotherCharacterIsAFormatError) {
  if (!is_text()) GTEST_SKIP() << "cereal writes a bitset as bits in binary archives, not as a string";
  std::string bytes = picklejar::dumps(Bits{}, opts());
  const std::string digits = Bits{}.bits.to_string();
  const std::size_t at = bytes.find(digits);
  ASSERT_NE(at, std::string::npos);
  bytes[at + 2] = 'x';
  bytes = pj_test::reseal(bytes);
  const picklejar::error failure =
      pj_test::expect_error(picklejar::errc::format, [&] { (void)picklejar::loads<Bits>(bytes); });
  EXPECT_NE(failure.field_path().find("Bits.bits"), std::string::npos) << failure.what();
  EXPECT_TRUE(nests<std::invalid_argument>([&] { (void)picklejar::loads<Bits>(bytes); }));
}

TEST_P(LoadExceptions, WhatAUserTypeThrowsIsNestedInAPicklejarError) {
  const std::string bytes = picklejar::dumps(Holder{}, opts());
  pj_test::temp_dir dir;
  const auto path = dir / "holder.pj";
  picklejar::save(Holder{}, path, opts());
  struct expectation {
    throws what;
    picklejar::errc code;
  };
  for (const expectation& e : {expectation{throws::custom, picklejar::errc::format},
                               expectation{throws::out_of_range, picklejar::errc::format},
                               expectation{throws::integer, picklejar::errc::format},
                               expectation{throws::bad_alloc, picklejar::errc::limit}}) {
    thrown_on_load = e.what;
    const picklejar::error from_bytes =
        pj_test::expect_error(e.code, [&] { (void)picklejar::loads<Holder>(bytes); });
    EXPECT_NE(from_bytes.field_path().find("Holder.picky"), std::string::npos) << from_bytes.what();
    Holder existing;
    const picklejar::error into_object = pj_test::expect_error(e.code, [&] { picklejar::load(existing, path); });
    EXPECT_EQ(into_object.file(), path.string());
    EXPECT_NE(into_object.field_path().find("Holder.picky"), std::string::npos) << into_object.what();
    EXPECT_EQ(existing.label.size(), existing.label.size());  // still valid and destructible
    std::istringstream in(bytes);
    pj_test::expect_error(e.code, [&] { (void)picklejar::load<Holder>(in); });
    const auto from_memory = [&] { (void)picklejar::loads<Holder>(bytes); };
    const auto from_file = [&] { picklejar::load(existing, path); };
    switch (e.what) {
      case throws::custom:
        EXPECT_TRUE(nests<custom_exception>(from_memory));
        EXPECT_TRUE(nests<custom_exception>(from_file));
        break;
      case throws::out_of_range:
        EXPECT_TRUE(nests<std::out_of_range>(from_memory));
        EXPECT_TRUE(nests<std::out_of_range>(from_file));
        break;
      case throws::integer:
        EXPECT_TRUE(nests<int>(from_memory));
        EXPECT_TRUE(nests<int>(from_file));
        break;
      case throws::bad_alloc:
        EXPECT_TRUE(nests<std::bad_alloc>(from_memory));
        EXPECT_TRUE(nests<std::bad_alloc>(from_file));
        break;
      case throws::nothing: break;
    }
  }
}

TEST_P(LoadExceptions, WhatAFromStateHookThrowsIsNestedInAPicklejarError) {
  const std::string bytes = picklejar::dumps(Built(5), opts());
  thrown_on_load = throws::out_of_range;
  const picklejar::error failure =
      pj_test::expect_error(picklejar::errc::format, [&] { (void)picklejar::loads<Built>(bytes); });
  EXPECT_NE(failure.field_path().find("Built"), std::string::npos) << failure.what();
  EXPECT_TRUE(nests<std::out_of_range>([&] { (void)picklejar::loads<Built>(bytes); }));
  thrown_on_load = throws::bad_alloc;
  pj_test::expect_error(picklejar::errc::limit, [&] { (void)picklejar::loads<Built>(bytes); });
}

TEST_P(LoadExceptions, WhatAGetStateThrowsWhileSavingIsNestedInAPicklejarError) {
  thrown_on_save = throws::out_of_range;
  pj_test::expect_error(picklejar::errc::format, [&] { (void)picklejar::dumps(Holder{}, opts()); });
  EXPECT_TRUE(nests<std::out_of_range>([&] { (void)picklejar::dumps(Holder{}, opts()); }));
  pj_test::temp_dir dir;
  const auto path = dir / "holder.pj";
  const picklejar::error to_file =
      pj_test::expect_error(picklejar::errc::format, [&] { picklejar::save(Holder{}, path, opts()); });
  EXPECT_EQ(to_file.file(), path.string());
  EXPECT_TRUE(nests<std::out_of_range>([&] { picklejar::save(Holder{}, path, opts()); }));
  EXPECT_FALSE(std::filesystem::exists(path));
  thrown_on_save = throws::integer;
  pj_test::expect_error(picklejar::errc::format, [&] { (void)picklejar::dumps(Holder{}, opts()); });
  EXPECT_TRUE(nests<int>([&] { (void)picklejar::dumps(Holder{}, opts()); }));
  thrown_on_save = throws::bad_alloc;
  pj_test::expect_error(picklejar::errc::limit, [&] { (void)picklejar::dumps(Holder{}, opts()); });
}

TEST_P(LoadExceptions, ACheckpointManagerReportsAPicklejarError) {
  pj_test::temp_dir dir;
  picklejar::checkpoint_options options;
  options.file_options = opts();
  {
    picklejar::checkpoint_manager manager(dir.path(), options);
    manager.save(Holder{}, 1);
  }
  thrown_on_load = throws::custom;
  picklejar::checkpoint_manager manager(dir.path(), options);
  Holder holder;
  // The program's own exception is not damage: reported (nested), and the checkpoint kept.
  EXPECT_TRUE(nests<custom_exception>([&] { manager.load_latest(holder); }));
  pj_test::expect_error(picklejar::errc::format, [&] { manager.load_latest(holder); });
  ASSERT_TRUE(manager.latest().has_value());
  thrown_on_load = throws::nothing;
  EXPECT_EQ(manager.load_latest(holder).step, 1);
}

PJ_INSTANTIATE_FOR_ALL_FORMATS(LoadExceptions);

}  // namespace
