// A readable, compiler-provided name for a type ("ml::Classifier"), recorded in file headers and
// used in messages.
#pragma once

#include <string>
#include <string_view>

namespace picklejar::detail {

template <class T>
constexpr std::string_view raw_type_name() noexcept {
#if defined(__clang__) || defined(__GNUC__)
  return __PRETTY_FUNCTION__;
#elif defined(_MSC_VER)
  return __FUNCSIG__;
#else
  return "unknown type";
#endif
}

// Cut the type out of the function signature: GCC says "... [with T = ml::Classifier; ...]",
// clang "... [T = ml::Classifier]", MSVC "...raw_type_name<class ml::Classifier>(void) noexcept".
constexpr std::string_view extract_type_name(std::string_view signature) noexcept {
  std::size_t start = signature.find("T = ");
  if (start != std::string_view::npos) {
    start += 4;
    std::size_t end = signature.find_first_of(";]", start);
    return signature.substr(start, end - start);
  }
  start = signature.find("raw_type_name<");
  if (start == std::string_view::npos) return signature;
  start += 14;
  std::size_t end = signature.rfind(">(");
  std::string_view name = signature.substr(start, end - start);
  for (std::string_view prefix : {"class ", "struct ", "enum "}) {
    if (name.substr(0, prefix.size()) == prefix) name.remove_prefix(prefix.size());
  }
  return name;
}

template <class T>
constexpr std::string_view type_name() noexcept {
  return extract_type_name(raw_type_name<T>());
}

/// The name without its namespaces ("Classifier" for "ml::Classifier", "Box<int>" for
/// "ml::Box<int>"): how field paths in messages start.
inline std::string short_type_name(std::string_view name) {
  int nesting = 0;
  std::size_t start = 0;
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (name[i] == '<' || name[i] == '(') ++nesting;
    else if (name[i] == '>' || name[i] == ')') --nesting;
    else if (nesting == 0 && name[i] == ':' && i + 1 < name.size() && name[i + 1] == ':') start = i + 2;
  }
  return std::string(name.substr(start));
}

}  // namespace picklejar::detail
