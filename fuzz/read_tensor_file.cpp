// picklejar_fuzz::read_tensor_file: the body of the safetensors and tensor_index targets.
#include <picklejar/tensors.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fuzz_support.hpp"
#include "fuzz_targets.hpp"
#include "tensor_model.hpp"

namespace picklejar_fuzz {
namespace {

[[noreturn]] void broken(const std::string& what) {
  std::fprintf(stderr, "read_tensor_file: %s\n", what.c_str());
  std::abort();
}

// The view and the copy of one tensor hold the same numbers.
template <class T>
void compare(const picklejar::tensor_file& file, const std::string& path, const picklejar::tensor_entry& entry) {
  const auto view = file.view<T>(entry.name);
  using Matrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>;
  const Matrix copy = picklejar::load_tensor<Matrix>(path, entry.name);
  if (copy.rows() != view.rows() || copy.cols() != view.cols()) broken(entry.name + ": the copy's shape differs");
  for (Eigen::Index r = 0; r < view.rows(); ++r)
    for (Eigen::Index c = 0; c < view.cols(); ++c) {
      const T a = view(r, c);
      const T b = copy(r, c);
      if (std::memcmp(&a, &b, sizeof(T)) != 0) broken(entry.name + ": the view and the copy differ");
    }
}

}  // namespace

void read_tensor_file(std::string_view bytes) {
  const memory_file file(bytes);
  if (!file.ok()) return;
  const std::string path = file.path();
  rejecting_errors([&] {
    const picklejar::tensor_file tensors = picklejar::open_tensors(path);
    std::uint64_t total = 0;
    for (const picklejar::tensor_entry& entry : tensors.tensors()) {
      total += entry.bytes;
      if (entry.bytes > bytes.size() || total > bytes.size()) broken(entry.name + ": the index claims more bytes than the file has");
    }
    for (const picklejar::tensor_entry& entry : tensors.tensors()) {
      rejecting_errors([&] {
        switch (entry.dtype) {
          case picklejar::dtype::f64: return compare<double>(tensors, path, entry);
          case picklejar::dtype::f32: return compare<float>(tensors, path, entry);
          case picklejar::dtype::i32: return compare<std::int32_t>(tensors, path, entry);
          case picklejar::dtype::u8: return compare<std::uint8_t>(tensors, path, entry);
          case picklejar::dtype::boolean: return compare<bool>(tensors, path, entry);
          default: (void)picklejar::load_tensor<Eigen::MatrixXd>(path, entry.name);
        }
      });
    }
  });
  for (const auto match : {picklejar::tensor_match::strict, picklejar::tensor_match::lenient}) {
    rejecting_errors([&] {
      tensor_model::Small small;
      small.fixed.setZero();
      picklejar::options opts;
      opts.tensor_match = match;
      (void)picklejar::load_safetensors(small, path, opts);
    });
  }
}

}  // namespace picklejar_fuzz
