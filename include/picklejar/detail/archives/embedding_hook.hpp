// The point where picklejar's archives hand a program's cereal classes to cereal's own archive:
// each archive's operator() asks embedding<T> (defined in embedded_cereal.hpp) about every value
// before cereal's dispatch sees it, so a type's own cereal functions never run inside
// picklejar's archives, whatever kind they are (member or free, serialize, save/load, minimal).
#pragma once

namespace picklejar::detail {

/// `value` is true for types embedded through cereal's own archive; `save`/`load` do it.
template <class T>
struct embedding;

}  // namespace picklejar::detail

/// Inside an archive class: `Base` is its cereal base class, `Self` the class, `Kind` save or load.
#define PICKLEJAR_DETAIL_EMBEDDING_OPERATOR(Self, Base, kind)                     \
 public:                                                                          \
  template <class... Types>                                                       \
  Self& operator()(Types&&... values) {                                           \
    (kind##_one(std::forward<Types>(values)), ...);                               \
    return *this;                                                                 \
  }                                                                               \
                                                                                  \
 private:                                                                         \
  template <class T>                                                              \
  void kind##_one(T&& value) {                                                    \
    using U = std::remove_cv_t<std::remove_reference_t<T>>;                       \
    if constexpr (::picklejar::detail::embedding<U>::value)                       \
      ::picklejar::detail::embedding<U>::kind(*this, value);                      \
    else                                                                          \
      Base::operator()(std::forward<T>(value));                                   \
  }                                                                               \
                                                                                  \
 public:
