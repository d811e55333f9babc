// picklejar/tensors.hpp: tensor names, .safetensors and .npz files, zero-copy views, partial
// loads, and what a hostile .safetensors file gets.
#include <picklejar/tensors.hpp>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "test_support.hpp"

namespace {

using pj_test::expect_error;
using pj_test::temp_dir;

struct Layer {
  Eigen::MatrixXf w;
  Eigen::VectorXf b;
  int units = 0;
  PICKLEJAR_FIELDS(w, b, units)
};

struct Optimizer {
  std::map<int, Eigen::MatrixXd> m;
  std::map<std::string, Eigen::RowVectorXf> v;
  PICKLEJAR_FIELDS(m, v)
};

struct Net {
  std::vector<Layer> layers;
  std::shared_ptr<Layer> head;
  std::shared_ptr<Layer> same_head;  // the same object again: named by its first path
  std::unique_ptr<Layer> tail;
  Optimizer optimizer;
  Eigen::Matrix<float, 2, 3, Eigen::RowMajor> fixed = Eigen::Matrix<float, 2, 3, Eigen::RowMajor>::Zero();
  PICKLEJAR_FIELDS(layers, head, same_head, tail, optimizer, fixed)
};

float value_at(int seed, Eigen::Index r, Eigen::Index c) { return static_cast<float>(seed * 100 + r * 10 + c) + 0.25f; }

template <class Dense>
void fill(Dense& dense, int seed) {
  for (Eigen::Index r = 0; r < dense.rows(); ++r)
    for (Eigen::Index c = 0; c < dense.cols(); ++c)
      dense(r, c) = static_cast<typename Dense::Scalar>(value_at(seed, r, c));
}

Layer layer(Eigen::Index in, Eigen::Index out, int seed) {
  Layer l;
  l.w.resize(out, in);
  l.b.resize(out);
  fill(l.w, seed);
  fill(l.b, seed + 1);
  l.units = static_cast<int>(out);
  return l;
}

/// A Net with every kind of place a tensor can be, shaped as `filled` or empty.
Net net(bool filled) {
  Net n;
  n.layers = {layer(3, 4, 1), layer(4, 2, 3)};
  n.head = std::make_shared<Layer>(layer(2, 2, 5));
  n.same_head = n.head;
  n.tail = std::make_unique<Layer>(layer(2, 1, 7));
  n.optimizer.m[0] = Eigen::MatrixXd(2, 5);
  n.optimizer.m[7] = Eigen::MatrixXd(1, 1);
  n.optimizer.v["beta"] = Eigen::RowVectorXf(3);
  fill(n.optimizer.m[0], 9);
  fill(n.optimizer.m[7], 10);
  fill(n.optimizer.v["beta"], 11);
  fill(n.fixed, 12);
  if (!filled) {
    for (Layer* l : {&n.layers[0], &n.layers[1], n.head.get(), n.tail.get()}) {
      l->w.resize(0, 0);
      l->b.resize(0);
    }
    for (auto& item : n.optimizer.m) item.second.resize(0, 0);
    n.optimizer.v["beta"].resize(0);
    n.fixed.setZero();
  }
  return n;
}

std::vector<std::string> names_of(const picklejar::tensor_file& file) {
  std::vector<std::string> names;
  for (const picklejar::tensor_entry& entry : file.tensors()) names.push_back(entry.name);
  std::sort(names.begin(), names.end());
  return names;
}

std::string read_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void write_bytes(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out << bytes;
}

// ---- names ----

TEST(TensorNames, FollowPyTorchStateDictStyle) {
  temp_dir dir;
  picklejar::save_safetensors(net(true), dir / "net.safetensors");
  const picklejar::tensor_file file = picklejar::open_tensors(dir / "net.safetensors");
  const std::vector<std::string> expected = {"fixed",       "head.b",   "head.w",   "layers.0.b",
                                             "layers.0.w",  "layers.1.b", "layers.1.w", "optimizer.m.0",
                                             "optimizer.m.7", "optimizer.v.beta", "tail.b", "tail.w"};
  EXPECT_EQ(names_of(file), expected);
}

struct Base {
  Eigen::MatrixXf shared_weight = Eigen::MatrixXf::Ones(2, 2);
  PICKLEJAR_FIELDS(shared_weight)
};
struct Derived : Base {
  Eigen::VectorXd own = Eigen::VectorXd::Ones(3);
  PICKLEJAR_BASES(Base)
  PICKLEJAR_FIELDS(own)
};

TEST(TensorNames, BaseClassesAddNoName) {
  temp_dir dir;
  picklejar::save_safetensors(Derived{}, dir / "d.safetensors");
  EXPECT_EQ(names_of(picklejar::open_tensors(dir / "d.safetensors")), (std::vector<std::string>{"own", "shared_weight"}));
}

struct Hooked {
  Eigen::MatrixXf weight = Eigen::MatrixXf::Zero(2, 2);
  std::vector<std::string> log;  // what the hooks saw
  struct State {
    Eigen::MatrixXf weight;
    PICKLEJAR_FIELDS(weight)
  };
  State get_state() const { return State{weight}; }
  void set_state(State state) {
    weight = std::move(state.weight);
    log.push_back("set_state");
  }
  void after_load() { log.push_back("after_load"); }
};

struct MapState {
  std::map<std::string, Eigen::MatrixXf> tensors;
  std::map<std::string, Eigen::MatrixXf> get_state() const { return tensors; }
  void set_state(std::map<std::string, Eigen::MatrixXf> state) { tensors = std::move(state); }
};

TEST(TensorNames, StateHooksAddNoName) {
  temp_dir dir;
  picklejar::save_safetensors(Hooked{}, dir / "h.safetensors");
  EXPECT_EQ(names_of(picklejar::open_tensors(dir / "h.safetensors")), (std::vector<std::string>{"weight"}));
  MapState state;
  state.tensors["encoder.w"] = Eigen::MatrixXf::Ones(1, 2);
  picklejar::save_safetensors(state, dir / "m.safetensors");
  EXPECT_EQ(names_of(picklejar::open_tensors(dir / "m.safetensors")), (std::vector<std::string>{"encoder.w"}));
}

struct Animal {
  virtual ~Animal() = default;
  Eigen::VectorXf legs = Eigen::VectorXf::Ones(4);
  PICKLEJAR_FIELDS(legs)
};
struct Bird : Animal {
  Eigen::MatrixXf wings = Eigen::MatrixXf::Ones(2, 2);
  PICKLEJAR_FIELDS(wings)
};
struct Zoo {
  std::vector<std::shared_ptr<Animal>> animals;
  PICKLEJAR_FIELDS(animals)
};

}  // namespace
PICKLEJAR_REGISTER(Bird, Animal)
namespace {

TEST(TensorNames, PolymorphicPointersAreTransparent) {
  temp_dir dir;
  Zoo zoo;
  zoo.animals = {std::make_shared<Animal>(), std::make_shared<Bird>()};
  picklejar::save_safetensors(zoo, dir / "zoo.safetensors");
  EXPECT_EQ(names_of(picklejar::open_tensors(dir / "zoo.safetensors")),
            (std::vector<std::string>{"animals.0.legs", "animals.1.legs", "animals.1.wings"}));
  Zoo loaded;
  loaded.animals = {std::make_shared<Animal>(), std::make_shared<Bird>()};
  loaded.animals[1]->legs.setZero();
  EXPECT_EQ(picklejar::load_safetensors(loaded, dir / "zoo.safetensors").loaded.size(), 3u);
  EXPECT_TRUE(loaded.animals[1]->legs.isOnes());
}

TEST(TensorNames, TwoTensorsWithOneNameAreRefused) {
  temp_dir dir;
  struct Keys {
    std::map<std::string, std::map<std::string, Eigen::VectorXf>> m;
    PICKLEJAR_FIELDS(m)
  };
  Keys distinct;
  distinct.m["a"]["b"] = Eigen::VectorXf::Ones(1);  // "m.a.b"
  distinct.m["a.b"];                                // holds nothing
  picklejar::save_safetensors(distinct, dir / "ok.safetensors");
  EXPECT_EQ(names_of(picklejar::open_tensors(dir / "ok.safetensors")), std::vector<std::string>{"m.a.b"});

  Keys colliding;
  colliding.m["a"]["b.c"] = Eigen::VectorXf::Ones(1);  // "m.a.b.c"
  colliding.m["a.b"]["c"] = Eigen::VectorXf::Ones(1);  // "m.a.b.c" again
  const picklejar::error failure =
      expect_error(picklejar::errc::type, [&] { picklejar::save_safetensors(colliding, dir / "bad.safetensors"); });
  EXPECT_NE(std::string(failure.what()).find("m.a.b.c"), std::string::npos) << failure.what();
  EXPECT_FALSE(std::filesystem::exists(dir / "bad.safetensors"));
  EXPECT_TRUE(dir.file_names().size() == 1) << "no temporary file is left";
}

// ---- round trips ----

template <class Dense>
struct Holder {
  Dense tensor;
  PICKLEJAR_FIELDS(tensor)
};

template <class Dense>
void expect_round_trip(Eigen::Index rows, Eigen::Index cols, picklejar::dtype type, std::vector<std::int64_t> shape) {
  temp_dir dir;
  Holder<Dense> saved;
  saved.tensor.resize(rows, cols);
  for (Eigen::Index r = 0; r < rows; ++r)
    for (Eigen::Index c = 0; c < cols; ++c)
      saved.tensor(r, c) = static_cast<typename Dense::Scalar>(  // negative values only where the type has them
          static_cast<float>((r * 7 + c * 3) % 11) - (std::is_unsigned_v<typename Dense::Scalar> ? 0.0f : 4.0f));
  picklejar::save_safetensors(saved, dir / "t.safetensors");
  const picklejar::tensor_file file = picklejar::open_tensors(dir / "t.safetensors");
  ASSERT_EQ(file.tensors().size(), 1u);
  EXPECT_EQ(file.tensors()[0].dtype, type);
  EXPECT_EQ(file.tensors()[0].shape, shape);
  EXPECT_EQ(file.tensors()[0].bytes, static_cast<std::uint64_t>(rows * cols) * sizeof(typename Dense::Scalar));
  // The file is row-major whatever the matrix's storage order.
  const auto view = file.view<typename Dense::Scalar>("tensor");
  for (Eigen::Index r = 0; r < rows; ++r)
    for (Eigen::Index c = 0; c < cols; ++c) {
      const Eigen::Index at = Dense::IsVectorAtCompileTime ? r * cols + c : r;
      const Eigen::Index col = Dense::IsVectorAtCompileTime ? 0 : c;
      EXPECT_TRUE(view(at, col) == saved.tensor(r, c));
    }
  Holder<Dense> loaded;
  const picklejar::tensor_report report = picklejar::load_safetensors(loaded, dir / "t.safetensors");
  EXPECT_EQ(report.loaded, std::vector<std::string>{"tensor"});
  EXPECT_TRUE(loaded.tensor.rows() == rows && loaded.tensor.cols() == cols);
  EXPECT_TRUE((loaded.tensor.array() == saved.tensor.array()).all());
  const Dense single = picklejar::load_tensor<Dense>(dir / "t.safetensors", "tensor");
  EXPECT_TRUE((single.array() == saved.tensor.array()).all());
}

TEST(TensorFiles, EveryDtypeAndLayoutRoundTrips) {
  using RowMajorF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  expect_round_trip<Eigen::MatrixXd>(3, 4, picklejar::dtype::f64, {3, 4});
  expect_round_trip<Eigen::MatrixXf>(3, 4, picklejar::dtype::f32, {3, 4});
  expect_round_trip<RowMajorF>(3, 4, picklejar::dtype::f32, {3, 4});
  expect_round_trip<Eigen::Matrix<Eigen::half, Eigen::Dynamic, Eigen::Dynamic>>(2, 5, picklejar::dtype::f16, {2, 5});
  expect_round_trip<Eigen::Matrix<Eigen::bfloat16, Eigen::Dynamic, Eigen::Dynamic>>(5, 2, picklejar::dtype::bf16, {5, 2});
  expect_round_trip<Eigen::Matrix<std::int64_t, Eigen::Dynamic, Eigen::Dynamic>>(2, 3, picklejar::dtype::i64, {2, 3});
  expect_round_trip<Eigen::Matrix<std::int32_t, Eigen::Dynamic, Eigen::Dynamic>>(2, 3, picklejar::dtype::i32, {2, 3});
  expect_round_trip<Eigen::Matrix<std::int16_t, Eigen::Dynamic, Eigen::Dynamic>>(2, 3, picklejar::dtype::i16, {2, 3});
  expect_round_trip<Eigen::Matrix<std::int8_t, Eigen::Dynamic, Eigen::Dynamic>>(2, 3, picklejar::dtype::i8, {2, 3});
  expect_round_trip<Eigen::Matrix<std::uint8_t, Eigen::Dynamic, Eigen::Dynamic>>(2, 3, picklejar::dtype::u8, {2, 3});
  expect_round_trip<Eigen::Array<bool, Eigen::Dynamic, Eigen::Dynamic>>(2, 3, picklejar::dtype::boolean, {2, 3});
  expect_round_trip<Eigen::VectorXf>(6, 1, picklejar::dtype::f32, {6});
  expect_round_trip<Eigen::RowVectorXd>(1, 6, picklejar::dtype::f64, {6});
  expect_round_trip<Eigen::ArrayXXf>(4, 2, picklejar::dtype::f32, {4, 2});
  expect_round_trip<Eigen::Matrix3f>(3, 3, picklejar::dtype::f32, {3, 3});
  expect_round_trip<Eigen::MatrixXf>(0, 3, picklejar::dtype::f32, {0, 3});
  EXPECT_EQ(picklejar::to_string(picklejar::dtype::bf16), "BF16");
  EXPECT_EQ(picklejar::to_string(picklejar::dtype::boolean), "BOOL");
}

TEST(TensorFiles, WholeModelRoundTripsAndSharedObjectsStayShared) {
  temp_dir dir;
  const Net saved = net(true);
  picklejar::save_safetensors(saved, dir / "net.safetensors");
  Net loaded = net(false);
  loaded.layers[0].units = 99;  // not a tensor: a load into an existing object keeps... what the object had
  const picklejar::tensor_report report = picklejar::load_safetensors(loaded, dir / "net.safetensors");
  EXPECT_EQ(report.loaded.size(), 12u);
  EXPECT_TRUE(report.missing.empty());
  EXPECT_TRUE(report.unexpected.empty());
  EXPECT_EQ(loaded.layers[0].units, 99);
  EXPECT_EQ(loaded.layers[1].w, saved.layers[1].w);
  EXPECT_EQ(loaded.layers[0].b, saved.layers[0].b);
  EXPECT_EQ(loaded.head->w, saved.head->w);
  EXPECT_EQ(loaded.same_head, loaded.head);
  EXPECT_EQ(loaded.tail->w, saved.tail->w);
  EXPECT_EQ(loaded.optimizer.m.at(7), saved.optimizer.m.at(7));
  EXPECT_EQ(loaded.optimizer.v.at("beta"), saved.optimizer.v.at("beta"));
  EXPECT_EQ(loaded.fixed, saved.fixed);
}

TEST(TensorFiles, LoadGoesThroughStateHooksAndAfterLoad) {
  temp_dir dir;
  Hooked saved;
  saved.weight = Eigen::MatrixXf::Constant(3, 2, 1.5f);
  picklejar::save_safetensors(saved, dir / "h.safetensors");
  Hooked loaded;
  picklejar::load_safetensors(loaded, dir / "h.safetensors");
  EXPECT_EQ(loaded.weight, saved.weight);
  EXPECT_EQ(loaded.log, (std::vector<std::string>{"set_state", "after_load"}));
}

TEST(TensorFiles, MetadataGoesToTheHeader) {
  temp_dir dir;
  picklejar::options opts;
  opts.metadata = {{"format", "pt"}, {"note", "quote \" and \\ and \xc3\xa9"}};
  picklejar::save_safetensors(Holder<Eigen::MatrixXf>{Eigen::MatrixXf::Ones(1, 1)}, dir / "m.safetensors", opts);
  EXPECT_EQ(picklejar::open_tensors(dir / "m.safetensors").metadata(), opts.metadata);
  const std::string bytes = read_bytes(dir / "m.safetensors");
  std::uint64_t header = 0;
  std::memcpy(&header, bytes.data(), 8);
  EXPECT_EQ((8 + header) % 64, 0u) << "the data starts 64-byte aligned";
}

// ---- matching ----

TEST(TensorMatching, StrictRefusesMissingAndUnexpectedAndLeavesTheObjectAlone) {
  temp_dir dir;
  picklejar::save_safetensors(net(true), dir / "net.safetensors");
  Net fewer = net(false);
  fewer.tail.reset();  // nothing is created: the file's tail.* tensors have no place
  const picklejar::error failure =
      expect_error(picklejar::errc::type, [&] { picklejar::load_safetensors(fewer, dir / "net.safetensors"); });
  EXPECT_NE(std::string(failure.what()).find("not in the object: 'tail."), std::string::npos) << failure.what();
  EXPECT_NE(std::string(failure.what()).find("'tail.b'"), std::string::npos) << failure.what();
  EXPECT_NE(std::string(failure.what()).find("tensor_match::lenient"), std::string::npos) << failure.what();
  EXPECT_EQ(fewer.layers[0].w.size(), 0) << "a refused load changes nothing";

  Holder<Eigen::MatrixXf> other;
  const picklejar::error missing =
      expect_error(picklejar::errc::type, [&] { picklejar::load_safetensors(other, dir / "net.safetensors"); });
  EXPECT_NE(std::string(missing.what()).find("missing from the file: 'tensor'"), std::string::npos) << missing.what();
}

TEST(TensorMatching, LenientLoadsWhatMatchesAndReports) {
  temp_dir dir;
  const Net saved = net(true);
  picklejar::save_safetensors(saved, dir / "net.safetensors");
  Net fewer = net(false);
  fewer.tail.reset();
  fewer.optimizer.v.clear();  // an empty container holds nothing to fill
  picklejar::options lenient;
  lenient.tensor_match = picklejar::tensor_match::lenient;
  const picklejar::tensor_report report = picklejar::load_safetensors(fewer, dir / "net.safetensors", lenient);
  EXPECT_EQ(report.loaded.size(), 9u);
  EXPECT_TRUE(report.missing.empty());
  std::vector<std::string> unexpected = report.unexpected;
  std::sort(unexpected.begin(), unexpected.end());
  EXPECT_EQ(unexpected, (std::vector<std::string>{"optimizer.v.beta", "tail.b", "tail.w"}));
  EXPECT_EQ(fewer.layers[1].w, saved.layers[1].w);
  EXPECT_FALSE(fewer.tail);
  EXPECT_TRUE(fewer.optimizer.v.empty());

  struct Extra {
    Eigen::MatrixXf fixed;
    Eigen::MatrixXf brand_new = Eigen::MatrixXf::Constant(1, 1, 4.0f);
    PICKLEJAR_FIELDS(fixed, brand_new)
  };
  Extra extra;
  const picklejar::tensor_report second = picklejar::load_safetensors(extra, dir / "net.safetensors", lenient);
  EXPECT_EQ(second.missing, std::vector<std::string>{"brand_new"});
  EXPECT_EQ(second.loaded, std::vector<std::string>{"fixed"});
  EXPECT_EQ(extra.brand_new(0, 0), 4.0f) << "a missing tensor keeps its value";
  EXPECT_EQ(extra.fixed, saved.fixed);
}

TEST(TensorMatching, WrongShapeIsAnErrorInBothModes) {
  temp_dir dir;
  picklejar::save_safetensors(Holder<Eigen::MatrixXf>{Eigen::MatrixXf::Ones(2, 4)}, dir / "t.safetensors");
  picklejar::options lenient;
  lenient.tensor_match = picklejar::tensor_match::lenient;
  for (const picklejar::options& opts : {picklejar::options{}, lenient}) {
    Holder<Eigen::Matrix<float, 4, 2>> fixed;
    fixed.tensor.setZero();
    const picklejar::error failure =
        expect_error(picklejar::errc::type, [&] { picklejar::load_safetensors(fixed, dir / "t.safetensors", opts); });
    EXPECT_NE(std::string(failure.what()).find("'tensor' has shape [2, 4]"), std::string::npos) << failure.what();
    EXPECT_TRUE(fixed.tensor.isZero());
  }
  expect_error(picklejar::errc::type, [&] { picklejar::load_tensor<Eigen::Matrix<float, 4, 2>>(dir / "t.safetensors", "tensor"); });
  expect_error(picklejar::errc::type, [&] { picklejar::load_tensor<Eigen::VectorXf>(dir / "t.safetensors", "tensor"); });
}

TEST(TensorMatching, DtypesWidenButNeverNarrow) {
  temp_dir dir;
  using HalfMatrix = Eigen::Matrix<Eigen::half, Eigen::Dynamic, Eigen::Dynamic>;
  using BfloatMatrix = Eigen::Matrix<Eigen::bfloat16, Eigen::Dynamic, Eigen::Dynamic>;
  HalfMatrix half(2, 2);
  half << Eigen::half(0.5f), Eigen::half(-2.0f), Eigen::half(65504.0f), Eigen::half(6.0e-8f);
  picklejar::save_safetensors(Holder<HalfMatrix>{half}, dir / "half.safetensors");
  Holder<Eigen::MatrixXf> as_float;
  picklejar::load_safetensors(as_float, dir / "half.safetensors");
  for (int i = 0; i < 4; ++i) EXPECT_EQ(as_float.tensor(i), static_cast<float>(half(i))) << i;
  Holder<Eigen::MatrixXd> as_double;
  picklejar::load_safetensors(as_double, dir / "half.safetensors");
  EXPECT_EQ(as_double.tensor(0, 1), -2.0);  // the comma initialiser fills rows first

  BfloatMatrix bfloat(1, 3);
  bfloat << Eigen::bfloat16(1.5f), Eigen::bfloat16(-3.0e38f), Eigen::bfloat16(1.0e-40f);
  picklejar::save_safetensors(Holder<BfloatMatrix>{bfloat}, dir / "bf16.safetensors");
  const Eigen::MatrixXd widened = picklejar::load_tensor<Eigen::MatrixXd>(dir / "bf16.safetensors", "tensor");
  for (int i = 0; i < 3; ++i) EXPECT_EQ(widened(i), static_cast<double>(static_cast<float>(bfloat(i)))) << i;

  picklejar::save_safetensors(Holder<Eigen::MatrixXf>{Eigen::MatrixXf::Constant(1, 2, 0.1f)}, dir / "f32.safetensors");
  EXPECT_EQ(picklejar::load_tensor<Eigen::MatrixXd>(dir / "f32.safetensors", "tensor")(0, 1), static_cast<double>(0.1f));
  using Int8 = Eigen::Matrix<std::int8_t, Eigen::Dynamic, Eigen::Dynamic>;
  picklejar::save_safetensors(Holder<Int8>{Int8::Constant(1, 1, -7)}, dir / "i8.safetensors");
  EXPECT_EQ((picklejar::load_tensor<Eigen::Matrix<std::int64_t, Eigen::Dynamic, Eigen::Dynamic>>(dir / "i8.safetensors", "tensor")(0)), -7);

  picklejar::save_safetensors(Holder<Eigen::MatrixXd>{Eigen::MatrixXd::Ones(1, 1)}, dir / "f64.safetensors");
  Holder<Eigen::MatrixXf> narrow;
  const picklejar::error failure =
      expect_error(picklejar::errc::type, [&] { picklejar::load_safetensors(narrow, dir / "f64.safetensors"); });
  EXPECT_NE(std::string(failure.what()).find("F64"), std::string::npos) << failure.what();
  expect_error(picklejar::errc::type, [&] { picklejar::load_tensor<HalfMatrix>(dir / "f32.safetensors", "tensor"); });
  expect_error(picklejar::errc::type, [&] { picklejar::load_tensor<Eigen::MatrixXf>(dir / "i8.safetensors", "tensor"); });
}

TEST(TensorFiles, TypesTheFormatCannotHoldAreNamed) {
  temp_dir dir;
  write_bytes(dir / "keep.safetensors", "previous file");
  struct Complex {
    Eigen::MatrixXcf spectrum = Eigen::MatrixXcf::Ones(2, 2);
    PICKLEJAR_FIELDS(spectrum)
  };
  const picklejar::error complex =
      expect_error(picklejar::errc::type, [&] { picklejar::save_safetensors(Complex{}, dir / "keep.safetensors"); });
  EXPECT_EQ(complex.field_path(), "spectrum");
  EXPECT_EQ(complex.file(), (dir / "keep.safetensors").string());
  EXPECT_EQ(read_bytes(dir / "keep.safetensors"), "previous file");
  struct Sparse {
    Eigen::SparseMatrix<float> mask;
    PICKLEJAR_FIELDS(mask)
  };
  Sparse sparse;
  sparse.mask.resize(3, 3);
  const picklejar::error refused =
      expect_error(picklejar::errc::type, [&] { picklejar::save_safetensors(sparse, dir / "s.safetensors"); });
  EXPECT_NE(std::string(refused.what()).find("sparse"), std::string::npos) << refused.what();
  using Bfloat = Eigen::Matrix<Eigen::bfloat16, Eigen::Dynamic, Eigen::Dynamic>;
  expect_error(picklejar::errc::type,
               [&] { picklejar::save_npz(Holder<Bfloat>{Bfloat::Zero(1, 1)}, dir / "b.npz"); });
  EXPECT_FALSE(std::filesystem::exists(dir / "b.npz"));
}

// ---- open_tensors and load_tensor ----

TEST(TensorViews, AreZeroCopyIntoTheFileAndChecked) {
  temp_dir dir;
  const Net saved = net(true);
  picklejar::save_safetensors(saved, dir / "net.safetensors");
  const picklejar::tensor_file file = picklejar::open_tensors(dir / "net.safetensors");
  const picklejar::tensor_view<float> w = file.view<float>("layers.0.w");
  EXPECT_EQ(w.rows(), 4);
  EXPECT_EQ(w.cols(), 3);
  EXPECT_EQ(Eigen::MatrixXf(w), saved.layers[0].w);
  const picklejar::tensor_view<float> again = file.view<float>("layers.0.w");
  EXPECT_EQ(w.data(), again.data()) << "both views point into the same mapping";
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(w.data()) % 4, 0u);
  const picklejar::tensor_view<float> b = file.view<float>("layers.0.b");
  EXPECT_EQ(b.rows(), 4);
  EXPECT_EQ(b.cols(), 1);
  EXPECT_EQ(file.at("optimizer.m.0").shape, (std::vector<std::int64_t>{2, 5}));
  EXPECT_EQ(file.at("optimizer.m.0").dtype, picklejar::dtype::f64);
  EXPECT_TRUE(file.contains("fixed"));
  EXPECT_FALSE(file.contains("nothing"));
  const picklejar::error wrong_type = expect_error(picklejar::errc::type, [&] { file.view<double>("layers.0.w"); });
  EXPECT_NE(std::string(wrong_type.what()).find("holds F32, not F64"), std::string::npos) << wrong_type.what();
  const picklejar::error unknown = expect_error(picklejar::errc::type, [&] { file.view<float>("layers.9.w"); });
  EXPECT_NE(std::string(unknown.what()).find("layers.9.w"), std::string::npos) << unknown.what();
  EXPECT_EQ(unknown.file(), (dir / "net.safetensors").string());
  expect_error(picklejar::errc::type, [&] { picklejar::load_tensor<Eigen::MatrixXf>(dir / "net.safetensors", "nope"); });

