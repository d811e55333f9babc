// Writes the checked-in files of tests/test_versioning.cpp: the test type as older (and one newer)
// releases of a program defined it. Kept so the files can be remade; not built by default:
//   for v in 0 2 9; do g++ -std=c++17 -I../../../include -I/usr/include/eigen3
//     -DHYPERPARAMETERS_VERSION=$v make_old_files.cpp -o /tmp/make_v$v && /tmp/make_v$v .; done
#include <picklejar/json.hpp>
#include <picklejar/picklejar.hpp>
#include <picklejar/xml.hpp>

#include <memory>
#include <string>

#ifndef HYPERPARAMETERS_VERSION
#error define HYPERPARAMETERS_VERSION (0, 2 or 9)
#endif

namespace versioning {

struct Hyperparameters {
  int epochs = 0;
  float learning_rate = 0;
  std::string optimizer;
  int warmup_steps = 0;
  double label_smoothing = 0;
  PICKLEJAR_FIELDS(epochs, learning_rate)
#if HYPERPARAMETERS_VERSION >= 2
  PICKLEJAR_FIELDS_SINCE(2, optimizer)
#endif
#if HYPERPARAMETERS_VERSION >= 9
  PICKLEJAR_FIELDS_SINCE(3, warmup_steps)
  PICKLEJAR_FIELDS_SINCE(9, label_smoothing)
#endif
};

struct Experiment {
  std::string name;
  std::unique_ptr<Hyperparameters> params;
  PICKLEJAR_FIELDS(name, params)
};

#if HYPERPARAMETERS_VERSION > 0
PICKLEJAR_VERSION(Hyperparameters, HYPERPARAMETERS_VERSION)
#endif

}  // namespace versioning

int main(int argc, char** argv) {
  const std::string dir = argc > 1 ? argv[1] : ".";
  const std::string version = std::to_string(HYPERPARAMETERS_VERSION);
  versioning::Hyperparameters params;
  params.epochs = 20 + HYPERPARAMETERS_VERSION;
  params.learning_rate = 0.5f;
  params.optimizer = "sgd";
  params.warmup_steps = 7;
  params.label_smoothing = 0.1;
  versioning::Experiment experiment;
  experiment.name = "run-" + version;
  experiment.params = std::make_unique<versioning::Hyperparameters>(params);
  for (auto fmt : {picklejar::format::binary, picklejar::format::portable_binary, picklejar::format::json,
                   picklejar::format::xml}) {
    const std::string suffix = std::string(".") + picklejar::to_string(fmt);
    picklejar::save(params, dir + "/hyperparameters_v" + version + suffix, fmt);
    picklejar::save(experiment, dir + "/experiment_v" + version + suffix, fmt);
  }
}
