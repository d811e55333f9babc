// Malformed JSON must never abort, whatever the user included first. Debian's cereal uses the
// system RapidJSON, whose default RAPIDJSON_ASSERT aborts; picklejar parses JSON itself, so a
// program that included RapidJSON (with its default assert) before picklejar is still safe.
#include <rapidjson/document.h>  // first, on purpose: RAPIDJSON_ASSERT is now plain assert()

#include <picklejar/picklejar.hpp>

#include "test_support.hpp"

namespace {

struct Settings {
  std::vector<int> sizes{1, 2, 3};
  std::string name = "s";
  PICKLEJAR_FIELDS(sizes, name)
};

TEST(IncludeOrder, MalformedJsonThrowsAfterRapidJsonWasIncludedFirst) {
  std::string json = picklejar::dumps(Settings{}, {picklejar::format::json});
  // A number where an array is expected: with cereal's JSON archive this reaches a RapidJSON
  // assertion (GetArray on a number).
  std::string wrong_kind = json;
  wrong_kind.replace(wrong_kind.find("[1, 2, 3]"), 9, "7");
  pj_test::expect_error(picklejar::errc::format, [&] { picklejar::loads<Settings>(pj_test::reseal(wrong_kind)); });
  std::string wrong_string = json;
  wrong_string.replace(wrong_string.find("\"s\""), 3, "{}");
  pj_test::expect_error(picklejar::errc::format, [&] { picklejar::loads<Settings>(pj_test::reseal(wrong_string)); });
  pj_test::expect_error(picklejar::errc::format, [&] {
    picklejar::loads<Settings>(json.substr(0, json.size() / 2), pj_test::unverified());
  });
  // RapidJSON itself still works beside picklejar
  rapidjson::Document document;
  document.Parse(json.c_str());
  EXPECT_TRUE(document.IsObject());
}

}  // namespace
