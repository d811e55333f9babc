// Tests for the XML codec: the indented writer, the strict parser, and how they fail.
#include "picklejar/detail/codecs/xml_codec.hpp"

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
using picklejar::detail::parse_xml;
using picklejar::detail::text_node;
using picklejar::detail::write_xml;

constexpr std::size_t default_depth = 64;
const std::string declaration = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

// What parse_xml gives back for a tree written by write_xml: XML has no kinds, so containers with
// children become objects (array items named "item"), everything else a string of its text.
text_node as_read_back(const text_node& node, bool is_item = false) {
  text_node result;
  result.name = is_item || node.name.empty() ? "item" : node.name;
  const bool is_container = node.kind == node_kind::object || node.kind == node_kind::array;
  if (is_container && !node.children.empty()) {
    result.kind = node_kind::object;
    for (const auto& child : node.children) result.children.push_back(as_read_back(child, node.kind == node_kind::array));
  } else {
    result.kind = node_kind::string;
    if (!is_container && node.kind != node_kind::null) result.text = node.text;
  }
  return result;
}

std::string to_xml(const text_node& root) {
  std::string out;
  write_xml(root, out);
  return out;
}

picklejar::error parse_error(std::string_view text, std::size_t max_depth = default_depth) {
  return codec_test::parse_error_of([](std::string_view t, std::size_t d) { return parse_xml(t, d); }, text, max_depth);
}

text_node sample_tree() {
  using nk = node_kind;
  return container(nk::object, {
      leaf(nk::string, "plain", "name"),
      leaf(nk::string, std::string("<tag> & \"quoted\" 'apos' ]]> tab\t nl\n cr\r crlf\r\n nul") + '\0' + "\x01\x1f end",
           "escapes"),
      leaf(nk::string, "gr\xC3\xBC\xC3\x9F" "e \xE2\x82\xAC \xF0\x9F\x98\x80", "unicode"),
      leaf(nk::string, "  padded  \n", "spaces"),
      leaf(nk::string, "", "empty"),
      leaf(nk::number, "-1.5e-07", "number"),
      leaf(nk::boolean, "true", "flag"),
      leaf(nk::null, "", "nothing"),
      container(nk::object, {}, "empty_object"),
      container(nk::array, {}, "empty_array"),
      container(nk::array, {leaf(nk::number, "1"), leaf(nk::number, "2.5")}, "weights"),
      container(nk::array,
                {leaf(nk::string, "a"),
                 container(nk::object, {leaf(nk::number, "0", "k"), container(nk::array, {leaf(nk::null)}, "deeper")}),
                 container(nk::array, {container(nk::array, {leaf(nk::string, "x")})})},
                "mixed"),
      leaf(nk::string, "unnamed", ""),
      leaf(nk::number, "1", "dup"),
      leaf(nk::number, "2", "dup2"),  // one name twice is refused (test_text_validity.cpp)
      leaf(nk::string, "n", "A_b.c-9"),
  }, "doc");
}

// ------------------------------------------------------------------------------------------------
// Writing

TEST(XmlWrite, IndentedLayout) {
  using nk = node_kind;
  const text_node root = container(nk::object, {
      leaf(nk::number, "3", "a"),
      container(nk::array, {leaf(nk::number, "1"), leaf(nk::boolean, "false", "ignored")}, "w"),
      container(nk::object, {}, "o"),
      leaf(nk::null, "", "n"),
      leaf(nk::string, "", ""),
  }, "root");
  EXPECT_EQ(to_xml(root), declaration +
            "<root>\n"
            "  <a>3</a>\n"
            "  <w>\n"
            "    <item>1</item>\n"
            "    <item>false</item>\n"
            "  </w>\n"
            "  <o></o>\n"
            "  <n></n>\n"
            "  <item></item>\n"
            "</root>\n");
}

TEST(XmlWrite, EscapesText) {
  const std::string text = "<>&\"'\t\n\r\\\xC3\xA9";
  EXPECT_EQ(to_xml(leaf(node_kind::string, text, "s")),
            declaration + "<s>&lt;&gt;&amp;&quot;&apos;\t\n&#xD;\\\xC3\xA9</s>\n");
}

