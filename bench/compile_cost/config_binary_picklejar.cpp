// Compile-cost probe (issue 14), picklejar side: a 10-field struct saved to a file and loaded back,
// binary. scripts/bench.sh compares its compile CPU time with config_binary_cereal.cpp (the same
// program with plain cereal's binary archive and an ofstream). Keep the pairs doing the same thing.
#include <picklejar/picklejar.hpp>

#include <string>
#include <vector>

struct Config {
  int a = 1;
  long b = 2;
  float c = 3;
  double d = 4;
  bool e = true;
  std::string f = "x";
  std::vector<float> g{1, 2};
  std::vector<int> h{3};
  unsigned i = 5;
  std::string j = "y";
  PICKLEJAR_FIELDS(a, b, c, d, e, f, g, h, i, j)
};

int main(int argc, char** argv) {
  const std::string path = argc > 1 ? argv[1] : "config.pj";
  picklejar::save(Config{}, path, picklejar::options(picklejar::format::binary));
  Config loaded;
  picklejar::load(loaded, path);
  return loaded.a == 1 ? 0 : 1;
}
