// Which class types belong to a library (the standard library, cereal, Eigen, picklejar itself)
// rather than to the program. Decided from the type itself, never from its spelled name: GCC and
// Clang spell names differently (GCC drops the namespace of a type declared where the name is
// taken), and a file must be laid out the same whichever compiler built the writer or the reader.
#pragma once

#include <cereal/cereal.hpp>

#include <array>
#include <atomic>
#include <bitset>
#include <chrono>
#include <complex>
#include <cstddef>
#include <deque>
#include <forward_list>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <queue>
#include <set>
#include <stack>
#include <string>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <valarray>
#include <variant>
#include <vector>

namespace Eigen {
template <typename Derived>
struct EigenBase;  // every Eigen matrix, array, sparse matrix and expression derives from it
}  // namespace Eigen

namespace picklejar::detail {

/// The standard and cereal class templates picklejar and cereal save out of the box.
template <class T>
struct is_library_template : std::false_type {};

#define PICKLEJAR_DETAIL_LIBRARY_TEMPLATE(...)                          \
  template <class... Args>                                              \
  struct is_library_template<__VA_ARGS__<Args...>> : std::true_type {};

PICKLEJAR_DETAIL_LIBRARY_TEMPLATE(std::basic_string)
PICKLEJAR_DETAIL_LIBRARY_TEMPLATE(std::vector)
PICKLEJAR_DETAIL_LIBRARY_TEMPLATE(std::deque)
PICKLEJAR_DETAIL_LIBRARY_TEMPLATE(std::list)
PICKLEJAR_DETAIL_LIBRARY_TEMPLATE(std::forward_list)
PICKLEJAR_DETAIL_LIBRARY_TEMPLATE(std::map)
PICKLEJAR_DETAIL_LIBRARY_TEMPLATE(std::multimap)
PICKLEJAR_DETAIL_LIBRARY_TEMPLATE(std::set)
PICKLEJAR_DETAIL_LIBRARY_TEMPLATE(std::multiset)
PICKLEJAR_DETAIL_LIBRARY_TEMPLATE(std::unordered_map)
PICKLEJAR_DETAIL_LIBRARY_TEMPLATE(std::unordered_multimap)
PICKLEJAR_DETAIL_LIBRARY_TEMPLATE(std::unordered_set)
PICKLEJAR_DETAIL_LIBRARY_TEMPLATE(std::unordered_multiset)
PICKLEJAR_DETAIL_LIBRARY_TEMPLATE(std::stack)
PICKLEJAR_DETAIL_LIBRARY_TEMPLATE(std::queue)
PICKLEJAR_DETAIL_LIBRARY_TEMPLATE(std::priority_queue)
PICKLEJAR_DETAIL_LIBRARY_TEMPLATE(std::pair)
PICKLEJAR_DETAIL_LIBRARY_TEMPLATE(std::tuple)
PICKLEJAR_DETAIL_LIBRARY_TEMPLATE(std::optional)
PICKLEJAR_DETAIL_LIBRARY_TEMPLATE(std::variant)
PICKLEJAR_DETAIL_LIBRARY_TEMPLATE(std::complex)
PICKLEJAR_DETAIL_LIBRARY_TEMPLATE(std::valarray)
PICKLEJAR_DETAIL_LIBRARY_TEMPLATE(std::atomic)
PICKLEJAR_DETAIL_LIBRARY_TEMPLATE(std::shared_ptr)
PICKLEJAR_DETAIL_LIBRARY_TEMPLATE(std::weak_ptr)
PICKLEJAR_DETAIL_LIBRARY_TEMPLATE(std::unique_ptr)
PICKLEJAR_DETAIL_LIBRARY_TEMPLATE(std::less)
PICKLEJAR_DETAIL_LIBRARY_TEMPLATE(std::greater)
PICKLEJAR_DETAIL_LIBRARY_TEMPLATE(std::chrono::duration)
PICKLEJAR_DETAIL_LIBRARY_TEMPLATE(std::chrono::time_point)
PICKLEJAR_DETAIL_LIBRARY_TEMPLATE(cereal::NameValuePair)
PICKLEJAR_DETAIL_LIBRARY_TEMPLATE(cereal::SizeTag)
PICKLEJAR_DETAIL_LIBRARY_TEMPLATE(cereal::BinaryData)
PICKLEJAR_DETAIL_LIBRARY_TEMPLATE(cereal::DeferredData)
PICKLEJAR_DETAIL_LIBRARY_TEMPLATE(cereal::MapItem)

#undef PICKLEJAR_DETAIL_LIBRARY_TEMPLATE

template <class T, std::size_t N>
struct is_library_template<std::array<T, N>> : std::true_type {};
template <std::size_t N>
struct is_library_template<std::bitset<N>> : std::true_type {};
template <>
struct is_library_template<std::monostate> : std::true_type {};

/// picklejar's own helper types mark themselves with `using picklejar_library_type = void;`.
template <class T, class = void>
constexpr bool has_library_marker = false;
template <class T>
constexpr bool has_library_marker<T, std::void_t<typename T::picklejar_library_type>> = true;

/// Types a picklejar header saves through cereal functions of its own (random.hpp specializes it
/// for the standard engines and distributions): library types, never embedded as a program's.
template <class T, class = void>
struct has_picklejar_cereal_functions : std::false_type {};

template <class T, class = void>
constexpr bool is_eigen_type = false;
template <class T>
constexpr bool is_eigen_type<T, std::enable_if_t<std::is_class_v<T>>> =
    std::is_base_of_v<Eigen::EigenBase<T>, T>;

/// A type from the standard library, cereal, Eigen or picklejar, whose serialization never saves
/// or loads pointers through temporaries.
template <class T>
constexpr bool is_library_type =
    is_library_template<std::remove_cv_t<T>>::value || has_library_marker<T> || is_eigen_type<T> ||
    has_picklejar_cereal_functions<std::remove_cv_t<T>>::value;

}  // namespace picklejar::detail