// XML 1.0 cannot hold NUL or most control characters, even as references: such a string is
// written with byte escapes in an element marked escaped="bytes" (test_text_validity.cpp).
TEST(XmlWrite, EscapesBytesXmlCannotHold) {
  const std::string text = std::string("<>&\"'\t\n\r\\") + '\0' + "\x1f\xC3\xA9\xFF";
  EXPECT_EQ(to_xml(leaf(node_kind::string, text, "s")),
            declaration + "<s escaped=\"bytes\">&lt;&gt;&amp;&quot;&apos;\t\n&#xD;\\\\\\x00\\x1F\xC3\xA9\\xFF</s>\n");
}

TEST(XmlWrite, RejectsInvalidNamesAndLeavesOutputAlone) {
  for (const char* name : {"", "1abc", "a b", "a:b", "-x", ".x", "a<b", "\xC3\xA9", "a/b"}) {
    SCOPED_TRACE(name);
    std::string out = "keep";
    const text_node root = container(node_kind::object, {leaf(node_kind::number, "1", "ok"), leaf(node_kind::number, "2", name)}, "root");
    if (std::string(name).empty()) {
      // An unnamed member is written as <item>, but the root needs a real name.
      EXPECT_NO_THROW(write_xml(root, out));
      out = "keep";
      try {
        write_xml(leaf(node_kind::string, "x", name), out);
        ADD_FAILURE() << "an unnamed root was accepted";
      } catch (const picklejar::error& e) {
        EXPECT_EQ(e.code(), errc::format);
      }
    } else {
      try {
        write_xml(root, out);
        ADD_FAILURE() << "accepted the name";
      } catch (const picklejar::error& e) {
        EXPECT_EQ(e.code(), errc::format);
        EXPECT_NE(e.reason().find("cannot be an XML element name"), std::string::npos);
      }
    }
    EXPECT_EQ(out, "keep");
  }
}

TEST(XmlWrite, DeepTreeIndentsAndClosesEveryLevel) {
  // Indentation makes output quadratic in depth, so this stays moderate.
  constexpr std::size_t depth = 1000;
  text_node root = container(node_kind::array, {}, "r");
  text_node* innermost = &root;
  for (std::size_t i = 0; i < depth; ++i) {
    innermost->children.push_back(container(node_kind::array, {leaf(node_kind::string, "x")}));
    innermost = &innermost->children.back();
  }
  const std::string out = to_xml(root);
  EXPECT_EQ(out.substr(declaration.size(), 12), "<r>\n  <item>");
  EXPECT_NE(out.find(std::string(2 * (depth + 1), ' ') + "<item>x</item>\n" + std::string(2 * depth, ' ') + "</item>\n"),
            std::string::npos);
  EXPECT_EQ(out.substr(out.size() - 15), "  </item>\n</r>\n");
  EXPECT_TRUE(same_tree(as_read_back(root), parse_xml(out, depth + 2)));  // the leaf is an element too
}

// ------------------------------------------------------------------------------------------------
// Round trips

TEST(XmlRoundTrip, SampleTree) {
  const text_node original = sample_tree();
  const std::string xml = to_xml(original);
  const text_node parsed = parse_xml(xml, default_depth);
  EXPECT_TRUE(same_tree(as_read_back(original), parsed)) << xml;
  EXPECT_EQ(to_xml(parsed), xml);
}

TEST(XmlRoundTrip, EveryByte) {
  std::string all;
  for (int byte = 0; byte < 256; ++byte) all += static_cast<char>(byte);
  const text_node parsed = parse_xml(to_xml(leaf(node_kind::string, all, "bytes")), default_depth);
  EXPECT_EQ(parsed.kind, node_kind::string);
  EXPECT_EQ(parsed.text, all);
}

// ------------------------------------------------------------------------------------------------
// Parsing valid input