  // The mapping outlives the file's name and the first tensor_file.
  picklejar::tensor_view<float> kept = picklejar::open_tensors(dir / "net.safetensors").view<float>("head.w");
  static_cast<void>(kept);
  picklejar::tensor_file copy = file;
  std::filesystem::remove(dir / "net.safetensors");
  EXPECT_EQ(Eigen::MatrixXf(copy.view<float>("layers.1.w")), saved.layers[1].w);
}

/// A .safetensors file built by hand: `json` as its header, `data` after it.
std::string safetensors(const std::string& json, const std::string& data) {
  std::string bytes(8, '\0');
  const std::uint64_t size = json.size();
  std::memcpy(bytes.data(), &size, 8);
  return bytes + json + data;
}

std::string floats(std::initializer_list<float> values) {
  std::string bytes(values.size() * 4, '\0');
  std::memcpy(bytes.data(), values.begin(), bytes.size());
  return bytes;
}

TEST(TensorViews, UnalignedForeignTensorsAreCopiedNotViewed) {
  temp_dir dir;
  // A one-byte tensor first puts the float tensor at an odd offset; the header is 8 + 86 bytes.
  const std::string json =
      R"({"flag":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"w":{"dtype":"F32","shape":[2],"data_offsets":[1,9]}})";
  write_bytes(dir / "odd.safetensors", safetensors(json, std::string(1, '\1') + floats({1.5f, -2.5f})));
  const picklejar::tensor_file file = picklejar::open_tensors(dir / "odd.safetensors");
  const picklejar::error failure = expect_error(picklejar::errc::format, [&] { file.view<float>("w"); });
  EXPECT_NE(std::string(failure.what()).find("load_tensor"), std::string::npos) << failure.what();
  const Eigen::VectorXf w = picklejar::load_tensor<Eigen::VectorXf>(dir / "odd.safetensors", "w");
  EXPECT_EQ(w, Eigen::Vector2f(1.5f, -2.5f));
  EXPECT_EQ(file.view<std::uint8_t>("flag")(0, 0), 1);
}

