// A picklejar user without Eigen: everything but picklejar/eigen.hpp works.
#include <picklejar/json.hpp>
#include <picklejar/picklejar.hpp>

#include <string>
#include <vector>

struct Settings {
  std::string name;
  std::vector<double> rates;
  PICKLEJAR_FIELDS(name, rates)
};

int main() {
  Settings original{"no-eigen", {0.5, 0.25}};
  for (picklejar::format fmt : {picklejar::format::binary, picklejar::format::json}) {
    const Settings back = picklejar::loads<Settings>(picklejar::dumps(original, picklejar::options(fmt)));
    if (back.name != original.name || back.rates != original.rates) return 1;
  }
  return 0;
}
