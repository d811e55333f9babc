// cereal's value tests, in their spirit, run through picklejar: every family of values cereal's
// unittests/*.hpp cover (PODs, strings, every container, pair/tuple/optional/variant, bitset,
// complex, chrono, valarray, atomic, structs with each kind of cereal function, versioning,
// pointers, polymorphism, load_and_construct) goes through dumps/loads five ways (as the root,
// as a member of a picklejar object, inside a vector, behind a shared_ptr, loaded into an
// existing object holding something else) in the four formats. Written for picklejar, not
// copied from cereal. The totals are printed at the end ("cereal suite: N of M cases pass").
//
// This header holds the types and the harness; the tests are split over three files
// (values, containers, structs and pointers) so that no one compiler process needs gigabytes.
#pragma once

#include <picklejar/picklejar.hpp>

#include "test_support.hpp"

#include <cereal/types/polymorphic.hpp>

#include <atomic>
#include <bitset>
#include <chrono>
#include <cmath>
#include <complex>
#include <cstdint>
#include <cstring>
#include <deque>
#include <forward_list>
#include <limits>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <queue>
#include <random>
#include <set>
#include <stack>
#include <string>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <valarray>
#include <variant>
#include <vector>

namespace cereal_suite {

// ---- structs with each kind of cereal function ----

struct MemberSerialize {
  int a = 0;
  std::string b;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(CEREAL_NVP(a), CEREAL_NVP(b));
  }
  bool operator==(const MemberSerialize& o) const { return a == o.a && b == o.b; }
};

struct MemberSaveLoad {
  double x = 0;
  std::vector<int> v;
  template <class Archive>
  void save(Archive& ar) const {
    ar(CEREAL_NVP(x), CEREAL_NVP(v));
  }
  template <class Archive>
  void load(Archive& ar) {
    ar(CEREAL_NVP(x), CEREAL_NVP(v));
  }
  bool operator==(const MemberSaveLoad& o) const { return x == o.x && v == o.v; }
};

struct FreeSerialize {
  std::int64_t n = 0;
  bool operator==(const FreeSerialize& o) const { return n == o.n; }
};
template <class Archive>
void serialize(Archive& ar, FreeSerialize& value) {
  ar(cereal::make_nvp("n", value.n));
}

struct FreeSaveLoad {
  std::string s;
  bool operator==(const FreeSaveLoad& o) const { return s == o.s; }
};
template <class Archive>
void save(Archive& ar, const FreeSaveLoad& value) {
  ar(cereal::make_nvp("s", value.s));
}
template <class Archive>
void load(Archive& ar, FreeSaveLoad& value) {
  ar(cereal::make_nvp("s", value.s));
}

struct MemberMinimal {
  std::string text;
  template <class Archive>
  std::string save_minimal(const Archive&) const {
    return text;
  }
  template <class Archive>
  void load_minimal(const Archive&, const std::string& value) {
    text = value;
  }
  bool operator==(const MemberMinimal& o) const { return text == o.text; }
};

struct FreeMinimalVersioned {
  std::uint32_t code = 0;
  bool operator==(const FreeMinimalVersioned& o) const { return code == o.code; }
};
template <class Archive>
std::uint32_t save_minimal(const Archive&, const FreeMinimalVersioned& value, const std::uint32_t) {
  return value.code;
}
template <class Archive>
void load_minimal(const Archive&, FreeMinimalVersioned& value, const std::uint32_t& data, const std::uint32_t) {
  value.code = data;
}

struct MemberMinimalVersioned {
  double d = 0;
  template <class Archive>
  double save_minimal(const Archive&, const std::uint32_t) const {
    return d;
  }
  template <class Archive>
  void load_minimal(const Archive&, const double& value, const std::uint32_t) {
    d = value;
  }
  bool operator==(const MemberMinimalVersioned& o) const { return std::memcmp(&d, &o.d, sizeof d) == 0; }
};

/// Its data changed between versions: the version it was saved with decides what is read.
struct Versioned {
  int value = 0;
  int added = 0;  // since version 2
  template <class Archive>
  void serialize(Archive& ar, const std::uint32_t version) {
    ar(CEREAL_NVP(value));
    if (version >= 2) ar(CEREAL_NVP(added));
  }
  bool operator==(const Versioned& o) const { return value == o.value && added == o.added; }
};

class PrivateConstructor {
 public:
  explicit PrivateConstructor(int v) : value_(v) {}
  bool operator==(const PrivateConstructor& o) const { return value_ == o.value_; }

