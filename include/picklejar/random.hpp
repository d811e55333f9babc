/// \file
/// The standard random engines (std::mt19937, mt19937_64, minstd_rand, ranlux24/48,
/// default_random_engine, knuth_b and any instantiation of the six engine templates) and the
/// standard distributions, saved so that a reloaded engine or distribution continues the same
/// sequence: reproducible resume of training depends on it. Included by picklejar/picklejar.hpp;
/// works in picklejar's archives and in cereal's own.
///
/// The standard gives each of them stream operators that write and read the complete state; that
/// text (classic locale, full precision) is saved as one string in every format.
///
/// ```cpp
/// struct Trainer { std::mt19937_64 rng{42}; std::normal_distribution<double> noise; PICKLEJAR_FIELDS(rng, noise) };
/// ```
#pragma once

#include <cereal/cereal.hpp>
#include <cereal/types/string.hpp>

#include <cstddef>
#include <ios>
#include <limits>
#include <locale>
#include <random>
#include <sstream>
#include <string>
#include <type_traits>

#include "picklejar/detail/declare/library_types.hpp"

#include "picklejar/error.hpp"
#include "picklejar/detail/declare/type_name.hpp"

namespace picklejar::detail {

template <class T>
struct is_random_engine : std::false_type {};
template <class U, std::size_t w, std::size_t n, std::size_t m, std::size_t r, U a, std::size_t u, U d,
          std::size_t s, U b, std::size_t t, U c, std::size_t l, U f>
struct is_random_engine<std::mersenne_twister_engine<U, w, n, m, r, a, u, d, s, b, t, c, l, f>>
    : std::true_type {};
template <class U, U a, U c, U m>
struct is_random_engine<std::linear_congruential_engine<U, a, c, m>> : std::true_type {};
template <class U, std::size_t w, std::size_t s, std::size_t r>
struct is_random_engine<std::subtract_with_carry_engine<U, w, s, r>> : std::true_type {};
template <class E, std::size_t p, std::size_t r>
struct is_random_engine<std::discard_block_engine<E, p, r>> : std::true_type {};
template <class E, std::size_t w, class U>
struct is_random_engine<std::independent_bits_engine<E, w, U>> : std::true_type {};
template <class E, std::size_t k>
struct is_random_engine<std::shuffle_order_engine<E, k>> : std::true_type {};

template <class T>
struct is_random_distribution : std::false_type {};
template <>
struct is_random_distribution<std::bernoulli_distribution> : std::true_type {};
#define PICKLEJAR_DETAIL_DISTRIBUTION(name) \
  template <class V>                        \
  struct is_random_distribution<std::name<V>> : std::true_type {};
PICKLEJAR_DETAIL_DISTRIBUTION(uniform_int_distribution)
PICKLEJAR_DETAIL_DISTRIBUTION(uniform_real_distribution)
PICKLEJAR_DETAIL_DISTRIBUTION(binomial_distribution)
PICKLEJAR_DETAIL_DISTRIBUTION(geometric_distribution)
PICKLEJAR_DETAIL_DISTRIBUTION(negative_binomial_distribution)
PICKLEJAR_DETAIL_DISTRIBUTION(poisson_distribution)
PICKLEJAR_DETAIL_DISTRIBUTION(exponential_distribution)
PICKLEJAR_DETAIL_DISTRIBUTION(gamma_distribution)
PICKLEJAR_DETAIL_DISTRIBUTION(weibull_distribution)
PICKLEJAR_DETAIL_DISTRIBUTION(extreme_value_distribution)
PICKLEJAR_DETAIL_DISTRIBUTION(normal_distribution)
PICKLEJAR_DETAIL_DISTRIBUTION(lognormal_distribution)
PICKLEJAR_DETAIL_DISTRIBUTION(chi_squared_distribution)
PICKLEJAR_DETAIL_DISTRIBUTION(cauchy_distribution)
PICKLEJAR_DETAIL_DISTRIBUTION(fisher_f_distribution)
PICKLEJAR_DETAIL_DISTRIBUTION(student_t_distribution)
PICKLEJAR_DETAIL_DISTRIBUTION(discrete_distribution)
PICKLEJAR_DETAIL_DISTRIBUTION(piecewise_constant_distribution)
PICKLEJAR_DETAIL_DISTRIBUTION(piecewise_linear_distribution)
#undef PICKLEJAR_DETAIL_DISTRIBUTION

// Saved by this header's own functions, field path and all: never embedded as a program's class.
template <class T>
struct has_picklejar_cereal_functions<T, std::enable_if_t<is_random_engine<T>::value || is_random_distribution<T>::value>>
    : std::true_type {};

template <class T>
constexpr bool is_standard_random_v =
    is_random_engine<std::remove_cv_t<T>>::value || is_random_distribution<std::remove_cv_t<T>>::value;

/// A program that gave these types cereal functions of its own (serialize, or save and load) keeps
/// them: picklejar's would make two, which cereal refuses. (Checked per archive; a save_minimal of
/// its own is preferred anyway, being more specialized.)
template <class T, class Archive>
constexpr bool has_own_cereal_output =
    cereal::traits::has_non_member_serialize<T, Archive>::value ||
    cereal::traits::has_non_member_versioned_serialize<T, Archive>::value ||
    cereal::traits::has_non_member_save<T, Archive>::value ||
    cereal::traits::has_non_member_versioned_save<T, Archive>::value;
template <class T, class Archive>
constexpr bool has_own_cereal_input =
    cereal::traits::has_non_member_serialize<T, Archive>::value ||
    cereal::traits::has_non_member_versioned_serialize<T, Archive>::value ||
    cereal::traits::has_non_member_load<T, Archive>::value ||
    cereal::traits::has_non_member_versioned_load<T, Archive>::value;

/// The longest state text accepted. The largest standard state (mt19937_64: 313 numbers of at
/// most 20 digits) is under 7 KB; discrete and piecewise distributions grow with their weights.
constexpr std::size_t max_random_state_chars = std::size_t{64} << 20;

template <class T>
std::string random_state_text(const T& value) {
  std::ostringstream out;
  out.imbue(std::locale::classic());  // a global locale with digit grouping would change the text
  out.precision(std::numeric_limits<long double>::max_digits10);
  out << value;
  return out.str();
}

template <class Archive, class = void>
constexpr bool archive_has_path = false;
template <class Archive>
constexpr bool archive_has_path<
    Archive, std::void_t<decltype(std::declval<Archive&>().path().fail(errc::format, std::string()))>> =
    true;

struct no_archive {};

/// Reads a state written by random_state_text; anything the stream cannot read completely is an
/// errc::format error (naming the field in picklejar's archives), and `value` is changed only
/// when the whole text was read.
template <class T, class Archive = no_archive>
void read_random_state(T& value, const std::string& text, const Archive& archive = {}) {
  auto refuse = [&](const std::string& why) {
    std::string reason = "not a saved state of " + type_name<T>() + ": " + why;
    // picklejar's archives know the field being read; cereal's do not.
    if constexpr (archive_has_path<Archive>) const_cast<Archive&>(archive).path().fail(errc::format, reason);
    throw error(errc::format, std::move(reason));
  };
  if (text.size() > max_random_state_chars) refuse("the text is too long");
  std::istringstream in(text);
  in.imbue(std::locale::classic());
  T loaded;
  in >> loaded;
  if (in.fail()) refuse("the stream could not read it");
  in >> std::ws;
  if (!in.eof()) refuse("text follows the state");
  value = std::move(loaded);
}

}  // namespace picklejar::detail

namespace cereal {

/// Saves a standard random engine or distribution as the text of its stream operator. Found by
/// cereal; not called directly.
template <class Archive, class T,
          std::enable_if_t<picklejar::detail::is_standard_random_v<T> &&
                               !picklejar::detail::has_own_cereal_output<T, Archive>,
                           int> = 0>
std::string CEREAL_SAVE_MINIMAL_FUNCTION_NAME(const Archive&, const T& value) {
  return picklejar::detail::random_state_text(value);
}

/// Loads a standard random engine or distribution saved by the function above, so that it
/// continues the sequence the saved one would have produced.
template <class Archive, class T,
          std::enable_if_t<picklejar::detail::is_standard_random_v<T> &&
                               !picklejar::detail::has_own_cereal_input<T, Archive>,
                           int> = 0>
void CEREAL_LOAD_MINIMAL_FUNCTION_NAME(const Archive& archive, T& value, const std::string& text) {
  picklejar::detail::read_random_state(value, text, archive);
}

}  // namespace cereal
