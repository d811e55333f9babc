// The C++ half of the numpy interop tests (tensors_numpy.py has the other half and the CTest
// cases in CMakeLists.txt run them in turn):
//   tensor_interop write DIR   writes DIR/model.safetensors and DIR/model.npz
//   tensor_interop read DIR    loads DIR/python.safetensors, written by numpy, and checks it
// Both sides fill tensor number k of the list below with value(k, r, c) at row r, column c.
#include <picklejar/tensors.hpp>

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

namespace {

template <class T>
using Dyn = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>;

struct Layer {
  Eigen::MatrixXf w;
  Eigen::VectorXf b;
  PICKLEJAR_FIELDS(w, b)
};

// Every dtype numpy has, both storage orders, vectors, a fixed-size matrix and nested names.
struct Interop {
  Eigen::MatrixXd f64;
  Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> f32_row;
  Eigen::MatrixXf f32_col;
  Dyn<Eigen::half> f16;
  Dyn<std::int64_t> i64;
  Dyn<std::int32_t> i32;
  Dyn<std::int16_t> i16;
  Dyn<std::int8_t> i8;
  Dyn<std::uint8_t> u8;
  Eigen::Array<bool, Eigen::Dynamic, Eigen::Dynamic> flags;
  Eigen::VectorXf bias;
  Eigen::RowVectorXd row;
  Eigen::Matrix3f fixed;
  std::vector<Layer> layers;
  PICKLEJAR_FIELDS(f64, f32_row, f32_col, f16, i64, i32, i16, i8, u8, flags, bias, row, fixed, layers)
};

// BF16, which numpy lacks: only in .safetensors.
struct InteropBf16 : Interop {
  Dyn<Eigen::bfloat16> bf16;
  PICKLEJAR_BASES(Interop)
  PICKLEJAR_FIELDS(bf16)
};

double value(int k, Eigen::Index r, Eigen::Index c, bool unsigned_values) {
  const auto v = static_cast<double>((k * 1000 + r * 37 + c * 3) % 251);
  return unsigned_values ? v : v - 125;
}

template <class Dense>
void fill(Dense& dense, Eigen::Index rows, Eigen::Index cols, int k) {
  dense.resize(rows, cols);
  using Scalar = typename Dense::Scalar;
  for (Eigen::Index r = 0; r < rows; ++r)
    for (Eigen::Index c = 0; c < cols; ++c) {
      if constexpr (std::is_same_v<Scalar, bool>) dense(r, c) = (k + r + c) % 2 == 1;
      else dense(r, c) = static_cast<Scalar>(static_cast<float>(value(k, r, c, std::is_same_v<Scalar, std::uint8_t>)));
    }
}

template <class Dense>
bool check(const char* name, const Dense& dense, Eigen::Index rows, Eigen::Index cols, int k) {
  Dense expected;
  fill(expected, rows, cols, k);
  if (dense.rows() == rows && dense.cols() == cols && (dense.array() == expected.array()).all()) return true;
  std::cerr << "tensor_interop: " << name << " differs from what numpy wrote\n";
  return false;
}

// Tensor number k of each name, and its shape: the same table as tensors_numpy.py's.
void fill_model(InteropBf16& m, int offset) {
  fill(m.f64, 3, 4, offset + 1);
  fill(m.f32_row, 2, 5, offset + 2);
  fill(m.f32_col, 5, 2, offset + 3);
  fill(m.f16, 2, 3, offset + 4);
  fill(m.i64, 2, 2, offset + 5);
  fill(m.i32, 3, 1, offset + 6);
  fill(m.i16, 1, 3, offset + 7);
  fill(m.i8, 2, 2, offset + 8);
  fill(m.u8, 2, 3, offset + 9);
  fill(m.flags, 3, 3, offset + 10);
  fill(m.bias, 4, 1, offset + 11);
  fill(m.row, 1, 5, offset + 12);
  fill(m.fixed, 3, 3, offset + 13);
  m.layers.resize(2);
  fill(m.layers[0].w, 4, 3, offset + 14);
  fill(m.layers[0].b, 4, 1, offset + 15);
  fill(m.layers[1].w, 2, 4, offset + 16);
  fill(m.layers[1].b, 2, 1, offset + 17);
  fill(m.bf16, 3, 2, offset + 18);
}

bool check_model(const InteropBf16& m, int offset) {
  // Every tensor checked (and reported) even after one differs.
  const bool results[] = {
      check("f64", m.f64, 3, 4, offset + 1),       check("f32_row", m.f32_row, 2, 5, offset + 2),
      check("f32_col", m.f32_col, 5, 2, offset + 3), check("f16", m.f16, 2, 3, offset + 4),
      check("i64", m.i64, 2, 2, offset + 5),       check("i32", m.i32, 3, 1, offset + 6),
      check("i16", m.i16, 1, 3, offset + 7),       check("i8", m.i8, 2, 2, offset + 8),
      check("u8", m.u8, 2, 3, offset + 9),         check("flags", m.flags, 3, 3, offset + 10),
      check("bias", m.bias, 4, 1, offset + 11),    check("row", m.row, 1, 5, offset + 12),
      check("fixed", m.fixed, 3, 3, offset + 13),  check("bf16", m.bf16, 3, 2, offset + 18),
      m.layers.size() == 2 && check("layers.0.w", m.layers[0].w, 4, 3, offset + 14),
      m.layers.size() == 2 && check("layers.0.b", m.layers[0].b, 4, 1, offset + 15),
      m.layers.size() == 2 && check("layers.1.w", m.layers[1].w, 2, 4, offset + 16),
      m.layers.size() == 2 && check("layers.1.b", m.layers[1].b, 2, 1, offset + 17),
  };
  return std::all_of(std::begin(results), std::end(results), [](bool ok) { return ok; });
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: tensor_interop write|read DIR\n";
    return 2;
  }
  const std::string mode = argv[1];
  const std::filesystem::path dir = argv[2];
  try {
    if (mode == "write") {
      InteropBf16 model;
      fill_model(model, 0);
      picklejar::options opts;
      opts.metadata["written_by"] = "picklejar";
      picklejar::save_safetensors(model, dir / "model.safetensors", opts);
      picklejar::save_npz(static_cast<const Interop&>(model), dir / "model.npz");
      return 0;
    }
    if (mode == "read") {
      // Every tensor empty or zero: the file's shapes and values must arrive.
      InteropBf16 model;
      model.layers.resize(2);
      model.fixed.setZero();
      const picklejar::tensor_report report = picklejar::load_safetensors(model, dir / "python.safetensors");
      bool ok = check_model(model, 50) && report.loaded.size() == 18;
      // One tensor alone, and the file's metadata.
      const Eigen::MatrixXd widened = picklejar::load_tensor<Eigen::MatrixXd>(dir / "python.safetensors", "f16");
      ok = check("f16 widened to double", widened, 2, 3, 54) && ok;
      const picklejar::tensor_file file = picklejar::open_tensors(dir / "python.safetensors");
      ok = ok && file.metadata().at("format") == "pt" && file.at("layers.1.w").shape == std::vector<std::int64_t>{2, 4};
      if (!ok) std::cerr << "tensor_interop: python.safetensors did not load as written\n";
      return ok ? 0 : 1;
    }
  } catch (const picklejar::error& failure) {
    std::cerr << "tensor_interop: " << failure.what() << "\n";
    return 1;
  }
  std::cerr << "tensor_interop: unknown mode " << mode << "\n";
  return 2;
}
