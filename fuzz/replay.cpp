// Runs files through the fuzz targets' code without libFuzzer: for coverage builds (scripts/
// coverage.sh) and to re-check a corpus or a finding with any compiler.
//
//   picklejar_fuzz_replay [--target=all|binary|portable_binary|json|xml|container|zoo|untrusted|safetensors|tensor_index] PATH...
//
// Each PATH is a file or a directory (read recursively). Every file goes to the chosen target
// (all of them by default). Exits 0 when every file was handled; a finding aborts, as in the
// fuzzer.
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "fuzz_targets.hpp"

namespace {

namespace fs = std::filesystem;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

struct target {
  const char* name;
  void (*run)(std::string_view);
};

const target targets[] = {
    {"binary", [](std::string_view bytes) { picklejar_fuzz::load_reference_model(bytes, picklejar::format::binary); }},
    {"portable_binary",
     [](std::string_view bytes) { picklejar_fuzz::load_reference_model(bytes, picklejar::format::portable_binary); }},
    {"json", [](std::string_view bytes) { picklejar_fuzz::load_reference_model(bytes, picklejar::format::json); }},
    {"xml", [](std::string_view bytes) { picklejar_fuzz::load_reference_model(bytes, picklejar::format::xml); }},
    {"container", [](std::string_view bytes) { picklejar_fuzz::parse_container(bytes); }},
    {"zoo", [](std::string_view bytes) { picklejar_fuzz::load_zoo(bytes); }},
    {"untrusted", [](std::string_view bytes) { picklejar_fuzz::load_untrusted(bytes); }},
    {"safetensors", [](std::string_view bytes) { picklejar_fuzz::read_tensor_file(bytes); }},
    {"tensor_index", [](std::string_view bytes) { picklejar_fuzz::read_tensor_file(bytes); }},
};

}  // namespace

int main(int argc, char** argv) {
  std::string chosen = "all";
  std::vector<fs::path> files;
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--target=", 9) == 0) {
      chosen = argv[i] + 9;
      continue;
    }
    const fs::path path = argv[i];
    std::error_code failure;
    if (fs::is_directory(path, failure)) {
      for (const auto& entry : fs::recursive_directory_iterator(path))
        if (entry.is_regular_file()) files.push_back(entry.path());
    } else if (fs::is_regular_file(path, failure)) {
      files.push_back(path);
    } else {
      std::fprintf(stderr, "replay: %s: not a file or directory\n", argv[i]);
      return 2;
    }
  }
  std::vector<const target*> selected;
  for (const target& t : targets)
    if (chosen == "all" || chosen == t.name) selected.push_back(&t);
  if (selected.empty()) {
    std::fprintf(stderr, "replay: unknown target '%s'\n", chosen.c_str());
    return 2;
  }
  for (const fs::path& file : files) {
    const std::string bytes = read_file(file);
    for (const target* t : selected) t->run(bytes);
  }
  std::printf("replay: %zu files through %s\n", files.size(), chosen.c_str());
  return 0;
}
