// Contiguous arrays of numbers: one bulk block in binary archives, one array of readable numbers
// in text archives. The loaders check the count the data claims before they allocate.
#pragma once

#include <cereal/cereal.hpp>

#include <complex>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>

#include "picklejar/detail/archives/binary.hpp"
#include "picklejar/error.hpp"

namespace picklejar::detail {

template <class T>
struct real_scalar {
  using type = T;
};
template <class T>
struct real_scalar<std::complex<T>> {
  using type = T;
};

/// The archive moves raw blocks (binary archives, ours or cereal's).
template <class Archive, class T>
constexpr bool moves_blocks_v =
    std::is_base_of_v<cereal::detail::InputArchiveBase, Archive>
        ? cereal::traits::is_input_serializable<cereal::BinaryData<T*>, Archive>::value
        : cereal::traits::is_output_serializable<cereal::BinaryData<const T*>, Archive>::value;

template <class Archive, class = void>
struct has_path : std::false_type {};
template <class Archive>
struct has_path<Archive, std::void_t<decltype(std::declval<Archive&>().path())>> : std::true_type {};

/// Reports a content error at the archive's current field (picklejar's archives know it).
template <class Archive>
[[noreturn]] void fail_at(Archive& archive, errc code, std::string reason) {
  if constexpr (has_path<Archive>::value) archive.path().fail(code, std::move(reason));
  else throw error(code, std::move(reason));
}

template <class T>
struct array_writer {
  using picklejar_library_type = void;  // library_types.hpp
  const T* data;
  std::size_t count;
  template <class Archive>
  void save(Archive& archive) const {
    archive(cereal::make_size_tag(static_cast<cereal::size_type>(count)));
    for (std::size_t i = 0; i < count; ++i) archive(data[i]);
  }
  template <class Archive>
  void load(Archive&) {}
};

/// Reads an array of exactly `count` items; `prepare(count)` returns where to put them and is
/// called only once the count has been checked.
template <class T, class Prepare>
struct array_reader {
  using picklejar_library_type = void;  // library_types.hpp
  std::size_t count;
  Prepare prepare;
  template <class Archive>
  void save(Archive&) const {}
  template <class Archive>
  void load(Archive& archive) {
    cereal::size_type found = 0;
    archive(cereal::make_size_tag(found));
    if (found != count) {
      fail_at(archive, errc::format, "expected " + std::to_string(count) + " values, found " +
                                         std::to_string(found));
    }
    T* data = prepare(count);
    for (std::size_t i = 0; i < count; ++i) archive(data[i]);
  }
};

template <class Archive, class T>
void save_array(Archive& archive, const char* name, const T* data, std::size_t count) {
  using real = typename real_scalar<T>::type;
  if constexpr (moves_blocks_v<Archive, real>) {
    // complex<T> is two T's in a row; writing T's keeps portable byte swapping per number
    archive(cereal::make_nvp(name, cereal::binary_data(reinterpret_cast<const real*>(data),
                                                       count * sizeof(T))));
  } else {
    archive(cereal::make_nvp(name, array_writer<T>{data, count}));
  }
}

template <class Archive, class T, class Prepare>
void load_array(Archive& archive, const char* name, std::size_t count, Prepare prepare) {
  using real = typename real_scalar<T>::type;
  if constexpr (moves_blocks_v<Archive, real>) {
    if (count > std::numeric_limits<std::uint64_t>::max() / sizeof(T)) {
      fail_at(archive, errc::limit, std::string("the size of '") + name + "' overflows");
    }
    if constexpr (has_path<Archive>::value) {
      archive.path().name_next(name);
      require_available(archive, count * sizeof(T), "an array");
      archive.path().clear_pending();
    }
    T* data = prepare(count);
    advise_huge_pages(data, count * sizeof(T));  // before the copy touches fresh pages
    archive(cereal::make_nvp(name, cereal::binary_data(reinterpret_cast<real*>(data), count * sizeof(T))));
  } else {
    archive(cereal::make_nvp(name, array_reader<T, Prepare>{count, prepare}));
  }
}

}  // namespace picklejar::detail
