// How picklejar's input archives load standard containers, replacing cereal's loaders (which
// resize a container to the count the file claims before reading an element, and let a file of
// colliding keys make an unordered container quadratic). One rule for every container: the count
// is charged to the load's memory budget at the elements' sizeof (plus a node's links for
// node-based containers) before anything is allocated, then the elements are read one by one.
// binary.hpp and text.hpp route each container type here for their archive.
#pragma once

#include <cereal/cereal.hpp>

#include <algorithm>
#include <cstdint>
#include <deque>
#include <forward_list>
#include <iterator>
#include <list>
#include <map>
#include <set>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "picklejar/detail/session/memory_budget.hpp"

namespace picklejar::detail {

template <class Container, class = void>
struct has_reserve : std::false_type {};
template <class Container>
struct has_reserve<Container, std::void_t<decltype(std::declval<Container&>().reserve(std::size_t{}))>>
    : std::true_type {};

/// Reads a count, and fails at once (errc::limit) when `count` elements of `each` bytes could not
/// fit the load's memory budget: a claim of a million 32 KiB elements is refused before the first
/// element is read. Nothing is charged yet: the elements are, as they arrive, so that memory
/// follows what the file holds rather than what it claims.
template <class Archive>
std::size_t read_count_that_fits(Archive& archive, std::uint64_t each) {
  cereal::size_type count = 0;
  archive(cereal::make_size_tag(count));
  if constexpr (has_memory_budget<Archive>::value) {
    memory_budget probe = archive.budget();
    if (!probe.try_charge(count, each)) archive.path().fail(errc::limit, probe.refusal(count, each));
  }
  return static_cast<std::size_t>(count);
}

template <class Archive, class = void>
struct knows_bytes_left : std::false_type {};
template <class Archive>
struct knows_bytes_left<Archive, std::void_t<decltype(std::declval<const Archive&>().remaining())>>
    : std::true_type {};

/// The capacity a vector of `count` elements reserves before reading one: all of it when that
/// costs at most four times the bytes still to read (every element takes at least one of them, so
/// memory still follows what the file holds), which spares the copies of growing; otherwise none.
template <class Archive>
std::size_t upfront_capacity(const Archive& archive, std::size_t count, std::uint64_t each) {
  if constexpr (knows_bytes_left<Archive>::value) {
    constexpr std::uint64_t bytes_per_file_byte = 4;
    const std::uint64_t affordable = archive.remaining() / (each == 0 ? 1 : each) * bytes_per_file_byte;
    return count <= affordable ? count : 0;
  } else {
    return 0;
  }
}

/// vector, deque, list: grown element by element as they are read, each growth charged first (a
/// vector's at the whole capacity it reserves, doubling up to the count, since the old buffer
/// lives until the elements have moved), so a failure part way has allocated only for the
/// elements read, or a few times the bytes they came from (upfront_capacity).
template <class Archive, class Sequence>
void load_sequence(Archive& archive, Sequence& sequence) {
  using element = typename Sequence::value_type;
  constexpr bool contiguous = has_reserve<Sequence>::value;
  constexpr std::uint64_t each = sizeof(element) + (contiguous ? 0 : node_overhead_bytes);
  const std::size_t count = read_count_that_fits(archive, each);
  sequence.clear();
  if constexpr (contiguous) {
    sequence.shrink_to_fit();  // what it held before is not counted
    if (const std::size_t capacity = upfront_capacity(archive, count, each); capacity != 0) {
      charge_memory(archive, capacity, each);
      sequence.reserve(capacity);
    }
  }
  for (std::size_t i = 0; i < count; ++i) {
    if constexpr (contiguous) {
      if (sequence.size() == sequence.capacity()) {
        // The new buffer whole: the old one is still there while the elements move.
        const std::size_t grown = std::min(count, std::max<std::size_t>(1, 2 * sequence.capacity()));
        charge_memory(archive, grown, each);
        sequence.reserve(grown);
      }
    } else {
      charge_memory(archive, 1, each);
    }
    sequence.emplace_back();
    archive(sequence.back());
  }
}

/// Reads `count` elements one by one with read_one(), each charged before it is made.
template <class Archive, class Container, class ReadOne>
void load_elements(Archive& archive, Container& container, ReadOne read_one) {
  constexpr std::uint64_t each = sizeof(typename Container::value_type) + node_overhead_bytes;
  const std::size_t count = read_count_that_fits(archive, each);
  container.clear();
  for (std::size_t i = 0; i < count; ++i) {
    charge_memory(archive, 1, each);
    read_one();
  }
}

template <class Archive, class List>
void load_forward_list(Archive& archive, List& list) {
  auto last = list.before_begin();  // still valid after clear(): it is no element's
  load_elements(archive, list, [&] {
    last = list.emplace_after(last);
    archive(*last);
  });
}

// ---- hash flooding ----
//
// std::hash of an integer is the integer itself, so a file of keys k * bucket_count puts every key
// in one bucket, and each insertion walks all of them: 160,000 keys took minutes. The hash cannot
// be seeded per load, so the loader watches what each insertion walked instead: more keys in
// the inserted key's bucket than a good hash ever puts there (a few, for any size) is an attack
// or a hash unfit for the data, and errc::limit. That bounds a load of N keys to O(N) work.

inline constexpr std::size_t max_bucket_walk = 128;

template <class Key>
const Key& key_of(const Key& key) noexcept {
  return key;
}
template <class Key, class Value>
const Key& key_of(const std::pair<const Key, Value>& entry) noexcept {
  return entry.first;
}

/// Fails if inserting the element at `inserted` had to walk more than max_bucket_walk others.
template <class Archive, class Table, class Iterator>
void check_bucket_walk(Archive& archive, const Table& table, Iterator inserted, bool unique_keys) {
  const auto& key = key_of(*inserted);
  const std::size_t bucket = table.bucket(key);
  std::size_t walked = 0;
  for (auto at = table.begin(bucket); at != table.end(bucket); ++at) {
    // A multi-container keeps equal keys together, and an insertion stops at the first of them
    // (the new element goes just before it, or first in the bucket when there is none); a unique
    // one searches the whole bucket for the key.
    if (&*at == &*inserted) continue;
    if (!unique_keys && table.key_eq()(key_of(*at), key)) break;
    if (++walked > max_bucket_walk) {
      archive.path().fail(errc::limit, "more than " + std::to_string(max_bucket_walk) +
                                           " keys of this unordered container fall in one hash bucket "
                                           "(hash flooding: loading would take quadratic time)");
    }
  }
}

/// Inserts what was just read: an ordered container at its end (the file holds the elements in
/// order, so each goes in in constant time, and equal keys of a multi-container keep their order;
/// cereal's hint, the previous element, reversed them), a hashed one watched for flooding.
template <class Archive, class Container, class... Parts>
void insert_read(Archive& archive, Container& container, Parts&&... parts) {
  if constexpr (has_reserve<Container>::value) {
    auto inserted = container.emplace(std::forward<Parts>(parts)...);
    if constexpr (std::is_same_v<decltype(inserted), typename Container::iterator>) {
      check_bucket_walk(archive, container, inserted, false);
    } else {
      check_bucket_walk(archive, container, inserted.first, true);
    }
  } else {
    container.emplace_hint(container.end(), std::forward<Parts>(parts)...);
  }
}

/// set, multiset, unordered_set, unordered_multiset.
template <class Archive, class Set>
void load_set(Archive& archive, Set& set) {
  load_elements(archive, set, [&] {
    typename Set::key_type key;
    archive(key);
    insert_read(archive, set, std::move(key));
  });
}

/// map, multimap, unordered_map, unordered_multimap, as {key, value} items like cereal's.
template <class Archive, class Map>
void load_map(Archive& archive, Map& map) {
  load_elements(archive, map, [&] {
    typename Map::key_type key;
    typename Map::mapped_type value;
    archive(cereal::make_map_item(key, value));
    insert_read(archive, map, std::move(key), std::move(value));
  });
}

}  // namespace picklejar::detail

