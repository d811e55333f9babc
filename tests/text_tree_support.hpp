// Helpers for the codec tests: build trees tersely, compare them with a readable difference, and
// catch a parser's error.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "picklejar/detail/codecs/text_tree.hpp"
#include "picklejar/error.hpp"

namespace codec_test {

using picklejar::detail::node_kind;
using picklejar::detail::text_node;

inline text_node leaf(node_kind kind, std::string text = {}, std::string name = {}) {
  text_node node;
  node.kind = kind;
  node.text = std::move(text);
  node.name = std::move(name);
  return node;
}

inline text_node container(node_kind kind, std::vector<text_node> children, std::string name = {}) {
  text_node node;
  node.kind = kind;
  node.children = std::move(children);
  node.name = std::move(name);
  return node;
}

// Field-by-field comparison that names the first difference, so failures are readable.
inline ::testing::AssertionResult same_tree(const text_node& expected, const text_node& actual, const std::string& path = "$") {
  if (expected.name != actual.name) {
    return ::testing::AssertionFailure() << path << ": name '" << actual.name << "' != '" << expected.name << "'";
  }
  if (expected.kind != actual.kind) {
    return ::testing::AssertionFailure() << path << ": kind " << int(actual.kind) << " != " << int(expected.kind);
  }
  if (expected.text != actual.text) {
    return ::testing::AssertionFailure() << path << ": text '" << actual.text << "' != '" << expected.text << "'";
  }
  if (expected.children.size() != actual.children.size()) {
    return ::testing::AssertionFailure() << path << ": " << actual.children.size() << " children, expected "
                                         << expected.children.size();
  }
  for (std::size_t i = 0; i < expected.children.size(); ++i) {
    auto result = same_tree(expected.children[i], actual.children[i], path + "/" + std::to_string(i));
    if (!result) return result;
  }
  return ::testing::AssertionSuccess();
}

// Runs `parse` and returns the error it threw; fails the test if it did not throw.
template <class Parse>
picklejar::error parse_error_of(Parse parse, std::string_view text, std::size_t max_depth) {
  try {
    parse(text, max_depth);
  } catch (const picklejar::error& e) {
    return e;
  }
  ADD_FAILURE() << "no error for: " << text;
  return picklejar::error(picklejar::errc::io, "not thrown");
}

}  // namespace codec_test
