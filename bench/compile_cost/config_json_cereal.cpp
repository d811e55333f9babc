// Compile-cost probe (issue 14), baseline: config_json_picklejar.cpp's program with plain cereal's
// binary and JSON archives over file streams.
#include <cereal/archives/binary.hpp>
#include <cereal/archives/json.hpp>
#include <cereal/types/string.hpp>
#include <cereal/types/vector.hpp>

#include <fstream>
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
  template <class Archive>
  void serialize(Archive& ar) {
    ar(a, b, c, d, e, f, g, h, i, j);
  }
};

int main(int argc, char** argv) {
  const std::string path = argc > 1 ? argv[1] : "config.bin";
  {
    std::ofstream out(path, std::ios::binary);
    cereal::BinaryOutputArchive archive(out);
    archive(Config{});
  }
  {
    std::ofstream out(path + ".json");
    cereal::JSONOutputArchive archive(out);
    archive(Config{});
  }
  Config loaded;
  {
    std::ifstream in(path, std::ios::binary);
    cereal::BinaryInputArchive archive(in);
    archive(loaded);
  }
  {
    std::ifstream in(path + ".json");
    cereal::JSONInputArchive archive(in);
    archive(loaded);
  }
  return loaded.a == 1 ? 0 : 1;
}
