// Tests for the JSON codec: the pretty writer, the strict parser, and how they fail.
#include "picklejar/detail/codecs/json_codec.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "text_tree_support.hpp"

namespace {

using codec_test::container;
using codec_test::leaf;
using codec_test::same_tree;

using picklejar::errc;
using picklejar::detail::node_kind;
using picklejar::detail::parse_json;
using picklejar::detail::text_node;
using picklejar::detail::write_json;

constexpr std::size_t default_depth = 64;

std::string to_json(const text_node& root) {
  std::string out;
  write_json(root, out);
  return out;
}

picklejar::error parse_error(std::string_view text, std::size_t max_depth = default_depth) {
  return codec_test::parse_error_of([](std::string_view t, std::size_t d) { return parse_json(t, d); }, text, max_depth);
}

// A tree exercising every kind, escapes, unicode, NUL bytes and empty containers.
text_node sample_tree() {
  using nk = node_kind;
  return container(nk::object, {
      leaf(nk::string, "plain", "name"),
      leaf(nk::string, std::string("quote\" backslash\\ slash/ nl\n tab\t cr\r bs\b ff\f nul") + '\0' + "\x01\x1f end",
           "escapes"),
      leaf(nk::string, "gr\xC3\xBC\xC3\x9F" "e \xE2\x82\xAC \xF0\x9F\x98\x80", "unicode"),
      leaf(nk::string, "", "empty string"),
      leaf(nk::string, "x", ""),  // an empty key is legal JSON
      leaf(nk::number, "-1.5e-07", "number"),
      leaf(nk::boolean, "true", "yes"),
      leaf(nk::boolean, "false", "no"),
      leaf(nk::null, "", "nothing"),
      container(nk::object, {}, "empty object"),
      container(nk::array, {}, "empty array"),
      container(nk::array, {leaf(nk::number, "1"), leaf(nk::number, "2.5"), leaf(nk::boolean, "true")}, "weights"),
      container(nk::array,
                {leaf(nk::string, "a"), leaf(nk::null),
                 container(nk::object, {leaf(nk::number, "0", "k"), container(nk::array, {}, "deeper")}),
                 container(nk::array, {container(nk::array, {})})},
                "mixed"),
      leaf(nk::number, "1", "dup"),
      leaf(nk::number, "2", "dup2"),  // one name twice is refused (test_text_validity.cpp)
  });
}

// ------------------------------------------------------------------------------------------------
// Writing

TEST(JsonWrite, PrettyLayout) {
  using nk = node_kind;
  const text_node root = container(nk::object, {
      leaf(nk::number, "3", "a"),
      container(nk::array, {leaf(nk::number, "1"), leaf(nk::boolean, "false")}, "w"),
      container(nk::array, {leaf(nk::string, "s"), container(nk::object, {})}, "items"),
      container(nk::object, {}, "o"),
      container(nk::array, {}, "e"),
  });
  EXPECT_EQ(to_json(root),
            "{\n"
            "  \"a\": 3,\n"
            "  \"w\": [1, false],\n"
            "  \"items\": [\n"
            "    \"s\",\n"
            "    {}\n"
            "  ],\n"
            "  \"o\": {},\n"
            "  \"e\": []\n"
            "}\n");
}

TEST(JsonWrite, ScalarRoots) {
  EXPECT_EQ(to_json(leaf(node_kind::null)), "null\n");
  EXPECT_EQ(to_json(leaf(node_kind::boolean, "true")), "true\n");
  EXPECT_EQ(to_json(leaf(node_kind::number, "-0.25")), "-0.25\n");
  EXPECT_EQ(to_json(leaf(node_kind::string, "hi")), "\"hi\"\n");
  EXPECT_EQ(to_json(container(node_kind::array, {})), "[]\n");
}

TEST(JsonWrite, AppendsToExistingOutput) {
  std::string out = "prefix:";
  write_json(leaf(node_kind::number, "7"), out);
  EXPECT_EQ(out, "prefix:7\n");
}

TEST(JsonWrite, EscapesStrings) {
  const std::string text = std::string("\"\\\n\t\r\b\f") + '\0' + "\x1f\x7f\xC3\xA9/";
  EXPECT_EQ(to_json(leaf(node_kind::string, text)), "\"\\\"\\\\\\n\\t\\r\\b\\f\\u0000\\u001F\x7f\xC3\xA9/\"\n");
}

TEST(JsonWrite, DeepTreeIndentsAndClosesEveryLevel) {
  // Indentation makes output quadratic in depth, so this stays moderate.
  constexpr std::size_t depth = 1000;
  text_node root = container(node_kind::array, {});
  text_node* innermost = &root;
  for (std::size_t i = 0; i < depth; ++i) {
    innermost->children.push_back(container(node_kind::array, {leaf(node_kind::string, "x")}));
    innermost = &innermost->children.back();
  }
  const std::string out = to_json(root);
  EXPECT_EQ(out.substr(0, 6), "[\n  [\n");
  EXPECT_NE(out.find(std::string(2 * (depth + 1), ' ') + "\"x\"\n" + std::string(2 * depth, ' ') + "]\n"),
            std::string::npos);
  EXPECT_EQ(out.substr(out.size() - 6), "  ]\n]\n");
  EXPECT_TRUE(same_tree(root, parse_json(out, depth + 1)));
}

// ------------------------------------------------------------------------------------------------
// Round trips

TEST(JsonRoundTrip, SampleTree) {
  const text_node original = sample_tree();
  const std::string json = to_json(original);
  EXPECT_TRUE(same_tree(original, parse_json(json, default_depth))) << json;
  // Writing the parsed tree again gives the same text.
  EXPECT_EQ(to_json(parse_json(json, default_depth)), json);
}

TEST(JsonRoundTrip, EveryControlByteAndHighBytes) {
  std::string all;
  for (int byte = 0; byte < 256; ++byte) all += static_cast<char>(byte);
  const text_node original = leaf(node_kind::string, all);
  const text_node parsed = parse_json(to_json(original), default_depth);
  EXPECT_TRUE(same_tree(original, parsed));
}

TEST(JsonRoundTrip, ScalarRoots) {
  for (const text_node& root : {leaf(node_kind::null), leaf(node_kind::boolean, "false"),
                                leaf(node_kind::number, "12e3"), leaf(node_kind::string, "s")}) {
    EXPECT_TRUE(same_tree(root, parse_json(to_json(root), default_depth)));
  }
}

// ------------------------------------------------------------------------------------------------
// Parsing valid input

TEST(JsonParse, KindsNamesAndOrder) {
  const text_node root = parse_json(R"( { "b" : [1, true, null, "s", {}], "a": false, "c": -0 } )", default_depth);
  ASSERT_EQ(root.kind, node_kind::object);
  EXPECT_EQ(root.name, "");
  ASSERT_EQ(root.children.size(), 3u);
  EXPECT_EQ(root.children[0].name, "b");
  EXPECT_EQ(root.children[1].name, "a");
  EXPECT_EQ(root.children[2].name, "c");  // in order (duplicates are refused: test_text_validity.cpp)
  EXPECT_EQ(root.children[1].kind, node_kind::boolean);
  EXPECT_EQ(root.children[1].text, "false");
  EXPECT_EQ(root.children[2].text, "-0");
  const text_node& items = root.children[0];
  ASSERT_EQ(items.kind, node_kind::array);
  ASSERT_EQ(items.children.size(), 5u);
  EXPECT_EQ(items.children[0].kind, node_kind::number);
  EXPECT_EQ(items.children[1].kind, node_kind::boolean);
  EXPECT_EQ(items.children[1].text, "true");
  EXPECT_EQ(items.children[2].kind, node_kind::null);
  EXPECT_EQ(items.children[3].kind, node_kind::string);
  EXPECT_EQ(items.children[3].text, "s");
  EXPECT_EQ(items.children[4].kind, node_kind::object);
  for (const auto& item : items.children) EXPECT_EQ(item.name, "");
}

TEST(JsonParse, NumbersKeepTheirSpelling) {
  for (const char* number : {"0", "-0", "7", "-12", "0.5", "-0.0", "1e5", "1E+5", "2.50e-10", "123456789012345678901234567890",
                             "1.7976931348623157e308"}) {
    const text_node node = parse_json(number, default_depth);
    EXPECT_EQ(node.kind, node_kind::number) << number;
    EXPECT_EQ(node.text, number);
  }
}

TEST(JsonParse, DecodesEscapes) {
  EXPECT_EQ(parse_json(R"("\" \\ \/ \b \f \n \r \t")", default_depth).text, "\" \\ / \b \f \n \r \t");
  EXPECT_EQ(parse_json(R"("\u0041\u00e9\u20AC")", default_depth).text, "A\xC3\xA9\xE2\x82\xAC");
  EXPECT_EQ(parse_json(R"("\ud83d\ude00")", default_depth).text, "\xF0\x9F\x98\x80");  // surrogate pair
  EXPECT_EQ(parse_json(R"("\uDBFF\uDFFF")", default_depth).text, "\xF4\x8F\xBF\xBF");  // U+10FFFF
  EXPECT_EQ(parse_json(R"("a\u0000b")", default_depth).text, std::string("a\0b", 3));
  EXPECT_EQ(parse_json("\"\xE6\x97\xA5\"", default_depth).text, "\xE6\x97\xA5");  // raw UTF-8 kept
}

TEST(JsonParse, WhitespaceAroundTheRoot) {
  EXPECT_EQ(parse_json(" \t\r\n true \n", default_depth).text, "true");
  EXPECT_EQ(parse_json("[ ]", default_depth).kind, node_kind::array);
  EXPECT_EQ(parse_json("{\n}", default_depth).kind, node_kind::object);
}

TEST(JsonParse, DepthLimitIsExact) {
  EXPECT_NO_THROW(parse_json("[[[1]]]", 3));
  EXPECT_NO_THROW(parse_json("{\"a\":{\"b\":{}}}", 3));
  EXPECT_EQ(parse_error("[[[[1]]]]", 3).code(), errc::limit);
  EXPECT_EQ(parse_error("{\"a\":{\"b\":{\"c\":[]}}}", 3).code(), errc::limit);
  EXPECT_EQ(parse_error("[]", 0).code(), errc::limit);
  EXPECT_NO_THROW(parse_json("1", 0));
  EXPECT_EQ(parse_error("[[[[1]]]]", 3).reason(), picklejar::detail::too_deep(3));
}

// ------------------------------------------------------------------------------------------------
// Malformed input

TEST(JsonParse, MalformedInputIsAFormatError) {
  const char* const cases[] = {
      // empty and structural
      "", "   ", "{", "}", "[", "]", "[1,]", "[,1]", "[1 2]", "{\"a\" 1}", "{\"a\":}", "{\"a\":1,}", "{,}",
      "{1:2}", "{'a':1}", "{\"a\":1 \"b\":2}", "[1}", "{\"a\":1]", "[\"a\":1]", ":",
      // trailing garbage and multiple roots
      "1 2", "{}x", "[1]]", "{}{}", "true false", "\"a\"\"b\"", "null,",
      // literals
      "tru", "True", "nul", "nulll", "falsey", "NaN", "Infinity", "-Infinity", "undefined",
      // numbers
      "01", "-01", "00", "1.", "-", "1e", "1e+", "1E-", ".5", "+1", "1.e5", "0x10", "1.5.", "--1", "-.5", "1e5.5",
      // strings
      "\"abc", "\"", "\"\\", "\"\\\"", "\"\\x\"", "\"\\U0041\"", "\"\\u12\"", "\"\\u12G4\"", "\"\\u\"", "'single'",
      "\"tab\there\"", "\"line\nbreak\"", "\"nul\x01\"",
      // lone surrogates
      "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"", "\"\\ud800x\"", "\"\\ud800\\\"", "\"\\udbff\\udbff\"",
      "\"\\ud800\\n\"",
      // a byte order mark and stray bytes are not JSON
      "\xEF\xBB\xBF{}", "\x01", "[1,\x00]",
  };
  for (const char* text : cases) {
    SCOPED_TRACE(text);
    const picklejar::error e = parse_error(text);
    EXPECT_EQ(e.code(), errc::format);
    EXPECT_EQ(e.reason().rfind("invalid JSON at line ", 0), 0u) << e.reason();
  }
  // Literal NUL bytes must not be mistaken for the end of input.
  EXPECT_EQ(parse_error(std::string_view("[1\0]", 4)).code(), errc::format);
  EXPECT_EQ(parse_error(std::string_view("\"a\0\"", 4)).code(), errc::format);
  EXPECT_EQ(parse_error(std::string_view("1\0", 2)).code(), errc::format);
}

TEST(JsonParse, EveryTruncationFails) {
  std::string document = to_json(sample_tree());
  while (document.back() == '\n') document.pop_back();  // so that only the full text is a document
  ASSERT_NO_THROW(parse_json(document, default_depth));
  for (std::size_t length = 0; length < document.size(); ++length) {
    // A copy of exactly `length` bytes, so ASan catches any read past the end.
    const std::vector<char> prefix(document.begin(), document.begin() + static_cast<std::ptrdiff_t>(length));
    try {
      parse_json(std::string_view(prefix.data(), prefix.size()), default_depth);
      ADD_FAILURE() << "a " << length << "-byte prefix parsed";
    } catch (const picklejar::error& e) {
      EXPECT_EQ(e.code(), errc::format) << length;
    }
  }
}

TEST(JsonParse, ErrorsGiveLineAndColumn) {
  EXPECT_EQ(parse_error("{\n  \"a\": tru\n}").reason(), "invalid JSON at line 2, column 8: expected a value");
  EXPECT_EQ(parse_error("[1,\n 2,\n 01]").reason(),
            "invalid JSON at line 3, column 3: leading zeros are not allowed in numbers");
  EXPECT_EQ(parse_error("\"ab\\qc\"").reason(), "invalid JSON at line 1, column 4: invalid escape sequence");
  EXPECT_EQ(parse_error("\n\n  \"\\ud83d\"").reason(),
            "invalid JSON at line 3, column 4: lone high surrogate in \\u escape");
  EXPECT_EQ(parse_error("[1] x").reason(), "invalid JSON at line 1, column 5: unexpected data after the root value");
  EXPECT_EQ(parse_error("[1,").reason(), "invalid JSON at line 1, column 4: unexpected end of input, expected a value");
  EXPECT_EQ(parse_error("\"abc").reason(), "invalid JSON at line 1, column 5: unterminated string");
  EXPECT_EQ(parse_error("{\"a\":1 2}").reason(), "invalid JSON at line 1, column 8: expected ',' or '}'");
  // what() carries the category too
  EXPECT_NE(std::string(parse_error("x").what()).find("[picklejar.error.format]"), std::string::npos);
}

TEST(JsonParse, MillionDeepNestingHitsTheLimit) {
  const std::string arrays(1000000, '[');
  const picklejar::error e = parse_error(arrays, 512);
  EXPECT_EQ(e.code(), errc::limit);
  EXPECT_EQ(e.reason(), picklejar::detail::too_deep(512));

  std::string objects;
  for (int i = 0; i < 1000000; ++i) objects += "{\"a\":";
  EXPECT_EQ(parse_error(objects, 512).code(), errc::limit);

  const std::string balanced = std::string(1000000, '[') + std::string(1000000, ']');
  EXPECT_EQ(parse_error(balanced, 512).code(), errc::limit);
}

TEST(JsonParse, DeepNestingWithinAGenerousLimitUsesNoRecursion) {
  // The parser holds open containers side by side, so this deep unclosed input costs heap, not stack.
  const std::string arrays(200000, '[');
  const picklejar::error e = parse_error(arrays, 1000000);
  EXPECT_EQ(e.code(), errc::format);
  EXPECT_NE(e.reason().find("unexpected end of input"), std::string::npos);
}

}  // namespace