// ---- hostile files ----

TEST(HostileSafetensors, BreakingTheFormatsRulesIsAFormatError) {
  temp_dir dir;
  const std::string two = floats({1.0f, 2.0f});
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"not JSON", safetensors("[1,2]", two)},
      {"truncated JSON", safetensors(R"({"w":{"dtype":"F32")", two)},
      {"unknown dtype", safetensors(R"({"w":{"dtype":"F8_E4M3","shape":[8],"data_offsets":[0,8]}})", two)},
      {"shape does not match bytes", safetensors(R"({"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", two)},
      {"end beyond the data", safetensors(R"({"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})", two)},
      {"gap", safetensors(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", two)},
      {"overlap", safetensors(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", two)},
      {"data left over", safetensors(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", two)},
      {"overflowing shape", safetensors(R"({"w":{"dtype":"F32","shape":[4294967296,4294967296,16],"data_offsets":[0,8]}})", two)},
      {"negative extent", safetensors(R"({"w":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})", two)},
      {"fractional offset", safetensors(R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8.0]}})", two)},
      {"offsets reversed", safetensors(R"({"w":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}})", two)},
      {"duplicate name", safetensors(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", two)},
      {"metadata not strings", safetensors(R"({"__metadata__":{"a":1},"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", two)},
      {"entry not an object", safetensors(R"({"w":[1]})", two)},
      {"missing data_offsets", safetensors(R"({"w":{"dtype":"F32","shape":[2]}})", two)},
      {"deep nesting", safetensors(std::string(5000, '[') , two)},
      {"header size beyond the file", std::string("\xff\x00\x00\x00\x00\x00\x00\x00{}", 10)},
      {"header size over 100 MB", std::string("\x01\x00\x00\x10\x00\x00\x00\x00{}", 10)},
      {"shorter than 8 bytes", std::string("\x02\x00\x00", 3)},
      {"empty", std::string()},
  };
  for (const auto& [what, bytes] : cases) {
    SCOPED_TRACE(what);
    const std::filesystem::path file = dir / "hostile.safetensors";
    write_bytes(file, bytes);
    const picklejar::error opened = expect_error(picklejar::errc::format, [&] { picklejar::open_tensors(file); });
    EXPECT_EQ(opened.file(), file.string());
    expect_error(picklejar::errc::format, [&] { picklejar::load_tensor<Eigen::VectorXf>(file, "w"); });
    Holder<Eigen::VectorXf> holder;
    expect_error(picklejar::errc::format, [&] { picklejar::load_safetensors(holder, file); });
  }
}

TEST(HostileSafetensors, AnEmptyTensorWithAHugeDimensionIsRefused) {
  temp_dir dir;
  write_bytes(dir / "wide.safetensors",
              safetensors(R"({"tensor":{"dtype":"F32","shape":[0,4611686018427387904],"data_offsets":[0,0]}})", ""));
  Holder<Eigen::MatrixXf> holder;
  for (const picklejar::options& opts : {picklejar::options{}, [] {
         picklejar::options lenient;
         lenient.tensor_match = picklejar::tensor_match::lenient;
         return lenient;
       }()}) {
    expect_error(picklejar::errc::limit, [&] { picklejar::load_safetensors(holder, dir / "wide.safetensors", opts); });
  }
  expect_error(picklejar::errc::limit, [&] { picklejar::load_tensor<Eigen::MatrixXf>(dir / "wide.safetensors", "tensor"); });
  EXPECT_EQ(holder.tensor.cols(), 0);
}

TEST(HostileSafetensors, BoolBytesOtherThanZeroOrOneAreRefused) {
  temp_dir dir;
  write_bytes(dir / "b.safetensors", safetensors(R"({"tensor":{"dtype":"BOOL","shape":[2],"data_offsets":[0,2]}})", "\x01\x07"));
  Holder<Eigen::Array<bool, Eigen::Dynamic, 1>> flags;
  const picklejar::error failure =
      expect_error(picklejar::errc::format, [&] { picklejar::load_safetensors(flags, dir / "b.safetensors"); });
  EXPECT_NE(std::string(failure.what()).find("BOOL"), std::string::npos) << failure.what();
  // A view never hands out a bool that holds another byte.
  const picklejar::tensor_file file = picklejar::open_tensors(dir / "b.safetensors");
  expect_error(picklejar::errc::format, [&] { file.view<bool>("tensor"); });
  expect_error(picklejar::errc::format,
               [&] { picklejar::load_tensor<Eigen::Array<bool, Eigen::Dynamic, 1>>(dir / "b.safetensors", "tensor"); });
}

TEST(TensorViews, ADefaultTensorFileHoldsNothing) {
  const picklejar::tensor_file none;
  EXPECT_TRUE(none.tensors().empty());
  EXPECT_TRUE(none.metadata().empty());
  EXPECT_FALSE(none.contains("w"));
  expect_error(picklejar::errc::type, [&] { none.view<float>("w"); });
}

TEST(HostileSafetensors, PicklejarFilesAndMissingFilesAreClearErrors) {
  temp_dir dir;
  picklejar::save(Holder<Eigen::MatrixXf>{Eigen::MatrixXf::Ones(1, 1)}, dir / "model.json", {picklejar::format::json});
  expect_error(picklejar::errc::format, [&] { picklejar::open_tensors(dir / "model.json"); });
  expect_error(picklejar::errc::io, [&] { picklejar::open_tensors(dir / "absent.safetensors"); });
  Holder<Eigen::MatrixXf> holder;
  expect_error(picklejar::errc::io, [&] { picklejar::load_safetensors(holder, dir / "absent.safetensors"); });
  expect_error(picklejar::errc::io,
               [&] { picklejar::save_safetensors(holder, dir / "no" / "such" / "dir" / "x.safetensors"); });
}

// ---- npz ----

TEST(NpzFiles, AreStoredZipArchivesOfNpyFiles) {
  temp_dir dir;
  picklejar::save_npz(net(true), dir / "net.npz");
  const std::string bytes = read_bytes(dir / "net.npz");
  ASSERT_GT(bytes.size(), 22u);
  EXPECT_EQ(bytes.substr(0, 4), std::string("PK\x03\x04", 4));
  const std::string end = bytes.substr(bytes.size() - 22);
  EXPECT_EQ(end.substr(0, 4), std::string("PK\x05\x06", 4));
  std::uint16_t entries = 0;
  std::memcpy(&entries, end.data() + 10, 2);
  EXPECT_EQ(entries, 12);
  EXPECT_NE(bytes.find("layers.1.w.npy"), std::string::npos);
  EXPECT_NE(bytes.find("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 5), }"), std::string::npos);
  EXPECT_NE(bytes.find("'shape': (3,), }"), std::string::npos);
  EXPECT_EQ(picklejar::detail::crc32("123456789", 9), 0xCBF43926u);  // the CRC-32 check value
}

std::uint64_t le(const std::string& bytes, std::size_t at, int size) {
  std::uint64_t value = 0;
  for (int i = 0; i < size; ++i) value |= std::uint64_t(static_cast<unsigned char>(bytes[at + i])) << (8 * i);
  return value;
}

TEST(NpzFiles, EntriesOf4GiBAndMoreGetZip64Records) {
  picklejar::detail::zip_writer zip;
  const std::uint64_t big = (std::uint64_t{5} << 30) + 3;
  const std::string first = zip.local_header("big.npy", big, 0x12345678u);
  EXPECT_EQ(le(first, 4, 2), 45u) << "version needed: zip64";
  EXPECT_EQ(le(first, 18, 4), 0xFFFFFFFFu);
  EXPECT_EQ(le(first, 22, 4), 0xFFFFFFFFu);
  ASSERT_EQ(le(first, 28, 2), 20u) << "a zip64 extra field of two sizes";
  EXPECT_EQ(le(first, 30 + 7, 2), 1u);
  EXPECT_EQ(le(first, 30 + 7 + 4, 8), big);
  const std::string second = zip.local_header("small.npy", 10, 1);  // lies beyond 4 GiB
  EXPECT_EQ(le(second, 18, 4), 10u);
  const std::string end = zip.finish();
  // The second entry's central record points past 4 GiB through its zip64 extra field.
  const std::size_t small = end.find("small.npy");
  ASSERT_NE(small, std::string::npos);
  EXPECT_EQ(le(end, small - 4, 4), 0xFFFFFFFFu);
  EXPECT_EQ(le(end, small + 9 + 4, 8), first.size() + big);
  // Then the zip64 end record, its locator and the classic end record, pointing at them.
  EXPECT_NE(end.find(std::string("PK\x06\x06", 4)), std::string::npos);
  EXPECT_NE(end.find(std::string("PK\x06\x07", 4)), std::string::npos);
  EXPECT_EQ(end.substr(end.size() - 22, 4), std::string("PK\x05\x06", 4));
  EXPECT_EQ(le(end, end.size() - 22 + 16, 4), 0xFFFFFFFFu);
}

}  // namespace

// Outside the anonymous namespace: the file records this name (tests/data/compat/README.md).
struct TensorsV4 {
  Eigen::MatrixXf w;
  Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> r;
  Eigen::VectorXf b;
  std::vector<Eigen::Matrix3d> fixed;
  std::map<std::string, Eigen::ArrayXXf> named;
  std::shared_ptr<Eigen::MatrixXf> shared;
  int after = 7;
  PICKLEJAR_FIELDS(w, r, b, fixed, named, shared, after)
};

namespace {

TensorsV4 tensors_v4() {
  TensorsV4 t;
  t.w.resize(3, 5);
  t.r.resize(2, 3);
  t.b.resize(4);
  for (int i = 0; i < t.w.size(); ++i) t.w(i) = 0.5f * static_cast<float>(i) - 3;
  for (int i = 0; i < t.r.size(); ++i) t.r.data()[i] = 1.25 * i;
  for (int i = 0; i < t.b.size(); ++i) t.b(i) = -1.0f * static_cast<float>(i);
  t.fixed.resize(2);
  t.fixed[0].setIdentity();
  t.fixed[1].setConstant(2.5);
  t.named["alpha"] = Eigen::ArrayXXf::Constant(2, 2, 9.0f);
  t.shared = std::make_shared<Eigen::MatrixXf>(Eigen::MatrixXf::Constant(1, 3, -4.0f));
  t.after = 7;
  return t;
}

void expect_same(const TensorsV4& a, const TensorsV4& b) {
  EXPECT_EQ(a.w, b.w);
  EXPECT_EQ(a.r, b.r);
  EXPECT_EQ(a.b, b.b);
  ASSERT_EQ(a.fixed.size(), b.fixed.size());
  for (std::size_t i = 0; i < a.fixed.size(); ++i) EXPECT_EQ(a.fixed[i], b.fixed[i]);
  ASSERT_EQ(a.named.size(), b.named.size());
  EXPECT_TRUE((a.named.at("alpha") == b.named.at("alpha")).all());
  ASSERT_TRUE(a.shared && b.shared);
  EXPECT_EQ(*a.shared, *b.shared);
  EXPECT_EQ(a.after, b.after);
}

// ---- the tensor index of .pj files ----

TEST(PjTensorIndex, EveryBinaryFileCarriesOneAlignedAndChecked) {
  temp_dir dir;
  const TensorsV4 saved = tensors_v4();
  for (picklejar::format fmt : {picklejar::format::binary, picklejar::format::portable_binary}) {
    SCOPED_TRACE(picklejar::to_string(fmt));
    const std::filesystem::path path = dir / (std::string("t.") + picklejar::to_string(fmt));
    picklejar::save(saved, path, {fmt});
    expect_same(picklejar::load<TensorsV4>(path), saved);
    const picklejar::tensor_file file = picklejar::open_tensors(path);
    std::vector<std::string> names = names_of(file);
    EXPECT_EQ(names, (std::vector<std::string>{"b", "fixed.0", "fixed.1", "named.alpha", "r", "shared", "w"}));
    // Column-major matrices are viewed in place, as [rows, cols].
    const picklejar::tensor_view<float> w = file.view<float>("w");
    EXPECT_EQ(w.rows(), 3);
    EXPECT_EQ(w.cols(), 5);
    EXPECT_EQ(Eigen::MatrixXf(w), saved.w);
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(w.data()) % 64, 0u) << "64-byte aligned in the mapping";
    EXPECT_EQ(file.at("w").shape, (std::vector<std::int64_t>{3, 5}));
    EXPECT_EQ(file.at("w").bytes, 60u);
    EXPECT_EQ(Eigen::MatrixXd(file.view<double>("r")), saved.r);
    EXPECT_EQ(Eigen::MatrixXd(file.view<double>("fixed.1")), saved.fixed[1]);
    EXPECT_EQ(file.view<float>("b").rows(), 4);
    EXPECT_EQ(Eigen::MatrixXf(file.view<float>("shared")), *saved.shared);
    EXPECT_EQ(picklejar::load_tensor<Eigen::MatrixXf>(path, "w"), saved.w);
    EXPECT_EQ(picklejar::load_tensor<Eigen::MatrixXd>(path, "w"), saved.w.cast<double>());
    EXPECT_EQ((picklejar::load_tensor<Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(path, "w")),
              saved.w);
    EXPECT_EQ(picklejar::load_tensor<Eigen::MatrixXd>(path, "r"), saved.r);
    EXPECT_EQ(picklejar::load_tensor<Eigen::VectorXf>(path, "b"), saved.b);
  }
  // In memory too: loads() reads what dumps() wrote, padding and index included.
  expect_same(picklejar::loads<TensorsV4>(picklejar::dumps(saved)), saved);
}

TEST(PjTensorIndex, OlderFilesLoadButHaveNoIndex) {
  const TensorsV4 expected = tensors_v4();
  for (const char* name : {"tensors_v4.binary", "tensors_v4.portable_binary"}) {
    SCOPED_TRACE(name);
    const std::filesystem::path path = std::filesystem::path(PICKLEJAR_TEST_DATA_DIR) / "compat" / name;
    expect_same(picklejar::load<TensorsV4>(path), expected);
    EXPECT_EQ(picklejar::inspect(path).container_version, 4);
    const picklejar::error failure = expect_error(picklejar::errc::format, [&] { picklejar::open_tensors(path); });
    EXPECT_NE(std::string(failure.what()).find("no tensor index"), std::string::npos) << failure.what();
    expect_error(picklejar::errc::format, [&] { picklejar::load_tensor<Eigen::MatrixXf>(path, "w"); });
  }
  temp_dir dir;
  for (picklejar::format fmt : {picklejar::format::json, picklejar::format::xml}) {
    const std::filesystem::path path = dir / (std::string("t.") + picklejar::to_string(fmt));
    picklejar::save(expected, path, {fmt});
    const picklejar::error failure = expect_error(picklejar::errc::format, [&] { picklejar::open_tensors(path); });
    EXPECT_NE(std::string(failure.what()).find("no tensor index"), std::string::npos) << failure.what();
    expect_error(picklejar::errc::format, [&] { picklejar::load_tensor<Eigen::MatrixXf>(path, "w"); });
  }
}

TEST(PjTensorIndex, DamagedTensorBytesAreCaughtBeforeTheyAreHandedOut) {
  temp_dir dir;
  const TensorsV4 saved = tensors_v4();
  picklejar::save(saved, dir / "t.pj");
  std::string bytes = read_bytes(dir / "t.pj");
  const picklejar::tensor_file intact = picklejar::open_tensors(dir / "t.pj");
  const std::uint64_t offset = static_cast<std::uint64_t>(
      reinterpret_cast<const char*>(intact.view<float>("w").data()) - reinterpret_cast<const char*>(intact.view<double>("r").data()));
  static_cast<void>(offset);
  // Flip one bit inside w's data: find its bytes in the file.
  const std::string w_bytes(reinterpret_cast<const char*>(saved.w.data()), 60);
  const std::size_t at = bytes.find(w_bytes);
  ASSERT_NE(at, std::string::npos);
  EXPECT_EQ(at % 64, 0u);
  bytes[at + 10] ^= 0x01;
  write_bytes(dir / "damaged.pj", bytes);
  const picklejar::tensor_file file = picklejar::open_tensors(dir / "damaged.pj");  // the index itself is intact
  EXPECT_EQ(Eigen::MatrixXd(file.view<double>("r")), saved.r);
  const picklejar::error viewed = expect_error(picklejar::errc::integrity, [&] { file.view<float>("w"); });
  EXPECT_NE(std::string(viewed.what()).find("'w'"), std::string::npos) << viewed.what();
  expect_error(picklejar::errc::integrity, [&] { picklejar::load_tensor<Eigen::MatrixXf>(dir / "damaged.pj", "w"); });
  expect_error(picklejar::errc::integrity, [&] { picklejar::load<TensorsV4>(dir / "damaged.pj"); });

  // A damaged index is caught by its own checksum.
  std::string index_damaged = read_bytes(dir / "t.pj");
  const std::size_t magic = index_damaged.rfind("PJTI");
  ASSERT_NE(magic, std::string::npos);
  index_damaged[magic + 12] ^= 0x20;
  write_bytes(dir / "index.pj", index_damaged);
  expect_error(picklejar::errc::integrity, [&] { picklejar::open_tensors(dir / "index.pj"); });
  expect_error(picklejar::errc::integrity, [&] { picklejar::load_tensor<Eigen::MatrixXf>(dir / "index.pj", "w"); });
}

}  // namespace

struct VersionedTensors {
  Eigen::MatrixXf old_weights;
  Eigen::MatrixXf new_weights;  // in a sized block: a newer version's member
  PICKLEJAR_FIELDS(old_weights)
  PICKLEJAR_FIELDS_SINCE(2, new_weights)
};
PICKLEJAR_VERSION(VersionedTensors, 2)

namespace {

TEST(PjTensorIndex, TensorsOfNewerMembersAreIndexedWhereTheyLand) {
  temp_dir dir;
  VersionedTensors saved;
  saved.old_weights = Eigen::MatrixXf::Constant(2, 2, 1.0f);
  saved.new_weights = Eigen::MatrixXf::Constant(3, 1, 2.0f);
  picklejar::save(saved, dir / "v.pj");
  EXPECT_EQ(picklejar::load_tensor<Eigen::MatrixXf>(dir / "v.pj", "new_weights"), saved.new_weights);
  EXPECT_EQ(picklejar::load_tensor<Eigen::MatrixXf>(dir / "v.pj", "old_weights"), saved.old_weights);
  const VersionedTensors loaded = picklejar::load<VersionedTensors>(dir / "v.pj");
  EXPECT_EQ(loaded.new_weights, saved.new_weights);
}

}  // namespace