TEST(XmlParse, HandWrittenDocument) {
  const std::string xml =
      "\xEF\xBB\xBF<?xml version='1.0' encoding=\"UTF-8\" standalone=\"yes\"?>\n"
      "<!-- leading comment -->\n"
      "<?stylesheet href=\"x\"?>\n"
      "<config version=\"2\" note='a > b' other = \"&lt;&amp;&#65;\">\n"
      "  <!-- a comment between children -->\n"
      "  <name lang=\"en\">  Ada <!-- inside text --> Lovelace </name>\n"
      "  <empty/>\n"
      "  <also_empty a=\"1\" />\n"
      "  <pair></pair>\n"
      "  <code><![CDATA[if (a < b && c > d) { x = \"]]\"; }]]></code>\n"
      "  <refs>&lt;&gt;&amp;&quot;&apos;&#65;&#x42;&#X43;</refs>\n"
      "  <?pi inside?>\n"
      "  <list><item>1</item><item>2</item></list>\n"
      "</config  >\n"
      "<!-- trailing comment -->\n";
  // &#X43; (capital X) is not a valid reference
  EXPECT_EQ(parse_error(xml).code(), errc::format);

  std::string fixed = xml;
  fixed.replace(fixed.find("&#X43;"), 6, "&#x43;");
  const text_node root = parse_xml(fixed, default_depth);
  EXPECT_EQ(root.name, "config");
  ASSERT_EQ(root.kind, node_kind::object);
  ASSERT_EQ(root.children.size(), 7u);
  const auto& c = root.children;
  EXPECT_EQ(c[0].name, "name");
  EXPECT_EQ(c[0].kind, node_kind::string);
  EXPECT_EQ(c[0].text, "  Ada  Lovelace ");
  EXPECT_EQ(c[1].name, "empty");
  EXPECT_EQ(c[1].kind, node_kind::string);
  EXPECT_EQ(c[1].text, "");
  EXPECT_EQ(c[2].name, "also_empty");
  EXPECT_EQ(c[2].text, "");
  EXPECT_EQ(c[3].name, "pair");
  EXPECT_EQ(c[3].kind, node_kind::string);
  EXPECT_EQ(c[3].text, "");
  EXPECT_EQ(c[4].text, "if (a < b && c > d) { x = \"]]\"; }");
  EXPECT_EQ(c[5].text, "<>&\"'ABC");
  EXPECT_EQ(c[6].name, "list");
  ASSERT_EQ(c[6].kind, node_kind::object);
  ASSERT_EQ(c[6].children.size(), 2u);
  EXPECT_EQ(c[6].children[1].text, "2");
  for (const auto& child : c) EXPECT_TRUE(child.children.empty() || child.kind == node_kind::object);
}

TEST(XmlParse, TextIsExactAndLeavesAreStrings) {
  EXPECT_EQ(parse_xml("<a>\n  x\t\n</a>", default_depth).text, "\n  x\t\n");
  EXPECT_EQ(parse_xml("<a>   </a>", default_depth).text, "   ");
  EXPECT_EQ(parse_xml("<a>   </a>", default_depth).kind, node_kind::string);
  EXPECT_EQ(parse_xml("<a/>", default_depth).kind, node_kind::string);
  EXPECT_EQ(parse_xml("<a>1<![CDATA[<2>]]>3</a>", default_depth).text, "1<2>3");
  EXPECT_EQ(parse_xml("<a><![CDATA[]]></a>", default_depth).text, "");
  EXPECT_EQ(parse_xml("<a>]]</a>", default_depth).text, "]]");
  EXPECT_EQ(parse_xml("<a>x > y</a>", default_depth).text, "x > y");
  EXPECT_EQ(parse_xml("<\xC3\xA9l\xC3\xA9ment>v</\xC3\xA9l\xC3\xA9ment>", default_depth).name, "\xC3\xA9l\xC3\xA9ment");
  EXPECT_EQ(parse_xml("<ns:a xmlns:ns=\"u\">v</ns:a>", default_depth).name, "ns:a");
}

TEST(XmlParse, NewlinesAreNormalized) {
  EXPECT_EQ(parse_xml("<a>1\r\n2\r3\n</a>", default_depth).text, "1\n2\n3\n");
  EXPECT_EQ(parse_xml("<a><![CDATA[1\r\n2]]></a>", default_depth).text, "1\n2");
  EXPECT_EQ(parse_xml("<a>&#xD;&#13;\r\n</a>", default_depth).text, "\r\r\n");
  EXPECT_EQ(parse_xml("<r>\r\n  <a>1</a>\r\n</r>\r\n", default_depth).children.size(), 1u);
}