/// The standard library's deque, lists, sets and maps for one of picklejar's input archives (each
/// archive names itself once: detail/archives/binary.hpp, detail/archives/text.hpp). The archive is a plain
/// parameter, so these win over cereal's own templates by overload resolution.
#define PICKLEJAR_DETAIL_NODE_CONTAINER_LOADERS(Archive)                                                  \
  template <class T, class Allocator>                                                                   \
  void CEREAL_LOAD_FUNCTION_NAME(Archive& archive, std::deque<T, Allocator>& deque) {                    \
    load_sequence(archive, deque);                                                                      \
  }                                                                                                     \
  template <class T, class Allocator>                                                                   \
  void CEREAL_LOAD_FUNCTION_NAME(Archive& archive, std::list<T, Allocator>& list) {                      \
    load_sequence(archive, list);                                                                       \
  }                                                                                                     \
  template <class T, class Allocator>                                                                   \
  void CEREAL_LOAD_FUNCTION_NAME(Archive& archive, std::forward_list<T, Allocator>& list) {              \
    load_forward_list(archive, list);                                                                   \
  }                                                                                                     \
  template <class Key, class Compare, class Allocator>                                                  \
  void CEREAL_LOAD_FUNCTION_NAME(Archive& archive, std::set<Key, Compare, Allocator>& set) {             \
    load_set(archive, set);                                                                             \
  }                                                                                                     \
  template <class Key, class Compare, class Allocator>                                                  \
  void CEREAL_LOAD_FUNCTION_NAME(Archive& archive, std::multiset<Key, Compare, Allocator>& set) {        \
    load_set(archive, set);                                                                             \
  }                                                                                                     \
  template <class Key, class Hash, class Equal, class Allocator>                                        \
  void CEREAL_LOAD_FUNCTION_NAME(Archive& archive, std::unordered_set<Key, Hash, Equal, Allocator>& set) { \
    load_set(archive, set);                                                                             \
  }                                                                                                     \
  template <class Key, class Hash, class Equal, class Allocator>                                        \
  void CEREAL_LOAD_FUNCTION_NAME(Archive& archive,                                                      \
                                 std::unordered_multiset<Key, Hash, Equal, Allocator>& set) {           \
    load_set(archive, set);                                                                             \
  }                                                                                                     \
  template <class Key, class Value, class Compare, class Allocator>                                     \
  void CEREAL_LOAD_FUNCTION_NAME(Archive& archive, std::map<Key, Value, Compare, Allocator>& map) {      \
    load_map(archive, map);                                                                             \
  }                                                                                                     \
  template <class Key, class Value, class Compare, class Allocator>                                     \
  void CEREAL_LOAD_FUNCTION_NAME(Archive& archive, std::multimap<Key, Value, Compare, Allocator>& map) { \
    load_map(archive, map);                                                                             \
  }                                                                                                     \
  template <class Key, class Value, class Hash, class Equal, class Allocator>                           \
  void CEREAL_LOAD_FUNCTION_NAME(Archive& archive,                                                      \
                                 std::unordered_map<Key, Value, Hash, Equal, Allocator>& map) {         \
    load_map(archive, map);                                                                             \
  }                                                                                                     \
  template <class Key, class Value, class Hash, class Equal, class Allocator>                           \
  void CEREAL_LOAD_FUNCTION_NAME(Archive& archive,                                                      \
                                 std::unordered_multimap<Key, Value, Hash, Equal, Allocator>& map) {    \
    load_map(archive, map);                                                                             \
  }
