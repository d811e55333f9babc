// One memory budget per load (options::max_memory). Every allocation a load makes because of what
// the file says is charged to it before it happens: the JSON/XML parse tree, container elements at
// their sizeof (an empty std::optional<std::array<double, 8192>> costs 64 KiB however little the
// file spends on it), strings, objects behind pointers, Eigen matrices, and the field path's
// bookkeeping. Limits on the file's size alone cannot bound that: an element may take thousands of
// times the bytes that encode it. Charges are never given back: a load's memory only grows until
// it ends, so the sum bounds the peak.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>
#include <utility>

#include "picklejar/error.hpp"

namespace picklejar::detail {

class memory_budget {
 public:
  explicit memory_budget(std::uint64_t limit = std::numeric_limits<std::uint64_t>::max()) noexcept
      : limit_(limit) {}

  /// Takes `count` × `each` bytes from the budget; false (and nothing taken) when they do not fit.
  [[nodiscard]] bool try_charge(std::uint64_t count, std::uint64_t each = 1) noexcept {
    // Runs per string and per object read: an overflow-checked multiply, not a division.
#if defined(__GNUC__)
    std::uint64_t bytes = 0;
    if (__builtin_mul_overflow(count, each, &bytes) || bytes > limit_ - used_) return false;
#else
    if (each != 0 && count > (limit_ - used_) / each) return false;
    const std::uint64_t bytes = count * each;
#endif
    used_ += bytes;
    return true;
  }

  /// Why a charge of `count` × `each` bytes was refused, for the error message.
  std::string refusal(std::uint64_t count, std::uint64_t each = 1) const {
    const std::string wanted = each != 0 && count > std::numeric_limits<std::uint64_t>::max() / each
                                   ? std::string("more than 2^64")
                                   : std::to_string(count * each);
    return "loading needs " + wanted + " more bytes of memory after " + std::to_string(used_) +
           ", beyond the limit of " + std::to_string(limit_) +
           " (options.max_memory); a type whose empty elements are large (an empty "
           "std::optional of a big array costs its sizeof) may need a larger max_memory even for a "
           "file it saved itself";
  }

  /// Charges, or throws errc::limit without a field path (the parsers, before any field exists).
  void charge(std::uint64_t count, std::uint64_t each = 1) {
    if (!try_charge(count, each)) throw error(errc::limit, refusal(count, each));
  }

  std::uint64_t used() const noexcept { return used_; }
  std::uint64_t limit() const noexcept { return limit_; }

 private:
  std::uint64_t limit_;
  std::uint64_t used_ = 0;
};

/// Whether Archive is one of picklejar's input archives (which carry a budget); plain cereal
/// archives charge nothing.
template <class Archive, class = void>
struct has_memory_budget : std::false_type {};
template <class Archive>
struct has_memory_budget<Archive, std::void_t<decltype(std::declval<Archive&>().budget())>> : std::true_type {};

/// Charges `count` elements of `each` bytes to the load's budget before they are allocated;
/// errc::limit naming the field being read when they do not fit.
template <class Archive>
[[noreturn, gnu::noinline, gnu::cold]] void refuse_memory(Archive& archive, std::uint64_t count, std::uint64_t each) {
  archive.path().fail(errc::limit, archive.budget().refusal(count, each));
}
template <class Archive>
void charge_memory(Archive& archive, std::uint64_t count, std::uint64_t each) {
  if constexpr (has_memory_budget<Archive>::value) {
    if (!archive.budget().try_charge(count, each)) refuse_memory(archive, count, each);
  } else {
    (void)archive, (void)count, (void)each;
  }
}

/// What one element of a node-based container (list, map, set, unordered_*) costs besides itself:
/// its links (and a hash table's bucket slot), as the standard libraries lay them out.
inline constexpr std::uint64_t node_overhead_bytes = 4 * sizeof(void*);

/// How many elements a count in binary data may claim beyond the bytes left after it: elements
/// written as nothing (std::array<T, 0>, std::tuple<>, empty classes) take no bytes, so the bytes
/// alone cannot bound them; the memory budget still charges each at its sizeof.
inline constexpr std::uint64_t count_allowance_for_empty_elements = 4096;

}  // namespace picklejar::detail