TEST(XmlParse, CharacterReferences) {
  EXPECT_EQ(parse_xml("<a>&#0;&#x0;</a>", default_depth).text, std::string("\0\0", 2));
  EXPECT_EQ(parse_xml("<a>&#233;&#x20AC;&#x1F600;&#x10FFFF;</a>", default_depth).text,
            "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\xF4\x8F\xBF\xBF");
  EXPECT_EQ(parse_xml("<a>&#x000000041;</a>", default_depth).text, "A");
  for (const char* bad : {"<a>&#x110000;</a>", "<a>&#1114112;</a>", "<a>&#xD800;</a>", "<a>&#xDFFF;</a>",
                          "<a>&#99999999999999999999;</a>", "<a>&#;</a>", "<a>&#x;</a>", "<a>&#12</a>", "<a>&#-1;</a>",
                          "<a>&#x1G;</a>", "<a>&#1a;</a>"}) {
    SCOPED_TRACE(bad);
    EXPECT_EQ(parse_error(bad).code(), errc::format);
  }
}

TEST(XmlParse, WhitespaceBetweenChildrenIsDropped) {
  const text_node root = parse_xml("<r>\n  <a>1</a>\t\n  <b> 2 </b>\n</r>", default_depth);
  ASSERT_EQ(root.kind, node_kind::object);
  EXPECT_EQ(root.text, "");
  ASSERT_EQ(root.children.size(), 2u);
  EXPECT_EQ(root.children[1].text, " 2 ");
}

TEST(XmlParse, DepthLimitIsExact) {
  EXPECT_NO_THROW(parse_xml("<a><b><c/></b></a>", 3));
  EXPECT_EQ(parse_error("<a><b><c><d/></c></b></a>", 3).code(), errc::limit);
  EXPECT_EQ(parse_error("<a><b><c><d/></c></b></a>", 3).reason(), picklejar::detail::too_deep(3));
  EXPECT_EQ(parse_error("<a/>", 0).code(), errc::limit);
}

// ------------------------------------------------------------------------------------------------
// Malformed input

TEST(XmlParse, MalformedInputIsAFormatError) {
  const char* const cases[] = {
      // no root, text outside the root, several roots
      "", "   ", "text", "<?xml version=\"1.0\"?>", "<!-- only a comment -->", "x<a/>", "<a/>x", "<a/><b/>",
      "<a></a><a></a>", "<a/>&amp;", "<a/><![CDATA[x]]>", "<![CDATA[x]]><a/>",
      // tags
      "<a>", "<a", "<a/", "<a></b>", "<a><b></a></b>", "<a></a", "</a>", "<a></A>", "< a/>", "<1a/>", "<a><b></a>",
      "<a>< /a>", "<a></ a>", "<>", "<a>text</a >x",
      // attributes
      "<a b/>", "<a b=/>", "<a b=c/>", "<a b=\"c/>", "<a b=\"c\"d=\"e\"/>", "<a b=\"<\"/>", "<a b=\"&unknown;\"/>",
      "<a b=\"1\" b=\"2\"/>", "<a b='x\"/>", "<a =\"x\"/>",
      // entities and references
      "<a>&unknown;</a>", "<a>&amp</a>", "<a>&</a>", "<a>& </a>", "<a>&lt</a>", "<a>&LT;</a>",
      // markup
      "<a><!-- x -- y --></a>", "<a><!-- unterminated</a>", "<a><![CDATA[x</a>", "<a><![cdata[x]]></a>",
      "<a><!ELEMENT a ANY></a>", "<a><?pi</a>", "<a>]]></a>", "<a><?xml version=\"1.0\"?></a>",
      " <?xml version=\"1.0\"?><a/>", "<a/><?xml version=\"1.0\"?>", "<!-- c --><?xml version=\"1.0\"?><a/>",
      "<? x?><a/>", "<!x><a/>",
      // mixed content
      "<a>text<b/></a>", "<a><b/>text</a>", "<a><b/>&#65;</a>", "<a><b/><![CDATA[x]]></a>", "<a>x<!-- c --><b/></a>",
      // control characters are not XML, even in CDATA or comments
      "<a>\x01</a>", "<a><![CDATA[\x02]]></a>", "<!-- \x1f --><a/>", "<a b=\"\x0b\"/>",
  };
  for (const char* text : cases) {
    SCOPED_TRACE(text);
    const picklejar::error e = parse_error(text);
    EXPECT_EQ(e.code(), errc::format);
    EXPECT_EQ(e.reason().rfind("invalid XML at line ", 0), 0u) << e.reason();
  }
  EXPECT_EQ(parse_error(std::string_view("<a>\0</a>", 8)).code(), errc::format);
}

