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

inline void replace_all(std::string& text, std::string_view from, std::string_view to) {
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
}

/// The same spelling from GCC and Clang (and libstdc++ and libc++), so a file written by a program
/// built with one compiler loads in a program built with the other.
inline std::string normalize_type_name(std::string_view raw) {
  std::string name(raw);
  replace_all(name, "std::__cxx11::", "std::");
  replace_all(name, "std::__1::", "std::");
  replace_all(name, "{anonymous}", "(anonymous namespace)");
  replace_all(name, "> >", ">>");
  // GCC spells integer types the long way ("long unsigned int"); Clang the short way.
  replace_all(name, "long long unsigned int", "unsigned long long");
  replace_all(name, "long unsigned int", "unsigned long");
  replace_all(name, "short unsigned int", "unsigned short");
  replace_all(name, "long long int", "long long");
  replace_all(name, "long int", "long");
  replace_all(name, "short int", "short");
  return name;
}

/// T's name as files record it, e.g. "ml::Classifier".
template <class T>
std::string type_name() {
  return normalize_type_name(extract_type_name(raw_type_name<T>()));
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
