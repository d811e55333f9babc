// A minimal picklejar user, shared by the package tests (find_package, pkg-config,
// add_subdirectory). Exits 0 only if the round trips give back what was saved.
#include <picklejar/eigen.hpp>
#include <picklejar/picklejar.hpp>
#include <picklejar/tensors.hpp>

#include <Eigen/Dense>

#include <iostream>
#include <string>

struct Sample {
  int a = 0;
  std::string b;
  PICKLEJAR_FIELDS(a, b)
};

int main() {
  Sample x;
  x.a = 42;
  x.b = "pickled";
  const std::string bytes = picklejar::dumps(x);
  const Sample y = picklejar::loads<Sample>(bytes);
  if (y.a != x.a || y.b != x.b) {
    std::cerr << "Sample round trip failed: got {" << y.a << ", \"" << y.b << "\"}\n";
    return 1;
  }

  // Eigen support exercises the dependency the package must bring along.
  Eigen::MatrixXd m(2, 3);
  m << 1, 2, 3, 4, 5, 6;
  const Eigen::MatrixXd n = picklejar::loads<Eigen::MatrixXd>(picklejar::dumps(m));
  if (n != m) {
    std::cerr << "Eigen::MatrixXd round trip failed\n";
    return 1;
  }

  // The installed tensors.hpp: a .safetensors file and a view into it.
  struct Weights {
    Eigen::MatrixXd m;
    PICKLEJAR_FIELDS(m)
  };
  picklejar::save_safetensors(Weights{m}, "consumer.safetensors");
  if (Eigen::MatrixXd(picklejar::open_tensors("consumer.safetensors").view<double>("m")) != m) {
    std::cerr << "safetensors round trip failed\n";
    return 1;
  }

  std::cout << "picklejar consumer: round trips OK (" << bytes.size() << " bytes)\n";
  return 0;
}
