// A readable name for a type ("ml::Classifier"), recorded in file headers (the root type, the
// version table) and used in messages. Files written by a GCC build must load in a Clang build
// and the other way round, so every name is put into one canonical spelling here; nothing
// decides behaviour from a name other than by comparing these canonical names.
#pragma once

#include <cstddef>
#include <cstdlib>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <typeinfo>
#include <utility>
#include <vector>

#if __has_include(<cxxabi.h>)
#include <cxxabi.h>
#endif

// At global scope on purpose: GCC leaves out the namespaces the function itself is declared in
// ("state_holder<T>" for picklejar::detail::state_holder<T> seen from picklejar::detail).
template <class T>
constexpr std::string_view picklejar_detail_raw_type_name() noexcept {
#if defined(__clang__) || defined(__GNUC__)
  return __PRETTY_FUNCTION__;
#elif defined(_MSC_VER)
  return __FUNCSIG__;
#else
  return "unknown type";
#endif
}

namespace picklejar::detail {

template <class T>
constexpr std::string_view raw_type_name() noexcept {
  return picklejar_detail_raw_type_name<T>();
}

// Cut the type out of the function signature: GCC says "... [with T = ml::Classifier; ...]",
// clang "... [T = ml::Classifier]", MSVC "...raw_type_name<class ml::Classifier>(void) noexcept".
// The type itself may hold brackets ("char[4]") and semicolons nowhere, so it ends at the first
// ';' or ']' outside brackets.
constexpr std::string_view extract_type_name(std::string_view signature) noexcept {
  std::size_t start = signature.find("T = ");
  if (start != std::string_view::npos) {
    start += 4;
    int depth = 0;
    std::size_t end = start;
    for (; end < signature.size(); ++end) {
      const char c = signature[end];
      if (c == '(' || c == '[' || c == '<' || c == '{') {
        ++depth;
      } else if (c == ')' || c == ']' || c == '>' || c == '}') {
        if (depth == 0) break;
        --depth;
      } else if (c == ';' && depth == 0) {
        break;
      }
    }
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

namespace type_names {

inline bool is_word_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '$';
}
inline bool is_word(const std::string& token) { return !token.empty() && is_word_char(token[0]); }
inline bool is_digit(char c) { return c >= '0' && c <= '9'; }

inline std::vector<std::string> tokenize(std::string_view text) {
  std::vector<std::string> tokens;
  for (std::size_t i = 0; i < text.size();) {
    const char c = text[i];
    if (c == ' ' || c == '\t' || c == '\n') {
      ++i;
    } else if (is_word_char(c)) {
      std::size_t end = i;
      while (end < text.size() && is_word_char(text[end])) ++end;
      tokens.emplace_back(text.substr(i, end - i));
      i = end;
    } else if (c == '\'') {  // a character literal, kept whole (' ' holds a space)
      std::size_t end = i + 1;
      while (end < text.size() && text[end] != '\'') end += text[end] == '\\' ? 2 : 1;
      end = end < text.size() ? end + 1 : text.size();
      tokens.emplace_back(text.substr(i, end - i));
      i = end;
    } else if (text.substr(i, 2) == "::" || text.substr(i, 2) == "&&") {
      tokens.emplace_back(text.substr(i, 2));
      i += 2;
    } else {
      tokens.emplace_back(1, c);
      ++i;
    }
  }
  return tokens;
}

/// An identifier the implementation reserves (__cxx11, _V2, __1): the inline namespaces of the
/// standard libraries, which GCC prints and Clang leaves out.
inline bool is_reserved(const std::string& token) {
  return token.size() >= 2 && token[0] == '_' && (token[1] == '_' || (token[1] >= 'A' && token[1] <= 'Z'));
}

inline bool is_integer_word(const std::string& token) {
  return token == "signed" || token == "unsigned" || token == "short" || token == "long" || token == "int" ||
         token == "char";
}

/// One spelling for a run of integer keywords: GCC says "long unsigned int", Clang "unsigned long".
inline std::vector<std::string> integer_type(const std::vector<std::string>& words) {
  bool is_signed = false, is_unsigned = false, is_short = false, is_char = false;
  int longs = 0;
  for (const auto& word : words) {
    is_signed = is_signed || word == "signed";
    is_unsigned = is_unsigned || word == "unsigned";
    is_short = is_short || word == "short";
    is_char = is_char || word == "char";
    longs += word == "long" ? 1 : 0;
  }
  std::vector<std::string> out;
  if (is_char) {
    if (is_signed) out.emplace_back("signed");
    if (is_unsigned) out.emplace_back("unsigned");
    out.emplace_back("char");
    return out;
  }
  if (is_unsigned) out.emplace_back("unsigned");
  if (is_short) out.emplace_back("short");
  for (int i = 0; i < longs; ++i) out.emplace_back("long");
  if (!is_short && longs == 0) out.emplace_back("int");
  return out;
}

/// The name up to its last template argument list: "std::vector" of "std::vector<int>".
inline std::string_view template_of(std::string_view name) {
  if (name.empty() || name.back() != '>') return {};
  int depth = 0;
  for (std::size_t i = name.size(); i-- > 0;) {
    if (name[i] == '>') ++depth;
    else if (name[i] == '<' && --depth == 0) return name.substr(0, i);
  }
  return {};
}

}  // namespace type_names

/// The canonical spelling of a type name as GCC, Clang (libstdc++ or libc++) or an older
/// picklejar wrote it: standard-library inline namespaces left out, "(anonymous namespace)",
/// integer types the short way ("unsigned long"), integer constants without suffixes, and spaces
/// only between two words, after a comma, and between '*', '&' or ')' and a following word
/// ("std::map<std::basic_string<char>, int>", "ns::Box<const char* const*>", "Box<char[4]>").
/// Applying it twice changes nothing.
inline std::string normalize_type_name(std::string_view raw) {
  using namespace type_names;
  std::string text(raw);
  replace_all(text, "{anonymous}", "(anonymous namespace)");
  const std::vector<std::string> tokens = tokenize(text);
  std::vector<std::string> kept;
  kept.reserve(tokens.size());
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const std::string& token = tokens[i];
    // "std::__cxx11::" -> "std::": a reserved namespace between two qualifiers.
    if (is_reserved(token) && !kept.empty() && kept.back() == "::" && i + 1 < tokens.size() &&
        tokens[i + 1] == "::") {
      ++i;
      continue;
    }
    if (is_integer_word(token)) {
      std::vector<std::string> run;
      while (i < tokens.size() && is_integer_word(tokens[i])) run.push_back(tokens[i++]);
      --i;
      for (auto& word : integer_type(run)) kept.push_back(std::move(word));
      continue;
    }
    if (is_digit(token[0])) {  // 5u, 5UL, -5L: the value alone
      std::string number = token;
      while (!number.empty() && (number.back() == 'u' || number.back() == 'U' || number.back() == 'l' ||
                                 number.back() == 'L'))
        number.pop_back();
      kept.push_back(std::move(number));
      continue;
    }
    kept.push_back(token);
  }
  std::string name;
  for (std::size_t i = 0; i < kept.size(); ++i) {
    if (i > 0) {
      const std::string& before = kept[i - 1];
      const bool space = before == "," ||
                         (is_word(kept[i]) && (is_word(before) || before == "*" || before == "&" ||
                                               before == "&&" || before == ")"));
      if (space) name += ' ';
    }
    name += kept[i];
  }
  return name;
}

/// The demangled form of a std::type_info::name() (a mangled name), or the name itself.
inline std::string demangle(const char* mangled) {
#if __has_include(<cxxabi.h>)
  int status = 0;
  char* demangled = abi::__cxa_demangle(mangled, nullptr, nullptr, &status);
  if (status == 0 && demangled != nullptr) {
    std::string name(demangled);
    std::free(demangled);
    return name;
  }
#endif
  return mangled;
}

/// The spelled name of T, canonical but with template arguments as the compiler printed them. A
/// class or enum is named from its mangled name where there is one: the mangling is the same from
/// GCC and Clang, and names every namespace, where Clang's __PRETTY_FUNCTION__ leaves out inline
/// namespaces (ns::v1::Model is "ns::Model" to Clang, "ns::v1::Model" to GCC).
/// (A template's arguments are still taken from __PRETTY_FUNCTION__, which leaves out defaulted
/// ones and spells constants as written: 'a', not (char)97.)
template <class T>
std::string spelled_type_name() {
  std::string spelled = normalize_type_name(extract_type_name(raw_type_name<T>()));
#if (defined(__GXX_RTTI) || defined(__cpp_rtti)) && __has_include(<cxxabi.h>)
  if constexpr ((std::is_class_v<T> || std::is_enum_v<T>) && !std::is_const_v<T> && !std::is_volatile_v<T>) {
    std::string mangled = normalize_type_name(demangle(typeid(T).name()));
    const std::string_view outer = type_names::template_of(mangled);
    const std::string_view spelled_outer = type_names::template_of(spelled);
    if (outer.empty() || spelled_outer.empty()) return mangled;
    return std::string(outer) + spelled.substr(spelled_outer.size());
  }
#endif
  return spelled;
}

template <class T>
std::string type_name();

namespace type_names {

/// Whether Template<Args...> names a type (enough arguments, the rest defaulted).
template <template <class...> class Template, class Args, class = void>
struct names_type : std::false_type {};
template <template <class...> class Template, class... Args>
struct names_type<Template, std::tuple<Args...>, std::void_t<Template<Args...>>> : std::true_type {
  using type = Template<Args...>;
};

template <template <class...> class Template, class Whole, class... Args, std::size_t... I>
constexpr bool prefix_is_whole(std::index_sequence<I...>) {
  using prefix = std::tuple<std::tuple_element_t<I, std::tuple<Args...>>...>;
  if constexpr (names_type<Template, prefix>::value)
    return std::is_same_v<typename names_type<Template, prefix>::type, Whole>;
  else
    return false;
}

/// How many of the arguments are written: the rest equal their defaults. GCC prints the defaults
/// in some places (inside a parameter pack) and not in others, Clang never does.
template <std::size_t K, template <class...> class Template, class Whole, class... Args>
constexpr std::size_t written_arguments() {
  if constexpr (K >= sizeof...(Args))
    return sizeof...(Args);
  else if constexpr (prefix_is_whole<Template, Whole, Args...>(std::make_index_sequence<K>{}))
    return K;
  else
    return written_arguments<K + 1, Template, Whole, Args...>();
}

template <class T>
struct template_arguments {
  static constexpr bool known = false;
};
template <template <class...> class Template, class... Args>
struct template_arguments<Template<Args...>> {
  static constexpr bool known = true;
  static constexpr std::size_t written = written_arguments<0, Template, Template<Args...>, Args...>();
  static std::vector<std::string> names() { return {type_name<Args>()...}; }
};

}  // namespace type_names

/// T's name as files record it, e.g. "ml::Classifier" or "std::vector<ml::Layer>": the same from
/// GCC and Clang, C++17 and C++20. A class template's arguments are named one by one and those
/// equal to their defaults left out, whatever the compiler chose to print.
template <class T>
std::string type_name() {
  using arguments = type_names::template_arguments<std::remove_cv_t<T>>;
  if constexpr (std::is_class_v<T> && !std::is_const_v<T> && !std::is_volatile_v<T> && arguments::known) {
    const std::string spelled = spelled_type_name<T>();
    const std::string_view outer = type_names::template_of(spelled);
    if (!outer.empty()) {
      std::string name(outer);
      name += '<';
      const std::vector<std::string> names = arguments::names();
      for (std::size_t i = 0; i < arguments::written; ++i) {
        if (i > 0) name += ", ";
        name += names[i];
      }
      name += '>';
      return name;
    }
    return spelled;
  } else {
    return spelled_type_name<T>();
  }
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
