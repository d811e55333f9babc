// JSON and XML files are documents other tools parse (Python's json, xmllint or Python's XML
// parser), whatever bytes the strings in them hold — NUL, control characters, raw 0xFF, invalid
// UTF-8 — and those strings still round-trip bit-exactly; older files still load; duplicate keys
// are refused (the header's too); an Eigen shape no matrix can have is refused.

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "picklejar/eigen.hpp"
#include "picklejar/picklejar.hpp"
#include "test_support.hpp"

namespace {

std::vector<std::string> hostile_strings() {
  std::vector<std::string> strings = {
      "",
      "plain",
      std::string("nul\0inside", 10),
      std::string(1, '\0'),
      "\x01\x02\x08\x0b\x0c\x0e\x1f\x7f",
      "\t\n\r\r\n",
      "raw \xff byte",
      "\xc0\x80",                  // overlong NUL
      "\xed\xa0\x80",              // a surrogate in UTF-8
      "\xed\xb2\x80",              // the low surrogate U+DC80, as UTF-8
      "\xf4\x90\x80\x80",          // above U+10FFFF
      "\xe2\x82",                  // cut short
      "\x80\xbf",                  // stray continuation bytes
      "\xef\xbf\xbe\xef\xbf\xbf",  // U+FFFE, U+FFFF
      "h\xc3\xa9llo \xe2\x82\xac \xf0\x9d\x84\x9e",  // well-formed UTF-8
      "\\x41 \\\\ \\uDC80 \\",     // what the escapes look like, literally
      "]]> <![CDATA[ &amp; &#x0; <a/>",
  };
  std::string every_byte;
  for (int b = 0; b < 256; ++b) every_byte += static_cast<char>(b);
  strings.push_back(every_byte);
  for (int b = 0; b < 256; ++b) strings.push_back(std::string(1, static_cast<char>(b)));
  return strings;
}

struct Strings {
  std::vector<std::string> values;
  std::map<std::string, int> keys;
  PICKLEJAR_FIELDS(values, keys)
};

Strings make_strings() {
  Strings strings;
  strings.values = hostile_strings();
  int i = 0;
  for (const std::string& s : strings.values) strings.keys[s] = i++;
  return strings;
}

class TextValidity : public testing::TestWithParam<picklejar::format> {};

TEST_P(TextValidity, HostileStringsRoundTripBitExactly) {
  const Strings strings = make_strings();
  picklejar::options opts(GetParam());
  opts.metadata["note"] = std::string("meta\0\xff", 6);
  const std::string bytes = picklejar::dumps(strings, opts);
  const auto loaded = picklejar::loads<Strings>(bytes);
  EXPECT_EQ(loaded.values, strings.values);
  EXPECT_EQ(loaded.keys, strings.keys);
  pj_test::temp_dir dir;
  const auto path = dir / "strings.pj";
  picklejar::save(strings, path, opts);
  EXPECT_EQ(picklejar::inspect(path).metadata.at("note"), opts.metadata.at("note"));
  EXPECT_EQ(picklejar::verify(path).metadata.at("note"), opts.metadata.at("note"));
}

// Runs `command` on the file; false if the tool is missing (the caller skips).
bool have(const char* tool) {
  return std::system((std::string("command -v ") + tool + " >/dev/null 2>&1").c_str()) == 0;
}

TEST_P(TextValidity, OtherToolsParseTheDocument) {
  pj_test::temp_dir dir;
  const auto path = dir / "strings.pj";
  picklejar::options opts(GetParam());
  opts.metadata["note"] = std::string("meta\0\xff", 6);
  picklejar::save(make_strings(), path, opts);
  std::string command;
  if (GetParam() == picklejar::format::json) {
    if (!have("python3")) GTEST_SKIP() << "python3 is not installed";
    command = "python3 -c 'import json,sys; json.load(open(sys.argv[1], encoding=\"utf-8\"))' ";
  } else if (have("xmllint")) {
    command = "xmllint --noout ";
  } else if (have("python3")) {
    command = "python3 -c 'import sys, xml.etree.ElementTree as e; e.parse(sys.argv[1])' ";
  } else {
    GTEST_SKIP() << "neither xmllint nor python3 is installed";
  }
  EXPECT_EQ(std::system((command + "'" + path.string() + "'").c_str()), 0) << command << path;
}

INSTANTIATE_TEST_SUITE_P(TextFormats, TextValidity,
                         testing::Values(picklejar::format::json, picklejar::format::xml), pj_test::format_name);

std::string replace_once(std::string text, const std::string& from, const std::string& to) {
  const std::size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

TEST(TextValidityOlderFiles, RawBytesAndControlReferencesStillLoad) {
  const std::string json = picklejar::dumps(std::string("ab"), picklejar::options(picklejar::format::json));
  EXPECT_EQ(picklejar::loads<std::string>(pj_test::reseal(replace_once(json, "\"ab\"", "\"a\xff\xc0 b\""))),
            "a\xff\xc0 b");
  const std::string xml = picklejar::dumps(std::string("ab"), picklejar::options(picklejar::format::xml));
  EXPECT_EQ(picklejar::loads<std::string>(pj_test::reseal(replace_once(xml, ">ab<", ">a&#x0;&#x1;\xff\\x41b<"))),
            std::string("a\0\x01\xff\\x41b", 9));
}

TEST(TextValidityEscapes, AnEscapedXmlElementMustHoldValidEscapes) {
  const std::string xml = picklejar::dumps(std::string("a\x01"), picklejar::options(picklejar::format::xml));
  ASSERT_NE(xml.find("escaped=\"bytes\""), std::string::npos) << xml;
  for (const char* bad : {"\\x0", "\\q", "\\"}) {
    pj_test::expect_error(picklejar::errc::format, [&] {
      (void)picklejar::loads<std::string>(pj_test::reseal(replace_once(xml, "a\\x01", std::string("a") + bad)));
    });
  }
  pj_test::expect_error(picklejar::errc::format, [&] {
    (void)picklejar::loads<std::string>(pj_test::reseal(replace_once(xml, "escaped=\"bytes\"", "escaped=\"hex\"")));
  });
}

// ---- duplicate keys ----

TEST(TextDuplicateKeys, JsonObjectsWithOneKeyTwiceAreRefused) {
  struct Pair {
    int a = 1;
    int b = 2;
    PICKLEJAR_FIELDS(a, b)
  };
  const std::string json = picklejar::dumps(Pair{}, picklejar::options(picklejar::format::json));
  const picklejar::error field = pj_test::expect_error(picklejar::errc::format, [&] {
    (void)picklejar::loads<Pair>(pj_test::reseal(replace_once(json, "\"b\": 2", "\"a\": 2")));
  });
  EXPECT_NE(std::string(field.what()).find("\"a\""), std::string::npos) << field.what();
  // The header's "type" too: which one a parser keeps would decide the root type.
  const std::string type_line = "\"type\": \"" + picklejar::detail::type_name<Pair>() + "\",";
  const picklejar::error type = pj_test::expect_error(picklejar::errc::format, [&] {
    (void)picklejar::loads<Pair>(pj_test::reseal(replace_once(json, type_line, type_line + " \"type\": \"int\",")));
  });
  EXPECT_NE(std::string(type.what()).find("\"type\""), std::string::npos) << type.what();
}

TEST(TextDuplicateKeys, XmlElementsWithOneChildTwiceAreRefused) {
  struct Pair {
    int a = 1;
    int b = 2;
    PICKLEJAR_FIELDS(a, b)
  };
  const std::string xml = picklejar::dumps(Pair{}, picklejar::options(picklejar::format::xml));
  const picklejar::error field = pj_test::expect_error(picklejar::errc::format, [&] {
    (void)picklejar::loads<Pair>(pj_test::reseal(replace_once(xml, "<b>2</b>", "<a>2</a>")));
  });
  EXPECT_NE(std::string(field.what()).find("<a>"), std::string::npos) << field.what();
  const std::string type_line = "<type>";
  const picklejar::error type = pj_test::expect_error(picklejar::errc::format, [&] {
    (void)picklejar::loads<Pair>(pj_test::reseal(replace_once(xml, type_line, "<type>int</type><type>")));
  });
  EXPECT_NE(std::string(type.what()).find("<type>"), std::string::npos) << type.what();
}

// A class's own cereal function that writes one name twice: the text would not load back.
struct TwiceNamed {
  int x = 1;
  template <class Archive>
  void serialize(Archive& archive) {
    archive(cereal::make_nvp("x", x), cereal::make_nvp("x", x));
  }
};

}  // namespace
// Kept out of cereal's own archive (detail/object_io/embedded_cereal.hpp), so both names reach the writer.
CEREAL_SPECIALIZE_FOR_ALL_ARCHIVES(TwiceNamed, cereal::specialization::member_serialize);
namespace {

TEST(TextDuplicateKeys, SavingOneNameTwiceIsRefused) {
  for (picklejar::format fmt : {picklejar::format::json, picklejar::format::xml}) {
    pj_test::expect_error(picklejar::errc::format, [&] { (void)picklejar::dumps(TwiceNamed{}, picklejar::options(fmt)); });
  }
  EXPECT_EQ(picklejar::loads<TwiceNamed>(picklejar::dumps(TwiceNamed{})).x, 1);  // binary has no names
}

// ---- Eigen shapes ----

class EigenShapes : public pj_test::FormatTest {};

TEST_P(EigenShapes, AShapeNoMatrixCanHaveIsRefused) {
  constexpr std::int64_t saved_cols = 123456789;  // 0 x 123456789 holds nothing: cheap to save
  const Eigen::MatrixXd empty(0, saved_cols);
  const std::string bytes = picklejar::dumps(empty, opts());
  ASSERT_EQ(picklejar::loads<Eigen::MatrixXd>(bytes).cols(), saved_cols);
  for (std::int64_t cols : {std::int64_t{1} << 62, std::int64_t{1} << 61, INT64_MAX}) {
    std::string edited = bytes;
    if (is_text()) {
      edited = replace_once(edited, std::to_string(saved_cols), std::to_string(cols));
    } else {
      std::string from(8, '\0'), to(8, '\0');
      picklejar::detail::patch_le(from, 0, static_cast<std::uint64_t>(saved_cols), 8);
      picklejar::detail::patch_le(to, 0, static_cast<std::uint64_t>(cols), 8);
      edited = replace_once(edited, from, to);
    }
    edited = pj_test::reseal(edited);
    pj_test::expect_error(picklejar::errc::limit, [&] { (void)picklejar::loads<Eigen::MatrixXd>(edited); });
  }
}

PJ_INSTANTIATE_FOR_ALL_FORMATS(EigenShapes);

}  // namespace
