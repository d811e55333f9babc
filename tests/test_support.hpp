// Helpers shared by the test files: every round-trip test runs once per format.
#pragma once

#include <gtest/gtest.h>
#include <picklejar/json.hpp>
#include <picklejar/picklejar.hpp>
#include <picklejar/xml.hpp>

#include <unistd.h>

#include <atomic>
#include <cstring>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace pj_test {

/// True in ASan builds (scripts/sanitize.sh). Their allocator keeps freed memory in quarantine and
/// moves locals to a fake heap stack, so tests that measure picklejar's peak memory or stack use
/// would measure the sanitizer instead; those assertions run in the normal build only.
#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool address_sanitizer = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr bool address_sanitizer = true;
#else
inline constexpr bool address_sanitizer = false;
#endif
#else
inline constexpr bool address_sanitizer = false;
#endif

inline const std::vector<picklejar::format> all_formats = {
    picklejar::format::binary, picklejar::format::portable_binary, picklejar::format::json,
    picklejar::format::xml};

inline std::string format_name(const testing::TestParamInfo<picklejar::format>& info) {
  return picklejar::to_string(info.param);
}

/// Base of the value-parameterized suites: GetParam() is the format under test.
class FormatTest : public testing::TestWithParam<picklejar::format> {
 protected:
  picklejar::options opts() const { return picklejar::options(GetParam()); }
  bool is_text() const {
    return GetParam() == picklejar::format::json || GetParam() == picklejar::format::xml;
  }
};

template <class T>
T round_trip(const T& value, picklejar::format fmt) {
  return picklejar::loads<T>(picklejar::dumps(value, picklejar::options(fmt)));
}

/// Runs `action`, expects a picklejar::error of kind `code`, and returns it for further checks.
inline picklejar::error expect_error(picklejar::errc code, const std::function<void()>& action) {
  try {
    action();
  } catch (const picklejar::error& failure) {
    EXPECT_EQ(failure.code(), code) << failure.what();
    return failure;
  }
  ADD_FAILURE() << "expected a picklejar::error of kind " << picklejar::to_string(code);
  return picklejar::error(code, "none thrown");
}

/// Same bits: tells -0.0 from 0.0 and compares NaNs exactly.
template <class T>
bool same_bits(const T& a, const T& b) {
  return std::memcmp(&a, &b, sizeof(T)) == 0;
}

/// A fresh directory, removed with everything in it at the end of the test.
class temp_dir {
 public:
  temp_dir() {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::temp_directory_path() /
            ("picklejar-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~temp_dir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }
  std::vector<std::string> file_names() const {
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(path_))
      names.push_back(entry.path().filename().string());
    return names;
  }

 private:
  std::filesystem::path path_;
};

/// An allocator that records the bytes of every allocation it makes in `allocated_bytes`: how a
/// loaded container grew, and that it was never sized by a count the file only claimed.
inline std::vector<std::size_t> allocated_bytes;
template <class T>
struct recording_allocator {
  using value_type = T;
  recording_allocator() = default;
  template <class U>
  recording_allocator(const recording_allocator<U>&) noexcept {}
  T* allocate(std::size_t count) {
    allocated_bytes.push_back(count * sizeof(T));
    return std::allocator<T>().allocate(count);
  }
  void deallocate(T* pointer, std::size_t count) noexcept { std::allocator<T>().deallocate(pointer, count); }
  friend bool operator==(const recording_allocator&, const recording_allocator&) noexcept { return true; }
  friend bool operator!=(const recording_allocator&, const recording_allocator&) noexcept { return false; }
};

}  // namespace pj_test

#define PJ_INSTANTIATE_FOR_ALL_FORMATS(suite) \
  INSTANTIATE_TEST_SUITE_P(AllFormats, suite, testing::ValuesIn(pj_test::all_formats), pj_test::format_name)

namespace pj_test {

/// Recomputes the checksum of a file whose bytes a test has altered, as an attacker who crafts
/// a file would (XXH3 proves integrity, not origin): the loader's checks behind the checksum
/// are then what the test exercises. Binary files keep their sizes; text documents must still
/// hold their "xxh3-64:" field.
inline std::string reseal(std::string bytes) {
  namespace detail = picklejar::detail;
  if (detail::looks_binary(bytes) && bytes.size() >= detail::fixed_header_bytes) {
    const std::uint64_t header_bytes = detail::fixed_header_bytes + detail::get_le(bytes.data() + 12, 4);
    if (header_bytes > bytes.size()) return bytes;
    detail::checksum_stream checksum;
    checksum.update(std::string_view(bytes).substr(header_bytes));
    checksum.update(std::string_view(bytes).substr(detail::fixed_header_bytes, header_bytes - detail::fixed_header_bytes));
    checksum.update(std::string_view(bytes).substr(0, 32));
    detail::patch_le(bytes, 32, checksum.digest(), 8);
    return bytes;
  }
  const std::size_t at = bytes.find(detail::text_checksum_prefix);
  if (at == std::string::npos) return bytes;
  const std::size_t digits = at + detail::text_checksum_prefix.size();
  bytes.replace(digits, detail::text_checksum_digits, std::string(detail::text_checksum_digits, '0'));
  detail::seal_text_document(bytes, 0);
  return bytes;
}

/// Options that skip the checksum, for tests of what lies behind it (hand-written documents).
inline picklejar::options unverified(picklejar::options opts = {}) {
  opts.verify_checksum = false;
  return opts;
}

}  // namespace pj_test
