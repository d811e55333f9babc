// Compile-cost probe (issue 14), picklejar side: a 10-field struct saved to a file and loaded back,
// in binary and in JSON. scripts/bench.sh compares its compile CPU time with config_json_cereal.cpp
// (plain cereal, binary and JSON archives). Keep the pairs doing the same thing.
#include <picklejar/json.hpp>
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
  picklejar::save(Config{}, path + ".json", picklejar::options(picklejar::format::json));
  Config loaded;
  picklejar::load(loaded, path);
  picklejar::load(loaded, path + ".json");
  return loaded.a == 1 ? 0 : 1;
}