TEST(XmlParse, DoctypeIsRejected) {
  const char* const cases[] = {
      "<!DOCTYPE a><a/>",
      "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;\">]>\n<lolz>&lol2;</lolz>",
      "<!DOCTYPE a SYSTEM \"file:///etc/passwd\"><a>&xxe;</a>",
      "<a><!DOCTYPE a></a>",
  };
  for (const char* text : cases) {
    SCOPED_TRACE(text);
    const picklejar::error e = parse_error(text);
    EXPECT_EQ(e.code(), errc::format);
    EXPECT_NE(e.reason().find("DOCTYPE is not allowed"), std::string::npos) << e.reason();
  }
}

TEST(XmlParse, EveryTruncationFails) {
  std::string document = to_xml(sample_tree());
  while (document.back() == '\n') document.pop_back();  // so that only the full text is a document
  // Hand-written constructs too, where whitespace between children is allowed.
  document.insert(document.find("<name>"), "<!-- c --><x a=\"1\" b='2'/><![CDATA[ ]]>&#x20;<?pi?>");
  ASSERT_NO_THROW(parse_xml(document, default_depth)) << document;
  for (std::size_t length = 0; length < document.size(); ++length) {
    const std::vector<char> prefix(document.begin(), document.begin() + static_cast<std::ptrdiff_t>(length));
    try {
      parse_xml(std::string_view(prefix.data(), prefix.size()), default_depth);
      ADD_FAILURE() << "a " << length << "-byte prefix parsed";
    } catch (const picklejar::error& e) {
      EXPECT_EQ(e.code(), errc::format) << length;
    }
  }
}

TEST(XmlParse, ErrorsGiveLineAndColumn) {
  EXPECT_EQ(parse_error("<r>\n  <a>1</b>\n</r>").reason(),
            "invalid XML at line 2, column 7: expected </a>, found </b>");
  EXPECT_EQ(parse_error("<r>\n\n <a>&bogus;</a></r>").reason(),
            "invalid XML at line 3, column 5: unknown entity (only &lt; &gt; &amp; &quot; &apos; and &#...; are allowed)");
  EXPECT_EQ(parse_error("<r>\n  <a>1</a>\n  oops\n</r>").reason(),
            "invalid XML at line 3, column 3: text mixed with child elements");
  EXPECT_EQ(parse_error("<r>\n  <a>").reason(), "invalid XML at line 2, column 6: element <a> is not closed");
  EXPECT_EQ(parse_error("<r/>\n<s/>").reason(), "invalid XML at line 2, column 1: a second root element");
  EXPECT_EQ(parse_error("\n<!DOCTYPE r><r/>").reason(), "invalid XML at line 2, column 1: DOCTYPE is not allowed");
  EXPECT_NE(std::string(parse_error("x").what()).find("[picklejar.error.format]"), std::string::npos);
}

TEST(XmlParse, MillionDeepNestingHitsTheLimit) {
  std::string open;
  for (int i = 0; i < 1000000; ++i) open += "<a>";
  const picklejar::error e = parse_error(open, 512);
  EXPECT_EQ(e.code(), errc::limit);
  EXPECT_EQ(e.reason(), picklejar::detail::too_deep(512));

  std::string balanced = open;
  for (int i = 0; i < 1000000; ++i) balanced += "</a>";
  EXPECT_EQ(parse_error(balanced, 512).code(), errc::limit);
}

TEST(XmlParse, DeepNestingWithinAGenerousLimitUsesNoRecursion) {
  std::string open;
  for (int i = 0; i < 200000; ++i) open += "<a>";
  const picklejar::error e = parse_error(open, 1000000);
  EXPECT_EQ(e.code(), errc::format);
  EXPECT_NE(e.reason().find("is not closed"), std::string::npos);
}

}  // namespace
