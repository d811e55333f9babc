// Helpers shared by the test files: every round-trip test runs once per format.
#pragma once

#include <gtest/gtest.h>
#include <picklejar/picklejar.hpp>

#include <unistd.h>

#include <atomic>
#include <cstring>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace pj_test {

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

}  // namespace pj_test

#define PJ_INSTANTIATE_FOR_ALL_FORMATS(suite) \
  INSTANTIATE_TEST_SUITE_P(AllFormats, suite, testing::ValuesIn(pj_test::all_formats), pj_test::format_name)
