// The document tree shared by the JSON and XML formats: the text archives build and read it,
// and one codec per format turns it into text and back.
#pragma once

#include <string>
#include <vector>

namespace picklejar::detail {

enum class node_kind : unsigned char { null, boolean, number, string, object, array };

struct text_node {
  std::string name;  // key inside an object parent; empty for array items and the root
  node_kind kind = node_kind::null;
  std::string text;  // number spelling, decoded string contents, or "true"/"false"
  std::vector<text_node> children;  // object members (named) or array items (unnamed), in order
};

}  // namespace picklejar::detail
