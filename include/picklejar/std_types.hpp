/// \file
/// The standard library types picklejar saves out of the box, through cereal's own support:
/// strings, std::vector, std::array, std::deque, std::list, std::forward_list, std::queue,
/// std::priority_queue, std::stack, std::less/std::greater, the ordered and unordered maps and
/// sets, std::pair, std::tuple, std::optional, std::variant, std::complex, std::bitset,
/// std::valarray, std::chrono durations and time points, std::atomic, std::wstring, std::u16string,
/// std::u32string, and the smart pointers
/// (std::shared_ptr, std::weak_ptr, std::unique_ptr: picklejar's archives keep the object graph).
/// Included by picklejar/picklejar.hpp.
#pragma once

#include <cereal/types/array.hpp>
#include <cereal/types/atomic.hpp>
#include <cereal/types/bitset.hpp>
#include <cereal/types/chrono.hpp>
#include <cereal/types/complex.hpp>
#include <cereal/types/deque.hpp>
#include <cereal/types/forward_list.hpp>
#include <cereal/types/functional.hpp>
#include <cereal/types/list.hpp>
#include <cereal/types/map.hpp>
#include <cereal/types/memory.hpp>
#include <cereal/types/optional.hpp>
#include <cereal/types/queue.hpp>
#include <cereal/types/set.hpp>
#include <cereal/types/stack.hpp>
#include <cereal/types/string.hpp>
#include <cereal/types/tuple.hpp>
#include <cereal/types/unordered_map.hpp>
#include <cereal/types/unordered_set.hpp>
#include <cereal/types/utility.hpp>
#include <cereal/types/valarray.hpp>
#include <cereal/types/variant.hpp>
#include <cereal/types/vector.hpp>

#include "picklejar/detail/archives/std_overrides.hpp"  // ordered loads keeping equal keys' order, array<T, 0>, wide strings in text