 private:
  friend class cereal::access;
  PrivateConstructor() = default;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(CEREAL_NVP(value_));
  }
  int value_ = 0;
};

class LoadAndConstruct {
 public:
  explicit LoadAndConstruct(int v) : value_(v) {}
  bool operator==(const LoadAndConstruct& o) const { return value_ == o.value_; }
  template <class Archive>
  void serialize(Archive& ar) {
    ar(CEREAL_NVP(value_));
  }
  template <class Archive>
  static void load_and_construct(Archive& ar, cereal::construct<LoadAndConstruct>& construct) {
    int value = 0;
    ar(value);
    construct(value);
  }

 private:
  int value_;
};

struct Shape {
  virtual ~Shape() = default;
  virtual double area() const = 0;
  template <class Archive>
  void serialize(Archive&) {}
};
struct Square : Shape {
  double side = 0;
  double area() const override { return side * side; }
  template <class Archive>
  void serialize(Archive& ar) {
    ar(cereal::base_class<Shape>(this), CEREAL_NVP(side));
  }
};
struct Circle : Shape {
  double radius = 0;
  double area() const override { return 3 * radius * radius; }
  template <class Archive>
  void serialize(Archive& ar) {
    ar(cereal::base_class<Shape>(this), CEREAL_NVP(radius));
  }
};

/// Equal keys that are still told apart: only `key` is compared.
struct Keyed {
  int key = 0;
  std::string tag;
  bool operator==(const Keyed& o) const { return key == o.key && tag == o.tag; }
  template <class Archive>
  void serialize(Archive& ar) {
    ar(CEREAL_NVP(key), CEREAL_NVP(tag));
  }
};
struct KeyLess {
  bool operator()(const Keyed& a, const Keyed& b) const { return a.key < b.key; }
};

}  // namespace cereal_suite

CEREAL_CLASS_VERSION(cereal_suite::Versioned, 2)
CEREAL_CLASS_VERSION(cereal_suite::MemberMinimalVersioned, 3)
CEREAL_CLASS_VERSION(cereal_suite::FreeMinimalVersioned, 1)

