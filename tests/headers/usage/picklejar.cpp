// headers.link.picklejar/picklejar.hpp: the one include a user adds saves and loads a class in
// the binary formats, to bytes and to a file (JSON and XML: usage/json.cpp, usage/xml.cpp).
#include <cstdio>
#include <map>
#include <string>
#include <vector>

struct Settings {
  std::string name;
  std::vector<double> rates;
  std::map<std::string, int> counts;
  PICKLEJAR_FIELDS(name, rates, counts)
};

int main() {
  const Settings original{"link", {0.5, 0.25}, {{"a", 1}}};
  for (picklejar::format fmt : {picklejar::format::binary, picklejar::format::portable_binary}) {
    const Settings back = picklejar::loads<Settings>(picklejar::dumps(original, picklejar::options(fmt)));
    if (back.name != original.name || back.rates != original.rates || back.counts != original.counts) return 1;
  }
  const std::string path = "headers_link_picklejar.pj";
  picklejar::save(original, path);
  const Settings from_file = picklejar::load<Settings>(path);
  std::remove(path.c_str());
  return from_file.counts == original.counts ? 0 : 1;
}
