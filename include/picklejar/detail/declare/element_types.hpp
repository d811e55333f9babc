// The types a standard container, wrapper or smart pointer holds, so that the rules check every
// type inside a member however deeply it is nested (std::vector<Foo>, std::map<int, float*>):
// one picklejar message naming the element type, instead of cereal's 60 lines from deep inside.
#pragma once

#include <array>
#include <deque>
#include <forward_list>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <valarray>
#include <variant>
#include <vector>

#include "picklejar/detail/declare/access.hpp"  // type_list

namespace picklejar::detail {

/// `type` lists what T holds when T is one of the standard library's containers, wrappers or
/// smart pointers; `holds` tells whether it is one.
template <class T>
struct element_types {
  static constexpr bool holds = false;
  using type = type_list<>;
};

template <class... Types>
struct holds_types {
  static constexpr bool holds = true;
  using type = type_list<Types...>;
};

template <class T, class A>
struct element_types<std::vector<T, A>> : holds_types<T> {};
template <class T, class A>
struct element_types<std::deque<T, A>> : holds_types<T> {};
template <class T, class A>
struct element_types<std::list<T, A>> : holds_types<T> {};
template <class T, class A>
struct element_types<std::forward_list<T, A>> : holds_types<T> {};
template <class T>
struct element_types<std::valarray<T>> : holds_types<T> {};
template <class T, std::size_t N>
struct element_types<std::array<T, N>> : holds_types<T> {};
template <class K, class C, class A>
struct element_types<std::set<K, C, A>> : holds_types<K> {};
template <class K, class C, class A>
struct element_types<std::multiset<K, C, A>> : holds_types<K> {};
template <class K, class H, class E, class A>
struct element_types<std::unordered_set<K, H, E, A>> : holds_types<K> {};
template <class K, class H, class E, class A>
struct element_types<std::unordered_multiset<K, H, E, A>> : holds_types<K> {};
template <class K, class V, class C, class A>
struct element_types<std::map<K, V, C, A>> : holds_types<K, V> {};
template <class K, class V, class C, class A>
struct element_types<std::multimap<K, V, C, A>> : holds_types<K, V> {};
template <class K, class V, class H, class E, class A>
struct element_types<std::unordered_map<K, V, H, E, A>> : holds_types<K, V> {};
template <class K, class V, class H, class E, class A>
struct element_types<std::unordered_multimap<K, V, H, E, A>> : holds_types<K, V> {};
template <class A, class B>
struct element_types<std::pair<A, B>> : holds_types<A, B> {};
template <class... Types>
struct element_types<std::tuple<Types...>> : holds_types<Types...> {};
template <class T>
struct element_types<std::optional<T>> : holds_types<T> {};
template <class... Types>
struct element_types<std::variant<Types...>> : holds_types<Types...> {};
/// What a smart pointer points to (a pointee may be built by cereal's load_and_construct).
template <class T>
struct pointee {};
template <class T>
using pointee_of = std::conditional_t<std::is_array_v<T>, void, pointee<T>>;
template <class T, class D>
struct element_types<std::unique_ptr<T, D>> : holds_types<pointee_of<T>> {};
template <class T>
struct element_types<std::shared_ptr<T>> : holds_types<pointee_of<T>> {};
template <class T>
struct element_types<std::weak_ptr<T>> : holds_types<pointee_of<T>> {};

}  // namespace picklejar::detail
