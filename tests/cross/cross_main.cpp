// One side of the cross-compiler test (tests/cross/CMakeLists.txt, run_cross.cmake):
//   cross_main write <dir> <build>              writes <dir>/<build>.<format> in all four formats
//   cross_main read <dir> <build> [<build>...]  loads every format each build wrote and compares
//                                               it with cross_model::make_root()
// Exit status 0 when everything loads and matches, 1 otherwise (each failure is printed).
#include <picklejar/json.hpp>
#include <picklejar/picklejar.hpp>
#include <picklejar/xml.hpp>

#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "cross/cross_model.hpp"

namespace {

const std::vector<picklejar::format> formats = {picklejar::format::binary, picklejar::format::portable_binary,
                                                picklejar::format::json, picklejar::format::xml};

picklejar::options options_for(picklejar::format fmt) {
  picklejar::options opts(fmt);
  opts.externals.add("vocabulary", cross_model::vocabulary());
  return opts;
}

std::string path_of(const std::string& dir, const std::string& build, picklejar::format fmt) {
  return dir + "/" + build + "." + picklejar::to_string(fmt);
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() < 3 || (args[0] != "write" && args[0] != "read")) {
    std::fprintf(stderr, "usage: cross_main write <dir> <build> | read <dir> <build>...\n");
    return 2;
  }
  const std::string& dir = args[1];
  const cross_model::Root expected = cross_model::make_root();
  int failures = 0;
  if (args[0] == "write") {
    for (picklejar::format fmt : formats) {
      try {
        picklejar::save(expected, path_of(dir, args[2], fmt), options_for(fmt));
      } catch (const std::exception& failure) {
        std::printf("FAIL write %s: %s\n", path_of(dir, args[2], fmt).c_str(), failure.what());
        ++failures;
      }
    }
    return failures == 0 ? 0 : 1;
  }
  for (std::size_t i = 2; i < args.size(); ++i) {
    for (picklejar::format fmt : formats) {
      const std::string path = path_of(dir, args[i], fmt);
      try {
        const auto loaded = picklejar::load<cross_model::Root>(path, options_for(fmt));
        const std::string difference = cross_model::difference(expected, loaded);
        if (difference.empty()) {
          std::printf("ok   %s\n", path.c_str());
        } else {
          std::printf("FAIL %s: loaded, but differs at %s\n", path.c_str(), difference.c_str());
          ++failures;
        }
      } catch (const std::exception& failure) {
        std::printf("FAIL %s: %s\n", path.c_str(), failure.what());
        ++failures;
      }
    }
  }
  return failures == 0 ? 0 : 1;
}