namespace cereal_suite {

// ---- comparing loaded values with the originals ----

template <class T>
bool same(const T& a, const T& b);

template <class T>
bool same_float(T a, T b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  return std::memcmp(&a, &b, sizeof(T)) == 0 || (a == b && std::signbit(a) == std::signbit(b));
}

template <class T>
struct comparer {
  static bool equal(const T& a, const T& b) {
    if constexpr (std::is_floating_point_v<T>) return same_float(a, b);
    else return a == b;
  }
};
template <class T>
struct comparer<std::shared_ptr<T>> {
  static bool equal(const std::shared_ptr<T>& a, const std::shared_ptr<T>& b) {
    if (!a || !b) return !a && !b;
    if constexpr (std::is_polymorphic_v<T>) {
      if (typeid(*a) != typeid(*b)) return false;
      return a->area() == b->area();
    } else {
      return same(*a, *b);
    }
  }
};
template <class T>
struct comparer<std::unique_ptr<T>> {
  static bool equal(const std::unique_ptr<T>& a, const std::unique_ptr<T>& b) {
    if (!a || !b) return !a && !b;
    if constexpr (std::is_polymorphic_v<T>) return typeid(*a) == typeid(*b) && a->area() == b->area();
    else return same(*a, *b);
  }
};
template <class T>
struct comparer<std::vector<T>> {
  static bool equal(const std::vector<T>& a, const std::vector<T>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
      if (!same(a[i], b[i])) return false;
    return true;
  }
};
template <>
struct comparer<std::vector<bool>> {
  static bool equal(const std::vector<bool>& a, const std::vector<bool>& b) { return a == b; }
};
template <class T>
struct comparer<std::valarray<T>> {
  static bool equal(const std::valarray<T>& a, const std::valarray<T>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
      if (!same(a[i], b[i])) return false;
    return true;
  }
};
template <class T>
struct comparer<std::atomic<T>> {
  static bool equal(const std::atomic<T>& a, const std::atomic<T>& b) { return a.load() == b.load(); }
};

template <class T>
bool same(const T& a, const T& b) {
  return comparer<T>::equal(a, b);
}

// ---- the five ways through picklejar ----

template <class T>
struct Holder {
  T value{};
  int after = 7;  // a field after the value: the value must be read exactly
  PICKLEJAR_FIELDS(value, after)
};

struct tally {
  int passed = 0;
  int total = 0;
};
inline tally& totals() {
  static tally t;
  return t;
}

/// Runs one case, counting it; a picklejar::error or other exception fails it.
template <class Check>
void run_case(const std::string& what, picklejar::format fmt, Check&& check) {
  ++totals().total;
  bool ok = false;
  try {
    ok = check();
  } catch (const std::exception& failure) {
    ADD_FAILURE() << what << " in " << picklejar::to_string(fmt) << ": " << failure.what();
    return;
  }
  EXPECT_TRUE(ok) << what << " in " << picklejar::to_string(fmt) << ": the value read back differs";
  if (ok) ++totals().passed;
}

/// Sends the value `make(seed)` through picklejar the five ways in every format.
template <class T, class Make>
void check_value(const char* family, Make make) {
  for (picklejar::format fmt : pj_test::all_formats) {
    const picklejar::options opts(fmt);
    const std::string name = family;
    run_case(name + " as the root", fmt, [&] {
      const T value = make(1);
      const T back = picklejar::loads<T>(picklejar::dumps(value, opts));
      return same(value, back);
    });
    run_case(name + " as a member", fmt, [&] {
      Holder<T> holder{make(2)};
      const auto back = picklejar::loads<Holder<T>>(picklejar::dumps(holder, opts));
      return same(holder.value, back.value) && back.after == 7;
    });
    run_case(name + " inside a vector", fmt, [&] {
      std::vector<T> values;
      values.push_back(make(3));
      values.push_back(make(4));
      const auto back = picklejar::loads<std::vector<T>>(picklejar::dumps(values, opts));
      return back.size() == 2 && same<T>(values[0], back[0]) && same<T>(values[1], back[1]);
    });
    run_case(name + " behind a shared_ptr", fmt, [&] {
      Holder<std::shared_ptr<T>> holder{std::make_shared<T>(make(5))};
      const auto back = picklejar::loads<Holder<std::shared_ptr<T>>>(picklejar::dumps(holder, opts));
      return back.value != nullptr && same(*holder.value, *back.value);
    });
    run_case(name + " loaded into an existing object", fmt, [&] {
      Holder<T> holder{make(6)};
      Holder<T> existing{make(7)};
      existing.after = 0;
      picklejar::loads(existing, picklejar::dumps(holder, opts));
      return same(holder.value, existing.value) && existing.after == 7;
    });
  }
}

/// For types that cannot be copied or held by value in a vector of copies (pointers, atomics).
template <class T, class Make>
void check_move_only(const char* family, Make make) {
  for (picklejar::format fmt : pj_test::all_formats) {
    const picklejar::options opts(fmt);
    const std::string name = family;
    run_case(name + " as a member", fmt, [&] {
      Holder<T> holder;
      holder.value = make(2);
      Holder<T> back;
      picklejar::loads(back, picklejar::dumps(holder, opts));
      return same(holder.value, back.value) && back.after == 7;
    });
    if constexpr (std::is_move_constructible_v<T>) {
      run_case(name + " inside a vector", fmt, [&] {
        std::vector<T> values;
        values.push_back(make(3));
        values.push_back(make(4));
        const auto back = picklejar::loads<std::vector<T>>(picklejar::dumps(values, opts));
        return back.size() == 2 && same(values[0], back[0]) && same(values[1], back[1]);
      });
    }
    run_case(name + " loaded into an existing object", fmt, [&] {
      Holder<T> holder;
      holder.value = make(6);
      Holder<T> existing;
      existing.value = make(7);
      picklejar::loads(existing, picklejar::dumps(holder, opts));
      return same(holder.value, existing.value);
    });
  }
}

template <class T>
T number(int seed) {
  if constexpr (std::is_same_v<T, bool>) {
    return seed % 2 == 0;
  } else if constexpr (std::is_floating_point_v<T>) {
    switch (seed % 4) {
      case 0: return std::numeric_limits<T>::max();
      case 1: return -std::numeric_limits<T>::denorm_min();
      case 2: return T(-0.0);
      default: return static_cast<T>(seed) / 3;
    }
  } else {
    return seed % 2 == 0 ? std::numeric_limits<T>::max() : static_cast<T>(std::numeric_limits<T>::min() + seed);
  }
}

inline std::string text(int seed) {
  std::string s = "value " + std::to_string(seed);
  if (seed % 2 == 0) s += std::string("\0\x01\xff\"<&>", 7);
  return s;
}

// ---- the families ----

}  // namespace cereal_suite
