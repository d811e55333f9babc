// headers.link.picklejar/xml.hpp: with this header alone a program saves and loads XML (and
// the binary formats), and JSON, not included, is refused naming its header.
#include <string>
#include <vector>

struct Settings {
  std::string name;
  std::vector<double> rates;
  PICKLEJAR_FIELDS(name, rates)
};

int main() {
  const Settings original{"xml", {0.5, 0.25}};
  for (picklejar::format fmt : {picklejar::format::xml, picklejar::format::binary}) {
    const Settings back = picklejar::loads<Settings>(picklejar::dumps(original, picklejar::options(fmt)));
    if (back.name != original.name || back.rates != original.rates) return 1;
  }
  try {
    (void)picklejar::dumps(original, picklejar::options(picklejar::format::json));
  } catch (const picklejar::error& refused) {
    return refused.code() == picklejar::errc::format &&
                   std::string(refused.what()).find("picklejar/json.hpp") != std::string::npos
               ? 0
               : 1;
  }
  return 1;
}
